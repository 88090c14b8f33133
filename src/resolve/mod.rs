//! Expansion and name resolution: `text::syntax::Module` to `ast::Module`. (stub)

use crate::ast;
use crate::error::Error;
use crate::span::Span;
use crate::text::syntax;

/// Expands the module's abbreviations and resolves every name to a typed index.
///
/// # Errors
/// Unknown and duplicate names, mismatched type uses, … (several per run).
pub fn resolve(module: &syntax::Module<'_>) -> Result<ast::Module, Vec<Error>> {
    let _ = module;
    Err(vec![Error::malformed(
        "resolve not implemented",
        Span::default(),
    )])
}
