#!/usr/bin/env bash
# The long differential run: cargo-fuzz (libFuzzer, no sanitizer, so stable Rust builds it) for
# $1 seconds (default 3600). libFuzzer stops at a mismatch (saved under artifacts/differential/);
# this restarts it on the same corpus until the time is up.
set -u
cd "$(dirname "$0")"
end=$(($(date +%s) + ${1:-3600}))
while [ "$(date +%s)" -lt "$end" ]; do
    cargo fuzz run -s none differential -- \
        -max_total_time=$((end - $(date +%s))) -max_len=16384 -len_control=0 -print_final_stats=1
done
