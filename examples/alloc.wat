;; A bump allocator for `watlink link`: the heap starts at __heap_base (which the linker defines)
;; and memory grows when an allocation does not fit.
;;   watlink link examples/greet.wat examples/alloc.wat -o greet.wasm --print-map
(module
  (import "env" "__heap_base" (global $heap_base i32))
  (memory 1)                                     ;; replaced by the linker's memory
  (global $next (mut i32) (i32.const 0))
  ;; Returns `size` bytes, 16-aligned; traps if memory cannot grow.
  (func $alloc (export "alloc") (param $size i32) (result i32)
    (local $p i32) (local $end i32) (local $have i32)
    (if (i32.eqz (global.get $next)) (then (global.set $next (global.get $heap_base))))
    (local.set $p (i32.and (i32.add (global.get $next) (i32.const 15)) (i32.const -16)))
    (local.set $end (i32.add (local.get $p) (local.get $size)))
    (local.set $have (i32.mul (memory.size) (i32.const 65536)))
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.eq (i32.const -1)
              (memory.grow (i32.shr_u (i32.add (i32.sub (local.get $end) (local.get $have))
                                               (i32.const 65535))
                                      (i32.const 16))))
          (then unreachable))))
    (global.set $next (local.get $end))
    (local.get $p)))
