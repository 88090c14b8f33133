//! Memory 0 as the inputs declare it, and layout errors placed back in the text.
//!
//! The declaration is the starting point: a module that imports its memory (the usual way to share
//! it with JavaScript) expects the host's memory, so it stays imported under the same module, name,
//! limits and `shared`; a defined memory keeps its minimum (a lower bound), maximum and `shared`.
//! Flags override. Several inputs' declarations merge; conflicts are named at both places.

use super::*;

/// An import's module and field.
type ImportName = (String, String);

/// The inputs' memory declarations, merged: the starting point for memory 0.
#[derive(Default)]
pub(super) struct Declared {
    /// The first declaration: input, place, and the import's module and name if it is imported.
    pub(super) first: Option<(usize, Option<Span>, Option<ImportName>)>,
    /// The largest declared minimum, in pages.
    pub(super) min: u64,
    /// The smallest declared maximum, in pages.
    pub(super) max: Option<u64>,
    pub(super) shared: bool,
}

impl Linker<'_> {
    /// Merges input `i`'s memory declaration: an import stays an import (same module and name),
    /// the largest minimum, the smallest maximum, `shared` if declared. An import and a definition,
    /// two different imports, or shared and unshared are conflicts (unless `--import-memory` says
    /// which memory it is), named at both places.
    pub(super) fn declare_memory(&mut self, i: usize) {
        let input = &self.inputs[i];
        let m = &input.module;
        let (ty, span, import) = match m.imports.iter().find_map(|im| match &im.kind {
            ImportKind::Memory(t) => Some((im, *t)),
            _ => None,
        }) {
            Some((im, t)) => (
                t,
                Some(im.span),
                Some((im.module.clone(), im.field.clone())),
            ),
            None => match m.memories.first() {
                Some(t) => (*t, input.memory_spans.first().copied(), None),
                None => return,
            },
        };
        let describe = |import: &Option<(String, String)>, shared: bool| {
            let s = if shared { " shared" } else { "" };
            match import {
                Some((module, field)) => format!("imports{s} memory \"{module}\" \"{field}\""),
                None => format!("defines{s} its own memory"),
            }
        };
        if let Some((j, other_span, other_import)) = &self.memory.first {
            let other = &self.inputs[*j];
            let where_other = match other_span {
                Some(s) if !other.text.is_empty() => {
                    format!("{}:{}", other.name, other.line_col(*s))
                }
                _ => other.name.clone(),
            };
            let conflict = if self.opts.import_memory.is_none() && *other_import != import {
                Some(format!(
                    "{} {}, but {where_other} {}",
                    input.name,
                    describe(&import, ty.shared),
                    describe(other_import, self.memory.shared)
                ))
            } else if ty.shared != self.memory.shared {
                Some(format!(
                    "{} declares a{} memory, but {where_other} declares a{} one",
                    input.name,
                    if ty.shared { " shared" } else { "n unshared" },
                    if self.memory.shared {
                        " shared"
                    } else {
                        "n unshared"
                    },
                ))
            } else {
                None
            };
            if let Some(why) = conflict {
                let mut e = Error::unlocated(Class::Unlinkable, "conflicting memory declarations")
                    .with_note(why)
                    .with_note(
                        "help: all inputs share the linked module's memory 0; declare it alike, \
                         or say which it is with --import-memory=MODULE,NAME",
                    );
                if let Some(span) = span.filter(|_| !input.text.is_empty()) {
                    e.span = Some(span);
                    e.label = "this memory".into();
                }
                self.errors.push((Some(i), e));
            }
        } else {
            self.memory.first = Some((i, span, import));
            self.memory.shared = ty.shared;
        }
        self.memory.min = self.memory.min.max(ty.limits.min);
        if let Some(max) = ty.limits.max {
            self.memory.max = Some(self.memory.max.map_or(max, |m: u64| m.min(max)));
        }
    }

    /// The memory's import, if it is imported: the flag's, else the inputs' declaration's.
    pub(super) fn memory_import(&self) -> Option<(String, String)> {
        self.opts
            .import_memory
            .clone()
            .or_else(|| self.memory.first.as_ref().and_then(|f| f.2.clone()))
    }

    /// Where the text says what a layout error is about: the segment (the other region as a
    /// secondary label or, in another input, a note), or the memory's declaration.
    pub(super) fn locate(&self, mut e: Error, about: About) -> LinkError {
        let at = |k: usize| {
            let seg = &self.segs[k];
            let input = &self.inputs[seg.input];
            let data = &input.module.datas[seg.data];
            let span = match &data.place {
                Some(p) => Some(p.span),
                None => input.data_spans.get(seg.data).copied(),
            };
            (seg.input, span.filter(|_| !input.text.is_empty()))
        };
        match about {
            About::Flags => (None, e),
            About::Segments(ks) => {
                let (i, span) = at(ks[0]);
                let Some(span) = span else {
                    return (Some(i), e);
                };
                e.span = Some(span);
                e.label = "this segment".into();
                for &k in &ks[1..] {
                    match at(k) {
                        (j, Some(other)) if j == i => {
                            e = e.with_secondary(other, "the other segment");
                        }
                        (j, Some(other)) => {
                            let input = &self.inputs[j];
                            e = e.with_note(format!(
                                "the other segment is at {}:{}",
                                input.name,
                                input.line_col(other)
                            ));
                        }
                        (_, None) => {}
                    }
                }
                (Some(i), e)
            }
            About::Declaration => match &self.memory.first {
                Some((i, Some(span), _)) if !self.inputs[*i].text.is_empty() => {
                    e.span = Some(*span);
                    e.label = "the declared maximum".into();
                    (Some(*i), e)
                }
                Some((i, _, _)) => (Some(*i), e),
                None => (None, e),
            },
        }
    }
}
