#!/usr/bin/env bash
# Checks the client and the emulator against the official contract with
# Stoplight Prism (../shared/tools): first the quick start and every
# vipps-om command against Prism serving the spec (each request must keep
# the contract), then the same commands against `vipps-om emulator` with
# Prism as a proxy in front (the emulator's answers must keep it too).
# Needs ../shared, node/npm (Prism is installed on first use) and python3;
# prints one SKIP line and exits 0 when any is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=../shared/tools
if [ ! -f "$tools/prism_check.sh" ]; then
  echo "SKIP: $tools is absent (the shared reference material): the Prism checks did not run"; exit 0
fi
for tool in npm node python3; do
  if ! command -v "$tool" >/dev/null; then echo "SKIP: $tool is not installed: the Prism checks did not run"; exit 0; fi
done
cargo build -q -p vipps-om --bin vipps-om
cargo build -q --example quickstart
om=$(pwd)/target/debug/vipps-om
quickstart=$(pwd)/target/debug/examples/quickstart
receipt=$(mktemp --suffix .json)
cat > "$receipt" <<'JSON'
{"orderLines":[{"name":"Socks","id":"sku-1","totalAmount":29800,"totalAmountExcludingTax":23840,"totalTaxAmount":5960,"taxRate":2500,
 "unitInfo":{"unitPrice":14900,"quantity":"2","quantityUnit":"PCS"}},
 {"name":"Delivery","id":"ship","totalAmount":9900,"totalAmountExcludingTax":7920,"totalTaxAmount":1980,"taxRate":2500,"isShipping":true}],
 "bottomLine":{"currency":"NOK","receiptNumber":"42"}}
JSON
# Every command; the v3 category id is the one add-category printed (the
# mock answers its example id).
commands="
set -e
$om token
$om upload-image examples/assets/receipt-logo.png --id prism-logo
$om put-category ecom prism-order-1 RECEIPT https://shop.example.com/o/1 --image prism-logo
$om post-receipt recurring prism-order-1 $receipt
$om put-category recurring prism-order-1 RECEIPT https://shop.example.com/o/1
$om get-order recurring prism-order-1
$om --json get-order recurring prism-order-1
id=\$($om add-category ecom prism-order-1 TICKET https://shop.example.com/t/1 --image prism-logo)
$om list-categories prism-order-1
$om get-category \$id
$om delete-category \$id
"

echo "== requests against Prism serving the spec"
# `set -e` before the quick start too: its failure fails the check.
bash "$tools/prism_check.sh" bash -c "set -e
$quickstart
$commands"

echo "== the emulator's answers through Prism as a proxy"
"$om" --json emulator --port 0 > target/prism-emulator.json 2> target/prism-emulator.log &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true; rm -f "$receipt"' EXIT
for _ in $(seq 1 100); do grep -q '^}' target/prism-emulator.json 2>/dev/null && break; sleep 0.1; done
base=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["baseUrl"])' target/prism-emulator.json)
export VIPPS_CLIENT_ID=emulator-client-id VIPPS_CLIENT_SECRET=emulator-client-secret \
       VIPPS_SUBSCRIPTION_KEY=emulator-subscription-key VIPPS_MSN=123456
bash "$tools/prism_proxy_check.sh" "$base" bash -c "$commands"
