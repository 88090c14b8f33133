#!/usr/bin/env bash
# Checks the invariant tail dispatch relies on (src/exec/interp.rs): in an optimized build, every
# interpreter handler reaches the next handler through an indirect jump, never an indirect call
# (a call would grow the host stack with every op executed); a superinstruction that does not
# inline its second op's handler must jump to it, not call it. Usage:
# .ci/check-tail-dispatch.sh [path to a release build of the watlink binary]. Needs objdump.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/watlink}
[ -x "$bin" ] || cargo build --release --locked
objdump -d --no-show-raw-insn -C "$bin" | awk '
  /^[0-9a-f]+ <watlink::exec::interp::h::/ { name = $2; handlers++; inh = 1; next }
  /^[0-9a-f]+ </ { inh = 0 }
  inh && /jmp +\*%/ { jumps[name] = 1 }
  inh && /call +\*/ && !/rip/ { bad[name] = 1 }
  inh && /call / && /<watlink::exec::interp::h::/ { bad[name] = 1 }
  END {
    n = 0; for (k in jumps) n++
    for (k in bad) { print "handler calls the next handler instead of jumping: " k; fails++ }
    printf "%d handlers, %d end in an indirect jump\n", handlers, n
    if (handlers < 100) { print "handlers not found (symbol names changed?)"; exit 1 }
    exit fails > 0
  }'
