//! Unit tests of expansion and resolution on hand-built parse trees.
