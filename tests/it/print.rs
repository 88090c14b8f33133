//! `watlink::print` output compiles back to the same bytes, names included: every text module of
//! the spec tiers the compiler is judged on, and the compile benchmark's inputs, in flat and folded
//! form.

use crate::conformance;

use std::path::PathBuf;

use watlink::print::{PrintOptions, print};
use watlink::text::syntax::{Command, ModuleSource};
use watlink::{CompileOptions, Features};

const FORMS: [(&str, PrintOptions); 3] = [
    (
        "flat",
        PrintOptions {
            fold: false,
            offsets: false,
        },
    ),
    (
        "folded",
        PrintOptions {
            fold: true,
            offsets: false,
        },
    ),
    (
        "flat with offsets",
        PrintOptions {
            fold: false,
            offsets: true,
        },
    ),
];

/// Prints `wasm` in every form and compiles each back; a failure is a line in `failures`.
fn round_trip(at: &str, wasm: &[u8], options: &CompileOptions, failures: &mut Vec<String>) {
    for (form, print_options) in FORMS {
        let text = match print(at, wasm, &print_options) {
            Ok(text) => text,
            Err(e) => {
                failures.push(format!("{at} ({form}): does not print: {}", e.render()));
                continue;
            }
        };
        // Enough of the printed text to see the trouble without flooding the report.
        let excerpt: String = text
            .lines()
            .take(30)
            .map(|l| format!("    {l}\n"))
            .collect();
        match watlink::compile(at, &text, options) {
            Ok(back) if back == wasm => {}
            Ok(back) => {
                let first = back.iter().zip(wasm).position(|(a, b)| a != b);
                failures.push(format!(
                    "{at} ({form}): {} bytes back for {}, first difference at {first:?}\n{excerpt}",
                    back.len(),
                    wasm.len()
                ));
            }
            Err(e) => failures.push(format!("{at} ({form}): {}\n{excerpt}", e.render())),
        }
    }
}

/// Round-trips every text module of `tier` (as `conformance::check_script` finds them: top-level
/// `(module …)` and `(module quote …)`); returns how many.
fn spec_tier(tier: &str) -> usize {
    let options = CompileOptions {
        features: conformance::tier_features(tier),
        ..CompileOptions::default()
    };
    let mut modules = 0;
    let mut failures = Vec::new();
    for (file, source) in conformance::tier_files(tier) {
        let script = watlink::text::parse_script(source)
            .unwrap_or_else(|e| panic!("{file} does not parse: {}", e[0].message));
        for command in &script.commands {
            let Command::Module(m) = command else {
                continue;
            };
            let line = source[..m.span.start].lines().count() + 1;
            let at = format!("{tier}/{file}:{line}");
            let compiled = match &m.source {
                ModuleSource::Text(module) => watlink::compile_module(module, &options),
                ModuleSource::Quote(bytes) => {
                    let text = String::from_utf8_lossy(bytes);
                    watlink::text::parse_module(&text)
                        .and_then(|module| watlink::compile_module(&module, &options))
                }
                ModuleSource::Binary(_) => continue,
            };
            modules += 1;
            match compiled {
                Ok(wasm) => round_trip(&at, &wasm, &options, &mut failures),
                Err(e) => failures.push(format!("{at}: does not compile: {}", e[0].message)),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{tier}: {} of {modules} modules fail the print round trip\n{}",
        failures.len(),
        failures.join("\n")
    );
    modules
}

#[test]
fn spec_wasm_v1() {
    assert_eq!(spec_tier("wasm-v1"), 735);
}

#[test]
fn spec_wasm_v2() {
    assert_eq!(spec_tier("wasm-v2"), 1069);
}

#[test]
fn spec_simd() {
    assert_eq!(spec_tier("simd"), 468);
}

#[test]
fn spec_tail_call() {
    assert_eq!(spec_tier("tail-call"), 6);
}

/// The compile benchmark's inputs, `../shared/bench/compile/*.wat` beside the crate; missing inputs
/// fail the test.
#[test]
fn bench_inputs() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/compile");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("benchmark inputs missing: {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "wat"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 2,
        "expected argon2.wat and squoosh_png.wat in {}, found {files:?}",
        dir.display()
    );
    let options = CompileOptions {
        features: Features::default(),
        ..CompileOptions::default()
    };
    let mut failures = Vec::new();
    for file in &files {
        let wasm = watlink::compile_file(file, &options).unwrap_or_else(|e| panic!("{e}"));
        round_trip(&file.display().to_string(), &wasm, &options, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
