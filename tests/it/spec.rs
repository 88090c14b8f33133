//! One test per spec script: the compiler's conformance checks (see `tests/support/conformance.rs`).

use crate::conformance;

/// Compiler checks for every tier; directives too, except for the SIMD proposal, whose instructions
/// the interpreter does not execute yet (its scripts' modules are still compiled and compared).
fn check(tier: &str, file: &str) {
    let source = conformance::tier_file(tier, file);
    let mut report = conformance::check_script(file, source, conformance::tier_features(tier));
    let run_directives = tier != "simd";
    if run_directives {
        conformance::run_directives(file, source, conformance::tier_features(tier), &mut report);
    }
    let t = report.tally;
    assert!(
        report.failures.is_empty() && t.all_pass(),
        "{tier}/{file}: {t:?}\n{}",
        report.failures.join("\n")
    );
    assert!(
        report.directive_failures.is_empty() && t.directives_pass(),
        "{tier}/{file}: {t:?}\n{}",
        report.directive_failures.join("\n")
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
