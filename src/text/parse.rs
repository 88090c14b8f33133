//! Glue between the lexer, the LALRPOP grammar and our error type. (stub: filled in by the grammar work)

use crate::error::Error;
use crate::span::Span;
use crate::text::syntax::{Module, Script};

/// Parses a text module (`(module …)` or a bare list of fields).
///
/// # Errors
/// Malformed-class errors with their locations.
pub fn parse_module(source: &str) -> Result<Module<'_>, Vec<Error>> {
    let _ = source;
    Err(vec![Error::malformed(
        "parser not implemented",
        Span::default(),
    )])
}

/// Parses a `.wast` script.
///
/// # Errors
/// Malformed-class errors with their locations.
pub fn parse_script(source: &str) -> Result<Script<'_>, Vec<Error>> {
    let _ = source;
    Err(vec![Error::malformed(
        "parser not implemented",
        Span::default(),
    )])
}
