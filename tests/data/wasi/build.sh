#!/usr/bin/env bash
# Builds the WASI test programs (*.c -> *.wasm) with clang for wasm32-wasi against wasi-libc.
#
#   build.sh            rebuild the committed .wasm files beside their sources
#   build.sh OUTDIR     build them into OUTDIR instead (tests/it/run.rs does, to check that the
#                       committed builds still behave as their sources do)
#   build.sh --check    only check that clang can build a C program for wasm32-wasi here
#
# When clang cannot build for wasm32-wasi, exits with status 77 and says why on stderr.
# Debian: apt-get install clang lld wasi-libc libclang-rt-dev-wasm32 (sysroot /usr; `.ci/run`
# installs them). CLANG and WASI_SYSROOT override the compiler and the sysroot.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
CLANG=${CLANG:-clang}
SYSROOT=${WASI_SYSROOT:-/usr}
if [ -d /usr/share/wasi-sysroot ] && [ -z "${WASI_SYSROOT:-}" ]; then SYSROOT=/usr/share/wasi-sysroot; fi
flags=(--target=wasm32-wasi --sysroot="$SYSROOT" -O2 -Wall -Werror -Wl,--strip-debug)
install_hint="Debian: apt-get install clang lld wasi-libc libclang-rt-dev-wasm32"

if ! command -v "$CLANG" >/dev/null; then
    echo "$CLANG not found ($install_hint)" >&2
    exit 77
fi
probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
printf '#include <stdio.h>\nint main(void) { puts("probe"); return 0; }\n' >"$probe/probe.c"
if ! why="$("$CLANG" "${flags[@]}" "$probe/probe.c" -o "$probe/probe.wasm" 2>&1)"; then
    echo "$CLANG cannot build a C program for wasm32-wasi with sysroot $SYSROOT ($install_hint):" >&2
    echo "$why" | head -5 >&2
    exit 77
fi
if [ "${1:-}" = --check ]; then
    echo "$("$CLANG" --version | head -1) builds for wasm32-wasi (sysroot $SYSROOT)"
    exit 0
fi

out="${1:-$here}"
mkdir -p "$out"
cd "$here"
for c in *.c; do
    "$CLANG" "${flags[@]}" "$c" -o "$out/${c%.c}.wasm"
    echo "built $out/${c%.c}.wasm"
done
