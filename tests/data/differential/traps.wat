;; Every trap category once. Minimized repros of differential mismatches go beside this file.
(module
  (type $v (func))
  (table 2 funcref)
  (elem (i32.const 0) func $ok)
  (memory 1 1)
  (func $ok (param i32) (result i32) local.get 0)
  (func (export "unreachable") unreachable)
  (func (export "memory") (result i32) i32.const 65536 i32.load)
  (func (export "undefined element") i32.const 5 call_indirect (type $v))
  (func (export "uninitialized") i32.const 1 call_indirect (type $v))
  (func (export "signature") i32.const 0 call_indirect (type $v)))
