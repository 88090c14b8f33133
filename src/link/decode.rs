//! Binary modules as linker inputs: wasm bytes to [`ast::Module`].

use crate::ast;
use crate::error::{Class, Error};

/// Decodes `bytes` into a resolved module.
///
/// # Errors
/// A malformed-class error if the module does not decode.
pub(super) fn decode(bytes: &[u8]) -> Result<ast::Module, Error> {
    let _ = bytes;
    Err(Error::unlocated(
        Class::Malformed,
        "linking .wasm inputs is not supported yet; link the .wat text instead",
    ))
}
