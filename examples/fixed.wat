;; Data the way tutorials write it: at fixed addresses, no (@place …). `watlink link` keeps each
;; segment where it is and plans the stack and the heap around them:
;;   watlink link examples/fixed.wat -z stack-size=8192 -o fixed.wasm --print-map
(module
  (import "env" "__heap_base" (global $heap_base i32))
  (memory 1)
  (data (i32.const 0) "Hello, fixed world!")
  (data $table (i32.const 1024) "\01\02\03\04\05\06\07\08")
  ;; The first byte of the greeting: 72 ('H').
  (func (export "first") (result i32) (i32.load8_u (i32.const 0)))
  ;; Clears 256 bytes from __heap_base: never a fixed byte, whatever the flags.
  (func (export "clear_heap") (memory.fill (global.get $heap_base) (i32.const 0) (i32.const 256)))
  ;; The sum of the table: 36.
  (func (export "table_sum") (result i32)
    (local $i i32) (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (i32.const 8)))
        (local.set $sum (i32.add (local.get $sum) (i32.load8_u (i32.add (i32.const 1024) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum)))
