//! Binary output: `ast::Module` to bytes with wasm-encoder, and validation mapped back to the text.
//!
//! [`encode`] writes the same bytes as the `wat` crate for the same module (custom sections aside);
//! [`validate`] runs wasmparser's validator with [`features`] and points each error at the instruction
//! (or module field) it is about.

mod encode;
mod names;
mod validate;

#[cfg(test)]
mod tests;

use crate::Features;
use crate::ast;
use crate::error::{Error, Errors};

pub use validate::features;
pub(crate) use validate::{FuncAllocations, FuncToValidate, Streaming};

/// Encodes a resolved module.
///
/// Never panics. A module whose counts or sizes exceed the binary format's u32 limits (several GiB)
/// cannot be written and encodes as an empty byte vector, which [`validate`] rejects.
pub fn encode(module: &ast::Module) -> Vec<u8> {
    encode::encode(module)
}

/// Validates `bytes` (the encoding of `module`) with wasmparser under `features`; errors point at the
/// instruction.
///
/// # Errors
/// Invalid-class errors (wasmparser stops at the first, so there is at most one).
pub fn validate(bytes: &[u8], module: &ast::Module, features: &Features) -> Result<(), Vec<Error>> {
    validate::validate(bytes, module, features)
}

/// Validates a binary module (from any producer) under `features`, naming it `name` in the errors.
///
/// There is no text to point into: each error's note gives the byte offset (`app.wasm:0x2c`) and,
/// in a function body, the function's index, its name from the name section if there is one, and
/// the offset into the body.
///
/// # Errors
/// Malformed-class errors if the bytes do not decode (the first only), invalid-class ones otherwise:
/// the first error of the module's declarations, or the first of every function body that has one.
///
/// ```
/// let wasm = watlink::compile_str("(module (func $f (result i32) i32.const 1))").unwrap();
/// watlink::binary::validate_binary("f.wasm", &wasm, &watlink::Features::default()).unwrap();
/// let err = watlink::binary::validate_binary("x.wasm", b"\0asm", &watlink::Features::default());
/// assert_eq!(err.unwrap_err().first().class, watlink::Class::Malformed);
/// ```
pub fn validate_binary(name: &str, bytes: &[u8], features: &Features) -> Result<(), Errors> {
    validate::validate_binary(name, bytes, features).map_err(|errors| Errors::new(name, "", errors))
}

/// Pieces for compiling one function at a time (see `crate::compile`): the module is written as a
/// head (every section before the code section), the bodies, and the rest.
pub(crate) mod parts {
    use super::{encode, validate};
    pub(crate) use encode::{Writer, func_body, func_end, func_instr, func_locals};
    pub(crate) use validate::func as validate_func;

    /// Whether `module` is too large for the binary format's u32 counts (see [`super::encode`]).
    pub(crate) fn exceeds_binary_limits(module: &crate::ast::Module) -> bool {
        encode::exceeds_binary_limits(module)
    }

    /// The code section holding `bodies` (each as [`func_body`] writes it), `None` if there are
    /// none.
    pub(crate) fn code_section<'a>(
        bodies: impl IntoIterator<Item = &'a [u8]>,
    ) -> Option<wasm_encoder::CodeSection> {
        let mut code = wasm_encoder::CodeSection::new();
        for body in bodies {
            code.raw(body);
        }
        (!code.is_empty()).then_some(code)
    }
}
