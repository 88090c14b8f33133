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
                    render(&watlink::Errors::new(&name, text.as_str(), vec![w]), &warning)
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
