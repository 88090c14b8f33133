//! Errors, classified as the spec's assertions classify them.
//!
//! Every stage reports [`Error`]s: a class, a message that starts with the spec suite's wording (the
//! `.wast` runner compares by prefix), the span it is about, and secondary labels and notes with the
//! detail. [`Errors`] carries them together with the source they point into; `crate::diagnostic`
//! renders them.

use std::fmt;
use std::sync::Arc;

use crate::span::Span;

/// The spec's classes of failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// The text or binary cannot be decoded (`assert_malformed`).
    Malformed,
    /// The module does not validate (`assert_invalid`).
    Invalid,
    /// Imports cannot be resolved (`assert_unlinkable`).
    Unlinkable,
    /// Instantiation fails at run time (`assert_uninstantiable`).
    Uninstantiable,
    /// Execution traps (`assert_trap`).
    Trap,
    /// A resource ran out (`assert_exhaustion`).
    Exhaustion,
    /// Reading or writing a file, or a limit of watlink itself.
    Io,
}

impl Class {
    /// The word used in diagnostics: "malformed", "invalid", …
    pub fn word(self) -> &'static str {
        match self {
            Class::Malformed => "malformed",
            Class::Invalid => "invalid",
            Class::Unlinkable => "unlinkable",
            Class::Uninstantiable => "uninstantiable",
            Class::Trap => "trap",
            Class::Exhaustion => "exhaustion",
            Class::Io => "io",
        }
    }
}

/// One error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// Its class.
    pub class: Class,
    /// The message; starts with the spec suite's words ("type mismatch", "unknown function", …).
    pub message: String,
    /// The primary location and its label, if the error has a place in the source.
    pub span: Option<Span>,
    /// The primary label's text (may be empty).
    pub label: String,
    /// Secondary locations with their labels: "first defined here".
    pub secondary: Vec<(Span, String)>,
    /// Notes: "help: …", "note: …".
    pub notes: Vec<String>,
}

impl Error {
    /// An error of `class` with `message`, at `span`.
    pub fn new(class: Class, message: impl Into<String>, span: Span) -> Error {
        Error {
            class,
            message: message.into(),
            span: Some(span),
            label: String::new(),
            secondary: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// An error without a location.
    pub fn unlocated(class: Class, message: impl Into<String>) -> Error {
        Error {
            span: None,
            ..Error::new(class, message, Span::default())
        }
    }

    /// A malformed-text error at `span`.
    pub fn malformed(message: impl Into<String>, span: Span) -> Error {
        Error::new(Class::Malformed, message, span)
    }

    /// A validation error at `span`.
    pub fn invalid(message: impl Into<String>, span: Span) -> Error {
        Error::new(Class::Invalid, message, span)
    }

    /// Sets the primary label.
    pub fn with_label(mut self, label: impl Into<String>) -> Error {
        self.label = label.into();
        self
    }

    /// Adds a secondary label.
    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Error {
        self.secondary.push((span, label.into()));
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Error {
        self.notes.push(note.into());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// A source text errors point into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// The name shown in diagnostics (a path, or `<stdin>`).
    pub name: String,
    /// The text (lossily decoded if the input was not UTF-8).
    pub text: Arc<str>,
}

/// The errors of one run, with the source they point into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Errors {
    /// The source.
    pub source: Source,
    /// The errors, in the order found; never empty.
    pub errors: Vec<Error>,
}

impl Errors {
    /// Errors about `source`.
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>, errors: Vec<Error>) -> Errors {
        Errors {
            source: Source {
                name: name.into(),
                text: text.into(),
            },
            errors,
        }
    }

    /// The first error (there is always one).
    pub fn first(&self) -> &Error {
        &self.errors[0]
    }

    /// Renders every error rustc-style, without colour.
    pub fn render(&self) -> String {
        crate::diagnostic::render(self, false)
    }
}

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

impl std::error::Error for Errors {}

/// wasmparser's message for a decoding or validation error, reworded as the spec suite words it
/// (the `.wast` runner compares by prefix); wasmparser's own detail follows the spec's words where
/// it adds something. Messages the spec has no word for pass through unchanged.
///
/// Where one wasmparser message stands for several of the reference decoder's (it reports
/// "unexpected end-of-file" wherever the bytes run out; the reference interpreter names what it was
/// reading), the most common reading is taken: see `tests/support/conformance.rs` for the count of
/// the others.
pub fn spec_words(message: &str) -> String {
    /// (wasmparser's words, at the start or anywhere in its message; the spec's).
    const TABLE: &[(&str, &str)] = &[
        (
            "integer representation too long",
            "integer representation too long",
        ),
        ("integer too large", "integer too large"),
        (
            "section out of order",
            "unexpected content after last section",
        ),
        // A section whose length runs past its content: wasmparser reads on into the next header.
        ("expected section, got", "length out of bounds"),
        (
            "unexpected end-of-file",
            "unexpected end of section or function",
        ),
        (
            "control frames remain at end of function body or expression",
            "unexpected end of section or function",
        ),
        (
            "control frames remain at end of expression",
            "unexpected end",
        ),
        ("for external kind", "malformed import kind"),
        (
            "invalid start function type",
            "start function must take and return nothing",
        ),
        (
            "malformed memop: reserved flags bits set",
            "malformed memop flags",
        ),
        ("malformed global flags", "malformed mutability"),
        ("invalid memory limits flags", "malformed limits flags"),
        (
            "invalid table resizable limits flags",
            "malformed limits flags",
        ),
        (
            "function section has non-zero count but code section is absent",
            "function and code section have inconsistent lengths",
        ),
        (
            "function section is absent but code section has non-zero count",
            "function and code section have inconsistent lengths",
        ),
        (
            "data count is non-zero but data section is absent",
            "data count and data section have inconsistent lengths",
        ),
        ("SIMD index out of bounds", "invalid lane index"),
        // 2.0's suite said "global is immutable", 3.0's says "immutable global".
        ("global is immutable", "immutable global"),
        (
            "invalid memop alignment: alignment must not be larger than natural",
            "alignment must not be larger than natural",
        ),
        (
            "memory size must be at most 0x10000 65536-byte pages",
            "memory size must be at most 65536 pages (4GiB)",
        ),
        // GC's validation.
        ("array is immutable", "immutable array"),
        ("struct field is immutable", "immutable field"),
        (
            "array type is not numeric or vector",
            "array type is not numeric or vector",
        ),
        // Inside a longer message ("invalid array.init_elem instruction: element segment 0
        // type mismatch: expected …"); one that starts with the words keeps them.
        (" type mismatch: expected", "type mismatch"),
        (
            "invalid exception type: non-empty tag result type",
            "non-empty tag result type",
        ),
    ];
    if let Some(code) = message.strip_prefix("illegal opcode: 0x") {
        return format!("illegal opcode {code}");
    }
    for &(theirs, ours) in TABLE {
        if message.contains(theirs) {
            return if message == theirs || message.ends_with(theirs) && theirs == ours {
                ours.to_string()
            } else if let Some(rest) = message.strip_prefix(theirs) {
                format!("{ours}{rest}")
            } else {
                format!("{ours} ({message})")
            };
        }
    }
    message.to_string()
}

#[cfg(test)]
mod tests {
    use super::spec_words;

    #[test]
    fn wasmparser_messages_get_the_spec_words() {
        for (theirs, ours) in [
            ("invalid var_u32: integer too large", "integer too large"),
            (
                "invalid var_i64: integer representation too long",
                "integer representation too long",
            ),
            (
                "invalid leading byte (0x4) for external kind",
                "malformed import kind (invalid leading byte (0x4) for external kind)",
            ),
            ("illegal opcode: 0xff", "illegal opcode ff"),
            (
                "type mismatch: expected i32, found i64",
                "type mismatch: expected i32, found i64",
            ),
            (
                "memory size must be at most 0x10000 65536-byte pages",
                "memory size must be at most 65536 pages (4GiB)",
            ),
            (
                "global is immutable: cannot modify it with `global.set`",
                "immutable global: cannot modify it with `global.set`",
            ),
            (
                "invalid array modification: array is immutable",
                "immutable array (invalid array modification: array is immutable)",
            ),
            (
                "invalid array.init_elem instruction: element segment 0 type mismatch: expected \
                 funcref, found externref",
                "type mismatch (invalid array.init_elem instruction: element segment 0 type \
                 mismatch: expected funcref, found externref)",
            ),
        ] {
            assert_eq!(spec_words(theirs), ours);
        }
    }
}
