//! The `spectest` host module every spec script may import from.

use std::collections::HashMap;

use crate::exec::{Extern, FuncType, Store, ValType, Value};

/// Creates the `spectest` entities in `store`; returns them by export name.
pub(super) fn define(store: &mut Store) -> HashMap<String, Extern> {
    use ValType::*;
    let mut map = HashMap::new();
    let funcs: [(&str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[I32]),
        ("print_i64", &[I64]),
        ("print_f32", &[F32]),
        ("print_f64", &[F64]),
        ("print_i32_f32", &[I32, F32]),
        ("print_f64_f64", &[F64, F64]),
    ];
    for (name, params) in funcs {
        let f = store.host_func(FuncType::new(params.to_vec(), vec![]), |_| Ok(vec![]));
        map.insert(name.to_string(), Extern::Func(f));
    }
    let globals = [
        ("global_i32", Value::I32(666)),
        ("global_i64", Value::I64(666)),
        ("global_f32", Value::F32(666.6f32.to_bits())),
        ("global_f64", Value::F64(666.6f64.to_bits())),
    ];
    for (name, v) in globals {
        map.insert(name.to_string(), Extern::Global(store.new_global(v, false)));
    }
    if let Ok(t) = store.new_table(FuncRef, 10, Some(20)) {
        map.insert("table".to_string(), Extern::Table(t));
    }
    if let Ok(m) = store.new_memory(1, Some(2)) {
        map.insert("memory".to_string(), Extern::Memory(m));
    }
    // The threads proposal's shared memory: 1 to 2 pages.
    let shared = crate::exec::MemType {
        min: 1,
        max: Some(2),
        index64: false,
        shared: true,
        page_log2: 16,
    };
    if let Ok(m) = store.alloc_memory(shared) {
        map.insert(
            "shared_memory".to_string(),
            Extern::Memory(crate::exec::MemoryHandle(m)),
        );
    }
    map
}
