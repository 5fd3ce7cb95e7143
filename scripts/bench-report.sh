#!/usr/bin/env bash
# Runs every benchmark and writes BENCHMARKS.md from what they measured.
# Needs: the Rust toolchain, python3; valgrind for instruction counts
# (skipped with a note when absent). Takes about 20 minutes on 2 cores.
#   scripts/bench-report.sh            # BUILD_RUNS=3 ROUNDS=21 CALLS=2000 CHAOS_ORDERS=10000
#                                      # EMULATOR_RECEIPTS=2000 EMULATOR_STATE=100000
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench-report
rm -rf "$out" && mkdir -p "$out"
BUILD_RUNS=${BUILD_RUNS:-3}
ROUNDS=${ROUNDS:-21}
CALLS=${CALLS:-2000}

{
  echo "cores=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "memory=$(free -h | awk '/Mem:/{print $2}')"
  echo "rustc=$(rustc --version)"
  echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
  echo "commit=$(git rev-parse --short HEAD)$([ -z "$(git status --porcelain)" ] || echo '+changes')"
} > "$out/machine.txt"

echo "== criterion: call overhead and serialization"
rm -rf target/criterion
cargo bench --bench overhead > "$out/criterion.log" 2>&1 \
  || { echo "FAIL: cargo bench --bench overhead failed:"; tail -20 "$out/criterion.log"; exit 1; }
grep -E "^[a-z_]+/|time:" "$out/criterion.log" || echo "(criterion printed no estimates)"
cp -r target/criterion "$out/criterion"

echo "== large body"
cargo bench --bench large_body 2>/dev/null | grep '^{' > "$out/large_body.jsonl"

echo "== interleaved load"
cargo build -q --release --example load
target/release/examples/load "$ROUNDS" "$CALLS" > "$out/load.jsonl"
target/release/examples/load receipt 500 101 > "$out/receipt.jsonl"

echo "== instruction counts"
if command -v valgrind >/dev/null; then
  # Two lengths of run: their difference is the work of the extra calls
  # alone, without start-up (runtime, server, building the HTTP client).
  for op in post get; do
    for side in client raw; do
      for calls in 2000 7000; do
        valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/examples/load single "$side" "$op" 64 "$calls" \
          > "$out/cg-$side-$op-$calls.out" 2>&1
      done
    done
  done
else
  echo "valgrind not installed" > "$out/cg-missing.txt"
fi

echo "== exact counts (tests)"
cargo test -q --release --test connections 2>&1 | tail -3 > "$out/counts.txt"

echo "== exactly-once at scale (chaos)"
cargo build -q --release --example chaos
target/release/examples/chaos "${CHAOS_ORDERS:-10000}" 10 64 > "$out/chaos.txt"

echo "== the emulator as a service: its store, reads under writers, a large state, hostile connections"
cargo build -q --release --example emulator_load
target/release/examples/emulator_load "${EMULATOR_RECEIPTS:-2000}" "${EMULATOR_STATE:-100000}" > "$out/emulator_load.jsonl"

echo "== the emulator beside each attack: heavy work, listings, health, slow connections, stalled uploads, tokens"
cargo build -q --release --example emulator_attacks
target/release/examples/emulator_attacks "${EMULATOR_HEALTH_STORE:-302000}" > "$out/emulator_attacks.jsonl"

echo "== the merchant's build cost, next to a bare project"
RUNS="$BUILD_RUNS" scripts/build-cost.sh "$out/build-cost.txt"

python3 scripts/bench_report.py "$out" > BENCHMARKS.md
echo "wrote BENCHMARKS.md"
