//! The one place errors become pictures: codespan-reporting diagnostics, rustc-style.

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};

use crate::error::{Error, Errors};
use crate::span::Span;

fn primary(span: Span) -> Label<()> {
    Label::primary((), span.start..span.end)
}

fn secondary(span: Span) -> Label<()> {
    Label::secondary((), span.start..span.end)
}

/// The codespan diagnostic for one error.
pub fn to_diagnostic(error: &Error) -> Diagnostic<()> {
    let mut labels = Vec::new();
    if let Some(span) = error.span {
        labels.push(primary(span).with_message(error.label.clone()));
    }
    for (span, msg) in &error.secondary {
        labels.push(secondary(*span).with_message(msg.clone()));
    }
    Diagnostic::error()
        .with_message(error.message.clone())
        .with_labels(labels)
        .with_notes(error.notes.clone())
}

/// Renders all errors to a string, optionally with ANSI colours.
pub fn render(errors: &Errors, color: bool) -> String {
    let mut buf: Vec<u8> = Vec::new();
    {
        let mut writer: Box<dyn termcolor::WriteColor> = if color {
            Box::new(termcolor::Ansi::new(&mut buf))
        } else {
            Box::new(termcolor::NoColor::new(&mut buf))
        };
        emit(errors, &mut *writer);
    }
    String::from_utf8_lossy(&buf).into_owned()
}

/// Writes all errors to a colour-aware writer (a terminal, a buffer).
pub fn emit(errors: &Errors, writer: &mut dyn termcolor::WriteColor) {
    let file = SimpleFile::new(errors.source.name.as_str(), &*errors.source.text);
    let config = term::Config::default();
    let len = errors.source.text.len();
    for error in &errors.errors {
        let mut error = error.clone();
        // A span past the end (an unexpected end of input) is clamped to the last byte.
        let clamp = |s: Span| Span::new(s.start.min(len), s.end.min(len).max(s.start.min(len)));
        error.span = error.span.map(clamp);
        for (s, _) in &mut error.secondary {
            *s = clamp(*s);
        }
        let diagnostic = to_diagnostic(&error);
        // Rendering only fails on I/O errors of the writer; there is nothing better to do then.
        let _ = term::emit_to_write_style(writer, &config, &file, &diagnostic);
    }
}
