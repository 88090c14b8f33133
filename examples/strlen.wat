;; strlen over a null-terminated string, and a length-prefixed array of i32.
(module
  (memory (export "memory") 1)
  (data (i32.const 16) "watlink\00")
  ;; At 32: length 4 (i32), then 4 little-endian i32s: 10, 20, 30, 40.
  (data (i32.const 32) "\04\00\00\00" "\0a\00\00\00" "\14\00\00\00" "\1e\00\00\00" "\28\00\00\00")

  (func $strlen (export "strlen") (param $s i32) (result i32)
    (local $p i32)
    (local.set $p (local.get $s))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (i32.sub (local.get $p) (local.get $s)))

  ;; Sum of a length-prefixed i32 array at $a.
  (func (export "sum_array") (param $a i32) (result i32)
    (local $i i32) (local $n i32) (local $sum i32)
    (local.set $n (i32.load (local.get $a)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum
          (i32.add (local.get $sum)
            (i32.load offset=4 (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum)))
