;; Uses placed data and another input's export: link with examples/alloc.wat.
;;   watlink link examples/greet.wat examples/alloc.wat -o greet.wasm --print-map
;;   watlink run greet.wasm --invoke greet       # address of a heap copy of the greeting
(module
  (import "alloc" "alloc" (func $alloc (param i32) (result i32)))   ;; bound to alloc.wat's export
  (import "watlink:data" "greeting" (global $greeting i32))
  (import "watlink:size" "greeting" (global $greeting_len i32))
  (import "watlink:data" "calls" (global $calls i32))
  (memory 1)
  (data $greeting (@place rodata) "Xin chào, watlink!")
  (data $calls (@place bss (align 4) (size 4)))
  ;; Copies the greeting to the heap; returns the copy's address.
  (func (export "greet") (result i32)
    (local $p i32)
    (i32.store (global.get $calls) (i32.add (i32.load (global.get $calls)) (i32.const 1)))
    (local.set $p (call $alloc (global.get $greeting_len)))
    (memory.copy (local.get $p) (global.get $greeting) (global.get $greeting_len))
    (local.get $p))
  (func (export "calls") (result i32) (i32.load (global.get $calls)))
  (func (export "first_byte") (param $p i32) (result i32) (i32.load8_u (local.get $p))))
