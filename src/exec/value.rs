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

    pub(crate) fn from_ref(r: wasmparser::RefType) -> ValType {
        match r.heap_type() {
            wasmparser::HeapType::Abstract {
                ty: wasmparser::AbstractHeapType::Extern,
                ..
            } => ValType::ExternRef,
            wasmparser::HeapType::Abstract {
                ty: wasmparser::AbstractHeapType::Exn | wasmparser::AbstractHeapType::NoExn,
                ..
            } => ValType::ExnRef,
            _ => ValType::FuncRef,
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
    /// An exception reference or null.
    ExnRef(Option<ExnHandle>),
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
            ValType::ExternRef => Value::ExternRef(s.checked_sub(1).map(|v| v as u32)),
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
        }
    }
}
