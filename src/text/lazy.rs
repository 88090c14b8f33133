//! Parsing a module with its function bodies set aside, for compiling one function at a time.
//!
//! [`skim`] lexes the whole text once and hands the grammar everything but the bodies of the
//! module's functions: of each `(func …)` field the parser sees the header (id, inline exports and
//! import, type use) and the closing parenthesis, and [`Skimmed::bodies`] records where the body
//! (`(local …)*` and the instructions) is. [`parse_body`] parses one recorded body later, as the
//! field `(func <body>)`, with the same grammar; spans stay those of the whole text.
//!
//! The tokens the parser sees, header and bodies together, are exactly those of the text, so a body
//! parsed apart is the body [`super::parse_module`] gives. Any error here (the text is malformed, or
//! not one module) only says "no": the caller parses the whole text again to report it.

use std::collections::VecDeque;

use crate::instr::Op;
use crate::span::Span;
use crate::text::lexer::{Keyword, Lexer, Spanned, Token};
use crate::text::parse::module_from_tokens;
use crate::text::syntax::{Field, Func, Module};

/// A module whose function bodies were set aside.
#[derive(Debug)]
pub struct Skimmed<'a> {
    /// The module; the functions whose body was set aside have no locals and no instructions.
    pub module: Module<'a>,
    /// Per `(func …)` field of the module, in order: where its body is, or `None` when the parser
    /// saw it (an empty body, or one that could not be set aside).
    pub bodies: Vec<Option<Span>>,
    /// Whether a body set aside uses `memory.init` or `data.drop` (then the module has a DataCount
    /// section).
    pub uses_data: bool,
}

/// Parses `source` as one module with its function bodies set aside; `None` if it is malformed.
pub fn skim(source: &str) -> Option<Skimmed<'_>> {
    let mut s = Skim {
        lexer: Lexer::new(source),
        ahead: VecDeque::new(),
        out: Vec::new(),
        bodies: Vec::new(),
        uses_data: false,
    };
    s.run();
    let Skim {
        out,
        bodies,
        uses_data,
        ..
    } = s;
    let module = module_from_tokens(out.into_iter())?;
    let funcs = module
        .fields
        .iter()
        .filter(|f| matches!(f, Field::Func(_)))
        .count();
    (funcs == bodies.len()).then_some(Skimmed {
        module,
        bodies,
        uses_data,
    })
}

/// Parses the body at `body` (recorded by [`skim`]) as a function: its locals and instructions (the
/// rest of the function is empty); `None` if it is malformed.
pub fn parse_body(source: &str, body: Span) -> Option<Func<'_>> {
    let (start, end) = (body.start, body.end);
    let text = source.get(start..end)?;
    let tokens = [Ok((start, Token::LParen, start)), Ok((start, Token::Keyword(Keyword::Func), start))]
        .into_iter()
        .chain(Lexer::new(text).map(move |t| match t {
            Ok((l, tok, r)) => Ok((l + start, tok, r + start)),
            Err((e, span)) => Err((e, Span::new(span.start + start, span.end + start))),
        }))
        .chain([Ok((end, Token::RParen, end))]);
    let module = module_from_tokens(tokens)?;
    let mut fields = module.fields.into_iter();
    match (fields.next(), fields.next()) {
        (Some(Field::Func(f)), None) => Some(f),
        _ => None,
    }
}

/// The skimming of one text: tokens read ahead, tokens for the parser, bodies found.
struct Skim<'a> {
    lexer: Lexer<'a>,
    ahead: VecDeque<Spanned<'a>>,
    out: Vec<Spanned<'a>>,
    bodies: Vec<Option<Span>>,
    uses_data: bool,
}

impl<'a> Skim<'a> {
    fn next(&mut self) -> Option<Spanned<'a>> {
        self.ahead.pop_front().or_else(|| self.lexer.next())
    }

    /// The `n`-th token ahead (0: the next one).
    fn peek(&mut self, n: usize) -> Option<&Token<'a>> {
        while self.ahead.len() <= n {
            let t = self.lexer.next()?;
            self.ahead.push_back(t);
        }
        self.ahead[n].as_ref().ok().map(|(_, t, _)| t)
    }

    /// Passes every token on, setting aside the bodies of the module's functions.
    fn run(&mut self) {
        // Fields open at depth 0 (a bare list of fields) or 1 (inside `(module …)`).
        let mut depth = 0usize;
        let mut field_depth = 0usize;
        let mut first = true;
        while let Some(t) = self.next() {
            let tok = match &t {
                Ok((_, tok, _)) => tok,
                Err(_) => {
                    // The parser stops at the first error.
                    self.out.push(t);
                    return;
                }
            };
            match tok {
                Token::LParen => {
                    let field = depth == field_depth;
                    depth += 1;
                    self.out.push(t);
                    match self.peek(0) {
                        Some(Token::Keyword(Keyword::Module)) if first => field_depth = 1,
                        Some(Token::Keyword(Keyword::Func)) if field => self.func(),
                        _ => {}
                    }
                    first = false;
                    continue;
                }
                Token::Annotation(_) => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                _ => {}
            }
            first = false;
            self.out.push(t);
        }
    }

    /// After `(` of a function field: passes on `func`, the id and the header clauses, and sets the
    /// body aside. The closing `)` is left for [`Skim::run`].
    fn func(&mut self) {
        if let Some(t) = self.next() {
            self.out.push(t);
        }
        if let Some(Token::Id(_)) = self.peek(0) {
            let id = self.next();
            self.out.extend(id);
        }
        let mut imported = false;
        while let (Some(Token::LParen), Some(Token::Keyword(kw))) =
            (self.peek(0).cloned(), self.peek(1).cloned())
        {
            match kw {
                Keyword::Import => imported = true,
                Keyword::Export | Keyword::Type | Keyword::Param | Keyword::Result => {}
                _ => break,
            }
            self.group();
        }
        match self.peek(0) {
            Some(Token::RParen) | None => {
                self.bodies.push(None);
                return;
            }
            // Not a body the parser would accept; let it see the tokens and fail.
            Some(Token::Id(_)) => {
                self.bodies.push(None);
                return;
            }
            Some(_) if imported => {
                self.bodies.push(None);
                return;
            }
            Some(_) => {}
        }
        let mut depth = 0usize;
        let mut span: Option<Span> = None;
        loop {
            match self.peek(0) {
                // An error or the end of the text: the parser fails, the body does not matter.
                None => return,
                Some(Token::RParen) if depth == 0 => break,
                Some(_) => {}
            }
            let Some(Ok((l, tok, r))) = self.next() else {
                return;
            };
            match tok {
                Token::LParen | Token::Annotation(_) => depth += 1,
                Token::RParen => depth -= 1,
                Token::Keyword(Keyword::Instr(_, Op::MemoryInit | Op::DataDrop)) => {
                    self.uses_data = true;
                }
                _ => {}
            }
            span = Some(span.map_or(Span::new(l, r), |s| Span::new(s.start, r)));
        }
        self.bodies.push(span);
    }

    /// Passes on a parenthesised group whole.
    fn group(&mut self) {
        let mut depth = 0usize;
        while let Some(t) = self.next() {
            match &t {
                Ok((_, Token::LParen | Token::Annotation(_), _)) => depth += 1,
                Ok((_, Token::RParen, _)) => depth = depth.saturating_sub(1),
                Ok(_) => {}
                Err(_) => {
                    self.out.push(t);
                    return;
                }
            }
            self.out.push(t);
            if depth == 0 {
                return;
            }
        }
    }
}
