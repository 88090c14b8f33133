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
   memory.grow); libc's stdio back end is replaced by traps below. No LZ4
   source is changed and no macro is set. */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lz4.h"
#include "lz4hc.h"
#include "lz4frame.h"

#ifdef __wasm__
#define EXPORT(name) __attribute__((export_name(name)))
extern void __wasm_call_ctors(void);
#else
#define EXPORT(name)
static void __wasm_call_ctors(void) {}
#endif

#ifndef BENCH_N
#define BENCH_N 2
#endif
#ifndef SIZE
#define SIZE (160 * 1024)
#endif

/* ---- input: PCG32 text-like data ---- */

typedef struct { uint64_t state, inc; } pcg32;

static uint32_t pcg32_next(pcg32 *g) {
  uint64_t old = g->state;
  g->state = old * 6364136223846793005ull + g->inc;
  uint32_t xorshifted = (uint32_t)(((old >> 18) ^ old) >> 27);
  uint32_t rot = (uint32_t)(old >> 59);
  return (xorshifted >> rot) | (xorshifted << ((32 - rot) & 31));
}

static void pcg32_seed(pcg32 *g, uint64_t seed, uint64_t seq) {
  g->state = 0;
  g->inc = (seq << 1) | 1;
  pcg32_next(g);
  g->state += seed;
  pcg32_next(g);
}

static const char *const WORDS[] = {
  "the", "of", "and", "to", "in", "is", "that", "for", "it", "as", "was",
  "with", "be", "by", "on", "not", "he", "this", "are", "or", "his", "from",
  "at", "which", "but", "have", "an", "had", "they", "you", "were", "their",
  "one", "all", "we", "can", "her", "has", "there", "been", "if", "more",
  "when", "will", "would", "who", "so", "no", "compression", "dictionary",
  "window", "literal", "sequence", "huffman", "entropy", "block", "frame",
  "stream", "buffer", "offset", "match", "length", "table", "symbol",
};
#define NWORDS (sizeof WORDS / sizeof WORDS[0])

static void fill(unsigned char *buf, size_t size, uint32_t seed) {
  pcg32 g;
  pcg32_seed(&g, 0x853c49e6748fea9bull ^ seed, 0xda3e39cb94b95bdbull);
  size_t i = 0;
  int col = 0;
  while (i < size) {
    uint32_t x = pcg32_next(&g);
    uint32_t kind = x % 100;
    char tmp[16];
    const char *s;
    size_t len;
    if (kind < 80) {                          /* a word, skewed to the first ones */
      uint32_t w = (x >> 8) % NWORDS;
      if ((x >> 20) & 1) w = w % 16;
      s = WORDS[w];
      len = strlen(s);
    } else if (kind < 92) {                   /* a number */
      uint32_t v = pcg32_next(&g) % ((x >> 8) & 1 ? 100000u : 1000u);
      len = 0;
      do { tmp[15 - len++] = (char)('0' + v % 10); v /= 10; } while (v);
      s = tmp + 16 - len;
    } else if (kind < 98) {                   /* punctuation */
      static const char P[] = ",.;:!?()-\"'";
      tmp[0] = P[(x >> 8) % (sizeof P - 1)];
      s = tmp; len = 1;
    } else {                                  /* random bytes */
      len = 4 + (x >> 8) % 60;
      if (len > size - i) len = size - i;
      for (size_t k = 0; k < len; k++) buf[i + k] = (unsigned char)pcg32_next(&g);
      i += len;
      continue;
    }
    if (len > size - i) len = size - i;
    memcpy(buf + i, s, len);
    i += len;
    col += (int)len + 1;
    if (i < size) {
      if (col > 64 + (int)(x >> 26)) { buf[i++] = '\n'; col = 0; }
      else buf[i++] = ' ';
    }
  }
}

/* ---- checksum ---- */

static uint32_t fnv(uint32_t h, const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x01000193u;
  return h;
}

static uint32_t fnv_u32(uint32_t h, uint32_t v) {
  unsigned char b[4] = { (unsigned char)v, (unsigned char)(v >> 8),
                         (unsigned char)(v >> 16), (unsigned char)(v >> 24) };
  return fnv(h, b, 4);
}

#ifdef __wasm__
/* wasi-libc's stdio back end (fd_write, fd_seek, fd_close) would come in
   with any stdio use; nothing here prints, and these traps keep the WASI
   imports out. */
#include <stdio.h>
#include <sys/types.h>
size_t __stdio_write(FILE *f, const unsigned char *buf, size_t len) {
  (void)f; (void)buf; (void)len;
  __builtin_trap();
}
off_t __stdio_seek(FILE *f, off_t off, int whence) {
  (void)f; (void)off; (void)whence;
  __builtin_trap();
}
int __stdio_close(FILE *f) {
  (void)f;
  __builtin_trap();
}
#endif

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
  h ^= h >> 15;
  h *= 0x9e3779b1u;
  h ^= h >> 13;
  return (int)(h & 0x7fffffffu);
}

EXPORT("main")
int bench_main(void) { return run(BENCH_N); }

#ifndef __wasm__
#include <stdio.h>
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : BENCH_N;
  printf("%d\n", run(n));
  return 0;
}
#endif
