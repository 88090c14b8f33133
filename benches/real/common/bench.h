/* What the held-out benchmark drivers share (benches/real/NAME/driver.c):
   the export macro, the text-like input from a PCG32 generator, the FNV-1a
   checksum, and traps for libc's stdio back end. Written for this
   benchmark; each driver includes it once, after its own BENCH_N and SIZE. */

#ifndef WATLINK_BENCH_H
#define WATLINK_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __wasm__
#define EXPORT(name) __attribute__((export_name(name)))
extern void __wasm_call_ctors(void);
#else
#define EXPORT(name)
static void __wasm_call_ctors(void) {}
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

/* ---- result ---- */

/* The checksum's last mixing, masked to 31 bits: what run(n) returns. */
static int bench_result(uint32_t h) {
  h ^= h >> 15;
  h *= 0x9e3779b1u;
  h ^= h >> 13;
  return (int)(h & 0x7fffffffu);
}

/* Placed after a driver's run(n): main() = run(BENCH_N), exported, and
   for a native build a main that prints run(argv[1]). */
#ifdef __wasm__
#define BENCH_MAIN()                                                    \
  EXPORT("main") int bench_main(void) { return run(BENCH_N); }
#else
#include <stdio.h>
#include <stdlib.h>
#define BENCH_MAIN()                                                    \
  int bench_main(void) { return run(BENCH_N); }                        \
  int main(int argc, char **argv) {                                     \
    printf("%d\n", run(argc > 1 ? atoi(argv[1]) : BENCH_N));           \
    return 0;                                                           \
  }
#endif

#endif
