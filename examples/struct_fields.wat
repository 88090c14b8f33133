;; A struct in linear memory, fields reached with `offset=`:
;;   struct point { i32 x; i32 y; i16 tag; i8 flags; }   ;; at address 64
;; plus partial loads (sign versus zero extension) and little-endian byte order.
(module
  (memory (export "memory") 1)
  (func (export "store_point") (param $p i32) (param $x i32) (param $y i32)
    (i32.store offset=0 (local.get $p) (local.get $x))
    (i32.store offset=4 (local.get $p) (local.get $y))
    (i32.store16 offset=8 (local.get $p) (i32.const -2))
    (i32.store8 offset=10 (local.get $p) (i32.const 0x81)))
  (func (export "y") (param $p i32) (result i32) (i32.load offset=4 (local.get $p)))
  (func (export "tag_signed") (param $p i32) (result i32) (i32.load16_s offset=8 (local.get $p)))
  (func (export "tag_unsigned") (param $p i32) (result i32) (i32.load16_u offset=8 (local.get $p)))
  (func (export "flags_signed") (param $p i32) (result i32) (i32.load8_s offset=10 (local.get $p)))
  (func (export "flags_unsigned") (param $p i32) (result i32) (i32.load8_u offset=10 (local.get $p)))
  ;; Byte k of the little-endian word 0x04030201 stored at $p is k+1.
  (func (export "byte_of_word") (param $p i32) (param $k i32) (result i32)
    (i32.store (local.get $p) (i32.const 0x04030201))
    (i32.load8_u (i32.add (local.get $p) (local.get $k)))))
