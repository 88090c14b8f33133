//! Exception handling: tags, exception objects, and the handler tables `try_table` lowers to.
//!
//! - A **tag** is a store entity ([`TagEntity`]) with a function type whose parameters are the
//!   payload; each instantiation of a module defines new tags, so tag identity is per instance.
//!   Imports match by type equivalence (equal store type ids).
//! - An **exception object** ([`ExnEntity`]) lives in the store's [`Exns`] arena behind an
//!   [`ExnHandle`]: its tag and its payload as plain cells with their types (so a collector can
//!   find the references among them). An `exnref` cell is the handle plus one (0 is null), and
//!   `throw_ref` rethrows that same object.
//! - **`try_table`** costs nothing until something throws: lowering records, per function, the
//!   op range of each `try_table` body and its catch clauses ([`TryRegion`], [`CatchClause`]);
//!   the unwinder (`interp::unwind`) looks the throwing op up there, frame by frame, only when an
//!   exception is thrown.
//!
//! An exception no handler catches leaves the interpreter as [`Trap::Exception`]: "uncaught
//! exception" at the API boundary. A host function that returns that error throws the exception
//! into its wasm caller (host functions cannot call back into wasm, so a host frame is never
//! between two wasm frames).

use super::*;

/// A tag: the store type id of its function type.
pub(crate) struct TagEntity {
    pub(crate) ty: u32,
}

/// An exception object: its tag and payload.
#[derive(Debug, Default)]
pub(crate) struct ExnEntity {
    /// The store's tag.
    pub(crate) tag: u32,
    /// The payload's types (the tag type's parameters).
    pub(crate) types: Vec<ValType>,
    /// The payload in cells (a v128 takes two, low half first).
    pub(crate) cells: Vec<u64>,
    /// Whether a reference to the object may exist outside the unwinder: an `exnref` made by
    /// `catch_ref`/`catch_all_ref`, a handle given to the host. An object thrown by `throw` and
    /// caught by `catch`/`catch_all` was never referenced, so its slot is reused.
    pub(crate) exposed: bool,
}

/// The store's exception objects.
#[derive(Debug, Default)]
pub(crate) struct Exns {
    pub(crate) items: Vec<ExnEntity>,
    /// Slots of objects no reference can reach (see [`ExnEntity::exposed`]).
    free: Vec<u32>,
}

impl Exns {
    /// A new exception of store tag `tag` with the payload `cells` of `types`; its index.
    pub(crate) fn alloc(&mut self, tag: u32, types: &[ValType], cells: &[u64]) -> u32 {
        match self.free.pop() {
            Some(i) => {
                let e = &mut self.items[i as usize];
                e.tag = tag;
                e.types.clear();
                e.types.extend_from_slice(types);
                e.cells.clear();
                e.cells.extend_from_slice(cells);
                e.exposed = false;
                i
            }
            None => {
                self.items.push(ExnEntity {
                    tag,
                    types: types.to_vec(),
                    cells: cells.to_vec(),
                    exposed: false,
                });
                self.items.len() as u32 - 1
            }
        }
    }

    /// Exception `i` was caught by a clause that drops it: its slot is free unless something
    /// may still refer to it.
    pub(crate) fn caught_and_dropped(&mut self, i: u32) {
        if !self.items[i as usize].exposed {
            debug_assert!(!self.free.contains(&i));
            self.free.push(i);
        }
    }

    /// How many objects are live or may be (for tests).
    #[cfg(test)]
    pub(crate) fn live(&self) -> usize {
        self.items.len() - self.free.len()
    }
}

/// The body of one `try_table`: ops `start..end` of its function, and its catch clauses
/// `clauses` (indices into [`FuncCode::catch_clauses`], in order). A function's regions are
/// listed innermost first (each is recorded at its `end`), so the first region containing an op
/// is the innermost `try_table` around it.
#[derive(Clone, Debug)]
pub(crate) struct TryRegion {
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) clauses: std::ops::Range<u32>,
}

/// One catch clause: which exceptions it catches, where their values go and where execution
/// goes on.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CatchClause {
    /// The module's tag index (`catch`, `catch_ref`), or `None` (`catch_all`, `catch_all_ref`).
    pub(crate) tag: Option<u32>,
    /// `catch_ref`/`catch_all_ref`: the exnref follows the payload.
    pub(crate) with_ref: bool,
    /// The label's first cell: the payload (then the exnref) is written from here.
    pub(crate) dst: code::Slot,
    /// The op to go on at ([`code::RETURN_PC`]: return from the function, whose label it is).
    pub(crate) pc: u32,
}

impl FuncCode {
    /// The first catch clause, innermost `try_table` first, that catches an exception of store
    /// tag `tag` thrown at op `pc`, with `inst` the function's instance.
    pub(crate) fn handler(&self, pc: u32, tag: u32, inst: &InstanceEntity) -> Option<CatchClause> {
        self.try_regions
            .iter()
            .filter(|r| r.start <= pc && pc < r.end)
            .flat_map(|r| &self.catch_clauses[r.clauses.start as usize..r.clauses.end as usize])
            .find(|c| c.tag.is_none_or(|t| inst.tags[t as usize] == tag))
            .copied()
    }
}

impl Store {
    /// Adds a tag of type `ty` (its results must be empty; its parameters are the payload).
    pub fn new_tag(&mut self, ty: FuncType) -> TagHandle {
        let id = self.intern(&ty, CanonFunc::of(&ty));
        self.tags.push(TagEntity { ty: id });
        TagHandle(self.tags.len() as u32 - 1)
    }

    /// The type of tag `t`.
    pub fn tag_type(&self, t: TagHandle) -> &FuncType {
        &self.types[self.tags[t.0 as usize].ty as usize]
    }

    /// The exported tag `name` of `instance`.
    pub fn tag_export(&self, instance: InstanceHandle, name: &str) -> Option<TagHandle> {
        match self.export(instance, name)? {
            Extern::Tag(t) => Some(t),
            _ => None,
        }
    }

    /// A new exception of `tag` carrying `payload` (type-checked against the tag's parameters).
    /// A host function throws it into its wasm caller by returning
    /// `Err(Trap::Exception(handle))`.
    pub fn new_exception(&mut self, tag: TagHandle, payload: &[Value]) -> Result<ExnHandle, Trap> {
        let types = self.tag_type(tag).params.clone();
        if types.len() != payload.len() || types.iter().zip(payload).any(|(t, v)| *t != v.ty()) {
            return Err(Trap::Host("type mismatch: wrong exception payload".into()));
        }
        let mut cells = vec![0; types.iter().map(|&t| lower::width(t) as usize).sum()];
        let mut at = 0;
        for v in payload {
            at += v.write_cells(&mut cells[at..]);
        }
        let i = self.exns.alloc(tag.0, &types, &cells);
        self.exns.items[i as usize].exposed = true;
        Ok(ExnHandle(i))
    }

    /// The tag of exception `e`.
    pub fn exception_tag(&self, e: ExnHandle) -> TagHandle {
        TagHandle(self.exns.items[e.0 as usize].tag)
    }

    /// The payload of exception `e`.
    pub fn exception_payload(&self, e: ExnHandle) -> Vec<Value> {
        let x = &self.exns.items[e.0 as usize];
        let mut at = 0;
        x.types
            .iter()
            .map(|&t| {
                let (v, n) = Value::read_cells(t, &x.cells[at..]);
                at += n;
                v
            })
            .collect()
    }
}
