/* zstd benchmark driver (interpreter benchmark, held-out real programs).

   Written for this benchmark. The library is Zstandard 1.5.7, the
   single-file amalgamation zstd/zstd.c bundled in the PyPI sdist
   zstandard==0.25.0, compiled by build.sh. The module exports
   run(n) -> i32 and main() = run(BENCH_N).

   run(n) does n rounds. Round r fills a SIZE-byte buffer with text-like
   data from a PCG32 generator seeded with r (words from a small vocabulary,
   decimal numbers, punctuation, line breaks and now and then a run of
   random bytes), then for each level in LEVELS compresses it with
   ZSTD_compress2 (one frame, content checksum on, so XXH64 runs too),
   decompresses it with ZSTD_decompressDCtx, and compares the result with
   the input: a size or byte mismatch, or a zstd error, traps. The checksum
   is FNV-1a over every compressed frame's size and bytes, masked to 31 bits.
   The contexts are created and freed by each call, so run(n) always gives
   the same value.

   Nothing is imported. zstd.c turns on ZSTD_MULTITHREAD (pthreads) for every
   platform but Emscripten; wasi-libc has no pthreads, so build.sh defines
   __EMSCRIPTEN__ for zstd.c, which only keeps ZSTD_MULTITHREAD off. The
   dictionary builder in zstd.c (fprintf, clock) is never called, so the
   linker leaves it out. Memory comes from wasi-libc's malloc (dlmalloc over
   memory.grow); libc's stdio back end is replaced by traps (../common/bench.h). */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ZSTD_STATIC_LINKING_ONLY
#include "zstd.h"

#ifndef BENCH_N
#define BENCH_N 2
#endif
#ifndef SIZE
#define SIZE (192 * 1024)
#endif

static const int LEVELS[] = { 1, 3, 6 };

#include "bench.h"

/* ---- driver ---- */

static void check(size_t r) {
  if (ZSTD_isError(r)) __builtin_trap();
}

EXPORT("run")
int run(int n) {
  static int ctors_done;
  if (!ctors_done) { __wasm_call_ctors(); ctors_done = 1; }

  size_t cap = ZSTD_compressBound(SIZE);
  unsigned char *src = malloc(SIZE), *dst = malloc(cap), *back = malloc(SIZE);
  ZSTD_CCtx *cctx = ZSTD_createCCtx();
  ZSTD_DCtx *dctx = ZSTD_createDCtx();
  if (!src || !dst || !back || !cctx || !dctx) __builtin_trap();

  uint32_t h = 0x811c9dc5u;
  for (int r = 0; r < n; r++) {
    fill(src, SIZE, (uint32_t)r);
    for (size_t l = 0; l < sizeof LEVELS / sizeof LEVELS[0]; l++) {
      check(ZSTD_CCtx_reset(cctx, ZSTD_reset_session_and_parameters));
      check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, LEVELS[l]));
      check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1));
      size_t csize = ZSTD_compress2(cctx, dst, cap, src, SIZE);
      check(csize);
      if (ZSTD_getFrameContentSize(dst, csize) != SIZE) __builtin_trap();
      size_t dsize = ZSTD_decompressDCtx(dctx, back, SIZE, dst, csize);
      check(dsize);
      if (dsize != SIZE || memcmp(src, back, SIZE) != 0) __builtin_trap();
      h = fnv_u32(h, (uint32_t)csize);
      h = fnv(h, dst, csize);
    }
  }

  ZSTD_freeDCtx(dctx);
  ZSTD_freeCCtx(cctx);
  free(back); free(dst); free(src);
  return bench_result(h);
}

BENCH_MAIN()
