;; A UTF-8 string in a data segment, read back through the exported memory.
;; "xịn xò" is 6 characters and 9 bytes: "ị" and "ò" take 3 and 2 bytes.
(module
  (memory (export "memory") 1)
  (data (i32.const 0) "xịn xò")
  (global $len i32 (i32.const 9))

  ;; Length of the string in bytes.
  (func (export "byte_len") (result i32) (global.get $len))

  ;; Number of characters: bytes that are not UTF-8 continuation bytes (10xxxxxx).
  (func (export "char_count") (result i32)
    (local $i i32) (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (global.get $len)))
        (if (i32.ne (i32.and (i32.load8_u (local.get $i)) (i32.const 0xC0)) (i32.const 0x80))
          (then (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $n)))
