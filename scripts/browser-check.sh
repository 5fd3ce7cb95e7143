#!/usr/bin/env bash
# The support console in a real browser, deployed as a department deploys
# it. Starts `vipps-om emulator` and stores order 1042 as another system
# would (six lines, 25 % and 15 % VAT, shipping, a return, discounts, æ/ø/å,
# an EAN-13 barcode, two lines whose numbers disagree, payment sources that
# do not add up, a line name with markup and a right-to-left override), a
# 20-line order to print and an order to answer slowly; then:
#
# - two consoles with named staff tokens (kari, ola, and dpo, an auditor)
#   on one SQLite file, behind nginx as their front end and load balancer
#   (round robin; it overwrites X-Forwarded-For/-Proto/-Host and removes
#   the identity headers a browser sends, as vipps-om/README.md recommends; the
#   host as $http_host, its port kept);
# - a third console behind the company's single sign-on: nginx asks a
#   sign-on stub (scripts/browser-check-sso.mjs, standing in for
#   oauth2-proxy) who each request is from (`auth_request`) and sets
#   X-Forwarded-Email and X-Forwarded-Groups from its answer; the console
#   believes them from nginx's own address only (proxy_bind 127.0.0.5).
#
# Drives Debian's Chromium (headless, playwright-core; the browser talks
# to nginx only) through scripts/browser-check.mjs: requests alternate
# between the two consoles and one sign-in works on both; a deep link
# through sign-in by keyboard while a script floods wrong tokens from the
# browser's own address (limited; the right token is not); a forged
# X-Forwarded-Email names nobody; the sign-on names its person even when
# the browser forges the header, its auditors read the trail and others
# get 403, its Sign out goes to the sign-on's; a person removed from the
# staff file is signed out on both consoles; an auditor filters the trail,
# follows a person and downloads the export; the printed order is one A4
# page without the staff's parts; a slow lookup says so at once and shows
# the order when it comes; the order in each language (amounts, unit
# prices, what was paid, VAT by rate, warnings, marks for hidden
# characters); another site's sign-in and sign-out (refused); a cookie
# replayed after sign-out (refused); axe-core on every page (order,
# lookup, sign-in, each error page, the 429 page, the audit views, the
# signed-on and the slow page) in every language at 390 and 1366 px (no
# serious or critical violation). Saves screenshots under target/browser/
# and (outside CI) refreshes docs/console-order.png.
#
# Installs what is missing and says so: Chromium and nginx with apt-get
# (as root), playwright-core and axe-core from npm into target/browser.
# Prints one SKIP line and exits 0 when node/npm are absent or Chromium
# cannot be installed; without nginx, one SKIP line for the front-end and
# sign-on parts, and the rest runs against a console directly.
#   scripts/browser-check.sh
#   VIPPS_OM=target/debug/vipps-om scripts/browser-check.sh   # a built binary, no cargo build
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIP: node and npm are not installed: the browser check did not run"; exit 0
fi
apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's $1 with apt-get (it is not installed)"
    { apt-get update -qq >/dev/null && apt-get install -y -qq "$1" >/dev/null; } || true
  fi
}
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  apt_install chromium
  chromium=$(command -v chromium || true)
  if [ -z "$chromium" ]; then
    echo "SKIP: Chromium is not installed and could not be (apt-get install -y chromium as root): the browser check did not run"; exit 0
  fi
fi
nginx=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)
if [ -z "$nginx" ]; then
  apt_install nginx
  nginx=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)
  if [ -z "$nginx" ]; then
    echo "SKIP: nginx is not installed and could not be (apt-get install -y nginx as root): the front end, load balancing and single sign-on parts did not run (the rest runs against one console directly)"
  fi
fi
work=target/browser
mkdir -p "$work"
if [ ! -d "$work/node_modules/playwright-core" ] || [ ! -d "$work/node_modules/axe-core" ]; then
  echo "installing playwright-core and axe-core from npm into $work (they drive and audit the installed Chromium; no browser download)"
  (cd "$work" && npm install --no-audit --no-fund --silent playwright-core@1 axe-core@4 >/dev/null)
fi
if [ -n "${VIPPS_OM:-}" ]; then
  om=$(realpath "$VIPPS_OM")
else
  cargo build -q -p vipps-om --bin vipps-om
  om=$(pwd)/target/debug/vipps-om
fi

# Every process started here is stopped on the way out, whatever happens
# (Ctrl-C and SIGTERM too: the check itself runs in the background, so the
# wait for it is interrupted). Stopped by their ids, newest first.
pids=()
stop_all() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
wait_banner() { for _ in $(seq 1 200); do grep -q '^}' "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "FAIL: no banner in $1"; cat "${1%.json}.log"; exit 1; }
field() { node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1]))[process.argv[2]])' "$1" "$2"; }
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# A fresh start: no sign-ins, limits or trail from an earlier run.
rm -rf "$work"/*.sqlite3* "$work"/shop-receipt.json "$work"/audit-*.jsonl "$work"/*.log "$work"/emulator.json "$work"/console-?.json \
  "$work/sso-stub.json" "$work/staff" "$work/nginx" "$work"/*.pdf "$work"/*.jsonl

"$om" --json emulator --port 0 > "$work/emulator.json" 2> "$work/emulator.log" &
pids+=($!)
wait_banner "$work/emulator.json"
base=$(field "$work/emulator.json" baseUrl)
export VIPPS_CLIENT_ID=emulator-client-id VIPPS_CLIENT_SECRET=emulator-client-secret \
       VIPPS_SUBSCRIPTION_KEY=emulator-subscription-key VIPPS_MSN=123456 VIPPS_BASE_URL="$base"

# The category and image as a shop sends them, with the tool.
"$om" upload-image examples/assets/receipt-logo.png --id butikk-logo >/dev/null
"$om" put-category ecom order-1042 RECEIPT https://butikk.example/ordre/1042 --image butikk-logo >/dev/null
"$om" add-category ecom order-1042 DELIVERY https://butikk.example/sporing/1042 >/dev/null

# The shop's outbox, as the shop fills it with the tool: a receipt for
# order 1042 that differs from the one another system stores there (it
# will fail for good), and one for order-9 (the emulator will answer 503:
# it will wait for its next try). browser-check.mjs runs the worker once
# after storing the orders.
outbox_url="sqlite://$(realpath "$work")/outbox.sqlite3"
printf '{"orderLines":[{"name":"Ullsokker","id":"sku-1","totalAmount":29800,"totalAmountExcludingTax":23840,"totalTaxAmount":5960,"taxRate":2500}],"bottomLine":{"currency":"NOK"}}' > "$work/shop-receipt.json"
DATABASE_URL="$outbox_url" "$om" outbox post-receipt ecom order-1042 "$work/shop-receipt.json" >/dev/null
DATABASE_URL="$outbox_url" "$om" outbox post-receipt ecom order-9 "$work/shop-receipt.json" >/dev/null

# The staff, each with a token of their own made by the tool; the file in
# a folder of its own (the consoles watch its folder).
mkdir -p "$work/staff"
staff="$work/staff/staff.txt"
KARI_TOKEN=$("$om" staff-token) OLA_TOKEN=$("$om" staff-token) DPO_TOKEN=$("$om" staff-token)
export KARI_TOKEN OLA_TOKEN DPO_TOKEN
printf '# customer service\nkari@butikk.example %s\nola@butikk.example %s\n# data protection\ndpo@butikk.example %s auditor\n' \
  "$KARI_TOKEN" "$OLA_TOKEN" "$DPO_TOKEN" > "$staff"

# Two consoles on one store, named tokens, nginx (127.0.0.1) their front end.
for name in a b; do
  "$om" --json console --listen 127.0.0.1:0 --staff "$staff" --front-end 127.0.0.1 \
    --database-url "sqlite://$work/shared.sqlite3?mode=rwc" --audit-log "$work/audit-$name.jsonl" \
    --outbox-database-url "$outbox_url" \
    --time-zone Europe/Oslo > "$work/console-$name.json" 2> "$work/console-$name.log" &
  pids+=($!)
  wait_banner "$work/console-$name.json"
done
console_a=$(field "$work/console-a.json" url); console_a=${console_a%/}
console_b=$(field "$work/console-b.json" url); console_b=${console_b%/}
front="$console_a" sso="" console_c=""

if [ -n "$nginx" ]; then
  # The sign-on stub, and the third console behind it: the identity proxy
  # and front end is nginx, which connects from 127.0.0.5 (proxy_bind), so
  # that the browser's own address (127.0.0.1) is neither.
  node scripts/browser-check-sso.mjs > "$work/sso-stub.json" 2> "$work/sso-stub.log" &
  pids+=($!)
  for _ in $(seq 1 100); do grep -q port "$work/sso-stub.json" 2>/dev/null && break; sleep 0.1; done
  stub_port=$(field "$work/sso-stub.json" port)
  "$om" --json console --listen 127.0.0.1:0 --identity-proxy 127.0.0.5 --front-end 127.0.0.5 \
    --auditor-group dpo --identity-sign-out /oauth2/sign_out \
    --database-url "sqlite://$work/sso.sqlite3?mode=rwc" --audit-log "$work/audit-c.jsonl" \
    --time-zone Europe/Oslo > "$work/console-c.json" 2> "$work/console-c.log" &
  pids+=($!)
  wait_banner "$work/console-c.json"
  console_c=$(field "$work/console-c.json" url); console_c=${console_c%/}

  front_port=$(free_port) sso_port=$(free_port)
  conf="$work/nginx"
  mkdir -p "$conf/tmp"
  user_line=""
  if [ "$(id -u)" = 0 ]; then user_line="user root;"; fi
  cat > "$conf/nginx.conf" <<EOF
# The browser check's nginx (scripts/browser-check.sh): written each run.
$user_line
worker_processes 1;
daemon off;
pid nginx.pid;
error_log error.log info;
events { worker_connections 256; }
http {
    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
    # Which console answered each request.
    log_format upstream '\$remote_addr "\$request" \$status upstream=\$upstream_addr';
    access_log access.log upstream;

    upstream vipps_om_console {
        server ${console_a#http://};
        server ${console_b#http://};
    }

    # The front end of the named-token consoles (TLS ends here in a real
    # deployment): the client's address, scheme and host overwritten, the
    # identity headers a browser sends removed. The host as the browser
    # sent it (\$http_host: with its port when it has one, as Origin has),
    # so that a sign-in with Origin alone (no Sec-Fetch-Site) matches it.
    # Buffering as nginx's default, as vipps-om/README.md's configuration leaves
    # it: a slow lookup's page must still reach the browser in two parts.
    server {
        listen 127.0.0.1:$front_port;
        location / {
            proxy_set_header X-Forwarded-For \$remote_addr;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Forwarded-Host \$http_host;
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-Email "";
            proxy_set_header X-Forwarded-Groups "";
            proxy_pass http://vipps_om_console;
        }
    }

    # The single sign-on: nginx asks the stub who each request is from,
    # and sets the identity headers from its answer (never passed on).
    server {
        listen 127.0.0.1:$sso_port;
        location /oauth2/ {
            proxy_pass http://127.0.0.1:$stub_port;
            proxy_set_header Host \$http_host;
            proxy_set_header X-Original-URI \$request_uri;
        }
        location = /oauth2/auth {
            internal;
            proxy_pass http://127.0.0.1:$stub_port;
            proxy_set_header Host \$http_host;
            proxy_set_header Content-Length "";
            proxy_pass_request_body off;
        }
        location / {
            auth_request /oauth2/auth;
            error_page 401 = /oauth2/sign_in;
            auth_request_set \$email \$upstream_http_x_auth_request_email;
            auth_request_set \$groups \$upstream_http_x_auth_request_groups;
            proxy_set_header X-Forwarded-Email \$email;
            proxy_set_header X-Forwarded-Groups \$groups;
            proxy_set_header X-Forwarded-For \$remote_addr;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Forwarded-Host \$http_host;
            proxy_set_header Host \$host;
            proxy_bind 127.0.0.5;
            proxy_pass http://${console_c#http://};
        }
    }
}
EOF
  prefix=$(realpath "$conf")
  "$nginx" -t -q -p "$prefix/" -c nginx.conf -e error.log || { echo "FAIL: nginx does not take its configuration"; cat "$conf/error.log"; exit 1; }
  "$nginx" -p "$prefix/" -c nginx.conf -e error.log &
  pids+=($!)
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$sso_port") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$front_port") 2>/dev/null && break
    sleep 0.1
  done
  front="http://127.0.0.1:$front_port" sso="http://127.0.0.1:$sso_port"
  echo "nginx: front end $front (round robin over $console_a and $console_b), single sign-on $sso (console $console_c, sign-on stub port $stub_port)"
fi

status=0
staff_file=$(realpath "$staff")
(cd "$work" && EMULATOR_URL="$base" FRONT_URL="$front" SSO_URL="$sso" CONSOLE_A_URL="$console_a" CONSOLE_B_URL="$console_b" \
  CONSOLE_C_URL="$console_c" STAFF_FILE="$staff_file" CHROMIUM="$chromium" OM="$om" OUTBOX_URL="$outbox_url" \
  exec node ../../scripts/browser-check.mjs) &
pids+=($!)
wait $! || status=$?
if [ "$status" = 0 ]; then
  # vipps-om/README.md's picture, refreshed from a developer's run (CI leaves the
  # tree as committed).
  if [ "${CI:-}" != true ]; then mkdir -p docs && cp "$work/console-order-desktop.png" docs/console-order.png; fi
  # The copies of the trail (written a moment after each entry is kept)
  # and the consoles' logs: who looked, who left, which client failed.
  copies() { cat "$work"/audit-a.jsonl "$work"/audit-b.jsonl 2>/dev/null || true; }
  for _ in $(seq 1 50); do copies | grep -q '"event":"sign-out","who":"kari@butikk.example"' && break; sleep 0.1; done
  copies | grep -q '"event":"lookup","who":"kari@butikk.example","via":"token"' || { echo "FAIL: kari's lookup is not in the copies of the trail"; exit 1; }
  copies | grep -q '"event":"sign-out","who":"kari@butikk.example"' || { echo "FAIL: kari's sign-out is not in the copies of the trail"; exit 1; }
  copies | grep -q '"who":"ola@butikk.example".*"outcome":"left-staff"' || { echo "FAIL: ola's removal is not in the copies of the trail"; exit 1; }
  copies | grep -q '"outcome":"throttled"' || { echo "FAIL: the flood past the limit is not in the copies of the trail"; exit 1; }
  copies | grep -q '"event":"delivery-retry","who":"kari@butikk.example".*"orderId":"order-1042".*"outcome":"retried"' || { echo "FAIL: kari's 'try again now' is not in the copies of the trail"; exit 1; }
  cat "$work"/console-a.log "$work"/console-b.log | grep -q 'wrong access token from client 127.0.0.1' || { echo "FAIL: the logs do not name the flooding client"; exit 1; }
  cat "$work"/console-a.log "$work"/console-b.log | grep -q 'past the limit' || { echo "FAIL: the logs do not say the client went past the limit"; exit 1; }
  if [ -n "$sso" ]; then
    for _ in $(seq 1 50); do grep -q '"who":"kari@butikk.example","via":"proxy"' "$work/audit-c.jsonl" 2>/dev/null && break; sleep 0.1; done
    grep -q '"event":"lookup","who":"kari@butikk.example","via":"proxy"' "$work/audit-c.jsonl" || { echo "FAIL: the signed-on lookup is not in the copy of the trail"; exit 1; }
    grep -q 'ignored the x-forwarded-email header' "$work/console-c.log" || { echo "FAIL: the header sent around the sign-on is not in the log"; exit 1; }
  fi
  if grep -l 'ceo@' "$work"/audit-*.jsonl; then echo "FAIL: a forged name reached the trail"; exit 1; fi
  echo "the copies of the trail and the consoles' logs name who looked, who left and which client failed; no forged name"
fi
exit "$status"
