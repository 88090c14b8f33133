#!/usr/bin/env bash
# Rebuilds the WASI test programs (*.c -> *.wasm) with clang for wasm32-wasi against wasi-libc.
# Debian: apt-get install clang lld wasi-libc libclang-rt-dev-wasm32 (the sysroot is /usr).
# The .wasm files are committed, so `cargo test` needs none of this.
set -euo pipefail
cd "$(dirname "$0")"
SYSROOT=${WASI_SYSROOT:-/usr}
if [ -d /usr/share/wasi-sysroot ] && [ -z "${WASI_SYSROOT:-}" ]; then SYSROOT=/usr/share/wasi-sysroot; fi
for c in *.c; do
    clang --target=wasm32-wasi --sysroot="$SYSROOT" -O2 -Wall -Werror -Wl,--strip-debug "$c" -o "${c%.c}.wasm"
    echo "built ${c%.c}.wasm"
done
