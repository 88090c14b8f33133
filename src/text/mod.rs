//! Text format front end: lexer, grammar, parse tree.
//!
//! ```text
//! &str -lexer-> tokens -grammar (LALRPOP)-> syntax::Module | syntax::Script
//! ```

mod actions;
pub(crate) mod lazy;
pub mod lexer;
pub mod number;
mod parse;
pub mod syntax;

pub use parse::{parse_module, parse_script};
