//! Interpreter tests: modules built from text with the `wat` crate.

use super::*;
use crate::error::Class;

fn setup(src: &str, limits: Limits) -> (Store, InstanceHandle) {
    let wasm = wat::parse_str(src).unwrap();
    let module = Module::new(&wasm).unwrap();
    let mut store = Store::new(limits);
    let inst = store.instantiate(&module, &Imports::new()).unwrap();
    (store, inst)
}

fn run(src: &str, name: &str, args: &[Value]) -> Result<Vec<Value>, Trap> {
    let (mut s, i) = setup(src, Limits::default());
    s.invoke(i, name, args)
}

fn trap_msg(src: &str, name: &str, args: &[Value]) -> String {
    run(src, name, args).unwrap_err().message().to_string()
}

fn one(src: &str, name: &str, args: &[Value]) -> Value {
    let r = run(src, name, args).unwrap();
    assert_eq!(r.len(), 1);
    r[0]
}

const I32: fn(i32) -> Value = Value::I32;
const I64: fn(i64) -> Value = Value::I64;

#[test]
fn add_and_locals() {
    let src = r#"(module (func (export "f") (param i32 i32) (result i32) (local i32)
        (local.set 2 (i32.add (local.get 0) (local.get 1))) (local.get 2)))"#;
    assert_eq!(one(src, "f", &[I32(2), I32(40)]), I32(42));
    assert_eq!(one(src, "f", &[I32(i32::MAX), I32(1)]), I32(i32::MIN));
}

#[test]
fn integer_ops() {
    let bin = |op: &str, ty: &str, a: Value, b: Value| {
        let src = format!(
            r#"(module (func (export "f") (param {ty} {ty}) (result {ty}) ({ty}.{op} (local.get 0) (local.get 1))))"#
        );
        run(&src, "f", &[a, b])
    };
    assert_eq!(bin("div_s", "i32", I32(-7), I32(2)), Ok(vec![I32(-3)]));
    assert_eq!(bin("rem_s", "i32", I32(-7), I32(2)), Ok(vec![I32(-1)]));
    assert_eq!(
        bin("rem_s", "i32", I32(i32::MIN), I32(-1)),
        Ok(vec![I32(0)])
    );
    assert_eq!(
        bin("div_s", "i32", I32(i32::MIN), I32(-1)),
        Err(Trap::Code(TrapCode::IntegerOverflow))
    );
    assert_eq!(
        bin("div_u", "i32", I32(1), I32(0)).unwrap_err().message(),
        "integer divide by zero"
    );
    assert_eq!(
        bin("rem_u", "i64", I64(1), I64(0)).unwrap_err().message(),
        "integer divide by zero"
    );
    assert_eq!(
        bin("div_s", "i64", I64(i64::MIN), I64(-1))
            .unwrap_err()
            .message(),
        "integer overflow"
    );
    assert_eq!(bin("shl", "i32", I32(1), I32(33)), Ok(vec![I32(2)]));
    assert_eq!(bin("shr_s", "i32", I32(-8), I32(1)), Ok(vec![I32(-4)]));
    assert_eq!(
        bin("shr_u", "i32", I32(-8), I32(1)),
        Ok(vec![I32(0x7fff_fffc)])
    );
    assert_eq!(
        bin("rotl", "i32", I32(0x8000_0001u32 as i32), I32(1)),
        Ok(vec![I32(3)])
    );
    assert_eq!(bin("rotr", "i64", I64(1), I64(65)), Ok(vec![I64(i64::MIN)]));
    assert_eq!(bin("shr_s", "i64", I64(-1), I64(63)), Ok(vec![I64(-1)]));
    assert_eq!(bin("lt_u", "i32", I32(-1), I32(1)).unwrap()[0], I32(0));
    let un = |op: &str, ty: &str, a: Value| {
        let src = format!(
            r#"(module (func (export "f") (param {ty}) (result {ty}) ({ty}.{op} (local.get 0))))"#
        );
        run(&src, "f", &[a]).unwrap()[0]
    };
    assert_eq!(un("clz", "i32", I32(0)), I32(32));
    assert_eq!(un("ctz", "i64", I64(0)), I64(64));
    assert_eq!(un("popcnt", "i64", I64(-1)), I64(64));
    assert_eq!(un("extend8_s", "i32", I32(0x80)), I32(-128));
    assert_eq!(un("extend32_s", "i64", I64(0x8000_0000)), I64(-0x8000_0000));
}

#[test]
fn float_ops() {
    let f32b = |op: &str, a: f32, b: f32| {
        let src = format!(
            r#"(module (func (export "f") (param f32 f32) (result f32) (f32.{op} (local.get 0) (local.get 1))))"#
        );
        match run(
            &src,
            "f",
            &[Value::F32(a.to_bits()), Value::F32(b.to_bits())],
        )
        .unwrap()[0]
        {
            Value::F32(x) => x,
            v => panic!("{v:?}"),
        }
    };
    assert_eq!(f32b("min", 0.0, -0.0), (-0.0f32).to_bits());
    assert_eq!(f32b("max", -0.0, 0.0), 0.0f32.to_bits());
    assert!(f32::from_bits(f32b("min", f32::NAN, 1.0)).is_nan());
    assert_eq!(f32b("copysign", 1.5, -0.0), (-1.5f32).to_bits());
    // NaN results are arithmetic (quiet) NaNs.
    let n = f32b("add", f32::from_bits(0x7fa0_0000), 1.0);
    assert_eq!(n & 0x7fc0_0000, 0x7fc0_0000);
    let un = |op: &str, a: f64| {
        let src = format!(
            r#"(module (func (export "f") (param f64) (result f64) (f64.{op} (local.get 0))))"#
        );
        match run(&src, "f", &[Value::F64(a.to_bits())]).unwrap()[0] {
            Value::F64(x) => f64::from_bits(x),
            v => panic!("{v:?}"),
        }
    };
    assert_eq!(un("nearest", 2.5), 2.0);
    assert_eq!(un("nearest", -3.5), -4.0);
    assert_eq!(un("neg", 0.0).to_bits(), (-0.0f64).to_bits());
    assert_eq!(un("sqrt", 16.0), 4.0);
    assert_eq!(un("floor", -0.5), -1.0);
    // neg/abs are pure bit operations, even on NaN.
    let src = r#"(module (func (export "f") (result i32) (i32.reinterpret_f32 (f32.neg (f32.const nan:0x200000)))))"#;
    assert_eq!(one(src, "f", &[]), I32(0xffa0_0000u32 as i32));
}

#[test]
fn conversions() {
    let conv = |op: &str, from: &str, to: &str, a: Value| {
        let src = format!(
            r#"(module (func (export "f") (param {from}) (result {to}) ({to}.{op} (local.get 0))))"#
        );
        run(&src, "f", &[a])
    };
    let f64v = |x: f64| Value::F64(x.to_bits());
    let f32v = |x: f32| Value::F32(x.to_bits());
    assert_eq!(
        conv("trunc_f64_s", "f64", "i32", f64v(-1.9)),
        Ok(vec![I32(-1)])
    );
    assert_eq!(
        conv("trunc_f64_s", "f64", "i32", f64v(f64::NAN))
            .unwrap_err()
            .message(),
        "invalid conversion to integer"
    );
    assert_eq!(
        conv("trunc_f32_u", "f32", "i32", f32v(-1.0))
            .unwrap_err()
            .message(),
        "integer overflow"
    );
    assert_eq!(
        conv("trunc_f32_s", "f32", "i64", f32v(-9.223372e18)),
        Ok(vec![I64(-9223372036854775808)])
    );
    assert_eq!(
        conv("trunc_sat_f64_s", "f64", "i32", f64v(1e10)),
        Ok(vec![I32(i32::MAX)])
    );
    assert_eq!(
        conv("trunc_sat_f64_u", "f64", "i64", f64v(f64::NAN)),
        Ok(vec![I64(0)])
    );
    assert_eq!(
        conv("trunc_sat_f32_u", "f32", "i32", f32v(-5.0)),
        Ok(vec![I32(0)])
    );
    assert_eq!(
        conv("convert_i64_u", "i64", "f32", I64(-1)),
        Ok(vec![f32v(18446744073709551616.0)])
    );
    assert_eq!(
        conv("convert_i64_s", "i64", "f64", I64(9007199254740993)),
        Ok(vec![f64v(9007199254740992.0)])
    );
    assert_eq!(
        conv("wrap_i64", "i64", "i32", I64(0x1_0000_0005)),
        Ok(vec![I32(5)])
    );
    assert_eq!(
        conv("extend_i32_u", "i32", "i64", I32(-1)),
        Ok(vec![I64(0xffff_ffff)])
    );
    assert_eq!(
        conv("demote_f64", "f64", "f32", f64v(1e300)),
        Ok(vec![f32v(f32::INFINITY)])
    );
}

#[test]
fn control_flow_and_multi_value() {
    let src = r#"(module
      (func $swap (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
      (func (export "swap") (param i32 i32) (result i32 i32) (call $swap (local.get 0) (local.get 1)))
      (func (export "blk") (result i32)
        (block (result i32) (i32.const 1) (block (param i32) (result i32) (i32.const 2) (i32.add)) (i32.const 10) (i32.mul)))
      (func (export "br_keep") (result i32)
        (block $b (result i32) (i32.const 99) (i32.const 5) (br $b) (drop) (i32.const 0)))
      (func (export "br_table") (param i32) (result i32)
        (block $a (block $b (block $c (br_table $a $b $c (local.get 0))) (return (i32.const 30)))
          (return (i32.const 20)))
        (i32.const 10))
      (func (export "loop_sum") (param i32) (result i32) (local i32)
        (loop $l (local.set 1 (i32.add (local.get 1) (local.get 0)))
          (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
        (local.get 1))
      (func (export "if") (param i32) (result i32)
        (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2))))
      (func (export "br_if_val") (param i32) (result i32)
        (drop (br_if 0 (i32.const 7) (local.get 0))) (i32.const 8))
      (func (export "select") (param i32) (result i64) (select (i64.const 3) (i64.const 4) (local.get 0)))
    )"#;
    let (mut s, i) = setup(src, Limits::default());
    assert_eq!(
        s.invoke(i, "swap", &[I32(1), I32(2)]).unwrap(),
        vec![I32(2), I32(1)]
    );
    assert_eq!(s.invoke(i, "blk", &[]).unwrap(), vec![I32(30)]);
    assert_eq!(s.invoke(i, "br_keep", &[]).unwrap(), vec![I32(5)]);
    assert_eq!(s.invoke(i, "br_table", &[I32(0)]).unwrap(), vec![I32(10)]);
    assert_eq!(s.invoke(i, "br_table", &[I32(1)]).unwrap(), vec![I32(20)]);
    assert_eq!(s.invoke(i, "br_table", &[I32(2)]).unwrap(), vec![I32(30)]);
    assert_eq!(s.invoke(i, "br_table", &[I32(99)]).unwrap(), vec![I32(30)]);
    assert_eq!(s.invoke(i, "loop_sum", &[I32(10)]).unwrap(), vec![I32(55)]);
    assert_eq!(s.invoke(i, "if", &[I32(0)]).unwrap(), vec![I32(2)]);
    assert_eq!(s.invoke(i, "if", &[I32(5)]).unwrap(), vec![I32(1)]);
    assert_eq!(s.invoke(i, "br_if_val", &[I32(1)]).unwrap(), vec![I32(7)]);
    assert_eq!(s.invoke(i, "br_if_val", &[I32(0)]).unwrap(), vec![I32(8)]);
    assert_eq!(s.invoke(i, "select", &[I32(0)]).unwrap(), vec![I64(4)]);
    assert_eq!(s.invoke(i, "select", &[I32(1)]).unwrap(), vec![I64(3)]);
}

#[test]
fn traps() {
    assert_eq!(
        trap_msg(r#"(module (func (export "f") unreachable))"#, "f", &[]),
        "unreachable"
    );
    let mem = r#"(module (memory 1)
      (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
      (func (export "load_off") (param i32) (result i32) (i32.load offset=4294967295 (local.get 0)))
      (func (export "store") (param i32) (i64.store (local.get 0) (i64.const 1))))"#;
    assert_eq!(run(mem, "load", &[I32(65532)]), Ok(vec![I32(0)]));
    assert_eq!(
        trap_msg(mem, "load", &[I32(65533)]),
        "out of bounds memory access"
    );
    assert_eq!(
        trap_msg(mem, "load", &[I32(-1)]),
        "out of bounds memory access"
    );
    assert_eq!(
        trap_msg(mem, "load_off", &[I32(1)]),
        "out of bounds memory access"
    );
    assert_eq!(
        trap_msg(mem, "store", &[I32(65529)]),
        "out of bounds memory access"
    );
    let ind = r#"(module (type $v (func)) (type $i (func (result i32)))
      (table 3 funcref) (elem (i32.const 0) $a $b)
      (func $a) (func $b (result i32) (i32.const 7))
      (func (export "call") (param i32) (call_indirect (type $v) (local.get 0)))
      (func (export "call_i") (param i32) (result i32) (call_indirect (type $i) (local.get 0))))"#;
    assert_eq!(run(ind, "call", &[I32(0)]), Ok(vec![]));
    assert_eq!(run(ind, "call_i", &[I32(1)]), Ok(vec![I32(7)]));
    assert_eq!(
        trap_msg(ind, "call", &[I32(1)]),
        "indirect call type mismatch"
    );
    assert_eq!(trap_msg(ind, "call", &[I32(2)]), "uninitialized element 2");
    assert_eq!(trap_msg(ind, "call", &[I32(3)]), "undefined element");
}

#[test]
fn bulk_memory_and_tables() {
    let src = r#"(module (memory 1) (data $d "hello") (data (i32.const 100) "xy")
      (table $t 2 10 funcref) (elem $e func $f $f) (func $f (result i32) (i32.const 1))
      (func (export "init") (param i32 i32 i32) (memory.init $d (local.get 0) (local.get 1) (local.get 2)))
      (func (export "drop") (data.drop $d))
      (func (export "byte") (param i32) (result i32) (i32.load8_u (local.get 0)))
      (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
      (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
      (func (export "tinit") (param i32 i32 i32) (table.init $t $e (local.get 0) (local.get 1) (local.get 2)))
      (func (export "tgrow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
      (func (export "tsize") (result i32) (table.size $t))
      (func (export "isnull") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
      (func (export "tfill") (param i32 i32) (table.fill $t (local.get 0) (ref.func $f) (local.get 1)))
    )"#;
    let (mut s, i) = setup(src, Limits::default());
    let b = |s: &mut Store, a: i32| s.invoke(i, "byte", &[I32(a)]).unwrap()[0];
    assert_eq!(b(&mut s, 100), I32(b'x' as i32));
    s.invoke(i, "init", &[I32(10), I32(1), I32(4)]).unwrap();
    assert_eq!(b(&mut s, 10), I32(b'e' as i32));
    assert_eq!(
        s.invoke(i, "init", &[I32(10), I32(2), I32(4)])
            .unwrap_err()
            .message(),
        "out of bounds memory access"
    );
    s.invoke(i, "init", &[I32(65536), I32(5), I32(0)]).unwrap();
    s.invoke(i, "drop", &[]).unwrap();
    assert_eq!(
        s.invoke(i, "init", &[I32(0), I32(0), I32(1)])
            .unwrap_err()
            .message(),
        "out of bounds memory access"
    );
    s.invoke(i, "init", &[I32(0), I32(0), I32(0)]).unwrap();
    s.invoke(i, "copy", &[I32(11), I32(10), I32(4)]).unwrap();
    assert_eq!(b(&mut s, 14), I32(b'o' as i32));
    assert_eq!(
        s.invoke(i, "copy", &[I32(65535), I32(0), I32(2)])
            .unwrap_err()
            .message(),
        "out of bounds memory access"
    );
    s.invoke(i, "fill", &[I32(200), I32(0x1ff), I32(3)])
        .unwrap();
    assert_eq!(b(&mut s, 202), I32(0xff));
    assert_eq!(s.invoke(i, "isnull", &[I32(0)]).unwrap(), vec![I32(1)]);
    s.invoke(i, "tinit", &[I32(0), I32(0), I32(2)]).unwrap();
    assert_eq!(s.invoke(i, "isnull", &[I32(1)]).unwrap(), vec![I32(0)]);
    assert_eq!(
        s.invoke(i, "isnull", &[I32(2)]).unwrap_err().message(),
        "out of bounds table access"
    );
    assert_eq!(s.invoke(i, "tgrow", &[I32(3)]).unwrap(), vec![I32(2)]);
    assert_eq!(s.invoke(i, "tgrow", &[I32(6)]).unwrap(), vec![I32(-1)]);
    assert_eq!(s.invoke(i, "tsize", &[]).unwrap(), vec![I32(5)]);
    s.invoke(i, "tfill", &[I32(3), I32(2)]).unwrap();
    assert_eq!(s.invoke(i, "isnull", &[I32(4)]).unwrap(), vec![I32(0)]);
    assert_eq!(
        s.invoke(i, "tfill", &[I32(4), I32(2)])
            .unwrap_err()
            .message(),
        "out of bounds table access"
    );
}

#[test]
fn memory_grow_limit() {
    let src = r#"(module (memory (export "mem") 1 10)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "size") (result i32) (memory.size)))"#;
    let limits = Limits {
        max_memory_bytes: 4 * 65536,
        ..Limits::default()
    };
    let (mut s, i) = setup(src, limits);
    assert_eq!(s.invoke(i, "grow", &[I32(2)]).unwrap(), vec![I32(1)]);
    assert_eq!(s.invoke(i, "grow", &[I32(2)]).unwrap(), vec![I32(-1)]);
    assert_eq!(s.invoke(i, "grow", &[I32(1)]).unwrap(), vec![I32(3)]);
    assert_eq!(s.invoke(i, "size", &[]).unwrap(), vec![I32(4)]);
    let m = s.memory_export(i, "mem").unwrap();
    assert_eq!(s.memory(m).len(), 4 * 65536);
    s.write_memory(m, 10, &[1, 2]).unwrap();
    let mut buf = [0; 2];
    s.read_memory(m, 10, &mut buf).unwrap();
    assert_eq!(buf, [1, 2]);
    // Past the declared maximum.
    let (mut s, i) = setup(src, Limits::default());
    assert_eq!(s.invoke(i, "grow", &[I32(10)]).unwrap(), vec![I32(-1)]);
    assert_eq!(s.invoke(i, "grow", &[I32(9)]).unwrap(), vec![I32(1)]);
}

#[test]
fn fuel() {
    let src = r#"(module (func (export "spin") (loop $l (br $l)))
      (func (export "short") (result i32) (i32.const 1)))"#;
    let (mut s, i) = setup(
        src,
        Limits {
            fuel: Some(10_000),
            ..Limits::default()
        },
    );
    let e = s.invoke(i, "spin", &[]).unwrap_err();
    assert_eq!(e.message(), "all fuel consumed");
    assert_eq!(e.class(), Class::Exhaustion);
    s.set_fuel(Some(100));
    assert_eq!(s.invoke(i, "short", &[]).unwrap(), vec![I32(1)]);
    assert!(s.fuel().unwrap() < 100);
}

#[test]
fn call_depth() {
    let src = r#"(module
      (func $r (export "runaway") (call $r))
      (func $m (export "mutual") (param i64) (result i64) (i64.add (call $m (local.get 0)) (i64.const 1)))
      (func $d (export "depth") (param i32) (result i32)
        (if (result i32) (local.get 0) (then (i32.add (call $d (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))
          (else (i32.const 0)))))"#;
    let (mut s, i) = setup(
        src,
        Limits {
            max_call_depth: 2_000_000,
            ..Limits::default()
        },
    );
    let e = s.invoke(i, "runaway", &[]).unwrap_err();
    assert_eq!(e.message(), "call stack exhausted");
    assert_eq!(e.class(), Class::Exhaustion);
    assert_eq!(
        s.invoke(i, "mutual", &[I64(0)]).unwrap_err().message(),
        "call stack exhausted"
    );
    // Deep but finite recursion works (no host recursion per guest call).
    assert_eq!(
        s.invoke(i, "depth", &[I32(500_000)]).unwrap(),
        vec![I32(500_000)]
    );
    let (mut s, i) = setup(
        src,
        Limits {
            max_call_depth: 100,
            ..Limits::default()
        },
    );
    assert_eq!(s.invoke(i, "depth", &[I32(99)]).unwrap(), vec![I32(99)]);
    assert_eq!(
        s.invoke(i, "depth", &[I32(100)]).unwrap_err().message(),
        "call stack exhausted"
    );
}

#[test]
fn tail_calls_run_in_constant_stack() {
    let src = r#"(module
      (func $count (export "count") (param i64 i64) (result i64)
        (if (result i64) (i64.eqz (local.get 0)) (then (local.get 1))
          (else (return_call $count (i64.sub (local.get 0) (i64.const 1)) (i64.add (local.get 1) (i64.const 1))))))
      (type $t (func (param i64 i64) (result i64)))
      (table funcref (elem $ind))
      (func $ind (export "ind") (param i64 i64) (result i64)
        (if (result i64) (i64.eqz (local.get 0)) (then (local.get 1))
          (else (return_call_indirect (type $t) (i64.sub (local.get 0) (i64.const 1)) (i64.add (local.get 1) (i64.const 2)) (i32.const 0))))))"#;
    let (mut s, i) = setup(
        src,
        Limits {
            max_call_depth: 10,
            ..Limits::default()
        },
    );
    assert_eq!(
        s.invoke(i, "count", &[I64(1_000_000), I64(0)]).unwrap(),
        vec![I64(1_000_000)]
    );
    assert_eq!(
        s.invoke(i, "ind", &[I64(100_000), I64(0)]).unwrap(),
        vec![I64(200_000)]
    );
}

#[test]
fn imports_between_instances_and_host() {
    let a = wat::parse_str(
        r#"(module (memory (export "mem") 1) (global $g (export "g") (mut i32) (i32.const 5))
        (table (export "tab") 2 funcref)
        (func (export "inc") (result i32) (global.set $g (i32.add (global.get $g) (i32.const 1)))
          (i32.store (i32.const 0) (global.get $g)) (global.get $g)))"#,
    )
    .unwrap();
    let b = wat::parse_str(
        r#"(module (import "a" "inc" (func $inc (result i32))) (import "a" "mem" (memory 1))
        (import "a" "g" (global $g (mut i32))) (import "host" "double" (func $d (param i32) (result i32)))
        (import "a" "tab" (table 1 funcref))
        (elem (i32.const 1) $inc)
        (func (export "go") (result i32) (drop (call $inc)) (i32.add (call $d (i32.load (i32.const 0))) (global.get $g))))"#,
    )
    .unwrap();
    let (ma, mb) = (Module::new(&a).unwrap(), Module::new(&b).unwrap());
    let mut s = Store::default();
    let ia = s.instantiate(&ma, &Imports::new()).unwrap();
    let dbl = s.host_func(
        FuncType::new([ValType::I32], [ValType::I32]),
        |args| match args {
            [Value::I32(x)] => Ok(vec![Value::I32(x * 2)]),
            _ => Err(Trap::Host("bad".into())),
        },
    );
    let mut imports = Imports::new();
    imports.define_instance(&s, "a", ia);
    imports.define("host", "double", Extern::Func(dbl));
    let ib = s.instantiate(&mb, &imports).unwrap();
    // inc runs in a's context: a's global and memory, shared with b.
    assert_eq!(s.invoke(ib, "go", &[]).unwrap(), vec![I32(12 + 6)]);
    assert_eq!(s.get_global(ia, "g"), Some(I32(6)));
    let Some(Extern::Table(t)) = s.export(ia, "tab") else {
        panic!()
    };
    assert!(matches!(s.table_get(t, 1), Some(Value::FuncRef(Some(_)))));

    // Unlinkable: unknown import, incompatible type.
    let e = s.instantiate(&mb, &Imports::new()).unwrap_err();
    assert_eq!(e.class, Class::Unlinkable);
    assert!(e.message.starts_with("unknown import"));
    let mut bad = imports.clone();
    bad.define("host", "double", Extern::Func(FuncHandle(0)));
    let e = s.instantiate(&mb, &bad).unwrap_err();
    assert_eq!(e.class, Class::Unlinkable);
    assert!(e.message.starts_with("incompatible import type"));
}

#[test]
fn instantiation_segments_and_start() {
    let src = r#"(module (memory 1) (global (export "g") (mut i32) (i32.const 0))
      (func $s (global.set 0 (i32.const 42))) (start $s))"#;
    let (s, i) = setup(src, Limits::default());
    assert_eq!(s.get_global(i, "g"), Some(I32(42)));
    let bad = wat::parse_str(r#"(module (memory 1) (data (i32.const 65535) "ab"))"#).unwrap();
    let e = Store::default()
        .instantiate(&Module::new(&bad).unwrap(), &Imports::new())
        .unwrap_err();
    assert_eq!(
        (e.class, e.message.as_str()),
        (Class::Uninstantiable, "out of bounds memory access")
    );
    let bad =
        wat::parse_str(r#"(module (table 1 funcref) (func $f) (elem (i32.const 1) $f))"#).unwrap();
    let e = Store::default()
        .instantiate(&Module::new(&bad).unwrap(), &Imports::new())
        .unwrap_err();
    assert_eq!(
        (e.class, e.message.as_str()),
        (Class::Uninstantiable, "out of bounds table access")
    );
    let trap = wat::parse_str(r#"(module (func $s unreachable) (start $s))"#).unwrap();
    let e = Store::default()
        .instantiate(&Module::new(&trap).unwrap(), &Imports::new())
        .unwrap_err();
    assert_eq!((e.class, e.message.as_str()), (Class::Trap, "unreachable"));
}

#[test]
fn malformed_and_invalid() {
    let e = Module::new(b"\0asm\x02\0\0\0").unwrap_err();
    assert_eq!(e.class, Class::Malformed);
    let e = Module::new(b"\0as").unwrap_err();
    assert_eq!(e.class, Class::Malformed);
    let invalid = wat::parse_str(r#"(module (func (result i32) (i64.const 0)))"#).unwrap();
    assert_eq!(Module::new(&invalid).unwrap_err().class, Class::Invalid);
}

#[test]
fn reference_values() {
    let src = r#"(module (table $t 2 externref)
      (func (export "set") (param externref) (table.set $t (i32.const 0) (local.get 0)))
      (func (export "get") (result externref) (table.get $t (i32.const 0)))
      (func (export "null") (result funcref) (ref.null func)))"#;
    let (mut s, i) = setup(src, Limits::default());
    s.invoke(i, "set", &[Value::ExternRef(Some(7))]).unwrap();
    assert_eq!(
        s.invoke(i, "get", &[]).unwrap(),
        vec![Value::ExternRef(Some(7))]
    );
    assert_eq!(
        s.invoke(i, "null", &[]).unwrap(),
        vec![Value::FuncRef(None)]
    );
    assert!(s.invoke(i, "set", &[I32(1)]).is_err());
}

/// The benchmark programs, with cheap arguments and independently computed results.
mod bench_programs {
    use super::*;

    fn dir() -> String {
        format!("{}/../shared/bench/interp", env!("CARGO_MANIFEST_DIR"))
    }

    /// The program's text with its driver for `arg`; panics (fails the test) when the
    /// benchmark inputs are missing.
    fn program(name: &str, arg: &str) -> Option<String> {
        let dir = dir();
        let read = |p: String| {
            std::fs::read_to_string(&p)
                .unwrap_or_else(|e| panic!("{p}: {e} (the benchmark inputs are missing)"))
        };
        let text = read(format!("{dir}/{name}.run.wat"));
        let tsv = read(format!("{dir}/PROGRAMS.tsv"));
        let row = tsv.lines().find(|l| l.split('\t').next() == Some(name))?;
        let driver = row.split('\t').nth(8)?.replace("@ARG@", arg);
        let body = &text[..text.find(";; benchmark driver")?];
        Some(format!("{body}\n{driver})"))
    }

    fn main(name: &str, arg: &str) -> Option<Value> {
        let src = program(name, arg)?;
        Some(one(&src, "main", &[]))
    }

    #[test]
    fn fib_rec() {
        fn fib(n: i64) -> i64 {
            if n <= 1 { n } else { fib(n - 1) + fib(n - 2) }
        }
        if let Some(v) = main("fib_rec", "20") {
            assert_eq!(v, I64(fib(20)));
        }
    }

    #[test]
    fn fib_tail() {
        let (mut a, mut b) = (0i64, 1i64);
        for _ in 0..100_000 {
            (a, b) = (b, a.wrapping_add(b));
        }
        if let Some(v) = main("fib_tail", "100000") {
            assert_eq!(v, I64(a));
        }
    }

    #[test]
    fn count_locals_divrem_indirect_mem_sum() {
        for (name, arg, want) in [
            ("count_locals", "100000", I32(0)),
            ("divrem", "10000", I32(0)),
            ("indirect_calls", "1000", I64(0)),
            ("mem_sum", "3", I64(3 * 65536)),
        ] {
            if let Some(v) = main(name, arg) {
                assert_eq!(v, want, "{name}");
            }
        }
    }
}

#[test]
fn fused_forms() {
    let src = r#"(module
      (func (export "eqz_br") (param i64) (result i32)
        (block $b (br_if $b (i64.eqz (local.get 0))) (return (i32.const 1))) (i32.const 0))
      (func (export "eqz_if") (param i64) (result i32)
        (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 0)) (else (i32.const 1))))
      (func (export "eqz_br_keep") (param i32) (result i32)
        (block $b (result i32) (i32.const 5) (i32.const 6) (br_if $b (i32.eqz (local.get 0))) (drop)))
      (func (export "divs") (param i32) (result i32 i32 i32 i32)
        (i32.div_s (local.get 0) (i32.const -3)) (i32.rem_s (local.get 0) (i32.const -3))
        (i32.div_u (local.get 0) (i32.const 3)) (i32.rem_u (local.get 0) (i32.const 3)))
      (func (export "label_after_eqz") (param i32) (result i32)
        (if (result i32) (block (result i32) (drop (br_if 0 (i32.const 1) (local.get 0))) (i32.eqz (i32.const 1)))
          (then (i32.const 10)) (else (i32.const 20))))
      (func (export "label_after_const") (param i32) (result i32)
        (i32.add (block (result i32) (drop (br_if 0 (i32.const 1) (local.get 0))) (i32.const 5)) (i32.const 100)))
      (func (export "div_m1") (param i32) (result i32) (i32.div_s (local.get 0) (i32.const -1)))
      (func (export "div_0") (param i64) (result i64) (i64.rem_u (local.get 0) (i64.const 0)))
      (func (export "subs") (param i32 i64) (result i32 i64)
        (i32.sub (local.get 0) (i32.const 5)) (i64.sub (i64.add (local.get 1) (i64.const 0)) (i64.const -5))))"#;
    let (mut s, i) = setup(src, Limits::default());
    assert_eq!(
        s.invoke(i, "eqz_br", &[I64(0x1_0000_0000)]).unwrap(),
        vec![I32(1)]
    );
    assert_eq!(s.invoke(i, "eqz_br", &[I64(0)]).unwrap(), vec![I32(0)]);
    assert_eq!(
        s.invoke(i, "eqz_if", &[I64(0x1_0000_0000)]).unwrap(),
        vec![I32(1)]
    );
    assert_eq!(s.invoke(i, "eqz_if", &[I64(0)]).unwrap(), vec![I32(0)]);
    assert_eq!(s.invoke(i, "eqz_br_keep", &[I32(0)]).unwrap(), vec![I32(6)]);
    assert_eq!(s.invoke(i, "eqz_br_keep", &[I32(1)]).unwrap(), vec![I32(5)]);
    assert_eq!(
        s.invoke(i, "label_after_eqz", &[I32(1)]).unwrap(),
        vec![I32(10)]
    );
    assert_eq!(
        s.invoke(i, "label_after_eqz", &[I32(0)]).unwrap(),
        vec![I32(20)]
    );
    assert_eq!(
        s.invoke(i, "label_after_const", &[I32(1)]).unwrap(),
        vec![I32(101)]
    );
    assert_eq!(
        s.invoke(i, "label_after_const", &[I32(0)]).unwrap(),
        vec![I32(105)]
    );
    assert_eq!(
        s.invoke(i, "divs", &[I32(-7)]).unwrap(),
        vec![I32(2), I32(-1), I32(1431655763), I32(0)]
    );
    assert_eq!(
        s.invoke(i, "div_m1", &[I32(i32::MIN)])
            .unwrap_err()
            .message(),
        "integer overflow"
    );
    assert_eq!(
        s.invoke(i, "div_0", &[I64(1)]).unwrap_err().message(),
        "integer divide by zero"
    );
    assert_eq!(
        s.invoke(i, "subs", &[I32(2), I64(1)]).unwrap(),
        vec![I32(-3), I64(6)]
    );
}

#[test]
fn fused_compare_branches() {
    let src = r#"(module
      (func (export "if_lt") (param i64 i64) (result i32)
        (if (result i32) (i64.lt_s (local.get 0) (local.get 1)) (then (i32.const 1)) (else (i32.const 0))))
      (func (export "br_geu") (param i32 i32) (result i32)
        (block $b (br_if $b (i32.ge_u (local.get 0) (local.get 1))) (return (i32.const 0))) (i32.const 1)))"#;
    let (mut s, i) = setup(src, Limits::default());
    for (a, b) in [(-1i64, 0i64), (0, -1), (5, 5), (i64::MIN, i64::MAX)] {
        assert_eq!(
            s.invoke(i, "if_lt", &[I64(a), I64(b)]).unwrap(),
            vec![I32((a < b) as i32)]
        );
        let (a, b) = (a as i32, b as i32);
        assert_eq!(
            s.invoke(i, "br_geu", &[I32(a), I32(b)]).unwrap(),
            vec![I32((a as u32 >= b as u32) as i32)]
        );
    }
}

const STACK: &str = r#"(module
  (global $__stack_pointer (mut i32) (i32.const 0x20000))
  (global (export "__stack_low") i32 (i32.const 0x10000))
  (global (export "__stack_high") i32 (i32.const 0x20000))
  (global $other (export "other") (mut i32) (i32.const 0))
  (func (export "alloc") (param i32) (result i32)
    (global.set $__stack_pointer (i32.sub (global.get $__stack_pointer) (local.get 0)))
    (global.get $__stack_pointer))
  (func (export "set_other") (param i32) (global.set $other (local.get 0))))"#;

#[test]
fn stack_guard_traps_outside_the_bounds() {
    let (mut s, i) = setup(STACK, Limits::default());
    assert_eq!(s.guard_stack(i), Some((0x10000, 0x20000)));
    // Down to the low bound exactly is fine.
    assert_eq!(
        s.invoke(i, "alloc", &[I32(0xfff0)]).unwrap(),
        vec![I32(0x10010)]
    );
    assert_eq!(
        s.invoke(i, "alloc", &[I32(0x10)]).unwrap(),
        vec![I32(0x10000)]
    );
    let t = s.invoke(i, "alloc", &[I32(0x10)]).unwrap_err();
    assert_eq!(t.class(), Class::Trap);
    assert_eq!(t.code(), Some(TrapCode::StackOverflow));
    assert_eq!(
        t.message(),
        "stack overflow: __stack_pointer would be 0xfff0, below __stack_low 0x10000"
    );
    // The trapping set did not happen.
    assert_eq!(s.invoke(i, "alloc", &[I32(0)]).unwrap(), vec![I32(0x10000)]);
    // Popping past the top.
    assert_eq!(
        s.invoke(i, "alloc", &[I32(-0x10001)])
            .unwrap_err()
            .message(),
        "stack overflow: __stack_pointer would be 0x20001, above __stack_high 0x20000"
    );
    // Other globals are not checked.
    s.invoke(i, "set_other", &[I32(1)]).unwrap();
    assert_eq!(s.get_global(i, "other"), Some(I32(1)));
}

#[test]
fn stack_guard_is_off_by_default_and_needs_the_bounds() {
    let (mut s, i) = setup(STACK, Limits::default());
    assert_eq!(s.invoke(i, "alloc", &[I32(0x20000)]).unwrap(), vec![I32(0)]);
    // An exported stack pointer, but no bounds: nothing to guard with.
    let (mut s, i) = setup(
        r#"(module (global (export "__stack_pointer") (mut i32) (i32.const 16)))"#,
        Limits::default(),
    );
    assert_eq!(s.guard_stack(i), None);
}

#[test]
fn stack_guard_by_exports_and_explicit_bounds() {
    // No name section: the stack pointer and its bounds are found by their export names.
    let src = r#"(module
      (global (export "__stack_pointer") (mut i64) (i64.const 100))
      (global (export "__stack_low") i64 (i64.const 50))
      (global (export "__stack_high") i64 (i64.const 100))
      (func (export "sp") (param i64) (global.set 0 (local.get 0))))"#;
    let wasm = wat::parse_str(src).unwrap();
    let module = Module::new(&wasm).unwrap();
    let mut s = Store::default();
    let i = s.instantiate(&module, &Imports::new()).unwrap();
    let Some(Extern::Global(sp)) = s.export(i, "__stack_pointer") else {
        panic!("no __stack_pointer")
    };
    s.set_stack_guard(sp, 60, 70);
    s.invoke(i, "sp", &[I64(60)]).unwrap();
    assert_eq!(
        s.invoke(i, "sp", &[I64(59)]).unwrap_err().message(),
        "stack overflow: __stack_pointer would be 0x3b, below __stack_low 0x3c"
    );
}

#[test]
fn imported_memory_too_small_is_incompatible() {
    let wasm = wat::parse_str(r#"(module (import "env" "memory" (memory 2)))"#).unwrap();
    let module = Module::new(&wasm).unwrap();
    let mut s = Store::default();
    let mem = s.new_memory(1, None).unwrap();
    let mut imports = Imports::new();
    imports.define("env", "memory", Extern::Memory(mem));
    let e = s.instantiate(&module, &imports).unwrap_err();
    assert_eq!(e.class, Class::Unlinkable);
    assert_eq!(e.message, "incompatible import type: env.memory");
    assert!(
        e.notes
            .iter()
            .any(|n| n == "the module needs at least 2 pages of memory, 1 given"),
        "{:?}",
        e.notes
    );
    // Two pages are enough.
    let mem = s.new_memory(2, None).unwrap();
    imports.define("env", "memory", Extern::Memory(mem));
    s.instantiate(&module, &imports).unwrap();
}

/// Decoding comes before validation: malformed binaries are malformed even where wasmparser's
/// validator would see them first.
#[test]
fn malformed_by_decoding_stage() {
    let malformed = |body: &[u8]| {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend_from_slice(body);
        Module::new(&wasm).unwrap_err().class
    };
    // Global mutability 2 (shared-everything-threads) is not a 2.0 encoding.
    assert_eq!(
        malformed(b"\x06\x06\x01\x7f\x02\x41\x00\x0b"),
        Class::Malformed
    );
    // memory.size's memory byte is a memory index (multi-memory): memory 1 is unknown.
    assert_eq!(
        malformed(b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x05\x03\x01\x00\x00\x0a\x07\x01\x05\x00\x3f\x01\x1a\x0b"),
        Class::Invalid
    );
    // Alignment exponent 32: with multi-memory (3.0) only bit 6 flags a memory index, so it
    // decodes, and is too large for i32.load (a validation error).
    assert_eq!(
        malformed(b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x05\x03\x01\x00\x01\x0a\x0a\x01\x08\x00\x41\x00\x28\x20\x00\x1a\x0b"),
        Class::Invalid
    );
    // Alignment exponent 31 decodes; it is too large for i32.load, which is a validation error.
    assert_eq!(
        malformed(b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x05\x03\x01\x00\x01\x0a\x0a\x01\x08\x00\x41\x00\x28\x1f\x00\x1a\x0b"),
        Class::Invalid
    );
    // Decoding follows the features: under WebAssembly 2.0 both are malformed again.
    let wasm2 = |body: &[u8]| {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend_from_slice(body);
        let f = wasmparser::WasmFeatures::WASM2 | wasmparser::WasmFeatures::TAIL_CALL;
        Module::load(&wasm, f).unwrap_err().class
    };
    assert_eq!(
        wasm2(b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x05\x03\x01\x00\x00\x0a\x07\x01\x05\x00\x3f\x01\x1a\x0b"),
        Class::Malformed
    );
    assert_eq!(
        wasm2(b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00\x05\x03\x01\x00\x01\x0a\x0a\x01\x08\x00\x41\x00\x28\x20\x00\x1a\x0b"),
        Class::Malformed
    );
    // A 64-bit memory (limits flag 4) is malformed without memory64.
    assert_eq!(wasm2(b"\x05\x03\x01\x04\x00"), Class::Malformed);
    assert!(Module::new(b"\0asm\x01\0\0\0\x05\x03\x01\x04\x00").is_ok());
    // A function section without a code section.
    assert_eq!(
        malformed(b"\x01\x04\x01\x60\x00\x00\x03\x02\x01\x00"),
        Class::Malformed
    );
    // Unknown section id.
    assert_eq!(malformed(b"\x0e\x01\x00"), Class::Malformed);
}

#[test]
fn uninitialized_element_names_the_index() {
    let src = r#"(module (type $t (func)) (table 10 funcref)
      (func (export "call") (param i32) (call_indirect (type $t) (local.get 0))))"#;
    let t = run(src, "call", &[I32(7)]).unwrap_err();
    assert_eq!(t.message(), "uninitialized element 7");
    assert_eq!(t.code(), Some(TrapCode::UninitializedElement));
    assert_eq!(t.class(), Class::Trap);
}

const V: u128 = 0x1111_2222_3333_4444_5555_6666_7777_8888;
const W: u128 = 0x9999_aaaa_bbbb_cccc_dddd_eeee_ffff_0000;

/// A v128 keeps all 128 bits wherever it only moves: parameters, results, locals, globals,
/// select, block and branch results, calls (direct, indirect, tail), multi-value, memory.
#[test]
fn v128_values_round_trip() {
    let src = r#"(module
      (memory 1)
      (global $g (mut v128) (v128.const i64x2 0 0))
      (table 1 funcref)
      (elem (i32.const 0) $id)
      (type $vv (func (param v128) (result v128)))
      (func $id (export "id") (param v128) (result v128) (local.get 0))
      (func (export "local") (param v128) (result v128) (local v128 i32 v128)
        (local.set 1 (local.get 0)) (local.set 3 (local.get 1)) (local.get 3))
      (func (export "global") (param v128) (result v128)
        (global.set $g (local.get 0)) (global.get $g))
      (func (export "select") (param v128 v128 i32) (result v128)
        (select (local.get 0) (local.get 1) (local.get 2)))
      (func (export "block") (param v128 i32) (result v128)
        (block (result v128) (local.get 0) (br_if 0 (local.get 1)) (drop) (v128.const i64x2 7 7)))
      (func (export "br_table") (param v128 i32) (result v128)
        (block (result v128) (block (result v128) (local.get 0) (local.get 1) (br_table 0 1)) (drop) (v128.const i64x2 9 9)))
      (func (export "call") (param v128) (result v128) (call $id (local.get 0)))
      (func (export "indirect") (param v128) (result v128) (call_indirect (type $vv) (local.get 0) (i32.const 0)))
      (func (export "tail") (param v128) (result v128) (return_call $id (local.get 0)))
      (func (export "multi") (param v128 v128) (result v128 i32 v128) (local.get 1) (i32.const 5) (local.get 0))
      (func (export "swap") (param v128 v128) (result v128 v128)
        (block (result v128 v128) (local.get 1) (local.get 0) (br 0)))
      (func (export "memory") (param v128) (result v128)
        (v128.store offset=3 (i32.const 0) (local.get 0)) (v128.load offset=3 (i32.const 0)))
      (func (export "const") (result v128) (v128.const i64x2 0x5555666677778888 0x1111222233334444))
      (func (export "if") (param v128 i32) (result v128)
        (if (result v128) (local.get 1) (then (local.get 0)) (else (v128.const i64x2 1 2)))))"#;
    let (mut s, i) = setup(src, Limits::default());
    let v = Value::V128(V);
    let w = Value::V128(W);
    for f in [
        "id", "local", "global", "call", "indirect", "tail", "memory",
    ] {
        assert_eq!(s.invoke(i, f, &[v]).unwrap(), vec![v], "{f}");
    }
    assert_eq!(s.invoke(i, "select", &[v, w, I32(1)]).unwrap(), vec![v]);
    assert_eq!(s.invoke(i, "select", &[v, w, I32(0)]).unwrap(), vec![w]);
    assert_eq!(s.invoke(i, "block", &[v, I32(1)]).unwrap(), vec![v]);
    assert_eq!(s.invoke(i, "br_table", &[v, I32(1)]).unwrap(), vec![v]);
    assert_eq!(
        s.invoke(i, "br_table", &[v, I32(0)]).unwrap(),
        vec![Value::V128(9 << 64 | 9)]
    );
    assert_eq!(s.invoke(i, "multi", &[v, w]).unwrap(), vec![w, I32(5), v]);
    assert_eq!(s.invoke(i, "swap", &[v, w]).unwrap(), vec![w, v]);
    assert_eq!(s.invoke(i, "const", &[]).unwrap(), vec![v]);
    assert_eq!(s.invoke(i, "if", &[v, I32(1)]).unwrap(), vec![v]);
    assert_eq!(
        s.invoke(i, "if", &[v, I32(0)]).unwrap(),
        vec![Value::V128(2 << 64 | 1)]
    );
    check_v128_host(v);
}

/// Through the host API: a host function takes and returns a v128, and a global holds one.
fn check_v128_host(v: Value) {
    let mut s = Store::default();
    let swap = s.host_func(
        FuncType::new([ValType::V128], [ValType::V128]),
        |args: &[Value]| match args[0] {
            Value::V128(x) => Ok(vec![Value::V128(x.rotate_left(64))]),
            _ => Err(Trap::Host("not a v128".into())),
        },
    );
    let g = s.new_global(v, true);
    let wasm = wat::parse_str(
        r#"(module
          (import "h" "swap" (func $swap (param v128) (result v128)))
          (import "h" "g" (global $g (mut v128)))
          (func (export "f") (result v128) (call $swap (global.get $g)))
          (func (export "t") (result v128) (return_call $swap (global.get $g))))"#,
    )
    .unwrap();
    let module = Module::new(&wasm).unwrap();
    let mut imports = Imports::new();
    imports.define("h", "swap", Extern::Func(swap));
    imports.define("h", "g", Extern::Global(g));
    let i = s.instantiate(&module, &imports).unwrap();
    let Value::V128(x) = v else { unreachable!() };
    let swapped = Value::V128(x.rotate_left(64));
    assert_eq!(s.invoke(i, "f", &[]).unwrap(), vec![swapped]);
    assert_eq!(s.invoke(i, "t", &[]).unwrap(), vec![swapped]);
    assert_eq!(s.global_value(g), v);
    assert!(s.set_global(g, swapped));
    assert_eq!(s.invoke(i, "f", &[]).unwrap(), vec![v]);
}

/// SIMD runs through every lowering shape: results into temporaries or straight into locals,
/// operands computed in place (ternary, shuffle, lane loads), scalar operands and results, and
/// memory accesses bounds-checked like the scalar ones.
#[test]
fn simd_executes() {
    let src = r#"(module (memory 1)
      (data (i32.const 0) "\00\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f")
      (func (export "add") (param v128 v128) (result v128)
        (i32x4.add (local.get 0) (local.get 1)))
      (func (export "into_local") (param v128 v128) (result v128) (local v128)
        (local.set 2 (i16x8.sub (local.get 0) (local.get 1)))
        (local.set 0 (v128.not (local.get 2)))
        (i8x16.add (local.get 0) (local.get 2)))
      (func (export "select_bits") (param v128 v128 v128) (result v128)
        (v128.bitselect (local.get 0) (local.get 1) (local.get 2)))
      (func (export "reverse") (param v128) (result v128)
        (i8x16.shuffle 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0 (local.get 0) (local.get 0)))
      (func (export "lanes") (param i32) (result i32)
        (i32x4.extract_lane 3
          (i32x4.replace_lane 3 (i32x4.splat (local.get 0)) (i32.add (local.get 0) (i32.const 1)))))
      (func (export "shl") (param v128 i32) (result v128) (i64x2.shl (local.get 0) (local.get 1)))
      (func (export "shl_const") (param v128) (result v128) (i8x16.shl (local.get 0) (i32.const 9)))
      (func (export "bitmask") (param v128) (result i32) (i8x16.bitmask (local.get 0)))
      (func (export "load_ext") (param i32) (result v128) (v128.load8x8_s offset=1 (local.get 0)))
      (func (export "load_lane") (param i32 v128) (result v128)
        (v128.load16_lane 7 (local.get 0) (local.get 1)))
      (func (export "store_lane") (param i32 v128) (result i64)
        (v128.store64_lane 1 (local.get 0) (local.get 1)) (i64.load (local.get 0)))
      (func (export "madd") (param v128 v128 v128) (result v128)
        (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))))"#;
    let (mut s, i) = setup(src, Limits::default());
    let v = |x: u128| Value::V128(x);
    let ones = 0x0000_0001_0000_0001_0000_0001_0000_0001u128;
    assert_eq!(
        s.invoke(i, "add", &[v(u128::MAX), v(ones)]).unwrap(),
        vec![v(0)],
        "lanes wrap without carrying into the next"
    );
    // x - y, then !(x - y) + (x - y) is all ones in every byte.
    assert_eq!(
        s.invoke(i, "into_local", &[v(V), v(W)]).unwrap(),
        vec![v(u128::MAX)]
    );
    assert_eq!(
        s.invoke(i, "select_bits", &[v(V), v(W), v(u128::MAX << 64)])
            .unwrap(),
        vec![v(V >> 64 << 64 | W & u64::MAX as u128)]
    );
    assert_eq!(
        s.invoke(i, "reverse", &[v(V)]).unwrap(),
        vec![v(V.swap_bytes())]
    );
    assert_eq!(s.invoke(i, "lanes", &[I32(41)]).unwrap(), vec![I32(42)]);
    assert_eq!(
        s.invoke(i, "shl", &[v(ones), I32(65)]).unwrap(),
        vec![v(ones << 1)]
    );
    assert_eq!(
        s.invoke(i, "shl_const", &[v(0x8181)]).unwrap(),
        vec![v(0x0202)]
    );
    assert_eq!(
        s.invoke(i, "bitmask", &[v(0x80 << 120 | 0xff)]).unwrap(),
        vec![I32(0x8001)]
    );
    assert_eq!(
        s.invoke(i, "load_ext", &[I32(0)]).unwrap(),
        vec![v(0x0008_0007_0006_0005_0004_0003_0002_0001)]
    );
    assert_eq!(
        s.invoke(i, "load_lane", &[I32(14), v(0)]).unwrap(),
        vec![v(0x0f0e << 112)]
    );
    assert_eq!(
        s.invoke(i, "store_lane", &[I32(8), v(V)]).unwrap(),
        vec![I64((V >> 64) as i64)]
    );
    let f = |x: f32| u128::from(x.to_bits()) * ones;
    assert_eq!(
        s.invoke(i, "madd", &[v(f(2.0)), v(f(3.0)), v(f(1.0))])
            .unwrap(),
        vec![v(f(7.0))]
    );
    let oob = |s: &mut Store, name: &str, args: &[Value]| s.invoke(i, name, args).unwrap_err();
    assert_eq!(
        oob(&mut s, "load_ext", &[I32(65536 - 8)]).message(),
        "out of bounds memory access"
    );
    assert_eq!(
        oob(&mut s, "load_lane", &[I32(65535), v(0)]).message(),
        "out of bounds memory access"
    );
    assert_eq!(
        oob(&mut s, "store_lane", &[I32(65529), v(0)]).message(),
        "out of bounds memory access"
    );
    assert_eq!(
        s.invoke(i, "load_lane", &[I32(65534), v(0)]).unwrap(),
        vec![v(0)]
    );
}

/// Without fuel, lowered code has no fuel ops; with fuel, it charges at entry and loop heads.
#[test]
fn fuel_ops_only_when_fuel_is_on() {
    let wasm = wat::parse_str(
        r#"(module (func (export "f") (param i32) (result i32)
            (loop $l (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))) (local.get 0)))"#,
    )
    .unwrap();
    let module = Module::new(&wasm).unwrap();
    let fuel_ops = |fuel: bool| {
        module
            .inner
            .code(0, fuel)
            .ops
            .iter()
            .filter(|i| matches!(i.op, super::code::Op::Fuel { .. }))
            .count()
    };
    assert_eq!(fuel_ops(false), 0);
    assert_eq!(fuel_ops(true), 2);
}

/// Bulk operations are charged by the bytes and elements they touch.
#[test]
fn bulk_operations_are_charged_by_size() {
    let src = r#"(module (memory 16) (table 100000 funcref)
      (func (export "fill") (param i32) (memory.fill (i32.const 0) (i32.const 1) (local.get 0)))
      (func (export "tfill") (param i32) (table.fill (i32.const 0) (ref.null func) (local.get 0))))"#;
    let limits = Limits {
        fuel: Some(1000),
        ..Limits::default()
    };
    let (mut s, i) = setup(src, limits);
    assert_eq!(s.invoke(i, "fill", &[I32(1024)]).unwrap(), vec![]);
    let e = s.invoke(i, "fill", &[I32(16 * 65536)]).unwrap_err();
    assert_eq!(e.message(), "all fuel consumed");
    s.set_fuel(Some(1000));
    assert_eq!(s.invoke(i, "tfill", &[I32(100)]).unwrap(), vec![]);
    let e = s.invoke(i, "tfill", &[I32(100000)]).unwrap_err();
    assert_eq!(e.message(), "all fuel consumed");
}

/// A `local.set` that overwrites a local still pending on the operand stack keeps the old
/// value for the pending use, in straight-line code and across blocks and branches.
#[test]
fn pending_local_reads_see_the_old_value() {
    let src = r#"(module
      (func (export "swap_sub") (param i32 i32) (result i32)
        (local.get 0) (local.set 0 (local.get 1)) (local.get 0) (i32.sub))
      (func (export "in_block") (param i32) (result i32)
        (local.get 0) (block (local.set 0 (i32.const 100))) (local.get 0) (i32.add))
      (func (export "in_if") (param i32 i32) (result i32)
        (local.get 0) (if (local.get 1) (then (local.set 0 (i32.const 100)))) (local.get 0) (i32.sub))
      (func (export "tee") (param i32) (result i32)
        (local.get 0) (local.tee 0 (i32.add (local.get 0) (i32.const 1))) (i32.mul))
      (func (export "return_pair") (param i32 i32) (result i32 i32)
        (local.get 1) (local.get 0)))"#;
    let (mut s, i) = setup(src, Limits::default());
    assert_eq!(
        s.invoke(i, "swap_sub", &[I32(10), I32(3)]).unwrap(),
        vec![I32(7)]
    );
    assert_eq!(s.invoke(i, "in_block", &[I32(1)]).unwrap(), vec![I32(101)]);
    assert_eq!(
        s.invoke(i, "in_if", &[I32(1), I32(1)]).unwrap(),
        vec![I32(-99)]
    );
    assert_eq!(
        s.invoke(i, "in_if", &[I32(1), I32(0)]).unwrap(),
        vec![I32(0)]
    );
    assert_eq!(s.invoke(i, "tee", &[I32(6)]).unwrap(), vec![I32(42)]);
    assert_eq!(
        s.invoke(i, "return_pair", &[I32(1), I32(2)]).unwrap(),
        vec![I32(2), I32(1)]
    );
}

// ---------------------------------------------------------------------------------------------
// WebAssembly 3.0: multi-memory, memory64, custom page sizes, atomics, wide arithmetic, typed
// function references (the general memory ops of `memory.rs`).

#[test]
fn memory64_bounds_at_the_edge() {
    let src = r#"(module (memory i64 1)
        (func (export "load") (param i64) (result i32) (i32.load (local.get 0)))
        (func (export "load_far") (param i64) (result i32)
            (i32.load offset=0xffff_ffff_ffff_fff0 (local.get 0)))
        (func (export "store") (param i64 i32) (i32.store (local.get 0) (local.get 1)))
        (func (export "size") (result i64) (memory.size))
        (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0))))"#;
    let (mut s, i) = setup(src, Limits::default());
    assert_eq!(s.invoke(i, "store", &[I64(65532), I32(7)]), Ok(vec![]));
    assert_eq!(s.invoke(i, "load", &[I64(65532)]), Ok(vec![I32(7)]));
    let oob = Err(Trap::Code(TrapCode::MemoryOutOfBounds));
    assert_eq!(s.invoke(i, "load", &[I64(65533)]), oob);
    // An address past 4 GiB is not truncated to 32 bits.
    assert_eq!(s.invoke(i, "load", &[I64(1 << 32)]), oob);
    assert_eq!(s.invoke(i, "load", &[I64(-1)]), oob);
    // Address + offset overflows 64 bits: out of bounds, not wrapped around to 0.
    assert_eq!(s.invoke(i, "load_far", &[I64(0x10)]), oob);
    assert_eq!(s.invoke(i, "load_far", &[I64(0x20)]), oob);
    assert_eq!(s.invoke(i, "store", &[I64(65533), I32(1)]), oob);
    // Growing past the store's byte limit fails with an i64 -1.
    assert_eq!(s.invoke(i, "grow", &[I64(1 << 40)]), Ok(vec![I64(-1)]));
    assert_eq!(s.invoke(i, "grow", &[I64(1)]), Ok(vec![I64(1)]));
    assert_eq!(s.invoke(i, "size", &[]), Ok(vec![I64(2)]));
    assert_eq!(s.invoke(i, "load", &[I64(2 * 65536 - 4)]), Ok(vec![I32(0)]));
}

#[test]
fn memory64_limits_past_the_host_are_refused() {
    let wasm = wat::parse_str("(module (memory i64 0x1_0000_0000_0000))").unwrap();
    let module = Module::new(&wasm).unwrap();
    let e = Store::default()
        .instantiate(&module, &Imports::new())
        .unwrap_err();
    assert_eq!(e.class, Class::Uninstantiable);
    assert!(
        e.to_string()
            .contains("memory size exceeds the store's limit"),
        "{e}"
    );
}

#[test]
fn copy_between_memories_and_overlapping_in_memory_1() {
    let src = r#"(module (memory $a 1) (memory $b 1)
        (data (memory $a) (i32.const 0) "abcdefgh")
        (func (export "a_to_b") (param i32 i32 i32) (memory.copy $b $a (local.get 0) (local.get 1) (local.get 2)))
        (func (export "b_to_b") (param i32 i32 i32) (memory.copy $b $b (local.get 0) (local.get 1) (local.get 2)))
        (func (export "b") (param i32) (result i32) (i32.load8_u $b (local.get 0)))
        (func (export "a") (param i32) (result i32) (i32.load8_u $a (local.get 0))))"#;
    let (mut s, i) = setup(src, Limits::default());
    let bytes = |s: &mut Store, mem: &str, n: i32| -> Vec<u8> {
        (0..n)
            .map(|k| match s.invoke(i, mem, &[I32(k)]).unwrap()[0] {
                Value::I32(v) => v as u8,
                v => panic!("{v:?}"),
            })
            .collect()
    };
    s.invoke(i, "a_to_b", &[I32(2), I32(0), I32(8)]).unwrap();
    assert_eq!(bytes(&mut s, "b", 10), b"\0\0abcdefgh");
    assert_eq!(bytes(&mut s, "a", 2), b"ab");
    // Overlapping, forward and backward: a memmove.
    s.invoke(i, "b_to_b", &[I32(3), I32(2), I32(4)]).unwrap();
    assert_eq!(bytes(&mut s, "b", 10), b"\0\0aabcdfgh");
    s.invoke(i, "b_to_b", &[I32(2), I32(3), I32(4)]).unwrap();
    assert_eq!(bytes(&mut s, "b", 10), b"\0\0abcddfgh");
    // Out of bounds in the source memory traps, and copies nothing.
    assert_eq!(
        s.invoke(i, "a_to_b", &[I32(0), I32(65535), I32(2)]),
        Err(Trap::Code(TrapCode::MemoryOutOfBounds))
    );
    assert_eq!(bytes(&mut s, "b", 2), b"\0\0");
}

#[test]
fn custom_page_sizes_count_in_their_own_pages() {
    let src = r#"(module (memory 2 (pagesize 1))
        (func (export "size") (result i32) (memory.size))
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
        (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))"#;
    let (mut s, i) = setup(src, Limits::default());
    assert_eq!(s.invoke(i, "size", &[]), Ok(vec![I32(2)]));
    assert_eq!(s.invoke(i, "load", &[I32(1)]), Ok(vec![I32(0)]));
    assert_eq!(
        s.invoke(i, "load", &[I32(2)]),
        Err(Trap::Code(TrapCode::MemoryOutOfBounds))
    );
    assert_eq!(s.invoke(i, "grow", &[I32(3)]), Ok(vec![I32(2)]));
    assert_eq!(s.invoke(i, "size", &[]), Ok(vec![I32(5)]));
    assert_eq!(s.invoke(i, "load", &[I32(4)]), Ok(vec![I32(0)]));
}

#[test]
fn atomics_in_a_single_thread() {
    let src = r#"(module (memory 1 1 shared)
        (func (export "add") (param i32 i32) (result i32) (i32.atomic.rmw.add (local.get 0) (local.get 1)))
        (func (export "xchg8") (param i32 i32) (result i32) (i32.atomic.rmw8.xchg_u (local.get 0) (local.get 1)))
        (func (export "cmpxchg16") (param i32 i32 i32) (result i32)
            (i32.atomic.rmw16.cmpxchg_u (local.get 0) (local.get 1) (local.get 2)))
        (func (export "load") (param i32) (result i32) (i32.atomic.load (local.get 0)))
        (func (export "load64") (param i32) (result i64) (i64.atomic.load (local.get 0)))
        (func (export "wait32") (param i32 i32) (result i32)
            (memory.atomic.wait32 (local.get 0) (local.get 1) (i64.const 0)))
        (func (export "notify") (param i32) (result i32) (memory.atomic.notify (local.get 0) (i32.const 1))))"#;
    let (mut s, i) = setup(src, Limits::default());
    assert_eq!(s.invoke(i, "add", &[I32(8), I32(5)]), Ok(vec![I32(0)]));
    assert_eq!(s.invoke(i, "add", &[I32(8), I32(-1)]), Ok(vec![I32(5)]));
    assert_eq!(s.invoke(i, "load", &[I32(8)]), Ok(vec![I32(4)]));
    // A narrow rmw returns the old byte zero-extended and writes only its byte.
    assert_eq!(
        s.invoke(i, "xchg8", &[I32(8), I32(0x1ff)]),
        Ok(vec![I32(4)])
    );
    assert_eq!(s.invoke(i, "load", &[I32(8)]), Ok(vec![I32(0xff)]));
    // cmpxchg compares the expected value wrapped to the width.
    assert_eq!(
        s.invoke(i, "cmpxchg16", &[I32(8), I32(0x1_00ff), I32(9)]),
        Ok(vec![I32(0xff)])
    );
    assert_eq!(s.invoke(i, "load", &[I32(8)]), Ok(vec![I32(9)]));
    assert_eq!(
        s.invoke(i, "cmpxchg16", &[I32(8), I32(1), I32(2)]),
        Ok(vec![I32(9)])
    );
    assert_eq!(s.invoke(i, "load", &[I32(8)]), Ok(vec![I32(9)]));
    let unaligned = Err(Trap::Code(TrapCode::UnalignedAtomic));
    assert_eq!(s.invoke(i, "load", &[I32(2)]), unaligned);
    assert_eq!(s.invoke(i, "load64", &[I32(4)]), unaligned);
    assert_eq!(s.invoke(i, "add", &[I32(1), I32(1)]), unaligned);
    assert_eq!(s.invoke(i, "notify", &[I32(2)]), unaligned);
    assert_eq!(
        s.invoke(i, "load", &[I32(65536)]),
        Err(Trap::Code(TrapCode::MemoryOutOfBounds))
    );
    // No other thread: notify wakes none; a wait either sees another value (1) or times out (2).
    assert_eq!(s.invoke(i, "notify", &[I32(8)]), Ok(vec![I32(0)]));
    assert_eq!(s.invoke(i, "wait32", &[I32(8), I32(0)]), Ok(vec![I32(1)]));
    assert_eq!(s.invoke(i, "wait32", &[I32(8), I32(9)]), Ok(vec![I32(2)]));
    let unshared = r#"(module (memory 1)
        (func (export "wait") (result i32) (memory.atomic.wait64 (i32.const 0) (i64.const 0) (i64.const -1))))"#;
    assert_eq!(trap_msg(unshared, "wait", &[]), "expected shared memory");
}

#[test]
fn wide_arithmetic() {
    let src = r#"(module
        (func (export "add128") (param i64 i64 i64 i64) (result i64 i64)
            (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
        (func (export "sub128") (param i64 i64 i64 i64) (result i64 i64)
            (i64.sub128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
        (func (export "mul_s") (param i64 i64) (result i64 i64) (i64.mul_wide_s (local.get 0) (local.get 1)))
        (func (export "mul_u") (param i64 i64) (result i64 i64) (i64.mul_wide_u (local.get 0) (local.get 1))))"#;
    let (mut s, i) = setup(src, Limits::default());
    assert_eq!(
        s.invoke(i, "add128", &[I64(-1), I64(0), I64(1), I64(0)]),
        Ok(vec![I64(0), I64(1)])
    );
    assert_eq!(
        s.invoke(i, "sub128", &[I64(0), I64(0), I64(1), I64(0)]),
        Ok(vec![I64(-1), I64(-1)])
    );
    assert_eq!(
        s.invoke(i, "mul_s", &[I64(-2), I64(3)]),
        Ok(vec![I64(-6), I64(-1)])
    );
    assert_eq!(
        s.invoke(i, "mul_u", &[I64(-1), I64(2)]),
        Ok(vec![I64(-2), I64(1)])
    );
}

#[test]
fn typed_function_references() {
    let src = r#"(module
        (type $t (func (param i32) (result i32)))
        (func $double (type $t) (i32.mul (local.get 0) (i32.const 2)))
        (elem declare func $double)
        (func (export "call") (param i32 i32) (result i32)
            (call_ref $t (local.get 0)
                (if (result (ref null $t)) (local.get 1)
                    (then (ref.func $double)) (else (ref.null $t)))))
        (func (export "tail") (param i32) (result i32)
            (return_call_ref $t (local.get 0) (ref.func $double)))
        (func (export "non_null") (param i32) (result i32)
            (ref.is_null (ref.as_non_null
                (if (result (ref null $t)) (local.get 0)
                    (then (ref.func $double)) (else (ref.null $t))))))
        (func (export "on_null") (param i32) (result i32) (local $r (ref null $t))
            (block $null
                (local.set $r (br_on_null $null
                    (if (result (ref null $t)) (local.get 0)
                        (then (ref.func $double)) (else (ref.null $t)))))
                (return (call_ref $t (i32.const 10) (local.get $r))))
            (i32.const -1))
        (func (export "on_non_null") (param i32) (result i32) (local $r (ref null $t))
            (local.set $r (block $f (result (ref $t))
                (br_on_non_null $f
                    (if (result (ref null $t)) (local.get 0)
                        (then (ref.func $double)) (else (ref.null $t))))
                (return (i32.const -1))))
            (call_ref $t (i32.const 21) (local.get $r)))
        (table $tab 2 (ref null $t) (ref.func $double))
        (func (export "from_table") (param i32) (result i32)
            (call_indirect $tab (type $t) (i32.const 4) (local.get 0))))"#;
    let (mut s, i) = setup(src, Limits::default());
    assert_eq!(s.invoke(i, "call", &[I32(5), I32(1)]), Ok(vec![I32(10)]));
    assert_eq!(
        s.invoke(i, "call", &[I32(5), I32(0)]),
        Err(Trap::Code(TrapCode::NullFunctionReference))
    );
    assert_eq!(s.invoke(i, "tail", &[I32(4)]), Ok(vec![I32(8)]));
    assert_eq!(s.invoke(i, "non_null", &[I32(1)]), Ok(vec![I32(0)]));
    assert_eq!(
        s.invoke(i, "non_null", &[I32(0)]).unwrap_err().message(),
        "null reference"
    );
    assert_eq!(s.invoke(i, "on_null", &[I32(1)]), Ok(vec![I32(20)]));
    assert_eq!(s.invoke(i, "on_null", &[I32(0)]), Ok(vec![I32(-1)]));
    assert_eq!(s.invoke(i, "on_non_null", &[I32(0)]), Ok(vec![I32(-1)]));
    assert_eq!(s.invoke(i, "on_non_null", &[I32(1)]), Ok(vec![I32(42)]));
    // Every element of the table starts as its initializer's value.
    assert_eq!(s.invoke(i, "from_table", &[I32(1)]), Ok(vec![I32(8)]));
}

#[test]
fn table64_indices_are_i64() {
    let src = r#"(module (table $t i64 3 funcref)
        (func $f (result i32) (i32.const 7))
        (elem (table $t) (i64.const 2) func $f)
        (func (export "size") (result i64) (table.size $t))
        (func (export "grow") (param i64) (result i64) (table.grow $t (ref.null func) (local.get 0)))
        (func (export "is_null") (param i64) (result i32) (ref.is_null (table.get $t (local.get 0))))
        (func (export "call") (param i64) (result i32) (call_indirect $t (result i32) (local.get 0))))"#;
    let (mut s, i) = setup(src, Limits::default());
    assert_eq!(s.invoke(i, "call", &[I64(2)]), Ok(vec![I32(7)]));
    assert_eq!(s.invoke(i, "is_null", &[I64(1)]), Ok(vec![I32(1)]));
    // An index past 32 bits is out of bounds, not truncated.
    assert_eq!(
        s.invoke(i, "is_null", &[I64((1 << 32) + 2)]),
        Err(Trap::Code(TrapCode::TableOutOfBounds))
    );
    assert_eq!(
        s.invoke(i, "call", &[I64((1 << 32) + 2)]),
        Err(Trap::Code(TrapCode::UndefinedElement))
    );
    assert_eq!(s.invoke(i, "grow", &[I64(1 << 40)]), Ok(vec![I64(-1)]));
    assert_eq!(s.invoke(i, "grow", &[I64(2)]), Ok(vec![I64(3)]));
    assert_eq!(s.invoke(i, "size", &[]), Ok(vec![I64(5)]));
}

/// A `while` loop (`loop { br_if $exit cond; …; br $loop }`) runs its condition once per
/// iteration: the back edge becomes the negated condition, and the results stay the same.
#[test]
fn while_loops_are_rotated() {
    let src = r#"(module
      (func (export "sum_to") (param $n i32) (result i32) (local $i i32) (local $s i32)
        (block $exit
          (loop $loop
            (br_if $exit (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $s (i32.add (local.get $s) (local.get $i)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $loop)))
        (local.get $s)))"#;
    let (mut s, i) = setup(src, Limits::default());
    for n in [0u32, 1, 2, 10, 1000] {
        let expected = (0..n).sum::<u32>() as i32;
        assert_eq!(
            s.invoke(i, "sum_to", &[I32(n as i32)]).unwrap(),
            vec![I32(expected)]
        );
    }
    let module = Module::new(&wat::parse_str(src).unwrap()).unwrap();
    let code = module.inner.code(0, false);
    let ops: Vec<_> = code.ops.iter().map(|i| i.op).collect();
    assert!(
        !ops.iter()
            .any(|op| matches!(op, super::code::Op::Jump { .. })),
        "the back edge is still a jump: {ops:?}"
    );
    assert!(
        ops.iter()
            .any(|op| matches!(op, super::code::Op::BrI32LtU { .. })),
        "no negated exit condition on the back edge: {ops:?}"
    );
}

/// Superinstructions run both ops; a branch to the second op of a pair still runs it alone; a
/// trap in either half names that half's instruction.
#[test]
fn superinstructions_keep_each_op() {
    let src = r#"(module
      (memory 1)
      (data (i32.const 16) "\01\02\03\04")
      ;; i32.add (const) then i32.load: a pair; the block's branch lands between them.
      (func (export "pair") (param $p i32) (param $skip i32) (result i32) (local $a i32)
        (local.set $a (local.get $p))
        (block $b
          (br_if $b (local.get $skip))
          (local.set $a (i32.add (local.get $a) (i32.const 4))))
        (i32.load (local.get $a)))
      ;; counted loop: i32.sub (const) then br_if on the result.
      (func (export "count") (param $n i32) (result i32) (local $k i32)
        (loop $l
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (local.get $k)))"#;
    let module = Module::new(&wat::parse_str(src).unwrap()).unwrap();
    for f in 0..2 {
        let ops = &module.inner.code(f, false).ops;
        assert!(super::interp::superinstructions_in(ops) > 0, "{ops:?}");
    }
    let (mut s, i) = setup(src, Limits::default());
    assert_eq!(
        s.invoke(i, "pair", &[I32(12), I32(0)]).unwrap(),
        vec![I32(0x0403_0201)]
    );
    assert_eq!(
        s.invoke(i, "pair", &[I32(16), I32(1)]).unwrap(),
        vec![I32(0x0403_0201)]
    );
    assert_eq!(
        s.invoke(i, "pair", &[I32(14), I32(1)]).unwrap(),
        vec![I32(0x0201_0000)]
    );
    assert_eq!(s.invoke(i, "count", &[I32(5)]).unwrap(), vec![I32(5)]);
    assert_eq!(s.invoke(i, "count", &[I32(1)]).unwrap(), vec![I32(1)]);
    // The load of the pair traps out of bounds, after the add, and the backtrace names the
    // load (`i32.load` with alignment 2 and offset 0: 0x28 0x02 0x00).
    let t = s.invoke(i, "pair", &[I32(65533), I32(0)]).unwrap_err();
    assert!(t.to_string().contains("out of bounds memory access"), "{t}");
    let wasm = wat::parse_str(src).unwrap();
    let load = wasm
        .windows(3)
        .position(|w| w == [0x28, 0x02, 0x00])
        .unwrap() as u32;
    assert_eq!(s.backtrace()[0].offset, Some(load));
    let t = s.invoke(i, "pair", &[I32(65533), I32(1)]).unwrap_err();
    assert!(t.to_string().contains("out of bounds memory access"), "{t}");
}

/// Ops lowering fuses from two wasm instructions (a bit field, a scaled index, a `br_table`
/// index bias) compute what the two compute, including shift counts of 32 or more, wrapping,
/// and where the first result is also kept (no fusion then).
#[test]
fn fused_ops_compute_what_their_parts_do() {
    let src = r#"(module
      (func (export "field") (param i32) (result i32)
        (i32.and (i32.shr_u (local.get 0) (i32.const 7)) (i32.const 255)))
      (func (export "field35") (param i32) (result i32)
        (i32.and (i32.shr_u (local.get 0) (i32.const 35)) (i32.const -1)))
      (func (export "field_kept") (param i32) (result i32) (local $t i32)
        (i32.add
          (i32.and (local.tee $t (i32.shr_u (local.get 0) (i32.const 4))) (i32.const 15))
          (local.get $t)))
      (func (export "scaled") (param i32 i32) (result i32)
        (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 4))))
      (func (export "scaled_left") (param i32 i32) (result i32)
        (i32.add (i32.shl (local.get 1) (i32.const 33)) (local.get 0)))
      (func (export "switch") (param i32) (result i32)
        (block $d (block $c (block $b (block $a
          (br_table $a $b $c $d (i32.sub (local.get 0) (i32.const 5))))
          (return (i32.const 10)))
          (return (i32.const 11)))
          (return (i32.const 12)))
        (i32.const 13))
      (func (export "switch_add") (param i32) (result i32)
        (block $b (block $a
          (br_table $a $b (i32.add (local.get 0) (i32.const -2147483648))))
          (return (i32.const 20)))
        (i32.const 21)))"#;
    let module = Module::new(&wat::parse_str(src).unwrap()).unwrap();
    let lowered = |f: u32| format!("{:?}", module.inner.code(f, false).ops);
    assert!(lowered(0).contains("I32ShrUAndImm"), "{}", lowered(0));
    assert!(!lowered(2).contains("I32ShrUAndImm"), "{}", lowered(2));
    assert!(lowered(3).contains("I32AddShlImm"), "{}", lowered(3));
    assert!(lowered(4).contains("I32AddShlImm"), "{}", lowered(4));
    assert!(!lowered(5).contains("I32SubImm"), "{}", lowered(5));
    assert!(!lowered(6).contains("I32AddImm"), "{}", lowered(6));
    let (mut s, i) = setup(src, Limits::default());
    let mut call = |name: &str, args: &[Value]| match s.invoke(i, name, args).unwrap()[..] {
        [Value::I32(v)] => v,
        ref r => panic!("{name}: {r:?}"),
    };
    assert_eq!(call("field", &[I32(0x1234_5678)]), (0x1234_5678 >> 7) & 255);
    assert_eq!(call("field", &[I32(-1)]), 255);
    assert_eq!(call("field35", &[I32(-8)]), (-8i32 as u32 >> 3) as i32);
    assert_eq!(call("field_kept", &[I32(0xabc)]), 0xb + 0xab);
    assert_eq!(call("scaled", &[I32(100), I32(3)]), 148);
    assert_eq!(call("scaled", &[I32(-1), I32(0x1000_0001)]), 15);
    assert_eq!(call("scaled_left", &[I32(100), I32(3)]), 106);
    for (x, r) in [(4, 13), (5, 10), (6, 11), (7, 12), (8, 13), (i32::MIN, 13)] {
        assert_eq!(call("switch", &[I32(x)]), r, "switch({x})");
    }
    for (x, r) in [(i32::MIN, 20), (i32::MIN + 1, 21), (0, 21), (-1, 21)] {
        assert_eq!(call("switch_add", &[I32(x)]), r, "switch_add({x})");
    }
}

/// A value computed just before a loop that takes it as a parameter is not fused with what the
/// loop does first: the back edge enters the loop again with a new value.
#[test]
fn loop_parameters_are_not_fused_across_the_loop_start() {
    let src = r#"(module
      (func (export "local_set") (result i32) (local $x i32) (local $n i32)
        (i32.add (local.get $n) (i32.const 5))
        (loop $l (param i32)
          (local.set $x)
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br_if $l (i32.add (local.get $x) (i32.const 10)) (i32.lt_u (local.get $n) (i32.const 3)))
          (drop))
        (local.get $x))
      (func (export "br_if") (param $k i32) (result i32) (local $n i32)
        (block $out
          (i32.lt_u (local.get $k) (i32.const 1))
          (loop $l (param i32)
            (br_if $out)
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $l (i32.ge_u (local.get $n) (i32.const 3)))))
        (local.get $n)))"#;
    let (mut s, i) = setup(src, Limits::default());
    assert_eq!(s.invoke(i, "local_set", &[]).unwrap(), vec![I32(25)]);
    // The first exit test is the comparison before the loop, the next ones the loop's own.
    assert_eq!(s.invoke(i, "br_if", &[I32(5)]).unwrap(), vec![I32(3)]);
    assert_eq!(s.invoke(i, "br_if", &[I32(0)]).unwrap(), vec![I32(0)]);
}

/// A store of a constant keeps the constant in the op when an `i32` immediate gives its bytes;
/// every width stores what the plain store would, and an `i64` constant that is no sign-extended
/// `i32` is stored from a cell.
#[test]
fn stores_of_constants_store_their_bytes() {
    let src = r#"(module (memory 1)
      (func (export "stores") (param $a i32) (result i64)
        (i64.store (local.get $a) (i64.const -1))
        (i32.store8 offset=1 (local.get $a) (i32.const 0x1ab))
        (i64.store16 offset=2 (local.get $a) (i64.const 0x7_cdef))
        (f32.store offset=8 (local.get $a) (f32.const -0.0))
        (i64.store32 offset=12 (local.get $a) (i64.const 0x1_2345_6789))
        (i64.load (local.get $a)))
      (func (export "wide") (param $a i32) (result i64)
        (i64.store (local.get $a) (i64.const 0x1_0000_0000))
        (f64.store offset=8 (local.get $a) (f64.const 1.5))
        (i64.add (i64.load (local.get $a)) (i64.load offset=8 (local.get $a))))
      (func (export "word") (param $a i32) (result i64) (i64.load offset=8 (local.get $a)))
      (func (export "edge") (result i32)
        (i32.store (i32.const 65533) (i32.const 7))
        (i32.const 0)))"#;
    let module = Module::new(&wat::parse_str(src).unwrap()).unwrap();
    let lowered = |f: u32| format!("{:?}", module.inner.code(f, false).ops);
    for imm in [
        "I64StoreImm",
        "I32Store8Imm",
        "I32Store16Imm",
        "I32StoreImm",
    ] {
        assert!(lowered(0).contains(imm), "{imm}: {}", lowered(0));
    }
    assert!(!lowered(1).contains("StoreImm"), "{}", lowered(1));
    let (mut s, i) = setup(src, Limits::default());
    let one = |r: Vec<Value>| match r[..] {
        [Value::I64(v)] => v,
        ref r => panic!("{r:?}"),
    };
    assert_eq!(
        one(s.invoke(i, "stores", &[I32(16)]).unwrap()),
        0xffff_ffff_cdef_abffu64 as i64
    );
    assert_eq!(
        one(s.invoke(i, "word", &[I32(16)]).unwrap()),
        0x2345_6789_8000_0000
    );
    assert_eq!(
        one(s.invoke(i, "wide", &[I32(0)]).unwrap()),
        0x1_0000_0000 + 1.5f64.to_bits() as i64
    );
    let err = s.invoke(i, "edge", &[]).unwrap_err();
    assert!(err.to_string().contains("out of bounds"), "{err}");
}
