//! Inputs whose diagnostics must cost time and output linear in their size, shared by the test
//! (`tests/it/ui.rs`, output size) and the benchmark (`benches/diagnostics.rs`, time).

#![allow(dead_code)]

/// A 9 KB module on one line with a type error in every function (about 270 errors).
pub fn one_line_9k() -> String {
    let mut text = String::from("(module");
    while text.len() < 9 * 1024 {
        text.push_str(" (func (result i32) (i64.const 0))");
    }
    text.push(')');
    text
}

/// A valid module of about 300 KB (one function per line), then mutated: in every 7th function an
/// `i32` became `i64`, so it has a few thousand errors spread over the whole text.
pub fn mutated_300k() -> String {
    let mut text = String::from("(module\n  (memory 1)\n");
    let mut i = 0;
    while text.len() < 300 * 1024 {
        let ty = if i % 7 == 3 { "i64" } else { "i32" };
        text.push_str(&format!(
            "  (func $f{i} (param $a i32) (result i32) (i32.add (local.get $a) ({ty}.const {i})) \
             (i32.store offset=4 (local.get $a) (i32.const 1)))\n"
        ));
        i += 1;
    }
    text.push(')');
    text
}
