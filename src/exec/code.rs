//! The lowered code the dispatch loop runs: a register machine over 64-bit cells.
//!
//! A function's frame is a window of cells: its locals first (parameters at the bottom, where the
//! caller left its arguments), then the temporaries of its operand stack. A value takes one cell,
//! a `v128` two (low half first). Every op names the cells it reads and writes as offsets from
//! the frame base (`Slot`s), so values move only when the program moves them. Lowering
//! (`lower.rs`) is the only place that knows how many cells a value takes; it also computes
//! [`FuncCode::frame_cells`], which the caller checks once at call entry so that no slot access
//! inside the frame needs a bounds check.
//!
//! The numeric instructions are listed once, in [`for_each_numeric!`]: each line gives the op's
//! variant, its immediate form (if any), the cell type it reads and what it computes. The macro
//! derives the [`Op`] variants, the wasm operator → op mapping used by lowering and the arms of
//! the dispatch loop.

use wasmparser::Operator;

use super::TrapCode;
use super::interp::Instr;
use super::simd::{
    LaneWidth, SimdBinary, SimdExtract, SimdLoad, SimdShift, SimdTernary, SimdTest, SimdUnary,
};

/// A cell offset from the frame base.
pub(crate) type Slot = u32;

/// The numeric instruction table. Columns:
/// - `unary`: (variant, input type, result expression);
/// - `unary_trap`: the same, the expression returns `Result<_, TrapCode>`;
/// - `binary`: (variant, immediate variant, operand type, expression) — the immediate form takes
///   its right operand as an `i32` sign-extended to the operand type;
/// - `float_binary`: (variant, operand type, expression), no immediate form;
/// - `binary_trap`: (variant, immediate variant, type, trapping expression, expression for an
///   immediate that can neither be zero nor -1);
/// - `compare`: integer comparisons, which also fuse into branches: (variant, immediate variant,
///   branch, branch-on-immediate, the negated comparison's branch and branch-on-immediate, type,
///   expression).
macro_rules! for_each_numeric {
    ($m:ident $($extra:tt)*) => {
        $m! {
            $($extra)*
            unary: [
                (I32Eqz, u32, |a: u32| a == 0)
                (I64Eqz, u64, |a: u64| a == 0)
                (RefIsNull, u64, |a: u64| a == 0)
                (I32Clz, u32, |a: u32| a.leading_zeros())
                (I32Ctz, u32, |a: u32| a.trailing_zeros())
                (I32Popcnt, u32, |a: u32| a.count_ones())
                (I64Clz, u64, |a: u64| a.leading_zeros() as u64)
                (I64Ctz, u64, |a: u64| a.trailing_zeros() as u64)
                (I64Popcnt, u64, |a: u64| a.count_ones() as u64)
                (F32Abs, u32, |a: u32| a & 0x7fff_ffff)
                (F32Neg, u32, |a: u32| a ^ 0x8000_0000)
                (F32Ceil, f32, |a: f32| num::f32_round(a, f32::ceil))
                (F32Floor, f32, |a: f32| num::f32_round(a, f32::floor))
                (F32Trunc, f32, |a: f32| num::f32_round(a, f32::trunc))
                (F32Nearest, f32, num::f32_nearest)
                (F32Sqrt, f32, f32::sqrt)
                (F64Abs, u64, |a: u64| a & !(1 << 63))
                (F64Neg, u64, |a: u64| a ^ (1 << 63))
                (F64Ceil, f64, |a: f64| num::f64_round(a, f64::ceil))
                (F64Floor, f64, |a: f64| num::f64_round(a, f64::floor))
                (F64Trunc, f64, |a: f64| num::f64_round(a, f64::trunc))
                (F64Nearest, f64, num::f64_nearest)
                (F64Sqrt, f64, f64::sqrt)
                (I32WrapI64, u64, |a: u64| a as u32)
                (I64ExtendI32S, i32, |a: i32| a as i64)
                (I64ExtendI32U, u32, |a: u32| a as u64)
                (F32ConvertI32S, i32, |a: i32| a as f32)
                (F32ConvertI32U, u32, |a: u32| a as f32)
                (F32ConvertI64S, i64, |a: i64| a as f32)
                (F32ConvertI64U, u64, |a: u64| a as f32)
                (F32DemoteF64, f64, |a: f64| a as f32)
                (F64ConvertI32S, i32, |a: i32| a as f64)
                (F64ConvertI32U, u32, |a: u32| a as f64)
                (F64ConvertI64S, i64, |a: i64| a as f64)
                (F64ConvertI64U, u64, |a: u64| a as f64)
                (F64PromoteF32, f32, |a: f32| a as f64)
                (I32Extend8S, u32, |a: u32| a as i8 as i32)
                (I32Extend16S, u32, |a: u32| a as i16 as i32)
                (I64Extend8S, u64, |a: u64| a as i8 as i64)
                (I64Extend16S, u64, |a: u64| a as i16 as i64)
                (I64Extend32S, u64, |a: u64| a as i32 as i64)
                (I32TruncSatF32S, f32, |a: f32| a as i32)
                (I32TruncSatF32U, f32, |a: f32| a as u32)
                (I32TruncSatF64S, f64, |a: f64| a as i32)
                (I32TruncSatF64U, f64, |a: f64| a as u32)
                (I64TruncSatF32S, f32, |a: f32| a as i64)
                (I64TruncSatF32U, f32, |a: f32| a as u64)
                (I64TruncSatF64S, f64, |a: f64| a as i64)
                (I64TruncSatF64U, f64, |a: f64| a as u64)
            ]
            unary_trap: [
                (I32TruncF32S, f32, |a: f32| num::i32_trunc_s(a as f64))
                (I32TruncF32U, f32, |a: f32| num::i32_trunc_u(a as f64))
                (I32TruncF64S, f64, num::i32_trunc_s)
                (I32TruncF64U, f64, num::i32_trunc_u)
                (I64TruncF32S, f32, |a: f32| num::i64_trunc_s(a as f64))
                (I64TruncF32U, f32, |a: f32| num::i64_trunc_u(a as f64))
                (I64TruncF64S, f64, num::i64_trunc_s)
                (I64TruncF64U, f64, num::i64_trunc_u)
            ]
            binary: [
                (I32Add, I32AddImm, u32, |a: u32, b: u32| a.wrapping_add(b))
                (I32Sub, I32SubImm, u32, |a: u32, b: u32| a.wrapping_sub(b))
                (I32Mul, I32MulImm, u32, |a: u32, b: u32| a.wrapping_mul(b))
                (I32And, I32AndImm, u32, |a: u32, b: u32| a & b)
                (I32Or, I32OrImm, u32, |a: u32, b: u32| a | b)
                (I32Xor, I32XorImm, u32, |a: u32, b: u32| a ^ b)
                (I32Shl, I32ShlImm, u32, |a: u32, b: u32| a.wrapping_shl(b))
                (I32ShrS, I32ShrSImm, i32, |a: i32, b: i32| a.wrapping_shr(b as u32))
                (I32ShrU, I32ShrUImm, u32, |a: u32, b: u32| a.wrapping_shr(b))
                (I32Rotl, I32RotlImm, u32, |a: u32, b: u32| a.rotate_left(b))
                (I32Rotr, I32RotrImm, u32, |a: u32, b: u32| a.rotate_right(b))
                (I64Add, I64AddImm, u64, |a: u64, b: u64| a.wrapping_add(b))
                (I64Sub, I64SubImm, u64, |a: u64, b: u64| a.wrapping_sub(b))
                (I64Mul, I64MulImm, u64, |a: u64, b: u64| a.wrapping_mul(b))
                (I64And, I64AndImm, u64, |a: u64, b: u64| a & b)
                (I64Or, I64OrImm, u64, |a: u64, b: u64| a | b)
                (I64Xor, I64XorImm, u64, |a: u64, b: u64| a ^ b)
                (I64Shl, I64ShlImm, u64, |a: u64, b: u64| a.wrapping_shl(b as u32))
                (I64ShrS, I64ShrSImm, i64, |a: i64, b: i64| a.wrapping_shr(b as u32))
                (I64ShrU, I64ShrUImm, u64, |a: u64, b: u64| a.wrapping_shr(b as u32))
                (I64Rotl, I64RotlImm, u64, |a: u64, b: u64| a.rotate_left((b & 63) as u32))
                (I64Rotr, I64RotrImm, u64, |a: u64, b: u64| a.rotate_right((b & 63) as u32))
            ]
            float_binary: [
                (F32Eq, f32, |a: f32, b: f32| a == b)
                (F32Ne, f32, |a: f32, b: f32| a != b)
                (F32Lt, f32, |a: f32, b: f32| a < b)
                (F32Gt, f32, |a: f32, b: f32| a > b)
                (F32Le, f32, |a: f32, b: f32| a <= b)
                (F32Ge, f32, |a: f32, b: f32| a >= b)
                (F64Eq, f64, |a: f64, b: f64| a == b)
                (F64Ne, f64, |a: f64, b: f64| a != b)
                (F64Lt, f64, |a: f64, b: f64| a < b)
                (F64Gt, f64, |a: f64, b: f64| a > b)
                (F64Le, f64, |a: f64, b: f64| a <= b)
                (F64Ge, f64, |a: f64, b: f64| a >= b)
                (F32Add, f32, |a: f32, b: f32| a + b)
                (F32Sub, f32, |a: f32, b: f32| a - b)
                (F32Mul, f32, |a: f32, b: f32| a * b)
                (F32Div, f32, |a: f32, b: f32| a / b)
                (F32Min, f32, num::f32_min)
                (F32Max, f32, num::f32_max)
                (F32Copysign, u32, |a: u32, b: u32| (a & 0x7fff_ffff) | (b & 0x8000_0000))
                (F64Add, f64, |a: f64, b: f64| a + b)
                (F64Sub, f64, |a: f64, b: f64| a - b)
                (F64Mul, f64, |a: f64, b: f64| a * b)
                (F64Div, f64, |a: f64, b: f64| a / b)
                (F64Min, f64, num::f64_min)
                (F64Max, f64, num::f64_max)
                (F64Copysign, u64, |a: u64, b: u64| (a & !(1 << 63)) | (b & (1 << 63)))
            ]
            binary_trap: [
                (I32DivS, I32DivSImm, i32, num::i32_div_s, |a: i32, b: i32| a.wrapping_div(b))
                (I32DivU, I32DivUImm, u32, num::i32_div_u, |a: u32, b: u32| a / b)
                (I32RemS, I32RemSImm, i32, num::i32_rem_s, |a: i32, b: i32| a.wrapping_rem(b))
                (I32RemU, I32RemUImm, u32, num::i32_rem_u, |a: u32, b: u32| a % b)
                (I64DivS, I64DivSImm, i64, num::i64_div_s, |a: i64, b: i64| a.wrapping_div(b))
                (I64DivU, I64DivUImm, u64, num::i64_div_u, |a: u64, b: u64| a / b)
                (I64RemS, I64RemSImm, i64, num::i64_rem_s, |a: i64, b: i64| a.wrapping_rem(b))
                (I64RemU, I64RemUImm, u64, num::i64_rem_u, |a: u64, b: u64| a % b)
            ]
            compare: [
                (I32Eq, I32EqImm, BrI32Eq, BrI32EqImm, BrI32Ne, BrI32NeImm, u32, |a: u32, b: u32| a == b)
                (I32Ne, I32NeImm, BrI32Ne, BrI32NeImm, BrI32Eq, BrI32EqImm, u32, |a: u32, b: u32| a != b)
                (I32LtS, I32LtSImm, BrI32LtS, BrI32LtSImm, BrI32GeS, BrI32GeSImm, i32, |a: i32, b: i32| a < b)
                (I32LtU, I32LtUImm, BrI32LtU, BrI32LtUImm, BrI32GeU, BrI32GeUImm, u32, |a: u32, b: u32| a < b)
                (I32GtS, I32GtSImm, BrI32GtS, BrI32GtSImm, BrI32LeS, BrI32LeSImm, i32, |a: i32, b: i32| a > b)
                (I32GtU, I32GtUImm, BrI32GtU, BrI32GtUImm, BrI32LeU, BrI32LeUImm, u32, |a: u32, b: u32| a > b)
                (I32LeS, I32LeSImm, BrI32LeS, BrI32LeSImm, BrI32GtS, BrI32GtSImm, i32, |a: i32, b: i32| a <= b)
                (I32LeU, I32LeUImm, BrI32LeU, BrI32LeUImm, BrI32GtU, BrI32GtUImm, u32, |a: u32, b: u32| a <= b)
                (I32GeS, I32GeSImm, BrI32GeS, BrI32GeSImm, BrI32LtS, BrI32LtSImm, i32, |a: i32, b: i32| a >= b)
                (I32GeU, I32GeUImm, BrI32GeU, BrI32GeUImm, BrI32LtU, BrI32LtUImm, u32, |a: u32, b: u32| a >= b)
                (I64Eq, I64EqImm, BrI64Eq, BrI64EqImm, BrI64Ne, BrI64NeImm, u64, |a: u64, b: u64| a == b)
                (I64Ne, I64NeImm, BrI64Ne, BrI64NeImm, BrI64Eq, BrI64EqImm, u64, |a: u64, b: u64| a != b)
                (I64LtS, I64LtSImm, BrI64LtS, BrI64LtSImm, BrI64GeS, BrI64GeSImm, i64, |a: i64, b: i64| a < b)
                (I64LtU, I64LtUImm, BrI64LtU, BrI64LtUImm, BrI64GeU, BrI64GeUImm, u64, |a: u64, b: u64| a < b)
                (I64GtS, I64GtSImm, BrI64GtS, BrI64GtSImm, BrI64LeS, BrI64LeSImm, i64, |a: i64, b: i64| a > b)
                (I64GtU, I64GtUImm, BrI64GtU, BrI64GtUImm, BrI64LeU, BrI64LeUImm, u64, |a: u64, b: u64| a > b)
                (I64LeS, I64LeSImm, BrI64LeS, BrI64LeSImm, BrI64GtS, BrI64GtSImm, i64, |a: i64, b: i64| a <= b)
                (I64LeU, I64LeUImm, BrI64LeU, BrI64LeUImm, BrI64GtU, BrI64GtUImm, u64, |a: u64, b: u64| a <= b)
                (I64GeS, I64GeSImm, BrI64GeS, BrI64GeSImm, BrI64LtS, BrI64LtSImm, i64, |a: i64, b: i64| a >= b)
                (I64GeU, I64GeUImm, BrI64GeU, BrI64GeUImm, BrI64LtU, BrI64LtUImm, u64, |a: u64, b: u64| a >= b)
            ]
            load: [
                (I32Load, [I32Load F32Load], 4, |b| u32::from_le_bytes(b) as u64)
                (I64Load, [I64Load F64Load], 8, u64::from_le_bytes)
                (I32Load8S, [I32Load8S], 1, |b| i8::from_le_bytes(b) as i32 as u32 as u64)
                (I32Load8U, [I32Load8U I64Load8U], 1, |b| u8::from_le_bytes(b) as u64)
                (I32Load16S, [I32Load16S], 2, |b| i16::from_le_bytes(b) as i32 as u32 as u64)
                (I32Load16U, [I32Load16U I64Load16U], 2, |b| u16::from_le_bytes(b) as u64)
                (I64Load8S, [I64Load8S], 1, |b| i8::from_le_bytes(b) as i64 as u64)
                (I64Load16S, [I64Load16S], 2, |b| i16::from_le_bytes(b) as i64 as u64)
                (I64Load32S, [I64Load32S], 4, |b| i32::from_le_bytes(b) as i64 as u64)
                (I64Load32U, [I64Load32U], 4, |b| u32::from_le_bytes(b) as u64)
            ]
            store: [
                (I32Store, I32StoreImm, [I32Store F32Store I64Store32], 4, |v: u64| (v as u32).to_le_bytes())
                (I64Store, I64StoreImm, [I64Store F64Store], 8, |v: u64| v.to_le_bytes())
                (I32Store8, I32Store8Imm, [I32Store8 I64Store8], 1, |v: u64| (v as u8).to_le_bytes())
                (I32Store16, I32Store16Imm, [I32Store16 I64Store16], 2, |v: u64| (v as u16).to_le_bytes())
            ]
        }
    };
}
pub(crate) use for_each_numeric;

/// Conversion between a cell and the typed value an op computes with. Integers are kept
/// zero-extended to 64 bits, floats as their bits.
pub(crate) trait Cell: Copy {
    fn from_cell(c: u64) -> Self;
    fn to_cell(self) -> u64;
    /// The value of an `i32` immediate, sign-extended to this type.
    fn from_imm(i: i32) -> Self;
}

macro_rules! cell_int {
    ($($t:ty => $u:ty, $imm:ty),*) => {$(
        impl Cell for $t {
            #[inline(always)]
            fn from_cell(c: u64) -> Self { c as $u as $t }
            #[inline(always)]
            fn to_cell(self) -> u64 { self as $u as u64 }
            #[inline(always)]
            fn from_imm(i: i32) -> Self { i as $imm as $t }
        }
    )*};
}
cell_int!(i32 => u32, i32, u32 => u32, u32, i64 => u64, i64, u64 => u64, i64);

impl Cell for f32 {
    #[inline(always)]
    fn from_cell(c: u64) -> Self {
        f32::from_bits(c as u32)
    }
    #[inline(always)]
    fn to_cell(self) -> u64 {
        self.to_bits() as u64
    }
    fn from_imm(i: i32) -> Self {
        f32::from_bits(i as u32)
    }
}
impl Cell for f64 {
    #[inline(always)]
    fn from_cell(c: u64) -> Self {
        f64::from_bits(c)
    }
    #[inline(always)]
    fn to_cell(self) -> u64 {
        self.to_bits()
    }
    fn from_imm(i: i32) -> Self {
        f64::from_bits(i as i64 as u64)
    }
}
impl Cell for bool {
    #[inline(always)]
    fn from_cell(c: u64) -> Self {
        c != 0
    }
    #[inline(always)]
    fn to_cell(self) -> u64 {
        self as u64
    }
    fn from_imm(i: i32) -> Self {
        i != 0
    }
}

/// One entry of a `br_table`: copy `n` cells from `src` to `dst` (frame offsets), then continue
/// at `pc` ([`RETURN_PC`]: return from the function; the results are then at offset 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BrEntry {
    pub pc: u32,
    pub dst: Slot,
    pub src: Slot,
    pub n: u32,
}

/// The `pc` of a [`BrEntry`] that returns.
pub(crate) const RETURN_PC: u32 = u32::MAX;

/// How to lower one numeric operator.
#[derive(Clone, Copy)]
pub(crate) enum NumForm {
    Unary(fn(Slot, Slot) -> Op),
    /// The register form and the immediate form, if any.
    Binary(
        fn(Slot, Slot, Slot) -> Op,
        Option<fn(Slot, Slot, i32) -> Op>,
    ),
    /// Division and remainder: the immediate form is valid only for a divisor other than 0, -1.
    DivRem(fn(Slot, Slot, Slot) -> Op, fn(Slot, Slot, i32) -> Op),
    Compare(CmpForms),
}

/// The forms of a scalar store.
#[derive(Clone, Copy)]
pub(crate) struct StoreForms {
    pub reg: fn(Slot, Slot, u32) -> Op,
    pub imm: fn(Slot, i32, u32) -> Op,
    pub bytes: u32,
}

/// The forms of an integer comparison: as a value, and fused into a branch (taken when the
/// comparison holds, or when it does not).
#[derive(Clone, Copy)]
pub(crate) struct CmpForms {
    pub value: fn(Slot, Slot, Slot) -> Op,
    pub value_imm: fn(Slot, Slot, i32) -> Op,
    pub br: fn(Slot, Slot, u32) -> Op,
    pub br_imm: fn(Slot, i32, u32) -> Op,
    pub br_not: fn(Slot, Slot, u32) -> Op,
    pub br_not_imm: fn(Slot, i32, u32) -> Op,
}

macro_rules! define_ops {
    (
        unary: [$(($u:ident, $ut:ty, $ue:expr))*]
        unary_trap: [$(($ut_:ident, $utt:ty, $ute:expr))*]
        binary: [$(($b:ident, $bi:ident, $bt:ty, $be:expr))*]
        float_binary: [$(($fb:ident, $fbt:ty, $fbe:expr))*]
        binary_trap: [$(($d:ident, $di:ident, $dt:ty, $de:expr, $die:expr))*]
        compare: [$(($c:ident, $ci:ident, $cb:ident, $cbi:ident, $cn:ident, $cni:ident, $ct:ty, $ce:expr))*]
        load: [$(($l:ident, [$($lw:ident)*], $ln:literal, $le:expr))*]
        store: [$(($s:ident, $si:ident, [$($sw:ident)*], $sn:literal, $se:expr))*]
    ) => {
        /// One op of lowered code. Slots are frame offsets; `target`s are indices into the
        /// function's ops.
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub(crate) enum Op {
            $($u { dst: Slot, a: Slot },)*
            $($ut_ { dst: Slot, a: Slot },)*
            $($b { dst: Slot, a: Slot, b: Slot },)*
            $($bi { dst: Slot, a: Slot, imm: i32 },)*
            $($fb { dst: Slot, a: Slot, b: Slot },)*
            $($d { dst: Slot, a: Slot, b: Slot }, $di { dst: Slot, a: Slot, imm: i32 },)*
            $($c { dst: Slot, a: Slot, b: Slot }, $ci { dst: Slot, a: Slot, imm: i32 },)*
            $($cb { a: Slot, b: Slot, target: u32 }, $cbi { a: Slot, imm: i32, target: u32 },)*
            $($l { dst: Slot, addr: Slot, offset: u32 },)*
            $($s { addr: Slot, val: Slot, offset: u32 },)*
            $($si { addr: Slot, imm: i32, offset: u32 },)*

            /// Charge `n` units of fuel (only in code lowered for a store with fuel).
            Fuel { n: u32 },
            /// Trap with `code` (`unreachable`, and instructions this interpreter does not run).
            Trap { code: TrapCode },
            /// `dst = src` (one cell).
            Copy { dst: Slot, src: Slot },
            /// `dst, dst+1 = src, src+1` (a v128).
            Copy2 { dst: Slot, src: Slot },
            /// `n` cells from `src` to `dst`, `dst < src` (results moved down to a label).
            CopyRange { dst: Slot, src: Slot, n: u32 },
            /// `dst = hi << 32 | lo`.
            Const { dst: Slot, lo: u32, hi: u32 },
            Jump { target: u32 },
            JumpIfZero { c: Slot, target: u32 },
            JumpIfNonZero { c: Slot, target: u32 },
            /// A `br_table` that moves no values: the `count + 1` ops after it are its entries
            /// (each a `Jump` or a `Return`); go where entry `index + bias` (wrapping as an
            /// `i32`; past the end: the last) goes. The bias is a `i32.add` of a constant that
            /// computed the index (a C `switch` over a range not starting at 0).
            BrTable { index: Slot, count: u32, bias: i32 },
            /// `dst = (a >> shift) & mask` (i32): a bit field, one op for `i32.shr_u` by a
            /// constant followed by `i32.and` with one.
            I32ShrUAndImm { dst: Slot, a: Slot, shift: u8, mask: i32 },
            /// `dst = a + (b << shift)` (i32): a scaled index, one op for `i32.shl` by a
            /// constant followed by the `i32.add` of its result.
            I32AddShlImm { dst: Slot, a: Slot, b: Slot, shift: u8 },
            /// A `br_table` whose label takes values: through the function's `br_table` entries
            /// `start..=start + count` by the index in `index` (past the end: the last entry),
            /// each moving its `n` cells from `src` to `dst` first.
            BrTableMove { index: Slot, start: u32, count: u32 },
            /// Return; the results are at offsets `0..`.
            Return,
            /// Copy one result cell from `src` to offset 0, then return.
            Return1 { src: Slot },
            /// Call the instance's defined function `func`, its arguments at `base..`.
            Call { func: u32, base: Slot },
            /// Call the instance's function `func` (an import), its arguments at `base..`.
            CallImport { func: u32, base: Slot },
            /// Call through a table: the function's `indirect[site]` gives the type and table.
            CallIndirect { index: Slot, base: Slot, site: u32 },
            ReturnCall { func: u32, base: Slot },
            ReturnCallImport { func: u32, base: Slot },
            ReturnCallIndirect { index: Slot, base: Slot, site: u32 },
            /// `if c == 0 { dst = b }` (`dst` already holds the first operand).
            Select { dst: Slot, b: Slot, c: Slot },
            Select2 { dst: Slot, b: Slot, c: Slot },
            GlobalGet { dst: Slot, global: u32 },
            /// `global.get` of the module's `__stack_pointer` (read through the interpreter's
            /// cached store index of it: one dependent load fewer in every prologue).
            GlobalGetStack { dst: Slot },
            GlobalGet2 { dst: Slot, global: u32 },
            GlobalSet { src: Slot, global: u32 },
            GlobalSet2 { src: Slot, global: u32 },
            /// `global.set` of the module's `__stack_pointer`: checked against the stack guard.
            GlobalSetGuarded { src: Slot, global: u32 },
            V128Load { dst: Slot, addr: Slot, offset: u32 },
            V128Store { addr: Slot, val: Slot, offset: u32 },
            MemorySize { dst: Slot },
            MemoryGrow { dst: Slot, delta: Slot },
            /// Operands (destination, value, length) at `base..base + 3`.
            MemoryFill { base: Slot },
            MemoryCopy { base: Slot },
            MemoryInit { seg: u32, base: Slot },
            DataDrop { seg: u32 },
            TableGet { dst: Slot, index: Slot, table: u32 },
            TableSet { table: u32, index: Slot, val: Slot },
            TableSize { dst: Slot, table: u32 },
            /// Operands (init, delta) at `base`, `base + 1`; the result at `base`.
            TableGrow { table: u32, base: Slot },
            TableFill { table: u32, base: Slot },
            TableCopy { dst: u32, src: u32, base: Slot },
            TableInit { elem: u32, table: u32, base: Slot },
            ElemDrop { seg: u32 },
            RefFunc { dst: Slot, func: u32 },

            // SIMD (`simd.rs`): one variant per family, `kind` selects the instruction. A v128
            // operand or result takes two cells from its slot on.
            V128Unary { kind: SimdUnary, dst: Slot, src: Slot },
            V128Binary { kind: SimdBinary, dst: Slot, lhs: Slot, rhs: Slot },
            /// Operands at `base`, `base + 2`, `base + 4`; the result at `base`.
            V128Ternary { kind: SimdTernary, base: Slot },
            /// v128 → i32 (`any_true`, `all_true`, `bitmask`).
            V128Test { kind: SimdTest, dst: Slot, src: Slot },
            /// v128 (`lhs`) shifted by an i32 (`rhs`).
            V128Shift { kind: SimdShift, dst: Slot, lhs: Slot, rhs: Slot },
            V128Splat { width: LaneWidth, dst: Slot, src: Slot },
            V128Extract { kind: SimdExtract, lane: u8, dst: Slot, src: Slot },
            V128Replace { width: LaneWidth, lane: u8, dst: Slot, vec: Slot, val: Slot },
            /// Operands at `base`, `base + 2`; the result at `base`; the lane indices are the
            /// function's `shuffles[lanes]`.
            V128Shuffle { base: Slot, lanes: u32 },
            /// The loads of fewer than 16 bytes (widening, splat, zero-extending).
            V128LoadExt { kind: SimdLoad, dst: Slot, addr: Slot, offset: u32 },
            /// The address at `base`, the vector at `base + 1`; the result at `base`.
            V128LoadLane { width: LaneWidth, lane: u8, base: Slot, offset: u32 },
            V128StoreLane { width: LaneWidth, lane: u8, addr: Slot, val: Slot, offset: u32 },
            // WebAssembly 3.0 beyond the scalar core: general memory instructions (memory.rs),
            // wide arithmetic, typed function references.
            /// A memory instruction other than the fast memory-0 ones: the function's
            /// `mem_sites[site]` says what it does (see `memory.rs`).
            Mem { site: u32 },
            /// Wide arithmetic: operands at `base..` (four for 128-bit add/sub, two for the
            /// multiplications), the low and high results at `base`, `base + 1`.
            I64Add128 { base: Slot },
            I64Sub128 { base: Slot },
            I64MulWideS { base: Slot },
            I64MulWideU { base: Slot },
            /// `call_ref`: the function reference in `fref`, its arguments at `base..`.
            CallRef { fref: Slot, base: Slot },
            ReturnCallRef { fref: Slot, base: Slot },
            /// `ref.as_non_null`: trap if `a` is null (the value stays where it is).
            RefAsNonNull { a: Slot },
            /// A GC instruction: the function's `gc_sites[site]` says what it does (see
            /// `gc.rs`).
            Gc { site: u32 },
            // Exception handling (`exn.rs`).
            /// `throw` of the module's tag `tag`, its payload at `base..`.
            Throw { tag: u32, base: Slot },
            /// `throw_ref` of the exnref in `a` (null traps).
            ThrowRef { a: Slot },
        }

        /// How to lower `op`, if it is one of the table's numeric instructions.
        pub(crate) fn numeric(op: &Operator<'_>) -> Option<NumForm> {
            Some(match op {
                $(Operator::$u => NumForm::Unary(|dst, a| Op::$u { dst, a }),)*
                $(Operator::$ut_ => NumForm::Unary(|dst, a| Op::$ut_ { dst, a }),)*
                $(Operator::$b => NumForm::Binary(|dst, a, b| Op::$b { dst, a, b }, Some(|dst, a, imm| Op::$bi { dst, a, imm })),)*
                $(Operator::$fb => NumForm::Binary(|dst, a, b| Op::$fb { dst, a, b }, None),)*
                $(Operator::$d => NumForm::DivRem(|dst, a, b| Op::$d { dst, a, b }, |dst, a, imm| Op::$di { dst, a, imm }),)*
                $(Operator::$c => NumForm::Compare(CmpForms {
                    value: |dst, a, b| Op::$c { dst, a, b },
                    value_imm: |dst, a, imm| Op::$ci { dst, a, imm },
                    br: |a, b, target| Op::$cb { a, b, target },
                    br_imm: |a, imm, target| Op::$cbi { a, imm, target },
                    br_not: |a, b, target| Op::$cn { a, b, target },
                    br_not_imm: |a, imm, target| Op::$cni { a, imm, target },
                }),)*
                _ => return None,
            })
        }

        /// Whether `op`'s operands are 64-bit integers (for its immediate form).
        pub(crate) fn wide_operands(op: &Operator<'_>) -> bool {
            match op {
                $(Operator::$b => size_of::<$bt>() == 8,)*
                $(Operator::$d => size_of::<$dt>() == 8,)*
                $(Operator::$c => size_of::<$ct>() == 8,)*
                _ => false,
            }
        }

        /// The load op for `op` (with its memory argument), if it is a scalar load.
        pub(crate) fn load<'o>(op: &'o Operator<'_>) -> Option<(fn(Slot, Slot, u32) -> Op, &'o wasmparser::MemArg)> {
            match op {
                $($(Operator::$lw { memarg } => Some((|dst, addr, offset| Op::$l { dst, addr, offset }, memarg)),)*)*
                _ => None,
            }
        }

        /// The store op for `op`, if it is a scalar store: its register form, its form with
        /// an immediate value (an `i32`, sign-extended to the stored width), that width in
        /// bytes, and the memory argument.
        pub(crate) fn store<'o>(op: &'o Operator<'_>) -> Option<(StoreForms, &'o wasmparser::MemArg)> {
            match op {
                $($(Operator::$sw { memarg } => Some((StoreForms {
                    reg: |addr, val, offset| Op::$s { addr, val, offset },
                    imm: |addr, imm, offset| Op::$si { addr, imm, offset },
                    bytes: $sn,
                }, memarg)),)*)*
                _ => None,
            }
        }

        impl Op {
            /// The cell an op writes its (single) result to, where lowering may redirect it (to
            /// a local, for a following `local.set`).
            pub(crate) fn dst_mut(&mut self) -> Option<&mut Slot> {
                match self {
                    $(Op::$u { dst, .. })|*
                    | $(Op::$ut_ { dst, .. })|*
                    | $(Op::$b { dst, .. } | Op::$bi { dst, .. })|*
                    | $(Op::$fb { dst, .. })|*
                    | $(Op::$d { dst, .. } | Op::$di { dst, .. })|*
                    | $(Op::$c { dst, .. } | Op::$ci { dst, .. })|*
                    | $(Op::$l { dst, .. })|*
                    | Op::Copy { dst, .. }
                    | Op::Copy2 { dst, .. }
                    | Op::I32ShrUAndImm { dst, .. }
                    | Op::I32AddShlImm { dst, .. }
                    | Op::GlobalGet { dst, .. }
                    | Op::GlobalGetStack { dst }
                    | Op::GlobalGet2 { dst, .. }
                    | Op::V128Load { dst, .. }
                    | Op::MemorySize { dst }
                    | Op::MemoryGrow { dst, .. }
                    | Op::TableGet { dst, .. }
                    | Op::TableSize { dst, .. }
                    | Op::RefFunc { dst, .. }
                    | Op::V128Unary { dst, .. }
                    | Op::V128Binary { dst, .. }
                    | Op::V128Test { dst, .. }
                    | Op::V128Shift { dst, .. }
                    | Op::V128Splat { dst, .. }
                    | Op::V128Extract { dst, .. }
                    | Op::V128Replace { dst, .. }
                    | Op::V128LoadExt { dst, .. } => Some(dst),
                    _ => None,
                }
            }

            /// The branch taken exactly when this conditional branch is not, to the same
            /// target.
            pub(crate) fn negated_branch(&self) -> Option<Op> {
                Some(match *self {
                    $(Op::$cb { a, b, target } => Op::$cn { a, b, target },
                    Op::$cbi { a, imm, target } => Op::$cni { a, imm, target },)*
                    Op::JumpIfZero { c, target } => Op::JumpIfNonZero { c, target },
                    Op::JumpIfNonZero { c, target } => Op::JumpIfZero { c, target },
                    _ => return None,
                })
            }

            /// The branch target of a jump, for patching forward branches.
            pub(crate) fn target_mut(&mut self) -> Option<&mut u32> {
                match self {
                    $(Op::$cb { target, .. } | Op::$cbi { target, .. })|*
                    | Op::Jump { target }
                    | Op::JumpIfZero { target, .. }
                    | Op::JumpIfNonZero { target, .. } => Some(target),
                    _ => None,
                }
            }
        }
    };
}

for_each_numeric!(define_ops);

// Ops stay two words: the dispatch copies one per instruction.
const _: () = assert!(size_of::<Op>() == 16);

/// Cells every frame has past its locals (at least): room for the call path to zero a fixed
/// number of cells from the first local on, whatever the function's count.
pub(crate) const FRAME_PAD: u32 = 8;

/// A function lowered for execution.
#[derive(Debug, Default)]
pub(crate) struct FuncCode {
    /// The ops with their handlers (`interp::thread`); branch targets are relative.
    pub ops: Vec<Instr>,
    pub br_table: Vec<BrEntry>,
    /// `(type index, table index)` of each `call_indirect` site.
    pub indirect: Vec<(u32, u32)>,
    /// The lane indices of each `i8x16.shuffle`, as a v128 (index `i` in byte `i`).
    pub shuffles: Vec<u128>,
    /// The general memory instructions ([`Op::Mem`]).
    pub mem_sites: Vec<super::memory::MemSite>,
    /// The GC instructions ([`Op::Gc`]).
    pub gc_sites: Vec<super::gc::GcSite>,
    /// Cells of the parameters (the bottom of the frame).
    pub param_cells: u32,
    /// Cells of parameters and locals; the cells above the parameters start zeroed.
    pub local_cells: u32,
    /// Cells the frame ever uses: every slot any op names is below this.
    pub frame_cells: u32,
    /// The `try_table` bodies, innermost first, and their catch clauses: read only when an
    /// exception is thrown (see `exn.rs`).
    pub try_regions: Vec<super::TryRegion>,
    pub catch_clauses: Vec<super::CatchClause>,
    /// Where the ops came from, for backtraces: the module byte offset of the wasm instruction
    /// each op was lowered from (by op index; the final sentinel has none). Written by `emit`,
    /// read only on the trap path.
    pub offsets: Vec<u32>,
}

impl FuncCode {
    /// The module byte offset of the instruction op `pc` was lowered from.
    pub(crate) fn offset_of(&self, pc: usize) -> Option<u32> {
        self.offsets.get(pc).copied()
    }
}
