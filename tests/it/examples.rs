//! Every bundled `.wat` example compiles and does what its comments say, run in watlink's interpreter.

use std::path::Path;

use watlink::exec::{Extern, Imports, InstanceHandle, Module, Store, Value};

fn example(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    watlink::compile_file(&path, &Default::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn instantiate(name: &str, imports: &Imports, store: &mut Store) -> InstanceHandle {
    let module = Module::new(&example(name)).unwrap();
    store.instantiate(&module, imports).unwrap()
}

fn call(store: &mut Store, inst: InstanceHandle, f: &str, args: &[i32]) -> Vec<Value> {
    let args: Vec<Value> = args.iter().map(|&a| Value::I32(a)).collect();
    store
        .invoke(inst, f, &args)
        .unwrap_or_else(|t| panic!("{f} trapped: {t}"))
}

fn call_i32(store: &mut Store, inst: InstanceHandle, f: &str, args: &[i32]) -> i32 {
    match call(store, inst, f, args).as_slice() {
        [Value::I32(v)] => *v,
        other => panic!("{f} returned {other:?}"),
    }
}

#[test]
fn hello() {
    let mut store = Store::default();
    let inst = instantiate("hello.wat", &Imports::new(), &mut store);
    let expected: i32 = "Hello, WebAssembly!".bytes().map(i32::from).sum();
    assert_eq!(call_i32(&mut store, inst, "checksum", &[]), expected);
    assert_eq!(
        store.invoke(inst, "fac", &[Value::I64(10)]).unwrap(),
        [Value::I64(3_628_800)]
    );
}

#[test]
fn utf8_string_is_6_characters_in_9_bytes() {
    let mut store = Store::default();
    let inst = instantiate("utf8_string.wat", &Imports::new(), &mut store);
    assert_eq!(call_i32(&mut store, inst, "byte_len", &[]), 9);
    assert_eq!(call_i32(&mut store, inst, "char_count", &[]), 6);
    let mem = store.memory_export(inst, "memory").unwrap();
    assert_eq!(
        std::str::from_utf8(&store.memory(mem)[..9]).unwrap(),
        "xịn xò"
    );
}

#[test]
fn sum_uses_the_host_memory() {
    let mut store = Store::default();
    let mem = store.new_memory(1, None).unwrap();
    store.write_memory(mem, 0, &40i32.to_le_bytes()).unwrap();
    store.write_memory(mem, 4, &2i32.to_le_bytes()).unwrap();
    let mut imports = Imports::new();
    imports.define("js", "mem", Extern::Memory(mem));
    let inst = instantiate("sum.wat", &imports, &mut store);
    call(&mut store, inst, "sum", &[]);
    let mut out = [0u8; 4];
    store.read_memory(mem, 8, &mut out).unwrap();
    assert_eq!(i32::from_le_bytes(out), 42);
}

#[test]
fn sum_in_node_when_available() {
    let Ok(out) = std::process::Command::new("node").arg("--version").output() else {
        eprintln!("node is not installed: the Node.js half of the sum example is not run");
        return;
    };
    assert!(out.status.success());
    let wasm = std::env::temp_dir().join(format!("watlink-sum-{}.wasm", std::process::id()));
    std::fs::write(&wasm, example("sum.wat")).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sum.mjs");
    let out = std::process::Command::new("node")
        .arg(script)
        .arg(&wasm)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&wasm);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "42");
}

#[test]
fn struct_fields_and_partial_loads() {
    let mut store = Store::default();
    let inst = instantiate("struct_fields.wat", &Imports::new(), &mut store);
    call(&mut store, inst, "store_point", &[64, 7, -9]);
    assert_eq!(call_i32(&mut store, inst, "y", &[64]), -9);
    assert_eq!(call_i32(&mut store, inst, "tag_signed", &[64]), -2);
    assert_eq!(call_i32(&mut store, inst, "tag_unsigned", &[64]), 0xfffe);
    assert_eq!(call_i32(&mut store, inst, "flags_signed", &[64]), -127);
    assert_eq!(call_i32(&mut store, inst, "flags_unsigned", &[64]), 0x81);
    for k in 0..4 {
        assert_eq!(call_i32(&mut store, inst, "byte_of_word", &[128, k]), k + 1);
    }
}

#[test]
fn passive_data_grow_size_and_bounds() {
    let mut store = Store::default();
    let inst = instantiate("memory_ops.wat", &Imports::new(), &mut store);
    call(&mut store, inst, "init", &[100]);
    let bytes: Vec<i32> = (0..5)
        .map(|i| call_i32(&mut store, inst, "load8", &[100 + i]))
        .collect();
    assert_eq!(bytes, b"hello".map(i32::from));
    // The segment was dropped: initialising from it again is out of bounds.
    let again = store.invoke(inst, "init", &[Value::I32(0)]).unwrap_err();
    assert_eq!(again.message(), "out of bounds memory access");

    assert_eq!(call_i32(&mut store, inst, "size_pages", &[]), 1);
    assert_eq!(call_i32(&mut store, inst, "grow", &[1]), 1);
    assert_eq!(call_i32(&mut store, inst, "size_bytes", &[]), 2 * 65536);
    assert_eq!(
        call_i32(&mut store, inst, "grow", &[2]),
        -1,
        "past the maximum of 3 pages"
    );
    assert_eq!(call_i32(&mut store, inst, "grow", &[1]), 2);
    assert_eq!(call_i32(&mut store, inst, "last_byte", &[]), 0);
    let trap = store.invoke(inst, "past_end", &[]).unwrap_err();
    assert_eq!(trap.message(), "out of bounds memory access");
}

#[test]
fn strlen_and_length_prefixed_array() {
    let mut store = Store::default();
    let inst = instantiate("strlen.wat", &Imports::new(), &mut store);
    assert_eq!(
        call_i32(&mut store, inst, "strlen", &[16]),
        "watlink".len() as i32
    );
    assert_eq!(call_i32(&mut store, inst, "sum_array", &[32]), 100);
}

/// Links an example with `watlink::Linker` (the flags its header comment documents).
fn link_example(name: &str, linker: &mut watlink::Linker) -> watlink::Linked {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    linker
        .input_file(&path)
        .link()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Memory 0's `(min, max)` pages as written in the binary, and whether any function has
/// `memory.grow`.
fn memory_limits_and_grow(wasm: &[u8]) -> ((u64, Option<u64>), bool) {
    let mut limits = None;
    let mut grows = false;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        match payload.unwrap() {
            wasmparser::Payload::MemorySection(r) => {
                let m = r.into_iter().next().unwrap().unwrap();
                limits = Some((m.initial, m.maximum));
            }
            wasmparser::Payload::CodeSectionEntry(body) => {
                let mut ops = body.get_operators_reader().unwrap();
                while !ops.eof() {
                    grows |= matches!(ops.read().unwrap(), wasmparser::Operator::MemoryGrow { .. });
                }
            }
            _ => {}
        }
    }
    (limits.expect("a memory section"), grows)
}

#[test]
fn bump_alloc_starts_at_heap_base_and_grows_a_page_at_a_time() {
    let linked = link_example("bump_alloc.wat", watlink::Linker::new().stack_size(8192));
    let heap_base = linked.plan.symbols.heap_base.unwrap();
    assert_eq!(
        heap_base, 8192,
        "stack first: the heap starts at the stack top"
    );
    let ((min, _), grows) = memory_limits_and_grow(&linked.wasm);
    assert_eq!(min, 1);
    assert!(grows);

    let mut store = Store::default();
    let module = Module::new(&linked.wasm).unwrap();
    let inst = store.instantiate(&module, &Imports::new()).unwrap();
    assert_eq!(
        store.get_global(inst, "__heap_base"),
        Some(Value::I32(heap_base as i32))
    );
    assert_eq!(call_i32(&mut store, inst, "pages", &[]), 1);

    let first = call_i32(&mut store, inst, "alloc", &[3, 1]);
    assert_eq!(
        first as u64, heap_base,
        "the first allocation is at __heap_base"
    );
    // Odd sizes and growing alignments until memory has grown twice.
    let mut end = first as u64 + 3;
    let mut sizes = [1000, 7, 4096, 33].iter().cycle();
    let mut aligns = [1, 2, 4, 8, 16, 64].iter().cycle();
    let mut grown_at = Vec::new();
    while grown_at.len() < 2 {
        let (size, align) = (*sizes.next().unwrap(), *aligns.next().unwrap());
        let pages_before = call_i32(&mut store, inst, "pages", &[]);
        let addr = call_i32(&mut store, inst, "alloc", &[size, align]) as u64;
        assert_ne!(addr, 0, "allocation failed");
        assert_eq!(addr % align as u64, 0, "{addr} is not aligned to {align}");
        assert!(
            addr >= end,
            "{addr} overlaps the previous block ending at {end}"
        );
        assert!(
            addr - end < align as u64,
            "a gap larger than the alignment at {addr}"
        );
        end = addr + size as u64;
        let pages = call_i32(&mut store, inst, "pages", &[]);
        assert!(end <= pages as u64 * 65536, "block past the end of memory");
        if pages != pages_before {
            assert_eq!(pages, pages_before + 1, "grows one page at a time");
            grown_at.push(addr);
        }
    }
    // The blocks that made memory grow are usable: write to their last byte.
    let mem = store.memory_export(inst, "memory").unwrap();
    assert_eq!(store.memory(mem).len(), 3 * 65536);
    store.write_memory(mem, end - 1, &[0xAB]).unwrap();

    // A block larger than a page grows memory by several pages, one page at a time.
    let big = call_i32(&mut store, inst, "alloc", &[3 * 65536, 16]) as u64;
    assert_eq!(big % 16, 0);
    assert_eq!(
        call_i32(&mut store, inst, "pages", &[]) as u64,
        (big + 3 * 65536).div_ceil(65536)
    );

    call(&mut store, inst, "reset", &[]);
    assert_eq!(
        call_i32(&mut store, inst, "alloc", &[1, 16]) as u64,
        heap_base
    );
}

#[test]
fn embedded_memory_is_exactly_what_heap_base_needs() {
    let linked = link_example(
        "embedded.wat",
        watlink::Linker::new().stack_size(4096).no_growable_memory(),
    );
    let plan = &linked.plan;
    let heap_base = plan.symbols.heap_base.unwrap();
    let calibration = plan.segment(".rodata.calibration").unwrap();
    let samples = plan.segment(".bss.samples").unwrap();
    assert_eq!(calibration.address, 4096, "data right above the stack");
    assert_eq!(samples.address % 16, 0);
    assert_eq!(heap_base, (samples.end()).next_multiple_of(16));

    let pages = heap_base.div_ceil(65536);
    assert_eq!(
        pages, 2,
        "64 KiB of samples above the stack need a second page"
    );
    let ((min, max), grows) = memory_limits_and_grow(&linked.wasm);
    assert_eq!(min, pages);
    assert_eq!(max, Some(pages), "--no-growable-memory: max == min");
    assert_eq!((plan.min_pages, plan.max_pages), (pages, Some(pages)));
    assert!(!grows, "no memory.grow in an embedded module");

    let mut store = Store::default();
    let module = Module::new(&linked.wasm).unwrap();
    let inst = store.instantiate(&module, &Imports::new()).unwrap();
    assert_eq!(
        store.get_global(inst, "__heap_base"),
        Some(Value::I32(heap_base as i32))
    );
    let mem = store.memory_export(inst, "memory").unwrap();
    assert_eq!(store.memory(mem).len() as u64, pages * 65536);
    // Gains 1.0, 1.5, 2.0, 0.75 (in 1/256ths, from the rodata table).
    for (channel, raw) in [(0, 100), (1, 100), (2, 100), (3, 100)] {
        call(&mut store, inst, "record", &[channel, raw]);
    }
    assert_eq!(
        call_i32(&mut store, inst, "mean", &[]),
        (100 + 150 + 200 + 75) / 4
    );
    // The samples went to the bss buffer the plan placed.
    let mut second = [0u8; 4];
    store
        .read_memory(mem, samples.address + 4, &mut second)
        .unwrap();
    assert_eq!(i32::from_le_bytes(second), 150);
}
