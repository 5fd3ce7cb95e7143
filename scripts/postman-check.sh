#!/usr/bin/env bash
# Runs the official Postman collection, as published, against `vipps-om
# emulator` with newman (installed from npm into target/newman on first
# use), and prints one line per request with its status. Every Order
# Management request must answer as the spec says; two requests are
# expected to fail, for reasons the collection's own content gives, and are
# explained below. Exits 1 on any other outcome.
# Needs node/npm and ../shared (the reference material next to the
# repository); prints one SKIP line and exits 0 when either is missing.
#   scripts/postman-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
collection=../shared/spec/order-management.postman-collection.json
if [ ! -f "$collection" ]; then
  echo "SKIP: $collection is absent (the shared reference material): the Postman check did not run"; exit 0
fi
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "SKIP: node and npm are not installed: the Postman check did not run"; exit 0
fi
work=target/postman
mkdir -p "$work"
if [ ! -x "$work/node_modules/.bin/newman" ]; then
  echo "installing newman from npm into $work"
  (cd "$work" && npm install --no-audit --no-fund --silent newman@6 >/dev/null)
fi
cargo build -q -p vipps-om --bin vipps-om

# The emulator on a free port; its banner says where and what it accepts.
target/debug/vipps-om --json emulator --port 0 > "$work/banner.json" 2> "$work/emulator.log" &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q '^}' "$work/banner.json" 2>/dev/null && break; sleep 0.1; done

# The collection's variables, for the emulator.
node - "$work/banner.json" > "$work/environment.json" <<'JS'
const banner = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const values = {
  base_url: banner.baseUrl,
  client_id: banner.clientId,
  client_secret: banner.clientSecret,
  'Ocp-Apim-Subscription-Key': banner.subscriptionKey,
  merchantSerialNumber: banner.merchantSerialNumber,
  vipps_system_name: 'postman',
  vipps_system_version: '1',
  vipps_system_plugin_name: 'newman',
  vipps_system_plugin_version: '6',
  callbackPrefix: 'https://shop.example/callback',
  fallBack: 'https://shop.example/fallback',
  mobileNumber: '91234567',
  amount: '1000',
};
console.log(JSON.stringify({ name: 'vipps-om emulator', values: Object.entries(values).map(([key, value]) => ({ key, value, enabled: true })) }));
JS

# newman exits non-zero when a request answers what the collection's tests
# did not expect (the checker below decides); a report it did not write
# this time is a failure, never an earlier run's.
rm -f "$work/report.json"
"$work/node_modules/.bin/newman" run "$collection" -e "$work/environment.json" \
  --reporters json --reporter-json-export "$work/report.json" > "$work/newman.log" 2>&1 || true
if [ ! -s "$work/report.json" ]; then
  echo "FAIL: newman wrote no report:"; tail -20 "$work/newman.log"; exit 1
fi

# One line per request, and the verdict.
node - "$work/report.json" <<'JS'
const report = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
// What each request of the collection must answer from the emulator.
const expected = {
  'Get Access Token': { status: 200 },
  'Initiate Payment': {
    status: 404,
    why: 'expected: the eCom v2 payment API is another API, which the Order Management emulator does not serve (it only sets the orderId the next requests use)',
  },
  'Upload an image': {
    status: 400,
    why: 'expected: the collection\'s sample image is 32 px high; the API requires at least 167 px, and the answer names src',
    body: (b) => (b.invalidParams || []).some((p) => p.name === 'src' && /167/.test(p.reason)),
  },
  'Add category to an order': { status: 200 },
  'Add receipt to an order': { status: 201 },
  'Get order with category and receipt': {
    status: 200,
    body: (b) => b.category && b.category.category === 'GENERAL' && b.receipt && b.receipt.orderLines.length === 3,
  },
};
let failed = 0;
const seen = new Set();
for (const run of report.run.executions) {
  const name = run.item.name;
  seen.add(name);
  const req = run.request;
  const path = '/' + (req.url.path || []).join('/');
  const res = run.response || {};
  const status = res.code;
  let body = null;
  try { body = JSON.parse(Buffer.from((res.stream && res.stream.data) || []).toString('utf8')); } catch (e) {}
  const want = expected[name];
  let verdict;
  if (!want) { verdict = 'FAIL: not a request of the collection this check knows'; failed++; }
  else if (status !== want.status) { verdict = `FAIL: expected ${want.status}`; failed++; }
  else if (want.body && !(body && want.body(body))) { verdict = `FAIL: the answer is not what the spec says: ${JSON.stringify(body)}`; failed++; }
  else verdict = want.why ? want.why : 'ok';
  console.log(`${name.padEnd(38)} ${req.method.padEnd(4)} ${path.padEnd(52)} -> ${status} ${res.status || ''}  ${verdict}`);
}
for (const name of Object.keys(expected)) {
  if (!seen.has(name)) { console.log(`${name.padEnd(38)} FAIL: did not run`); failed++; }
}
console.log(failed ? `Postman check FAILED (${failed})` : 'Postman check passed: every Order Management request answered as the spec says');
process.exit(failed ? 1 : 0);
JS
