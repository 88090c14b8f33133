//! Numeric literals: text to values once the expected type is known. (stub: filled in by the grammar work)
