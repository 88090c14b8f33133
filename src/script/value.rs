//! Script constants to runtime values, and results against expectations.

use crate::exec::{AnyKind, AnyRef, Value};
use crate::text::syntax::{
    AbsHeap, Const, Expected, HeapType, LanePattern, NanPattern, RefKind, VecShape,
};

/// Whether `h` is a heap type of GC's `any` hierarchy (a defined type may be: see
/// [`null_matches`]).
fn any_hierarchy(h: &HeapType<'_>) -> bool {
    matches!(
        h,
        HeapType::Abstract(
            AbsHeap::Any
                | AbsHeap::Eq
                | AbsHeap::I31
                | AbsHeap::Struct
                | AbsHeap::Array
                | AbsHeap::None
        )
    )
}

/// The runtime value of an argument.
pub(super) fn to_value(c: &Const<'_>) -> Result<Value, String> {
    Ok(match c {
        Const::I32(v) => Value::I32(*v),
        Const::I64(v) => Value::I64(*v),
        Const::F32(v) => Value::F32(*v),
        Const::F64(v) => Value::F64(*v),
        Const::V128(v) => Value::V128(*v),
        Const::RefNull(HeapType::Extern | HeapType::Abstract(AbsHeap::NoExtern)) => {
            Value::ExternRef(None)
        }
        Const::RefNull(h) if any_hierarchy(h) => Value::AnyRef(None),
        Const::RefNull(HeapType::Abstract(AbsHeap::Exn | AbsHeap::NoExn)) => Value::ExnRef(None),
        Const::RefNull(_) => Value::FuncRef(None),
        Const::RefExtern(n) => Value::ExternRef(Some(*n)),
        // A host reference is an internal one (the reference interpreter's `ref.host`).
        Const::RefHost(n) => Value::AnyRef(Some(AnyRef::host(*n))),
        Const::RefFunc(_) => {
            return Err("function references as script arguments are not supported".into());
        }
    })
}

/// Shows values as a script would write them.
pub(super) fn show_all(values: &[Value]) -> String {
    let parts: Vec<String> = values.iter().map(Value::to_string).collect();
    format!("[{}]", parts.join(", "))
}

/// Checks results against the expectations of an `assert_return`.
pub(super) fn check_results(values: &[Value], expected: &[Expected<'_>]) -> Result<(), String> {
    let ok =
        values.len() == expected.len() && values.iter().zip(expected).all(|(v, e)| matches(v, e));
    if ok {
        Ok(())
    } else {
        Err(format!("expected {expected:?}, got {}", show_all(values)))
    }
}

fn nan32(bits: u32, p: NanPattern) -> bool {
    let nan = bits & 0x7f80_0000 == 0x7f80_0000 && bits & 0x007f_ffff != 0;
    match p {
        NanPattern::Canonical => bits & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::Arithmetic => nan && bits & 0x0040_0000 != 0,
    }
}

fn nan64(bits: u64, p: NanPattern) -> bool {
    let exp = 0x7ff0_0000_0000_0000u64;
    let nan = bits & exp == exp && bits & 0x000f_ffff_ffff_ffff != 0;
    match p {
        NanPattern::Canonical => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::Arithmetic => nan && bits & 0x0008_0000_0000_0000 != 0,
    }
}

fn matches(v: &Value, e: &Expected<'_>) -> bool {
    match (e, v) {
        (Expected::Const(c), v) => match (c, v) {
            (Const::RefNull(h), v) => null_matches(h, v),
            (Const::RefExtern(n), Value::ExternRef(Some(m))) => n == m,
            (Const::RefHost(n), Value::AnyRef(Some(r))) => r.kind() == AnyKind::Host(*n),
            (c, v) => to_value(c).is_ok_and(|c| c == *v),
        },
        (Expected::F32Nan(p), Value::F32(b)) => nan32(*b, *p),
        (Expected::F64Nan(p), Value::F64(b)) => nan64(*b, *p),
        (Expected::V128Lanes(shape, lanes), Value::V128(bits)) => lanes_match(*bits, *shape, lanes),
        (Expected::RefFunc, Value::FuncRef(Some(_))) => true,
        (Expected::RefExternAny, Value::ExternRef(Some(_)) | Value::ExternAny(_)) => true,
        (Expected::RefKind(k), Value::AnyRef(Some(r))) => kind_matches(*k, r.kind()),
        (Expected::RefKind(RefKind::Exn), Value::ExnRef(Some(_))) => true,
        (Expected::Either(options), v) => options.iter().any(|e| matches(v, e)),
        _ => false,
    }
}

fn lanes_match(bits: u128, shape: VecShape, lanes: &[LanePattern]) -> bool {
    let width = match shape {
        VecShape::I8x16 => 8,
        VecShape::I16x8 => 16,
        VecShape::I32x4 | VecShape::F32x4 => 32,
        VecShape::I64x2 | VecShape::F64x2 => 64,
    };
    let mask = if width == 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    lanes.iter().enumerate().all(|(i, lane)| {
        let actual = ((bits >> (i * width)) as u64) & mask;
        match (lane, shape) {
            (LanePattern::Value(x), _) => *x & mask == actual,
            (LanePattern::Nan(p), VecShape::F32x4) => nan32(actual as u32, *p),
            (LanePattern::Nan(p), VecShape::F64x2) => nan64(actual, *p),
            (LanePattern::Nan(_), _) => false,
        }
    })
}

/// `(ref.null h)` expected: a null of `h`'s hierarchy.
fn null_matches(h: &HeapType<'_>, v: &Value) -> bool {
    match h {
        HeapType::Extern | HeapType::Abstract(AbsHeap::NoExtern) => *v == Value::ExternRef(None),
        h if any_hierarchy(h) => *v == Value::AnyRef(None),
        HeapType::Abstract(AbsHeap::Exn | AbsHeap::NoExn) => *v == Value::ExnRef(None),
        // `func`, a defined type, or the bare `(ref.null)` (which the script grammar reads as
        // `func`) that any null matches: the function's result type fixed the hierarchy.
        _ => matches!(
            v,
            Value::FuncRef(None)
                | Value::AnyRef(None)
                | Value::ExternRef(None)
                | Value::ExnRef(None)
        ),
    }
}

/// `(ref.struct)`, `(ref.i31)`, …: a non-null reference of that kind (`eq`: a struct, array
/// or i31; `any`: any).
fn kind_matches(k: RefKind, have: AnyKind) -> bool {
    match k {
        RefKind::Struct => have == AnyKind::Struct,
        RefKind::Array => have == AnyKind::Array,
        RefKind::I31 => matches!(have, AnyKind::I31(_)),
        RefKind::Eq => !matches!(have, AnyKind::Host(_)),
        RefKind::Any => true,
        RefKind::Exn => false,
    }
}
