//! Golden diagnostics: each `tests/ui/*.wat` is compiled and its rendered errors (or warnings)
//! compared with the `.stderr` file beside it, rendered as `watlink compile` renders them (at most
//! the default number of errors). `BLESS=1 cargo test ui` rewrites the expectations (read the diff).

use std::path::Path;

use watlink::diagnostic::{Report, emit_report};

fn render(errors: &watlink::Errors, report: &Report) -> String {
    let mut out = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
    emit_report(errors, &mut out, report).unwrap();
    String::from_utf8(out.into_inner()).unwrap()
}

#[test]
fn golden_diagnostics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    let bless = std::env::var_os("BLESS").is_some();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wat"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut mismatches = Vec::new();
    for path in files {
        let name = format!("tests/ui/{}", path.file_name().unwrap().to_string_lossy());
        let text = std::fs::read_to_string(&path).unwrap();
        let rendered = match watlink::compile(&name, &text, &watlink::CompileOptions::default()) {
            Ok(_) => match watlink::text::blank_warning(&text) {
                Some(w) => {
                    let warning = Report {
                        warning: true,
                        ..Report::default()
                    };
                    render(
                        &watlink::Errors::new(&name, text.as_str(), vec![w]),
                        &warning,
                    )
                }
                None => "(compiles)\n".to_string(),
            },
            Err(e) => render(&e, &Report::default()),
        };
        let expected_path = path.with_extension("stderr");
        if bless {
            std::fs::write(&expected_path, &rendered).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != rendered {
            mismatches.push(format!(
                "{name}:\n--- expected\n{expected}\n--- got\n{rendered}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[path = "../support/diag_cases.rs"]
mod diag_cases;

/// Errors of `text` rendered with `report`, and how many errors there were.
fn rendered(text: &str, report: &Report) -> (String, usize) {
    let errors = watlink::compile("t.wat", text, &watlink::CompileOptions::default())
        .expect_err("the case has errors");
    (render(&errors, report), errors.errors.len())
}

/// Output grows with the number of errors shown, not with the length of the lines they are on: the
/// default caps the errors shown, and each error costs a bounded number of bytes however long its
/// line. (Time is measured in `benches/diagnostics.rs`, not asserted.)
#[test]
fn diagnostic_output_stays_proportional() {
    for (name, text) in [
        ("one line, 9 KB", diag_cases::one_line_9k()),
        ("mutated, 300 KB", diag_cases::mutated_300k()),
    ] {
        let (capped, count) = rendered(&text, &Report::default());
        assert!(count > 100, "{name}: only {count} errors");
        let shown = capped.matches("error: type mismatch").count();
        assert_eq!(shown, watlink::diagnostic::DEFAULT_MAX_ERRORS, "{name}");
        assert!(
            capped.ends_with(&format!(
                "note: {} more errors not shown (--max-errors=0 shows all)\n",
                count - shown
            )),
            "{name}: {}",
            &capped[capped.len().saturating_sub(200)..]
        );
        assert!(capped.len() < 20 * 1200, "{name}: {} bytes", capped.len());
        let all = Report {
            max_errors: 0,
            ..Report::default()
        };
        let (full, _) = rendered(&text, &all);
        assert_eq!(
            full.matches("error: type mismatch").count(),
            count,
            "{name}"
        );
        assert!(
            full.len() < count * 1200,
            "{name}: {} bytes for {count} errors",
            full.len()
        );
    }
}

/// `link` reports what `compile` reports for the same text.
#[test]
fn link_and_compile_report_the_same_errors() {
    for text in [diag_cases::one_line_9k(), diag_cases::mutated_300k()] {
        let compiled = watlink::compile("t.wat", &text, &watlink::CompileOptions::default())
            .expect_err("the case has errors");
        let linked = watlink::Linker::new()
            .input_str("t.wat", &text)
            .link()
            .expect_err("the case has errors");
        let messages = |e: &watlink::Errors| {
            e.errors
                .iter()
                .map(|e| (e.message.clone(), e.span))
                .collect::<Vec<_>>()
        };
        assert_eq!(messages(&linked), messages(&compiled));
    }
}

/// `--error-format json` and `--max-errors` on compile, link and run.
#[test]
fn cli_error_format_json_and_max_errors() {
    let dir = std::env::temp_dir().join(format!("watlink-ui-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.wat");
    std::fs::write(&bad, diag_cases::one_line_9k()).unwrap();
    let trap = dir.join("trap.wat");
    std::fs::write(
        &trap,
        "(module (func (export \"f\") (result i32) (i32.div_s (i32.const 1) (i32.const 0))))",
    )
    .unwrap();
    let out = dir.join("out.wasm");
    let watlink = |args: &[&std::ffi::OsStr]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_watlink"))
            .args(args)
            .output()
            .expect("run watlink");
        assert!(!o.status.success());
        String::from_utf8(o.stderr).unwrap()
    };
    let json = std::ffi::OsStr::new("--error-format=json");
    for command in ["compile", "link"] {
        let args = [
            command.as_ref(),
            bad.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
            json,
        ];
        let stderr = watlink(&args);
        let lines: Vec<&str> = stderr.lines().collect();
        // The default cap, a note counting the rest, the summary: one JSON object per line.
        assert_eq!(
            lines.len(),
            watlink::diagnostic::DEFAULT_MAX_ERRORS + 2,
            "{command}"
        );
        assert!(
            lines
                .iter()
                .all(|l| l.starts_with("{\"$message_type\":\"diagnostic\""))
        );
        assert!(
            lines[0].contains(r#""message":"type mismatch"#),
            "{}",
            lines[0]
        );
        assert!(
            lines[0].contains(r#""code":{"code":"invalid""#),
            "{}",
            lines[0]
        );
        assert!(lines[0].contains(r#""line_start":1"#), "{}", lines[0]);
        let three = watlink(&[
            command.as_ref(),
            bad.as_os_str(),
            "-o".as_ref(),
            out.as_os_str(),
            "--max-errors=3".as_ref(),
        ]);
        assert_eq!(
            three.matches("error: type mismatch").count(),
            3,
            "{command}"
        );
        assert!(three.contains("more errors not shown"), "{three}");
    }
    let stderr = watlink(&[
        "run".as_ref(),
        trap.as_os_str(),
        "--invoke".as_ref(),
        "f".as_ref(),
        json,
    ]);
    assert!(stderr.contains(r#""code":{"code":"trap""#), "{stderr}");
    assert!(stderr.contains("integer divide by zero"), "{stderr}");
    assert!(!out.exists(), "no output written for a failed run");
    let _ = std::fs::remove_dir_all(&dir);
}
