//! The linker. So far: the memory layout planner, which reproduces wasm-ld's numbers.
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

mod layout;
mod map;
#[cfg(test)]
mod tests;

pub use layout::{
    DEFAULT_GLOBAL_BASE, DEFAULT_STACK_SIZE, Flavor, HEAP_ALIGN, LayoutOptions, MAX_MEMORY_32,
    PAGE_SIZE, Placed, Plan, STACK_ALIGN, Segment, SegmentKind, Symbols, plan,
};
