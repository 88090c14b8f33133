;; run:
;; The start function traps while the module is instantiated.
(module
  (func $boom unreachable)
  (func $init (call $boom))
  (start $init))
