;; A small module: a greeting in memory, and a function that computes with it.
(module $hello
  (memory (export "memory") 1)
  (data (i32.const 16) "Hello, WebAssembly!")

  ;; Sum of the bytes of the greeting: a loop over memory.
  (func $checksum (export "checksum") (result i32)
    (local $i i32) (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.const 19)))
        (local.set $sum
          (i32.add (local.get $sum)
                   (i32.load8_u offset=16 (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum))

  (func (export "fac") (param $n i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.const 1))
      (else (i64.mul (local.get $n) (call 1 (i64.sub (local.get $n) (i64.const 1))))))))
