//! Values and types at the API boundary, and their conversion to and from cells.

use std::fmt;

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
    /// A reference of GC's `any` hierarchy: `anyref`, `eqref`, `i31ref`, `structref`,
    /// `arrayref`, `nullref` and references to defined struct and array types.
    AnyRef,
    /// Exception reference (exception handling).
    ExnRef,
}

impl ValType {
    pub(crate) fn from_wp(t: wasmparser::ValType) -> ValType {
        match t {
            wasmparser::ValType::I32 => ValType::I32,
            wasmparser::ValType::I64 => ValType::I64,
            wasmparser::ValType::F32 => ValType::F32,
            wasmparser::ValType::F64 => ValType::F64,
            wasmparser::ValType::V128 => ValType::V128,
            wasmparser::ValType::Ref(r) => ValType::from_ref(r),
        }
    }

    /// The API type of a reference type. A concrete heap type is taken for a function type
    /// here; [`ValType::from_wp_in`] knows the module's types.
    pub(crate) fn from_ref(r: wasmparser::RefType) -> ValType {
        use wasmparser::AbstractHeapType as A;
        match r.heap_type() {
            wasmparser::HeapType::Abstract {
                ty: A::Extern | A::NoExtern,
                ..
            } => ValType::ExternRef,
            wasmparser::HeapType::Abstract {
                ty: A::Any | A::Eq | A::I31 | A::Struct | A::Array | A::None,
                ..
            } => ValType::AnyRef,
            wasmparser::HeapType::Abstract {
                ty: wasmparser::AbstractHeapType::Exn | wasmparser::AbstractHeapType::NoExn,
                ..
            } => ValType::ExnRef,
            _ => ValType::FuncRef,
        }
    }

    /// The API type of `t` in a module whose type `i` is a function type exactly when
    /// `is_func(i)`: a reference to a struct or array type is an [`ValType::AnyRef`].
    pub(crate) fn from_wp_in(t: wasmparser::ValType, is_func: impl Fn(u32) -> bool) -> ValType {
        match t {
            wasmparser::ValType::Ref(r) => match r.heap_type() {
                wasmparser::HeapType::Concrete(i) | wasmparser::HeapType::Exact(i) => {
                    match i.as_module_index() {
                        Some(i) if !is_func(i) => ValType::AnyRef,
                        _ => ValType::FuncRef,
                    }
                }
                _ => ValType::from_ref(r),
            },
            t => ValType::from_wp(t),
        }
    }
}

impl fmt::Display for ValType {
    /// The text format's keyword: `i32`, `funcref`, ….
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
            ValType::AnyRef => "anyref",
            ValType::ExnRef => "exnref",
        })
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
pub struct FuncHandle(pub(crate) u32);
/// A handle to a table in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TableHandle(pub(crate) u32);
/// A handle to a memory in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemoryHandle(pub(crate) u32);
/// A handle to a global in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlobalHandle(pub(crate) u32);
/// A handle to a tag in a [`Store`]: its identity (two instances of one module have distinct
/// tags).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TagHandle(pub(crate) u32);
/// A handle to an exception object in a [`Store`]: its tag and payload (see
/// [`Store::exception_tag`], [`Store::exception_payload`]). `throw_ref` rethrows the same object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExnHandle(pub(crate) u32);
/// A handle to an instance in a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InstanceHandle(pub(crate) u32);

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
    /// A reference of GC's `any` hierarchy (a struct, an array, an i31, or an internalized
    /// external reference) or null.
    AnyRef(Option<AnyRef>),
    /// An external reference that is an externalized internal one (`extern.convert_any` of a
    /// struct, array or i31 reference): an `externref` value.
    ExternAny(AnyRef),
    /// An exception reference or null.
    ExnRef(Option<ExnHandle>),
}

/// A non-null reference of the `any` hierarchy: opaque. A struct or array is a handle into the
/// store's GC heap, valid while the store's guest code can reach it (a reference only the host
/// holds is collected; passing it back in then fails with a host trap). An i31 and an
/// internalized external value are values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AnyRef(pub(crate) u64);

/// What an [`AnyRef`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AnyKind {
    /// A struct.
    Struct,
    /// An array.
    Array,
    /// An i31 (its value sign-extended from 31 bits).
    I31(i32),
    /// An external value made internal (`any.convert_extern` of `ref.extern n`).
    Host(u32),
}

impl AnyRef {
    /// The internalized form of the external value `n` (`any.convert_extern` of it).
    pub fn host(n: u32) -> AnyRef {
        AnyRef(n as u64 + 1)
    }

    /// The i31 reference of the low 31 bits of `v`.
    pub fn i31(v: i32) -> AnyRef {
        AnyRef(super::gc::i31_cell(v as u32))
    }

    /// What it is.
    pub fn kind(&self) -> AnyKind {
        use super::gc::{CellKind, cell_kind};
        match cell_kind(self.0) {
            CellKind::I31 => AnyKind::I31(super::gc::i31_get(self.0, true) as i32),
            CellKind::Struct => AnyKind::Struct,
            CellKind::Array => AnyKind::Array,
            CellKind::Plain => AnyKind::Host((self.0 - 1) as u32),
        }
    }
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
            Value::ExternRef(_) | Value::ExternAny(_) => ValType::ExternRef,
            Value::AnyRef(_) => ValType::AnyRef,
            Value::ExnRef(_) => ValType::ExnRef,
        }
    }

    /// The zero value (or null) of `ty`.
    pub fn default_of(ty: ValType) -> Value {
        Value::from_slot(ty, 0)
    }

    /// Writes the value into `cells` (two for a v128, low half first); returns how many.
    pub(crate) fn write_cells(self, cells: &mut [u64]) -> usize {
        match self {
            Value::V128(v) => {
                cells[0] = v as u64;
                cells[1] = (v >> 64) as u64;
                2
            }
            v => {
                cells[0] = v.to_slot();
                1
            }
        }
    }

    /// Reads a value of type `ty` from `cells`; returns it and how many cells it took.
    pub(crate) fn read_cells(ty: ValType, cells: &[u64]) -> (Value, usize) {
        match ty {
            ValType::V128 => (Value::V128(cells[0] as u128 | (cells[1] as u128) << 64), 2),
            t => (Value::from_slot(t, cells[0]), 1),
        }
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
            Value::AnyRef(r) => r.map_or(0, |r| r.0),
            Value::ExternAny(r) => r.0,
            Value::ExnRef(r) => r.map_or(0, |h| h.0 as u64 + 1),
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
            // An externalized internal reference keeps its cell (the conversions are the
            // identity on cells, see `gc.rs`).
            ValType::ExternRef if super::gc::cell_kind(s) != super::gc::CellKind::Plain => {
                Value::ExternAny(AnyRef(s))
            }
            ValType::ExternRef => Value::ExternRef(s.checked_sub(1).map(|v| v as u32)),
            ValType::AnyRef => Value::AnyRef((s != 0).then_some(AnyRef(s))),
            ValType::ExnRef => Value::ExnRef(s.checked_sub(1).map(|h| ExnHandle(h as u32))),
        }
    }
}

/// The stable `type:value` form `watlink run` prints and the `.wast` runner reports: `i32:-1`,
/// `f64:1.5`, `f32:nan:0x400000`, `v128:0x…`, `funcref:null`, `externref:7`, `exnref:exn`.
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
            Value::ExnRef(None) => f.write_str("exnref:null"),
            Value::ExnRef(Some(_)) => f.write_str("exnref:exn"),
            Value::ExternAny(r) => write!(f, "externref:{}", AnyShow(r)),
            Value::AnyRef(None) => f.write_str("anyref:null"),
            Value::AnyRef(Some(r)) => write!(f, "anyref:{}", AnyShow(r)),
        }
    }
}

/// An [`AnyRef`] as `Display` shows it: `struct`, `array`, `i31:5`, `host:3`.
struct AnyShow(AnyRef);

impl fmt::Display for AnyShow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.kind() {
            AnyKind::Struct => f.write_str("struct"),
            AnyKind::Array => f.write_str("array"),
            AnyKind::I31(v) => write!(f, "i31:{v}"),
            AnyKind::Host(n) => write!(f, "host:{n}"),
        }
    }
}
