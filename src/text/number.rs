//! Numeric literals: the lexer keeps them as text, the grammar converts them here once the expected type
//! is known. Errors carry the spec suite's words ("constant out of range").
//!
//! Floats: decimal literals go through Rust's correctly rounded `str::parse`; hex literals are rounded
//! here, exactly (round to nearest, ties to even, subnormals included).

/// The message for a literal that does not fit its type.
pub const OUT_OF_RANGE: &str = "constant out of range";

type R<T> = Result<T, &'static str>;

/// Splits an integer literal into sign and magnitude (`_` removed). `None` if it is no integer.
fn int_parts(text: &str) -> Option<(bool, u128)> {
    let (neg, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = match rest.strip_prefix("0x") {
        Some(h) => (16, h),
        None => (10, rest),
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: u128 = 0;
    for c in digits.chars().filter(|&c| c != '_') {
        let d = c.to_digit(radix)? as u128;
        // Saturate: anything above u64::MAX is out of range for every integer type.
        value = value
            .saturating_mul(radix as u128)
            .saturating_add(d)
            .min(u128::from(u64::MAX) + 1);
    }
    Some((neg, value))
}

/// An unsigned literal (`Nat`) of at most `max`.
fn unsigned(text: &str, max: u64) -> R<u64> {
    match int_parts(text) {
        Some((false, v)) if !text.starts_with('+') && v <= u128::from(max) => Ok(v as u64),
        Some(_) => Err(OUT_OF_RANGE),
        None => Err("unknown operator"),
    }
}

/// A `u32`: an index, a limit, an alignment.
pub fn u32(text: &str) -> R<u32> {
    unsigned(text, u64::from(u32::MAX)).map(|v| v as u32)
}

/// A `u64`: a memory offset or a 64-bit limit.
pub fn u64(text: &str) -> R<u64> {
    unsigned(text, u64::MAX)
}

/// A lane index (`u8`).
pub fn u8(text: &str) -> R<u8> {
    unsigned(text, 255).map(|v| v as u8)
}

/// An integer of `bits` bits, signed or unsigned, wrapped to its two's complement bit pattern.
pub fn int_bits(text: &str, bits: u32) -> R<u64> {
    let (neg, mag) = int_parts(text).ok_or("unknown operator")?;
    let limit_pos = 1u128 << bits; // exclusive
    let limit_neg = 1u128 << (bits - 1); // inclusive
    let mask = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    if neg {
        if mag > limit_neg {
            return Err(OUT_OF_RANGE);
        }
        Ok((mag as u64).wrapping_neg() & mask)
    } else if mag < limit_pos {
        Ok(mag as u64)
    } else {
        Err(OUT_OF_RANGE)
    }
}

/// An `i32` literal: `Nat` or `Int` in `[-2^31, 2^32)`.
pub fn i32(text: &str) -> R<i32> {
    int_bits(text, 32).map(|v| v as u32 as i32)
}

/// An `i64` literal: `Nat` or `Int` in `[-2^63, 2^64)`.
pub fn i64(text: &str) -> R<i64> {
    int_bits(text, 64).map(|v| v as i64)
}

/// An IEEE binary format: fraction bits and exponent bits.
#[derive(Clone, Copy)]
struct Format {
    mant: u32,
    exp: u32,
}

const F32: Format = Format { mant: 23, exp: 8 };
const F64: Format = Format { mant: 52, exp: 11 };

/// An `f32` literal, as bits.
pub fn f32(text: &str) -> R<u32> {
    float(text, F32).map(|b| b as u32)
}

/// An `f64` literal, as bits.
pub fn f64(text: &str) -> R<u64> {
    float(text, F64)
}

fn float(text: &str, f: Format) -> R<u64> {
    let (neg, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let sign = u64::from(neg) << (f.mant + f.exp);
    let exp_ones = ((1u64 << f.exp) - 1) << f.mant;
    let magnitude = if rest == "inf" {
        exp_ones
    } else if rest == "nan" {
        exp_ones | 1 << (f.mant - 1)
    } else if let Some(payload) = rest.strip_prefix("nan:0x") {
        // `rest` is `nan:0x…`: the payload with its `0x`.
        let p = int_parts(&rest[rest.len() - payload.len() - 2..])
            .ok_or("unknown operator")?
            .1;
        if p == 0 || p >= 1u128 << f.mant {
            return Err(OUT_OF_RANGE);
        }
        exp_ones | p as u64
    } else if let Some(hex) = rest.strip_prefix("0x") {
        hex_float(hex, f)?
    } else {
        decimal_float(rest, f)?
    };
    Ok(sign | magnitude)
}

fn decimal_float(text: &str, f: Format) -> R<u64> {
    // Most literals have no `_`: they are parsed where they are, without a copy.
    let clean: std::borrow::Cow<'_, str> = if text.contains('_') {
        text.chars()
            .filter(|&c| c != '_')
            .collect::<String>()
            .into()
    } else {
        text.into()
    };
    if !clean.starts_with(|c: char| c.is_ascii_digit()) {
        return Err("unknown operator");
    }
    let bits = if f.mant == 23 {
        let v: f32 = clean.parse().map_err(|_| "unknown operator")?;
        if v.is_infinite() {
            return Err(OUT_OF_RANGE);
        }
        u64::from(v.to_bits())
    } else {
        let v: f64 = clean.parse().map_err(|_| "unknown operator")?;
        if v.is_infinite() {
            return Err(OUT_OF_RANGE);
        }
        v.to_bits()
    };
    Ok(bits)
}

/// Rounds a hex float (the text after `0x`, without sign) to the format, exactly.
fn hex_float(text: &str, f: Format) -> R<u64> {
    let (mantissa, exp) = match text.find(['p', 'P']) {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, "0"),
    };
    let (int_part, frac_part) = match mantissa.find('.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, ""),
    };
    // value = m * 2^e2, with `sticky` standing for nonzero bits below m's last bit.
    let mut m: u64 = 0;
    let mut e2: i64 = 0;
    let mut sticky = false;
    let mut any = false;
    for (c, in_frac) in int_part
        .chars()
        .map(|c| (c, false))
        .chain(frac_part.chars().map(|c| (c, true)))
    {
        if c == '_' {
            continue;
        }
        let d = u64::from(c.to_digit(16).ok_or("unknown operator")?);
        any = true;
        if m >> 56 == 0 {
            m = m << 4 | d;
            if in_frac {
                e2 -= 4;
            }
        } else {
            sticky |= d != 0;
            if !in_frac {
                e2 += 4;
            }
        }
    }
    if !any {
        return Err("unknown operator");
    }
    // The exponent's digits, `_` skipped, read in place (saturating: any exponent that large
    // rounds to zero or out of range alike).
    let mut exp = exp.bytes().filter(|&b| b != b'_').peekable();
    let eneg = exp.peek() == Some(&b'-');
    if matches!(exp.peek(), Some(b'-' | b'+')) {
        exp.next();
    }
    let mut e: i64 = 0;
    let mut edigits = false;
    for b in exp {
        if !b.is_ascii_digit() {
            return Err("unknown operator");
        }
        edigits = true;
        e = e
            .saturating_mul(10)
            .saturating_add(i64::from(b - b'0'))
            .min(i64::MAX / 4);
    }
    if !edigits {
        return Err("unknown operator");
    }
    e2 += if eneg { -e } else { e };
    if m == 0 {
        return Ok(0);
    }
    let bias = (1i64 << (f.exp - 1)) - 1;
    let emin = 1 - bias;
    let mant = i64::from(f.mant);
    let len = 64 - i64::from(m.leading_zeros());
    let mut top = len - 1 + e2; // exponent of the leading bit
    let lsb = top.max(emin) - mant; // weight of the last kept bit
    let shift = lsb - e2;
    let mut q: u64 = if shift <= 0 {
        m << (-shift) // sticky is necessarily false here: m has fewer than 57 bits
    } else if shift > 64 {
        0
    } else {
        let kept = if shift == 64 { 0 } else { m >> shift };
        let half = 1u64 << (shift - 1);
        let rest = m & (half.wrapping_shl(1).wrapping_sub(1));
        let above_half = rest > half || (rest == half && sticky);
        if above_half || (rest == half && kept & 1 == 1) {
            kept + 1
        } else {
            kept
        }
    };
    if top >= emin {
        if q == 1u64 << (mant + 1) {
            q >>= 1;
            top += 1;
        }
        if top > bias {
            return Err(OUT_OF_RANGE);
        }
        Ok(((top + bias) as u64) << f.mant | (q & ((1u64 << f.mant) - 1)))
    } else {
        // Subnormal (q may have rounded up to the smallest normal, which encodes the same way).
        Ok(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        assert_eq!(i32("0xffffffff"), Ok(-1));
        assert_eq!(i32("-0x80000000"), Ok(i32::MIN));
        assert_eq!(i32("4294967296"), Err(OUT_OF_RANGE));
        assert_eq!(i32("-2147483649"), Err(OUT_OF_RANGE));
        assert_eq!(i32("+1_000"), Ok(1000));
        assert_eq!(i64("18446744073709551615"), Ok(-1));
        assert_eq!(i64("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(i64("18446744073709551616"), Err(OUT_OF_RANGE));
        assert_eq!(i64("-9223372036854775809"), Err(OUT_OF_RANGE));
        assert_eq!(u32("4294967295"), Ok(u32::MAX));
        assert_eq!(u32("4294967296"), Err(OUT_OF_RANGE));
        assert_eq!(u8("256"), Err(OUT_OF_RANGE));
        assert_eq!(int_bits("-128", 8), Ok(0x80));
        assert_eq!(int_bits("255", 8), Ok(0xff));
        assert_eq!(int_bits("-129", 8), Err(OUT_OF_RANGE));
    }

    #[test]
    fn decimal_floats() {
        assert_eq!(f32("1.5"), Ok(1.5f32.to_bits()));
        assert_eq!(f32("-0"), Ok((-0.0f32).to_bits()));
        assert_eq!(f32("1e38"), Ok(1e38f32.to_bits()));
        assert_eq!(f32("1e39"), Err(OUT_OF_RANGE));
        assert_eq!(f64("1_000.000_1"), Ok(1000.0001f64.to_bits()));
        assert_eq!(f64("1e309"), Err(OUT_OF_RANGE));
        assert_eq!(f64("1."), Ok(1f64.to_bits()));
    }

    #[test]
    fn special_floats() {
        assert_eq!(f32("inf"), Ok(0x7f80_0000));
        assert_eq!(f32("-inf"), Ok(0xff80_0000));
        assert_eq!(f32("nan"), Ok(0x7fc0_0000));
        assert_eq!(f32("-nan:0x1"), Ok(0xff80_0001));
        assert_eq!(f32("nan:0x7fffff"), Ok(0x7fff_ffff));
        assert_eq!(f32("nan:0x800000"), Err(OUT_OF_RANGE));
        assert_eq!(f32("nan:0x0"), Err(OUT_OF_RANGE));
        assert_eq!(f64("nan:0xfffffffffffff"), Ok(0x7fff_ffff_ffff_ffff));
    }

    #[test]
    fn hex_floats() {
        assert_eq!(f32("0x1p-149"), Ok(1));
        assert_eq!(f32("0x1p-150"), Ok(0)); // tie, to even
        assert_eq!(f32("0x1.000001p-149"), Ok(1));
        assert_eq!(f32("0x1.8p-149"), Ok(2)); // tie, to even (up)
        assert_eq!(f32("0x1.fffffep127"), Ok(f32::MAX.to_bits()));
        assert_eq!(f32("0x1.fffffefffffffffffp127"), Ok(f32::MAX.to_bits()));
        assert_eq!(f32("0x1.ffffffp127"), Err(OUT_OF_RANGE));
        assert_eq!(f32("0x1p128"), Err(OUT_OF_RANGE));
        assert_eq!(f32("0x1.000001p0"), Ok(0x3f80_0000)); // tie, to even (down)
        assert_eq!(f32("0x1.000003p0"), Ok(0x3f80_0002)); // tie, to even (up)
        assert_eq!(f32("0x1.0000010000000000000000001p0"), Ok(0x3f80_0001)); // sticky
        assert_eq!(f32("0x1.fffffep-127"), Ok(0x0080_0000)); // rounds up into the normals
        assert_eq!(f32("0x10"), Ok(16f32.to_bits()));
        assert_eq!(f32("-0x0.8"), Ok((-0.5f32).to_bits()));
        assert_eq!(f64("0x1p-1074"), Ok(1));
        assert_eq!(f64("0x1.fffffffffffff8p1023"), Err(OUT_OF_RANGE));
        assert_eq!(f64("0x1.fffffffffffff7ffffp1023"), Ok(f64::MAX.to_bits()));
        assert_eq!(
            f64("0x123456789ABCDEF.0p0"),
            Ok((0x123456789ABCDEFu64 as f64).to_bits())
        );
        assert_eq!(f64("0x1p+99999999999999999999"), Err(OUT_OF_RANGE));
        assert_eq!(f64("0x1p-99999999999999999999"), Ok(0));
    }
}
