//! `watlink link` end to end: text in, linked and validated binary out, run in the interpreter.

use watlink::Linker;
use watlink::exec::{Imports, Limits, Module, Store, Value};
use watlink::link::{LayoutOptions, Segment, SegmentKind, plan};

const PLACED: &str = r#"(module
  (import "env" "__heap_base" (global $heap_base i32))
  (import "env" "__stack_pointer" (global $sp (mut i32)))
  (import "watlink:data" "greeting" (global $greeting i32))
  (import "watlink:size" "greeting" (global $greeting_len i32))
  (import "watlink:data" "table" (global $table i32))
  (import "watlink:data" "counter" (global $counter i32))
  (import "watlink:data" "buffer" (global $buffer i32))
  (memory 1)
  (data $greeting (@place rodata) "xịn xò")
  (data $table (@place rodata (align 16)) "0123456789abcdefghij")
  (data $counter (@place data (align 4)) "\2a\00\00\00")
  (data $buffer (@place bss (align 16) (size 4096)))
  (global $own i32 (i32.const 77))
  (func (export "greeting") (result i32) (global.get $greeting))
  (func (export "len") (result i32) (global.get $greeting_len))
  (func (export "table") (result i32) (global.get $table))
  (func (export "buffer") (result i32) (global.get $buffer))
  (func (export "heap") (result i32) (global.get $heap_base))
  (func (export "sp") (result i32) (global.get $sp))
  (func (export "own") (result i32) (global.get $own))
  (func (export "count") (result i32)
    (i32.store (global.get $counter) (i32.add (i32.load (global.get $counter)) (i32.const 1)))
    (i32.load (global.get $counter)))
  (func (export "first") (result i32) (i32.load8_u (global.get $greeting))))"#;

struct Instance {
    store: Store,
    inst: watlink::exec::InstanceHandle,
}

impl Instance {
    fn new(wasm: &[u8]) -> Instance {
        let module = Module::new(wasm).expect("linked module decodes");
        let mut store = Store::new(Limits::default());
        let inst = store.instantiate(&module, &Imports::new()).unwrap();
        Instance { store, inst }
    }

    fn call_void(&mut self, name: &str) {
        assert_eq!(self.store.invoke(self.inst, name, &[]).unwrap(), []);
    }

    fn call(&mut self, name: &str, args: &[Value]) -> i32 {
        match self.store.invoke(self.inst, name, args).unwrap()[..] {
            [Value::I32(v)] => v,
            ref other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn placed_data_lands_where_wasm_ld_would_put_it() {
    for stack_first in [true, false] {
        let linked = Linker::new()
            .stack_first(stack_first)
            .input_str("placed.wat", PLACED)
            .link()
            .unwrap_or_else(|e| panic!("{e}"));
        // The same segments through the planner (itself checked against wasm-ld in src/link/tests.rs).
        let segments = [
            Segment::new(".rodata.greeting", 9, 1, SegmentKind::ReadOnly),
            Segment::new(".rodata.table", 20, 16, SegmentKind::ReadOnly),
            Segment::new(".data.counter", 4, 4, SegmentKind::Writable),
            Segment::new(".bss.buffer", 4096, 16, SegmentKind::Zero),
        ];
        let options = LayoutOptions {
            stack_first,
            ..LayoutOptions::default()
        };
        let expected = plan(&segments, &options).unwrap();
        assert_eq!(linked.plan, expected);
        let addr = |name: &str| expected.segment(name).unwrap().address as i32;
        let mut m = Instance::new(&linked.wasm);
        assert_eq!(m.call("greeting", &[]), addr(".rodata.greeting"));
        assert_eq!(m.call("table", &[]), addr(".rodata.table"));
        assert_eq!(m.call("table", &[]) % 16, 0);
        assert_eq!(m.call("buffer", &[]), addr(".bss.buffer"));
        assert_eq!(m.call("len", &[]), 9);
        assert_eq!(m.call("first", &[]), i32::from(b'x'));
        assert_eq!(m.call("count", &[]), 43);
        assert_eq!(m.call("count", &[]), 44);
        assert_eq!(
            m.call("heap", &[]),
            expected.symbols.heap_base.unwrap() as i32
        );
        assert_eq!(m.call("sp", &[]), expected.symbols.stack_pointer as i32);
        assert_eq!(m.call("own", &[]), 77);
        assert_eq!(
            m.store.get_global(m.inst, "__heap_base"),
            Some(Value::I32(expected.symbols.heap_base.unwrap() as i32))
        );
    }
}

#[test]
fn wasm_ld_defaults_layout() {
    // LLVM <= 21: data at 1024, stack after it.
    let linked = Linker::new()
        .stack_first(false)
        .input_str("placed.wat", PLACED)
        .link()
        .unwrap();
    assert_eq!(
        linked.plan.segment(".rodata.greeting").unwrap().address,
        1024
    );
    assert_eq!(linked.plan.segment(".rodata.table").unwrap().address, 1040);
}

#[test]
fn overlapping_fixed_segments_name_both_in_the_text() {
    let text = "(module (memory 1)\n  (data $a (i32.const 100) \"aaaaaaaa\")\n  (data $b (i32.const 104) \"bbbb\"))";
    let err = Linker::new()
        .stack_first(false)
        .input_str("fixed.wat", text)
        .link()
        .unwrap_err();
    let e = err.first();
    assert!(
        e.message.contains("segment b") && e.message.contains("segment a"),
        "{}",
        e.message
    );
    // The primary place is $b's segment (line 3), the other region a secondary label (line 2).
    let rendered = err.render();
    assert!(rendered.contains("fixed.wat:3:3"), "{rendered}");
    assert!(rendered.contains("the other segment"), "{rendered}");
    assert!(e.secondary.len() == 1, "{:?}", e.secondary);
    // A placed segment is not in conflict with fixed data: it goes past it.
    let text = r#"(module
      (import "watlink:data" "g" (global $g i32))
      (memory 1)
      (data $g (@place rodata) "hello")
      (data $f (i32.const 1026) "x")
      (func (export "g") (result i32) (global.get $g)))"#;
    let linked = Linker::new()
        .stack_first(false)
        .input_str("fixed.wat", text)
        .link()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(linked.plan.segment(".rodata.g").unwrap().address, 1027);
    assert_eq!(Instance::new(&linked.wasm).call("g", &[]), 1027);
}

/// The seeds' style: data at a fixed address, no `(@place …)`, a small stack, the defaults.
const SEED: &str = r#"(module
  (import "env" "__heap_base" (global $heap i32))
  (memory 1)
  (data (i32.const 0) "Hello")
  (data $table (i32.const 1024) "0123456789")
  (func (export "first") (result i32) (i32.load8_u (i32.const 0)))
  (func (export "heap") (result i32) (global.get $heap))
  ;; Clears 64 bytes from __heap_base, as an allocator's first use would.
  (func (export "clear_heap") (memory.fill (global.get $heap) (i32.const 0) (i32.const 64)))
  (func (export "table_byte") (param i32) (result i32)
    (i32.load8_u (i32.add (i32.const 1024) (local.get 0)))))"#;

#[test]
fn seed_style_fixed_data_links_with_the_defaults_and_runs() {
    let linked = Linker::new()
        .stack_size(8192)
        .input_str("seed.wat", SEED)
        .link()
        .unwrap_or_else(|e| panic!("{e}"));
    let p = &linked.plan;
    // The stack cannot start at 0 (fixed data is there): it moves after the first fixed segment
    // and then after the second, the heap after everything.
    assert_eq!((p.symbols.stack_low, p.symbols.stack_high), (1040, 9232));
    assert_eq!(p.symbols.heap_base, Some(9232));
    assert!(
        p.notes.iter().any(|n| n.contains("no longer traps")),
        "{:?}",
        p.notes
    );
    assert!(p.table().contains("fixed"), "{}", p.table());
    let mut m = Instance::new(&linked.wasm);
    assert_eq!(m.call("first", &[]), i32::from(b'H'));
    assert_eq!(m.call("heap", &[]), 9232);
    m.call_void("clear_heap");
    assert_eq!(m.call("table_byte", &[Value::I32(9)]), i32::from(b'9'));

    // The issue's example: fixed [1024, 1324), the stack after the data.
    let text = format!(
        r#"(module (import "env" "__heap_base" (global $heap i32)) (memory 1)
             (data (i32.const 1024) "{}")
             (func (export "heap") (result i32) (global.get $heap))
             (func (export "clear_heap") (memory.fill (global.get $heap) (i32.const 0) (i32.const 64)))
             (func (export "last") (result i32) (i32.load8_u (i32.const 1323))))"#,
        "z".repeat(300)
    );
    let linked = Linker::new()
        .stack_first(false)
        .stack_size(8192)
        .stack_size(0)
        .input_str("fixed.wat", &text)
        .link()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(linked.plan.symbols.heap_base, Some(1328));
    let mut m = Instance::new(&linked.wasm);
    m.call_void("clear_heap");
    assert_eq!(
        m.call("last", &[]),
        i32::from(b'z'),
        "the heap overwrote fixed data"
    );
    let linked = Linker::new()
        .stack_first(false)
        .stack_size(8192)
        .input_str("fixed.wat", &text)
        .link()
        .unwrap();
    let s = &linked.plan.symbols;
    assert_eq!(
        (s.stack_low, s.stack_high, s.heap_base),
        (1328, 9520, Some(9520))
    );
}

/// The memory type a linked module defines or imports: (imported as, min, max, shared).
fn memory_of(wasm: &[u8]) -> (Option<(String, String)>, u64, Option<u64>, bool) {
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.unwrap() {
            wasmparser::Payload::ImportSection(r) => {
                for im in r.into_imports() {
                    let im = im.unwrap();
                    if let wasmparser::TypeRef::Memory(m) = im.ty {
                        let name = Some((im.module.to_string(), im.name.to_string()));
                        return (name, m.initial, m.maximum, m.shared);
                    }
                }
            }
            wasmparser::Payload::MemorySection(r) => {
                let m = r.into_iter().next().unwrap().unwrap();
                return (None, m.initial, m.maximum, m.shared);
            }
            _ => {}
        }
    }
    panic!("no memory")
}

#[test]
fn declared_memory_limits_are_kept() {
    let link = |text: &str| {
        Linker::new()
            .stack_size(4096)
            .input_str("mem.wat", text)
            .link()
    };
    let linked = link("(module (memory 2 10))").unwrap();
    assert_eq!(memory_of(&linked.wasm), (None, 2, Some(10), false));
    let linked = link("(module (memory 1 1))").unwrap();
    assert_eq!(memory_of(&linked.wasm), (None, 1, Some(1), false));
    let linked = link("(module (memory 1 4 shared))").unwrap();
    assert_eq!(memory_of(&linked.wasm), (None, 1, Some(4), true));
    // A maximum below what the layout needs names the declaration.
    let err = Linker::new()
        .input_str(
            "mem.wat",
            "(module\n  (memory 1 1)\n  (data (i32.const 70000) \"x\"))",
        )
        .link()
        .unwrap_err();
    assert_eq!(
        err.first().message,
        "maximum memory too small, 131072 bytes needed"
    );
    let rendered = err.render();
    assert!(rendered.contains("mem.wat:2:3"), "{rendered}");
    assert!(
        rendered.contains("declared with a maximum of 1 pages"),
        "{rendered}"
    );
    // --max-memory says otherwise: it wins.
    let linked = Linker::new()
        .max_memory(4 * 65536)
        .input_str("mem.wat", "(module (memory 1 1))")
        .link()
        .unwrap();
    assert_eq!(memory_of(&linked.wasm).2, Some(4));
}

const SUM: &str = r#"(module
  (import "js" "mem" (memory 1))
  (func (export "sum")
    (i32.store (i32.const 8) (i32.add (i32.load (i32.const 0)) (i32.load (i32.const 4))))))"#;

#[test]
fn an_imported_memory_stays_imported_and_the_hosts_memory_is_used() {
    let linked = Linker::new()
        .input_str("sum.wat", SUM)
        .link()
        .unwrap_or_else(|e| panic!("{e}"));
    let (import, min, max, shared) = memory_of(&linked.wasm);
    assert_eq!(import, Some(("js".to_string(), "mem".to_string())));
    assert_eq!(
        (min, max, shared),
        (1, None, false),
        "the default stack fills one page"
    );
    let module = Module::new(&linked.wasm).unwrap();
    assert!(!module.export_names().any(|n| n == "memory"));
    let mut store = Store::new(Limits::default());
    let mem = store.new_memory(2, None).unwrap();
    store
        .write_memory(mem, 0, &[5, 0, 0, 0, 6, 0, 0, 0])
        .unwrap();
    let mut host = Imports::new();
    host.define("js", "mem", watlink::exec::Extern::Memory(mem));
    let inst = store.instantiate(&module, &host).unwrap();
    store.invoke(inst, "sum", &[]).unwrap();
    assert_eq!(store.memory(mem)[8], 11);

    // Under node, with examples/sum.mjs's memory.
    let Ok(version) = std::process::Command::new("node").arg("--version").output() else {
        eprintln!("skipped the node half: node is not installed");
        return;
    };
    assert!(version.status.success());
    let linked = Linker::new()
        .stack_size(4096)
        .input_str("sum.wat", SUM)
        .link()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("watlink-sum-link-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wasm = dir.join("sum.wasm");
    std::fs::write(&wasm, &linked.wasm).unwrap();
    let mjs = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sum.mjs");
    let out = std::process::Command::new("node")
        .arg(mjs)
        .arg(&wasm)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "42");
}

#[test]
fn an_import_and_a_definition_of_memory_conflict() {
    let err = Linker::new()
        .input_str("sum.wat", SUM)
        .input_str("own.wat", "(module\n  (memory 1))")
        .link()
        .unwrap_err();
    let e = err.first();
    assert_eq!(e.message, "conflicting memory declarations");
    assert_eq!(err.source.name, "own.wat");
    assert!(e.span.is_some());
    assert!(e.notes[0].contains("sum.wat:2:3"), "{:?}", e.notes);
    assert!(e.notes[0].contains("\"js\" \"mem\""), "{:?}", e.notes);
    // Saying which memory it is resolves it.
    let linked = Linker::new()
        .import_memory("js", "mem")
        .input_str("sum.wat", SUM)
        .input_str("own.wat", "(module (memory 1))")
        .link()
        .unwrap();
    assert_eq!(memory_of(&linked.wasm).0, Some(("js".into(), "mem".into())));
}

/// A bss segment and a data segment, and a getter of the bss bytes.
const BSS: &str = r#"(module
  (import "watlink:data" "buf" (global $buf i32))
  (import "watlink:data" "msg" (global $msg i32))
  (import "js" "mem" (memory 1))
  (data $buf (@place bss (align 16) (size 64)))
  (data $msg (@place data) "hi")
  (func (export "buf") (result i32) (global.get $buf))
  (func (export "byte") (param i32) (result i32) (i32.load8_u (local.get 0))))"#;

#[test]
fn bss_in_an_imported_memory_is_zeroed_by_wasm_init_memory() {
    let linked = Linker::new()
        .stack_size(1024)
        .input_str("bss.wat", BSS)
        .link()
        .unwrap_or_else(|e| panic!("{e}"));
    let module = Module::new(&linked.wasm).unwrap();
    let mut store = Store::new(Limits::default());
    let mem = store.new_memory(1, None).unwrap();
    store.memory_mut(mem).fill(0xAA);
    let mut host = Imports::new();
    host.define("js", "mem", watlink::exec::Extern::Memory(mem));
    let inst = store.instantiate(&module, &host).unwrap();
    let buf = linked.plan.segment(".bss.buf").unwrap().address as usize;
    assert!(store.memory(mem)[buf..buf + 64].iter().all(|&b| b == 0));
    assert_eq!(store.memory(mem)[buf + 64], 0xAA, "only the bss is cleared");
    let msg = linked.plan.segment(".data.msg").unwrap().address as usize;
    assert_eq!(&store.memory(mem)[msg..msg + 2], b"hi");
    assert_eq!(
        store
            .invoke(inst, "byte", &[Value::I32(buf as i32)])
            .unwrap(),
        [Value::I32(0)]
    );
    assert!(start_function_name(&linked.wasm).as_deref() == Some("__wasm_init_memory"));
    // A defined memory is zero already: no start function.
    let linked = Linker::new()
        .input_str(
            "bss.wat",
            &BSS.replace(r#"(import "js" "mem" (memory 1))"#, "(memory 1)"),
        )
        .link()
        .unwrap();
    assert_eq!(start_function_name(&linked.wasm), None);
}

/// The name of the start function, if there is one.
fn start_function_name(wasm: &[u8]) -> Option<String> {
    let mut start = None;
    let mut name = None;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.unwrap() {
            wasmparser::Payload::StartSection { func, .. } => start = Some(func),
            wasmparser::Payload::CustomSection(c) => {
                if let wasmparser::KnownCustom::Name(r) = c.as_known() {
                    for n in r {
                        if let Ok(wasmparser::Name::Function(map)) = n {
                            for naming in map {
                                let naming = naming.unwrap();
                                if Some(naming.index) == start {
                                    name = Some(naming.name.to_string());
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    start.map(|f| name.unwrap_or(format!("func {f}")))
}

#[test]
fn shared_memory_segments_are_passive_and_initialised_once() {
    let text = BSS.replace(r#"(import "js" "mem" (memory 1))"#, "(memory 1 4 shared)");
    let linked = Linker::new()
        .stack_size(1024)
        .input_str("shared.wat", &text)
        .link()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut modes = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(&linked.wasm) {
        if let wasmparser::Payload::DataSection(r) = payload.unwrap() {
            for d in r {
                modes.push(matches!(d.unwrap().kind, wasmparser::DataKind::Passive));
            }
        }
    }
    assert_eq!(modes, [true], "one passive segment (msg); bss has no bytes");
    assert_eq!(
        start_function_name(&linked.wasm).as_deref(),
        Some("__wasm_init_memory")
    );
    let flag = linked
        .plan
        .symbols
        .init_memory_flag
        .expect("the flag is placed");
    // After all static data, bss included.
    let buf = linked.plan.segment(".bss.buf").unwrap();
    assert_eq!(flag, buf.end().next_multiple_of(4));
    assert_eq!(linked.plan.symbols.data_end, flag + 4);
    assert_eq!(memory_of(&linked.wasm), (None, 1, Some(4), true));
}

#[test]
fn export_all_leaves_out_the_stack_bounds() {
    let text = r#"(module (import "env" "__stack_pointer" (global $sp (mut i32)))
      (func $f (export "f") (result i32) (global.get $sp)))"#;
    let linked = Linker::new()
        .export_all()
        .input_str("all.wat", text)
        .link()
        .unwrap();
    let module = Module::new(&linked.wasm).unwrap();
    let exports: Vec<&str> = module.export_names().collect();
    for name in [
        "__heap_base",
        "__data_end",
        "__global_base",
        "__dso_handle",
        "__table_base",
    ] {
        assert!(exports.contains(&name), "{name} missing from {exports:?}");
    }
    for name in ["__stack_pointer", "__stack_low", "__stack_high"] {
        assert!(!exports.contains(&name), "{name} in {exports:?}");
    }
}

#[test]
fn too_small_initial_memory_says_how_much_is_needed() {
    let err = Linker::new()
        .initial_memory(65536)
        .input_str("placed.wat", PLACED)
        .link()
        .unwrap_err();
    let e = err.first();
    let needed = 65536 + 16 + 32 + 4096 + 16; // stack, greeting+pad, table(+pad to 48), counter … bss
    assert!(
        e.message.starts_with("initial memory too small, "),
        "{}",
        e.message
    );
    assert!(e.message.ends_with(" bytes needed"));
    let n: u64 = e.message["initial memory too small, ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(n >= needed as u64 - 32 && n <= needed as u64 + 32, "{n}");
    assert!(
        e.notes
            .iter()
            .any(|n| n.contains("--initial-memory=131072")),
        "{:?}",
        e.notes
    );
    assert!(err.render().contains("initial memory too small"));
}

#[test]
fn placement_errors_are_located() {
    let cases = [
        (
            r#"(module (data $d (@place text) "x"))"#,
            "unknown placement kind `text`",
        ),
        (
            r#"(module (data $d (@place rodata (align 3)) "x"))"#,
            "alignment 3 is not a power of two",
        ),
        (
            r#"(module (data $d (@place data (size 4)) "x"))"#,
            "(size N) is only for bss",
        ),
    ];
    for (text, want) in cases {
        let err = Linker::new().input_str("bad.wat", text).link().unwrap_err();
        assert_eq!(err.first().message, want);
        assert!(err.first().span.is_some());
    }
    let cases = [
        (
            r#"(module (memory 1) (data (@place rodata) "x"))"#,
            "placed data segment needs an $id",
        ),
        (
            r#"(module (memory 1) (data $d (@place bss (size 4)) "x"))"#,
            "bss segment $d has bytes",
        ),
        (
            r#"(module (import "watlink:data" "nope" (global i32)) (memory 1))"#,
            "unknown placed data segment `nope`",
        ),
    ];
    for (text, want) in cases {
        let err = Linker::new().input_str("bad.wat", text).link().unwrap_err();
        assert_eq!(err.first().message, want);
        let rendered = err.render();
        assert!(rendered.contains("bad.wat:1:"), "{rendered}");
    }
}

const MAIN: &str = r#"(module
  (import "env" "inc" (func $inc (param i32) (result i32)))
  (import "host" "log" (func $log (param i32)))
  (func (export "main") (result i32) (call $inc (i32.const 41))))"#;

const LIB: &str = r#"(module
  (import "watlink:data" "one" (global $one i32))
  (memory 1)
  (data $one (@place rodata (align 4)) "\01\00\00\00")
  (func $inc (export "inc") (param i32) (result i32)
    (i32.add (local.get 0) (i32.load (global.get $one)))))"#;

#[test]
fn an_import_binds_to_another_inputs_export() {
    let linked = Linker::new()
        .input_str("main.wat", MAIN)
        .input_str("lib.wat", LIB)
        .link()
        .unwrap_or_else(|e| panic!("{e}"));
    let module = Module::new(&linked.wasm).unwrap();
    let imports: Vec<(&str, &str)> = module.import_names().collect();
    assert_eq!(
        imports,
        [("host", "log")],
        "the bound import is gone, the host one stays"
    );
    let mut store = Store::new(Limits::default());
    let mut host = Imports::new();
    let log = store.host_func(
        watlink::exec::FuncType::new([watlink::exec::ValType::I32], []),
        |_| Ok(vec![]),
    );
    host.define("host", "log", watlink::exec::Extern::Func(log));
    let inst = store.instantiate(&module, &host).unwrap();
    assert_eq!(store.invoke(inst, "main", &[]).unwrap(), [Value::I32(42)]);
}

#[test]
fn an_incompatible_import_names_both_places() {
    let lib = LIB
        .replace("(param i32) (result i32)", "(param i64) (result i32)")
        .replace("(local.get 0)", "(i32.wrap_i64 (local.get 0))");
    let err = Linker::new()
        .input_str("main.wat", MAIN)
        .input_str("lib.wat", &lib)
        .link()
        .unwrap_err();
    let e = err.first();
    assert_eq!(e.message, "incompatible import type");
    assert_eq!(err.source.name, "main.wat");
    assert!(e.notes[0].starts_with("lib.wat:5:"), "{:?}", e.notes);
    assert!(e.notes[0].contains("(param i64)"), "{:?}", e.notes);
}

/// A bump allocator that starts at `__heap_base` and grows memory when it runs out.
const BUMP: &str = r#"(module
  (import "env" "__heap_base" (global $heap_base i32))
  (memory 1)
  (global $next (mut i32) (i32.const 0))
  (func $alloc (export "alloc") (param $size i32) (result i32)
    (local $p i32) (local $end i32)
    (if (i32.eqz (global.get $next)) (then (global.set $next (global.get $heap_base))))
    (local.set $p (i32.and (i32.add (global.get $next) (i32.const 15)) (i32.const -16)))
    (local.set $end (i32.add (local.get $p) (local.get $size)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (if (i32.eq (memory.grow
               (i32.shr_u (i32.add (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
                                   (i32.const 65535))
                          (i32.const 16)))
             (i32.const -1))
          (then unreachable))))
    (global.set $next (local.get $end))
    (local.get $p))
  (func (export "pages") (result i32) (memory.size)))"#;

#[test]
fn a_bump_allocator_starts_at_heap_base_and_grows_memory() {
    let linked = Linker::new()
        .stack_size(4096)
        .input_str("bump.wat", BUMP)
        .link()
        .unwrap_or_else(|e| panic!("{e}"));
    let heap_base = linked.plan.symbols.heap_base.unwrap() as i32;
    assert_eq!(heap_base, 4096);
    let mut m = Instance::new(&linked.wasm);
    assert_eq!(m.call("pages", &[]), 1);
    assert_eq!(m.call("alloc", &[Value::I32(100)]), heap_base);
    assert_eq!(m.call("alloc", &[Value::I32(8)]), heap_base + 112);
    let big = m.call("alloc", &[Value::I32(200_000)]);
    assert_eq!(big, heap_base + 128);
    assert_eq!(m.call("pages", &[]), 4);
}

#[test]
fn import_and_export_memory_flags() {
    let linked = Linker::new()
        .import_memory("env", "mem")
        .max_memory(4 * 65536)
        .input_str("bump.wat", BUMP)
        .link()
        .unwrap();
    let module = Module::new(&linked.wasm).unwrap();
    assert_eq!(module.import_names().collect::<Vec<_>>(), [("env", "mem")]);
    assert!(!module.export_names().any(|n| n == "memory"));
    assert_eq!(linked.plan.max_pages, Some(4));
    let linked = Linker::new()
        .export_memory("mem0")
        .export("__data_end")
        .input_str("bump.wat", BUMP)
        .link()
        .unwrap();
    let module = Module::new(&linked.wasm).unwrap();
    let exports: Vec<&str> = module.export_names().collect();
    assert!(
        exports.contains(&"mem0") && exports.contains(&"__data_end"),
        "{exports:?}"
    );
}

#[test]
fn the_cli_links_and_prints_the_map() {
    let dir = std::env::temp_dir().join(format!("watlink-link-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("placed.wasm");
    let json = dir.join("placed.json");
    let exe = env!("CARGO_BIN_EXE_watlink");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/placed.wat");
    let run = std::process::Command::new(exe)
        .args(["link", example, "-o"])
        .arg(&out)
        .args(["-z", "stack-size=8192", "--print-map", "--map"])
        .arg(&json)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains(".rodata.greeting"), "{stdout}");
    assert!(
        std::fs::read_to_string(&json)
            .unwrap()
            .contains("\"__heap_base\": 12304")
    );
    let layout = std::process::Command::new(exe)
        .args(["layout"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(layout.status.success());
    assert!(String::from_utf8_lossy(&layout.stdout).contains("greeting"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_binary_input_links_with_a_text_one() {
    let lib = watlink::compile_str(
        r#"(module (memory 1) (data $fixed (i32.const 70000) "k")
             (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))"#,
    )
    .unwrap();
    let main = r#"(module
      (import "env" "inc" (func $inc (param i32) (result i32)))
      (func (export "main") (result i32) (call $inc (i32.const 41))))"#;
    let linked = Linker::new()
        .input_str("main.wat", main)
        .input_wasm("lib.wasm", &lib)
        .link()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(Instance::new(&linked.wasm).call("main", &[]), 42);
    // The binary's active segment is a fixed one: memory grows to hold it.
    assert_eq!(linked.plan.min_pages, 2);
}

#[test]
fn the_examples_link_and_run() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/");
    let linked = Linker::new()
        .input_file(std::path::Path::new(&format!("{dir}greet.wat")))
        .input_file(std::path::Path::new(&format!("{dir}alloc.wat")))
        .link()
        .unwrap_or_else(|e| panic!("{e}"));
    let heap_base = linked.plan.symbols.heap_base.unwrap() as i32;
    let mut m = Instance::new(&linked.wasm);
    let p = m.call("greet", &[]);
    assert_eq!(p, heap_base);
    assert_eq!(m.call("first_byte", &[Value::I32(p)]), i32::from(b'X'));
    assert_eq!(m.call("greet", &[]), heap_base + 32);
    assert_eq!(m.call("calls", &[]), 2);
    let linked = Linker::new()
        .input_file(std::path::Path::new(&format!("{dir}placed.wat")))
        .link()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        Instance::new(&linked.wasm).call("first_byte", &[]),
        i32::from(b'x')
    );
    // Fixed data with the defaults and the flags in its header comment.
    let linked = Linker::new()
        .stack_size(8192)
        .input_file(std::path::Path::new(&format!("{dir}fixed.wat")))
        .link()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut m = Instance::new(&linked.wasm);
    m.call_void("clear_heap");
    assert_eq!(m.call("first", &[]), i32::from(b'H'));
    assert_eq!(m.call("table_sum", &[]), 36);
    assert_eq!(linked.plan.symbols.stack_low, 1040);
}

#[test]
fn the_cli_keeps_stdout_clean_and_leaves_no_temporary_files() {
    let exe = env!("CARGO_BIN_EXE_watlink");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/placed.wat");
    // The binary to stdout: the map goes to stderr.
    let run = std::process::Command::new(exe)
        .args(["link", example, "-o", "-", "--print-map"])
        .output()
        .unwrap();
    assert!(run.status.success());
    assert!(run.stdout.starts_with(b"\0asm"));
    assert!(Module::new(&run.stdout).is_ok());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains(".rodata.greeting"), "{stderr}");

    // A reader that goes away (`| head`): no panic, and the files are written.
    let dir = std::env::temp_dir().join(format!("watlink-link-out-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("placed.wasm");
    let mut child = std::process::Command::new(exe)
        .args(["link", example, "--print-map", "--map"])
        .arg(dir.join("placed.json"))
        .arg("-o")
        .arg(&out)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let done = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    assert!(
        matches!(done.status.code(), Some(0 | 141)),
        "{:?}",
        done.status
    );
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["placed.json", "placed.wasm"],
        "no temporary files left"
    );

    // A failed link writes neither file and leaves nothing behind.
    let bad = dir.join("bad.wat");
    std::fs::write(
        &bad,
        "(module (data (i32.const 0) \"a\") (data (i32.const 0) \"b\"))",
    )
    .unwrap();
    let run = std::process::Command::new(exe)
        .arg("link")
        .arg(&bad)
        .arg("-o")
        .arg(dir.join("bad.wasm"))
        .arg("--map")
        .arg(dir.join("bad.json"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("bad.wat:1:"), "{stderr}");
    let count = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(count, 3, "only placed.json, placed.wasm and bad.wat");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn table_base_sets_the_table_base_symbol() {
    let text = r#"(module (import "env" "__table_base" (global $tb i32))
      (func (export "tb") (result i32) (global.get $tb)))"#;
    for (flags, want) in [(&[][..], 1), (&["--table-base=5"][..], 5)] {
        let mut options = watlink::link::LinkOptions::default();
        watlink::link::apply_args(&mut options, flags.iter().copied()).unwrap();
        let linked = Linker::with_options(options)
            .input_str("tb.wat", text)
            .link()
            .unwrap();
        assert_eq!(Instance::new(&linked.wasm).call("tb", &[]), want);
    }
    // The same flag on the command line.
    let dir = std::env::temp_dir().join(format!("watlink-tb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("tb.wat"), text).unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_watlink"))
        .arg("link")
        .arg(dir.join("tb.wat"))
        .args(["--table-base=7", "--export-all", "-o"])
        .arg(dir.join("tb.wasm"))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let wasm = std::fs::read(dir.join("tb.wasm")).unwrap();
    assert_eq!(Instance::new(&wasm).call("tb", &[]), 7);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_cli_applies_flags_in_order_later_ones_win() {
    let dir = std::env::temp_dir().join(format!("watlink-order-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/placed.wat");
    for (flags, stack_first) in [
        (["--no-stack-first", "--stack-first"], true),
        (["--stack-first", "--no-stack-first"], false),
    ] {
        let json = dir.join("map.json");
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_watlink"))
            .args(["link", example])
            .args(flags)
            .arg("-o")
            .arg(dir.join("out.wasm"))
            .arg("--map")
            .arg(&json)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let map = std::fs::read_to_string(&json).unwrap();
        assert!(
            map.contains(&format!("\"first\": {stack_first}")),
            "{flags:?}: {map}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
