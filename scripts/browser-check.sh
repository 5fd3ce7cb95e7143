#!/usr/bin/env bash
# The support console in a real browser, as a customer-service department
# uses it. Starts `vipps-om emulator`, stores order 1042 as another system
# would (six lines, 25 % and 15 % VAT, shipping, a return, discounts, æ/ø/å,
# an EAN-13 barcode, two lines whose numbers disagree, a line name with
# markup and a right-to-left override), then two consoles against it: one
# behind a simulated sign-on proxy (Chromium sends X-Forwarded-Email from
# 127.0.0.1, the trusted proxy's address) and one with named staff tokens.
# Drives Debian's Chromium (headless, playwright-core) to: follow a deep
# link through sign-in while 127.0.0.2 floods wrong tokens (the flood is
# limited, the sign-in is not); look the order up in each language and
# check the amounts, the VAT by rate and the warnings; sign in and look up
# by keyboard alone; sign out and replay the old cookie (refused); run
# axe-core on every page (order, lookup, sign-in, each error page) in every
# language at 390 and 1366 px (no serious or critical violation); check the
# phone layout cuts nothing off. Saves screenshots (desktop and phone)
# under target/browser/ and (outside CI) refreshes docs/console-order.png.
# Installs what is missing and says so: Chromium with apt-get (as root),
# playwright-core and axe-core from npm into target/browser. Prints one
# SKIP line and exits 0 when node/npm are absent or Chromium cannot be
# installed.
#   scripts/browser-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIP: node and npm are not installed: the browser check did not run"; exit 0
fi
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium with apt-get (it is not installed)"
    apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null || true
    chromium=$(command -v chromium || true)
  fi
  if [ -z "$chromium" ]; then
    echo "SKIP: Chromium is not installed and could not be (apt-get install -y chromium as root): the browser check did not run"; exit 0
  fi
fi
work=target/browser
mkdir -p "$work"
if [ ! -d "$work/node_modules/playwright-core" ] || [ ! -d "$work/node_modules/axe-core" ]; then
  echo "installing playwright-core and axe-core from npm into $work (they drive and audit the installed Chromium; no browser download)"
  (cd "$work" && npm install --no-audit --no-fund --silent playwright-core@1 axe-core@4 >/dev/null)
fi
cargo build -q -p vipps-om --bin vipps-om
om=$(pwd)/target/debug/vipps-om

"$om" --json emulator --port 0 > "$work/emulator.json" 2> "$work/emulator.log" &
emulator=$!
proxied=""
named=""
trap 'kill $emulator $proxied $named 2>/dev/null || true' EXIT
wait_banner() { for _ in $(seq 1 200); do grep -q '^}' "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "FAIL: no banner in $1"; cat "${1%.json}.log"; exit 1; }
field() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1]))[process.argv[2]])' "$1" "$2"; }
wait_banner "$work/emulator.json"
base=$(field "$work/emulator.json" baseUrl)
export VIPPS_CLIENT_ID=emulator-client-id VIPPS_CLIENT_SECRET=emulator-client-secret \
       VIPPS_SUBSCRIPTION_KEY=emulator-subscription-key VIPPS_MSN=123456 VIPPS_BASE_URL="$base"

# The category and image as a shop sends them, with the tool.
"$om" upload-image examples/assets/receipt-logo.png --id butikk-logo >/dev/null
"$om" put-category ecom order-1042 RECEIPT https://butikk.example/ordre/1042 --image butikk-logo >/dev/null
"$om" add-category ecom order-1042 DELIVERY https://butikk.example/sporing/1042 >/dev/null

staff="$work/staff.txt"
printf '# customer service\nkari@butikk.example kari-7f3a-9kq2-token-x1\nola@butikk.example ola-2b8c-4m1z-token-y2\n' > "$staff"
rm -f "$work"/audit-*.jsonl
"$om" --json console --listen 127.0.0.1:0 --trusted-proxy 127.0.0.1 --audit-log "$work/audit-proxied.jsonl" \
  > "$work/proxied.json" 2> "$work/proxied.log" &
proxied=$!
"$om" --json console --listen 127.0.0.1:0 --staff "$staff" --audit-log "$work/audit-named.jsonl" \
  > "$work/named.json" 2> "$work/named.log" &
named=$!
wait_banner "$work/proxied.json"
wait_banner "$work/named.json"

status=0
(cd "$work" && EMULATOR_URL="$base" PROXIED_URL="$(field proxied.json url)" NAMED_URL="$(field named.json url)" \
  CHROMIUM="$chromium" node ../../scripts/browser-check.mjs) || status=$?
if [ "$status" = 0 ]; then
  # The README's picture, refreshed from a developer's run (CI leaves the
  # tree as committed).
  if [ "${CI:-}" != true ]; then mkdir -p docs && cp "$work/console-order-desktop.png" docs/console-order.png; fi
  # Each lookup, sign-in and sign-out is in the audit logs, with who.
  grep -q '"who":"kari@butikk.example","via":"proxy"' "$work/audit-proxied.jsonl" || { echo "FAIL: the proxied lookup is not in the audit log"; exit 1; }
  grep -q '"event":"sign-out","who":"kari@butikk.example"' "$work/audit-named.jsonl" || { echo "FAIL: the sign-out is not in the audit log"; exit 1; }
  grep -q 'wrong access token from client 127.0.0.2' "$work/named.log" || { echo "FAIL: the log does not name the flooding client"; exit 1; }
  echo "audit logs and the console's log name who looked and which client failed"
fi
exit "$status"
