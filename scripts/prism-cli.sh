#!/usr/bin/env bash
# Runs the quick start and every vipps-om command against Stoplight Prism
# serving the official spec (../shared/tools/prism_check.sh), which fails on
# any request that breaks the contract. Needs ../shared, node and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
check=../shared/tools/prism_check.sh
if [ ! -x "$check" ] && [ ! -f "$check" ]; then
  echo "SKIPPED: $check is absent (the shared reference material)"; exit 0
fi
cargo build -q --examples
cat > /tmp/vipps-om-receipt.json <<'JSON'
{"orderLines":[{"name":"Socks","id":"sku-1","totalAmount":29800,"totalAmountExcludingTax":23840,"totalTaxAmount":5960,"taxRate":2500,
 "unitInfo":{"unitPrice":14900,"quantity":"2","quantityUnit":"PCS"}},
 {"name":"Delivery","id":"ship","totalAmount":9900,"totalAmountExcludingTax":7920,"totalTaxAmount":1980,"taxRate":2500,"isShipping":true}],
 "bottomLine":{"currency":"NOK","receiptNumber":"42"}}
JSON
om=target/debug/examples/vipps-om
bash "$check" bash -c "
set -e
target/debug/examples/quickstart
$om token
$om upload-image examples/assets/receipt-logo.png --id prism-logo
$om put-category ecom prism-order-1 RECEIPT https://shop.example.com/o/1 --image prism-logo
$om post-receipt recurring prism-order-1 /tmp/vipps-om-receipt.json
$om get-order ecom prism-order-1
$om get-order ecom prism-order-1 --json
$om add-category ecom prism-order-1 TICKET https://shop.example.com/t/1 --image prism-logo
$om list-categories prism-order-1
$om get-category 337f5e5d-288b-40d5-be14-901cc3acacc0
$om delete-category 337f5e5d-288b-40d5-be14-901cc3acacc0
"
