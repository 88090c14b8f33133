//! The interpreter: bytes → wasmparser-validated [`Module`] → lowered flat code → values or a [`Trap`].
//!
//! Every function body is validated when the module loads and lowered on its first call into
//! register-machine code over 64-bit cells (`code.rs`, `lower.rs`): locals and temporaries are slots
//! of the frame, a v128 takes two. Execution is one `loop { match op }` (`interp.rs`) with an
//! explicit frame stack, so guest calls never recurse on the host stack. Store entities (functions,
//! tables, memories, globals, segments, instances) live in arenas behind typed `Copy` handles.
//!
//! - `module.rs`: decoding (malformed, with `decode.rs`), validation (invalid), what lowering needs;
//! - `store.rs`, `instantiate.rs`: the store, the host API, instantiation;
//! - `value.rs`, `trap.rs`: values at the API boundary and their cells, traps;
//! - `code.rs`: the op set, the numeric instructions listed once; `lower.rs`; `interp.rs`;
//! - `exn.rs`: exception handling (tags, exception objects, the handler tables of `try_table`
//!   and the unwinder);
//! - `memory.rs`: the general memory instructions (other memories, memory64, custom page sizes,
//!   atomics), out of the dispatch loop's fast path;
//! - `gc.rs`: GC: reference cells, canonical struct and array types, the heap of objects behind
//!   handles with its mark-and-sweep collector, the GC instructions and casts;
//! - `num.rs`: scalar numerics as pure functions; `simd.rs`: v128 lane numerics and the SIMD
//!   instruction table.
//!
//! ```
//! use watlink::exec::{Imports, Module, Store, Value};
//! let wasm = wat::parse_str(r#"(module (func (export "add") (param i32 i32) (result i32)
//!     local.get 0 local.get 1 i32.add))"#).unwrap();
//! let module = Module::new(&wasm).unwrap();
//! let mut store = Store::default();
//! let inst = store.instantiate(&module, &Imports::new()).unwrap();
//! assert_eq!(store.invoke(inst, "add", &[Value::I32(2), Value::I32(40)]).unwrap(), vec![Value::I32(42)]);
//! ```
//!
//! Every instruction of fixed-width SIMD runs, and relaxed SIMD with the reference
//! interpreter's deterministic choices (listed in `simd.rs`).

mod code;
mod decode;
mod exn;
mod gc;
mod instantiate;
mod interp;
mod lower;
mod memory;
mod module;
pub mod num;
mod simd;
mod store;
#[cfg(test)]
mod tests;
mod trap;
mod value;

pub(crate) use code::FuncCode;
pub(crate) use exn::*;
pub(crate) use module::*;
pub use module::{ExternType, Module, features};
pub(crate) use store::*;
pub use store::{Caller, Extern, HostFunc, HostFuncWithCaller, Imports, Limits, Store};
pub use trap::{TraceFrame, Trap, TrapCode};
pub use value::{
    AnyKind, AnyRef, ExnHandle, FuncHandle, FuncType, GlobalHandle, InstanceHandle, MemoryHandle,
    TableHandle, TagHandle, ValType, Value,
};
