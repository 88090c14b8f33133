//! Index spaces: numbering every entity and binding `$ids` to indices.
//!
//! Each space numbers its entities in the order [`Scope::build`] meets them in the expanded item list:
//! imports first (expansion has checked that they precede definitions), then definitions, in text
//! order. A name bound twice in one space is malformed ("duplicate func"); a name used but never bound
//! is malformed too ("unknown function"). Numeric indices pass through unchecked: validation reports
//! them with the binary format's wording.

use std::collections::HashMap;

use super::expand::{ImportKind, Item};
use crate::error::Error;
use crate::span::Span;
use crate::text::syntax::{self, Id, Index};

/// Which index space a name lives in; gives the words of the errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Space {
    Type,
    Func,
    Table,
    Memory,
    Global,
    Elem,
    Data,
    Tag,
    Field,
    Local,
    Label,
}

impl Space {
    /// The word of "duplicate …" (the spec suite's `duplicate func`, `duplicate local`, …).
    fn defined_word(self) -> &'static str {
        match self {
            Space::Type => "type",
            Space::Func => "func",
            Space::Table => "table",
            Space::Memory => "memory",
            Space::Global => "global",
            Space::Elem => "elem",
            Space::Data => "data",
            Space::Tag => "tag",
            Space::Field => "field",
            Space::Local => "local",
            Space::Label => "label",
        }
    }

    /// The words of "unknown …", as validation uses them (`unknown function`, `unknown elem segment`).
    pub(super) fn used_word(self) -> &'static str {
        match self {
            Space::Type => "type",
            Space::Func => "function",
            Space::Table => "table",
            Space::Memory => "memory",
            Space::Global => "global",
            Space::Elem => "elem segment",
            Space::Data => "data segment",
            Space::Tag => "tag",
            Space::Field => "field",
            Space::Local => "local",
            Space::Label => "label",
        }
    }
}

/// The error for a name that no entity of `space` binds.
pub(super) fn unknown(space: Space, id: &Id<'_>) -> Error {
    Error::malformed(
        format!("unknown {} ${}", space.used_word(), id.name),
        id.span,
    )
    .with_label(format!("no {} named ${}", space.used_word(), id.name))
}

/// One index space: how many entities it holds and which names are bound.
#[derive(Debug)]
pub(super) struct Namespace<'s> {
    space: Space,
    count: u32,
    names: HashMap<&'s str, (u32, Span)>,
}

impl<'s> Namespace<'s> {
    /// An empty space.
    pub(super) fn new(space: Space) -> Namespace<'s> {
        Namespace {
            space,
            count: 0,
            names: HashMap::new(),
        }
    }

    /// Adds the next entity, binding `id` if given. A name already bound is reported and keeps
    /// its first binding.
    pub(super) fn define(&mut self, id: Option<&'s Id<'s>>, errors: &mut Vec<Error>) -> u32 {
        let index = self.count;
        self.count += 1;
        if let Some(id) = id {
            if let Some(&(_, first)) = self.names.get(id.name.as_ref()) {
                let word = self.space.defined_word();
                errors.push(
                    Error::malformed(format!("duplicate {word} ${}", id.name), id.span)
                        .with_label(format!("{word} ${} defined again", id.name))
                        .with_secondary(first, "first defined here"),
                );
            } else {
                self.names.insert(id.name.as_ref(), (index, id.span));
            }
        }
        index
    }

    /// The index `index` refers to; numbers pass through unchecked.
    pub(super) fn lookup(&self, index: &Index<'_>) -> Result<u32, Box<Error>> {
        match index {
            Index::Num(n, _) => Ok(*n),
            Index::Id(id) => match self.names.get(id.name.as_ref()) {
                Some(&(n, _)) => Ok(n),
                None => Err(Box::new(unknown(self.space, id))),
            },
        }
    }
}

/// The index `index` refers to in `ns`, or `None` after reporting an unknown name.
pub(super) fn lookup(
    ns: &Namespace<'_>,
    errors: &mut Vec<Error>,
    index: &Index<'_>,
) -> Option<u32> {
    ns.lookup(index).map_err(|e| errors.push(*e)).ok()
}

/// The module-level index spaces.
#[derive(Debug)]
pub(super) struct Scope<'s> {
    pub(super) types: Namespace<'s>,
    pub(super) funcs: Namespace<'s>,
    pub(super) tables: Namespace<'s>,
    pub(super) memories: Namespace<'s>,
    pub(super) globals: Namespace<'s>,
    pub(super) elems: Namespace<'s>,
    pub(super) datas: Namespace<'s>,
    pub(super) tags: Namespace<'s>,
    /// Per struct type with named fields, by type index: its field names.
    pub(super) fields: HashMap<u32, Namespace<'s>>,
    /// Per memory, whether its addresses are 64-bit (memory arguments' offsets depend on it).
    pub(super) memory64: Vec<bool>,
}

impl<'s> Scope<'s> {
    /// Numbers the entities of the expanded items, reporting duplicate names.
    ///
    /// Types written in the text come first in the type space; the types the expansion of type
    /// uses appends come after them and have no names, so they are not numbered here.
    pub(super) fn build(items: &[Item<'s>], errors: &mut Vec<Error>) -> Scope<'s> {
        let mut scope = Scope {
            types: Namespace::new(Space::Type),
            funcs: Namespace::new(Space::Func),
            tables: Namespace::new(Space::Table),
            memories: Namespace::new(Space::Memory),
            globals: Namespace::new(Space::Global),
            elems: Namespace::new(Space::Elem),
            datas: Namespace::new(Space::Data),
            tags: Namespace::new(Space::Tag),
            fields: HashMap::new(),
            memory64: Vec::new(),
        };
        fn define_type<'s>(
            scope: &mut Scope<'s>,
            t: &'s syntax::TypeDef<'s>,
            errors: &mut Vec<Error>,
        ) {
            let idx = scope.types.define(t.id.as_ref(), errors);
            if let syntax::Composite::Struct(fields) = &t.composite
                && fields.iter().any(|f| f.id.is_some())
            {
                let mut ns = Namespace::new(Space::Field);
                for f in fields {
                    ns.define(f.id.as_ref(), errors);
                }
                scope.fields.insert(idx, ns);
            }
        }
        for item in items {
            match item {
                Item::Type(t) => define_type(&mut scope, t, errors),
                Item::Rec(ts) => {
                    for t in ts.iter() {
                        define_type(&mut scope, t, errors);
                    }
                }
                Item::Tag(t) => {
                    scope.tags.define(t.id.as_ref(), errors);
                }
                Item::Import(i) => {
                    if let ImportKind::Memory(m) = i.kind {
                        scope.memory64.push(m.memory64);
                    }
                    let ns = match i.kind {
                        ImportKind::Func(_) => &mut scope.funcs,
                        ImportKind::Table(_) => &mut scope.tables,
                        ImportKind::Memory(_) => &mut scope.memories,
                        ImportKind::Global(_) => &mut scope.globals,
                        ImportKind::Tag(_) => &mut scope.tags,
                    };
                    ns.define(i.id, errors);
                }
                Item::Func(f) => {
                    scope.funcs.define(f.id.as_ref(), errors);
                }
                Item::Table(t) => {
                    scope.tables.define(t.id.as_ref(), errors);
                }
                Item::Memory(m) => {
                    scope.memory64.push(m.ty.memory64);
                    scope.memories.define(m.id.as_ref(), errors);
                }
                Item::Global(g) => {
                    scope.globals.define(g.id.as_ref(), errors);
                }
                Item::Elem(e) => {
                    scope.elems.define(e.id, errors);
                }
                Item::Data(d) => {
                    scope.datas.define(d.id, errors);
                }
                Item::Export(_) | Item::Start(..) | Item::Custom(_) => {}
            }
        }
        scope
    }
}
