//! One test per spec script: the compiler's conformance checks (see `tests/support/conformance.rs`).

use crate::conformance;

/// Compiler checks and every directive, for every tier. A script that still fails is ignored in
/// `spec_list.rs` with its reason; the others run.
fn check(tier: &str, file: &str) {
    let source = conformance::tier_file(tier, file);
    let mut report = conformance::check_script(file, source, conformance::tier_features(tier));
    conformance::run_directives(file, source, conformance::tier_features(tier), &mut report);
    let t = report.tally;
    assert!(
        report.failures.is_empty() && t.all_pass(),
        "{tier}/{file}: {t:?}\n{}",
        report.failures.join("\n")
    );
    // Message mismatches named in `KNOWN_MESSAGE_GAPS` (with their reason) are expected, and only
    // those: a listed one that passes must leave the list.
    let (known, unexpected): (Vec<_>, Vec<_>) = report
        .directive_failures
        .iter()
        .zip(&report.directive_failure_lines)
        .partition(|(_, line)| conformance::known_gap(tier, file, **line).is_some());
    let unexpected: Vec<&String> = unexpected.into_iter().map(|(f, _)| f).collect();
    assert!(
        unexpected.is_empty(),
        "{tier}/{file}: {t:?}\n{}",
        unexpected
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let listed: Vec<usize> = conformance::KNOWN_MESSAGE_GAPS
        .iter()
        .filter(|&&(t, f, _, _)| t == tier && f == file)
        .map(|&(_, _, line, _)| line)
        .collect();
    let failing: Vec<usize> = known.iter().map(|(_, line)| **line).collect();
    for line in listed {
        assert!(
            failing.contains(&line),
            "{tier}/{file}:{line} is listed in KNOWN_MESSAGE_GAPS but now passes: remove it"
        );
    }
    assert_eq!(
        t.directives_passed + failing.len(),
        t.directives,
        "{tier}/{file}"
    );
}

macro_rules! spec_tier {
    ($module:ident, $tier:literal, $( $(#[$attr:meta])* $test:ident $file:literal; )*) => {
        mod $module {
            $(
                #[test]
                $(#[$attr])*
                fn $test() {
                    super::check($tier, $file);
                }
            )*
        }
    };
}

include!("spec_list.rs");
