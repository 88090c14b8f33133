//! Instantiation: imports checked, entities allocated, segments applied, the start function run.

use std::collections::HashMap;
use std::sync::Arc;

use wasmparser::ExternalKind;

use super::*;
use crate::error::{Class, Error};

impl Store {
    /// Instantiates `module`: resolves and type-checks imports ([`Class::Unlinkable`]), allocates
    /// its entities, applies active element and data segments in order (out of bounds is
    /// [`Class::Uninstantiable`]; earlier segments stay applied) and runs the start function.
    pub fn instantiate(
        &mut self,
        module: &Module,
        imports: &Imports,
    ) -> Result<InstanceHandle, Error> {
        let m = &module.inner;
        // Store type ids: a recursion group refers to earlier types by their ids and to its own
        // types by position, so equivalent groups of any two modules share ids.
        let mut types: Vec<u32> = Vec::with_capacity(m.types.len());
        for &(start, n) in &m.rec_groups {
            let range = start as usize..(start + n) as usize;
            let key: Vec<_> = m.def_types[range.clone()]
                .iter()
                .map(|d| {
                    d.map(|j| match types.get(j as usize) {
                        Some(&id) => HeapTy::Concrete(id),
                        None => HeapTy::Rec(j.wrapping_sub(start)),
                    })
                })
                .collect();
            let first = self.intern_group(&m.types[range], key);
            types.extend(first..first + n);
        }
        let in_store =
            |j: u32| HeapTy::Concrete(types.get(j as usize).copied().unwrap_or(u32::MAX));
        let (mut funcs, mut tables, mut memories, mut globals) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut tags = Vec::new();
        for (mname, name, kind) in &m.imports {
            let Some(ext) = imports.get(mname, name) else {
                return Err(Error::unlocated(
                    Class::Unlinkable,
                    format!("unknown import: {mname}.{name}"),
                ));
            };
            let ok = match (kind, ext) {
                (ImportKind::Func(t), Extern::Func(h)) => {
                    funcs.push(h.0);
                    self.func_type_matches(self.funcs[h.0 as usize].ty, types[*t as usize])
                }
                (ImportKind::Table(t), Extern::Table(h)) => {
                    tables.push(h.0);
                    let e = &self.tables[h.0 as usize];
                    e.elem == t.elem.map(in_store)
                        && e.index64 == t.index64
                        && limits_match(e.elems.len() as u64, e.max, t.min, t.max)
                }
                (ImportKind::Memory(t), Extern::Memory(h)) => {
                    memories.push(h.0);
                    let e = &self.memories[h.0 as usize];
                    e.index64 == t.index64
                        && e.shared == t.shared
                        && e.page_log2 == t.page_log2
                        && limits_match(e.pages(), e.max, t.min, t.max)
                }
                (ImportKind::Global(t), Extern::Global(h)) => {
                    globals.push(h.0);
                    let e = &self.globals[h.0 as usize];
                    let want = t.full.map(in_store);
                    // Immutable globals are covariant, mutable ones invariant.
                    e.mutable == t.mutable
                        && self.val_matches(e.full, want)
                        && (!e.mutable || self.val_matches(want, e.full))
                }
                // Tag types are invariant: the types must be equivalent.
                (ImportKind::Tag(t), Extern::Tag(h)) => {
                    tags.push(h.0);
                    self.tags[h.0 as usize].ty == types[*t as usize]
                }
                _ => false,
            };
            if !ok {
                let e = Error::unlocated(
                    Class::Unlinkable,
                    format!("incompatible import type: {mname}.{name}"),
                );
                return Err(match (kind, ext) {
                    (ImportKind::Memory(t), Extern::Memory(h)) => {
                        let have = &self.memories[h.0 as usize];
                        let given = have.pages();
                        if (have.index64, have.shared, have.page_log2)
                            != (t.index64, t.shared, t.page_log2)
                        {
                            let describe = |i64: bool, shared: bool, log2: u32| {
                                format!(
                                    "{} {}memory of {}-byte pages",
                                    if i64 { "a 64-bit" } else { "a 32-bit" },
                                    if shared { "shared " } else { "" },
                                    1u128 << log2
                                )
                            };
                            e.with_note(format!(
                                "the module needs {}, {} given",
                                describe(t.index64, t.shared, t.page_log2),
                                describe(have.index64, have.shared, have.page_log2)
                            ))
                        } else if given < t.min {
                            e.with_note(format!(
                                "the module needs at least {} pages of memory, {given} given",
                                t.min
                            ))
                        } else {
                            e.with_note(format!(
                                "the module allows at most {} pages, the memory may grow past it",
                                t.max.unwrap_or(0)
                            ))
                        }
                    }
                    _ => e,
                });
            }
        }
        let inst_idx = self.instances.len() as u32;
        for (i, &t) in m.funcs[m.n_imported_funcs as usize..].iter().enumerate() {
            self.funcs.push(FuncEntity {
                ty: types[t as usize],
                kind: FuncKind::Wasm {
                    instance: inst_idx,
                    index: i as u32,
                },
            });
            funcs.push(self.funcs.len() as u32 - 1);
        }
        for (t, init) in m.tables.iter().zip(&m.table_inits) {
            // A table's initializer reads imported globals only (the global section follows).
            let init = init
                .as_ref()
                .map_or(Ok(0), |e| self.eval(e, &types, &globals, &funcs))
                .map_err(Error::from)? as u64;
            let t = TableType {
                elem: t.elem.map(in_store),
                ..*t
            };
            tables.push(self.alloc_table(t, init)?);
        }
        for t in &m.memories {
            memories.push(self.alloc_memory(*t)?);
        }
        // Each instantiation defines new tags: tag identity is per instance.
        for &t in &m.tags[tags.len()..] {
            self.tags.push(TagEntity {
                ty: types[t as usize],
            });
            tags.push(self.tags.len() as u32 - 1);
        }
        for (t, init) in &m.globals {
            let value = self.eval(init, &types, &globals, &funcs)?;
            self.globals.push(GlobalEntity {
                ty: t.ty,
                full: t.full.map(in_store),
                mutable: t.mutable,
                value,
            });
            globals.push(self.globals.len() as u32 - 1);
        }
        let mut elems = Vec::new();
        for e in &m.elems {
            let mut items = Vec::with_capacity(e.items.len());
            for x in &e.items {
                items.push(self.eval(x, &types, &globals, &funcs)? as u64);
            }
            self.elems.push(items);
            elems.push(self.elems.len() as u32 - 1);
        }
        let mut datas = Vec::new();
        for d in &m.datas {
            self.datas.push(d.bytes.clone());
            datas.push(self.datas.len() as u32 - 1);
        }
        let mut exports = HashMap::new();
        for (name, kind, i) in &m.exports {
            let i = *i as usize;
            let e = match kind {
                ExternalKind::Func | ExternalKind::FuncExact => Extern::Func(FuncHandle(funcs[i])),
                ExternalKind::Table => Extern::Table(TableHandle(tables[i])),
                ExternalKind::Memory => Extern::Memory(MemoryHandle(memories[i])),
                ExternalKind::Global => Extern::Global(GlobalHandle(globals[i])),
                ExternalKind::Tag => Extern::Tag(TagHandle(tags[i])),
            };
            exports.insert(name.clone(), e);
        }
        let mem0 = memories.first().copied().unwrap_or(u32::MAX);
        self.instances.push(InstanceEntity {
            module: m.clone(),
            types,
            funcs,
            tables,
            memories,
            globals,
            elems,
            datas,
            tags,
            mem0,
            exports,
        });
        let inst = &self.instances[inst_idx as usize];
        let (types, tables, memories, globals, funcs, elems, datas) = (
            inst.types.clone(),
            inst.tables.clone(),
            inst.memories.clone(),
            inst.globals.clone(),
            inst.funcs.clone(),
            inst.elems.clone(),
            inst.datas.clone(),
        );
        for (i, e) in m.elems.iter().enumerate() {
            match &e.mode {
                SegMode::Active(t, off) => {
                    let off = self.eval(off, &types, &globals, &funcs)? as u64;
                    let seg = &self.elems[elems[i] as usize];
                    let table = &mut self.tables[tables[*t as usize] as usize];
                    let off = if table.index64 {
                        off
                    } else {
                        off as u32 as u64
                    };
                    let n = seg.len() as u64;
                    if off
                        .checked_add(n)
                        .is_none_or(|end| end > table.elems.len() as u64)
                    {
                        return Err(uninstantiable(TrapCode::TableOutOfBounds));
                    }
                    table.elems[off as usize..(off + n) as usize].copy_from_slice(seg);
                    self.elems[elems[i] as usize] = Vec::new();
                }
                SegMode::Declared => self.elems[elems[i] as usize] = Vec::new(),
                SegMode::Passive => {}
            }
        }
        for (i, d) in m.datas.iter().enumerate() {
            if let SegMode::Active(mi, off) = &d.mode {
                let off = self.eval(off, &types, &globals, &funcs)? as u64;
                let mem = &mut self.memories[memories[*mi as usize] as usize];
                let off = if mem.index64 { off } else { off as u32 as u64 };
                let n = d.bytes.len() as u64;
                if off
                    .checked_add(n)
                    .is_none_or(|end| end > mem.data.len() as u64)
                {
                    return Err(uninstantiable(TrapCode::MemoryOutOfBounds));
                }
                mem.data[off as usize..(off + n) as usize].copy_from_slice(&d.bytes);
                self.datas[datas[i] as usize] = Arc::new([]);
            }
        }
        if let Some(s) = m.start {
            self.call(FuncHandle(funcs[s as usize]), &[])
                .map_err(Error::from)?;
        }
        Ok(InstanceHandle(inst_idx))
    }
}

// ---------------------------------------------------------------------------------------------
// Import matching

impl Store {
    /// Whether a function of store type `have` matches an import of store type `want`: equal
    /// (equivalent) types, or `want` among `have`'s declared supertypes.
    pub(crate) fn func_type_matches(&self, have: u32, want: u32) -> bool {
        super::gc::is_subtype(&self.rt_types, have, want)
    }

    /// Whether value type `have` matches (is a subtype of) `want`, both in store terms.
    pub(crate) fn val_matches(&self, have: FullType, want: FullType) -> bool {
        match (have, want) {
            (FullType::Num(a), FullType::Num(b)) => a == b,
            (FullType::Ref(a), FullType::Ref(b)) => self.ref_matches(a, b),
            _ => false,
        }
    }

    /// `(ref $t) <: (ref null $t) <: (ref null func)`: nullability, then heap types.
    pub(crate) fn ref_matches(&self, have: RefTy, want: RefTy) -> bool {
        (!have.nullable || want.nullable) && self.heap_matches(have.heap, want.heap)
    }

    /// Heap type subtyping in store terms.
    pub(crate) fn heap_matches(&self, have: HeapTy, want: HeapTy) -> bool {
        use wasmparser::AbstractHeapType as A;
        match (have, want) {
            _ if have == want => true,
            (HeapTy::Abstract(a), HeapTy::Abstract(b)) => abstract_sub(a, b),
            // A defined type is below the top of its kind and above that kind's bottom; two
            // defined types match along declared supertypes.
            (HeapTy::Concrete(t), HeapTy::Abstract(b)) => abstract_sub(self.kind_top(t), b),
            (HeapTy::Abstract(a), HeapTy::Concrete(t)) => {
                a == match self.kind_top(t) {
                    A::Func => A::NoFunc,
                    _ => A::None,
                }
            }
            (HeapTy::Concrete(a), HeapTy::Concrete(b)) => {
                super::gc::is_subtype(&self.rt_types, a, b)
            }
            _ => false,
        }
    }
}

impl Store {
    /// The abstract heap type just above defined type `t`: `func`, `struct` or `array`.
    fn kind_top(&self, t: u32) -> wasmparser::AbstractHeapType {
        use super::gc::Kind;
        use wasmparser::AbstractHeapType as A;
        match self.rt_types.get(t as usize).map(|t| t.kind) {
            Some(Kind::Struct) => A::Struct,
            Some(Kind::Array) => A::Array,
            _ => A::Func,
        }
    }
}

/// The abstract heap types' order: `nofunc <: func`, `noextern <: extern`, `noexn <: exn`, `nocont <: cont`,
/// `none <: i31, struct, array <: eq <: any`.
fn abstract_sub(a: wasmparser::AbstractHeapType, b: wasmparser::AbstractHeapType) -> bool {
    use wasmparser::AbstractHeapType::*;
    a == b
        || matches!(
            (a, b),
            (NoFunc, Func)
                | (NoExtern, Extern)
                | (NoExn, Exn)
                | (NoCont, Cont)
                | (None, Any | Eq | I31 | Struct | Array)
                | (I31 | Struct | Array, Any | Eq)
                | (Eq, Any)
        )
}

pub(crate) fn uninstantiable(t: TrapCode) -> Error {
    Error::unlocated(Class::Uninstantiable, t.message())
}

pub(crate) fn limits_match(
    have_min: u64,
    have_max: Option<u64>,
    want_min: u64,
    want_max: Option<u64>,
) -> bool {
    have_min >= want_min
        && match want_max {
            None => true,
            Some(w) => have_max.is_some_and(|h| h <= w),
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(text: &str) -> Module {
        Module::new(&wat::parse_str(text).unwrap()).unwrap()
    }

    /// Instantiates `importer` against the exports of `exporter` registered as "m".
    fn link(exporter: &str, importer: &str) -> Result<InstanceHandle, Error> {
        let mut store = Store::default();
        let ex = store
            .instantiate(&module(exporter), &Imports::new())
            .unwrap();
        let mut imports = Imports::new();
        imports.define_instance(&store, "m", ex);
        store.instantiate(&module(importer), &imports)
    }

    const EXPORTER: &str = r#"(module
        (type $t (func (param i32)))
        (func $f (type $t))
        (elem declare func $f)
        (global (export "ref-t") (ref $t) (ref.func $f))
        (global (export "null-t") (ref null $t) (ref.null $t))
        (global (export "mut-ref-t") (mut (ref $t)) (ref.func $f))
        (table (export "tab-t") 1 (ref null $t))
        (func (export "takes-ref") (param (ref $t)))
    )"#;

    #[test]
    fn immutable_globals_match_covariantly() {
        for ty in ["(ref $t)", "(ref null $t)", "(ref func)", "funcref"] {
            let m = format!(
                r#"(module (type $t (func (param i32))) (global (import "m" "ref-t") {ty}))"#
            );
            assert!(link(EXPORTER, &m).is_ok(), "{ty}");
        }
        for (name, ty) in [
            ("null-t", "(ref $t)"),
            ("null-t", "(ref func)"),
            ("ref-t", "externref"),
        ] {
            let m = format!(
                r#"(module (type $t (func (param i32))) (global (import "m" "{name}") {ty}))"#
            );
            let e = link(EXPORTER, &m).unwrap_err();
            assert_eq!(e.class, Class::Unlinkable, "{name} as {ty}");
            assert!(e.message.starts_with("incompatible import type"), "{e}");
        }
    }

    #[test]
    fn mutable_globals_and_tables_match_invariantly() {
        let ok = r#"(module (type $t (func (param i32)))
            (global (import "m" "mut-ref-t") (mut (ref $t))))"#;
        assert!(link(EXPORTER, ok).is_ok());
        let wider = r#"(module (global (import "m" "mut-ref-t") (mut (ref null func))))"#;
        assert_eq!(link(EXPORTER, wider).unwrap_err().class, Class::Unlinkable);
        let table = r#"(module (type $t (func (param i32)))
            (table (import "m" "tab-t") 1 (ref null $t)))"#;
        assert!(link(EXPORTER, table).is_ok());
        let wider = r#"(module (table (import "m" "tab-t") 1 funcref))"#;
        assert_eq!(link(EXPORTER, wider).unwrap_err().class, Class::Unlinkable);
    }

    #[test]
    fn function_types_match_by_canonical_equivalence() {
        // Another module's `(ref $u)` with `$u` the same structure is the same type …
        let same = r#"(module (type $u (func (param i32)))
            (func (import "m" "takes-ref") (param (ref $u))))"#;
        assert!(link(EXPORTER, same).is_ok());
        // … a different structure, or the top type, is not.
        for param in ["(ref $v)", "funcref", "(ref func)"] {
            let m = format!(
                r#"(module (type $v (func (param i64)))
                    (func (import "m" "takes-ref") (param {param})))"#
            );
            assert_eq!(
                link(EXPORTER, &m).unwrap_err().class,
                Class::Unlinkable,
                "{param}"
            );
        }
    }
}
