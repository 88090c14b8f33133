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

use crate::span::Span;
use crate::text::lexer::{Keyword, Lexer, Spanned, Token};
use crate::text::parse::module_from_tokens;
use crate::text::syntax::{Field, Func, Module};

/// A module whose function bodies were set aside.
#[derive(Debug)]
pub struct Skimmed<'a> {
    /// The module; the functions whose body was set aside have no locals and no instructions.
    pub module: Module<'a>,
    /// Per defined function (a `(func …)` field that is no inline import), in order: where its body
    /// is, or `None` when the parser saw it (an empty body, or one that could not be set aside).
    pub bodies: Vec<Option<Span>>,
    /// Whether a body set aside may name a data segment (`memory.init`, `data.drop`,
    /// `array.new_data`, `array.init_data`: the text has these words;
    /// then the module may need a DataCount section). Only the bodies' trees tell for sure.
    pub may_use_data: bool,
}

/// Parses `source` as one module with its function bodies set aside; `None` if it is malformed.
pub fn skim(source: &str) -> Option<Skimmed<'_>> {
    let mut s = Skim {
        source,
        lexer: Lexer::new(source),
        base: 0,
        ahead: VecDeque::new(),
        out: Vec::new(),
        bodies: Vec::new(),
        failed: false,
    };
    s.run();
    let Skim {
        out,
        bodies,
        failed,
        ..
    } = s;
    if failed {
        return None;
    }
    let may_use_data = bodies
        .iter()
        .flatten()
        .any(|b| source.get(b.start..b.end).is_none_or(mentions_data));
    let module = module_from_tokens(out.into_iter())?;
    let funcs: Vec<&Func<'_>> = module
        .fields
        .iter()
        .filter_map(|f| match f {
            Field::Func(f) => Some(f),
            _ => None,
        })
        .collect();
    if funcs.len() != bodies.len() {
        return None;
    }
    // Keep the defined functions' entries (an imported function has no body).
    let bodies = funcs
        .iter()
        .zip(bodies)
        .filter(|(f, _)| f.import.is_none())
        .map(|(_, b)| b)
        .collect();
    Some(Skimmed {
        module,
        bodies,
        may_use_data,
    })
}

/// Parses the body at `body` (recorded by [`skim`]) as a function: its locals and instructions (the
/// rest of the function is empty); `None` if it is malformed.
pub fn parse_body(source: &str, body: Span) -> Option<Func<'_>> {
    let (start, end) = (body.start, body.end);
    let text = source.get(start..end)?;
    let tokens = [
        Ok((start, Token::LParen, start)),
        Ok((start, Token::Keyword(Keyword::Func), start)),
    ]
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
    source: &'a str,
    /// The lexer, over the text from `base` on.
    lexer: Lexer<'a>,
    base: usize,
    ahead: VecDeque<Spanned<'a>>,
    out: Vec<Spanned<'a>>,
    bodies: Vec<Option<Span>>,
    /// A body does not end.
    failed: bool,
}

impl<'a> Skim<'a> {
    /// The next token from the lexer, located in the whole text.
    fn lex(&mut self) -> Option<Spanned<'a>> {
        let base = self.base;
        self.lexer.next().map(|t| match t {
            Ok((l, tok, r)) => Ok((l + base, tok, r + base)),
            Err((e, span)) => Err((e, Span::new(span.start + base, span.end + base))),
        })
    }

    fn next(&mut self) -> Option<Spanned<'a>> {
        self.ahead.pop_front().or_else(|| self.lex())
    }

    /// The `n`-th token ahead (0: the next one).
    fn peek(&mut self, n: usize) -> Option<&Token<'a>> {
        while self.ahead.len() <= n {
            let t = self.lex()?;
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
        let Some(Ok((start, _, _))) = self.ahead.front() else {
            return;
        };
        let start = *start;
        match scan_body(self.source.as_bytes(), start) {
            Some((end, close)) => {
                self.bodies.push(Some(Span::new(start, end)));
                self.ahead.clear();
                self.base = close;
                self.lexer = Lexer::new(&self.source[close..]);
            }
            None => self.failed = true,
        }
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

/// Finds the end of the body starting at `start`, without tokenizing it: returns the end of its
/// last token and the offset of the `)` that closes the function, or `None` if there is none.
///
/// Strings and comments are skipped as the lexer reads them, so parentheses inside them do not
/// count. The body is then parsed by the real lexer and grammar, which reject it if this scan
/// misjudged anything (an unterminated string, a stray parenthesis).
fn scan_body(text: &[u8], start: usize) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    let mut end = start;
    let mut i = start;
    loop {
        // Runs of ordinary bytes and of blanks, a table look-up per byte: most of a body.
        let run = i;
        while text.get(i).is_some_and(|&b| CLASS[b as usize] == ATOM) {
            i += 1;
        }
        if i > run {
            end = i;
        }
        while text.get(i).is_some_and(|&b| CLASS[b as usize] == BLANK) {
            i += 1;
        }
        match *text.get(i)? {
            b'(' if text.get(i + 1) == Some(&b';') => i = block_comment_end(text, i)?,
            b'(' => {
                depth += 1;
                i += 1;
                end = i;
            }
            b')' if depth == 0 => return Some((end, i)),
            b')' => {
                depth -= 1;
                i += 1;
                end = i;
            }
            b';' if text.get(i + 1) == Some(&b';') => {
                while text.get(i).is_some_and(|&c| c != b'\n' && c != b'\r') {
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                loop {
                    match text.get(i)? {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
                i += 1;
                end = i;
            }
            // A lone `;`.
            _ => {
                i += 1;
                end = i;
            }
        }
    }
}

/// [`scan_body`]'s byte classes: part of a token, a blank, or a byte it looks at.
const ATOM: u8 = 0;
const BLANK: u8 = 1;
const SPECIAL: u8 = 2;
const CLASS: [u8; 256] = {
    let mut class = [ATOM; 256];
    class[b' ' as usize] = BLANK;
    class[b'\t' as usize] = BLANK;
    class[b'\n' as usize] = BLANK;
    class[b'\r' as usize] = BLANK;
    class[b'(' as usize] = SPECIAL;
    class[b')' as usize] = SPECIAL;
    class[b';' as usize] = SPECIAL;
    class[b'"' as usize] = SPECIAL;
    class
};

/// The offset after the block comment `(; … ;)` (nested) that starts at `at`.
fn block_comment_end(text: &[u8], at: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = at;
    loop {
        match (text.get(i)?, text.get(i + 1)) {
            (b'(', Some(b';')) => {
                depth += 1;
                i += 2;
            }
            (b';', Some(b')')) => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
}

/// Whether a body's text has a word of an instruction naming a data segment.
fn mentions_data(body: &str) -> bool {
    [
        "memory.init",
        "data.drop",
        "array.new_data",
        "array.init_data",
    ]
    .iter()
    .any(|w| body.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The body and the rest after `scan_body` on `text` (a body that starts at 0).
    fn scan(text: &str) -> Option<(&str, &str)> {
        let (end, close) = scan_body(text.as_bytes(), 0)?;
        Some((&text[..end], &text[close..]))
    }

    #[test]
    fn bodies_end_at_their_closing_parenthesis() {
        assert_eq!(scan("nop (i32.add) \n )x"), Some(("nop (i32.add)", ")x")));
        assert_eq!(scan("nop ;; ) ( \n )"), Some(("nop", ")")));
        assert_eq!(scan("nop (; ) (; ) ;) ;) )"), Some(("nop", ")")));
        assert_eq!(scan(r#"x "a)\"(" ) "#), Some((r#"x "a)\"(""#, ") ")));
        assert_eq!(scan("a ; b)"), Some(("a ; b", ")")));
        assert_eq!(scan("(nop"), None);
        assert_eq!(scan("\"open )"), None);
        assert_eq!(scan("(; open )"), None);
    }
}
