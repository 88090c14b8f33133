//! Runs the module `build.rs` linked, and prints the placed string it finds at `GREETING_ADDR`.

use watlink::exec::{Imports, Module, Store, Value};

// `pub mod app { WASM, EXPORTS, HEAP_BASE, GREETING_ADDR, … }`, written by build.rs.
include!(concat!(env!("OUT_DIR"), "/app_layout.rs"));

use app::{EXPORTS, GREETING_ADDR, GREETING_LEN, HEAP_BASE, STACK_HIGH, STACK_LOW, WASM};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let module = Module::new(WASM)?;
    let mut store = Store::default();
    let instance = store.instantiate(&module, &Imports::new())?;
    let memory = store
        .memory_export(instance, "memory")
        .ok_or("the module exports no memory")?;

    let mut bytes = vec![0; GREETING_LEN as usize];
    store.read_memory(memory, u64::from(GREETING_ADDR), &mut bytes)?;
    let greeting = std::str::from_utf8(&bytes)?;

    let expected: i32 = bytes.iter().map(|&b| i32::from(b)).sum();
    let checksum = store.invoke(instance, "checksum", &[])?;
    if checksum != [Value::I32(expected)] {
        return Err(format!("checksum: module says {checksum:?}, host says {expected}").into());
    }
    let heap_base = store.get_global(instance, "__heap_base");
    if heap_base != Some(Value::I32(HEAP_BASE as i32)) {
        return Err(format!("__heap_base is {heap_base:?}, the layout says {HEAP_BASE}").into());
    }

    println!("{greeting}");
    eprintln!(
        "exports {EXPORTS:?}; greeting at {GREETING_ADDR} ({GREETING_LEN} bytes); \
         stack [{STACK_LOW}, {STACK_HIGH}); heap from {HEAP_BASE}"
    );
    Ok(())
}
