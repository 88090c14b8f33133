#!/bin/sh
# Rebuild brotli.wasm from the PyPI sdist Brotli 1.2.1, which bundles the
# Brotli 1.2.1 C library in c/ (c/common, c/enc, c/dec, c/include).
#
# Compiled: every .c file of c/common, c/enc and c/dec, and our driver.c.
# Not compiled: c/tools (the command-line tool: files). No source is changed
# and no macro is set (the defaults: static tables initialized at compile
# time, BROTLI_ENCODER_EXIT_ON_OOM; driver.c explains its exit()).
#
# Writes brotli.wasm and LICENSE-brotli.txt (Brotli's MIT notice, the
# sdist's LICENSE) here.
# Needs: pip, clang + wasm-ld (Debian LLVM 14 used), Debian's wasi-libc
# package (libc.a for wasm32-wasi), wasm-tools.
# WORK=dir keeps the download and the objects there (default: a temp dir).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
name=brotli pkg=brotli ver=1.2.1
sdist=brotli-1.2.1.tar.gz
sha=02b2f7b5a83485efe448a44ddf7983def05c3bb1dcf917d4f7154070260e13de
work=${WORK:-$(mktemp -d)}
mkdir -p "$work" && cd "$work"
# --no-binary Brotli rather than :all:, so that pip may take the build
# requirements as wheels while it prepares the metadata; the file saved is
# the sdist all the same (checked below).
[ -f "$sdist" ] || pip download --quiet --no-deps --no-binary Brotli --dest . "Brotli==$ver"
echo "$sha  $sdist" | sha256sum -c --quiet -
tar xzf "$sdist" "$pkg-$ver/c" "$pkg-$ver/LICENSE"
src=$pkg-$ver/c
grep -q '#define BROTLI_VERSION_PATCH 1' "$src/common/version.h"

libc=$(clang --target=wasm32-wasi -print-file-name=libc.a)
cflags="--target=wasm32-wasi -mcpu=mvp -O2 -nostdlib -I$src/include"
objs=
for dir in common enc dec; do
  for f in "$src/$dir"/*.c; do
    o=${dir}_$(basename "$f" .c).o
    clang $cflags -c "$f" -o "$o"
    objs="$objs $o"
  done
done
clang $cflags -I"$here/../common" -c "$here/driver.c" -o driver.o
wasm-ld --no-entry --strip-debug driver.o $objs "$libc" -o "$here/$name.wasm"
cp "$pkg-$ver/LICENSE" "$here/LICENSE-brotli.txt"
wasm-tools validate --features mvp,mutable-global "$here/$name.wasm"
if wasm-tools print "$here/$name.wasm" | grep -q '^  (import'; then
  echo "$name.wasm has imports" >&2; exit 1
fi
sha256sum "$here/$name.wasm"
