//! The compiler's front door: text in, validated bytes out.

use std::path::Path;

use crate::error::{Class, Error, Errors};
use crate::span::Span;

/// What `compile` does besides translating.
#[derive(Clone, Debug)]
pub struct CompileOptions {
    /// Validate the output with wasmparser (default: yes).
    pub validate: bool,
    /// Emit a name section from the text's `$ids` (default: yes).
    pub name_section: bool,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            validate: true,
            name_section: true,
        }
    }
}

/// Compiles a text module to a validated binary.
///
/// # Errors
/// Every error found, located in `text`; see [`Errors::render`].
///
/// ```
/// let err = watlink::compile_str("(module (func (result i32)))").unwrap_err();
/// assert!(err.first().message.starts_with("type mismatch"));
/// ```
pub fn compile_str(text: &str) -> Result<Vec<u8>, Errors> {
    compile("<input>", text, &CompileOptions::default())
}

/// Compiles `text`, naming it `name` in diagnostics.
///
/// # Errors
/// Every error found, located in `text`.
pub fn compile(name: &str, text: &str, options: &CompileOptions) -> Result<Vec<u8>, Errors> {
    let fail = |errors: Vec<Error>| Errors::new(name, text, errors);
    let syntax = crate::text::parse_module(text).map_err(fail)?;
    compile_module(&syntax, options).map_err(fail)
}

/// Compiles an already parsed module (the `.wast` runner and the conformance checks use this).
///
/// # Errors
/// Resolution and validation errors, located in the text the module was parsed from.
pub fn compile_module(
    syntax: &crate::text::syntax::Module<'_>,
    options: &CompileOptions,
) -> Result<Vec<u8>, Vec<Error>> {
    let mut module = crate::resolve::resolve(syntax)?;
    if !options.name_section {
        module.names = Default::default();
    }
    let bytes = crate::binary::encode(&module);
    if options.validate {
        crate::binary::validate(&bytes, &module)?;
    }
    Ok(bytes)
}

/// Reads a source file: its text, or a located error if it is not UTF-8.
///
/// # Errors
/// An [`Class::Io`] error if the file cannot be read, a [`Class::Malformed`] one at the first invalid
/// byte if it is not UTF-8.
pub fn read_source(path: &Path) -> Result<String, Errors> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        Errors::new(
            &name,
            "",
            vec![Error::unlocated(
                Class::Io,
                format!("cannot read {name}: {e}"),
            )],
        )
    })?;
    text_from_bytes(&name, bytes)
}

/// Turns input bytes into source text, or a located error at the first byte that is not UTF-8.
///
/// # Errors
/// A [`Class::Malformed`] error "malformed UTF-8 encoding" pointing at the bad byte.
pub fn text_from_bytes(name: &str, bytes: Vec<u8>) -> Result<String, Errors> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
        // The lossy text has U+FFFD (3 bytes) where the bad byte was; `at` is still its start.
        let err = Error::malformed("malformed UTF-8 encoding", Span::new(at, at + 1))
            .with_label("this byte is not valid UTF-8");
        Errors::new(name, text, vec![err])
    })
}

/// Compiles the file at `path`.
///
/// # Errors
/// As [`compile`], plus I/O and UTF-8 errors.
pub fn compile_file(path: &Path, options: &CompileOptions) -> Result<Vec<u8>, Errors> {
    let text = read_source(path)?;
    compile(&path.display().to_string(), &text, options)
}
