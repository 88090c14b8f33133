//! Integration tests (one binary: each test binary costs a link step).

mod build_script;
mod cli;
mod differential;
mod examples;
mod link;
mod readme;
mod robust;
mod spec;
mod ui;
