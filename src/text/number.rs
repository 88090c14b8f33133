//! Numeric literals: text to values once the expected type is known. (stub: filled in by the grammar work)

use crate::error::Error;
use crate::span::Span;

/// Parses an f32 literal of the text format (stub until the grammar work lands).
///
/// # Errors
/// "constant out of range" or "unknown operator".
pub fn parse_f32(text: &str) -> Result<u32, Error> {
    text.replace('_', "")
        .parse::<f32>()
        .map(f32::to_bits)
        .map_err(|_| Error::malformed("unknown operator", Span::default()))
}

/// Parses an f64 literal of the text format (stub until the grammar work lands).
///
/// # Errors
/// "constant out of range" or "unknown operator".
pub fn parse_f64(text: &str) -> Result<u64, Error> {
    text.replace('_', "")
        .parse::<f64>()
        .map(f64::to_bits)
        .map_err(|_| Error::malformed("unknown operator", Span::default()))
}
