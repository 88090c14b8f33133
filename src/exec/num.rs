//! Numeric semantics as pure functions: the parts of WebAssembly arithmetic that Rust's operators do
//! not already give bit-exactly (traps, float-to-int conversion, nearest, min/max).

use super::TrapCode;

macro_rules! int_divrem {
    ($t:ty, $div_s:ident, $div_u:ident, $rem_s:ident, $rem_u:ident, $u:ty) => {
        /// Signed division; traps on zero divisor and on `MIN / -1`.
        #[inline]
        pub fn $div_s(a: $t, b: $t) -> Result<$t, TrapCode> {
            if b == 0 {
                Err(TrapCode::IntegerDivideByZero)
            } else if a == <$t>::MIN && b == -1 {
                Err(TrapCode::IntegerOverflow)
            } else {
                Ok(a.wrapping_div(b))
            }
        }
        /// Unsigned division; traps on zero divisor.
        #[inline]
        pub fn $div_u(a: $u, b: $u) -> Result<$u, TrapCode> {
            if b == 0 {
                Err(TrapCode::IntegerDivideByZero)
            } else {
                Ok(a / b)
            }
        }
        /// Signed remainder; traps on zero divisor, `MIN % -1` is 0.
        #[inline]
        pub fn $rem_s(a: $t, b: $t) -> Result<$t, TrapCode> {
            if b == 0 {
                Err(TrapCode::IntegerDivideByZero)
            } else {
                Ok(a.wrapping_rem(b))
            }
        }
        /// Unsigned remainder; traps on zero divisor.
        #[inline]
        pub fn $rem_u(a: $u, b: $u) -> Result<$u, TrapCode> {
            if b == 0 {
                Err(TrapCode::IntegerDivideByZero)
            } else {
                Ok(a % b)
            }
        }
    };
}
int_divrem!(i32, i32_div_s, i32_div_u, i32_rem_s, i32_rem_u, u32);
int_divrem!(i64, i64_div_s, i64_div_u, i64_rem_s, i64_rem_u, u64);

/// Checks that the truncation of `x` lies strictly between `lo` and `hi` (both exclusive bounds on x).
#[inline]
fn trunc_check(x: f64, lo: f64, hi: f64) -> Result<(), TrapCode> {
    if x.is_nan() {
        Err(TrapCode::BadConversionToInteger)
    } else if x <= lo || x >= hi {
        Err(TrapCode::IntegerOverflow)
    } else {
        Ok(())
    }
}

const I32_LO: f64 = -2147483649.0;
const I32_HI: f64 = 2147483648.0;
const U32_HI: f64 = 4294967296.0;
// No f64 lies strictly between -2^63 - 2048 and -2^63, so `x <= -2^63 - 2048` is the exact bound.
const I64_LO: f64 = -9223372036854777856.0;
const I64_HI: f64 = 9223372036854775808.0;
const U64_HI: f64 = 18446744073709551616.0;

/// `i32.trunc_f64_s` (and `_f32_s` via exact widening).
#[inline]
pub fn i32_trunc_s(x: f64) -> Result<i32, TrapCode> {
    trunc_check(x, I32_LO, I32_HI).map(|()| x as i32)
}
/// `i32.trunc_f64_u`.
#[inline]
pub fn i32_trunc_u(x: f64) -> Result<u32, TrapCode> {
    trunc_check(x, -1.0, U32_HI).map(|()| x as u32)
}
/// `i64.trunc_f64_s`.
#[inline]
pub fn i64_trunc_s(x: f64) -> Result<i64, TrapCode> {
    trunc_check(x, I64_LO, I64_HI).map(|()| x as i64)
}
/// `i64.trunc_f64_u`.
#[inline]
pub fn i64_trunc_u(x: f64) -> Result<u64, TrapCode> {
    trunc_check(x, -1.0, U64_HI).map(|()| x as u64)
}

macro_rules! float_ops {
    ($t:ty, $min:ident, $max:ident, $nearest:ident) => {
        /// `min`: NaN if either operand is NaN, and -0 < +0.
        #[inline]
        pub fn $min(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$t>::from_bits(a.to_bits() | b.to_bits())
            } else if a < b {
                a
            } else {
                b
            }
        }
        /// `max`: NaN if either operand is NaN, and -0 < +0.
        #[inline]
        pub fn $max(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$t>::from_bits(a.to_bits() & b.to_bits())
            } else if a > b {
                a
            } else {
                b
            }
        }
        /// `nearest`: round to nearest, ties to even.
        #[inline]
        pub fn $nearest(a: $t) -> $t {
            if a.is_nan() {
                a + a
            } else {
                a.round_ties_even()
            }
        }
    };
}
float_ops!(f32, f32_min, f32_max, f32_nearest);
float_ops!(f64, f64_min, f64_max, f64_nearest);

/// Canonicalizing helper for rounding functions: NaN inputs come out as quiet NaNs.
#[inline]
pub fn f32_round(a: f32, f: fn(f32) -> f32) -> f32 {
    if a.is_nan() { a + a } else { f(a) }
}
/// See [`f32_round`].
#[inline]
pub fn f64_round(a: f64, f: fn(f64) -> f64) -> f64 {
    if a.is_nan() { a + a } else { f(a) }
}

// ---------------------------------------------------------------------------------------------
// Wide arithmetic: 128-bit values as (low, high) pairs of i64.

/// `i64.add128`.
pub fn i64_add128(a_lo: u64, a_hi: u64, b_lo: u64, b_hi: u64) -> (u64, u64) {
    let v = (a_lo as u128 | (a_hi as u128) << 64).wrapping_add(b_lo as u128 | (b_hi as u128) << 64);
    (v as u64, (v >> 64) as u64)
}

/// `i64.sub128`.
pub fn i64_sub128(a_lo: u64, a_hi: u64, b_lo: u64, b_hi: u64) -> (u64, u64) {
    let v = (a_lo as u128 | (a_hi as u128) << 64).wrapping_sub(b_lo as u128 | (b_hi as u128) << 64);
    (v as u64, (v >> 64) as u64)
}

/// `i64.mul_wide_s`: the signed 128-bit product.
pub fn i64_mul_wide_s(a: u64, b: u64) -> (u64, u64) {
    let v = (a as i64 as i128).wrapping_mul(b as i64 as i128) as u128;
    (v as u64, (v >> 64) as u64)
}

/// `i64.mul_wide_u`: the unsigned 128-bit product.
pub fn i64_mul_wide_u(a: u64, b: u64) -> (u64, u64) {
    let v = (a as u128) * (b as u128);
    (v as u64, (v >> 64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divrem() {
        assert_eq!(i32_div_s(7, -2), Ok(-3));
        assert_eq!(i32_div_s(i32::MIN, -1), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_div_s(1, 0), Err(TrapCode::IntegerDivideByZero));
        assert_eq!(i32_rem_s(i32::MIN, -1), Ok(0));
        assert_eq!(i32_rem_s(-7, 2), Ok(-1));
        assert_eq!(i32_div_u(u32::MAX, 2), Ok(0x7fff_ffff));
        assert_eq!(i64_rem_u(5, 0), Err(TrapCode::IntegerDivideByZero));
        assert_eq!(i64_div_s(i64::MIN, -1), Err(TrapCode::IntegerOverflow));
    }

    #[test]
    fn trunc() {
        assert_eq!(i32_trunc_s(-2147483648.9), Ok(i32::MIN));
        assert_eq!(i32_trunc_s(-2147483649.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_trunc_s(2147483647.9), Ok(i32::MAX));
        assert_eq!(i32_trunc_s(2147483648.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_trunc_s(f64::NAN), Err(TrapCode::BadConversionToInteger));
        assert_eq!(i32_trunc_u(-0.9), Ok(0));
        assert_eq!(i32_trunc_u(-1.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_trunc_u(4294967295.9), Ok(u32::MAX));
        assert_eq!(i64_trunc_s(-9223372036854775808.0), Ok(i64::MIN));
        assert_eq!(
            i64_trunc_s(9223372036854775808.0),
            Err(TrapCode::IntegerOverflow)
        );
        assert_eq!(
            i64_trunc_u(18446744073709549568.0),
            Ok(18446744073709549568)
        );
        assert_eq!(
            i64_trunc_u(18446744073709551616.0),
            Err(TrapCode::IntegerOverflow)
        );
        assert_eq!(
            i32_trunc_s(f32::INFINITY as f64),
            Err(TrapCode::IntegerOverflow)
        );
    }

    #[test]
    fn minmax_nearest() {
        assert_eq!(f32_min(0.0, -0.0).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f32_max(-0.0, 0.0).to_bits(), 0.0f32.to_bits());
        assert!(f64_min(f64::NAN, 1.0).is_nan());
        assert!(f64_max(1.0, f64::NAN).is_nan());
        assert_eq!(f64_min(1.0, 2.0), 1.0);
        assert_eq!(f32_nearest(2.5), 2.0);
        assert_eq!(f32_nearest(3.5), 4.0);
        assert_eq!(f64_nearest(-0.5).to_bits(), (-0.0f64).to_bits());
        assert_eq!(f64_nearest(-1.5), -2.0);
    }
}
