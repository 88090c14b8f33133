;; Placed data for `watlink link`: the linker chooses the addresses, as wasm-ld would.
;;   watlink link examples/placed.wat -o placed.wasm --print-map
(module
  (import "env" "__heap_base" (global $heap_base i32))        ;; synthesized symbols: imports from "env"
  (import "env" "__stack_pointer" (global $sp (mut i32)))
  (import "watlink:data" "greeting" (global $greeting i32))   ;; address of placed segment $greeting
  (import "watlink:size" "greeting" (global $greeting_len i32))  ;; its length in bytes
  (import "watlink:data" "buffer" (global $buffer i32))
  (memory 1)                                                   ;; replaced by the linker's memory
  (data $greeting (@place rodata (align 1)) "xịn xò")         ;; read-only
  (data $counter (@place data (align 4)) "\00\00\00\00")      ;; writable
  (data $buffer (@place bss (align 16) (size 4096)))          ;; zero-initialised: reserved, no bytes
  (func (export "get") (result i32) (global.get $greeting))
  (func (export "len") (result i32) (global.get $greeting_len))
  (func (export "first_byte") (result i32) (i32.load8_u (global.get $greeting)))
  (func (export "heap") (result i32) (global.get $heap_base))
  (func (export "buffer") (result i32) (global.get $buffer)))
