//! Text format front end: lexer, grammar, parse tree.
//!
//! ```text
//! &str -lexer-> tokens -grammar (LALRPOP)-> syntax::Module | syntax::Script
//! ```

mod actions;
pub mod lexer;
pub mod number;
mod parse;
pub mod syntax;

pub use parse::{blank_warning, is_blank, parse_module, parse_script};
