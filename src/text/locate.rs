//! Places module-level validation errors in the text.
//!
//! The validator maps an error in a function body or an import to its span itself; for tables,
//! memories, globals and segments it knows only the field's index ("in defined memory 0"). This
//! finds that field in the parse tree, where every field has its span, so that limits and
//! segment errors point at their field.

use crate::error::Error;
use crate::span::Span;
use crate::text::syntax::{Field, Module};

/// The kinds of fields the validator names by index, with its words for them.
const KINDS: &[(&str, Kind)] = &[
    ("note: in defined table ", Kind::Table),
    ("note: in defined memory ", Kind::Memory),
    ("note: in defined global ", Kind::Global),
    ("note: in element segment ", Kind::Elem),
    ("note: in data segment ", Kind::Data),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Table,
    Memory,
    Global,
    Elem,
    Data,
}

/// `error` located at the field its note names, if it has no location yet.
pub fn locate_field(module: &Module<'_>, mut error: Error) -> Error {
    if error.span.is_some() {
        return error;
    }
    let found = error.notes.iter().enumerate().find_map(|(n, note)| {
        KINDS.iter().find_map(|&(prefix, kind)| {
            let index = note.strip_prefix(prefix)?.parse::<usize>().ok()?;
            Some((n, kind, index))
        })
    });
    let Some((n, kind, index)) = found else {
        return error;
    };
    if let Some((span, what)) = field_span(module, kind, index) {
        error.notes.remove(n);
        error.span = Some(span);
        if error.label.is_empty() {
            error.label = what.into();
        }
    }
    error
}

/// The span of the `index`-th field of `kind` in the index space the validator counts: defined
/// tables, memories and globals (imports aside); segments, inline ones (`(memory (data …))`,
/// `(table funcref (elem …))`) where their field stands.
fn field_span(module: &Module<'_>, kind: Kind, index: usize) -> Option<(Span, &'static str)> {
    module
        .fields
        .iter()
        .filter_map(|field| match (kind, field) {
            (Kind::Table, Field::Table(t)) if t.import.is_none() => Some((t.span, "this table")),
            (Kind::Memory, Field::Memory(m)) if m.import.is_none() => Some((m.span, "this memory")),
            (Kind::Global, Field::Global(g)) if g.import.is_none() => Some((g.span, "this global")),
            (Kind::Elem, Field::Elem(e)) => Some((e.span, "this element segment")),
            (Kind::Elem, Field::Table(t)) if t.inline_elem.is_some() => {
                Some((t.span, "this table's element segment"))
            }
            (Kind::Data, Field::Data(d)) => Some((d.span, "this data segment")),
            (Kind::Data, Field::Memory(m)) if m.inline_data.is_some() => {
                Some((m.span, "this memory's data segment"))
            }
            _ => None,
        })
        .nth(index)
}

#[cfg(test)]
mod tests {
    use crate::CompileOptions;

    fn first_error(text: &str) -> crate::Error {
        crate::compile("t.wat", text, &CompileOptions::default())
            .unwrap_err()
            .errors
            .remove(0)
    }

    #[test]
    fn limits_and_segment_errors_point_at_their_field() {
        let text = "(module (memory 1) (memory 2 1))";
        let e = first_error(text);
        assert_eq!(e.message, "size minimum must not be greater than maximum");
        let span = e.span.expect("located");
        assert_eq!(&text[span.start..span.end], "(memory 2 1)");
        let text = "(module (func) (data (i32.const 0) \"x\"))";
        let e = first_error(text);
        assert!(e.message.starts_with("unknown memory 0"), "{}", e.message);
        let span = e.span.expect("located");
        assert_eq!(&text[span.start..span.end], "(data (i32.const 0) \"x\")");
    }
}
