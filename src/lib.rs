//! watlink: a toolchain for WebAssembly's text format.
//!
//! ```text
//! compile: &str -lexer-> tokens -grammar-> text::syntax -resolve-> ast::Module -binary::encode-> bytes
//!                                                                               -binary::validate-> ok | located errors
//! link:    [ast::Module] + layout options -link-> ast::Module -encode-> bytes
//! exec:    bytes -wasmparser-> exec::lower -> flat code -exec::interp-> values | trap
//! script:  .wast -grammar-> script syntax -script::run-> drives compile + exec
//! ```
//!
//! The CLI (`watlink compile|link|run|wast|print|validate`) is a thin edge over this library.
//!
//! Cargo features: `cli` (default) builds the `watlink` command and brings clap; `print` (part of
//! `cli`) adds the `print` module, binary to text with wasmprinter. With
//! `default-features = false` the crate is the compiler, linker, interpreter and build-script API
//! alone, a light build-dependency.
//!
//! ```
//! let wasm = watlink::compile_str(r#"(module (func (export "one") (result i32) i32.const 1))"#).unwrap();
//! assert_eq!(&wasm[..4], b"\0asm");
//! ```
#![deny(missing_docs)]
// `Error` carries its labels and notes inline (about 130 bytes); it is only built on the failure path,
// and boxing it would put an allocation and an indirection on every error-producing call for nothing.
#![allow(clippy::result_large_err)]

pub mod ast;
pub mod binary;
pub mod build;
pub mod diagnostic;
pub mod error;
pub mod exec;
pub mod instr;
pub mod link;
pub mod output;
#[cfg(feature = "print")]
pub mod print;
pub mod resolve;
pub mod script;
pub mod span;
pub mod text;
#[cfg(feature = "wasi")]
pub mod wasi;

mod compile;

pub use compile::{
    CompileOptions, Features, SourceMap, compile, compile_file, compile_module, compile_str,
    read_source, text_from_bytes,
};
pub use error::{Class, Error, Errors};
pub use link::{Linked, Linker};
