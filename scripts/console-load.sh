#!/usr/bin/env bash
# The support console under a department's load, deployed as vipps-om/README.md
# says: nginx as the front end balancing two consoles (release builds)
# that share one Postgres (a throwaway cluster of Debian's postgresql, with
# fsync on: the trail's durability is part of the cost), against
# `vipps-om emulator`. 50 staff, each with their own token, sign in through
# nginx and look up 20 orders each (the form, then the order's page).
# Prints the load example's JSON line (BENCHMARKS.md §9 is made from it).
#   scripts/console-load.sh [STAFF] [LOOKUPS]
# Needs nginx and postgresql (apt-get install nginx postgresql, as root);
# prints one SKIP line and exits 0 without them.
set -euo pipefail
cd "$(dirname "$0")/.."
staff_count=${1:-50}
lookups=${2:-20}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1 || true)
if ! command -v nginx >/dev/null || [ -z "$pg_bin" ]; then
  echo "SKIP: nginx or postgresql is not installed: the console's load was not measured"; exit 0
fi
cargo build -q --release -p vipps-om --bin vipps-om --example console_load
om=$(pwd)/target/release/vipps-om
load=$(pwd)/target/release/examples/console_load
work=$(mktemp -d /tmp/vipps-om-load.XXXXXX)
chmod 755 "$work"   # the postgres user reaches its cluster in it
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  [ -d "$work/pg/data" ] && runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_banner() { for _ in $(seq 1 300); do grep -q '^}' "$1" 2>/dev/null && return 0; sleep 0.1; done; echo "FAIL: no banner in $1"; exit 1; }
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

# Postgres: a cluster of its own, durable (fsync on).
mkdir -p "$work/pg" && chown postgres:postgres "$work/pg"
pg_port=$(free_port)
runuser -u postgres -- "$pg_bin/initdb" -D "$work/pg/data" -A trust -U postgres >/dev/null
runuser -u postgres -- "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" \
  -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1" -w start >/dev/null
runuser -u postgres -- "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres console
database="postgres://postgres@127.0.0.1:$pg_port/console"

"$om" --json emulator --port 0 > "$work/emulator.json" 2> "$work/emulator.log" &
pids+=($!)
wait_banner "$work/emulator.json"
base=$(field "$work/emulator.json" baseUrl)

# The staff: one token each.
for i in $(seq 1 "$staff_count"); do echo "staff-$i@butikk.example $("$om" staff-token)"; done > "$work/staff.txt"

ports=()
for n in 1 2; do
  VIPPS_CLIENT_ID=emulator-client-id VIPPS_CLIENT_SECRET=emulator-client-secret \
  VIPPS_SUBSCRIPTION_KEY=emulator-subscription-key VIPPS_MSN=123456 \
    "$om" --json --base-url "$base" console --listen 127.0.0.1:0 --front-end 127.0.0.1 \
      --staff "$work/staff.txt" --database-url "$database" --time-zone Europe/Oslo \
      > "$work/console-$n.json" 2> "$work/console-$n.log" &
  pids+=($!)
  wait_banner "$work/console-$n.json"
  ports+=("$(field "$work/console-$n.json" url | sed 's#http://##; s#/$##')")
done

front_port=$(free_port)
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon on;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  upstream consoles { server ${ports[0]}; server ${ports[1]}; keepalive 32; }
  server {
    listen 127.0.0.1:$front_port;
    location / {
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Host \$http_host;
      proxy_set_header X-Forwarded-Email "";
      proxy_set_header X-Forwarded-Groups "";
      proxy_pass http://consoles;
    }
  }
}
EOF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"
"$load" "http://127.0.0.1:$front_port" "$work/staff.txt" "$base" "$lookups"
# Both consoles served: the front end balanced between them.
for n in 1 2; do
  echo "console $n answered $(grep -c ' -> ' "$work/console-$n.log") requests"
done
