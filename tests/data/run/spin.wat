;; run: --invoke spin --timeout 0.2
;; An endless loop: `--timeout` stops it, and the backtrace shows where it was.
(module
  (func $spin (export "spin")
    (loop $forever
      (br $forever))))
