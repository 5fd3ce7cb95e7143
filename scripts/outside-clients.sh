#!/usr/bin/env bash
# The emulator as a service for other stacks: starts `vipps-om emulator
# --listen`, and drives its admin API and the API from outside Rust: Python's
# standard library (vipps-om/tests/outside/admin_api.py) and Node's fetch
# with the official Vipps MobilePay JS SDK 1.3.1 (js_sdk.mjs, installed from
# npm into target/outside). Prints one SKIP line for a missing python3 or
# node/npm, and exits 0 then; fails when a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p vipps-om --bin vipps-om
om=target/debug/vipps-om
work=target/outside
mkdir -p "$work"
"$om" --json emulator --listen 127.0.0.1:0 > "$work/banner.json" 2> "$work/emulator.log" &
emulator=$!
trap 'kill $emulator 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q '^}' "$work/banner.json" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/.*"baseUrl": "\(.*\)".*/\1/p' "$work/banner.json")
[ -n "$base" ] || { echo "FAIL: the emulator printed no base URL"; cat "$work/emulator.log"; exit 1; }
echo "emulator at $base"

if command -v python3 >/dev/null; then
  echo "== Python (standard library only)"
  python3 vipps-om/tests/outside/admin_api.py "$base"
else
  echo "SKIP: python3 is not installed: the Python admin API check did not run"
fi

if command -v node >/dev/null && command -v npm >/dev/null; then
  if [ ! -d "$work/node_modules/@vippsmobilepay/sdk" ]; then
    echo "installing @vippsmobilepay/sdk@1.3.1 from npm into $work"
    (cd "$work" && npm install --no-audit --no-fund --silent @vippsmobilepay/sdk@1.3.1 >/dev/null)
  fi
  echo "== Node (fetch and the official JS SDK 1.3.1)"
  cp vipps-om/tests/outside/js_sdk.mjs "$work/js_sdk.mjs"
  (cd "$work" && node js_sdk.mjs "$base")
else
  echo "SKIP: node and npm are not installed: the Node and JS SDK check did not run"
fi
