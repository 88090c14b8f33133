//! cargo-fuzz target: `watlink::exec` against wasmi on one `wasm-smith` module per input
//! (the check is `tests/support/differential.rs`, shared with the in-tree test). Prints the
//! running counts to stderr every 30 seconds.
#![no_main]

#[path = "../../tests/support/differential.rs"]
mod differential;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;

static TOTAL: Mutex<Option<(differential::Stats, Instant)>> = Mutex::new(None);

fuzz_target!(|data: &[u8]| {
    let mut stats = differential::Stats::default();
    let (_, verdict) = differential::check_input(data, &mut stats);
    {
        let mut total = TOTAL.lock().unwrap();
        let (total, printed) =
            total.get_or_insert_with(|| (differential::Stats::default(), Instant::now()));
        total.add(&stats);
        if printed.elapsed() > Duration::from_secs(30) || verdict.is_err() {
            eprintln!("differential: {total}");
            *printed = Instant::now();
        }
    }
    if let Err(m) = verdict {
        panic!("watlink and wasmi disagree: {m}");
    }
});
