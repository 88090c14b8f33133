;; run: --invoke 'fill 65530 4' --invoke 'fill 65534 4'
;; The second call stores past the end of the one-page memory.
(module
  (memory 1)
  (func $store_at (param $p i32) (param $v i32)
    (i32.store8 (local.get $p) (local.get $v)))
  (func $fill (export "fill") (param $p i32) (param $n i32)
    (local $i i32)
    (loop $next
      (call $store_at
        (i32.add (local.get $p) (local.get $i))
        (i32.const 0x2a))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))))
