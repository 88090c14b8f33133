//! The interpreter: bytes → wasmparser-validated [`Module`] → lowered flat code → values or a [`Trap`].
//!
//! The shape follows wasmi v0.31: every function body is validated and lowered once into a flat
//! `Vec<Op>` with branch targets and keep counts resolved; execution is one `loop { match op }` over
//! an untyped `u64` value stack with an explicit frame stack (guest calls never recurse on the host
//! stack). Store entities (functions, tables, memories, globals, segments, instances) live in arenas
//! behind typed `Copy` handles.
//!
//! ```
//! use watlink::exec::{Imports, Module, Store, Value};
//! let wasm = wat::parse_str(r#"(module (func (export "add") (param i32 i32) (result i32)
//!     local.get 0 local.get 1 i32.add))"#).unwrap();
//! let module = Module::new(&wasm).unwrap();
//! let mut store = Store::default();
//! let inst = store.instantiate(&module, &Imports::new()).unwrap();
//! assert_eq!(store.invoke(inst, "add", &[Value::I32(2), Value::I32(40)]).unwrap(), vec![Value::I32(42)]);
//! ```
//!
//! SIMD (`v128`) instructions validate but are not executed: running one traps with
//! "SIMD is not supported by this interpreter".

// Errors are the crate-wide `crate::error::Error`, which is larger than clippy likes in a `Result`.
#![allow(clippy::result_large_err)]

mod decode;
mod interp;
mod lower;
pub mod num;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use wasmparser::{
    BinaryReaderError, CompositeInnerType, ElementItems, ElementKind, ExternalKind, Parser,
    Payload, TypeRef, Validator, WasmFeatures,
};

use crate::error::{Class, Error};
use lower::FuncCode;

// ---------------------------------------------------------------------------------------------
// Values, types, traps

/// A value type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit float.
    F32,
    /// 64-bit float.
    F64,
    /// 128-bit vector.
    V128,
    /// Function reference.
    FuncRef,
    /// External reference.
    ExternRef,
}

impl ValType {
    fn from_wp(t: wasmparser::ValType) -> ValType {
        match t {
            wasmparser::ValType::I32 => ValType::I32,
            wasmparser::ValType::I64 => ValType::I64,
            wasmparser::ValType::F32 => ValType::F32,
            wasmparser::ValType::F64 => ValType::F64,
            wasmparser::ValType::V128 => ValType::V128,
            wasmparser::ValType::Ref(r) => ValType::from_ref(r),
        }
    }

    fn from_ref(r: wasmparser::RefType) -> ValType {
        match r.heap_type() {
            wasmparser::HeapType::Abstract {
                ty: wasmparser::AbstractHeapType::Extern,
                ..
            } => ValType::ExternRef,
            _ => ValType::FuncRef,
        }
    }
}

/// A function type.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct FuncType {
    /// Parameter types.
    pub params: Vec<ValType>,
    /// Result types.
    pub results: Vec<ValType>,
}

impl FuncType {
    /// A function type from its parameters and results.
    pub fn new(params: impl Into<Vec<ValType>>, results: impl Into<Vec<ValType>>) -> FuncType {
        FuncType {
            params: params.into(),
            results: results.into(),
        }
    }
}

/// A handle to a function in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FuncHandle(u32);
/// A handle to a table in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TableHandle(u32);
/// A handle to a memory in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemoryHandle(u32);
/// A handle to a global in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlobalHandle(u32);
/// A handle to an instance in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InstanceHandle(u32);

/// A runtime value. Floats are carried as their bits so NaN payloads survive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    /// i32.
    I32(i32),
    /// i64.
    I64(i64),
    /// f32 bits.
    F32(u32),
    /// f64 bits.
    F64(u64),
    /// v128.
    V128(u128),
    /// A function reference or null.
    FuncRef(Option<FuncHandle>),
    /// An external reference or null.
    ExternRef(Option<u32>),
}

impl Value {
    /// The value's type.
    pub fn ty(&self) -> ValType {
        match self {
            Value::I32(_) => ValType::I32,
            Value::I64(_) => ValType::I64,
            Value::F32(_) => ValType::F32,
            Value::F64(_) => ValType::F64,
            Value::V128(_) => ValType::V128,
            Value::FuncRef(_) => ValType::FuncRef,
            Value::ExternRef(_) => ValType::ExternRef,
        }
    }

    /// The zero value (or null) of `ty`.
    pub fn default_of(ty: ValType) -> Value {
        Value::from_slot(ty, 0)
    }

    pub(crate) fn to_slot(self) -> u64 {
        match self {
            Value::I32(v) => v as u32 as u64,
            Value::I64(v) => v as u64,
            Value::F32(v) => v as u64,
            Value::F64(v) => v,
            Value::V128(v) => v as u64,
            Value::FuncRef(r) => r.map_or(0, |h| h.0 as u64 + 1),
            Value::ExternRef(r) => r.map_or(0, |v| v as u64 + 1),
        }
    }

    pub(crate) fn from_slot(ty: ValType, s: u64) -> Value {
        match ty {
            ValType::I32 => Value::I32(s as u32 as i32),
            ValType::I64 => Value::I64(s as i64),
            ValType::F32 => Value::F32(s as u32),
            ValType::F64 => Value::F64(s),
            ValType::V128 => Value::V128(s as u128),
            ValType::FuncRef => Value::FuncRef(s.checked_sub(1).map(|h| FuncHandle(h as u32))),
            ValType::ExternRef => Value::ExternRef(s.checked_sub(1).map(|v| v as u32)),
        }
    }
}

/// The stable `type:value` form `watlink run` prints and the `.wast` runner reports: `i32:-1`,
/// `f64:1.5`, `f32:nan:0x400000`, `v128:0x…`, `funcref:null`, `externref:7`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Value::I32(x) => write!(f, "i32:{x}"),
            Value::I64(x) => write!(f, "i64:{x}"),
            Value::F32(b) if f32::from_bits(b).is_nan() => {
                write!(f, "f32:nan:{:#x}", b & 0x7f_ffff)
            }
            Value::F32(b) => write!(f, "f32:{:?}", f32::from_bits(b)),
            Value::F64(b) if f64::from_bits(b).is_nan() => {
                write!(f, "f64:nan:{:#x}", b & 0xf_ffff_ffff_ffff)
            }
            Value::F64(b) => write!(f, "f64:{:?}", f64::from_bits(b)),
            Value::V128(b) => write!(f, "v128:{b:#034x}"),
            Value::FuncRef(None) => f.write_str("funcref:null"),
            Value::FuncRef(Some(_)) => f.write_str("funcref:func"),
            Value::ExternRef(None) => f.write_str("externref:null"),
            Value::ExternRef(Some(n)) => write!(f, "externref:{n}"),
        }
    }
}

/// Why execution stopped: the spec's trap conditions plus resource exhaustion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrapCode {
    /// `unreachable` executed.
    Unreachable,
    /// A memory access out of bounds.
    MemoryOutOfBounds,
    /// A table access out of bounds.
    TableOutOfBounds,
    /// `call_indirect` index past the table's end.
    UndefinedElement,
    /// `call_indirect` through a null entry.
    UninitializedElement,
    /// `call_indirect` type check failed.
    IndirectCallTypeMismatch,
    /// Integer division overflow or float-to-int out of range.
    IntegerOverflow,
    /// Division or remainder by zero.
    IntegerDivideByZero,
    /// Float-to-int conversion of NaN.
    BadConversionToInteger,
    /// Guest call depth exceeded the limit.
    CallStackExhausted,
    /// Fuel ran out.
    OutOfFuel,
    /// A SIMD instruction (not executed by this interpreter).
    Unsupported,
    /// `__stack_pointer` set outside the stack guard's bounds (see [`Store::set_stack_guard`]).
    StackOverflow,
}

impl TrapCode {
    /// The spec suite's message.
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::UninitializedElement => "uninitialized element",
            TrapCode::IndirectCallTypeMismatch => "indirect call type mismatch",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::IntegerDivideByZero => "integer divide by zero",
            TrapCode::BadConversionToInteger => "invalid conversion to integer",
            TrapCode::CallStackExhausted => "call stack exhausted",
            TrapCode::OutOfFuel => "all fuel consumed",
            TrapCode::Unsupported => "SIMD is not supported by this interpreter",
            TrapCode::StackOverflow => "stack overflow",
        }
    }
}

/// A trap: a [`TrapCode`], or a message from a host function or the embedding API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trap {
    /// A trap raised by the interpreter.
    Code(TrapCode),
    /// A trap raised by the interpreter, with a message that starts with the code's and adds the
    /// facts (the reference interpreter's "uninitialized element 7"). Built only where it traps.
    Detailed(TrapCode, String),
    /// A trap raised by a host function, or a misuse of the API (wrong argument types, unknown export).
    Host(String),
}

impl Trap {
    /// The message.
    pub fn message(&self) -> &str {
        match self {
            Trap::Code(c) => c.message(),
            Trap::Detailed(_, m) | Trap::Host(m) => m,
        }
    }

    /// [`Class::Exhaustion`] for call depth and fuel, [`Class::Trap`] otherwise.
    pub fn class(&self) -> Class {
        match self {
            Trap::Code(TrapCode::CallStackExhausted | TrapCode::OutOfFuel)
            | Trap::Detailed(TrapCode::CallStackExhausted | TrapCode::OutOfFuel, _) => {
                Class::Exhaustion
            }
            _ => Class::Trap,
        }
    }

    /// The interpreter's trap code (`None` for host traps).
    pub fn code(&self) -> Option<TrapCode> {
        match self {
            Trap::Code(c) | Trap::Detailed(c, _) => Some(*c),
            Trap::Host(_) => None,
        }
    }
}

impl From<TrapCode> for Trap {
    fn from(c: TrapCode) -> Trap {
        Trap::Code(c)
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Trap {}

impl From<Trap> for Error {
    fn from(t: Trap) -> Error {
        Error::unlocated(t.class(), t.message())
    }
}

// ---------------------------------------------------------------------------------------------
// Modules

/// The wasmparser features: WebAssembly 2.0 plus tail calls.
pub fn features() -> WasmFeatures {
    WasmFeatures::WASM2 | WasmFeatures::TAIL_CALL
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
enum ConstOp {
    Value(u64),
    V128(u128),
    RefFunc(u32),
    GlobalGet(u32),
    I32Add,
    I32Sub,
    I32Mul,
    I64Add,
    I64Sub,
    I64Mul,
}

#[derive(Clone, Debug)]
struct ConstExpr(Vec<ConstOp>);

#[derive(Clone, Debug)]
enum ImportKind {
    Func(u32),
    Table(TableType),
    Memory(MemType),
    Global(GlobalType),
}

#[derive(Clone, Copy, Debug)]
struct TableType {
    ty: ValType,
    min: u64,
    max: Option<u64>,
}

#[derive(Clone, Copy, Debug)]
struct MemType {
    min: u64,
    max: Option<u64>,
}

#[derive(Clone, Copy, Debug)]
struct GlobalType {
    ty: ValType,
    mutable: bool,
}

#[derive(Debug)]
enum SegMode {
    Passive,
    Active(u32, ConstExpr),
    Declared,
}

#[derive(Debug)]
struct ElemSeg {
    mode: SegMode,
    items: Vec<ConstExpr>,
}

#[derive(Debug)]
struct DataSeg {
    mode: SegMode,
    bytes: Arc<[u8]>,
}

#[derive(Debug, Default)]
struct ModuleInner {
    types: Vec<FuncType>,
    imports: Vec<(String, String, ImportKind)>,
    /// Type index of every function (imports first).
    funcs: Vec<u32>,
    n_imported_funcs: u32,
    tables: Vec<TableType>,
    memories: Vec<MemType>,
    globals: Vec<(GlobalType, ConstExpr)>,
    exports: Vec<(String, ExternalKind, u32)>,
    start: Option<u32>,
    elems: Vec<ElemSeg>,
    datas: Vec<DataSeg>,
    code: Vec<FuncCode>,
    /// Global indices of `__stack_pointer`, `__stack_low` and `__stack_high`, by export or by
    /// the name section.
    stack_globals: [Option<u32>; 3],
}

const STACK_GLOBALS: [&str; 3] = ["__stack_pointer", "__stack_low", "__stack_high"];

impl ModuleInner {
    fn note_global_name(&mut self, index: u32, name: &str) {
        if let Some(k) = STACK_GLOBALS.iter().position(|n| *n == name) {
            self.stack_globals[k].get_or_insert(index);
        }
    }
}

/// A validated, lowered module; cheap to clone and instantiate many times.
#[derive(Clone, Debug)]
pub struct Module {
    inner: Arc<ModuleInner>,
}

fn const_expr(e: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr, Error> {
    use wasmparser::Operator as O;
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
    /// Decodes, validates (WebAssembly 2.0 + tail calls) and lowers `bytes`.
    ///
    /// Decoding errors are [`Class::Malformed`], validation errors [`Class::Invalid`].
    pub fn new(bytes: &[u8]) -> Result<Module, Error> {
        decode::decode(bytes)?;
        let mut validator = Validator::new_with_features(features());
        let mut m = ModuleInner::default();
        let mut bodies = Vec::new();
        let mal = |e| classify(e, true);
        let mut parser = Parser::new(0);
        parser.set_features(features());
        for payload in parser.parse_all(bytes) {
            let payload = payload.map_err(mal)?;
            // Decode first (malformed), then validate (invalid).
            match &payload {
                Payload::TypeSection(s) => {
                    for rg in s.clone() {
                        for st in rg.map_err(mal)?.types() {
                            let ft = match &st.composite_type.inner {
                                CompositeInnerType::Func(f) => FuncType {
                                    params: f
                                        .params()
                                        .iter()
                                        .map(|t| ValType::from_wp(*t))
                                        .collect(),
                                    results: f
                                        .results()
                                        .iter()
                                        .map(|t| ValType::from_wp(*t))
                                        .collect(),
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
                            TypeRef::Table(t) => ImportKind::Table(table_type(&t)),
                            TypeRef::Memory(t) => ImportKind::Memory(MemType {
                                min: t.initial,
                                max: t.maximum,
                            }),
                            TypeRef::Global(g) => ImportKind::Global(GlobalType {
                                ty: ValType::from_wp(g.content_type),
                                mutable: g.mutable,
                            }),
                            TypeRef::Tag(_) => ImportKind::Func(0),
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
                        m.tables.push(table_type(&t.map_err(mal)?.ty));
                    }
                }
                Payload::MemorySection(s) => {
                    for t in s.clone() {
                        let t = t.map_err(mal)?;
                        m.memories.push(MemType {
                            min: t.initial,
                            max: t.maximum,
                        });
                    }
                }
                Payload::GlobalSection(s) => {
                    for g in s.clone() {
                        let g = g.map_err(mal)?;
                        let ty = GlobalType {
                            ty: ValType::from_wp(g.ty.content_type),
                            mutable: g.ty.mutable,
                        };
                        m.globals.push((ty, const_expr(&g.init_expr)?));
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
                                    items.push(const_expr(&x.map_err(mal)?)?);
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
                            if let wasmparser::Name::Global(map) = n {
                                for naming in map.into_iter().flatten() {
                                    m.note_global_name(naming.index, naming.name);
                                }
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
        let n_imported = m.n_imported_funcs;
        for (i, (body, f)) in bodies.into_iter().enumerate() {
            let ty = &m.types[m.funcs[n_imported as usize + i] as usize];
            let v = f.into_validator(Default::default());
            let mut code = lower::lower(&m.types, ty, n_imported, &body, v)?;
            if let Some(sp) = m.stack_globals[0] {
                for op in &mut code.ops {
                    if *op == lower::Op::GlobalSet(sp) {
                        *op = lower::Op::GlobalSetGuarded(sp);
                    }
                }
            }
            m.code.push(code);
        }
        Ok(Module { inner: Arc::new(m) })
    }

    /// The names of the module's exports.
    pub fn export_names(&self) -> impl Iterator<Item = &str> {
        self.inner.exports.iter().map(|e| e.0.as_str())
    }

    /// The `(module, name)` pairs of the module's imports.
    pub fn import_names(&self) -> impl Iterator<Item = (&str, &str)> {
        self.inner
            .imports
            .iter()
            .map(|i| (i.0.as_str(), i.1.as_str()))
    }
}

fn table_type(t: &wasmparser::TableType) -> TableType {
    TableType {
        ty: ValType::from_ref(t.element_type),
        min: t.initial,
        max: t.maximum,
    }
}

// ---------------------------------------------------------------------------------------------
// The store

/// Resource limits of a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Fuel for guest execution (one unit per instruction, charged per block); `None` is unlimited.
    pub fuel: Option<u64>,
    /// The most bytes a single memory may grow to; `memory.grow` past it returns -1.
    pub max_memory_bytes: u64,
    /// The most elements a single table may grow to; `table.grow` past it returns -1.
    pub max_table_elems: u64,
    /// The deepest guest call nesting; deeper calls trap with "call stack exhausted".
    pub max_call_depth: u32,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            fuel: None,
            max_memory_bytes: 1 << 32,
            max_table_elems: 10_000_000,
            max_call_depth: 100_000,
        }
    }
}

/// A host function.
pub type HostFunc = Arc<dyn Fn(&[Value]) -> Result<Vec<Value>, Trap> + Send + Sync>;

pub(crate) enum FuncKind {
    Wasm { instance: u32, index: u32 },
    Host(HostFunc),
}

pub(crate) struct FuncEntity {
    /// Store-wide interned type id.
    ty: u32,
    kind: FuncKind,
}

pub(crate) struct TableEntity {
    ty: ValType,
    elems: Vec<u64>,
    max: Option<u64>,
}

pub(crate) struct MemoryEntity {
    data: Vec<u8>,
    max: Option<u64>,
}

pub(crate) struct GlobalEntity {
    ty: ValType,
    mutable: bool,
    value: u128,
}

pub(crate) struct InstanceEntity {
    module: Arc<ModuleInner>,
    /// Store type id of each module type.
    types: Vec<u32>,
    funcs: Vec<u32>,
    tables: Vec<u32>,
    memories: Vec<u32>,
    globals: Vec<u32>,
    elems: Vec<u32>,
    datas: Vec<u32>,
    /// Memory 0, or `u32::MAX`.
    mem0: u32,
    exports: HashMap<String, Extern>,
}

/// An external value: what imports are satisfied with and exports are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Extern {
    /// A function.
    Func(FuncHandle),
    /// A table.
    Table(TableHandle),
    /// A memory.
    Memory(MemoryHandle),
    /// A global.
    Global(GlobalHandle),
}

/// Imports to instantiate a module with, by `(module, name)`.
#[derive(Clone, Debug, Default)]
pub struct Imports {
    map: HashMap<(String, String), Extern>,
}

impl Imports {
    /// No imports.
    pub fn new() -> Imports {
        Imports::default()
    }

    /// Defines `module.name` as `value`.
    pub fn define(&mut self, module: &str, name: &str, value: Extern) -> &mut Imports {
        self.map
            .insert((module.to_string(), name.to_string()), value);
        self
    }

    /// Defines every export of `instance` under the module name `module`.
    pub fn define_instance(
        &mut self,
        store: &Store,
        module: &str,
        instance: InstanceHandle,
    ) -> &mut Imports {
        for (name, e) in &store.instances[instance.0 as usize].exports {
            self.map.insert((module.to_string(), name.clone()), *e);
        }
        self
    }

    /// Looks up `module.name`.
    pub fn get(&self, module: &str, name: &str) -> Option<Extern> {
        self.map
            .get(&(module.to_string(), name.to_string()))
            .copied()
    }
}

/// Where instances live and run: arenas of functions, tables, memories, globals and segments, and
/// the value and frame stacks.
pub struct Store {
    limits: Limits,
    fuel: u64,
    types: Vec<FuncType>,
    type_ids: HashMap<FuncType, u32>,
    funcs: Vec<FuncEntity>,
    tables: Vec<TableEntity>,
    memories: Vec<MemoryEntity>,
    globals: Vec<GlobalEntity>,
    stack_guard: Option<StackGuard>,
    elems: Vec<Vec<u64>>,
    datas: Vec<Arc<[u8]>>,
    instances: Vec<InstanceEntity>,
    stack: Vec<u64>,
    frames: Vec<interp::Frame>,
}

impl Default for Store {
    fn default() -> Store {
        Store::new(Limits::default())
    }
}

const PAGE: u64 = 65536;

/// The bounds `__stack_pointer` must stay within (see [`Store::set_stack_guard`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StackGuard {
    /// The store's index of the guarded global.
    pub(crate) global: u32,
    low: u64,
    high: u64,
}

impl StackGuard {
    /// Whether `value` (an i32 or i64 slot) may be stored into the stack pointer.
    #[cold]
    pub(crate) fn check(&self, value: u64) -> Result<(), Trap> {
        let (side, bound, name) = if value < self.low {
            ("below", self.low, STACK_GLOBALS[1])
        } else if value > self.high {
            ("above", self.high, STACK_GLOBALS[2])
        } else {
            return Ok(());
        };
        let c = TrapCode::StackOverflow;
        Err(Trap::Detailed(
            c,
            format!(
                "{}: __stack_pointer would be {value:#x}, {side} {name} {bound:#x}",
                c.message()
            ),
        ))
    }
}

fn uninstantiable(t: TrapCode) -> Error {
    Error::unlocated(Class::Uninstantiable, t.message())
}

impl Store {
    /// An empty store with `limits`.
    pub fn new(limits: Limits) -> Store {
        Store {
            limits,
            fuel: limits.fuel.unwrap_or(u64::MAX),
            types: Vec::new(),
            type_ids: HashMap::new(),
            funcs: Vec::new(),
            tables: Vec::new(),
            memories: Vec::new(),
            globals: Vec::new(),
            stack_guard: None,
            elems: Vec::new(),
            datas: Vec::new(),
            instances: Vec::new(),
            stack: Vec::new(),
            frames: Vec::new(),
        }
    }

    /// Traps any `global.set` that moves `global` outside `[low, high]` (compared unsigned), with
    /// "stack overflow: __stack_pointer would be …". Only the global a module names
    /// `__stack_pointer` (by export or in its name section) is checked; other `global.set`s pay
    /// nothing. One guard per store: a later call replaces it.
    pub fn set_stack_guard(&mut self, global: GlobalHandle, low: u64, high: u64) {
        self.stack_guard = Some(StackGuard {
            global: global.0,
            low,
            high,
        });
    }

    /// Guards `instance`'s `__stack_pointer` with the values of its `__stack_low` and
    /// `__stack_high` globals (exported or named in the name section); returns the bounds, or
    /// `None` (and sets nothing) if the module lacks one of the three.
    pub fn guard_stack(&mut self, instance: InstanceHandle) -> Option<(u64, u64)> {
        let inst = &self.instances[instance.0 as usize];
        let [sp, low, high] = inst.module.stack_globals;
        let handle = |i: Option<u32>| Some(GlobalHandle(*inst.globals.get(i? as usize)?));
        let (sp, low, high) = (handle(sp)?, handle(low)?, handle(high)?);
        let value = |g: GlobalHandle| match self.global_value(g) {
            Value::I32(v) => Some(v as u32 as u64),
            Value::I64(v) => Some(v as u64),
            _ => None,
        };
        let (low, high) = (value(low)?, value(high)?);
        self.set_stack_guard(sp, low, high);
        Some((low, high))
    }

    /// The limits.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Remaining fuel (`None` if unlimited).
    pub fn fuel(&self) -> Option<u64> {
        self.limits.fuel.map(|_| self.fuel)
    }

    /// Sets the remaining fuel (`None` for unlimited).
    pub fn set_fuel(&mut self, fuel: Option<u64>) {
        self.limits.fuel = fuel;
        self.fuel = fuel.unwrap_or(u64::MAX);
    }

    fn intern(&mut self, t: &FuncType) -> u32 {
        if let Some(&i) = self.type_ids.get(t) {
            return i;
        }
        let i = self.types.len() as u32;
        self.types.push(t.clone());
        self.type_ids.insert(t.clone(), i);
        i
    }

    /// Adds a host function of type `ty`.
    pub fn host_func(
        &mut self,
        ty: FuncType,
        f: impl Fn(&[Value]) -> Result<Vec<Value>, Trap> + Send + Sync + 'static,
    ) -> FuncHandle {
        let ty = self.intern(&ty);
        self.funcs.push(FuncEntity {
            ty,
            kind: FuncKind::Host(Arc::new(f)),
        });
        FuncHandle(self.funcs.len() as u32 - 1)
    }

    /// Adds a global.
    pub fn new_global(&mut self, value: Value, mutable: bool) -> GlobalHandle {
        let v = match value {
            Value::V128(v) => v,
            v => v.to_slot() as u128,
        };
        self.globals.push(GlobalEntity {
            ty: value.ty(),
            mutable,
            value: v,
        });
        GlobalHandle(self.globals.len() as u32 - 1)
    }

    /// Adds a memory of `min` pages, at most `max` pages.
    pub fn new_memory(&mut self, min: u32, max: Option<u32>) -> Result<MemoryHandle, Error> {
        let h = self.alloc_memory(MemType {
            min: min as u64,
            max: max.map(u64::from),
        })?;
        Ok(MemoryHandle(h))
    }

    /// Adds a table of `ty` (funcref or externref) with `min` null elements, at most `max`.
    pub fn new_table(
        &mut self,
        ty: ValType,
        min: u32,
        max: Option<u32>,
    ) -> Result<TableHandle, Error> {
        let h = self.alloc_table(TableType {
            ty,
            min: min as u64,
            max: max.map(u64::from),
        })?;
        Ok(TableHandle(h))
    }

    fn alloc_memory(&mut self, t: MemType) -> Result<u32, Error> {
        if t.min * PAGE > self.limits.max_memory_bytes || t.min > 65536 {
            return Err(Error::unlocated(
                Class::Uninstantiable,
                "memory size exceeds the store's limit",
            ));
        }
        self.memories.push(MemoryEntity {
            data: vec![0; (t.min * PAGE) as usize],
            max: t.max,
        });
        Ok(self.memories.len() as u32 - 1)
    }

    fn alloc_table(&mut self, t: TableType) -> Result<u32, Error> {
        if t.min > self.limits.max_table_elems {
            return Err(Error::unlocated(
                Class::Uninstantiable,
                "table size exceeds the store's limit",
            ));
        }
        self.tables.push(TableEntity {
            ty: t.ty,
            elems: vec![0; t.min as usize],
            max: t.max,
        });
        Ok(self.tables.len() as u32 - 1)
    }

    fn eval(&self, e: &ConstExpr, globals: &[u32], funcs: &[u32]) -> u128 {
        let mut st: Vec<u128> = Vec::new();
        for op in &e.0 {
            let v = match *op {
                ConstOp::Value(v) => v as u128,
                ConstOp::V128(v) => v,
                ConstOp::RefFunc(f) => funcs[f as usize] as u128 + 1,
                ConstOp::GlobalGet(g) => self.globals[globals[g as usize] as usize].value,
                _ => {
                    let b = st.pop().unwrap_or(0);
                    let a = st.pop().unwrap_or(0);
                    let (a32, b32, a64, b64) = (a as u32, b as u32, a as u64, b as u64);
                    match op {
                        ConstOp::I32Add => a32.wrapping_add(b32) as u128,
                        ConstOp::I32Sub => a32.wrapping_sub(b32) as u128,
                        ConstOp::I32Mul => a32.wrapping_mul(b32) as u128,
                        ConstOp::I64Add => a64.wrapping_add(b64) as u128,
                        ConstOp::I64Sub => a64.wrapping_sub(b64) as u128,
                        _ => a64.wrapping_mul(b64) as u128,
                    }
                }
            };
            st.push(v);
        }
        st.pop().unwrap_or(0)
    }

    /// Instantiates `module`: resolves and type-checks imports ([`Class::Unlinkable`]), allocates
    /// its entities, applies active element and data segments in order (out of bounds is
    /// [`Class::Uninstantiable`]; earlier segments stay applied) and runs the start function.
    pub fn instantiate(
        &mut self,
        module: &Module,
        imports: &Imports,
    ) -> Result<InstanceHandle, Error> {
        let m = &module.inner;
        let types: Vec<u32> = m.types.iter().map(|t| self.intern(t)).collect();
        let (mut funcs, mut tables, mut memories, mut globals) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
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
                    self.funcs[h.0 as usize].ty == types[*t as usize]
                }
                (ImportKind::Table(t), Extern::Table(h)) => {
                    tables.push(h.0);
                    let e = &self.tables[h.0 as usize];
                    e.ty == t.ty && limits_match(e.elems.len() as u64, e.max, t.min, t.max)
                }
                (ImportKind::Memory(t), Extern::Memory(h)) => {
                    memories.push(h.0);
                    let e = &self.memories[h.0 as usize];
                    limits_match(e.data.len() as u64 / PAGE, e.max, t.min, t.max)
                }
                (ImportKind::Global(t), Extern::Global(h)) => {
                    globals.push(h.0);
                    let e = &self.globals[h.0 as usize];
                    e.ty == t.ty && e.mutable == t.mutable
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
                        let given = self.memories[h.0 as usize].data.len() as u64 / PAGE;
                        if given < t.min {
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
        for t in &m.tables {
            tables.push(self.alloc_table(*t)?);
        }
        for t in &m.memories {
            memories.push(self.alloc_memory(*t)?);
        }
        for (t, init) in &m.globals {
            let value = self.eval(init, &globals, &funcs);
            self.globals.push(GlobalEntity {
                ty: t.ty,
                mutable: t.mutable,
                value,
            });
            globals.push(self.globals.len() as u32 - 1);
        }
        let mut elems = Vec::new();
        for e in &m.elems {
            let items = e
                .items
                .iter()
                .map(|x| self.eval(x, &globals, &funcs) as u64)
                .collect();
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
                ExternalKind::Tag => continue,
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
            mem0,
            exports,
        });
        let inst = &self.instances[inst_idx as usize];
        let (tables, memories, globals, funcs, elems, datas) = (
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
                    let off = self.eval(off, &globals, &funcs) as u32 as u64;
                    let seg = &self.elems[elems[i] as usize];
                    let table = &mut self.tables[tables[*t as usize] as usize];
                    let n = seg.len() as u64;
                    if off + n > table.elems.len() as u64 {
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
                let off = self.eval(off, &globals, &funcs) as u32 as u64;
                let mem = &mut self.memories[memories[*mi as usize] as usize];
                let n = d.bytes.len() as u64;
                if off + n > mem.data.len() as u64 {
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

    /// The export `name` of `instance`.
    pub fn export(&self, instance: InstanceHandle, name: &str) -> Option<Extern> {
        self.instances[instance.0 as usize]
            .exports
            .get(name)
            .copied()
    }

    /// The names of `instance`'s exports (in no particular order).
    pub fn export_names(&self, instance: InstanceHandle) -> Vec<String> {
        self.instances[instance.0 as usize]
            .exports
            .keys()
            .cloned()
            .collect()
    }

    /// Calls the exported function `name` of `instance`.
    pub fn invoke(
        &mut self,
        instance: InstanceHandle,
        name: &str,
        args: &[Value],
    ) -> Result<Vec<Value>, Trap> {
        match self.export(instance, name) {
            Some(Extern::Func(f)) => self.call(f, args),
            _ => Err(Trap::Host(format!("unknown function export: {name}"))),
        }
    }

    /// The type of function `f`.
    pub fn func_type(&self, f: FuncHandle) -> &FuncType {
        &self.types[self.funcs[f.0 as usize].ty as usize]
    }

    /// Calls `f` with `args` (type-checked).
    pub fn call(&mut self, f: FuncHandle, args: &[Value]) -> Result<Vec<Value>, Trap> {
        let ty = self.func_type(f);
        if ty.params.len() != args.len() || ty.params.iter().zip(args).any(|(t, a)| *t != a.ty()) {
            return Err(Trap::Host("type mismatch: wrong arguments".into()));
        }
        interp::call(self, f.0, args)
    }

    /// The value of the exported global `name` of `instance`.
    pub fn get_global(&self, instance: InstanceHandle, name: &str) -> Option<Value> {
        match self.export(instance, name)? {
            Extern::Global(g) => Some(self.global_value(g)),
            _ => None,
        }
    }

    /// The value of global `g`.
    pub fn global_value(&self, g: GlobalHandle) -> Value {
        let g = &self.globals[g.0 as usize];
        match g.ty {
            ValType::V128 => Value::V128(g.value),
            t => Value::from_slot(t, g.value as u64),
        }
    }

    /// Sets global `g` (mutable or not) to `v`; false if the type differs.
    pub fn set_global(&mut self, g: GlobalHandle, v: Value) -> bool {
        let g = &mut self.globals[g.0 as usize];
        if g.ty != v.ty() {
            return false;
        }
        g.value = match v {
            Value::V128(x) => x,
            v => v.to_slot() as u128,
        };
        true
    }

    /// The exported memory `name` of `instance`.
    pub fn memory_export(&self, instance: InstanceHandle, name: &str) -> Option<MemoryHandle> {
        match self.export(instance, name)? {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }

    /// The bytes of memory `m`.
    pub fn memory(&self, m: MemoryHandle) -> &[u8] {
        &self.memories[m.0 as usize].data
    }

    /// The bytes of memory `m`, writable.
    pub fn memory_mut(&mut self, m: MemoryHandle) -> &mut [u8] {
        &mut self.memories[m.0 as usize].data
    }

    /// Reads `buf.len()` bytes of memory `m` at `offset`.
    pub fn read_memory(&self, m: MemoryHandle, offset: u64, buf: &mut [u8]) -> Result<(), Trap> {
        let d = self.memory(m);
        let end = offset
            .checked_add(buf.len() as u64)
            .filter(|&e| e <= d.len() as u64);
        let end = end.ok_or(Trap::Code(TrapCode::MemoryOutOfBounds))?;
        buf.copy_from_slice(&d[offset as usize..end as usize]);
        Ok(())
    }

    /// Writes `bytes` into memory `m` at `offset`.
    pub fn write_memory(&mut self, m: MemoryHandle, offset: u64, bytes: &[u8]) -> Result<(), Trap> {
        let d = self.memory_mut(m);
        let end = offset
            .checked_add(bytes.len() as u64)
            .filter(|&e| e <= d.len() as u64);
        let end = end.ok_or(Trap::Code(TrapCode::MemoryOutOfBounds))?;
        d[offset as usize..end as usize].copy_from_slice(bytes);
        Ok(())
    }

    /// The size of table `t` and its element at `i`.
    pub fn table_get(&self, t: TableHandle, i: u32) -> Option<Value> {
        let t = &self.tables[t.0 as usize];
        t.elems.get(i as usize).map(|&s| Value::from_slot(t.ty, s))
    }

    /// The number of elements of table `t`.
    pub fn table_size(&self, t: TableHandle) -> u32 {
        self.tables[t.0 as usize].elems.len() as u32
    }
}

fn limits_match(
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
