//! The interpreter. (stub)
