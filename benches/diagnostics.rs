//! Time to compile and render the diagnostics of inputs that used to cost quadratic time (a 9 KB
//! module on one line with an error per function; a 300 KB mutated module), with the default cap
//! and with every error shown. `tests/it/ui.rs` checks the output size; time is only measured here.

use criterion::Criterion;
use watlink::diagnostic::{Report, emit_report};

#[path = "../tests/support/diag_cases.rs"]
mod diag_cases;

fn render(text: &str, report: &Report) -> usize {
    let errors = watlink::compile("t.wat", text, &watlink::CompileOptions::default())
        .expect_err("the case has errors");
    let mut out = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
    emit_report(&errors, &mut out, report).expect("writing to memory");
    out.into_inner().len()
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let all = Report {
        max_errors: 0,
        ..Report::default()
    };
    for (name, text) in [
        ("one_line_9k", diag_cases::one_line_9k()),
        ("mutated_300k", diag_cases::mutated_300k()),
    ] {
        for (mode, report) in [("capped", Report::default()), ("all", all)] {
            c.bench_function(&format!("{name}/{mode}"), |b| {
                b.iter(|| render(&text, &report))
            });
        }
    }
    c.final_summary();
}
