//! The one place errors become pictures: codespan-reporting diagnostics, rustc-style, or rustc's
//! JSON lines for editors and tools.
//!
//! Cost stays linear in the input: a source line longer than [`LONG_LINE`] bytes is shown cut
//! around the labels (its real line and column numbers kept), and [`Report::max_errors`] caps how
//! many errors are drawn, the rest only counted.

use std::collections::HashMap;
use std::io;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic, Label, Severity};
use codespan_reporting::files::{self, Files};
use codespan_reporting::term::{self, termcolor};

use crate::error::{Error, Errors};
use crate::span::Span;

/// Lines longer than this (in bytes) are cut around the labels when shown.
pub const LONG_LINE: usize = 160;

/// How many bytes of context a cut line keeps on each side of its labels.
const CONTEXT: usize = 40;

/// How many errors a run shows by default before only counting the rest (clang's default; gcc,
/// rustc and wat2wasm show all, wasm-tools stops at the first).
pub const DEFAULT_MAX_ERRORS: usize = 20;

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

/// The output format of diagnostics (`--error-format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// rustc-style pictures.
    #[default]
    Human,
    /// One JSON object per line, shaped as rustc's `--error-format=json`.
    Json,
}

/// How a run reports its errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Report {
    /// Pictures or JSON.
    pub format: Format,
    /// Show at most this many errors, count the rest; 0 shows all.
    pub max_errors: usize,
    /// Warnings instead of errors (an empty module, …).
    pub warning: bool,
}

impl Default for Report {
    fn default() -> Report {
        Report {
            format: Format::Human,
            max_errors: DEFAULT_MAX_ERRORS,
            warning: false,
        }
    }
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
    let report = Report {
        max_errors: 0,
        ..Report::default()
    };
    // Rendering only fails on I/O errors of the writer; there is nothing better to do then.
    let _ = emit_report(errors, writer, &report);
}

/// Writes errors as `report` says: at most `max_errors` of them (then a count of the rest), as
/// pictures or JSON lines. Returns how many were shown.
///
/// # Errors
/// Only the writer's.
pub fn emit_report(
    errors: &Errors,
    writer: &mut dyn termcolor::WriteColor,
    report: &Report,
) -> io::Result<usize> {
    let source = Source::new(&errors.source.name, &errors.source.text);
    let config = term::Config::default();
    let shown = match report.max_errors {
        0 => errors.errors.len(),
        n => n.min(errors.errors.len()),
    };
    for error in &errors.errors[..shown] {
        let error = source.clamp(error);
        let mut diagnostic = to_diagnostic(&error);
        if report.warning {
            diagnostic.severity = Severity::Warning;
        }
        match report.format {
            Format::Human => {
                let view = source.cut(&mut diagnostic);
                term::emit_to_write_style(writer, &config, &view, &diagnostic)
                    .map_err(io::Error::other)?;
            }
            Format::Json => {
                let line = source.json(&error, &diagnostic, &config, report.warning);
                writeln!(writer, "{line}")?;
            }
        }
    }
    let hidden = errors.errors.len() - shown;
    if hidden > 0 {
        let message = format!(
            "{hidden} more error{} not shown (--max-errors=0 shows all)",
            plural(hidden)
        );
        match report.format {
            Format::Human => writeln!(writer, "note: {message}")?,
            Format::Json => writeln!(writer, "{}", json_note(&message))?,
        }
    }
    Ok(shown)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The final line of a failed run: "error: aborting due to 3 previous errors", or its JSON form.
pub fn summary(count: usize, format: Format) -> String {
    let message = format!("aborting due to {count} previous error{}", plural(count));
    match format {
        Format::Human => format!("error: {message}"),
        Format::Json => format!(
            "{{\"$message_type\":\"diagnostic\",\"message\":{},\"code\":null,\"level\":\"error\",\
             \"spans\":[],\"children\":[],\"rendered\":{}}}",
            json_str(&message),
            json_str(&format!("error: {message}\n"))
        ),
    }
}

fn json_note(message: &str) -> String {
    format!(
        "{{\"$message_type\":\"diagnostic\",\"message\":{},\"code\":null,\"level\":\"note\",\
         \"spans\":[],\"children\":[],\"rendered\":{}}}",
        json_str(message),
        json_str(&format!("note: {message}\n"))
    )
}

/// A JSON string literal.
pub fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The source as codespan sees it: line starts computed once per run; long lines cut.
struct Source<'a> {
    name: &'a str,
    text: &'a str,
    line_starts: Vec<usize>,
}

/// One diagnostic's view of the source: long lines cut to a window around its labels.
struct View<'s, 'a> {
    source: &'s Source<'a>,
    windows: HashMap<usize, Range<usize>>,
}

impl<'a> Source<'a> {
    fn new(name: &'a str, text: &'a str) -> Source<'a> {
        Source {
            name,
            text,
            line_starts: files::line_starts(text).collect(),
        }
    }

    fn line_index(&self, at: usize) -> usize {
        self.line_starts
            .binary_search(&at)
            .unwrap_or_else(|next| next - 1)
    }

    /// The byte range of line `i`, without its line break.
    fn line(&self, i: usize) -> Range<usize> {
        let start = self.line_starts[i];
        let end = self
            .line_starts
            .get(i + 1)
            .map_or(self.text.len(), |&next| next);
        let body = self.text[start..end].trim_end_matches(['\n', '\r']);
        start..start + body.len()
    }

    /// A span past the end (an unexpected end of input) is clamped to the text.
    fn clamp(&self, error: &Error) -> Error {
        let len = self.text.len();
        let clamp = |s: Span| Span::new(s.start.min(len), s.end.min(len).max(s.start.min(len)));
        let mut error = error.clone();
        error.span = error.span.map(clamp);
        for (s, _) in &mut error.secondary {
            *s = clamp(*s);
        }
        error
    }

    /// Cuts the long lines `diagnostic` touches to windows around its labels (the labels clamped
    /// into them), noting what was left out.
    fn cut(&self, diagnostic: &mut Diagnostic<()>) -> View<'_, 'a> {
        let mut points: HashMap<usize, (usize, usize)> = HashMap::new();
        for label in &diagnostic.labels {
            for at in [label.range.start, label.range.end] {
                let i = self.line_index(at);
                let line = self.line(i);
                if line.len() > LONG_LINE {
                    let at = at.clamp(line.start, line.end);
                    let e = points.entry(i).or_insert((at, at));
                    *e = (e.0.min(at), e.1.max(at));
                }
            }
        }
        let mut windows = HashMap::new();
        for (i, (lo, hi)) in points {
            let line = self.line(i);
            let start = self.floor(lo.saturating_sub(CONTEXT).max(line.start));
            let end = self.ceil((hi + CONTEXT).min(line.end).min(start + 2 * LONG_LINE));
            diagnostic.notes.push(format!(
                "note: line {} is {} bytes long; shown from column {} to {}",
                i + 1,
                line.len(),
                self.column(i, start),
                self.column(i, end),
            ));
            windows.insert(i, start..end);
        }
        for label in &mut diagnostic.labels {
            let fit = |at: usize| {
                let i = self.line_index(at);
                windows.get(&i).map_or(at, |w| at.clamp(w.start, w.end))
            };
            let (start, end) = (fit(label.range.start), fit(label.range.end));
            label.range = start..end.max(start);
        }
        View {
            source: self,
            windows,
        }
    }

    fn floor(&self, mut at: usize) -> usize {
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    fn ceil(&self, mut at: usize) -> usize {
        while !self.text.is_char_boundary(at) {
            at += 1;
        }
        at
    }

    /// The 1-based column (in characters) of byte `at` on line `i`.
    fn column(&self, i: usize, at: usize) -> usize {
        let start = self.line_starts[i];
        self.text[start..self.floor(at.min(self.text.len()))]
            .chars()
            .count()
            + 1
    }

    /// The rustc JSON form of one error.
    fn json(
        &self,
        error: &Error,
        diagnostic: &Diagnostic<()>,
        config: &term::Config,
        warning: bool,
    ) -> String {
        let mut spans = Vec::new();
        let mut add = |span: Span, label: &str, primary: bool| {
            let (ls, le) = (self.line_index(span.start), self.line_index(span.end));
            spans.push(format!(
                "{{\"file_name\":{},\"byte_start\":{},\"byte_end\":{},\"line_start\":{},\
                 \"line_end\":{},\"column_start\":{},\"column_end\":{},\"is_primary\":{primary},\
                 \"text\":[],\"label\":{},\"suggested_replacement\":null,\
                 \"suggestion_applicability\":null,\"expansion\":null}}",
                json_str(self.name),
                span.start,
                span.end,
                ls + 1,
                le + 1,
                self.column(ls, span.start),
                self.column(le, span.end),
                if label.is_empty() {
                    "null".to_string()
                } else {
                    json_str(label)
                },
            ));
        };
        if let Some(span) = error.span {
            add(span, &error.label, true);
        }
        for (span, label) in &error.secondary {
            add(*span, label, false);
        }
        let children: Vec<String> = error
            .notes
            .iter()
            .map(|note| {
                let (level, message) = match note.split_once(": ") {
                    Some((l @ ("help" | "note" | "warning"), m)) => (l, m),
                    _ => ("note", note.as_str()),
                };
                format!(
                    "{{\"message\":{},\"code\":null,\"level\":\"{level}\",\"spans\":[],\
                     \"children\":[],\"rendered\":null}}",
                    json_str(message)
                )
            })
            .collect();
        let mut rendered = Vec::new();
        {
            let mut diagnostic = diagnostic.clone();
            let view = self.cut(&mut diagnostic);
            let mut w = termcolor::NoColor::new(&mut rendered);
            let _ = term::emit_to_write_style(&mut w, config, &view, &diagnostic);
        }
        format!(
            "{{\"$message_type\":\"diagnostic\",\"message\":{},\"code\":{{\"code\":\"{}\",\
             \"explanation\":null}},\"level\":\"{}\",\"spans\":[{}],\"children\":[{}],\
             \"rendered\":{}}}",
            json_str(&error.message),
            error.class.word(),
            if warning { "warning" } else { "error" },
            spans.join(","),
            children.join(","),
            json_str(&String::from_utf8_lossy(&rendered)),
        )
    }
}

impl<'v> Files<'v> for View<'_, '_> {
    type FileId = ();
    type Name = &'v str;
    type Source = &'v str;

    fn name(&'v self, (): ()) -> Result<&'v str, files::Error> {
        Ok(self.source.name)
    }

    fn source(&'v self, (): ()) -> Result<&'v str, files::Error> {
        Ok(self.source.text)
    }

    fn line_index(&'v self, (): (), byte_index: usize) -> Result<usize, files::Error> {
        Ok(self.source.line_index(byte_index))
    }

    fn column_number(
        &'v self,
        (): (),
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, files::Error> {
        Ok(self.source.column(line_index, byte_index))
    }

    /// A cut line's window, or the first bytes of a long line no label is on, or the whole line.
    fn line_range(&'v self, (): (), line_index: usize) -> Result<Range<usize>, files::Error> {
        if line_index >= self.source.line_starts.len() {
            return Err(files::Error::LineTooLarge {
                given: line_index,
                max: self.source.line_starts.len() - 1,
            });
        }
        if let Some(w) = self.windows.get(&line_index) {
            return Ok(w.clone());
        }
        let line = self.source.line(line_index);
        if line.len() > LONG_LINE {
            let end = self.source.floor(line.start + LONG_LINE);
            return Ok(line.start..end);
        }
        Ok(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Class;

    fn errors(text: &str, spans: &[(usize, usize)]) -> Errors {
        let errors = spans
            .iter()
            .map(|&(a, b)| Error::malformed("unexpected token", Span::new(a, b)).with_label("here"))
            .collect();
        Errors::new("t.wat", text, errors)
    }

    #[test]
    fn long_lines_are_cut_around_the_label() {
        let text = format!("{}BAD{}", "a ".repeat(5000), " b".repeat(5000));
        let e = errors(&text, &[(10000, 10003)]);
        let out = render(&e, false);
        assert!(out.contains("t.wat:1:10001"), "{out}");
        assert!(out.contains("BAD"), "{out}");
        assert!(out.len() < 1000, "{} bytes:\n{out}", out.len());
        assert!(out.contains("line 1 is 20003 bytes long; shown from column 9961 to 10044"));
    }

    #[test]
    fn short_lines_are_whole() {
        let e = errors("(module\n  (func foo))\n", &[(16, 19)]);
        let out = render(&e, false);
        assert!(out.contains("2 │   (func foo))"), "{out}");
        assert!(!out.contains("bytes long"), "{out}");
    }

    #[test]
    fn errors_past_the_cap_are_counted() {
        let e = errors("x y z", &[(0, 1), (2, 3), (4, 5)]);
        let mut out = termcolor::NoColor::new(Vec::new());
        let report = Report {
            max_errors: 2,
            ..Report::default()
        };
        assert_eq!(emit_report(&e, &mut out, &report).unwrap(), 2);
        let out = String::from_utf8(out.into_inner()).unwrap();
        assert_eq!(out.matches("error: unexpected token").count(), 2);
        assert!(out.ends_with("note: 1 more error not shown (--max-errors=0 shows all)\n"));
    }

    #[test]
    fn json_is_rustc_shaped() {
        let mut e = errors("(module\n  (func foo))", &[(16, 19)]);
        e.errors[0].notes.push("help: did you mean `nop`?".into());
        let mut out = termcolor::NoColor::new(Vec::new());
        let report = Report {
            format: Format::Json,
            ..Report::default()
        };
        emit_report(&e, &mut out, &report).unwrap();
        let out = String::from_utf8(out.into_inner()).unwrap();
        assert_eq!(out.lines().count(), 1);
        for part in [
            r#""$message_type":"diagnostic""#,
            r#""message":"unexpected token""#,
            r#""code":{"code":"malformed""#,
            r#""line_start":2,"line_end":2,"column_start":9,"column_end":12,"is_primary":true"#,
            r#""label":"here""#,
            r#""level":"help""#,
            r#""rendered":"error: unexpected token\n"#,
        ] {
            assert!(out.contains(part), "{part} not in {out}");
        }
        assert_eq!(Class::Malformed.word(), "malformed");
    }
}
