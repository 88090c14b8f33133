/* Brotli benchmark driver (interpreter benchmark, held-out real programs).

   Written for this benchmark. The library is Brotli 1.2.1, the C sources
   (c/common, c/enc, c/dec) bundled in the PyPI sdist Brotli==1.2.1,
   compiled by build.sh. The module exports run(n) -> i32 and
   main() = run(BENCH_N).

   run(n) does n rounds. Round r fills a SIZE-byte buffer with text-like
   data from a PCG32 generator seeded with r (words from a small vocabulary,
   decimal numbers, punctuation, line breaks and now and then a run of
   random bytes), then for each quality in QUALITIES compresses it with
   BrotliEncoderCompress (window 2^22, generic mode), decompresses it with
   BrotliDecoderDecompress, and compares the result with the input: a
   failure, a size or a byte mismatch traps. Quality 1 is the one-pass fast
   path (compress_fragment), 3 the quick hashers, 6 the full path (chained
   hashing, block splitting, context modelling). The checksum is FNV-1a over
   every compressed stream's size and bytes, masked to 31 bits. Nothing is
   kept between calls, so run(n) always gives the same value.

   Nothing is imported. The encoder uses log2 (wasi-libc's libm, no host
   call); memory comes from wasi-libc's malloc (dlmalloc over memory.grow);
   libc's stdio back end is replaced by traps (../common/bench.h). Brotli's encoder is
   built in its default out-of-memory mode (BROTLI_ENCODER_EXIT_ON_OOM), in
   which a failed allocation calls exit(); libc's exit would import WASI
   proc_exit, so exit() below traps instead. No Brotli source is changed and
   no macro is set. */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <brotli/decode.h>
#include <brotli/encode.h>

#ifndef BENCH_N
#define BENCH_N 1
#endif
#ifndef SIZE
#define SIZE (256 * 1024)
#endif

static const int QUALITIES[] = { 1, 3, 6 };

#include "bench.h"

#ifdef __wasm__
/* Brotli's encoder calls exit(EXIT_FAILURE) when malloc fails (enc/memory.c,
   BROTLI_ENCODER_EXIT_ON_OOM): trap, rather than import WASI proc_exit. */
_Noreturn void exit(int status) {
  (void)status;
  __builtin_trap();
}
#endif

/* ---- driver ---- */

EXPORT("run")
int run(int n) {
  static int ctors_done;
  if (!ctors_done) { __wasm_call_ctors(); ctors_done = 1; }

  size_t cap = BrotliEncoderMaxCompressedSize(SIZE);
  unsigned char *src = malloc(SIZE), *dst = malloc(cap), *back = malloc(SIZE);
  if (!cap || !src || !dst || !back) __builtin_trap();

  uint32_t h = 0x811c9dc5u;
  for (int r = 0; r < n; r++) {
    fill(src, SIZE, (uint32_t)r);
    for (size_t q = 0; q < sizeof QUALITIES / sizeof QUALITIES[0]; q++) {
      size_t csize = cap;
      if (!BrotliEncoderCompress(QUALITIES[q], 22, BROTLI_MODE_GENERIC, SIZE,
                                 src, &csize, dst))
        __builtin_trap();
      size_t dsize = SIZE;
      if (BrotliDecoderDecompress(csize, dst, &dsize, back) !=
          BROTLI_DECODER_RESULT_SUCCESS)
        __builtin_trap();
      if (dsize != SIZE || memcmp(src, back, SIZE) != 0) __builtin_trap();
      h = fnv_u32(h, (uint32_t)csize);
      h = fnv(h, dst, csize);
    }
  }

  free(back); free(dst); free(src);
  return bench_result(h);
}

BENCH_MAIN()
