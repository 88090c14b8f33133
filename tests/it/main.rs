//! Integration tests (one binary: each test binary costs a link step).

// The conformance checks, shared with `examples/conformance.rs`.
#[path = "../support/conformance.rs"]
mod conformance;

mod build_script;
// These run the `watlink` binary, built only with the `cli` feature (a default one).
#[cfg(feature = "cli")]
mod cli;
mod differential;
mod examples;
mod gc_text;
#[cfg(feature = "cli")]
mod link;
#[cfg(feature = "print")]
mod print;
#[cfg(feature = "cli")]
mod readme;
mod robust;
#[cfg(feature = "cli")]
mod run;
mod spec;
mod ui;
