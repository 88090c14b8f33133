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
   libc's stdio back end is replaced by traps below. Brotli's encoder is
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

#ifdef __wasm__
#define EXPORT(name) __attribute__((export_name(name)))
extern void __wasm_call_ctors(void);
#else
#define EXPORT(name)
static void __wasm_call_ctors(void) {}
#endif

#ifndef BENCH_N
#define BENCH_N 1
#endif
#ifndef SIZE
#define SIZE (256 * 1024)
#endif

static const int QUALITIES[] = { 1, 3, 6 };

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
