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
