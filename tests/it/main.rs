//! Integration tests (one binary: each test binary costs a link step).

mod spec;
