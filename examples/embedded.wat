;; A module for a memory-tight embedded host: memory is exactly what the module needs up to
;; `__heap_base`, it never grows (no `memory.grow` here, and the maximum equals the minimum), and
;; `__heap_base` is exported so the host knows where its own scratch space may start.
;;
;;   watlink link examples/embedded.wat -z stack-size=4096 --no-growable-memory -o embedded.wasm
;;
;; Layout: [0, 4096) stack, the calibration table (rodata), the sample ring buffer (bss: address
;; space only, no bytes in the binary), then `__heap_base`; memory ends at the next page boundary.
(module
  (import "watlink:data" "calibration" (global $calibration i32))
  (import "watlink:data" "samples" (global $samples i32))
  (memory 1)                                                  ;; replaced by the linker's memory

  ;; Gain per channel, in 1/256ths.
  (data $calibration (@place rodata (align 4))
    "\00\01\00\00" "\80\01\00\00" "\00\02\00\00" "\c0\00\00\00")
  ;; 16384 samples of 4 bytes: 64 KiB, so the module needs a second page.
  (data $samples (@place bss (align 16) (size 65536)))

  (global $count (mut i32) (i32.const 0))

  ;; record(channel, raw): calibrates `raw` for `channel` (0..3) and stores it in the ring buffer.
  (func (export "record") (param $channel i32) (param $raw i32)
    (i32.store
      (i32.add (global.get $samples)
               (i32.shl (i32.and (global.get $count) (i32.const 16383)) (i32.const 2)))
      (i32.shr_s
        (i32.mul (local.get $raw)
                 (i32.load (i32.add (global.get $calibration)
                                    (i32.shl (i32.and (local.get $channel) (i32.const 3))
                                             (i32.const 2)))))
        (i32.const 8)))
    (global.set $count (i32.add (global.get $count) (i32.const 1))))

  ;; The mean of the samples recorded (at most the last 16384).
  (func (export "mean") (result i32)
    (local $n i32) (local $i i32) (local $sum i32)
    (local.set $n (select (i32.const 16384) (global.get $count)
                          (i32.gt_u (global.get $count) (i32.const 16384))))
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum
          (i32.add (local.get $sum)
                   (i32.load (i32.add (global.get $samples)
                                      (i32.shl (local.get $i) (i32.const 2))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.div_s (local.get $sum) (local.get $n))))
