//! Differential check against wasmi: a deterministic slice of the fuzz run in `fuzz/` (the same
//! check, `tests/support/differential.rs`, on seeded inputs instead of libFuzzer's).

#[path = "../support/differential.rs"]
mod check;

use check::{Stats, check_input, check_module};

/// How many seeded inputs the slice checks.
const SEEDS: u64 = 5000;

/// Seeds whose module the two engines disagree on today, each with the reason. A listed seed
/// that stops disagreeing fails the test too: remove it from the list when the bug is fixed.
const KNOWN_MISMATCHES: &[(u64, &str)] = &[];

/// Regression inputs: `.wat` modules under `tests/data/differential/` (minimized repros of past
/// findings), checked with zero arguments. Listed here are those that still disagree, with why.
const KNOWN_MISMATCHING_REPROS: &[(&str, &str)] = &[];

/// A small deterministic PRNG (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// The input of `seed`: 64 bytes to 16 KiB of PRNG bytes.
fn input(seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let len = 64 + (rng.next() % 16320) as usize;
    (0..len).map(|_| rng.next() as u8).collect()
}

#[test]
fn generated_features_are_ones_watlink_validates() {
    assert!(
        check::features_are_supported(),
        "smith_config() generates features watlink::exec::features() does not validate"
    );
}

/// The comparison itself: every trap category, each raised by both engines and mapped alike.
/// (`host.trap` is one of the imports the check gives modules, `HOST` in the support file.)
#[test]
fn trap_categories_map_alike() {
    let wasm = wat::parse_str(
        r#"(module
          (import "host" "trap" (func $trap (param i32)))
          (type $v (func))
          (table 2 funcref)
          (elem (i32.const 0) func $ok)
          (memory 1 1)
          (global (export "g") (mut i32) (i32.const 0))
          (func $ok (param i32) (result i32) local.get 0)
          (func (export "unreachable") unreachable)
          (func (export "memory") (result i32) i32.const 65536 i32.load)
          (func (export "table") (result funcref) i32.const 5 table.get 0)
          (func (export "undefined element") i32.const 5 call_indirect (type $v))
          (func (export "uninitialized") i32.const 1 call_indirect (type $v))
          (func (export "signature") i32.const 0 call_indirect (type $v))
          (func (export "overflow") (result i32) i32.const 0x80000000 i32.const -1 i32.div_s)
          (func (export "trunc overflow") (result i32) f32.const 1e10 i32.trunc_f32_s)
          (func (export "divide") (result i64) i64.const 1 i64.const 0 i64.rem_u)
          (func (export "nan") (result i32) f64.const nan i32.trunc_f64_u)
          (func (export "store") (global.set 0 (i32.const 7)) (i32.store (i32.const 8) (i32.const 9)))
          (func (export "host") (call $trap (i32.const 0x17f)))
          (func (export "loop") (loop (br 0)))
        )"#,
    )
    .unwrap();
    let mut stats = Stats::default();
    let r = check_module(&wasm, &mut arbitrary::Unstructured::new(&[]), &mut stats);
    assert!(r.is_ok(), "{}", r.unwrap_err());
    assert_eq!(stats.calls_compared, 12, "{stats}");
    assert_eq!(stats.traps_compared, 11, "{stats}");
    // The endless loop runs out of fuel: skipped and counted, not compared.
    assert_eq!(stats.skipped_total(), 1, "{stats}");
}

#[test]
fn watlink_agrees_with_wasmi_on_seeded_modules() {
    // Two threads (CI has two cores), each on every other seed. Big stacks: wasmi's dispatch
    // relies on sibling-call optimization, which does not always happen in this profile, so a long
    // execution recurses on the host stack (about 64 bytes a Wasm instruction).
    let halves: Vec<(Stats, Vec<(u64, check::Mismatch)>)> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..2)
            .map(|t| {
                let thread = std::thread::Builder::new().stack_size(256 << 20);
                thread
                    .spawn_scoped(s, move || {
                        let mut stats = Stats::default();
                        let mut found = Vec::new();
                        for seed in (t..SEEDS).step_by(2) {
                            if let (_, Err(m)) = check_input(&input(seed), &mut stats) {
                                found.push((seed, m));
                            }
                        }
                        (stats, found)
                    })
                    .unwrap()
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let mut stats = Stats::default();
    let mut failures = Vec::new();
    let mut known_seen = Vec::new();
    for (half, found) in halves {
        stats.add(&half);
        for (seed, m) in found {
            match KNOWN_MISMATCHES.iter().find(|k| k.0 == seed) {
                Some(_) => known_seen.push(seed),
                None => failures.push((seed, m)),
            }
        }
    }
    failures.sort_by_key(|f| f.0);
    println!("differential slice: {stats}");
    let stale: Vec<_> = KNOWN_MISMATCHES
        .iter()
        .filter(|k| !known_seen.contains(&k.0))
        .collect();
    let summary: String = failures
        .iter()
        .map(|(seed, m)| format!("seed {seed}: {}\n", m.what.lines().last().unwrap_or("")))
        .collect();
    assert!(
        failures.is_empty(),
        "{} seeds disagree:\n{summary}the first, seed {}:\n{}",
        failures.len(),
        failures[0].0,
        failures[0].1
    );
    assert!(
        stale.is_empty(),
        "known mismatches that now agree (remove them from KNOWN_MISMATCHES): {stale:?}"
    );
    // The slice must compare, not skip: most inputs make modules and most calls are compared
    // (generated code often loops or recurses forever: about a third of the calls exhaust fuel
    // or call depth in both engines and are skipped), both returns and traps.
    assert!(stats.modules >= SEEDS * 9 / 10, "{stats}");
    assert!(stats.calls_compared >= SEEDS * 3 / 4, "{stats}");
    assert!(stats.traps_compared >= SEEDS / 5, "{stats}");
    assert!(
        stats.calls_compared - stats.traps_compared >= SEEDS / 5,
        "{stats}"
    );
    assert!(stats.skipped_total() < stats.calls_compared, "{stats}");
}

#[test]
fn regression_repros_agree() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/differential");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "wat"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no repros in {}", dir.display());
    let mut failures = Vec::new();
    for path in &names {
        let name = path.file_name().unwrap().to_str().unwrap();
        let wasm = wat::parse_file(path).unwrap();
        let mut stats = Stats::default();
        let verdict = check_module(&wasm, &mut arbitrary::Unstructured::new(&[]), &mut stats);
        let known = KNOWN_MISMATCHING_REPROS.iter().any(|k| k.0 == name);
        match (verdict, known) {
            (Ok(()), false) => assert!(stats.calls_compared > 0, "{name}: {stats}"),
            (Err(_), true) => {}
            (Ok(()), true) => failures.push(format!(
                "{name} agrees now: remove it from KNOWN_MISMATCHING_REPROS"
            )),
            (Err(m), false) => failures.push(format!("{name}: {m}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
