;; Two functions with a type error each; type_errors.wasm is this file compiled with --no-validate.
(module
  (func $answer (result i32)
    i64.const 42)
  (func $negate (param $x i32) (result i32)
    local.get $x
    f32.neg)
  (func $fine (result i32) i32.const 1))
