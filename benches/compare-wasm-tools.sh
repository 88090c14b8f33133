#!/usr/bin/env bash
# Whole-process comparison: `watlink compile` vs `wasm-tools parse` on the same files, pair by pair.
#
# Usage: [RUNS=n] [WATLINK=binary] benches/compare-wasm-tools.sh [file.wat ...]
#        (default files: ../shared/bench/compile/*.wat)
# Needs GNU time (/usr/bin/time) and wasm-tools (`cargo install --locked wasm-tools`); builds watlink
# in release mode. Each pair runs RUNS times (default 5), alternating; the median wall time, the
# median CPU time (user + sys, summed over threads) and the peak RSS are printed. Ratios are
# wasm-tools / watlink: above 1 means watlink is faster (or, for memory, smaller).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
command -v wasm-tools >/dev/null || { echo "wasm-tools not found: cargo install --locked wasm-tools" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time not found: apt-get install -y time" >&2; exit 1; }
# WATLINK=path/to/watlink compares another build (an earlier one, say) instead of building this one.
if [ -n "${WATLINK:-}" ]; then
    watlink=$WATLINK
else
    cargo build --release --quiet
    watlink=target/release/watlink
fi
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(../shared/bench/compile/*.wat)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# median of the numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# run LABEL CMD...: appends "wall cpu rss_kb" lines to $tmp/LABEL
run() {
    local label=$1; shift
    /usr/bin/time -f "%e %U %S %M" -o "$tmp/one" "$@" >/dev/null 2>&1
    awk '{printf "%s %.3f %s\n", $1, $2 + $3, $4}' "$tmp/one" >> "$tmp/$label"
}

printf "%-22s %8s | %8s %8s %9s | %8s %8s %9s | %6s %6s %6s | %7s %7s\n" \
    file MB watl-s cpu-s RSS-MB wt-s cpu-s RSS-MB wall-x cpu-x rss-x w-RSS/in t-RSS/in
for f in "${files[@]}"; do
    rm -f "$tmp/w" "$tmp/t"
    for _ in $(seq "$RUNS"); do
        run w "$watlink" compile "$f" -o "$tmp/out.wasm"
        run t wasm-tools parse "$f" -o "$tmp/out2.wasm"
    done
    size=$(stat -c %s "$f")
    read -r ww wc wr < <(paste <(cut -d' ' -f1 "$tmp/w" | median) <(cut -d' ' -f2 "$tmp/w" | median) <(cut -d' ' -f3 "$tmp/w" | median))
    read -r tw tc tr < <(paste <(cut -d' ' -f1 "$tmp/t" | median) <(cut -d' ' -f2 "$tmp/t" | median) <(cut -d' ' -f3 "$tmp/t" | median))
    awk -v f="$(basename "$f")" -v s="$size" -v ww="$ww" -v wc="$wc" -v wr="$wr" -v tw="$tw" -v tc="$tc" -v tr="$tr" 'BEGIN {
        mb = s / 1e6
        printf "%-22s %8.1f | %8.2f %8.2f %9.1f | %8.2f %8.2f %9.1f | %5.2fx %5.2fx %5.2fx | %6.2fx %6.2fx\n",
            f, mb, ww, wc, wr / 1024, tw, tc, tr / 1024,
            (ww > 0 ? tw / ww : 0), (wc > 0 ? tc / wc : 0), (wr > 0 ? tr / wr : 0),
            wr * 1024 / s, tr * 1024 / s
    }'
done
