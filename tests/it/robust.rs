//! No input may panic the compiler, overflow the host stack, or produce output for bad text.

use std::panic::{AssertUnwindSafe, catch_unwind};

/// A small deterministic PRNG (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn compile_does_not_panic(text: &str) {
    let result = catch_unwind(AssertUnwindSafe(|| {
        if let Err(e) = watlink::compile_str(text) {
            assert!(!e.errors.is_empty());
            let _ = e.render();
        }
    }));
    assert!(result.is_ok(), "compiler panicked on:\n{text}");
}

#[test]
fn random_bytes_give_errors_not_panics() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let alphabet = b"()$\"\\;@ \n0x1.-+eimnpqrtuv_abcdefgl=";
    for _ in 0..3000 {
        let len = rng.below(80);
        let bytes: Vec<u8> = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        compile_does_not_panic(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn mutated_spec_modules_give_errors_not_panics() {
    let sources = [
        include_str!("../../examples/hello.wat"),
        "(module (type (func (param i32) (result i32))) (func (type 0) local.get 0) (table 1 funcref) (elem (i32.const 0) 0) (memory 1) (data (i32.const 0) \"ab\") (global (mut i32) (i32.const 0)) (export \"f\" (func 0)))",
        "(module (func (param i64 i64) (result i64) (block (result i64) (loop (br_if 1 (i64.const 1) (i32.const 0)) (br 0)))) (func v128.const i32x4 1 2 3 4 i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 drop))",
    ];
    let mut rng = Rng(42);
    for src in sources {
        let tokens: Vec<&str> = src.split_inclusive([' ', '(', ')']).collect();
        for _ in 0..1500 {
            let mut t = tokens.clone();
            match rng.below(3) {
                0 => {
                    t.remove(rng.below(t.len()));
                }
                1 => {
                    let (a, b) = (rng.below(t.len()), rng.below(t.len()));
                    t.swap(a, b);
                }
                _ => {
                    let i = rng.below(t.len());
                    let j = rng.below(t.len());
                    t.insert(i, tokens[j]);
                }
            }
            compile_does_not_panic(&t.concat());
        }
    }
}

const DEPTH: usize = 100_000;

#[test]
fn deeply_nested_folded_blocks() {
    let text = format!(
        "(module (func {}{}))",
        "(block ".repeat(DEPTH),
        ")".repeat(DEPTH)
    );
    compile_does_not_panic(&text);
    let text = format!(
        "(module (func {}{}))",
        "(block ".repeat(DEPTH),
        ")".repeat(DEPTH - 1)
    );
    assert!(watlink::compile_str(&text).is_err());
}

#[test]
fn deeply_nested_flat_blocks() {
    let text = format!(
        "(module (func {}{}))",
        "block ".repeat(DEPTH),
        "end ".repeat(DEPTH)
    );
    compile_does_not_panic(&text);
}

#[test]
fn deeply_nested_folded_operands() {
    let text = format!(
        "(module (func (result i32) {}(i32.const 0){}))",
        "(i32.eqz ".repeat(DEPTH),
        ")".repeat(DEPTH)
    );
    compile_does_not_panic(&text);
}

#[test]
fn non_utf8_input_gets_a_located_error() {
    let err = watlink::text_from_bytes("x.wat", b"(module)\n(; \xff ;)".to_vec()).unwrap_err();
    let e = err.first();
    assert_eq!(e.message, "malformed UTF-8 encoding");
    assert_eq!(e.span.map(|s| s.start), Some(12));
    assert!(err.render().contains("x.wat:2:4"), "{}", err.render());
}
