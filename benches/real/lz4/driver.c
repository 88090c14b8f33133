/* LZ4 benchmark driver (interpreter benchmark, held-out real programs).

   Written for this benchmark. The library is LZ4 1.9.4, the C sources in
   lz4libs/ (lz4.c, lz4hc.c, lz4frame.c, xxhash.c) bundled in the PyPI sdist
   lz4==4.4.5, compiled by build.sh. The module exports run(n) -> i32 and
   main() = run(BENCH_N).

   run(n) does n rounds. Round r fills a SIZE-byte buffer with text-like
   data from a PCG32 generator seeded with r (words from a small vocabulary,
   decimal numbers, punctuation, line breaks and now and then a run of
   random bytes), then compresses it five ways and decompresses each result
   with LZ4_decompress_safe (block format) or LZ4F_decompress (frame
   format), comparing with the input (a failure, a size or a byte mismatch
   traps):
   - LZ4_compress_default (acceleration 1) and LZ4_compress_fast
     (acceleration 8): the fast greedy compressor, hash table of 4-byte
     sequences, byte-copy and match-length loops;
   - LZ4_compress_HC at levels 4 (hash chains) and 10 (more chain search);
   - LZ4F_compressFrame, level 0, with 64 KiB linked blocks and the content
     checksum (XXH32 over the whole input, checked again by LZ4F_decompress,
     which decodes it in 32 KiB pieces through its own buffer).
   The checksum is FNV-1a over every compressed output's size and bytes,
   masked to 31 bits. Nothing is kept between calls, so run(n) always gives
   the same value.

   Nothing is imported. Memory comes from wasi-libc's malloc (dlmalloc over
   memory.grow); libc's stdio back end is replaced by traps (../common/bench.h). No LZ4
   source is changed and no macro is set. */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lz4.h"
#include "lz4hc.h"
#include "lz4frame.h"

#ifndef BENCH_N
#define BENCH_N 2
#endif
#ifndef SIZE
#define SIZE (160 * 1024)
#endif

#include "bench.h"

/* ---- driver ---- */

static uint32_t block_round(uint32_t h, const unsigned char *src,
                            unsigned char *dst, int cap, unsigned char *back,
                            int csize) {
  if (csize <= 0) __builtin_trap();
  int dsize = LZ4_decompress_safe((const char *)dst, (char *)back, csize, SIZE);
  if (dsize != SIZE || memcmp(src, back, SIZE) != 0) __builtin_trap();
  (void)cap;
  h = fnv_u32(h, (uint32_t)csize);
  return fnv(h, dst, (size_t)csize);
}

EXPORT("run")
int run(int n) {
  static int ctors_done;
  if (!ctors_done) { __wasm_call_ctors(); ctors_done = 1; }

  LZ4F_preferences_t prefs;
  memset(&prefs, 0, sizeof prefs);
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockLinked;
  prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
  prefs.frameInfo.contentSize = SIZE;
  prefs.compressionLevel = 0;

  int cap = LZ4_compressBound(SIZE);
  size_t fcap = LZ4F_compressFrameBound(SIZE, &prefs);
  if ((size_t)cap > fcap) fcap = (size_t)cap;
  unsigned char *src = malloc(SIZE), *dst = malloc(fcap), *back = malloc(SIZE);
  void *hc_state = malloc((size_t)LZ4_sizeofStateHC());
  LZ4F_dctx *dctx;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
    __builtin_trap();
  if (!cap || !src || !dst || !back || !hc_state) __builtin_trap();

  uint32_t h = 0x811c9dc5u;
  for (int r = 0; r < n; r++) {
    fill(src, SIZE, (uint32_t)r);
    const char *s = (const char *)src;
    char *d = (char *)dst;
    h = block_round(h, src, dst, cap, back, LZ4_compress_default(s, d, SIZE, cap));
    h = block_round(h, src, dst, cap, back, LZ4_compress_fast(s, d, SIZE, cap, 8));
    h = block_round(h, src, dst, cap, back,
                    LZ4_compress_HC_extStateHC(hc_state, s, d, SIZE, cap, 4));
    h = block_round(h, src, dst, cap, back,
                    LZ4_compress_HC_extStateHC(hc_state, s, d, SIZE, cap, 10));

    size_t fsize = LZ4F_compressFrame(dst, fcap, src, SIZE, &prefs);
    if (LZ4F_isError(fsize)) __builtin_trap();
    size_t in = 0, out = 0, ret = 1;
    while (in < fsize && ret != 0) {
      size_t in_len = fsize - in, out_len = SIZE - out;
      if (out_len > 32 * 1024) out_len = 32 * 1024;
      ret = LZ4F_decompress(dctx, back + out, &out_len, dst + in, &in_len, NULL);
      if (LZ4F_isError(ret)) __builtin_trap();
      in += in_len;
      out += out_len;
      if (in_len == 0 && out_len == 0) __builtin_trap();
    }
    if (ret != 0 || in != fsize || out != SIZE || memcmp(src, back, SIZE) != 0)
      __builtin_trap();
    h = fnv_u32(h, (uint32_t)fsize);
    h = fnv(h, dst, fsize);
  }

  LZ4F_freeDecompressionContext(dctx);
  free(hc_state); free(back); free(dst); free(src);
  return bench_result(h);
}

BENCH_MAIN()
