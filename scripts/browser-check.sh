#!/usr/bin/env bash
# The support console in a real browser: starts `vipps-om emulator`, posts a
# category and a receipt (one line named `<img src=x onerror=alert(1)>`),
# starts `vipps-om console` against it, and drives Debian's Chromium
# (headless, through playwright-core) over the pages: the lookup form, the
# order's table, sum and links, the error page of an unknown order, and no
# script run from the hostile name. Saves a screenshot of the order page as
# target/console-order.png.
# Installs what is missing and says so: Chromium with apt-get (as root),
# playwright-core from npm into target/browser. Prints one SKIP line and
# exits 0 when node/npm are absent or Chromium cannot be installed.
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
if [ ! -d "$work/node_modules/playwright-core" ]; then
  echo "installing playwright-core from npm into $work (it drives the installed Chromium; no browser download)"
  (cd "$work" && npm install --no-audit --no-fund --silent playwright-core@1 >/dev/null)
fi
cargo build -q -p vipps-om --bin vipps-om
om=target/debug/vipps-om

"$om" --json emulator --port 0 > "$work/emulator.json" 2> "$work/emulator.log" &
emulator=$!
console=""
trap 'kill $emulator $console 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q '^}' "$work/emulator.json" 2>/dev/null && break; sleep 0.1; done
base=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).baseUrl)' "$work/emulator.json")
export VIPPS_CLIENT_ID=emulator-client-id VIPPS_CLIENT_SECRET=emulator-client-secret \
       VIPPS_SUBSCRIPTION_KEY=emulator-subscription-key VIPPS_MSN=123456 VIPPS_BASE_URL="$base"

# An order as a shop sends it: image, category, receipt, a v3 category.
cat > "$work/receipt.json" <<'JSON'
{"orderLines": [
  {"name": "<img src=x onerror=alert(1)>", "id": "sku-1", "totalAmount": 29800, "totalAmountExcludingTax": 23840,
   "totalTaxAmount": 5960, "taxRate": 2500, "unitInfo": {"unitPrice": 14900, "quantity": "2", "quantityUnit": "PCS"}},
  {"name": "Coffee beans", "id": "sku-2", "totalAmount": 16000, "totalAmountExcludingTax": 13913, "totalTaxAmount": 2087,
   "taxRate": 1500, "unitInfo": {"unitPrice": 32000, "quantity": "0.5", "quantityUnit": "KG"}},
  {"name": "Home delivery", "id": "ship", "totalAmount": 9900, "totalAmountExcludingTax": 7920, "totalTaxAmount": 1980,
   "taxRate": 2500, "isShipping": true},
  {"name": "Cotton scarf", "id": "sku-3", "totalAmount": 19900, "totalAmountExcludingTax": 15920, "totalTaxAmount": 3980,
   "taxRate": 2500, "isReturn": true}],
 "bottomLine": {"currency": "NOK", "receiptNumber": "100042", "barcode": {"format": "CODE 128", "data": "100042"}}}
JSON
"$om" upload-image examples/assets/receipt-logo.png --id shop-logo >/dev/null
"$om" put-category ecom order-1042 RECEIPT https://shop.example.com/orders/order-1042 --image shop-logo >/dev/null
"$om" post-receipt ecom order-1042 "$work/receipt.json" >/dev/null
"$om" add-category ecom order-1042 DELIVERY https://shop.example.com/track/order-1042 >/dev/null

"$om" --json console --listen 127.0.0.1:0 > "$work/console.json" 2> "$work/console.log" &
console=$!
for _ in $(seq 1 100); do grep -q '^}' "$work/console.json" 2>/dev/null && break; sleep 0.1; done
url=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).url)' "$work/console.json")

cd "$work" && CONSOLE_URL="$url" CHROMIUM="$chromium" node - <<'JS'
const { chromium } = require('playwright-core');
const fail = (m) => { console.log('FAIL: ' + m); process.exitCode = 1; };
(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
  const dialogs = [];
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  const outside = [];
  page.on('request', (r) => { if (!r.url().startsWith(process.env.CONSOLE_URL)) outside.push(r.url()); });
  const base = process.env.CONSOLE_URL.replace(/\/$/, '');

  // The lookup form, filled and submitted as staff do.
  await page.goto(base + '/');
  await page.selectOption('#paymentType', 'ecom');
  await page.fill('#orderId', 'order-1042');
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  if (!page.url().endsWith('/orders/ecom/order-1042')) fail('the form led to ' + page.url());
  console.log('lookup form submitted: ' + page.url());

  // The receipt table.
  const rows = await page.$$eval('table.receipt tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((td) => td.innerText.trim())));
  console.log('receipt rows: ' + JSON.stringify(rows));
  if (rows.length !== 4) fail('expected 4 receipt rows, got ' + rows.length);
  if (!rows[0][0].startsWith('<img src=x onerror=alert(1)>')) fail('the hostile name is not shown as text: ' + rows[0][0]);
  if (rows[0][3] !== '298.00 NOK' || rows[0][2] !== '25%' || rows[0][1] !== '2 PCS') fail('first row: ' + rows[0]);
  if (rows[1][1] !== '0.5 KG' || rows[1][2] !== '15%' || rows[1][4] !== '20.87 NOK') fail('second row: ' + rows[1]);
  if (!rows[2][0].includes('Shipping')) fail('the shipping line is not marked: ' + rows[2][0]);
  if (!rows[3][0].includes('Returned') || rows[3][3] !== '-199.00 NOK') fail('the returned line: ' + rows[3]);
  const sum = await page.$$eval('table.receipt tfoot td', (tds) => tds.map((td) => td.innerText.trim()));
  console.log('sum: ' + JSON.stringify(sum));
  if (sum[0] !== '358.00 NOK') fail('the sum is ' + sum[0] + ', not 298.00 + 160.00 + 99.00 - 199.00 = 358.00 NOK');
  const details = await page.$$eval('dl', (dls) => dls.map((d) => d.innerText));
  if (!details[0].includes('100042')) fail('the receipt number and barcode are missing');
  const link = await page.getAttribute('a[href^="https://shop.example.com/orders/"]', 'href');
  if (link !== 'https://shop.example.com/orders/order-1042') fail('the category link is ' + link);
  const text = await page.innerText('main');
  if (!text.includes('shop-logo')) fail('the image id is missing');
  if (!text.includes('DELIVERY') || !text.includes('https://shop.example.com/track/order-1042')) fail('the v3 category is missing');
  const images = await page.$$eval('img', (imgs) => imgs.length);
  if (images !== 0) fail(images + ' img element(s) were created from the service data');
  await page.screenshot({ path: 'console-order.png', fullPage: true });
  console.log('screenshot: target/browser/console-order.png');

  // An unknown order: an error page that says what it means and what to do.
  const answer = await page.goto(base + '/orders/ecom/no-such-order');
  const error = await page.innerText('main');
  console.log('unknown order: HTTP ' + answer.status() + ': ' + error.split('\n')[0]);
  if (answer.status() !== 404 || !error.includes('No receipt or category yet') || !error.includes('Error id')) fail('error page: ' + error);
  const headers = answer.headers();
  if (!(headers['content-security-policy'] || '').startsWith("default-src 'none'")) fail('no strict CSP');
  if (headers['x-content-type-options'] !== 'nosniff') fail('no nosniff');

  // A phone's width: the table scrolls inside its box, the page does not.
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(base + '/orders/ecom/order-1042');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 1) fail('the page is ' + overflow + ' px wider than a phone');

  if (dialogs.length) fail('a script ran: dialog ' + JSON.stringify(dialogs));
  if (outside.length) fail('requests left the console: ' + outside.join(', '));
  await browser.close();
  console.log(process.exitCode ? 'browser check FAILED' : 'browser check passed: the order page shows what support needs, and no script ran');
})().catch((e) => { console.log('FAIL: ' + e); process.exit(1); });
JS
cp console-order.png ../console-order.png
