//! The six interpreter benchmark programs of `/work/shared/bench/interp/` on watlink's interpreter and
//! on wasmi, in the same run; prints the time ratio per program (watlink / wasmi, lower is better).

use std::time::{Duration, Instant};

use criterion::Criterion;
use watlink::exec::{Imports, InstanceHandle, Module, Store, Value};

const DIR: &str = "/work/shared/bench/interp";

struct Program {
    name: String,
    wasm: Vec<u8>,
    expected: i64,
}

fn programs() -> Vec<Program> {
    let tsv = std::fs::read_to_string(format!("{DIR}/PROGRAMS.tsv")).expect("PROGRAMS.tsv");
    tsv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let name = cols[0].to_string();
            let text = std::fs::read_to_string(format!("{DIR}/{name}.run.wat")).unwrap();
            let wasm = wat::parse_str(&text).unwrap();
            Program {
                name,
                wasm,
                expected: cols[5].parse().unwrap(),
            }
        })
        .collect()
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

fn best_of(n: usize, mut f: impl FnMut() -> i64) -> Duration {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed()
        })
        .min()
        .unwrap()
}

fn main() {
    let programs = programs();
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let mut summary = Vec::new();
    for p in &programs {
        let mut ours = Ours::new(&p.wasm);
        let mut peer = Wasmi::new(&p.wasm);
        assert_eq!(ours.run(), p.expected, "watlink result of {}", p.name);
        assert_eq!(peer.run(), p.expected, "wasmi result of {}", p.name);
        let mut g = c.benchmark_group(&p.name);
        g.bench_function("watlink", |b| b.iter(|| ours.run()));
        g.bench_function("wasmi", |b| b.iter(|| peer.run()));
        g.finish();
        let t_ours = best_of(3, || ours.run());
        let t_peer = best_of(3, || peer.run());
        summary.push((p.name.clone(), t_ours, t_peer));
    }
    println!(
        "\n{:<16} {:>12} {:>12} {:>8}",
        "program", "watlink", "wasmi", "ratio"
    );
    for (name, a, b) in summary {
        println!(
            "{:<16} {:>10.1}ms {:>10.1}ms {:>8.2}",
            name,
            a.as_secs_f64() * 1e3,
            b.as_secs_f64() * 1e3,
            a.as_secs_f64() / b.as_secs_f64()
        );
    }
    c.final_summary();
}
