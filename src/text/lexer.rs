//! The lexer: the spec's lexical grammar (WebAssembly 3.0 text format, section 6.3) as a logos automaton.
//!
//! Keywords are classified here, once: an instruction keyword becomes [`Keyword::Instr`] carrying its
//! [`Op`] and [`ImmKind`] (the grammar has one rule per kind), structural keywords get their own variant,
//! and anything else stays [`Keyword::Other`] so the parser can report "unknown operator" with a location.
//! Numbers stay text ([`Token::Nat`], [`Token::Int`], [`Token::Float`]) and are converted by
//! [`crate::text::number`] once the expected type is known.
//!
//! [`Lexer`] wraps the logos automaton: it yields `(start, token, end)` triples for LALRPOP and skips
//! annotations that carry no meaning for us (everything but `(@custom …)`), balancing parentheses
//! without recursion.

use std::borrow::Cow;
use std::sync::OnceLock;

use logos::Logos;

use crate::instr::{ImmKind, KeywordMap, Op, keyword_map};
use crate::span::Span;
use crate::text::syntax::AbsHeap;

/// What went wrong while lexing; the spec suite's words are in [`LexError::message`].
///
/// Offsets held by a variant are relative to the start of the token; [`Lexer`] makes them absolute.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum LexError {
    /// A character that starts no token.
    #[default]
    UnexpectedChar,
    /// `(;` without its `;)`.
    UnterminatedComment,
    /// `"` without its closing quote on the same line.
    UnterminatedString,
    /// A control character (or a raw line break) in a string, at this offset.
    ControlChar(usize),
    /// An escape sequence that is not one of the spec's, at this range.
    BadEscape(usize, usize),
    /// A string that is malformed as a whole, and why.
    MalformedString(&'static str),
    /// `$` not followed by a well-formed name (`$`, `$""`, `$"a<tab>"`): the spec's "empty
    /// identifier", with what is wrong inside.
    BadId(Box<LexError>),
    /// A quoted identifier that is not valid UTF-8.
    MalformedUtf8,
    /// A token made of identifier characters that is no keyword, number or identifier.
    Reserved,
    /// Like [`LexError::Reserved`], but it starts like a number: `0xZZ`, `1_`, `1.5.`.
    MalformedNumber,
    /// An annotation `(@…` never closed.
    UnterminatedAnnotation,
    /// `(@` not followed by a name (`(@ x)`, `(@"")`).
    EmptyAnnotation,
}

impl LexError {
    /// The message, worded as the spec suite words it where it has a word for it (the reference
    /// interpreter's lexer reports any malformed token as "unknown operator").
    pub fn message(&self) -> String {
        match self {
            LexError::UnexpectedChar => "illegal character".into(),
            LexError::UnterminatedComment => "unclosed comment".into(),
            LexError::UnterminatedString => "unclosed string".into(),
            LexError::ControlChar(_) => "malformed string: control character".into(),
            LexError::BadEscape(..) => "malformed string: illegal escape".into(),
            LexError::MalformedString(why) => format!("malformed string: {why}"),
            LexError::BadId(_) => "empty identifier".into(),
            LexError::MalformedUtf8 => "malformed UTF-8 encoding".into(),
            LexError::Reserved => "unknown operator".into(),
            LexError::MalformedNumber => "unknown operator: malformed number".into(),
            LexError::UnterminatedAnnotation => "unclosed annotation".into(),
            LexError::EmptyAnnotation => "empty annotation id".into(),
        }
    }

    /// The primary label and notes for the error at `span` of `source`.
    pub fn detail(&self, source: &str, span: Span) -> (String, Vec<String>) {
        let text = source.get(span.start..span.end).unwrap_or("");
        match self {
            LexError::UnexpectedChar => (
                format!("`{}` starts no token", text.escape_debug()),
                Vec::new(),
            ),
            LexError::UnterminatedComment => ("this `(;` is never closed by `;)`".into(), Vec::new()),
            LexError::UnterminatedString => (
                "this string is never closed".into(),
                vec!["note: a string ends on the line it starts on; write a line break as `\\n`".into()],
            ),
            LexError::ControlChar(_) => (
                "control characters must be escaped".into(),
                vec!["help: write `\\n`, `\\t`, or `\\hh` (two hex digits) instead".into()],
            ),
            LexError::BadEscape(..) => (
                format!("unknown escape `{text}`"),
                vec![
                    "note: the escapes are \\t \\n \\r \\\" \\' \\\\, \\hh (two hex digits) and \\u{hex}"
                        .into(),
                ],
            ),
            LexError::MalformedString(why) => (why.to_string(), Vec::new()),
            LexError::BadId(inner) => match **inner {
                LexError::MalformedString(why) => (why.to_string(), Vec::new()),
                LexError::Reserved => (
                    "`$` must be followed by a name".into(),
                    vec!["note: write `$name` or `$\"any name\"`".into()],
                ),
                ref inner => inner.detail(source, span),
            },
            LexError::MalformedUtf8 => ("this name is not valid UTF-8".into(), Vec::new()),
            LexError::Reserved => (format!("`{text}` is not a keyword"), Vec::new()),
            LexError::MalformedNumber => (
                format!("`{text}` is not a number"),
                vec![
                    "note: numbers look like 42, -7, 1_000, 0x2a, 1.5e-3, 0x1p-3, inf, nan:0x200000; `_` only between digits"
                        .into(),
                ],
            ),
            LexError::UnterminatedAnnotation => {
                ("this annotation is never closed".into(), Vec::new())
            }
            LexError::EmptyAnnotation => (
                "`(@` must be followed by a name".into(),
                vec!["note: write `(@name …)` or `(@\"any name\" …)`".into()],
            ),
        }
    }

    /// The error's own place, given the span of its token.
    fn locate(&self, token: Span) -> Span {
        match *self {
            LexError::ControlChar(at) => Span::new(token.start + at, token.start + at + 1),
            LexError::BadEscape(a, b) => Span::new(token.start + a, token.start + b),
            LexError::UnterminatedString => Span::new(token.start, token.start + 1),
            LexError::BadId(ref inner) => inner.locate(token),
            _ => token,
        }
    }
}

/// A keyword, classified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Keyword<'a> {
    /// An instruction keyword with the kind of its immediates.
    Instr(ImmKind, Op),
    /// `offset=N` in a memory argument (the text after `=`).
    OffsetEq(&'a str),
    /// `align=N` in a memory argument (the text after `=`).
    AlignEq(&'a str),
    /// Any other keyword; an error wherever it appears.
    Other(&'a str),
    // module structure
    Module,
    Binary,
    Quote,
    Definition,
    Instance,
    Type,
    Func,
    Param,
    Result,
    Local,
    Import,
    Export,
    Table,
    Memory,
    Global,
    Elem,
    Data,
    Start,
    Offset,
    Item,
    Declare,
    Mut,
    Then,
    // types
    I32,
    I64,
    F32,
    F64,
    V128,
    I8x16,
    I16x8,
    I32x4,
    I64x2,
    F32x4,
    F64x2,
    Funcref,
    Externref,
    Ref,
    Null,
    Extern,
    Shared,
    PageSize,
    // GC and exception handling
    Rec,
    Sub,
    Final,
    Struct,
    Array,
    Field,
    I8,
    I16,
    Tag,
    Catch,
    CatchRef,
    CatchAll,
    CatchAllRef,
    /// An abstract heap type other than `func`, `extern`, `struct` and `array`: `any`, `eq`, …
    Heap(AbsHeap),
    /// A nullable reference type abbreviation: `anyref`, `nullexnref`, …
    RefAbbrev(AbsHeap),
    // scripts
    Register,
    Invoke,
    Get,
    AssertReturn,
    AssertTrap,
    AssertExhaustion,
    AssertInvalid,
    AssertMalformed,
    AssertUnlinkable,
    AssertUninstantiable,
    NanCanonical,
    NanArithmetic,
    RefExtern,
    RefHost,
    Either,
    AssertException,
    RefStruct,
    RefArray,
    RefAny,
    RefExn,
}

/// The keywords that are no instruction, with their class.
const STRUCTURAL: &[(&str, Keyword<'static>)] = {
    use Keyword::*;
    &[
        ("module", Module),
        ("binary", Binary),
        ("quote", Quote),
        ("definition", Definition),
        ("instance", Instance),
        ("type", Type),
        ("func", Func),
        ("param", Param),
        ("result", Result),
        ("local", Local),
        ("import", Import),
        ("export", Export),
        ("table", Table),
        ("memory", Memory),
        ("global", Global),
        ("elem", Elem),
        ("data", Data),
        ("start", Start),
        ("offset", Offset),
        ("item", Item),
        ("declare", Declare),
        ("mut", Mut),
        ("then", Then),
        ("i32", I32),
        ("i64", I64),
        ("f32", F32),
        ("f64", F64),
        ("v128", V128),
        ("i8x16", I8x16),
        ("i16x8", I16x8),
        ("i32x4", I32x4),
        ("i64x2", I64x2),
        ("f32x4", F32x4),
        ("f64x2", F64x2),
        ("funcref", Funcref),
        ("externref", Externref),
        ("ref", Ref),
        ("null", Null),
        ("extern", Extern),
        ("shared", Shared),
        ("pagesize", PageSize),
        ("rec", Rec),
        ("sub", Sub),
        ("final", Final),
        ("struct", Struct),
        ("array", Array),
        ("field", Field),
        ("i8", I8),
        ("i16", I16),
        ("tag", Tag),
        ("catch", Catch),
        ("catch_ref", CatchRef),
        ("catch_all", CatchAll),
        ("catch_all_ref", CatchAllRef),
        ("any", Heap(AbsHeap::Any)),
        ("eq", Heap(AbsHeap::Eq)),
        ("i31", Heap(AbsHeap::I31)),
        ("none", Heap(AbsHeap::None)),
        ("nofunc", Heap(AbsHeap::NoFunc)),
        ("noextern", Heap(AbsHeap::NoExtern)),
        ("exn", Heap(AbsHeap::Exn)),
        ("noexn", Heap(AbsHeap::NoExn)),
        ("anyref", RefAbbrev(AbsHeap::Any)),
        ("eqref", RefAbbrev(AbsHeap::Eq)),
        ("i31ref", RefAbbrev(AbsHeap::I31)),
        ("structref", RefAbbrev(AbsHeap::Struct)),
        ("arrayref", RefAbbrev(AbsHeap::Array)),
        ("nullref", RefAbbrev(AbsHeap::None)),
        ("nullfuncref", RefAbbrev(AbsHeap::NoFunc)),
        ("nullexternref", RefAbbrev(AbsHeap::NoExtern)),
        ("exnref", RefAbbrev(AbsHeap::Exn)),
        ("nullexnref", RefAbbrev(AbsHeap::NoExn)),
        ("register", Register),
        ("invoke", Invoke),
        ("get", Get),
        ("assert_return", AssertReturn),
        ("assert_trap", AssertTrap),
        ("assert_exhaustion", AssertExhaustion),
        ("assert_invalid", AssertInvalid),
        ("assert_malformed", AssertMalformed),
        ("assert_unlinkable", AssertUnlinkable),
        ("assert_uninstantiable", AssertUninstantiable),
        ("nan:canonical", NanCanonical),
        ("nan:arithmetic", NanArithmetic),
        ("ref.extern", RefExtern),
        ("ref.host", RefHost),
        ("either", Either),
        ("assert_exception", AssertException),
        ("ref.struct", RefStruct),
        ("ref.array", RefArray),
        ("ref.any", RefAny),
        ("ref.exn", RefExn),
    ]
};

impl<'a> Keyword<'a> {
    /// Classifies the keyword `text`: one hash lookup in a table of the instruction keywords (from
    /// [`Op::ALL`]) and the structural ones; instructions win where a word is both.
    pub fn classify(text: &'a str) -> Keyword<'a> {
        static TABLE: OnceLock<KeywordMap<Keyword<'static>>> = OnceLock::new();
        let table = TABLE.get_or_init(|| {
            let ops = Op::ALL
                .iter()
                .map(|&op| (op.keyword(), Keyword::Instr(op.imm(), op)));
            keyword_map(ops.chain(STRUCTURAL.iter().copied()))
        });
        if let Some(&k) = table.get(text) {
            return k;
        }
        if let Some(rest) = text.strip_prefix("offset=") {
            Keyword::OffsetEq(rest)
        } else if let Some(rest) = text.strip_prefix("align=") {
            Keyword::AlignEq(rest)
        } else {
            Keyword::Other(text)
        }
    }
}

/// A token of the text format.
#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(error = LexError)]
#[logos(skip r"[ \t\n\r]+")]
// A line comment ends at a line feed or a carriage return (spec 6.3.4: `newline`).
#[logos(skip(r";;[^\n\r]*", allow_greedy = true))]
#[logos(subpattern idchar = r"[0-9A-Za-z!#$%&'*+\-./:<=>?@\\^_`|~]")]
#[logos(subpattern num = r"[0-9](_?[0-9])*")]
#[logos(subpattern hexnum = r"[0-9A-Fa-f](_?[0-9A-Fa-f])*")]
pub enum Token<'a> {
    /// `(`
    #[token("(")]
    LParen,
    /// `)`
    #[token(")")]
    RParen,
    /// A block comment `(; … ;)`, nested; never reaches the parser.
    #[token("(;", block_comment)]
    BlockComment,
    /// The start of an annotation, `(@name` or `(@"name"`; the payload is `name` (a quoted one
    /// as written, escapes and all: only the kept names, which have none, are compared).
    #[regex(r"\(@(?&idchar)+", |lex| &lex.slice()[2..])]
    #[regex(r#"\(@"([^"\\]|\\[^\n])*""#, quoted_annotation)]
    #[token("(@", empty_annotation)]
    Annotation(&'a str),
    /// A keyword, classified.
    #[regex(r"[a-z](?&idchar)*", |lex| Keyword::classify(lex.slice()))]
    Keyword(Keyword<'a>),
    /// An identifier `$name` or `$"name"`; the payload is the name without `$`, unescaped.
    #[regex(r"\$(?&idchar)+", |lex| Cow::Borrowed(&lex.slice()[1..]))]
    #[regex(r#"\$"([^"\\]|\\[^\n])*""#, quoted_id)]
    Id(Cow<'a, str>),
    /// An unsigned integer: `42`, `0x2a`, `1_000`.
    #[regex(r"(?&num)", priority = 6)]
    #[regex(r"0x(?&hexnum)", priority = 6)]
    Nat(&'a str),
    /// A signed integer: `+1`, `-0x10`.
    #[regex(r"[+-](?&num)", priority = 6)]
    #[regex(r"[+-]0x(?&hexnum)", priority = 6)]
    Int(&'a str),
    /// A float: `1.5`, `1e10`, `0x1p-3`, `inf`, `-nan`, `nan:0x200000`.
    #[regex(r"[+-]?(?&num)\.(?&num)?([eE][+-]?(?&num))?", priority = 6)]
    #[regex(r"[+-]?(?&num)[eE][+-]?(?&num)", priority = 6)]
    #[regex(r"[+-]?0x(?&hexnum)\.(?&hexnum)?([pP][+-]?(?&num))?", priority = 6)]
    #[regex(r"[+-]?0x(?&hexnum)[pP][+-]?(?&num)", priority = 6)]
    #[regex(r"[+-]?(inf|nan|nan:0x(?&hexnum))", priority = 6)]
    Float(&'a str),
    /// A string literal, unescaped to bytes.
    #[regex(r#""([^"\\]|\\[^\n])*""#, string)]
    String(Cow<'a, [u8]>),
    /// An unterminated string: always an error.
    #[regex(r#""([^"\\\n]|\\[^\n])*"#, priority = 0, allow_greedy = true, callback = unterminated_string)]
    UnterminatedString,
    /// Identifier characters forming no other token: always an error.
    #[regex(r"(?&idchar)+", priority = 1, callback = reserved)]
    Reserved,
}

impl Token<'_> {
    /// Whether the token is made of identifier characters or is a string: a token that must be
    /// followed by whitespace, a parenthesis, a comment or the end of the text.
    fn is_atom(&self) -> bool {
        !matches!(
            self,
            Token::LParen | Token::RParen | Token::BlockComment | Token::Annotation(_)
        )
    }
}

/// Whether `rest`, the text right after an atom, continues it: a string or identifier character
/// glued to a token makes one `reserved` token (spec 6.3.3: `reserved ::= (idchar | string)+`),
/// as in `$l"a"` or `"a""b"`. The automaton itself already takes the longest run of identifier
/// characters, so only a `"` or an identifier character after a string can still follow.
fn glued(rest: &str) -> bool {
    rest.bytes()
        .next()
        .is_some_and(|b| b == b'"' || is_idchar(b))
}

/// How far a glued run goes on after the atom: up to the next whitespace or parenthesis.
fn glued_len(rest: &str) -> usize {
    rest.find(|c: char| c.is_ascii_whitespace() || c == '(' || c == ')')
        .unwrap_or(rest.len())
}

fn is_idchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-./:<=>?@\\^_`|~".contains(&b)
}

/// Skips a nested block comment; the lexer stands just after its opening `(;`.
fn block_comment<'a>(lex: &mut logos::Lexer<'a, Token<'a>>) -> logos::FilterResult<(), LexError> {
    let rest = lex.remainder().as_bytes();
    let mut depth = 1usize;
    let mut i = 0;
    while i + 1 < rest.len() {
        match (rest[i], rest[i + 1]) {
            (b'(', b';') => {
                depth += 1;
                i += 2;
            }
            (b';', b')') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    lex.bump(i);
                    return logos::FilterResult::Skip;
                }
            }
            _ => i += 1,
        }
    }
    lex.bump(rest.len());
    logos::FilterResult::Error(LexError::UnterminatedComment)
}

fn unterminated_string<'a>(_: &mut logos::Lexer<'a, Token<'a>>) -> Result<(), LexError> {
    Err(LexError::UnterminatedString)
}

fn reserved<'a>(lex: &mut logos::Lexer<'a, Token<'a>>) -> Result<(), LexError> {
    Err(reserved_kind(lex.slice()))
}

/// A reserved token that starts like a number is a malformed number.
fn reserved_kind(text: &str) -> LexError {
    if text == "$" {
        return LexError::BadId(Box::new(LexError::Reserved));
    }
    let digits = text.trim_start_matches(['+', '-']);
    if digits.starts_with(|c: char| c.is_ascii_digit()) {
        LexError::MalformedNumber
    } else {
        LexError::Reserved
    }
}

fn string<'a>(lex: &mut logos::Lexer<'a, Token<'a>>) -> Result<Cow<'a, [u8]>, LexError> {
    let s = lex.slice();
    unescape(&s[1..s.len() - 1]).map_err(|e| shift(e, 1))
}

/// Makes an offset into a string's body relative to its token.
fn shift(e: LexError, by: usize) -> LexError {
    match e {
        LexError::ControlChar(at) => LexError::ControlChar(at + by),
        LexError::BadEscape(a, b) => LexError::BadEscape(a + by, b + by),
        e => e,
    }
}

fn empty_annotation<'a>(_: &mut logos::Lexer<'a, Token<'a>>) -> Result<&'a str, LexError> {
    Err(LexError::EmptyAnnotation)
}

/// `(@"name"`: the name must be non-empty, well-formed and UTF-8 (the reference lexer reads any
/// other as an empty annotation id).
fn quoted_annotation<'a>(lex: &mut logos::Lexer<'a, Token<'a>>) -> Result<&'a str, LexError> {
    let s = lex.slice();
    let body = &s[3..s.len() - 1];
    let bytes = unescape(body).map_err(|_| LexError::EmptyAnnotation)?;
    if bytes.is_empty() {
        return Err(LexError::EmptyAnnotation);
    }
    std::str::from_utf8(&bytes).map_err(|_| LexError::MalformedUtf8)?;
    Ok(body)
}

fn quoted_id<'a>(lex: &mut logos::Lexer<'a, Token<'a>>) -> Result<Cow<'a, str>, LexError> {
    let s = lex.slice();
    // The reference lexer reads `$` followed by anything but a well-formed name as an empty one.
    let bytes = unescape(&s[2..s.len() - 1]).map_err(|e| LexError::BadId(Box::new(shift(e, 2))))?;
    if bytes.is_empty() {
        return Err(LexError::BadId(Box::new(LexError::MalformedString(
            "`$\"\"` has no name",
        ))));
    }
    match bytes {
        Cow::Borrowed(b) => Ok(Cow::Borrowed(
            std::str::from_utf8(b).expect("slice of a str"),
        )),
        Cow::Owned(b) => String::from_utf8(b)
            .map(Cow::Owned)
            .map_err(|_| LexError::MalformedUtf8),
    }
}

/// Unescapes the body of a string literal (between the quotes).
///
/// # Errors
/// A raw line break makes the string [`LexError::UnterminatedString`] (a string ends on its line);
/// other control characters and unknown escapes are located relative to `body`.
pub fn unescape(body: &str) -> Result<Cow<'_, [u8]>, LexError> {
    let bytes = body.as_bytes();
    let control = |c: u8| c < 0x20 || c == 0x7f;
    let control_error = |i: usize| {
        if bytes[i] == b'\n' {
            LexError::UnterminatedString
        } else {
            LexError::ControlChar(i)
        }
    };
    if !bytes.contains(&b'\\') {
        if let Some(i) = bytes.iter().position(|&c| control(c)) {
            return Err(control_error(i));
        }
        return Ok(Cow::Borrowed(bytes));
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if control(c) {
            return Err(control_error(i));
        }
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        // The escape's extent for the error: the backslash and the character after it.
        let bad = |len: usize| {
            let end = body[start..]
                .char_indices()
                .nth(len)
                .map_or(body.len(), |(k, _)| start + k);
            LexError::BadEscape(start, end)
        };
        let esc = *bytes.get(i + 1).ok_or(bad(1))?;
        i += 2;
        match esc {
            b't' => out.push(b'\t'),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b'"' => out.push(b'"'),
            b'\'' => out.push(b'\''),
            b'\\' => out.push(b'\\'),
            b'u' => {
                let rest = &body[i..];
                let close = rest.find('}').filter(|_| rest.starts_with('{'));
                let close = close.ok_or(bad(2))?;
                let digits: String = rest[1..close].chars().filter(|&c| c != '_').collect();
                let valid = !digits.is_empty()
                    && !rest[1..close].starts_with('_')
                    && !rest[1..close].ends_with('_')
                    && !rest[1..close].contains("__");
                let cp = u32::from_str_radix(&digits, 16).ok().filter(|_| valid);
                let ch = cp
                    .and_then(char::from_u32)
                    .ok_or(LexError::BadEscape(start, i + close + 1))?;
                let mut buf = [0; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                i += close + 1;
            }
            h if h.is_ascii_hexdigit() => {
                let l = *bytes.get(i).ok_or(bad(2))?;
                if !l.is_ascii_hexdigit() {
                    return Err(bad(3));
                }
                let hex = |d: u8| (d as char).to_digit(16).expect("hex digit") as u8;
                out.push(hex(h) * 16 + hex(l));
                i += 1;
            }
            _ => return Err(bad(2)),
        }
    }
    Ok(Cow::Owned(out))
}

/// The token stream LALRPOP reads: `(start, token, end)` or a located [`LexError`].
pub type Spanned<'a> = Result<(usize, Token<'a>, usize), (LexError, Span)>;

/// The lexer the parser uses: logos plus annotation skipping.
pub struct Lexer<'a> {
    inner: logos::Lexer<'a, Token<'a>>,
}

impl<'a> Lexer<'a> {
    /// A lexer over `source`.
    pub fn new(source: &'a str) -> Self {
        Lexer {
            inner: Token::lexer(source),
        }
    }

    /// Annotations that mean something to watlink reach the parser; others are skipped.
    fn is_kept_annotation(name: &str) -> bool {
        // `@place` marks data for `watlink link` (see `syntax::Placement`).
        name == "custom" || name == "place"
    }

    /// Skips the rest of an annotation whose `(@name` was just read, balancing parentheses.
    fn skip_annotation(&mut self, start: usize) -> Result<(), (LexError, Span)> {
        let mut depth = 1usize;
        while depth > 0 {
            match self.inner.next() {
                None => {
                    return Err((
                        LexError::UnterminatedAnnotation,
                        Span::new(start, start + 2),
                    ));
                }
                Some(Ok(Token::LParen | Token::Annotation(_)) | Err(LexError::EmptyAnnotation)) => {
                    depth += 1
                }
                Some(Ok(Token::RParen)) => depth -= 1,
                Some(Ok(_)) => {}
                // Any token may sit in an annotation, reserved ones too (`0x`, `x"a"`, `,`, `$`);
                // only characters outside the text format's alphabet and broken strings are errors.
                Some(Err(LexError::Reserved | LexError::MalformedNumber | LexError::BadId(_))) => {}
                Some(Err(LexError::UnexpectedChar))
                    if self.inner.slice().bytes().all(|b| b.is_ascii_graphic()) => {}
                Some(Err(e)) => {
                    let span = e.locate(self.inner.span().into());
                    return Err((e, span));
                }
            }
        }
        Ok(())
    }
}

impl<'a> Iterator for Lexer<'a> {
    type Item = Spanned<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let tok = self.inner.next()?;
            let span = self.inner.span();
            match tok {
                Ok(Token::Annotation(name)) if !Self::is_kept_annotation(name) => {
                    if let Err(e) = self.skip_annotation(span.start) {
                        return Some(Err(e));
                    }
                }
                Ok(tok) if tok.is_atom() && glued(self.inner.remainder()) => {
                    let len = glued_len(self.inner.remainder());
                    self.inner.bump(len);
                    let end = span.end + len;
                    let kind = reserved_kind(&self.inner.source()[span.start..end]);
                    return Some(Err((kind, Span::new(span.start, end))));
                }
                Ok(tok) => return Some(Ok((span.start, tok, span.end))),
                Err(e) => {
                    let at = e.locate(span.into());
                    return Some(Err((e, at)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(src: &str) -> Vec<Result<Token<'_>, LexError>> {
        Lexer::new(src)
            .map(|r| r.map(|(_, t, _)| t).map_err(|(e, _)| e))
            .collect()
    }

    #[test]
    fn numbers_are_classified() {
        use Token::*;
        assert_eq!(
            lex("1 0x1F +2 -0x3 1.5 1e3 0x1p-2 -inf nan:0x7f 1_000"),
            vec![
                Ok(Nat("1")),
                Ok(Nat("0x1F")),
                Ok(Int("+2")),
                Ok(Int("-0x3")),
                Ok(Float("1.5")),
                Ok(Float("1e3")),
                Ok(Float("0x1p-2")),
                Ok(Float("-inf")),
                Ok(Float("nan:0x7f")),
                Ok(Nat("1_000")),
            ]
        );
    }

    #[test]
    fn malformed_numbers_are_reserved() {
        for src in ["1_", "1__0", "0x", "1.0x", "0x_1", "0xZZ"] {
            assert_eq!(lex(src), vec![Err(LexError::MalformedNumber)], "{src}");
        }
        assert_eq!(
            lex("$"),
            vec![Err(LexError::BadId(Box::new(LexError::Reserved)))]
        );
        for src in ["+", "-nan:0x"] {
            assert_eq!(lex(src), vec![Err(LexError::Reserved)], "{src}");
        }
    }

    #[test]
    fn keywords_are_classified() {
        assert_eq!(
            lex("module i32.add offset=8 nan:canonical foo"),
            vec![
                Ok(Token::Keyword(Keyword::Module)),
                Ok(Token::Keyword(Keyword::Instr(ImmKind::None, Op::I32Add))),
                Ok(Token::Keyword(Keyword::OffsetEq("8"))),
                Ok(Token::Keyword(Keyword::NanCanonical)),
                Ok(Token::Keyword(Keyword::Other("foo"))),
            ]
        );
    }

    #[test]
    fn comments_nest_and_must_close() {
        assert_eq!(lex("(; a (; b ;) c ;) ;; x\n)"), vec![Ok(Token::RParen)]);
        assert_eq!(lex("(; (; ;)"), vec![Err(LexError::UnterminatedComment)]);
        assert_eq!(
            lex("( ;x\n"),
            vec![
                Ok(Token::LParen),
                Err(LexError::UnexpectedChar),
                Ok(Token::Keyword(Keyword::Other("x")))
            ]
        );
    }

    #[test]
    fn strings_unescape() {
        assert_eq!(
            lex(r#""a\n\41\u{1F600}\"""#),
            vec![Ok(Token::String(Cow::Owned(
                b"a\nA\xF0\x9F\x98\x80\"".to_vec()
            )))]
        );
        assert_eq!(lex("\"a\tb\""), vec![Err(LexError::ControlChar(2))]);
        assert_eq!(lex(r#""\q""#), vec![Err(LexError::BadEscape(1, 3))]);
        assert_eq!(lex(r#""abc"#), vec![Err(LexError::UnterminatedString)]);
        assert_eq!(lex("\"ab\ncd\""), vec![Err(LexError::UnterminatedString)]);
    }

    #[test]
    fn ids_plain_and_quoted() {
        assert_eq!(
            lex(r#"$x $"a b""#),
            vec![
                Ok(Token::Id(Cow::Borrowed("x"))),
                Ok(Token::Id(Cow::Borrowed("a b")))
            ]
        );
    }

    #[test]
    fn line_comments_end_at_carriage_return() {
        assert_eq!(
            lex(";; a\r)  ;; b\r\n( ;; c\n)"),
            vec![Ok(Token::RParen), Ok(Token::LParen), Ok(Token::RParen)]
        );
    }

    #[test]
    fn glued_atoms_are_reserved() {
        for src in [r#"data"a""#, r#"$l"a""#, r#""a""b""#, r#""a"b"#] {
            assert_eq!(lex(src), vec![Err(LexError::Reserved)], "{src}");
        }
        assert_eq!(lex(r#"1"x""#), vec![Err(LexError::MalformedNumber)]);
        assert_eq!(
            lex(r#"("a")"b"(;c;)"d";;e"#),
            vec![
                Ok(Token::LParen),
                Ok(Token::String(Cow::Borrowed(b"a"))),
                Ok(Token::RParen),
                Ok(Token::String(Cow::Borrowed(b"b"))),
                Ok(Token::String(Cow::Borrowed(b"d"))),
            ]
        );
    }

    #[test]
    fn unknown_annotations_are_skipped() {
        assert_eq!(
            lex("(@foo (bar \"(\") baz) (@custom"),
            vec![Ok(Token::Annotation("custom"))]
        );
    }
}
