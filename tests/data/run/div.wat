;; run: --invoke main 0
(module
  (func $div (param $a i32) (param $b i32) (result i32)
    (i32.div_s (local.get $a) (local.get $b)))
  (func $middle (param i32) (result i32)
    (call $div (i32.const 10) (local.get 0)))
  (func (export "main") (param i32) (result i32)
    (i32.add
      (i32.const 1)
      (call $middle (local.get 0)))))
