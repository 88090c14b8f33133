//! Expansion: the module's fields, with every abbreviation that adds a module field written out.
//!
//! [`expand`] runs these steps in order:
//! 1. Count the imports of each kind, inline ones (`(func (import "m" "n") …)`) included, so each
//!    definition's index is known: imports come first in every index space.
//! 2. Walk the fields in text order and turn each into canonical [`Item`]s:
//!    - an inline import makes the definition an [`Item::Import`] at its place;
//!    - each inline export `(export "n")` becomes an [`Item::Export`] of the entity's index, at the
//!      place of the entity, so exports keep their text order;
//!    - `(memory (data …))` becomes the memory and an active data segment in memory at offset 0
//!      (`i32.const 0`, `i64.const 0` for memory64), among the data segments at the memory's place;
//!    - `(table reftype (elem …))` becomes the table and an active element segment naming that table,
//!      at offset 0, among the element segments at the table's place.
//! 3. Check that imports precede the definitions of functions, tables, memories and globals
//!    ("import after function", …).
//!
//! Type uses are expanded later, while resolving ([`super::types`]): a type use with an inline type
//! only becomes the index of the first identical type, or of a type appended after all others, in
//! the order the type uses appear among the items, as the `wat` crate does.

use crate::ast::ExternKind;
use crate::error::Error;
use crate::span::Span;
use crate::text::syntax::{
    self, ElemList, Expr, Field, GlobalType, Id, Index, MemoryType, Name, TableType, TypeUse,
};

/// A module field after expansion. Borrowed from the parse tree.
#[derive(Debug)]
pub(super) enum Item<'s> {
    Type(&'s syntax::TypeDef<'s>),
    /// `(rec (type …)*)`: the types of one recursive group.
    Rec(&'s [syntax::TypeDef<'s>]),
    /// A defined tag (never an inline import).
    Tag(&'s syntax::Tag<'s>),
    Import(Import<'s>),
    /// A defined function (never an inline import).
    Func(&'s syntax::Func<'s>),
    /// A defined table; its inline elements, if any, are a separate [`Item::Elem`].
    Table(&'s syntax::Table<'s>),
    /// A defined memory; its inline data, if any, is a separate [`Item::Data`].
    Memory(&'s syntax::Memory<'s>),
    Global(&'s syntax::Global<'s>),
    Export(Export<'s>),
    Start(&'s Index<'s>, Span),
    Elem(Elem<'s>),
    Data(Data<'s>),
    Custom(&'s syntax::Custom),
}

/// An import, written as such or inline.
#[derive(Debug)]
pub(super) struct Import<'s> {
    pub(super) module: &'s Name,
    pub(super) field: &'s Name,
    pub(super) id: Option<&'s Id<'s>>,
    pub(super) kind: ImportKind<'s>,
    pub(super) span: Span,
}

/// What an [`Import`] brings in.
#[derive(Debug)]
pub(super) enum ImportKind<'s> {
    Func(&'s TypeUse<'s>),
    Table(&'s TableType<'s>),
    Memory(MemoryType),
    Global(&'s GlobalType<'s>),
    Tag(&'s TypeUse<'s>),
}

/// A reference to an entity: written in the text, or known by expansion (inline exports and
/// segments refer to the entity they were written in).
#[derive(Debug)]
pub(super) enum Target<'s> {
    Written(&'s Index<'s>),
    Known(u32),
}

/// An export, written as such or inline.
#[derive(Debug)]
pub(super) struct Export<'s> {
    pub(super) name: &'s Name,
    pub(super) kind: ExternKind,
    pub(super) target: Target<'s>,
    pub(super) span: Span,
}

/// An active segment's offset.
#[derive(Debug)]
pub(super) enum Offset<'s> {
    Written(&'s Expr<'s>),
    /// `i32.const 0`, or `i64.const 0` for a 64-bit table or memory.
    Zero {
        is64: bool,
    },
}

/// An element segment's mode after expansion.
#[derive(Debug)]
pub(super) enum ElemMode<'s> {
    Passive,
    Declared,
    Active {
        /// The table; `None` when not written (table 0).
        table: Option<Target<'s>>,
        offset: Offset<'s>,
    },
}

/// An element segment, written as such or inline in a table.
#[derive(Debug)]
pub(super) struct Elem<'s> {
    pub(super) id: Option<&'s Id<'s>>,
    pub(super) mode: ElemMode<'s>,
    pub(super) list: &'s ElemList<'s>,
}

/// A data segment's mode after expansion.
#[derive(Debug)]
pub(super) enum DataMode<'s> {
    Passive,
    Active {
        /// The memory; `None` when not written (memory 0).
        memory: Option<Target<'s>>,
        offset: Offset<'s>,
    },
}

/// A data segment, written as such or inline in a memory.
#[derive(Debug)]
pub(super) struct Data<'s> {
    pub(super) id: Option<&'s Id<'s>>,
    pub(super) mode: DataMode<'s>,
    pub(super) bytes: &'s [u8],
    pub(super) place: Option<&'s syntax::Placement>,
}

/// Per-kind counters, indexed by [`kind_slot`].
type Counts = [u32; 5];

fn kind_slot(kind: ExternKind) -> usize {
    match kind {
        ExternKind::Func => 0,
        ExternKind::Table => 1,
        ExternKind::Memory => 2,
        ExternKind::Global => 3,
        ExternKind::Tag => 4,
    }
}

/// The kind and inline import of a field that defines an entity, if it does.
fn entity(field: &Field<'_>) -> Option<(ExternKind, bool)> {
    match field {
        Field::Import(i) => Some((
            match i.kind {
                syntax::ImportKind::Func(_) => ExternKind::Func,
                syntax::ImportKind::Table(_) => ExternKind::Table,
                syntax::ImportKind::Memory(_) => ExternKind::Memory,
                syntax::ImportKind::Global(_) => ExternKind::Global,
                syntax::ImportKind::Tag(_) => ExternKind::Tag,
            },
            true,
        )),
        Field::Tag(t) => Some((ExternKind::Tag, t.import.is_some())),
        Field::Func(f) => Some((ExternKind::Func, f.import.is_some())),
        Field::Table(t) => Some((ExternKind::Table, t.import.is_some())),
        Field::Memory(m) => Some((ExternKind::Memory, m.import.is_some())),
        Field::Global(g) => Some((ExternKind::Global, g.import.is_some())),
        _ => None,
    }
}

/// `(export "n")*` written in the definition of entity `index`.
fn inline_exports<'s>(items: &mut Vec<Item<'s>>, names: &'s [Name], kind: ExternKind, index: u32) {
    for name in names {
        let target = Target::Known(index);
        items.push(Item::Export(Export {
            name,
            kind,
            target,
            span: name.span,
        }));
    }
}

/// Expands the module's fields into canonical items (steps above), reporting misplaced imports.
pub(super) fn expand<'s>(module: &'s syntax::Module<'s>, errors: &mut Vec<Error>) -> Vec<Item<'s>> {
    // Step 1: imports per kind.
    let mut imported: Counts = [0; 5];
    for field in &module.fields {
        if let Some((kind, true)) = entity(field) {
            imported[kind_slot(kind)] += 1;
        }
    }

    // Step 2: canonical items in text order. `seen_imports`/`seen_defs` number the entities.
    let mut items = Vec::with_capacity(module.fields.len());
    let mut seen_imports: Counts = [0; 5];
    let mut seen_defs: Counts = [0; 5];
    let mut next_index = |kind: ExternKind, import: bool| {
        let k = kind_slot(kind);
        if import {
            seen_imports[k] += 1;
            seen_imports[k] - 1
        } else {
            seen_defs[k] += 1;
            imported[k] + seen_defs[k] - 1
        }
    };
    for field in &module.fields {
        match field {
            Field::Type(t) => items.push(Item::Type(t)),
            Field::Rec(ts, _) => items.push(Item::Rec(ts)),
            Field::Tag(t) => {
                let index = next_index(ExternKind::Tag, t.import.is_some());
                inline_exports(&mut items, &t.exports, ExternKind::Tag, index);
                match &t.import {
                    Some(imp) => items.push(Item::Import(Import {
                        module: &imp.module,
                        field: &imp.field,
                        id: t.id.as_ref(),
                        kind: ImportKind::Tag(&t.ty),
                        span: t.span,
                    })),
                    None => items.push(Item::Tag(t)),
                }
            }
            Field::Import(i) => {
                let kind = match &i.kind {
                    syntax::ImportKind::Func(t) => ImportKind::Func(t),
                    syntax::ImportKind::Table(t) => ImportKind::Table(t),
                    syntax::ImportKind::Memory(m) => ImportKind::Memory(*m),
                    syntax::ImportKind::Global(g) => ImportKind::Global(g),
                    syntax::ImportKind::Tag(t) => ImportKind::Tag(t),
                };
                let Some((ek, _)) = entity(field) else {
                    unreachable!()
                };
                next_index(ek, true);
                items.push(Item::Import(Import {
                    module: &i.module,
                    field: &i.field,
                    id: i.id.as_ref(),
                    kind,
                    span: i.span,
                }));
            }
            Field::Func(f) => {
                let index = next_index(ExternKind::Func, f.import.is_some());
                inline_exports(&mut items, &f.exports, ExternKind::Func, index);
                match &f.import {
                    Some(imp) => items.push(Item::Import(Import {
                        module: &imp.module,
                        field: &imp.field,
                        id: f.id.as_ref(),
                        kind: ImportKind::Func(&f.ty),
                        span: f.span,
                    })),
                    None => items.push(Item::Func(f)),
                }
            }
            Field::Table(t) => {
                let index = next_index(ExternKind::Table, t.import.is_some());
                inline_exports(&mut items, &t.exports, ExternKind::Table, index);
                match &t.import {
                    Some(imp) => items.push(Item::Import(Import {
                        module: &imp.module,
                        field: &imp.field,
                        id: t.id.as_ref(),
                        kind: ImportKind::Table(&t.ty),
                        span: t.span,
                    })),
                    None => {
                        if let Some(list) = &t.inline_elem {
                            items.push(Item::Elem(Elem {
                                id: None,
                                mode: ElemMode::Active {
                                    table: Some(Target::Known(index)),
                                    offset: Offset::Zero { is64: t.ty.table64 },
                                },
                                list,
                            }));
                        }
                        items.push(Item::Table(t));
                    }
                }
            }
            Field::Memory(m) => {
                let index = next_index(ExternKind::Memory, m.import.is_some());
                inline_exports(&mut items, &m.exports, ExternKind::Memory, index);
                match &m.import {
                    Some(imp) => items.push(Item::Import(Import {
                        module: &imp.module,
                        field: &imp.field,
                        id: m.id.as_ref(),
                        kind: ImportKind::Memory(m.ty),
                        span: m.span,
                    })),
                    None => {
                        if let Some(bytes) = &m.inline_data {
                            items.push(Item::Data(Data {
                                id: None,
                                mode: DataMode::Active {
                                    memory: Some(Target::Known(index)),
                                    offset: Offset::Zero {
                                        is64: m.ty.memory64,
                                    },
                                },
                                bytes,
                                place: None,
                            }));
                        }
                        items.push(Item::Memory(m));
                    }
                }
            }
            Field::Global(g) => {
                let index = next_index(ExternKind::Global, g.import.is_some());
                inline_exports(&mut items, &g.exports, ExternKind::Global, index);
                match &g.import {
                    Some(imp) => items.push(Item::Import(Import {
                        module: &imp.module,
                        field: &imp.field,
                        id: g.id.as_ref(),
                        kind: ImportKind::Global(&g.ty),
                        span: g.span,
                    })),
                    None => items.push(Item::Global(g)),
                }
            }
            Field::Export(e) => items.push(Item::Export(Export {
                name: &e.name,
                kind: match e.kind {
                    syntax::ExportKind::Func => ExternKind::Func,
                    syntax::ExportKind::Table => ExternKind::Table,
                    syntax::ExportKind::Memory => ExternKind::Memory,
                    syntax::ExportKind::Global => ExternKind::Global,
                    syntax::ExportKind::Tag => ExternKind::Tag,
                },
                target: Target::Written(&e.index),
                span: e.span,
            })),
            Field::Start(index, span) => items.push(Item::Start(index, *span)),
            Field::Elem(e) => items.push(Item::Elem(Elem {
                id: e.id.as_ref(),
                mode: match &e.mode {
                    syntax::ElemMode::Passive => ElemMode::Passive,
                    syntax::ElemMode::Declared => ElemMode::Declared,
                    syntax::ElemMode::Active { table, offset } => ElemMode::Active {
                        table: table.as_ref().map(Target::Written),
                        offset: Offset::Written(offset),
                    },
                },
                list: &e.list,
            })),
            Field::Data(d) => items.push(Item::Data(Data {
                id: d.id.as_ref(),
                mode: match &d.mode {
                    syntax::DataMode::Passive => DataMode::Passive,
                    syntax::DataMode::Active { memory, offset } => DataMode::Active {
                        memory: memory.as_ref().map(Target::Written),
                        offset: Offset::Written(offset),
                    },
                },
                bytes: &d.bytes,
                place: d.place.as_ref(),
            })),
            Field::Custom(c) => items.push(Item::Custom(c)),
        }
    }

    // Step 3: imports first.
    let mut last_definition: Option<(&str, Span)> = None;
    for item in &items {
        let what = match item {
            Item::Import(i) => {
                if let Some((what, span)) = last_definition {
                    errors.push(
                        Error::malformed(format!("import after {what}"), i.span)
                            .with_label("imports must come before definitions")
                            .with_secondary(span, format!("{what} defined here")),
                    );
                }
                continue;
            }
            Item::Func(f) => ("function", f.span),
            Item::Table(t) => ("table", t.span),
            Item::Memory(m) => ("memory", m.span),
            Item::Global(g) => ("global", g.span),
            Item::Tag(t) => ("tag", t.span),
            _ => continue,
        };
        last_definition = Some(what);
    }
    items
}
