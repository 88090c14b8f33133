//! The interpreter: bytes → wasmparser-validated [`Module`] → lowered flat code → values or a [`Trap`].
//!
//! The shape follows wasmi v0.31: every function body is validated and lowered once into a flat
//! `Vec<Op>` with branch targets and keep counts resolved; execution is one `loop { match op }` over
//! an untyped `u64` value stack with an explicit frame stack (guest calls never recurse on the host
//! stack). Store entities (functions, tables, memories, globals, segments, instances) live in arenas
//! behind typed `Copy` handles.
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
//! SIMD (`v128`) instructions validate but are not executed: running one traps with
//! "SIMD is not supported by this interpreter".

mod code;
mod decode;
mod instantiate;
mod interp;
mod lower;
mod module;
pub mod num;
mod store;
#[cfg(test)]
mod tests;
mod trap;
mod value;

pub(crate) use code::FuncCode;
pub(crate) use module::*;
pub use module::{Module, features};
pub(crate) use store::*;
pub use store::{Extern, HostFunc, Imports, Limits, Store};
pub use trap::{Trap, TrapCode};
pub use value::{
    FuncHandle, FuncType, GlobalHandle, InstanceHandle, MemoryHandle, TableHandle, ValType, Value,
};
