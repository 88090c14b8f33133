;; A bump allocator: hands out memory upward from `__heap_base` and grows memory a page at a time
;; when an allocation does not fit. Nothing is ever freed (`reset` starts over).
;;
;;   watlink link examples/bump_alloc.wat -z stack-size=8192 -o bump_alloc.wasm
;;
;; With the stack first (watlink's default) memory is: [0, 8192) stack, then static data (none
;; here), then the heap from `__heap_base` (8192) to the end of memory, which `alloc` grows.
(module
  (import "env" "__heap_base" (global $heap_base i32))   ;; defined by the linker
  (memory 1)                                              ;; replaced by the linker's memory

  ;; The next free byte; 0 until the first allocation (an imported global cannot initialise
  ;; another global in WebAssembly 2.0, so it is set lazily).
  (global $next (mut i32) (i32.const 0))

  ;; alloc(size, align) -> address of `size` bytes aligned to `align` (a power of two),
  ;; or 0 when memory cannot grow enough.
  (func $alloc (export "alloc") (param $size i32) (param $align i32) (result i32)
    (local $addr i32) (local $end i64)
    (if (i32.eqz (global.get $next))
      (then (global.set $next (global.get $heap_base))))
    ;; addr = (next + align - 1) & -align, in 64 bits so that it cannot wrap.
    (local.set $end
      (i64.and
        (i64.add (i64.extend_i32_u (global.get $next))
                 (i64.extend_i32_u (i32.sub (local.get $align) (i32.const 1))))
        (i64.sub (i64.const 0) (i64.extend_i32_u (local.get $align)))))
    (local.set $addr (i32.wrap_i64 (local.get $end)))
    (local.set $end (i64.add (local.get $end) (i64.extend_i32_u (local.get $size))))
    ;; Grow a page at a time until [addr, end) is inside memory.
    (block $fits
      (loop $grow
        (br_if $fits
          (i64.le_u (local.get $end)
                    (i64.shl (i64.extend_i32_u (memory.size)) (i64.const 16))))
        (if (i32.lt_s (memory.grow (i32.const 1)) (i32.const 0))
          (then (return (i32.const 0))))
        (br $grow)))
    (global.set $next (i32.wrap_i64 (local.get $end)))
    (local.get $addr))

  ;; Memory size in pages.
  (func (export "pages") (result i32) (memory.size))

  ;; Forget every allocation.
  (func (export "reset") (global.set $next (global.get $heap_base))))
