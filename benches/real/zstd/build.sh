#!/bin/sh
# Rebuild zstd.wasm from the PyPI sdist zstandard 0.25.0, which bundles
# Zstandard 1.5.7 as the single-file amalgamation zstd/zstd.c (with zstd.h,
# zstd_errors.h, zdict.h).
#
# Compiled: zstd/zstd.c (compression, decompression, XXH64; its dictionary
# builder is compiled but never called, so wasm-ld leaves it out) and our
# driver.c. No source is changed. One macro: zstd.c defines
# ZSTD_MULTITHREAD (pthreads) on every platform but Emscripten, and
# wasi-libc has no pthreads, so zstd.c is compiled with -D__EMSCRIPTEN__;
# zstd.c tests that macro in that one place only (checked below).
# -Wno-deprecated-declarations quiets the warnings about clock(), which only
# the unused dictionary builder calls.
#
# Writes zstd.wasm and LICENSE-zstd.txt (zstd's BSD license, zstd/LICENSE;
# zstd is dual BSD/GPLv2, the BSD terms are the ones taken) here.
# Needs: pip, clang + wasm-ld (Debian LLVM 14 used), Debian's wasi-libc
# package (libc.a for wasm32-wasi), wasm-tools.
# WORK=dir keeps the download and the objects there (default: a temp dir).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
name=zstd pkg=zstandard ver=0.25.0
sdist=zstandard-0.25.0.tar.gz
sha=7713e1179d162cf5c7906da876ec2ccb9c3a9dcbdffef0cc7f70c3667a205f0b
work=${WORK:-$(mktemp -d)}
mkdir -p "$work" && cd "$work"
# --no-binary zstandard rather than :all:, so that pip may take the build
# requirements as wheels while it prepares the metadata; the file saved is
# the sdist all the same (checked below).
[ -f "$sdist" ] || pip download --quiet --no-deps --no-binary "$pkg" --dest . "$pkg==$ver"
echo "$sha  $sdist" | sha256sum -c --quiet -
tar xzf "$sdist" "$pkg-$ver/zstd"
src=$pkg-$ver/zstd
grep -q '#define ZSTD_VERSION_RELEASE  7' "$src/zstd.h"
[ "$(grep -c __EMSCRIPTEN__ "$src/zstd.c")" = 1 ]

libc=$(clang --target=wasm32-wasi -print-file-name=libc.a)
cflags="--target=wasm32-wasi -mcpu=mvp -O2 -nostdlib -I$src"
clang $cflags -D__EMSCRIPTEN__ -Wno-deprecated-declarations -c "$src/zstd.c" -o zstd.o
clang $cflags -I"$here/../common" -c "$here/driver.c" -o driver.o
wasm-ld --no-entry --strip-debug driver.o zstd.o "$libc" -o "$here/$name.wasm"
cp "$src/LICENSE" "$here/LICENSE-zstd.txt"
wasm-tools validate --features mvp,mutable-global "$here/$name.wasm"
if wasm-tools print "$here/$name.wasm" | grep -q '^  (import'; then
  echo "$name.wasm has imports" >&2; exit 1
fi
sha256sum "$here/$name.wasm"
