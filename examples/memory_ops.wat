;; Passive data with memory.init and data.drop; memory.grow and memory.size; a load out of bounds.
(module
  (memory (export "memory") 1 3)
  (data $greeting "hello")

  ;; Copies the passive segment to $dst, then drops it; a second call traps.
  (func (export "init") (param $dst i32)
    (memory.init $greeting (local.get $dst) (i32.const 0) (i32.const 5))
    (data.drop $greeting))
  (func (export "load8") (param $addr i32) (result i32) (i32.load8_u (local.get $addr)))

  ;; memory.grow returns the old size in pages, or -1 past the maximum (3 pages).
  (func (export "grow") (param $pages i32) (result i32) (memory.grow (local.get $pages)))
  (func (export "size_pages") (result i32) (memory.size))
  (func (export "size_bytes") (result i32) (i32.mul (memory.size) (i32.const 65536)))

  ;; The last byte of memory is in bounds; one past it traps.
  (func (export "last_byte") (result i32)
    (i32.load8_u (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 1))))
  (func (export "past_end") (result i32)
    (i32.load8_u (i32.mul (memory.size) (i32.const 65536)))))
