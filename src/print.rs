//! Binary to text: what a compiler or linker produced, in a form to read (`watlink print`).
//!
//! The printer is `wasmprinter`, the one `wasm-tools print` uses, from the same release as our
//! wasmparser and wasm-encoder; watlink only chooses its settings. Names come from the name section
//! (`$fac`, `$n`), so a module compiled by watlink prints with the ids it was written with; what the
//! name section does not name prints by index with a `(;3;)` comment. The output is text watlink
//! compiles back to the same bytes (the round trip is tested on every spec module and the
//! benchmark inputs).
//!
//! Printing decodes but does not validate: an invalid module prints, so that it can be read to see
//! what is wrong with it ([`crate::binary::validate_binary`] says what).

use crate::error::{Class, Error, Errors};

/// How to print.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PrintOptions {
    /// Folded instructions, `(i32.add (local.get 0) (local.get 1))`, instead of one per line.
    pub fold: bool,
    /// Each line starts with a `(;@1f;)` comment giving the byte offset it was printed from.
    pub offsets: bool,
}

/// Prints the binary module `bytes` (called `name` in errors) as text.
///
/// # Errors
/// One malformed-class error if the bytes do not decode, with the byte offset in a note.
///
/// ```
/// let wasm = watlink::compile_str("(module (func $one (result i32) i32.const 1))").unwrap();
/// let text = watlink::print::print("one.wasm", &wasm, &Default::default()).unwrap();
/// assert!(text.contains("(func $one (;0;) (type 0) (result i32)"), "{text}");
/// assert_eq!(watlink::compile_str(&text).unwrap(), wasm);
/// ```
pub fn print(name: &str, bytes: &[u8], options: &PrintOptions) -> Result<String, Errors> {
    let mut config = wasmprinter::Config::new();
    config.fold_instructions(options.fold);
    config.print_offsets(options.offsets);
    let mut text = String::new();
    match config.print(bytes, &mut wasmprinter::PrintFmtWrite(&mut text)) {
        Ok(()) => Ok(text),
        Err(err) => {
            // wasmprinter's context ("reading the code section: …"), then the decoder's message
            // without its "(at offset …)": the offset goes in the note, as `validate_binary` does.
            let mut message = Vec::new();
            let mut offset = None;
            for cause in err.chain() {
                match cause.downcast_ref::<wasmparser::BinaryReaderError>() {
                    Some(e) => {
                        message.push(e.message().to_string());
                        offset = Some(e.offset());
                    }
                    None => message.push(cause.to_string()),
                }
            }
            let mut error = Error::unlocated(Class::Malformed, message.join(": "));
            if let Some(offset) = offset {
                error = error.with_note(format!("note: at {name}:{offset:#x}"));
            }
            Err(Errors::new(name, "", vec![error]))
        }
    }
}
