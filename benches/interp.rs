//! The interpreter benchmark programs of `../shared/bench/interp/` (the six micro-programs and the
//! real programs `real/lua` and `real/crypto`), and the held-out real programs of `benches/real/`
//! (`held-out/zstd`, `held-out/brotli`, `held-out/lz4`), on watlink's interpreter and on wasmi, in
//! the same run; checks every result and prints the time ratio per program first (watlink /
//! wasmi, lower is better), then criterion's measurements.

use std::time::Duration;

use criterion::Criterion;
use watlink::exec::{Imports, InstanceHandle, Module, Store, Value};

fn dir() -> String {
    format!("{}/../shared/bench/interp", env!("CARGO_MANIFEST_DIR"))
}

struct Program {
    name: String,
    wasm: Vec<u8>,
    expected: i64,
}

fn programs() -> Vec<Program> {
    let dir = dir();
    let tsv = std::fs::read_to_string(format!("{dir}/PROGRAMS.tsv"))
        .unwrap_or_else(|e| panic!("{dir}/PROGRAMS.tsv: {e} (the benchmark inputs are missing)"));
    let mut programs: Vec<Program> = tsv
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let name = cols[0].to_string();
            let text = std::fs::read_to_string(format!("{dir}/{name}.run.wat")).unwrap();
            let wasm = wat::parse_str(&text).unwrap();
            Program {
                name,
                wasm,
                expected: cols[5].parse().unwrap(),
            }
        })
        .collect();
    // The real programs: `main()` results from real/README.md.
    for (name, expected) in [("lua", 2029296149), ("crypto", 577336177)] {
        let path = format!("{dir}/real/{name}/{name}.wasm");
        let wasm = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        programs.push(Program {
            name: format!("real/{name}"),
            wasm,
            expected,
        });
    }
    // Held-out real programs (compression libraries), kept in this repository:
    // `main()` results from benches/real/README.md.
    for (name, expected) in [
        ("zstd", 1644628254),
        ("brotli", 1701624277),
        ("lz4", 1035219600),
    ] {
        let path = format!(
            "{}/benches/real/{name}/{name}.wasm",
            env!("CARGO_MANIFEST_DIR")
        );
        let wasm = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        programs.push(Program {
            name: format!("held-out/{name}"),
            wasm,
            expected,
        });
    }
    programs
}

fn as_i64(v: Value) -> i64 {
    match v {
        Value::I32(x) => x as i64,
        Value::I64(x) => x,
        v => panic!("unexpected {v:?}"),
    }
}

struct Ours {
    store: Store,
    inst: InstanceHandle,
}

impl Ours {
    fn new(wasm: &[u8]) -> Ours {
        let module = Module::new(wasm).unwrap();
        let mut store = Store::default();
        let inst = store.instantiate(&module, &Imports::new()).unwrap();
        Ours { store, inst }
    }
    fn run(&mut self) -> i64 {
        as_i64(self.store.invoke(self.inst, "main", &[]).unwrap()[0])
    }
}

struct Wasmi {
    store: wasmi::Store<()>,
    func: wasmi::Func,
}

impl Wasmi {
    fn new(wasm: &[u8]) -> Wasmi {
        let engine = wasmi::Engine::default();
        let module = wasmi::Module::new(&engine, wasm).unwrap();
        let mut store = wasmi::Store::new(&engine, ());
        let linker = wasmi::Linker::<()>::new(&engine);
        let inst = linker.instantiate_and_start(&mut store, &module).unwrap();
        let func = inst.get_func(&store, "main").unwrap();
        Wasmi { store, func }
    }
    fn run(&mut self) -> i64 {
        let mut out = [wasmi::Val::I64(0)];
        self.func.call(&mut self.store, &[], &mut out).unwrap();
        match out[0] {
            wasmi::Val::I32(x) => x as i64,
            wasmi::Val::I64(x) => x,
            ref v => panic!("unexpected {v:?}"),
        }
    }
}

/// The CPU time this thread has used: unlike wall time, it does not count the time other
/// processes take the core, so ratios stay meaningful on a busy machine.
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec for clock_gettime to fill.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// The CPU time of one run of `f`.
fn cpu_time_of(mut f: impl FnMut() -> i64) -> Duration {
    let t = thread_cpu_time();
    std::hint::black_box(f());
    thread_cpu_time() - t
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let programs = programs();
    // `--once NAME ENGINE`: one run of one program in one engine (`watlink` or `wasmi`), for a
    // profiler such as `valgrind --tool=callgrind --branch-sim=yes`, whose counts do not depend
    // on what else the machine is doing.
    if let Some(i) = args.iter().position(|a| a == "--once") {
        let (name, engine) = (&args[i + 1], args[i + 2].as_str());
        let p = programs
            .iter()
            .find(|p| &p.name == name)
            .unwrap_or_else(|| panic!("no program {name}"));
        let result = match engine {
            "watlink" => Ours::new(&p.wasm).run(),
            "wasmi" => Wasmi::new(&p.wasm).run(),
            other => panic!("engine {other}: expected watlink or wasmi"),
        };
        assert_eq!(result, p.expected, "{engine} result of {name}");
        return;
    }
    // The ratios first (thread CPU time, best of 5 alternating runs per engine), then criterion.
    // `--only TEXT`: just the programs whose name contains TEXT.
    let only = args
        .iter()
        .position(|a| a == "--only")
        .map(|i| args.get(i + 1).cloned().expect("--only needs a TEXT"));
    let mut summary = Vec::new();
    for p in programs
        .iter()
        .filter(|p| only.as_ref().is_none_or(|o| p.name.contains(o.as_str())))
    {
        let mut ours = Ours::new(&p.wasm);
        let mut peer = Wasmi::new(&p.wasm);
        assert_eq!(ours.run(), p.expected, "watlink result of {}", p.name);
        assert_eq!(peer.run(), p.expected, "wasmi result of {}", p.name);
        // Best of five rounds, the engines alternating so that both see the same machine.
        let (mut t_ours, mut t_peer) = (Duration::MAX, Duration::MAX);
        for _ in 0..5 {
            t_ours = t_ours.min(cpu_time_of(|| ours.run()));
            t_peer = t_peer.min(cpu_time_of(|| peer.run()));
        }
        summary.push((p.name.clone(), t_ours, t_peer));
        // Start-up of the real programs: loading (decode, validate, instantiate), and loading
        // plus the first run (lazy lowering included), each from the bytes.
        if p.name.starts_with("real/") || p.name.starts_with("held-out/") {
            let (mut load_ours, mut load_peer) = (Duration::MAX, Duration::MAX);
            let (mut cold_ours, mut cold_peer) = (Duration::MAX, Duration::MAX);
            for _ in 0..3 {
                load_ours = load_ours.min(cpu_time_of(|| {
                    std::hint::black_box(Ours::new(&p.wasm));
                    0
                }));
                load_peer = load_peer.min(cpu_time_of(|| {
                    std::hint::black_box(Wasmi::new(&p.wasm));
                    0
                }));
                cold_ours = cold_ours.min(cpu_time_of(|| Ours::new(&p.wasm).run()));
                cold_peer = cold_peer.min(cpu_time_of(|| Wasmi::new(&p.wasm).run()));
            }
            summary.push((format!("{} load", p.name), load_ours, load_peer));
            summary.push((format!("{} cold", p.name), cold_ours, cold_peer));
        }
    }
    println!(
        "\n{:<22} {:>8} {:>12} {:>12}",
        "program", "ratio", "watlink", "wasmi"
    );
    for (name, a, b) in summary {
        println!(
            "{:<22} {:>8.2} {:>10.1}ms {:>10.1}ms",
            name,
            a.as_secs_f64() / b.as_secs_f64(),
            a.as_secs_f64() * 1e3,
            b.as_secs_f64() * 1e3,
        );
    }
    if args.iter().any(|a| a == "--ratios-only") {
        return;
    }
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    for p in &programs {
        let mut ours = Ours::new(&p.wasm);
        let mut peer = Wasmi::new(&p.wasm);
        let mut g = c.benchmark_group(&p.name);
        g.bench_function("watlink", |b| b.iter(|| ours.run()));
        g.bench_function("wasmi", |b| b.iter(|| peer.run()));
        g.finish();
    }
    c.final_summary();
}
