//! Types: value types, the type section, and type uses.
//!
//! The type section holds the types written in the text, in order, followed by the types the
//! expansion of type uses appends. A type use with only an inline type refers to the first
//! identical type among all of them, or appends one; type uses are expanded in item order, which
//! gives the `wat` crate's numbering. Like `wat`, only function types written outside a `(rec …)`
//! group are candidates (with or without `sub`).

use std::collections::HashMap;

use super::Resolver;
use super::names::lookup;
use crate::ast::{self, TypeIdx};
use crate::error::Error;
use crate::text::syntax;

/// The type section being built, with an index of its types for finding identical ones.
#[derive(Debug, Default)]
pub(super) struct Types {
    list: Vec<ast::SubType>,
    first: HashMap<ast::FuncType, TypeIdx>,
}

impl Types {
    /// The function type at `idx`, if there is one (`None` for a struct or array type).
    pub(super) fn get(&self, idx: TypeIdx) -> Option<&ast::FuncType> {
        self.list.get(idx.0 as usize).and_then(ast::SubType::func)
    }

    /// Whether a type exists at `idx`.
    fn exists(&self, idx: TypeIdx) -> bool {
        (idx.0 as usize) < self.list.len()
    }

    /// Number of types so far.
    pub(super) fn len(&self) -> u32 {
        self.list.len() as u32
    }

    /// Appends a type (written in the text or implicit); an identical function type used inline
    /// later reuses the first one that is `reusable` (outside a `rec` group).
    fn push(&mut self, ty: ast::SubType, reusable: bool) -> TypeIdx {
        let idx = TypeIdx(self.list.len() as u32);
        if let (true, Some(f)) = (reusable, ty.func()) {
            self.first.entry(f.clone()).or_insert(idx);
        }
        self.list.push(ty);
        idx
    }

    /// The first type identical to `ty`, appended if there is none.
    fn intern(&mut self, ty: ast::FuncType) -> TypeIdx {
        match self.first.get(&ty) {
            Some(&idx) => idx,
            None => self.push(ty.into(), true),
        }
    }

    /// The types so far.
    pub(super) fn list(&self) -> &[ast::SubType] {
        &self.list
    }

    /// The finished type section.
    pub(super) fn into_list(self) -> Vec<ast::SubType> {
        self.list
    }
}

/// The type section as resolution sees it: being built (a whole module, or a module's header), or
/// frozen (a function body resolved apart, which may only use the types that precede it).
pub(super) enum TypeTable<'r> {
    /// Types are appended as type uses need them.
    Building(Types),
    /// The header's types; only the first `visible` exist when the body is resolved in item order.
    /// A type use that would append a type (or use a later one) sets `missed`.
    Frozen {
        types: &'r Types,
        visible: u32,
        missed: bool,
    },
}

impl TypeTable<'_> {
    /// The function type at `idx`, if there is one.
    pub(super) fn get(&self, idx: TypeIdx) -> Option<&ast::FuncType> {
        match self {
            TypeTable::Building(t) => t.get(idx),
            TypeTable::Frozen { types, visible, .. } => types.get(idx).filter(|_| idx.0 < *visible),
        }
    }

    /// Whether a type (of any kind) exists at `idx`.
    pub(super) fn exists(&self, idx: TypeIdx) -> bool {
        match self {
            TypeTable::Building(t) => t.exists(idx),
            TypeTable::Frozen { types, visible, .. } => types.exists(idx) && idx.0 < *visible,
        }
    }

    /// Number of types so far.
    pub(super) fn len(&self) -> u32 {
        match self {
            TypeTable::Building(t) => t.len(),
            TypeTable::Frozen { visible, .. } => *visible,
        }
    }

    /// Appends a type written in the text.
    fn push(&mut self, ty: ast::SubType, reusable: bool) -> TypeIdx {
        match self {
            TypeTable::Building(t) => t.push(ty, reusable),
            TypeTable::Frozen { missed, .. } => {
                *missed = true;
                TypeIdx(0)
            }
        }
    }

    /// The first type identical to `ty`, appended if there is none.
    fn intern(&mut self, ty: ast::FuncType) -> TypeIdx {
        match self {
            TypeTable::Building(t) => t.intern(ty),
            TypeTable::Frozen {
                types,
                visible,
                missed,
            } => match types.first.get(&ty) {
                Some(&idx) if idx.0 < *visible => idx,
                _ => {
                    *missed = true;
                    TypeIdx(0)
                }
            },
        }
    }
}

impl<'s> Resolver<'s, '_> {
    /// Adds a type definition written in the text (all of them precede any implicit type);
    /// `in_rec`: it is written in a `(rec …)` group.
    pub(super) fn define_type(&mut self, def: &'s syntax::TypeDef<'s>, in_rec: bool) {
        let composite = match &def.composite {
            syntax::Composite::Func(f) => ast::CompositeType::Func(self.func_type(f)),
            syntax::Composite::Struct(fields) => {
                ast::CompositeType::Struct(fields.iter().map(|f| self.field_type(f)).collect())
            }
            syntax::Composite::Array(f) => ast::CompositeType::Array(self.field_type(f)),
        };
        let mut supers = def
            .supers
            .iter()
            .map(|i| TypeIdx(lookup(&self.scope.types, &mut self.errors, i).unwrap_or(0)));
        let supertype = supers.next();
        if supers.next().is_some() {
            self.errors.push(
                Error::invalid("multiple supertypes", def.span)
                    .with_label("a type has at most one supertype"),
            );
        }
        let ty = ast::SubType {
            is_final: def.is_final,
            supertype,
            composite,
        };
        self.types.push(ty, !in_rec);
    }

    fn field_type(&mut self, f: &syntax::FieldDecl<'_>) -> ast::FieldType {
        ast::FieldType {
            storage: match &f.storage {
                syntax::StorageType::I8 => ast::StorageType::I8,
                syntax::StorageType::I16 => ast::StorageType::I16,
                syntax::StorageType::Val(v) => ast::StorageType::Val(self.val_type(v)),
            },
            mutable: f.mutable,
        }
    }

    /// Resolves a value type (typed references name a type).
    pub(super) fn val_type(&mut self, ty: &syntax::ValType<'_>) -> ast::ValType {
        match ty {
            syntax::ValType::I32 => ast::ValType::I32,
            syntax::ValType::I64 => ast::ValType::I64,
            syntax::ValType::F32 => ast::ValType::F32,
            syntax::ValType::F64 => ast::ValType::F64,
            syntax::ValType::V128 => ast::ValType::V128,
            syntax::ValType::Ref(r) => ast::ValType::Ref(self.ref_type(r)),
        }
    }

    /// Resolves a reference type.
    pub(super) fn ref_type(&mut self, ty: &syntax::RefType<'_>) -> ast::RefType {
        ast::RefType {
            nullable: ty.nullable,
            heap: self.heap_type(&ty.heap),
        }
    }

    /// Resolves a heap type.
    pub(super) fn heap_type(&mut self, ty: &syntax::HeapType<'_>) -> ast::HeapType {
        match ty {
            syntax::HeapType::Func => ast::HeapType::Func,
            syntax::HeapType::Extern => ast::HeapType::Extern,
            syntax::HeapType::Index(i) => ast::HeapType::Type(TypeIdx(
                lookup(&self.scope.types, &mut self.errors, i).unwrap_or(0),
            )),
            syntax::HeapType::Abstract(h) => match h {
                syntax::AbsHeap::Any => ast::HeapType::Any,
                syntax::AbsHeap::Eq => ast::HeapType::Eq,
                syntax::AbsHeap::I31 => ast::HeapType::I31,
                syntax::AbsHeap::Struct => ast::HeapType::Struct,
                syntax::AbsHeap::Array => ast::HeapType::Array,
                syntax::AbsHeap::None => ast::HeapType::None,
                syntax::AbsHeap::NoFunc => ast::HeapType::NoFunc,
                syntax::AbsHeap::NoExtern => ast::HeapType::NoExtern,
                syntax::AbsHeap::Exn => ast::HeapType::Exn,
                syntax::AbsHeap::NoExn => ast::HeapType::NoExn,
            },
        }
    }

    /// Resolves a function type.
    pub(super) fn func_type(&mut self, ty: &syntax::FuncType<'_>) -> ast::FuncType {
        ast::FuncType {
            params: ty.params.iter().map(|p| self.val_type(&p.ty)).collect(),
            results: ty.results.iter().map(|t| self.val_type(t)).collect(),
        }
    }

    /// Resolves a type use to a type index: the one written (checking an inline type against it),
    /// or the first type identical to the inline type, appended if there is none.
    pub(super) fn type_use(&mut self, tu: &syntax::TypeUse<'_>) -> TypeIdx {
        let inline = self.func_type(&tu.inline);
        let Some(index) = &tu.index else {
            return self.types.intern(inline);
        };
        let Some(idx) = lookup(&self.scope.types, &mut self.errors, index) else {
            return TypeIdx(0);
        };
        let idx = TypeIdx(idx);
        if tu.inline.params.is_empty() && tu.inline.results.is_empty() {
            return idx;
        }
        match self.types.get(idx) {
            Some(def) if *def == inline => {}
            Some(_) => self.errors.push(
                Error::malformed("inline function type does not match the type used", tu.span)
                    .with_label("this type differs from the referenced type")
                    .with_secondary(index.span(), "type referenced here"),
            ),
            None if self.types.exists(idx) => self.errors.push(
                Error::malformed("inline function type does not match the type used", tu.span)
                    .with_label("the referenced type is no function type")
                    .with_secondary(index.span(), "type referenced here"),
            ),
            // An inline type cannot be checked against a type that is not there: the text itself
            // is wrong (spec 6.5.5 defines the abbreviation only for a type that exists).
            None => self.errors.push(
                Error::malformed(format!("unknown type {}", idx.0), index.span())
                    .with_label("no type with this index"),
            ),
        }
        idx
    }

    /// The number of parameters of the function a type use gives, for numbering locals: the inline
    /// ones when written, else those of the referenced type (0 if unknown).
    pub(super) fn param_count(&self, tu: &syntax::TypeUse<'_>, idx: TypeIdx) -> u32 {
        if tu.index.is_none() || !tu.inline.params.is_empty() || !tu.inline.results.is_empty() {
            return tu.inline.params.len() as u32;
        }
        self.types.get(idx).map_or(0, |t| t.params.len() as u32)
    }

    /// Resolves a block type: `[] -> []` and `[] -> [t]` written inline are encoded directly, any
    /// other or any with `(type …)` by a type index.
    pub(super) fn block_type(&mut self, tu: &syntax::TypeUse<'_>) -> ast::BlockType {
        if tu.index.is_none() && tu.inline.params.is_empty() {
            match tu.inline.results.as_slice() {
                [] => return ast::BlockType::Empty,
                [t] => return ast::BlockType::Value(self.val_type(t)),
                _ => {}
            }
        }
        ast::BlockType::Type(self.type_use(tu))
    }
}
