//! Compile throughput and peak memory: watlink (with validation, and without) vs the `wat` crate
//! (which does not validate), in the same run, on the inputs in `../shared/bench/compile/` (set
//! `WATLINK_BENCH_DIR` to override).
//!
//! Prints, per input, the three throughputs in MB/s, watlink's ratios to `wat` (higher is better)
//! and the peak heap each needs relative to the input size; then criterion's own statistics.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};

/// Counts live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn inputs() -> Vec<(String, String)> {
    let dir = std::env::var_os("WATLINK_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/compile")
        });
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wat"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

fn ours(text: &str) -> Vec<u8> {
    watlink::compile_str(text).unwrap_or_else(|e| panic!("watlink failed:\n{e}"))
}

fn ours_unvalidated(text: &str) -> Vec<u8> {
    let options = watlink::CompileOptions {
        validate: false,
        ..Default::default()
    };
    watlink::compile("<input>", text, &options).unwrap_or_else(|e| panic!("watlink failed:\n{e}"))
}

fn theirs(text: &str) -> Vec<u8> {
    wat::parse_str(text).expect("wat failed")
}

/// Median time of `runs` calls, interleaved with the peer by the caller.
fn time(f: &dyn Fn() -> Vec<u8>) -> Duration {
    let start = Instant::now();
    std::hint::black_box(f());
    start.elapsed()
}

fn peak_of(f: &dyn Fn() -> Vec<u8>) -> usize {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    let peak = PEAK.load(Ordering::Relaxed) - base;
    drop(out);
    peak
}

fn main() {
    let inputs = inputs();
    println!(
        "{:<18} {:>10} {:>12} {:>10} {:>7} {:>7} {:>10} {:>10} {:>9}",
        "input",
        "watlink",
        "no-validate",
        "wat",
        "ratio",
        "ratio-nv",
        "peak/in",
        "nv peak/in",
        "wat p/in"
    );
    for (name, text) in &inputs {
        let mb = text.len() as f64 / 1e6;
        let (mut a, mut n, mut b) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..15 {
            a.push(time(&|| ours(text)));
            n.push(time(&|| ours_unvalidated(text)));
            b.push(time(&|| theirs(text)));
        }
        let median = |v: &mut Vec<Duration>| {
            v.sort();
            v[v.len() / 2].as_secs_f64()
        };
        let (ta, tn, tb) = (median(&mut a), median(&mut n), median(&mut b));
        let per_input = |peak: usize| peak as f64 / text.len() as f64;
        let peak_ours = per_input(peak_of(&|| ours(text)));
        let peak_unvalidated = per_input(peak_of(&|| ours_unvalidated(text)));
        let peak_theirs = per_input(peak_of(&|| theirs(text)));
        println!(
            "{:<18} {:>6.1}MB/s {:>8.1}MB/s {:>6.1}MB/s {:>6.2}x {:>7.2}x {:>9.2}x {:>9.2}x {:>8.2}x",
            name,
            mb / ta,
            mb / tn,
            mb / tb,
            tb / ta,
            tb / tn,
            peak_ours,
            peak_unvalidated,
            peak_theirs
        );
    }

    let mut c = Criterion::default().sample_size(10).configure_from_args();
    for (name, text) in &inputs {
        let mut group = c.benchmark_group(format!("compile/{name}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function("watlink", |b| b.iter(|| ours(text)));
        group.bench_function("watlink --no-validate", |b| {
            b.iter(|| ours_unvalidated(text))
        });
        group.bench_function("wat", |b| b.iter(|| theirs(text)));
        group.finish();
    }
    c.final_summary();
}
