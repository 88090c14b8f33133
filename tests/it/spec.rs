//! One test per spec script: the compiler's conformance checks (see `tests/support/conformance.rs`).

#[path = "../support/conformance.rs"]
mod conformance;

fn check(tier: &str, file: &str) {
    let report = conformance::check_script(file, conformance::tier_file(tier, file));
    let t = report.tally;
    assert!(
        report.failures.is_empty() && t.all_pass(),
        "{tier}/{file}: {t:?}\n{}",
        report.failures.join("\n")
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
