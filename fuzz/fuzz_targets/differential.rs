//! cargo-fuzz target: `watlink::exec` against wasmi on one `wasm-smith` module per input
//! (the check is `tests/support/differential.rs`, shared with the in-tree test).
#![no_main]

#[path = "../../tests/support/differential.rs"]
mod differential;

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use libfuzzer_sys::fuzz_target;

static STATS: Mutex<Option<differential::Stats>> = Mutex::new(None);
static RUNS: AtomicU64 = AtomicU64::new(0);

fuzz_target!(|data: &[u8]| {
    let mut stats = differential::Stats::default();
    let (_, verdict) = differential::check_input(data, &mut stats);
    let mut total = STATS.lock().unwrap();
    let total = total.get_or_insert_with(Default::default);
    total.add(&stats);
    let n = RUNS.fetch_add(1, Ordering::Relaxed) + 1;
    if n.is_power_of_two() || n % 100_000 == 0 {
        eprintln!("differential: {total}");
    }
    if let Err(m) = verdict {
        panic!("watlink and wasmi disagree: {m}");
    }
});
