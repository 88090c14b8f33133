#!/bin/sh
# Rebuild lz4.wasm from the PyPI sdist lz4 4.4.5 (python-lz4), which bundles
# the LZ4 1.9.4 C library in lz4libs/ (lz4.c, lz4hc.c, lz4frame.c, xxhash.c
# and their headers).
#
# Compiled: those four files, as python-lz4's setup.py compiles them for its
# bundled build, and our driver.c. No source is changed and no macro is set.
#
# Writes lz4.wasm and LICENSE-lz4.txt here: LZ4's BSD-2-Clause notice (the
# license comment at the top of lz4libs/lz4.c, which asks binary
# redistributions to reproduce it) and the copyright lines of the four
# compiled files. python-lz4's own code (LICENSE, BSD-3-Clause, Steeve
# Morin) is not used.
# Needs: pip, clang + wasm-ld (Debian LLVM 14 used), Debian's wasi-libc
# package (libc.a for wasm32-wasi), wasm-tools.
# WORK=dir keeps the download and the objects there (default: a temp dir).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
name=lz4 pkg=lz4 ver=4.4.5
sdist=lz4-4.4.5.tar.gz
sha=5f0b9e53c1e82e88c10d7c180069363980136b9d7a8306c4dca4f760d60c39f0
work=${WORK:-$(mktemp -d)}
mkdir -p "$work" && cd "$work"
# --no-binary lz4 rather than :all:, so that pip may take the build
# requirements as wheels while it prepares the metadata; the file saved is
# the sdist all the same (checked below).
[ -f "$sdist" ] || pip download --quiet --no-deps --no-binary "$pkg" --dest . "$pkg==$ver"
echo "$sha  $sdist" | sha256sum -c --quiet -
tar xzf "$sdist" "$pkg-$ver/lz4libs"
src=$pkg-$ver/lz4libs
grep -q '#define LZ4_VERSION_RELEASE  4' "$src/lz4.h"

libc=$(clang --target=wasm32-wasi -print-file-name=libc.a)
cflags="--target=wasm32-wasi -mcpu=mvp -O2 -nostdlib -I$src"
objs=
for f in lz4 lz4hc lz4frame xxhash; do
  clang $cflags -c "$src/$f.c" -o "$f.o"
  objs="$objs $f.o"
done
clang $cflags -I"$here/../common" -c "$here/driver.c" -o driver.o
wasm-ld --no-entry --strip-debug driver.o $objs "$libc" -o "$here/$name.wasm"
{
  sed -n '1,/\*\//p' "$src/lz4.c" | sed -e 's|^/\*||' -e 's|\*/$||' -e 's|^   ||' -e '1{/^$/d}'
  echo
  echo "Copyright lines in the LZ4 files (lz4 $ver sdist, lz4libs/) compiled into $name.wasm:"
  for f in lz4.c lz4.h lz4hc.c lz4hc.h lz4frame.c lz4frame.h lz4frame_static.h xxhash.c xxhash.h; do
    grep -o 'Copyright (C) .*' "$src/$f" | sed -e 's| *\*/ *$||' -e "s|^|lz4libs/$f: |"
  done
} > "$here/LICENSE-lz4.txt"
wasm-tools validate --features mvp,mutable-global "$here/$name.wasm"
if wasm-tools print "$here/$name.wasm" | grep -q '^  (import'; then
  echo "$name.wasm has imports" >&2; exit 1
fi
sha256sum "$here/$name.wasm"
