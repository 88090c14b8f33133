//! The compiler's front door: text in, validated bytes out.

mod functions;
mod source_map;

pub use source_map::SourceMap;

use std::path::Path;

use crate::error::{Class, Error, Errors};
use crate::span::Span;

/// The WebAssembly features a module may use: what the text may say and what validation accepts.
///
/// The base is always WebAssembly 2.0 (which includes fixed-width SIMD); each field adds one proposal
/// of WebAssembly 3.0. [`Features::default`] is [`Features::wasm3`], the current standard.
/// [`crate::binary::features`] maps this to wasmparser's flags, in one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Features {
    /// `return_call`, `return_call_indirect`.
    pub tail_call: bool,
    /// Several memories, memory indices on memory instructions.
    pub multi_memory: bool,
    /// 64-bit memories and tables (`(memory i64 1)`), 64-bit memory offsets.
    pub memory64: bool,
    /// `i32.add` and friends in constant expressions.
    pub extended_const: bool,
    /// Typed function references (`(ref $t)`, `call_ref`).
    pub function_references: bool,
    /// Garbage-collected structs and arrays.
    pub gc: bool,
    /// Exception handling (`try_table`, `throw`).
    pub exceptions: bool,
    /// Relaxed SIMD.
    pub relaxed_simd: bool,
    /// Shared memories and atomics.
    pub threads: bool,
}

impl Features {
    /// WebAssembly 2.0 and nothing more.
    pub const fn wasm2_only() -> Self {
        Features {
            tail_call: false,
            multi_memory: false,
            memory64: false,
            extended_const: false,
            function_references: false,
            gc: false,
            exceptions: false,
            relaxed_simd: false,
            threads: false,
        }
    }

    /// WebAssembly 2.0 plus tail calls (`--features wasm2`).
    pub const fn wasm2() -> Self {
        Features {
            tail_call: true,
            ..Self::wasm2_only()
        }
    }

    /// WebAssembly 3.0 (`--features wasm3`): every field set.
    pub const fn wasm3() -> Self {
        Features {
            tail_call: true,
            multi_memory: true,
            memory64: true,
            extended_const: true,
            function_references: true,
            gc: true,
            exceptions: true,
            relaxed_simd: true,
            threads: true,
        }
    }
}

impl Default for Features {
    /// WebAssembly 3.0, the current standard.
    fn default() -> Self {
        Features::wasm3()
    }
}

/// What `compile` does besides translating.
#[derive(Clone, Debug)]
pub struct CompileOptions {
    /// The features the module may use (default: WebAssembly 3.0).
    pub features: Features,
    /// Validate the output with wasmparser (default: yes).
    pub validate: bool,
    /// Emit a name section from the text's `$ids` (default: yes).
    pub name_section: bool,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            features: Features::default(),
            validate: true,
            name_section: true,
        }
    }
}

/// Compiles a text module to a validated binary.
///
/// # Errors
/// Every error found, located in `text`; see [`Errors::render`].
///
/// ```
/// let err = watlink::compile_str("(module (func (result i32)))").unwrap_err();
/// assert!(err.first().message.starts_with("type mismatch"));
/// ```
pub fn compile_str(text: &str) -> Result<Vec<u8>, Errors> {
    compile("<input>", text, &CompileOptions::default())
}

/// Compiles `text`, naming it `name` in diagnostics.
///
/// # Errors
/// Every error found, located in `text`.
pub fn compile(name: &str, text: &str, options: &CompileOptions) -> Result<Vec<u8>, Errors> {
    let fail = |errors: Vec<Error>| Errors::new(name, text, errors);
    if let Some(result) = functions::compile(text, options) {
        return result.map_err(fail);
    }
    let syntax = crate::text::parse_module(text).map_err(fail)?;
    compile_module(&syntax, options).map_err(fail)
}

/// Compiles an already parsed module (the `.wast` runner and the conformance checks use this).
///
/// # Errors
/// Resolution and validation errors, located in the text the module was parsed from.
pub fn compile_module(
    syntax: &crate::text::syntax::Module<'_>,
    options: &CompileOptions,
) -> Result<Vec<u8>, Vec<Error>> {
    let mut module = crate::resolve::resolve_with(syntax, &options.features)?;
    if !options.name_section {
        module.names = Default::default();
    }
    let bytes = crate::binary::encode(&module);
    if options.validate {
        crate::binary::validate(&bytes, &module, &options.features).map_err(|errors| {
            // Limits and segment errors: at their field in the text.
            let place = |e| crate::text::locate_field(syntax, e);
            errors.into_iter().map(place).collect::<Vec<_>>()
        })?;
    }
    Ok(bytes)
}

/// Reads a source file: its text, or a located error if it is not UTF-8.
///
/// # Errors
/// An [`Class::Io`] error if the file cannot be read, a [`Class::Malformed`] one at the first invalid
/// byte if it is not UTF-8.
pub fn read_source(path: &Path) -> Result<String, Errors> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        Errors::new(
            &name,
            "",
            vec![Error::unlocated(
                Class::Io,
                format!("cannot read {name}: {e}"),
            )],
        )
    })?;
    text_from_bytes(&name, bytes)
}

/// Turns input bytes into source text, or a located error at the first byte that is not UTF-8.
///
/// # Errors
/// A [`Class::Malformed`] error "malformed UTF-8 encoding" pointing at the bad byte.
pub fn text_from_bytes(name: &str, bytes: Vec<u8>) -> Result<String, Errors> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
        // The lossy text has U+FFFD (3 bytes) where the bad byte was; `at` is still its start.
        let err = Error::malformed("malformed UTF-8 encoding", Span::new(at, at + 1))
            .with_label("this byte is not valid UTF-8");
        Errors::new(name, text, vec![err])
    })
}

/// Compiles the file at `path`.
///
/// # Errors
/// As [`compile`], plus I/O and UTF-8 errors.
pub fn compile_file(path: &Path, options: &CompileOptions) -> Result<Vec<u8>, Errors> {
    let text = read_source(path)?;
    compile(&path.display().to_string(), &text, options)
}
