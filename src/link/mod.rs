//! The linker: resolved modules in, one module with placed data and wasm-ld's symbols out.
//!
//! ```text
//! [ast::Module] + LinkOptions -merge: classify imports, collect (@place …) data-> plan -build-> ast::Module -encode-> bytes
//! ```
//!
//! [`Linker`] is the front door (the CLI's `watlink link` is a thin edge over it). Hand-written WAT
//! marks data with `(data $name (@place rodata|data|bss (align N)? (size N)?) …)` and imports what the
//! linker defines: `(import "env" "__heap_base" (global i32))`, `(import "watlink:data" "name" (global
//! i32))` for a segment's address and `"watlink:size"` for its length. To any other tool such a module
//! is valid text with a passive segment.
//!
//! ```
//! use watlink::Linker;
//!
//! let app = r#"(module
//!   (import "env" "__heap_base" (global $heap_base i32))
//!   (import "watlink:data" "greeting" (global $greeting i32))
//!   (import "watlink:size" "greeting" (global $greeting_len i32))
//!   (memory 1)
//!   (data $greeting (@place rodata) "hi")
//!   (data $buffer (@place bss (align 16) (size 4096)))
//!   (func (export "greeting") (result i32) (global.get $greeting)))"#;
//! let linked = Linker::new().stack_size(8192).input_str("app.wat", app).link().unwrap();
//! // Stack first: [0, 8192), then rodata, bss, and the heap (16-aligned).
//! assert_eq!(linked.plan.segment(".rodata.greeting").unwrap().address, 8192);
//! assert_eq!(linked.plan.segment(".bss.buffer").unwrap().address, 8208);
//! assert_eq!(linked.plan.symbols.heap_base, Some(8208 + 4096));
//! assert_eq!(&linked.wasm[..4], b"\0asm");
//!
//! // Errors point into the text.
//! let err = Linker::new()
//!     .input_str("bad.wat", r#"(module (import "watlink:data" "nope" (global i32)))"#)
//!     .link()
//!     .unwrap_err();
//! assert_eq!(err.first().message, "unknown placed data segment `nope`");
//! ```
//!
//! Modules can also come resolved ([`Linker::input_module`]) or binary ([`Linker::input_wasm`];
//! their data stays where it is). Several inputs are merged: index spaces concatenated in input
//! order, types deduplicated, an import bound to another input's export of that name (module `env`
//! or the exporting input's file stem), other imports kept, one memory.
//!
//! The planner alone:
//!
//! [`plan`] takes the data segments of the objects being linked and wasm-ld's layout flags
//! ([`LayoutOptions`]) and returns a [`Plan`]: every segment's address, the linker-synthesized
//! symbols (`__stack_pointer`, `__data_end`, `__heap_base`, …) and the memory limits. A plan renders
//! as a table ([`Plan::table`]), a one-line picture ([`Plan::picture`]) and JSON ([`Plan::to_json`]).
//! The layout itself is described (with diagrams) in `layout.rs`.
//!
//! ```
//! use watlink::link::{plan, LayoutOptions, Segment, SegmentKind};
//!
//! let segments = [
//!     Segment::new(".rodata.table", 20, 16, SegmentKind::ReadOnly),
//!     Segment::new(".data.counter", 4, 4, SegmentKind::Writable),
//!     Segment::new(".bss.buffer", 100, 16, SegmentKind::Zero),
//! ];
//! // watlink's default: the stack (64 KiB) first, data above it.
//! let p = plan(&segments, &LayoutOptions::default()).unwrap();
//! assert_eq!(p.symbols.stack_pointer, 65536);
//! assert_eq!(p.segment(".data.counter").unwrap().address, 65536 + 20);
//! assert_eq!(p.symbols.heap_base, Some(65536 + 144));
//! assert_eq!(p.min_pages, 2);
//! println!("{}\n{}", p.table(), p.picture(64));
//!
//! // Too little memory is an error with wasm-ld's words and a note on what would work.
//! let small = LayoutOptions { initial_memory: Some(65536), ..LayoutOptions::default() };
//! let errors = plan(&segments, &small).unwrap_err();
//! assert_eq!(errors[0].message, "initial memory too small, 65680 bytes needed");
//! assert!(errors[0].notes.iter().any(|n| n.contains("--initial-memory=131072")));
//! ```

mod decode;
pub(crate) mod flags;
mod inspect;
mod layout;
#[cfg(test)]
mod link_tests;
mod linker;
mod map;
mod merge;
mod remap;
#[cfg(test)]
mod tests;

pub use flags::{FLAGS, Flag, apply, apply_args};
pub use inspect::{Recovered, recover};
pub use layout::{
    DEFAULT_GLOBAL_BASE, DEFAULT_STACK_SIZE, Flavor, HEAP_ALIGN, LayoutOptions, MAX_MEMORY_32,
    PAGE_SIZE, Placed, Plan, STACK_ALIGN, Segment, SegmentKind, Symbols, plan,
};
pub use linker::{Entry, LinkOptions, Linked, Linker};
pub use merge::{DATA_MODULE, SIZE_MODULE, SYNTHESIZED};

use linker::Input;
