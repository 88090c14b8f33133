//! `watlink wast`: run spec scripts.

use std::path::PathBuf;
use std::process::ExitCode;

use watlink::script::{ScriptOptions, run_script};

use super::Ctx;

const EXAMPLES: &str = "\
Examples:
  watlink wast tests/i32.wast
  watlink wast spec/*.wast --json > report.json";

/// Run `.wast` spec scripts: every directive, going on after failures.
///
/// Each failure is printed as `FILE:LINE:COL: message`; then a summary per file and in all. The exit
/// status is 1 if any directive failed or a script did not parse.
#[derive(clap::Args, Debug)]
#[command(after_long_help = EXAMPLES)]
pub struct Opts {
    /// The scripts to run.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print the summary as JSON on stdout instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    features: super::FeatureOpts,
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Runs `watlink wast`.
pub fn run(ctx: &Ctx, opts: Opts) -> ExitCode {
    let mut total_passed = 0;
    let mut total_failed = 0;
    let mut json_files = Vec::new();
    let options = ScriptOptions {
        features: opts.features.features,
        ..ScriptOptions::default()
    };
    for path in &opts.files {
        let name = path.display().to_string();
        let outcome =
            watlink::read_source(path).and_then(|text| run_script(&name, &text, &options));
        let report = match outcome {
            Ok(r) => r,
            Err(errors) => {
                ctx.report(&errors);
                total_failed += 1;
                json_files.push(format!(
                    "{{\"file\":{},\"error\":{}}}",
                    json_str(&name),
                    json_str(&errors.first().message)
                ));
                continue;
            }
        };
        if !opts.json {
            for f in &report.failures {
                println!("{name}:{}:{}: {}", f.line, f.column, f.message);
            }
            println!(
                "{name}: {} passed, {} failed",
                report.passed,
                report.failures.len()
            );
        }
        let failures: Vec<String> = report
            .failures
            .iter()
            .map(|f| {
                format!(
                    "{{\"line\":{},\"column\":{},\"message\":{}}}",
                    f.line,
                    f.column,
                    json_str(&f.message)
                )
            })
            .collect();
        json_files.push(format!(
            "{{\"file\":{},\"passed\":{},\"failed\":{},\"failures\":[{}]}}",
            json_str(&name),
            report.passed,
            report.failures.len(),
            failures.join(",")
        ));
        total_passed += report.passed;
        total_failed += report.failures.len();
    }
    if opts.json {
        println!(
            "{{\"passed\":{total_passed},\"failed\":{total_failed},\"files\":[{}]}}",
            json_files.join(",")
        );
    } else {
        println!("total: {total_passed} passed, {total_failed} failed");
    }
    if total_failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
