;; The host provides the memory: `sum` adds the i32s at 0 and 4 and stores the result at 8.
;; Run from Node.js with examples/sum.mjs, or from Rust with a memory the host creates.
(module
  (import "js" "mem" (memory 1))
  (func (export "sum")
    (i32.store (i32.const 8)
      (i32.add (i32.load (i32.const 0)) (i32.load (i32.const 4))))))
