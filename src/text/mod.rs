//! Text format front end: lexer, grammar, parse tree.
//!
//! ```text
//! &str -lexer-> tokens -grammar (LALRPOP)-> syntax::Module | syntax::Script
//! ```

mod actions;
pub(crate) mod body;
pub(crate) mod lazy;
pub mod lexer;
mod locate;
pub mod number;
mod parse;
pub mod syntax;

pub use locate::locate_field;
pub use parse::{blank_warning, is_blank, parse_module, parse_script};
