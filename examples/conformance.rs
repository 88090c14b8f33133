//! Prints watlink's conformance with the official spec scripts, one row per tier.
//!
//! ```text
//! cargo run --release --example conformance [-- --failures]
//! ```
//! Columns: scripts; text modules defined at top level; how many compile; how many are identical to the
//! `wat` crate's bytes (custom sections aside); `assert_malformed` quoted modules rejected;
//! `assert_invalid` text modules rejected; script directives (every command, run by compiler +
//! interpreter) passed.

#[path = "../tests/support/conformance.rs"]
mod conformance;

fn main() {
    let show_failures = std::env::args().any(|a| a == "--failures");
    println!(
        "{:<10} {:>7} {:>9} {:>9} {:>9} {:>11} {:>11} {:>13}",
        "tier", "scripts", "modules", "compiled", "identical", "malformed", "invalid", "directives"
    );
    let mut all_pass = true;
    for tier in conformance::TIERS {
        let mut total = conformance::Tally::default();
        let mut failures = Vec::new();
        for (name, text) in conformance::tier_files(tier) {
            let mut report =
                conformance::check_script(&name, text, conformance::tier_features(tier));
            conformance::run_directives(&name, text, conformance::tier_features(tier), &mut report);
            total += report.tally;
            failures.extend(report.failures);
            failures.extend(report.directive_failures);
        }
        all_pass &= total.all_pass() && failures.is_empty();
        let frac = |n: usize, d: usize| format!("{n}/{d}");
        println!(
            "{:<10} {:>7} {:>9} {:>9} {:>9} {:>11} {:>11} {:>13}",
            tier,
            total.files,
            total.modules,
            frac(total.compiled, total.modules),
            frac(total.identical, total.modules),
            frac(total.malformed_rejected, total.malformed),
            frac(total.invalid_rejected, total.invalid),
            frac(total.directives_passed, total.directives),
        );
        if total.identical_bidi > 0 {
            println!(
                "    (identical includes {} the wat crate refuses for bidi characters, compared with \
                 wast allowing them)",
                total.identical_bidi
            );
        }
        if show_failures {
            for f in &failures {
                println!("    {f}");
            }
        }
    }
    if !all_pass {
        std::process::exit(1);
    }
}
