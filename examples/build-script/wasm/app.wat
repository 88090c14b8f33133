;; Linked by build.rs with watlink::build (like `watlink link wasm/app.wat -z stack-size=8192
;; --export=__heap_base`). The linker places $greeting; the host finds it via GREETING_ADDR/LEN.
(module
  (import "watlink:data" "greeting" (global $greeting i32))
  (import "watlink:size" "greeting" (global $greeting_len i32))
  (memory 1)
  (data $greeting (@place rodata) "Hello from a build script!")
  ;; The sum of the greeting's bytes: the host checks the module sees the same bytes it reads.
  (func (export "checksum") (result i32)
    (local $i i32) (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (global.get $greeting_len)))
        (local.set $sum
          (i32.add (local.get $sum)
            (i32.load8_u (i32.add (global.get $greeting) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum)))
