//! Module loading: decode (malformed), validate (invalid), and keep what instantiation and lowering need.

use std::sync::{Arc, OnceLock};

use wasmparser::{
    BinaryReaderError, CompositeInnerType, ElementItems, ElementKind, ExternalKind, Parser,
    Payload, TypeRef, Validator, WasmFeatures,
};

use super::*;
use crate::error::{Class, Error};

// ---------------------------------------------------------------------------------------------
// Modules

/// The wasmparser features the interpreter decodes, validates and runs: WebAssembly 2.0, tail
/// calls, multi-memory, memory64 (and table64), custom page sizes, extended constant expressions,
/// typed function references, wide arithmetic, threads (run in a single thread) and exception
/// handling.
///
/// and GC (structs, arrays, i31, casts; see `gc.rs`).
pub fn features() -> WasmFeatures {
    WasmFeatures::WASM2
        | WasmFeatures::TAIL_CALL
        | WasmFeatures::MULTI_MEMORY
        | WasmFeatures::MEMORY64
        | WasmFeatures::CUSTOM_PAGE_SIZES
        | WasmFeatures::EXTENDED_CONST
        | WasmFeatures::FUNCTION_REFERENCES
        | WasmFeatures::GC
        | WasmFeatures::WIDE_ARITHMETIC
        | WasmFeatures::THREADS
        | WasmFeatures::RELAXED_SIMD
        | WasmFeatures::EXCEPTIONS
}

/// Classifies a wasmparser error by stage: decoding errors are malformed, validation errors
/// invalid. [`Module::new`] decodes the whole module (see `decode`) before validating it.
pub(crate) fn classify(e: BinaryReaderError, decoding: bool) -> Error {
    let class = if decoding {
        Class::Malformed
    } else {
        Class::Invalid
    };
    Error::unlocated(class, crate::error::spec_words(e.message()))
        .with_note(format!("at byte offset {}", e.offset()))
}

#[derive(Clone, Debug)]
pub(crate) enum ConstOp {
    Value(u64),
    V128(u128),
    RefFunc(u32),
    GlobalGet(u32),
    /// `struct.new`, `array.new`… of module type `ty`: pops its operands (`n` of them for
    /// `array.new_fixed`; the fields, or value and length, or a length otherwise).
    Alloc(u32, super::gc::ConstAlloc, u32),
    RefI31,
    I32Add,
    I32Sub,
    I32Mul,
    I64Add,
    I64Sub,
    I64Mul,
}

#[derive(Clone, Debug)]
pub(crate) struct ConstExpr(pub(crate) Vec<ConstOp>);

#[derive(Clone, Debug)]
pub(crate) enum ImportKind {
    Func(u32),
    Table(TableType),
    Memory(MemType),
    Global(GlobalType),
    /// A tag of this type index.
    Tag(u32),
}

/// A heap type as import matching sees it. In a module, `Concrete` is the module's type index;
/// in the store (the types of tables and globals, a canonical [`super::gc::DefType`]), it is a
/// store type id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum HeapTy {
    /// `func`, `extern`, `nofunc`, `noextern`, … (GC's `any`, `eq`, `struct`, … come with GC).
    Abstract(wasmparser::AbstractHeapType),
    /// A defined type.
    Concrete(u32),
    /// The type `n` places further on in its own recursion group (only in a canonical [`super::gc::DefType`]; without GC
    /// every group is one type, so `n` is 0: the type refers to itself).
    Rec(u32),
}

/// A reference type: nullability and heap type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct RefTy {
    pub(crate) nullable: bool,
    pub(crate) heap: HeapTy,
}

/// A value type with the whole of a reference type (the API's [`ValType`] keeps its top type).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum FullType {
    /// A number or vector type.
    Num(ValType),
    Ref(RefTy),
}

impl RefTy {
    /// `funcref`, `(ref null func)`.
    pub(crate) const FUNC: RefTy = RefTy {
        nullable: true,
        heap: HeapTy::Abstract(wasmparser::AbstractHeapType::Func),
    };
    /// `externref`, `(ref null extern)`.
    pub(crate) const EXTERN: RefTy = RefTy {
        nullable: true,
        heap: HeapTy::Abstract(wasmparser::AbstractHeapType::Extern),
    };
    /// `exnref`, `(ref null exn)`.
    pub(crate) const EXN: RefTy = RefTy {
        nullable: true,
        heap: HeapTy::Abstract(wasmparser::AbstractHeapType::Exn),
    };

    /// As a module declares it: concrete heap types are module type indices.
    pub(crate) fn from_wp(r: wasmparser::RefType) -> RefTy {
        let heap = match r.heap_type() {
            wasmparser::HeapType::Abstract { ty, .. } => HeapTy::Abstract(ty),
            wasmparser::HeapType::Concrete(i) | wasmparser::HeapType::Exact(i) => {
                HeapTy::Concrete(i.as_module_index().unwrap_or(u32::MAX))
            }
        };
        RefTy {
            nullable: r.is_nullable(),
            heap,
        }
    }

    /// `anyref`, `(ref null any)`.
    pub(crate) const ANY: RefTy = RefTy {
        nullable: true,
        heap: HeapTy::Abstract(wasmparser::AbstractHeapType::Any),
    };

    /// The API type's reference type: `funcref`, `externref`, `anyref` or `exnref`.
    pub(crate) fn of(t: ValType) -> RefTy {
        match t {
            ValType::ExternRef => RefTy::EXTERN,
            ValType::AnyRef => RefTy::ANY,
            ValType::ExnRef => RefTy::EXN,
            _ => RefTy::FUNC,
        }
    }

    /// With its concrete heap type mapped by `f` (module type index to store type id).
    pub(crate) fn map(self, f: impl Fn(u32) -> HeapTy) -> RefTy {
        RefTy {
            heap: match self.heap {
                HeapTy::Concrete(i) => f(i),
                h => h,
            },
            ..self
        }
    }
}

impl FullType {
    pub(crate) fn from_wp(t: wasmparser::ValType) -> FullType {
        match t {
            wasmparser::ValType::Ref(r) => FullType::Ref(RefTy::from_wp(r)),
            t => FullType::Num(ValType::from_wp(t)),
        }
    }

    /// The API type's full type (`funcref` is `(ref null func)`).
    pub(crate) fn of(t: ValType) -> FullType {
        match t {
            ValType::FuncRef | ValType::ExternRef | ValType::AnyRef | ValType::ExnRef => {
                FullType::Ref(RefTy::of(t))
            }
            t => FullType::Num(t),
        }
    }

    /// With its concrete heap type mapped by `f`.
    pub(crate) fn map(self, f: impl Fn(u32) -> HeapTy) -> FullType {
        match self {
            FullType::Ref(r) => FullType::Ref(r.map(f)),
            t => t,
        }
    }
}

/// The canonical form of a host function's type (see [`super::Store::intern_group`]).
pub(crate) fn host_def_type(t: &FuncType) -> super::gc::DefType {
    super::gc::DefType::func(
        t.params.iter().map(|&t| FullType::of(t)).collect(),
        t.results.iter().map(|&t| FullType::of(t)).collect(),
    )
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct TableType {
    pub(crate) ty: ValType,
    /// The element type in full (concrete heap types are module type indices).
    pub(crate) elem: RefTy,
    pub(crate) min: u64,
    pub(crate) max: Option<u64>,
    /// Indexed by i64 (table64).
    pub(crate) index64: bool,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct MemType {
    pub(crate) min: u64,
    pub(crate) max: Option<u64>,
    /// Addressed by i64 (memory64).
    pub(crate) index64: bool,
    pub(crate) shared: bool,
    /// log2 of the page size (16 unless `(pagesize 1)`).
    pub(crate) page_log2: u32,
}

impl MemType {
    pub(crate) fn from_wp(t: &wasmparser::MemoryType) -> MemType {
        MemType {
            min: t.initial,
            max: t.maximum,
            index64: t.memory64,
            shared: t.shared,
            page_log2: t.page_size_log2.unwrap_or(16),
        }
    }

    /// Whether the interpreter's fast memory-0 ops apply: a 32-bit memory of 64 KiB pages.
    pub(crate) fn is_plain(&self) -> bool {
        !self.index64 && self.page_log2 == 16
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct GlobalType {
    pub(crate) ty: ValType,
    /// The value type in full (concrete heap types are module type indices).
    pub(crate) full: FullType,
    pub(crate) mutable: bool,
}

#[derive(Debug)]
pub(crate) enum SegMode {
    Passive,
    Active(u32, ConstExpr),
    Declared,
}

#[derive(Debug)]
pub(crate) struct ElemSeg {
    pub(crate) mode: SegMode,
    pub(crate) items: Vec<ConstExpr>,
}

#[derive(Debug)]
pub(crate) struct DataSeg {
    pub(crate) mode: SegMode,
    pub(crate) bytes: Arc<[u8]>,
}

#[derive(Debug, Default)]
pub(crate) struct ModuleInner {
    pub(crate) types: Vec<FuncType>,
    /// Every type as declared (concrete heap types are type indices).
    pub(crate) def_types: Vec<super::gc::DefType>,
    /// The recursion groups: first type index and count.
    pub(crate) rec_groups: Vec<(u32, u32)>,
    pub(crate) imports: Vec<(String, String, ImportKind)>,
    /// Type index of every function (imports first).
    pub(crate) funcs: Vec<u32>,
    pub(crate) n_imported_funcs: u32,
    pub(crate) tables: Vec<TableType>,
    /// The initializer expression of each defined table that has one.
    pub(crate) table_inits: Vec<Option<ConstExpr>>,
    pub(crate) memories: Vec<MemType>,
    pub(crate) globals: Vec<(GlobalType, ConstExpr)>,
    /// Type index of every tag (imports first).
    pub(crate) tags: Vec<u32>,
    pub(crate) exports: Vec<(String, ExternalKind, u32)>,
    pub(crate) start: Option<u32>,
    pub(crate) elems: Vec<ElemSeg>,
    pub(crate) datas: Vec<DataSeg>,
    /// The body of every defined function, lowered on first call (see [`ModuleInner::code`]).
    pub(crate) bodies: Vec<Body>,
    /// Lowered code of every defined function: without fuel ops (`code[0]`), and with them
    /// (`code[1]`), by defined function index.
    pub(crate) code: [Vec<OnceLock<FuncCode>>; 2],
    /// Global indices of `__stack_pointer`, `__stack_low` and `__stack_high`, by export or by
    /// the name section.
    pub(crate) stack_globals: [Option<u32>; 3],
    /// Function names from the name section (for backtraces).
    pub(crate) func_names: std::collections::HashMap<u32, String>,
}

pub(crate) const STACK_GLOBALS: [&str; 3] = ["__stack_pointer", "__stack_low", "__stack_high"];

/// A function body's bytes and their offset in the module (for reader positions).
#[derive(Debug)]
pub(crate) struct Body {
    pub(crate) bytes: Box<[u8]>,
    pub(crate) offset: u64,
}

impl ModuleInner {
    /// The lowered code of defined function `index`, lowered now if this is its first call.
    /// Lowering is lazy so that loading a large module costs only its validation; a store with
    /// fuel gets code with fuel ops, one without gets code with none.
    #[inline(always)]
    pub(crate) fn code(&self, index: u32, fuel: bool) -> &FuncCode {
        match self.code[fuel as usize][index as usize].get() {
            Some(code) => code,
            None => self.lower(index, fuel),
        }
    }

    /// The lowered code of defined function `index`, if it has been lowered.
    #[inline(always)]
    pub(crate) fn lowered(&self, index: u32, fuel: bool) -> Option<&FuncCode> {
        self.code[fuel as usize][index as usize].get()
    }

    /// The lowered code of every defined function, with fuel ops or without.
    pub(crate) fn codes(&self, fuel: bool) -> &[OnceLock<FuncCode>] {
        &self.code[fuel as usize]
    }

    /// Lowers function `index` on its first call (out of line: the interpreter's call path stays
    /// free of closures, see `interp.rs`).
    #[cold]
    #[inline(never)]
    fn lower(&self, index: u32, fuel: bool) -> &FuncCode {
        self.code[fuel as usize][index as usize].get_or_init(|| lower::lower(self, index, fuel))
    }

    /// The type of global `index` (imports first).
    pub(crate) fn global_type(&self, index: u32) -> ValType {
        let imported = self.imports.iter().filter_map(|(_, _, k)| match k {
            ImportKind::Global(g) => Some(g.ty),
            _ => None,
        });
        imported
            .chain(self.globals.iter().map(|(g, _)| g.ty))
            .nth(index as usize)
            .unwrap_or(ValType::I32)
    }

    /// The type of memory `index` (imports first).
    pub(crate) fn memory_type(&self, index: u32) -> Option<MemType> {
        let imported = self.imports.iter().filter_map(|(_, _, k)| match k {
            ImportKind::Memory(t) => Some(*t),
            _ => None,
        });
        imported
            .chain(self.memories.iter().copied())
            .nth(index as usize)
    }

    pub(crate) fn note_global_name(&mut self, index: u32, name: &str) {
        if let Some(k) = STACK_GLOBALS.iter().position(|n| *n == name) {
            self.stack_globals[k].get_or_insert(index);
        }
    }
}

/// A validated, lowered module; cheap to clone and instantiate many times.
#[derive(Clone, Debug)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

pub(crate) fn const_expr(e: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr, Error> {
    const_expr_in(e, &[])
}

/// A constant expression of a module whose types are `types` (for the operand counts of
/// `struct.new`).
pub(crate) fn const_expr_in(
    e: &wasmparser::ConstExpr<'_>,
    types: &[super::gc::DefType],
) -> Result<ConstExpr, Error> {
    use super::gc::{Comp, ConstAlloc};
    use wasmparser::Operator as O;
    let fields = |t: u32| match types.get(t as usize).map(|d| &d.comp) {
        Some(Comp::Struct(fs)) => fs.len() as u32,
        _ => 2,
    };
    let mut out = Vec::new();
    let mut rd = e.get_operators_reader();
    while !rd.eof() {
        let op = rd.read().map_err(|e| classify(e, true))?;
        out.push(match op {
            O::I32Const { value } => ConstOp::Value(value as u32 as u64),
            O::I64Const { value } => ConstOp::Value(value as u64),
            O::F32Const { value } => ConstOp::Value(value.bits() as u64),
            O::F64Const { value } => ConstOp::Value(value.bits()),
            O::V128Const { value } => ConstOp::V128(u128::from_le_bytes(*value.bytes())),
            O::RefNull { .. } => ConstOp::Value(0),
            O::RefFunc { function_index } => ConstOp::RefFunc(function_index),
            O::GlobalGet { global_index } => ConstOp::GlobalGet(global_index),
            O::StructNew {
                struct_type_index: t,
            } => ConstOp::Alloc(t, ConstAlloc::New, fields(t)),
            O::StructNewDefault {
                struct_type_index: t,
            } => ConstOp::Alloc(t, ConstAlloc::Default, 0),
            O::ArrayNew {
                array_type_index: t,
            } => ConstOp::Alloc(t, ConstAlloc::New, 2),
            O::ArrayNewDefault {
                array_type_index: t,
            } => ConstOp::Alloc(t, ConstAlloc::Default, 1),
            O::ArrayNewFixed {
                array_type_index: t,
                array_size,
            } => ConstOp::Alloc(t, ConstAlloc::Fixed, array_size),
            O::RefI31 => ConstOp::RefI31,
            // The identity on cells (see `gc.rs`).
            O::AnyConvertExtern | O::ExternConvertAny => continue,
            O::I32Add => ConstOp::I32Add,
            O::I32Sub => ConstOp::I32Sub,
            O::I32Mul => ConstOp::I32Mul,
            O::I64Add => ConstOp::I64Add,
            O::I64Sub => ConstOp::I64Sub,
            O::I64Mul => ConstOp::I64Mul,
            O::End => continue,
            _ => {
                return Err(Error::unlocated(
                    Class::Invalid,
                    "constant expression required",
                ));
            }
        });
    }
    Ok(ConstExpr(out))
}

impl Module {
    /// Decodes and validates `bytes` (the proposals of [`features`]); functions are lowered on
    /// their first call.
    ///
    /// Decoding errors are [`Class::Malformed`], validation errors [`Class::Invalid`].
    pub fn new(bytes: &[u8]) -> Result<Module, Error> {
        Module::load(bytes, features())
    }

    /// As [`Module::new`], accepting only what both the interpreter executes and `user` allows
    /// (`--features`), so that compiling, linking and running agree on a module.
    pub fn with_features(bytes: &[u8], user: &crate::Features) -> Result<Module, Error> {
        Module::load(bytes, features() & crate::binary::features(user))
    }

    /// Decodes and validates `bytes` with `features` (at most [`features`]: the interpreter
    /// runs nothing beyond them). Decoding follows them too: without multi-memory, memory
    /// instructions take a zero byte; without memory64 or threads, 64-bit or shared limits
    /// are malformed.
    ///
    /// Validation reads every section and operator too, so a module that validates also
    /// decodes: the separate decoding pass (which tells malformed from invalid) runs only when
    /// validation fails, and its error, if any, comes first.
    pub(crate) fn load(bytes: &[u8], features: WasmFeatures) -> Result<Module, Error> {
        Module::validate_and_build(bytes, features).map_err(|e| {
            match decode::decode(bytes, features) {
                Err(malformed) => malformed,
                Ok(()) => e,
            }
        })
    }

    fn validate_and_build(bytes: &[u8], features: WasmFeatures) -> Result<Module, Error> {
        let mut validator = Validator::new_with_features(features);
        let mut m = ModuleInner::default();
        let mut bodies = Vec::new();
        let mal = |e| classify(e, true);
        let mut parser = Parser::new(0);
        parser.set_features(features);
        for payload in parser.parse_all(bytes) {
            let payload = payload.map_err(mal)?;
            // Decode first (malformed), then validate (invalid).
            match &payload {
                Payload::TypeSection(s) => {
                    // Which types are function types, for the API types of references.
                    let mut is_func = Vec::new();
                    for rg in s.clone() {
                        for st in rg.map_err(mal)?.types() {
                            is_func.push(matches!(
                                st.composite_type.inner,
                                CompositeInnerType::Func(_)
                            ));
                        }
                    }
                    let api = |t: wasmparser::ValType| {
                        ValType::from_wp_in(t, |i| is_func.get(i as usize) != Some(&false))
                    };
                    for rg in s.clone() {
                        let rg = rg.map_err(mal)?;
                        let first = m.def_types.len() as u32;
                        m.rec_groups.push((first, rg.types().len() as u32));
                        for st in rg.types() {
                            m.def_types.push(def_type(st));
                            let ft = match &st.composite_type.inner {
                                CompositeInnerType::Func(f) => FuncType {
                                    params: f.params().iter().map(|t| api(*t)).collect(),
                                    results: f.results().iter().map(|t| api(*t)).collect(),
                                },
                                _ => FuncType::default(),
                            };
                            m.types.push(ft);
                        }
                    }
                }
                Payload::ImportSection(s) => {
                    for imp in s.clone().into_imports() {
                        let imp = imp.map_err(mal)?;
                        let kind = match imp.ty {
                            TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                                m.funcs.push(t);
                                m.n_imported_funcs += 1;
                                ImportKind::Func(t)
                            }
                            TypeRef::Table(t) => ImportKind::Table(table_type_in(&t, &m)),
                            TypeRef::Memory(t) => ImportKind::Memory(MemType::from_wp(&t)),
                            TypeRef::Global(g) => ImportKind::Global(GlobalType {
                                ty: m.api_type(g.content_type),
                                full: FullType::from_wp(g.content_type),
                                mutable: g.mutable,
                            }),
                            TypeRef::Tag(t) => {
                                m.tags.push(t.func_type_idx);
                                ImportKind::Tag(t.func_type_idx)
                            }
                        };
                        m.imports
                            .push((imp.module.to_string(), imp.name.to_string(), kind));
                    }
                }
                Payload::FunctionSection(s) => {
                    for t in s.clone() {
                        m.funcs.push(t.map_err(mal)?);
                    }
                }
                Payload::TableSection(s) => {
                    for t in s.clone() {
                        let t = t.map_err(mal)?;
                        m.tables.push(table_type_in(&t.ty, &m));
                        m.table_inits.push(match &t.init {
                            wasmparser::TableInit::RefNull => None,
                            wasmparser::TableInit::Expr(e) => Some(const_expr_in(e, &m.def_types)?),
                        });
                    }
                }
                Payload::MemorySection(s) => {
                    for t in s.clone() {
                        m.memories.push(MemType::from_wp(&t.map_err(mal)?));
                    }
                }
                Payload::TagSection(s) => {
                    for t in s.clone() {
                        m.tags.push(t.map_err(mal)?.func_type_idx);
                    }
                }
                Payload::GlobalSection(s) => {
                    for g in s.clone() {
                        let g = g.map_err(mal)?;
                        let ty = GlobalType {
                            ty: m.api_type(g.ty.content_type),
                            full: FullType::from_wp(g.ty.content_type),
                            mutable: g.ty.mutable,
                        };
                        m.globals
                            .push((ty, const_expr_in(&g.init_expr, &m.def_types)?));
                    }
                }
                Payload::ExportSection(s) => {
                    for e in s.clone() {
                        let e = e.map_err(mal)?;
                        if e.kind == ExternalKind::Global {
                            m.note_global_name(e.index, e.name);
                        }
                        m.exports.push((e.name.to_string(), e.kind, e.index));
                    }
                }
                Payload::StartSection { func, .. } => m.start = Some(*func),
                Payload::ElementSection(s) => {
                    for e in s.clone() {
                        let e = e.map_err(mal)?;
                        let mode = match &e.kind {
                            ElementKind::Passive => SegMode::Passive,
                            ElementKind::Declared => SegMode::Declared,
                            ElementKind::Active {
                                table_index,
                                offset_expr,
                            } => {
                                SegMode::Active(table_index.unwrap_or(0), const_expr(offset_expr)?)
                            }
                        };
                        let mut items = Vec::new();
                        match e.items {
                            ElementItems::Functions(r) => {
                                for f in r {
                                    items.push(ConstExpr(vec![ConstOp::RefFunc(f.map_err(mal)?)]));
                                }
                            }
                            ElementItems::Expressions(_, r) => {
                                for x in r {
                                    items.push(const_expr_in(&x.map_err(mal)?, &m.def_types)?);
                                }
                            }
                        }
                        m.elems.push(ElemSeg { mode, items });
                    }
                }
                Payload::DataSection(s) => {
                    for d in s.clone() {
                        let d = d.map_err(mal)?;
                        let mode = match &d.kind {
                            wasmparser::DataKind::Passive => SegMode::Passive,
                            wasmparser::DataKind::Active {
                                memory_index,
                                offset_expr,
                            } => SegMode::Active(*memory_index, const_expr(offset_expr)?),
                        };
                        m.datas.push(DataSeg {
                            mode,
                            bytes: d.data.into(),
                        });
                    }
                }
                Payload::CustomSection(c) => {
                    // Global names; a malformed name section is ignored, as custom sections are.
                    if let wasmparser::KnownCustom::Name(names) = c.as_known() {
                        for n in names.into_iter().flatten() {
                            match n {
                                wasmparser::Name::Global(map) => {
                                    for naming in map.into_iter().flatten() {
                                        m.note_global_name(naming.index, naming.name);
                                    }
                                }
                                wasmparser::Name::Function(map) => {
                                    for naming in map.into_iter().flatten() {
                                        m.func_names.insert(naming.index, naming.name.into());
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                }
                _ => {}
            }
            match payload {
                Payload::CodeSectionEntry(body) => {
                    let f = validator
                        .code_section_entry(&body)
                        .map_err(|e| classify(e, false))?;
                    bodies.push((body, f));
                }
                p => {
                    validator.payload(&p).map_err(|e| classify(e, false))?;
                }
            }
        }
        let mut allocs = wasmparser::FuncValidatorAllocations::default();
        for (body, f) in bodies {
            let mut v = f.into_validator(allocs);
            v.validate(&body).map_err(|e| classify(e, false))?;
            allocs = v.into_allocations();
            let range = body.range();
            m.bodies.push(Body {
                bytes: bytes[range.start as usize..range.end as usize].into(),
                offset: range.start,
            });
            m.code.iter_mut().for_each(|c| c.push(OnceLock::new()));
        }
        Ok(Module { inner: Arc::new(m) })
    }

    /// The names of the module's exports.
    pub fn export_names(&self) -> impl Iterator<Item = &str> {
        self.inner.exports.iter().map(|e| e.0.as_str())
    }

    /// The module's imports in order: `(module, name, type)`.
    pub fn imports(&self) -> impl Iterator<Item = (&str, &str, ExternType)> {
        self.inner.imports.iter().map(|(module, name, kind)| {
            let ty = match kind {
                ImportKind::Func(t) => ExternType::Func(
                    self.inner
                        .types
                        .get(*t as usize)
                        .cloned()
                        .unwrap_or_default(),
                ),
                ImportKind::Table(t) => ExternType::Table {
                    elem: t.ty,
                    min: t.min,
                    max: t.max,
                },
                ImportKind::Memory(t) => ExternType::Memory {
                    min: t.min,
                    max: t.max,
                },
                ImportKind::Global(g) => ExternType::Global {
                    ty: g.ty,
                    mutable: g.mutable,
                },
                ImportKind::Tag(t) => ExternType::Tag(
                    self.inner
                        .types
                        .get(*t as usize)
                        .cloned()
                        .unwrap_or_default(),
                ),
            };
            (module.as_str(), name.as_str(), ty)
        })
    }

    /// The `(module, name)` pairs of the module's imports.
    pub fn import_names(&self) -> impl Iterator<Item = (&str, &str)> {
        self.inner
            .imports
            .iter()
            .map(|i| (i.0.as_str(), i.1.as_str()))
    }
}

/// The type of an import, as the module declares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExternType {
    /// A function of this type.
    Func(FuncType),
    /// A table of `elem` references, at least `min` elements, at most `max`.
    Table {
        /// funcref, externref or exnref.
        elem: ValType,
        /// The least number of elements.
        min: u64,
        /// The most elements, if bounded.
        max: Option<u64>,
    },
    /// A memory of at least `min` pages, at most `max`.
    Memory {
        /// The least number of 64 KiB pages.
        min: u64,
        /// The most pages, if bounded.
        max: Option<u64>,
    },
    /// A global.
    Global {
        /// Its value type.
        ty: ValType,
        /// Whether it is mutable.
        mutable: bool,
    },
    /// A tag whose exceptions carry values of this type's parameters (its results are empty).
    Tag(FuncType),
}

impl std::fmt::Display for ExternType {
    /// The text format's spelling: `func (param i32) (result i64)`, `memory 1 2`, `global (mut i32)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let limits = |f: &mut std::fmt::Formatter<'_>, min: u64, max: Option<u64>| match max {
            Some(max) => write!(f, " {min} {max}"),
            None => write!(f, " {min}"),
        };
        // ` (param i32 i64)`, or nothing for no types.
        let types = |f: &mut std::fmt::Formatter<'_>, word: &str, tys: &[ValType]| {
            if tys.is_empty() {
                return Ok(());
            }
            write!(f, " ({word}")?;
            for t in tys {
                write!(f, " {t}")?;
            }
            f.write_str(")")
        };
        match self {
            ExternType::Func(t) => {
                f.write_str("func")?;
                types(f, "param", &t.params)?;
                types(f, "result", &t.results)
            }
            ExternType::Table { elem, min, max } => {
                f.write_str("table")?;
                limits(f, *min, *max)?;
                write!(f, " {elem}")
            }
            ExternType::Memory { min, max } => {
                f.write_str("memory")?;
                limits(f, *min, *max)
            }
            ExternType::Global { ty, mutable: true } => write!(f, "global (mut {ty})"),
            ExternType::Global { ty, mutable: false } => write!(f, "global {ty}"),
            ExternType::Tag(t) => {
                f.write_str("tag")?;
                types(f, "param", &t.params)
            }
        }
    }
}

/// A table type of module `m` (whose types are known): a table of struct references is an
/// `anyref` table to the API.
fn table_type_in(t: &wasmparser::TableType, m: &ModuleInner) -> TableType {
    TableType {
        ty: m.api_type(wasmparser::ValType::Ref(t.element_type)),
        ..table_type(t)
    }
}

/// A field type as declared.
fn field(f: &wasmparser::FieldType) -> super::gc::Field {
    use super::gc::Storage;
    super::gc::Field {
        storage: match f.element_type {
            wasmparser::StorageType::I8 => Storage::I8,
            wasmparser::StorageType::I16 => Storage::I16,
            wasmparser::StorageType::Val(t) => Storage::Val(FullType::from_wp(t)),
        },
        mutable: f.mutable,
    }
}

/// A defined type as declared (concrete heap types are module type indices).
fn def_type(st: &wasmparser::SubType) -> super::gc::DefType {
    use super::gc::{Comp, DefType};
    let comp = match &st.composite_type.inner {
        CompositeInnerType::Func(f) => Comp::Func(
            f.params().iter().map(|t| FullType::from_wp(*t)).collect(),
            f.results().iter().map(|t| FullType::from_wp(*t)).collect(),
        ),
        CompositeInnerType::Struct(s) => Comp::Struct(s.fields.iter().map(field).collect()),
        CompositeInnerType::Array(a) => Comp::Array(field(&a.0)),
        // Stack switching is not among the interpreter's features: validation refused it.
        CompositeInnerType::Cont(_) => Comp::Func(Vec::new(), Vec::new()),
    };
    DefType {
        is_final: st.is_final,
        sup: st
            .supertype_idxs
            .first()
            .map(|i| HeapTy::Concrete(i.as_module_index().unwrap_or(u32::MAX))),
        comp,
    }
}

impl ModuleInner {
    /// The API type of value type `t` of this module (its types read already).
    pub(crate) fn api_type(&self, t: wasmparser::ValType) -> ValType {
        ValType::from_wp_in(t, |i| {
            self.def_types.get(i as usize).is_none_or(|d| d.is_func())
        })
    }
}

pub(crate) fn table_type(t: &wasmparser::TableType) -> TableType {
    TableType {
        ty: ValType::from_ref(t.element_type),
        elem: RefTy::from_wp(t.element_type),
        min: t.initial,
        max: t.maximum,
        index64: t.table64,
    }
}
