//! A plain driver for the differential check, for machines where cargo-fuzz cannot run: checks
//! inputs of PRNG bytes (as the in-tree slice does, from seed `--start` on) until `--seconds` have
//! passed, writes each mismatching module to `--out` (`seed-N.wasm`, `seed-N.txt` with the
//! difference and the module as text) and prints the counts.
//!
//! `cargo run --release --bin differential-driver -- --seconds 600 --start 0 --out artifacts/driver`

#[path = "../../tests/support/differential.rs"]
mod differential;

use std::path::PathBuf;
use std::time::{Duration, Instant};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// The input of `seed`, the same as the in-tree slice's (`tests/it/differential.rs`).
fn input(seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let len = 64 + (rng.next() % 4032) as usize;
    (0..len).map(|_| rng.next() as u8).collect()
}

fn main() {
    let mut seconds = 60u64;
    let mut start = 1_000_000u64;
    let mut out = PathBuf::from("artifacts/driver");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--seconds" => seconds = v.parse().expect("--seconds N"),
            "--start" => start = v.parse().expect("--start SEED"),
            "--out" => out = v.into(),
            _ => panic!("unknown option {a} (--seconds N, --start SEED, --out DIR)"),
        }
    }
    std::fs::create_dir_all(&out).unwrap();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut report = Instant::now();
    let mut stats = differential::Stats::default();
    let mut seed = start;
    while Instant::now() < deadline {
        let (wasm, verdict) = differential::check_input(&input(seed), &mut stats);
        if let (Some(wasm), Err(m)) = (wasm, verdict) {
            let first = m.what.lines().last().unwrap_or("").to_string();
            println!("seed {seed}: {first}");
            std::fs::write(out.join(format!("seed-{seed}.wasm")), &wasm).unwrap();
            std::fs::write(
                out.join(format!("seed-{seed}.txt")),
                format!("seed {seed}\n{m}\n"),
            )
            .unwrap();
        }
        seed += 1;
        if report.elapsed() > Duration::from_secs(60) {
            println!("seeds {start}..{seed}: {stats}");
            report = Instant::now();
        }
    }
    println!("done: seeds {start}..{seed}: {stats}");
}
