#!/usr/bin/env bash
# Checks the invariant tail dispatch relies on (src/exec/interp.rs): in an optimized build, every
# interpreter handler reaches the next handler through an indirect jump, never an indirect call
# (a call would grow the host stack with every op executed); a superinstruction that does not
# inline its second op's handler must jump to it, not call it. Usage:
# .ci/check-tail-dispatch.sh [path to a release build of the watlink binary]. Needs objdump.
# It also checks that the handlers every call, return and branch runs save no more registers
# than they do now (on x86-64: pushes in the function): a slow path kept inline once made every
# return save five registers, and fib_rec 15% slower.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/watlink}
[ -x "$bin" ] || cargo build --release --locked
objdump -d --no-show-raw-insn -C "$bin" | awk '
  BEGIN {
    # The most registers each of these handlers may save (every instance of it).
    limit["<watlink::exec::interp::h::Return>:"] = 0
    limit["<watlink::exec::interp::h::Return1>:"] = 0
    limit["<watlink::exec::interp::h::Jump>:"] = 0
    limit["<watlink::exec::interp::h::BrTable>:"] = 0
    limit["<watlink::exec::interp::h::Call>:"] = 5
  }
  function saved() {
    if (inh && (name in limit) && pushes > limit[name]) {
      print "handler saves " pushes " registers (at most " limit[name] "): " name; fails++
    }
  }
  /^[0-9a-f]+ <watlink::exec::interp::h::/ { saved(); name = $2; handlers++; inh = 1; pushes = 0; next }
  /^[0-9a-f]+ </ { saved(); inh = 0 }
  inh && /push +%r/ { pushes++ }
  inh && /jmp +\*%/ { jumps[name] = 1 }
  inh && /call +\*/ && !/rip/ { bad[name] = 1 }
  inh && /call / && /<watlink::exec::interp::h::/ { bad[name] = 1 }
  END {
    saved()
    n = 0; for (k in jumps) n++
    for (k in bad) { print "handler calls the next handler instead of jumping: " k; fails++ }
    printf "%d handlers, %d end in an indirect jump\n", handlers, n
    if (handlers < 100) { print "handlers not found (symbol names changed?)"; exit 1 }
    exit fails > 0
  }'
