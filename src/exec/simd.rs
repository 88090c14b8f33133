//! v128 lane numerics as pure functions over the 128-bit value, and the SIMD instruction table.
//!
//! A v128 is a `u128`, lane 0 in the low bits (the little-endian byte order of memory). Lanes are
//! read and built through [`Lane`] (`i8`…`u64`, `f32`, `f64`); floats are carried as their bits,
//! so NaN payloads survive moves, `abs`, `neg` and `pmin`/`pmax`, while arithmetic produces the
//! NaNs the spec allows (as the scalar ops do; `num.rs` gives min/max/nearest and the rounding
//! helpers).
//!
//! The instructions are listed once, in [`simd_table!`]: each family (unary, binary, ternary,
//! test, shift) becomes a field-less `kind` enum (named after wasmparser's operators), the
//! out-of-line function the dispatch loop calls with that kind, and the operator → kind mapping
//! lowering uses ([`form`]). The remaining shapes (splat, lanes, shuffle, loads and stores) take
//! immediates and are mapped by hand in [`form`].
//!
//! # Relaxed SIMD
//! Each relaxed instruction may return any of a set of results; this interpreter always picks the
//! one the spec's reference interpreter picks (`interpreter/exec/eval_vec.ml` of
//! WebAssembly/spec), documented on each kind's variant: swizzle, truncation, min/max, q15mulr
//! and laneselect behave as their non-relaxed counterparts, `madd`/`nmadd` are fused
//! (single rounding), and the dot products treat both operands as signed with wrapping sums.

use wasmparser::{MemArg, Operator};

use super::num;

/// A type that can be a lane of a v128.
pub(crate) trait Lane: Copy {
    /// The lane's width in bits.
    const BITS: usize;
    /// The lane from the low `BITS` bits of `b`.
    fn from_bits(b: u64) -> Self;
    /// The lane's bits, zero-extended.
    fn to_bits(self) -> u64;
}

macro_rules! int_lane {
    ($($t:ty => $u:ty),*) => {$(
        impl Lane for $t {
            const BITS: usize = <$u>::BITS as usize;
            #[inline(always)]
            fn from_bits(b: u64) -> Self { b as $u as $t }
            #[inline(always)]
            fn to_bits(self) -> u64 { self as $u as u64 }
        }
    )*};
}
int_lane!(i8 => u8, u8 => u8, i16 => u16, u16 => u16, i32 => u32, u32 => u32, i64 => u64, u64 => u64);

impl Lane for f32 {
    const BITS: usize = 32;
    #[inline(always)]
    fn from_bits(b: u64) -> Self {
        f32::from_bits(b as u32)
    }
    #[inline(always)]
    fn to_bits(self) -> u64 {
        f32::to_bits(self) as u64
    }
}

impl Lane for f64 {
    const BITS: usize = 64;
    #[inline(always)]
    fn from_bits(b: u64) -> Self {
        f64::from_bits(b)
    }
    #[inline(always)]
    fn to_bits(self) -> u64 {
        f64::to_bits(self)
    }
}

/// Lane `i` of `v`.
#[inline(always)]
pub(crate) fn get<T: Lane>(v: u128, i: usize) -> T {
    T::from_bits((v >> (i * T::BITS)) as u64)
}

/// The v128 whose lane `i` is `f(i)`.
#[inline(always)]
fn build<T: Lane>(f: impl Fn(usize) -> T) -> u128 {
    (0..128 / T::BITS).fold(0, |r, i| r | (f(i).to_bits() as u128) << (i * T::BITS))
}

#[inline(always)]
fn map<T: Lane>(a: u128, f: impl Fn(T) -> T) -> u128 {
    build(|i| f(get::<T>(a, i)))
}

#[inline(always)]
fn zip<T: Lane>(a: u128, b: u128, f: impl Fn(T, T) -> T) -> u128 {
    build(|i| f(get::<T>(a, i), get::<T>(b, i)))
}

/// A comparison: each lane all ones where `f` holds, else zero.
#[inline(always)]
fn cmp<T: Lane>(a: u128, b: u128, f: impl Fn(T, T) -> bool) -> u128 {
    let ones = u64::MAX >> (64 - T::BITS);
    (0..128 / T::BITS).fold(0, |r, i| {
        let m = if f(get::<T>(a, i), get::<T>(b, i)) {
            ones
        } else {
            0
        };
        r | (m as u128) << (i * T::BITS)
    })
}

/// Narrowing: the wide lanes of `a`, then those of `b`, each converted by `f`.
#[inline(always)]
fn narrow<W: Lane, N: Lane>(a: u128, b: u128, f: impl Fn(W) -> N) -> u128 {
    let n = 128 / W::BITS;
    build(|i| {
        if i < n {
            f(get::<W>(a, i))
        } else {
            f(get::<W>(b, i - n))
        }
    })
}

/// Widening: the low (or high) half of `a`'s narrow lanes, each converted by `f`.
#[inline(always)]
fn extend<N: Lane, W: Lane>(a: u128, high: bool, f: impl Fn(N) -> W) -> u128 {
    let off = if high { 128 / W::BITS } else { 0 };
    build(|i| f(get::<N>(a, i + off)))
}

/// Widening multiplication of the low (or high) halves.
#[inline(always)]
fn extmul<N: Lane, W: Lane>(a: u128, b: u128, high: bool, f: impl Fn(N, N) -> W) -> u128 {
    let off = if high { 128 / W::BITS } else { 0 };
    build(|i| f(get::<N>(a, i + off), get::<N>(b, i + off)))
}

/// Adjacent narrow lanes combined into one wide lane.
#[inline(always)]
fn pairwise<N: Lane, W: Lane>(a: u128, f: impl Fn(N, N) -> W) -> u128 {
    build(|i| f(get::<N>(a, 2 * i), get::<N>(a, 2 * i + 1)))
}

/// `f` of the two low lanes of an f64x2 / i32x4 source, the upper lanes zero.
#[inline(always)]
fn low2<S: Lane, T: Lane + Default>(a: u128, f: impl Fn(S) -> T) -> u128 {
    build(|i| {
        if i < 2 {
            f(get::<S>(a, i))
        } else {
            T::default()
        }
    })
}

/// `i16x8.q15mulr_sat_s`: `(a * b + 2^14) >> 15`, saturated (only `-1 * -1` in Q15 overflows).
pub(crate) fn q15mulr_sat(a: i16, b: i16) -> i16 {
    let p = (a as i32 * b as i32 + 0x4000) >> 15;
    p.clamp(i16::MIN as i32, i16::MAX as i32) as i16
}

/// `i32x4.dot_i16x8_s`: sums of adjacent signed products, wrapping (only `2 * (-2^15)^2`
/// overflows).
fn dot_i16x8(a: u128, b: u128) -> u128 {
    build(|i| {
        let p = |j: usize| get::<i16>(a, j) as i32 * get::<i16>(b, j) as i32;
        p(2 * i).wrapping_add(p(2 * i + 1))
    })
}

/// `i16x8.relaxed_dot_i8x16_i7x16_s` as the reference interpreter computes it: both operands
/// signed, adjacent products summed with i16 wrapping.
fn relaxed_dot_i8x16(a: u128, b: u128) -> u128 {
    build(|i| {
        let p = |j: usize| get::<i8>(a, j) as i16 * get::<i8>(b, j) as i16;
        p(2 * i).wrapping_add(p(2 * i + 1))
    })
}

/// `i32x4.relaxed_dot_i8x16_i7x16_add_s` as the reference interpreter computes it: both
/// operands signed, four adjacent products summed in i32, plus `c`'s lane (wrapping).
fn relaxed_dot_add(a: u128, b: u128, c: u128) -> u128 {
    build(|i| {
        let sum: i32 = (4 * i..4 * i + 4)
            .map(|j| get::<i8>(a, j) as i32 * get::<i8>(b, j) as i32)
            .sum();
        sum.wrapping_add(get::<i32>(c, i))
    })
}

/// `i8x16.swizzle`: lane `i` is `a`'s lane `b[i]`, or 0 where `b[i] >= 16`.
pub(crate) fn swizzle(a: u128, b: u128) -> u128 {
    build(|i| {
        let j = get::<u8>(b, i) as usize;
        if j < 16 { get::<u8>(a, j) } else { 0 }
    })
}

/// `i8x16.shuffle`: lane `i` is lane `lanes[i]` (byte `i` of `lanes`) of the 32 lanes of `a`
/// then `b` (validated < 32).
#[inline(never)]
pub(crate) fn shuffle(a: u128, b: u128, lanes: u128) -> u128 {
    build(|i| {
        let j = get::<u8>(lanes, i) as usize & 31;
        if j < 16 {
            get::<u8>(a, j)
        } else {
            get::<u8>(b, j - 16)
        }
    })
}

/// `v128.bitselect`: bits of `a` where `c` is 1, of `b` where it is 0.
pub(crate) fn bitselect(a: u128, b: u128, c: u128) -> u128 {
    (a & c) | (b & !c)
}

/// The most significant bit of each lane, lane 0 in bit 0.
fn bitmask<T: Lane>(a: u128) -> u32 {
    (0..128 / T::BITS).fold(0, |r, i| {
        r | ((get::<T>(a, i).to_bits() >> (T::BITS - 1)) as u32 & 1) << i
    })
}

fn all_true<T: Lane>(a: u128) -> u32 {
    (0..128 / T::BITS).all(|i| get::<T>(a, i).to_bits() != 0) as u32
}

/// `pmin`: `b < a ? b : a` (pseudo-minimum; NaNs and zeros pass through unchanged).
fn pmin<T: Lane + PartialOrd>(a: T, b: T) -> T {
    if b < a { b } else { a }
}

/// `pmax`: `a < b ? b : a`.
fn pmax<T: Lane + PartialOrd>(a: T, b: T) -> T {
    if a < b { b } else { a }
}

const F32_SIGN: u32 = 1 << 31;
const F64_SIGN: u64 = 1 << 63;

/// Defines the kind enums of the SIMD op families, their out-of-line evaluation functions and
/// the operator → kind mapping, from one table. Each entry: (doc attributes) `(Variant, fn)`,
/// the variant named after wasmparser's operator, `fn` a non-capturing closure.
macro_rules! simd_table {
    (
        unary: [$($(#[$ud:meta])* ($u:ident, $ue:expr))*]
        binary: [$($(#[$bd:meta])* ($b:ident, $be:expr))*]
        ternary: [$($(#[$td:meta])* ($t:ident, $te:expr))*]
        test: [$($(#[$xd:meta])* ($x:ident, $xe:expr))*]
        shift: [$($(#[$sd:meta])* ($s:ident, $se:expr))*]
    ) => {
        /// v128 → v128.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        pub(crate) enum SimdUnary { $($(#[$ud])* $u,)* }
        /// v128 × v128 → v128.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        pub(crate) enum SimdBinary { $($(#[$bd])* $b,)* }
        /// v128 × v128 × v128 → v128.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        pub(crate) enum SimdTernary { $($(#[$td])* $t,)* }
        /// v128 → i32.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        pub(crate) enum SimdTest { $($(#[$xd])* $x,)* }
        /// v128 × i32 → v128 (the count taken modulo the lane width).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        pub(crate) enum SimdShift { $($(#[$sd])* $s,)* }

        #[inline(never)]
        pub(crate) fn unary(kind: SimdUnary, a: u128) -> u128 {
            match kind {
                $(SimdUnary::$u => {
                    let f: fn(u128) -> u128 = $ue;
                    f(a)
                })*
            }
        }

        #[inline(never)]
        pub(crate) fn binary(kind: SimdBinary, a: u128, b: u128) -> u128 {
            match kind {
                $(SimdBinary::$b => {
                    let f: fn(u128, u128) -> u128 = $be;
                    f(a, b)
                })*
            }
        }

        #[inline(never)]
        pub(crate) fn ternary(kind: SimdTernary, a: u128, b: u128, c: u128) -> u128 {
            match kind {
                $(SimdTernary::$t => {
                    let f: fn(u128, u128, u128) -> u128 = $te;
                    f(a, b, c)
                })*
            }
        }

        #[inline(never)]
        pub(crate) fn test(kind: SimdTest, a: u128) -> u32 {
            match kind {
                $(SimdTest::$x => {
                    let f: fn(u128) -> u32 = $xe;
                    f(a)
                })*
            }
        }

        #[inline(never)]
        pub(crate) fn shift(kind: SimdShift, a: u128, n: u32) -> u128 {
            match kind {
                $(SimdShift::$s => {
                    let f: fn(u128, u32) -> u128 = $se;
                    f(a, n)
                })*
            }
        }

        /// The family and kind of a table operator.
        fn table_form(op: &Operator<'_>) -> Option<SimdForm<'static>> {
            Some(match op {
                $(Operator::$u => SimdForm::Unary(SimdUnary::$u),)*
                $(Operator::$b => SimdForm::Binary(SimdBinary::$b),)*
                $(Operator::$t => SimdForm::Ternary(SimdTernary::$t),)*
                $(Operator::$x => SimdForm::Test(SimdTest::$x),)*
                $(Operator::$s => SimdForm::Shift(SimdShift::$s),)*
                _ => return None,
            })
        }
    };
}

simd_table! {
    unary: [
        (V128Not, |a| !a)
        (I8x16Abs, |a| map::<i8>(a, i8::wrapping_abs))
        (I8x16Neg, |a| map::<i8>(a, i8::wrapping_neg))
        (I8x16Popcnt, |a| map::<u8>(a, |x| x.count_ones() as u8))
        (I16x8Abs, |a| map::<i16>(a, i16::wrapping_abs))
        (I16x8Neg, |a| map::<i16>(a, i16::wrapping_neg))
        (I32x4Abs, |a| map::<i32>(a, i32::wrapping_abs))
        (I32x4Neg, |a| map::<i32>(a, i32::wrapping_neg))
        (I64x2Abs, |a| map::<i64>(a, i64::wrapping_abs))
        (I64x2Neg, |a| map::<i64>(a, i64::wrapping_neg))
        (F32x4Abs, |a| map::<u32>(a, |x| x & !F32_SIGN))
        (F32x4Neg, |a| map::<u32>(a, |x| x ^ F32_SIGN))
        (F32x4Sqrt, |a| map::<f32>(a, f32::sqrt))
        (F32x4Ceil, |a| map::<f32>(a, |x| num::f32_round(x, f32::ceil)))
        (F32x4Floor, |a| map::<f32>(a, |x| num::f32_round(x, f32::floor)))
        (F32x4Trunc, |a| map::<f32>(a, |x| num::f32_round(x, f32::trunc)))
        (F32x4Nearest, |a| map::<f32>(a, num::f32_nearest))
        (F64x2Abs, |a| map::<u64>(a, |x| x & !F64_SIGN))
        (F64x2Neg, |a| map::<u64>(a, |x| x ^ F64_SIGN))
        (F64x2Sqrt, |a| map::<f64>(a, f64::sqrt))
        (F64x2Ceil, |a| map::<f64>(a, |x| num::f64_round(x, f64::ceil)))
        (F64x2Floor, |a| map::<f64>(a, |x| num::f64_round(x, f64::floor)))
        (F64x2Trunc, |a| map::<f64>(a, |x| num::f64_round(x, f64::trunc)))
        (F64x2Nearest, |a| map::<f64>(a, num::f64_nearest))
        (I16x8ExtendLowI8x16S, |a| extend::<i8, i16>(a, false, |x| x as i16))
        (I16x8ExtendHighI8x16S, |a| extend::<i8, i16>(a, true, |x| x as i16))
        (I16x8ExtendLowI8x16U, |a| extend::<u8, u16>(a, false, |x| x as u16))
        (I16x8ExtendHighI8x16U, |a| extend::<u8, u16>(a, true, |x| x as u16))
        (I32x4ExtendLowI16x8S, |a| extend::<i16, i32>(a, false, |x| x as i32))
        (I32x4ExtendHighI16x8S, |a| extend::<i16, i32>(a, true, |x| x as i32))
        (I32x4ExtendLowI16x8U, |a| extend::<u16, u32>(a, false, |x| x as u32))
        (I32x4ExtendHighI16x8U, |a| extend::<u16, u32>(a, true, |x| x as u32))
        (I64x2ExtendLowI32x4S, |a| extend::<i32, i64>(a, false, |x| x as i64))
        (I64x2ExtendHighI32x4S, |a| extend::<i32, i64>(a, true, |x| x as i64))
        (I64x2ExtendLowI32x4U, |a| extend::<u32, u64>(a, false, |x| x as u64))
        (I64x2ExtendHighI32x4U, |a| extend::<u32, u64>(a, true, |x| x as u64))
        (I16x8ExtAddPairwiseI8x16S, |a| pairwise::<i8, i16>(a, |x, y| x as i16 + y as i16))
        (I16x8ExtAddPairwiseI8x16U, |a| pairwise::<u8, u16>(a, |x, y| x as u16 + y as u16))
        (I32x4ExtAddPairwiseI16x8S, |a| pairwise::<i16, i32>(a, |x, y| x as i32 + y as i32))
        (I32x4ExtAddPairwiseI16x8U, |a| pairwise::<u16, u32>(a, |x, y| x as u32 + y as u32))
        // Rust's float → int `as` saturates and maps NaN to 0: the spec's `trunc_sat`.
        (I32x4TruncSatF32x4S, |a| build::<i32>(|i| get::<f32>(a, i) as i32))
        (I32x4TruncSatF32x4U, |a| build::<u32>(|i| get::<f32>(a, i) as u32))
        (I32x4TruncSatF64x2SZero, |a| low2::<f64, i32>(a, |x| x as i32))
        (I32x4TruncSatF64x2UZero, |a| low2::<f64, u32>(a, |x| x as u32))
        (F32x4ConvertI32x4S, |a| build::<f32>(|i| get::<i32>(a, i) as f32))
        (F32x4ConvertI32x4U, |a| build::<f32>(|i| get::<u32>(a, i) as f32))
        (F64x2ConvertLowI32x4S, |a| build::<f64>(|i| get::<i32>(a, i) as f64))
        (F64x2ConvertLowI32x4U, |a| build::<f64>(|i| get::<u32>(a, i) as f64))
        (F32x4DemoteF64x2Zero, |a| low2::<f64, f32>(a, |x| x as f32))
        (F64x2PromoteLowF32x4, |a| build::<f64>(|i| get::<f32>(a, i) as f64))
        /// Relaxed: as `i32x4.trunc_sat_f32x4_s` (NaN → 0, saturating), the reference's choice.
        (I32x4RelaxedTruncF32x4S, |a| build::<i32>(|i| get::<f32>(a, i) as i32))
        /// Relaxed: as `i32x4.trunc_sat_f32x4_u`.
        (I32x4RelaxedTruncF32x4U, |a| build::<u32>(|i| get::<f32>(a, i) as u32))
        /// Relaxed: as `i32x4.trunc_sat_f64x2_s_zero`.
        (I32x4RelaxedTruncF64x2SZero, |a| low2::<f64, i32>(a, |x| x as i32))
        /// Relaxed: as `i32x4.trunc_sat_f64x2_u_zero`.
        (I32x4RelaxedTruncF64x2UZero, |a| low2::<f64, u32>(a, |x| x as u32))
    ]
    binary: [
        (V128And, |a, b| a & b)
        (V128AndNot, |a, b| a & !b)
        (V128Or, |a, b| a | b)
        (V128Xor, |a, b| a ^ b)
        (I8x16Swizzle, swizzle)
        /// Relaxed: as `i8x16.swizzle` (an index >= 16 selects 0), the reference's choice.
        (I8x16RelaxedSwizzle, swizzle)
        (I8x16Eq, |a, b| cmp::<u8>(a, b, |x, y| x == y))
        (I8x16Ne, |a, b| cmp::<u8>(a, b, |x, y| x != y))
        (I8x16LtS, |a, b| cmp::<i8>(a, b, |x, y| x < y))
        (I8x16LtU, |a, b| cmp::<u8>(a, b, |x, y| x < y))
        (I8x16GtS, |a, b| cmp::<i8>(a, b, |x, y| x > y))
        (I8x16GtU, |a, b| cmp::<u8>(a, b, |x, y| x > y))
        (I8x16LeS, |a, b| cmp::<i8>(a, b, |x, y| x <= y))
        (I8x16LeU, |a, b| cmp::<u8>(a, b, |x, y| x <= y))
        (I8x16GeS, |a, b| cmp::<i8>(a, b, |x, y| x >= y))
        (I8x16GeU, |a, b| cmp::<u8>(a, b, |x, y| x >= y))
        (I16x8Eq, |a, b| cmp::<u16>(a, b, |x, y| x == y))
        (I16x8Ne, |a, b| cmp::<u16>(a, b, |x, y| x != y))
        (I16x8LtS, |a, b| cmp::<i16>(a, b, |x, y| x < y))
        (I16x8LtU, |a, b| cmp::<u16>(a, b, |x, y| x < y))
        (I16x8GtS, |a, b| cmp::<i16>(a, b, |x, y| x > y))
        (I16x8GtU, |a, b| cmp::<u16>(a, b, |x, y| x > y))
        (I16x8LeS, |a, b| cmp::<i16>(a, b, |x, y| x <= y))
        (I16x8LeU, |a, b| cmp::<u16>(a, b, |x, y| x <= y))
        (I16x8GeS, |a, b| cmp::<i16>(a, b, |x, y| x >= y))
        (I16x8GeU, |a, b| cmp::<u16>(a, b, |x, y| x >= y))
        (I32x4Eq, |a, b| cmp::<u32>(a, b, |x, y| x == y))
        (I32x4Ne, |a, b| cmp::<u32>(a, b, |x, y| x != y))
        (I32x4LtS, |a, b| cmp::<i32>(a, b, |x, y| x < y))
        (I32x4LtU, |a, b| cmp::<u32>(a, b, |x, y| x < y))
        (I32x4GtS, |a, b| cmp::<i32>(a, b, |x, y| x > y))
        (I32x4GtU, |a, b| cmp::<u32>(a, b, |x, y| x > y))
        (I32x4LeS, |a, b| cmp::<i32>(a, b, |x, y| x <= y))
        (I32x4LeU, |a, b| cmp::<u32>(a, b, |x, y| x <= y))
        (I32x4GeS, |a, b| cmp::<i32>(a, b, |x, y| x >= y))
        (I32x4GeU, |a, b| cmp::<u32>(a, b, |x, y| x >= y))
        (I64x2Eq, |a, b| cmp::<u64>(a, b, |x, y| x == y))
        (I64x2Ne, |a, b| cmp::<u64>(a, b, |x, y| x != y))
        (I64x2LtS, |a, b| cmp::<i64>(a, b, |x, y| x < y))
        (I64x2GtS, |a, b| cmp::<i64>(a, b, |x, y| x > y))
        (I64x2LeS, |a, b| cmp::<i64>(a, b, |x, y| x <= y))
        (I64x2GeS, |a, b| cmp::<i64>(a, b, |x, y| x >= y))
        (F32x4Eq, |a, b| cmp::<f32>(a, b, |x, y| x == y))
        (F32x4Ne, |a, b| cmp::<f32>(a, b, |x, y| x != y))
        (F32x4Lt, |a, b| cmp::<f32>(a, b, |x, y| x < y))
        (F32x4Gt, |a, b| cmp::<f32>(a, b, |x, y| x > y))
        (F32x4Le, |a, b| cmp::<f32>(a, b, |x, y| x <= y))
        (F32x4Ge, |a, b| cmp::<f32>(a, b, |x, y| x >= y))
        (F64x2Eq, |a, b| cmp::<f64>(a, b, |x, y| x == y))
        (F64x2Ne, |a, b| cmp::<f64>(a, b, |x, y| x != y))
        (F64x2Lt, |a, b| cmp::<f64>(a, b, |x, y| x < y))
        (F64x2Gt, |a, b| cmp::<f64>(a, b, |x, y| x > y))
        (F64x2Le, |a, b| cmp::<f64>(a, b, |x, y| x <= y))
        (F64x2Ge, |a, b| cmp::<f64>(a, b, |x, y| x >= y))
        (I8x16NarrowI16x8S, |a, b| narrow::<i16, i8>(a, b, |x| x.clamp(-128, 127) as i8))
        (I8x16NarrowI16x8U, |a, b| narrow::<i16, u8>(a, b, |x| x.clamp(0, 255) as u8))
        (I16x8NarrowI32x4S, |a, b| narrow::<i32, i16>(a, b, |x| x.clamp(-32768, 32767) as i16))
        (I16x8NarrowI32x4U, |a, b| narrow::<i32, u16>(a, b, |x| x.clamp(0, 65535) as u16))
        (I8x16Add, |a, b| zip::<u8>(a, b, u8::wrapping_add))
        (I8x16AddSatS, |a, b| zip::<i8>(a, b, i8::saturating_add))
        (I8x16AddSatU, |a, b| zip::<u8>(a, b, u8::saturating_add))
        (I8x16Sub, |a, b| zip::<u8>(a, b, u8::wrapping_sub))
        (I8x16SubSatS, |a, b| zip::<i8>(a, b, i8::saturating_sub))
        (I8x16SubSatU, |a, b| zip::<u8>(a, b, u8::saturating_sub))
        (I8x16MinS, |a, b| zip::<i8>(a, b, Ord::min))
        (I8x16MinU, |a, b| zip::<u8>(a, b, Ord::min))
        (I8x16MaxS, |a, b| zip::<i8>(a, b, Ord::max))
        (I8x16MaxU, |a, b| zip::<u8>(a, b, Ord::max))
        (I8x16AvgrU, |a, b| zip::<u8>(a, b, |x, y| ((x as u16 + y as u16 + 1) >> 1) as u8))
        (I16x8Add, |a, b| zip::<u16>(a, b, u16::wrapping_add))
        (I16x8AddSatS, |a, b| zip::<i16>(a, b, i16::saturating_add))
        (I16x8AddSatU, |a, b| zip::<u16>(a, b, u16::saturating_add))
        (I16x8Sub, |a, b| zip::<u16>(a, b, u16::wrapping_sub))
        (I16x8SubSatS, |a, b| zip::<i16>(a, b, i16::saturating_sub))
        (I16x8SubSatU, |a, b| zip::<u16>(a, b, u16::saturating_sub))
        (I16x8Mul, |a, b| zip::<u16>(a, b, u16::wrapping_mul))
        (I16x8MinS, |a, b| zip::<i16>(a, b, Ord::min))
        (I16x8MinU, |a, b| zip::<u16>(a, b, Ord::min))
        (I16x8MaxS, |a, b| zip::<i16>(a, b, Ord::max))
        (I16x8MaxU, |a, b| zip::<u16>(a, b, Ord::max))
        (I16x8AvgrU, |a, b| zip::<u16>(a, b, |x, y| ((x as u32 + y as u32 + 1) >> 1) as u16))
        (I16x8Q15MulrSatS, |a, b| zip::<i16>(a, b, q15mulr_sat))
        /// Relaxed: as `i16x8.q15mulr_sat_s` (saturating), the reference's choice.
        (I16x8RelaxedQ15mulrS, |a, b| zip::<i16>(a, b, q15mulr_sat))
        (I16x8ExtMulLowI8x16S, |a, b| extmul::<i8, i16>(a, b, false, |x, y| x as i16 * y as i16))
        (I16x8ExtMulHighI8x16S, |a, b| extmul::<i8, i16>(a, b, true, |x, y| x as i16 * y as i16))
        (I16x8ExtMulLowI8x16U, |a, b| extmul::<u8, u16>(a, b, false, |x, y| x as u16 * y as u16))
        (I16x8ExtMulHighI8x16U, |a, b| extmul::<u8, u16>(a, b, true, |x, y| x as u16 * y as u16))
        /// Relaxed: both operands signed, adjacent products summed with i16 wrapping (the
        /// reference interpreter's `dot_s`).
        (I16x8RelaxedDotI8x16I7x16S, relaxed_dot_i8x16)
        (I32x4Add, |a, b| zip::<u32>(a, b, u32::wrapping_add))
        (I32x4Sub, |a, b| zip::<u32>(a, b, u32::wrapping_sub))
        (I32x4Mul, |a, b| zip::<u32>(a, b, u32::wrapping_mul))
        (I32x4MinS, |a, b| zip::<i32>(a, b, Ord::min))
        (I32x4MinU, |a, b| zip::<u32>(a, b, Ord::min))
        (I32x4MaxS, |a, b| zip::<i32>(a, b, Ord::max))
        (I32x4MaxU, |a, b| zip::<u32>(a, b, Ord::max))
        (I32x4DotI16x8S, dot_i16x8)
        (I32x4ExtMulLowI16x8S, |a, b| extmul::<i16, i32>(a, b, false, |x, y| x as i32 * y as i32))
        (I32x4ExtMulHighI16x8S, |a, b| extmul::<i16, i32>(a, b, true, |x, y| x as i32 * y as i32))
        (I32x4ExtMulLowI16x8U, |a, b| extmul::<u16, u32>(a, b, false, |x, y| x as u32 * y as u32))
        (I32x4ExtMulHighI16x8U, |a, b| extmul::<u16, u32>(a, b, true, |x, y| x as u32 * y as u32))
        (I64x2Add, |a, b| zip::<u64>(a, b, u64::wrapping_add))
        (I64x2Sub, |a, b| zip::<u64>(a, b, u64::wrapping_sub))
        (I64x2Mul, |a, b| zip::<u64>(a, b, u64::wrapping_mul))
        (I64x2ExtMulLowI32x4S, |a, b| extmul::<i32, i64>(a, b, false, |x, y| x as i64 * y as i64))
        (I64x2ExtMulHighI32x4S, |a, b| extmul::<i32, i64>(a, b, true, |x, y| x as i64 * y as i64))
        (I64x2ExtMulLowI32x4U, |a, b| extmul::<u32, u64>(a, b, false, |x, y| x as u64 * y as u64))
        (I64x2ExtMulHighI32x4U, |a, b| extmul::<u32, u64>(a, b, true, |x, y| x as u64 * y as u64))
        (F32x4Add, |a, b| zip::<f32>(a, b, |x, y| x + y))
        (F32x4Sub, |a, b| zip::<f32>(a, b, |x, y| x - y))
        (F32x4Mul, |a, b| zip::<f32>(a, b, |x, y| x * y))
        (F32x4Div, |a, b| zip::<f32>(a, b, |x, y| x / y))
        (F32x4Min, |a, b| zip::<f32>(a, b, num::f32_min))
        (F32x4Max, |a, b| zip::<f32>(a, b, num::f32_max))
        (F32x4PMin, |a, b| zip::<f32>(a, b, pmin))
        (F32x4PMax, |a, b| zip::<f32>(a, b, pmax))
        /// Relaxed: as `f32x4.min` (NaN-propagating, -0 < +0), the reference's choice.
        (F32x4RelaxedMin, |a, b| zip::<f32>(a, b, num::f32_min))
        /// Relaxed: as `f32x4.max`.
        (F32x4RelaxedMax, |a, b| zip::<f32>(a, b, num::f32_max))
        (F64x2Add, |a, b| zip::<f64>(a, b, |x, y| x + y))
        (F64x2Sub, |a, b| zip::<f64>(a, b, |x, y| x - y))
        (F64x2Mul, |a, b| zip::<f64>(a, b, |x, y| x * y))
        (F64x2Div, |a, b| zip::<f64>(a, b, |x, y| x / y))
        (F64x2Min, |a, b| zip::<f64>(a, b, num::f64_min))
        (F64x2Max, |a, b| zip::<f64>(a, b, num::f64_max))
        (F64x2PMin, |a, b| zip::<f64>(a, b, pmin))
        (F64x2PMax, |a, b| zip::<f64>(a, b, pmax))
        /// Relaxed: as `f64x2.min`.
        (F64x2RelaxedMin, |a, b| zip::<f64>(a, b, num::f64_min))
        /// Relaxed: as `f64x2.max`.
        (F64x2RelaxedMax, |a, b| zip::<f64>(a, b, num::f64_max))
    ]
    ternary: [
        (V128Bitselect, bitselect)
        /// Relaxed: fused `a * b + c` (one rounding), the reference's choice.
        (F32x4RelaxedMadd, |a, b, c| build::<f32>(|i| get::<f32>(a, i).mul_add(get(b, i), get(c, i))))
        /// Relaxed: fused `-a * b + c`.
        (F32x4RelaxedNmadd, |a, b, c| build::<f32>(|i| (-get::<f32>(a, i)).mul_add(get(b, i), get(c, i))))
        /// Relaxed: fused `a * b + c`.
        (F64x2RelaxedMadd, |a, b, c| build::<f64>(|i| get::<f64>(a, i).mul_add(get(b, i), get(c, i))))
        /// Relaxed: fused `-a * b + c`.
        (F64x2RelaxedNmadd, |a, b, c| build::<f64>(|i| (-get::<f64>(a, i)).mul_add(get(b, i), get(c, i))))
        /// Relaxed: as `v128.bitselect` (bit by bit, whatever the mask lanes hold), the
        /// reference's choice; so are the other laneselects.
        (I8x16RelaxedLaneselect, bitselect)
        (I16x8RelaxedLaneselect, bitselect)
        (I32x4RelaxedLaneselect, bitselect)
        (I64x2RelaxedLaneselect, bitselect)
        /// Relaxed: both operands signed, four adjacent products summed in i32, plus `c`
        /// (wrapping), the reference interpreter's `dot_add_s`.
        (I32x4RelaxedDotI8x16I7x16AddS, relaxed_dot_add)
    ]
    test: [
        (V128AnyTrue, |a| (a != 0) as u32)
        (I8x16AllTrue, all_true::<u8>)
        (I16x8AllTrue, all_true::<u16>)
        (I32x4AllTrue, all_true::<u32>)
        (I64x2AllTrue, all_true::<u64>)
        (I8x16Bitmask, bitmask::<u8>)
        (I16x8Bitmask, bitmask::<u16>)
        (I32x4Bitmask, bitmask::<u32>)
        (I64x2Bitmask, bitmask::<u64>)
    ]
    shift: [
        (I8x16Shl, |a, n| map::<u8>(a, |x| x.wrapping_shl(n)))
        (I8x16ShrS, |a, n| map::<i8>(a, |x| x.wrapping_shr(n)))
        (I8x16ShrU, |a, n| map::<u8>(a, |x| x.wrapping_shr(n)))
        (I16x8Shl, |a, n| map::<u16>(a, |x| x.wrapping_shl(n)))
        (I16x8ShrS, |a, n| map::<i16>(a, |x| x.wrapping_shr(n)))
        (I16x8ShrU, |a, n| map::<u16>(a, |x| x.wrapping_shr(n)))
        (I32x4Shl, |a, n| map::<u32>(a, |x| x.wrapping_shl(n)))
        (I32x4ShrS, |a, n| map::<i32>(a, |x| x.wrapping_shr(n)))
        (I32x4ShrU, |a, n| map::<u32>(a, |x| x.wrapping_shr(n)))
        (I64x2Shl, |a, n| map::<u64>(a, |x| x.wrapping_shl(n)))
        (I64x2ShrS, |a, n| map::<i64>(a, |x| x.wrapping_shr(n)))
        (I64x2ShrU, |a, n| map::<u64>(a, |x| x.wrapping_shr(n)))
    ]
}

/// A lane width: of `splat`, `replace_lane` and the lane loads and stores (float lanes are
/// their bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum LaneWidth {
    W8,
    W16,
    W32,
    W64,
}

impl LaneWidth {
    /// Bytes of one lane.
    pub(crate) fn bytes(self) -> usize {
        1 << self as usize
    }

    fn bits(self) -> usize {
        8 * self.bytes()
    }
}

/// `splat`: every lane is the low `w` bits of `x`.
pub(crate) fn splat(w: LaneWidth, x: u64) -> u128 {
    let bits = w.bits();
    let x = (x as u128) & (u128::MAX >> (128 - bits));
    (0..128 / bits).fold(0, |r, i| r | x << (i * bits))
}

/// `v` with lane `lane` of width `w` replaced by the low bits of `x`.
pub(crate) fn replace_lane(w: LaneWidth, v: u128, lane: u8, x: u64) -> u128 {
    let bits = w.bits();
    let at = (lane as usize % (128 / bits)) * bits;
    let mask = (u128::MAX >> (128 - bits)) << at;
    (v & !mask) | ((x as u128) << at & mask)
}

/// Lane `lane` of width `w` of `v`, zero-extended.
pub(crate) fn lane_bits(w: LaneWidth, v: u128, lane: u8) -> u64 {
    let bits = w.bits();
    let at = (lane as usize % (128 / bits)) * bits;
    ((v >> at) as u64) & (u64::MAX >> (64 - bits))
}

/// How `extract_lane` widens its lane into a cell: integers zero-extended to their type's
/// width (so `i8`/`i16` lanes sign- or zero-extended to 32 bits), floats as bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum SimdExtract {
    I8S,
    I8U,
    I16S,
    I16U,
    /// i32 and f32 lanes.
    W32,
    /// i64 and f64 lanes.
    W64,
}

/// `extract_lane` into a cell.
pub(crate) fn extract(kind: SimdExtract, v: u128, lane: u8) -> u64 {
    let l = lane as usize;
    match kind {
        SimdExtract::I8S => get::<i8>(v, l % 16) as i32 as u32 as u64,
        SimdExtract::I8U => get::<u8>(v, l % 16) as u64,
        SimdExtract::I16S => get::<i16>(v, l % 8) as i32 as u32 as u64,
        SimdExtract::I16U => get::<u16>(v, l % 8) as u64,
        SimdExtract::W32 => get::<u32>(v, l % 4) as u64,
        SimdExtract::W64 => get::<u64>(v, l % 2),
    }
}

/// The loads that read fewer than 16 bytes and widen them to a v128.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum SimdLoad {
    Load8x8S,
    Load8x8U,
    Load16x4S,
    Load16x4U,
    Load32x2S,
    Load32x2U,
    Load8Splat,
    Load16Splat,
    Load32Splat,
    Load64Splat,
    Load32Zero,
    Load64Zero,
}

impl SimdLoad {
    /// Bytes read from memory.
    pub(crate) fn bytes(self) -> usize {
        match self {
            SimdLoad::Load8Splat => 1,
            SimdLoad::Load16Splat => 2,
            SimdLoad::Load32Splat | SimdLoad::Load32Zero => 4,
            _ => 8,
        }
    }
}

/// The v128 a load computes from the bytes it read (little-endian in `x`, zero above them).
pub(crate) fn load(kind: SimdLoad, x: u64) -> u128 {
    let v = x as u128;
    match kind {
        SimdLoad::Load8x8S => extend::<i8, i16>(v, false, |x| x as i16),
        SimdLoad::Load8x8U => extend::<u8, u16>(v, false, |x| x as u16),
        SimdLoad::Load16x4S => extend::<i16, i32>(v, false, |x| x as i32),
        SimdLoad::Load16x4U => extend::<u16, u32>(v, false, |x| x as u32),
        SimdLoad::Load32x2S => extend::<i32, i64>(v, false, |x| x as i64),
        SimdLoad::Load32x2U => extend::<u32, u64>(v, false, |x| x as u64),
        SimdLoad::Load8Splat => splat(LaneWidth::W8, x),
        SimdLoad::Load16Splat => splat(LaneWidth::W16, x),
        SimdLoad::Load32Splat => splat(LaneWidth::W32, x),
        SimdLoad::Load64Splat => splat(LaneWidth::W64, x),
        SimdLoad::Load32Zero | SimdLoad::Load64Zero => v,
    }
}

/// How lowering handles a SIMD operator (other than `v128.const`, `v128.load` and
/// `v128.store`, which lowering handles with the scalar moves).
#[derive(Clone, Copy, Debug)]
pub(crate) enum SimdForm<'o> {
    Unary(SimdUnary),
    Binary(SimdBinary),
    Ternary(SimdTernary),
    Test(SimdTest),
    Shift(SimdShift),
    Splat(LaneWidth),
    Extract(SimdExtract, u8),
    Replace(LaneWidth, u8),
    Shuffle([u8; 16]),
    Load(SimdLoad, &'o MemArg),
    LoadLane(LaneWidth, u8, &'o MemArg),
    StoreLane(LaneWidth, u8, &'o MemArg),
}

/// The form of SIMD operator `op`, if it is one.
pub(crate) fn form<'o>(op: &'o Operator<'_>) -> Option<SimdForm<'o>> {
    use LaneWidth::*;
    use Operator as O;
    use SimdForm as F;
    if let Some(f) = table_form(op) {
        return Some(f);
    }
    Some(match op {
        O::I8x16Splat => F::Splat(W8),
        O::I16x8Splat => F::Splat(W16),
        O::I32x4Splat | O::F32x4Splat => F::Splat(W32),
        O::I64x2Splat | O::F64x2Splat => F::Splat(W64),
        O::I8x16ExtractLaneS { lane } => F::Extract(SimdExtract::I8S, *lane),
        O::I8x16ExtractLaneU { lane } => F::Extract(SimdExtract::I8U, *lane),
        O::I16x8ExtractLaneS { lane } => F::Extract(SimdExtract::I16S, *lane),
        O::I16x8ExtractLaneU { lane } => F::Extract(SimdExtract::I16U, *lane),
        O::I32x4ExtractLane { lane } | O::F32x4ExtractLane { lane } => {
            F::Extract(SimdExtract::W32, *lane)
        }
        O::I64x2ExtractLane { lane } | O::F64x2ExtractLane { lane } => {
            F::Extract(SimdExtract::W64, *lane)
        }
        O::I8x16ReplaceLane { lane } => F::Replace(W8, *lane),
        O::I16x8ReplaceLane { lane } => F::Replace(W16, *lane),
        O::I32x4ReplaceLane { lane } | O::F32x4ReplaceLane { lane } => F::Replace(W32, *lane),
        O::I64x2ReplaceLane { lane } | O::F64x2ReplaceLane { lane } => F::Replace(W64, *lane),
        O::I8x16Shuffle { lanes } => F::Shuffle(*lanes),
        O::V128Load8x8S { memarg } => F::Load(SimdLoad::Load8x8S, memarg),
        O::V128Load8x8U { memarg } => F::Load(SimdLoad::Load8x8U, memarg),
        O::V128Load16x4S { memarg } => F::Load(SimdLoad::Load16x4S, memarg),
        O::V128Load16x4U { memarg } => F::Load(SimdLoad::Load16x4U, memarg),
        O::V128Load32x2S { memarg } => F::Load(SimdLoad::Load32x2S, memarg),
        O::V128Load32x2U { memarg } => F::Load(SimdLoad::Load32x2U, memarg),
        O::V128Load8Splat { memarg } => F::Load(SimdLoad::Load8Splat, memarg),
        O::V128Load16Splat { memarg } => F::Load(SimdLoad::Load16Splat, memarg),
        O::V128Load32Splat { memarg } => F::Load(SimdLoad::Load32Splat, memarg),
        O::V128Load64Splat { memarg } => F::Load(SimdLoad::Load64Splat, memarg),
        O::V128Load32Zero { memarg } => F::Load(SimdLoad::Load32Zero, memarg),
        O::V128Load64Zero { memarg } => F::Load(SimdLoad::Load64Zero, memarg),
        O::V128Load8Lane { memarg, lane } => F::LoadLane(W8, *lane, memarg),
        O::V128Load16Lane { memarg, lane } => F::LoadLane(W16, *lane, memarg),
        O::V128Load32Lane { memarg, lane } => F::LoadLane(W32, *lane, memarg),
        O::V128Load64Lane { memarg, lane } => F::LoadLane(W64, *lane, memarg),
        O::V128Store8Lane { memarg, lane } => F::StoreLane(W8, *lane, memarg),
        O::V128Store16Lane { memarg, lane } => F::StoreLane(W16, *lane, memarg),
        O::V128Store32Lane { memarg, lane } => F::StoreLane(W32, *lane, memarg),
        O::V128Store64Lane { memarg, lane } => F::StoreLane(W64, *lane, memarg),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i16x8(l: [i16; 8]) -> u128 {
        build::<i16>(|i| l[i])
    }
    fn i8x16(l: [i8; 16]) -> u128 {
        build::<i8>(|i| l[i])
    }
    fn f32x4(l: [f32; 4]) -> u128 {
        build::<f32>(|i| l[i])
    }
    fn lanes<T: Lane>(v: u128) -> Vec<T> {
        (0..128 / T::BITS).map(|i| get::<T>(v, i)).collect()
    }

    #[test]
    fn lanes_are_little_endian() {
        let v = u128::from_le_bytes(std::array::from_fn(|i| i as u8));
        assert_eq!(get::<u8>(v, 0), 0);
        assert_eq!(get::<u8>(v, 15), 15);
        assert_eq!(get::<u16>(v, 1), 0x0302);
        assert_eq!(get::<u64>(v, 1), 0x0f0e_0d0c_0b0a_0908);
        assert_eq!(i8x16(std::array::from_fn(|i| i as i8)), v);
    }

    #[test]
    fn narrow_saturates() {
        let a = i16x8([-129, -128, 127, 128, 0, -1, 300, -300]);
        let b = i16x8([1, 2, 3, 4, 5, 6, 7, i16::MIN]);
        assert_eq!(
            lanes::<i8>(binary(SimdBinary::I8x16NarrowI16x8S, a, b)),
            [
                -128, -128, 127, 127, 0, -1, 127, -128, 1, 2, 3, 4, 5, 6, 7, -128
            ]
        );
        assert_eq!(
            lanes::<u8>(binary(SimdBinary::I8x16NarrowI16x8U, a, b)),
            [0, 0, 127, 128, 0, 0, 255, 0, 1, 2, 3, 4, 5, 6, 7, 0]
        );
        let w = build::<i32>(|i| [70000, -70000, 40000, -1][i]);
        assert_eq!(
            lanes::<u16>(binary(SimdBinary::I16x8NarrowI32x4U, w, w))[..4],
            [65535, 0, 40000, 0]
        );
        assert_eq!(
            lanes::<i16>(binary(SimdBinary::I16x8NarrowI32x4S, w, w))[..4],
            [32767, -32768, 32767, -1]
        );
    }

    #[test]
    fn q15mulr_rounds_and_saturates() {
        assert_eq!(q15mulr_sat(i16::MIN, i16::MIN), i16::MAX);
        assert_eq!(q15mulr_sat(0x4000, 0x4000), 0x2000);
        // 1 * 1 / 2^15 rounds to 0; 0x4000 * 1 / 2^15 = 0.5 rounds up to 1.
        assert_eq!(q15mulr_sat(1, 1), 0);
        assert_eq!(q15mulr_sat(0x4000, 1), 1);
        assert_eq!(q15mulr_sat(-0x4000, 1), 0);
        assert_eq!(q15mulr_sat(i16::MIN, i16::MAX), -32767);
    }

    #[test]
    fn float_nan_rules() {
        let nan = f32::from_bits(0x7fc0_0000);
        let v = f32x4([nan, -0.0, 0.0, 2.5]);
        let w = f32x4([1.0, 0.0, -0.0, -2.5]);
        let min = lanes::<f32>(binary(SimdBinary::F32x4Min, v, w));
        assert!(min[0].is_nan());
        assert_eq!(min[1].to_bits(), (-0.0f32).to_bits());
        assert_eq!(min[2].to_bits(), (-0.0f32).to_bits());
        assert_eq!(min[3], -2.5);
        let max = lanes::<f32>(binary(SimdBinary::F32x4Max, v, w));
        assert_eq!(max[1].to_bits(), 0);
        assert_eq!(max[2].to_bits(), 0);
        // pmin/pmax return an operand unchanged: the first when the comparison fails (NaN).
        let pmin = lanes::<u32>(binary(SimdBinary::F32x4PMin, v, w));
        assert_eq!(
            pmin,
            [nan.to_bits(), (-0.0f32).to_bits(), 0, (-2.5f32).to_bits()]
        );
        let pmax = lanes::<u32>(binary(SimdBinary::F32x4PMax, w, v));
        assert_eq!(pmax[0], 1.0f32.to_bits());
        // abs and neg only touch the sign bit, even of a NaN payload.
        let odd = build::<u32>(|_| 0xffa0_0001);
        assert_eq!(get::<u32>(unary(SimdUnary::F32x4Abs, odd), 2), 0x7fa0_0001);
        assert_eq!(get::<u32>(unary(SimdUnary::F32x4Neg, odd), 2), 0x7fa0_0001);
        // Comparisons with NaN are false, except `ne`.
        assert_eq!(get::<u32>(binary(SimdBinary::F32x4Eq, v, v), 0), 0);
        assert_eq!(get::<u32>(binary(SimdBinary::F32x4Ne, v, v), 0), u32::MAX);
        assert_eq!(get::<u32>(binary(SimdBinary::F32x4Eq, v, v), 1), u32::MAX);
    }

    #[test]
    fn nearest_ties_to_even() {
        let v = f32x4([2.5, 3.5, -0.5, -1.5]);
        assert_eq!(
            lanes::<u32>(unary(SimdUnary::F32x4Nearest, v)),
            [2.0f32, 4.0, -0.0, -2.0].map(f32::to_bits)
        );
        let d = build::<f64>(|i| [0.5, 4503599627370497.0][i]);
        assert_eq!(
            lanes::<f64>(unary(SimdUnary::F64x2Nearest, d)),
            [0.0, 4503599627370497.0]
        );
    }

    #[test]
    fn conversions_saturate_and_zero() {
        let v = f32x4([f32::NAN, 3e9, -3e9, -1.5]);
        assert_eq!(
            lanes::<i32>(unary(SimdUnary::I32x4TruncSatF32x4S, v)),
            [0, i32::MAX, i32::MIN, -1]
        );
        assert_eq!(
            lanes::<u32>(unary(SimdUnary::I32x4TruncSatF32x4U, v)),
            [0, 3_000_000_000, 0, 0]
        );
        let d = build::<f64>(|i| [1e10, -7.9][i]);
        assert_eq!(
            lanes::<i32>(unary(SimdUnary::I32x4TruncSatF64x2SZero, d)),
            [i32::MAX, -7, 0, 0]
        );
        let dem = unary(SimdUnary::F32x4DemoteF64x2Zero, d);
        assert_eq!(lanes::<f32>(dem), [1e10f32, -7.9f32, 0.0, 0.0]);
        let big = build::<u32>(|_| u32::MAX);
        assert_eq!(
            lanes::<f64>(unary(SimdUnary::F64x2ConvertLowI32x4U, big)),
            [4294967295.0, 4294967295.0]
        );
    }

    #[test]
    fn widening_and_dot() {
        let a = i8x16(std::array::from_fn(|i| (i as i8) - 8));
        assert_eq!(
            lanes::<i16>(unary(SimdUnary::I16x8ExtendHighI8x16S, a)),
            [0, 1, 2, 3, 4, 5, 6, 7]
        );
        assert_eq!(
            lanes::<u16>(unary(SimdUnary::I16x8ExtendLowI8x16U, a))[..2],
            [248, 249]
        );
        assert_eq!(
            lanes::<i16>(unary(SimdUnary::I16x8ExtAddPairwiseI8x16S, a))[..2],
            [-15, -11]
        );
        let m = i16x8([i16::MIN; 8]);
        assert_eq!(
            lanes::<i32>(binary(SimdBinary::I32x4DotI16x8S, m, m)),
            [i32::MIN; 4]
        );
        assert_eq!(
            lanes::<i32>(binary(SimdBinary::I32x4ExtMulHighI16x8S, m, m)),
            [1 << 30; 4]
        );
        let x = i8x16([-128, -128, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let y = i8x16([127, 127, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            lanes::<i16>(binary(SimdBinary::I16x8RelaxedDotI8x16I7x16S, x, y))[..2],
            [-32512, 32258]
        );
        let c = build::<i32>(|i| i as i32 + 1);
        assert_eq!(
            lanes::<i32>(ternary(SimdTernary::I32x4RelaxedDotI8x16I7x16AddS, x, y, c)),
            [-32512 + 32258 + 1, 2, 3, 4]
        );
    }

    #[test]
    fn shifts_take_the_count_modulo_the_lane_width() {
        let v = i8x16([-128; 16]);
        assert_eq!(get::<i8>(shift(SimdShift::I8x16ShrS, v, 9), 0), -64);
        assert_eq!(get::<u8>(shift(SimdShift::I8x16ShrU, v, 9), 0), 64);
        assert_eq!(get::<u8>(shift(SimdShift::I8x16Shl, v, 8), 0), 128);
        let w = build::<u64>(|_| 1);
        assert_eq!(get::<u64>(shift(SimdShift::I64x2Shl, w, 65), 1), 2);
    }

    #[test]
    fn lanes_shuffle_and_masks() {
        let a = u128::from_le_bytes(std::array::from_fn(|i| i as u8));
        let b = u128::from_le_bytes(std::array::from_fn(|i| 16 + i as u8));
        let rev: [u8; 16] = std::array::from_fn(|i| 31 - i as u8);
        assert_eq!(
            shuffle(a, b, u128::from_le_bytes(rev)).to_le_bytes(),
            std::array::from_fn(|i| 31 - i as u8)
        );
        let idx = u128::from_le_bytes([0, 15, 16, 255, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(swizzle(b, idx).to_le_bytes()[..5], [16, 31, 0, 0, 17]);
        assert_eq!(
            splat(LaneWidth::W16, 0x1_2345),
            0x2345_2345_2345_2345_2345_2345_2345_2345
        );
        let r = replace_lane(LaneWidth::W32, a, 2, 0xdead_beef_0000_0001);
        assert_eq!(get::<u32>(r, 2), 1);
        assert_eq!(get::<u32>(r, 3), get::<u32>(a, 3));
        assert_eq!(lane_bits(LaneWidth::W8, b, 15), 31);
        assert_eq!(extract(SimdExtract::I8S, i8x16([-1; 16]), 3), 0xffff_ffff);
        assert_eq!(extract(SimdExtract::I8U, i8x16([-1; 16]), 3), 0xff);
        let m = i16x8([-1, 0, -1, 0, 0, 0, 0, -1]);
        assert_eq!(test(SimdTest::I16x8Bitmask, m), 0b1000_0101);
        assert_eq!(test(SimdTest::I16x8AllTrue, m), 0);
        assert_eq!(test(SimdTest::V128AnyTrue, m), 1);
        assert_eq!(test(SimdTest::I8x16AllTrue, a | 1), 1);
    }

    #[test]
    fn loads_widen_splat_and_zero() {
        let x = 0x8081_8283_8485_8687u64;
        assert_eq!(
            lanes::<i16>(load(SimdLoad::Load8x8S, x)),
            [-121, -122, -123, -124, -125, -126, -127, -128]
        );
        assert_eq!(
            lanes::<u32>(load(SimdLoad::Load16x4U, x)),
            [0x8687, 0x8485, 0x8283, 0x8081]
        );
        assert_eq!(
            lanes::<i64>(load(SimdLoad::Load32x2S, x)),
            [-2071624057, -2138996093]
        );
        assert_eq!(
            load(SimdLoad::Load8Splat, 0x87),
            u128::from_le_bytes([0x87; 16])
        );
        assert_eq!(load(SimdLoad::Load32Zero, 0x8485_8687), 0x8485_8687);
    }

    #[test]
    fn fused_multiply_add_rounds_once() {
        // (1 + 2^-12)^2 - 1 = 2^-11 + 2^-24: the product rounded first (a tie, to even) loses
        // the 2^-24.
        let x = 1.0 + 1.0 / 4096.0;
        let a = f32x4([x; 4]);
        let c = f32x4([-1.0; 4]);
        let fused = get::<f32>(ternary(SimdTernary::F32x4RelaxedMadd, a, a, c), 0);
        assert_eq!(fused, 1.0 / 2048.0 + 1.0 / 16777216.0);
        assert_eq!(x * x - 1.0, 1.0 / 2048.0);
        let n = get::<f32>(ternary(SimdTernary::F32x4RelaxedNmadd, a, a, c), 0);
        assert_eq!(n, -2.0 - 1.0 / 2048.0 - 1.0 / 16777216.0);
    }
}
