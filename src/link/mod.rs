//! The linker. (stub)
