#!/usr/bin/env bash
# The merchant's cost of depending on this crate, next to a bare project
# with what any such client needs anyway: reqwest (json, http2, the same
# TLS: rustls with ring), tokio and serde_json. Each is a small binary that
# makes one call. Measured in one run: crates compiled, clean release build
# time (median of RUNS), release binary size. Writes key=value lines to $1.
#   scripts/build-cost.sh target/bench-report/build-cost.txt   # RUNS=3
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=${1:-target/bench-report/build-cost.txt}
runs=${RUNS:-3}
work=target/build-cost
rm -rf "$work" && mkdir -p "$work"/{bare,merchant}/src

cat > "$work/bare/Cargo.toml" <<TOML
[package]
name = "bare"
version = "0.1.0"
edition = "2021"
[dependencies]
reqwest = { version = "0.13.5", default-features = false, features = ["json", "http2", "rustls-no-provider"] }
rustls = { version = "0.23.20", default-features = false, features = ["ring", "std", "tls12"] }
tokio = { version = "1.40", features = ["macros", "rt-multi-thread"] }
serde_json = "1"
[workspace]
TOML
cat > "$work/bare/src/main.rs" <<'RS'
// One call by hand: get an order with a bearer token, decode the JSON.
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let base = std::env::args().nth(1).unwrap_or_else(|| "https://api.vipps.no".into());
    let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build()?;
    let order: serde_json::Value = http
        .get(format!("{base}/order-management/v2/ECOM/order-1"))
        .bearer_auth("token")
        .header("Ocp-Apim-Subscription-Key", "key")
        .header("Merchant-Serial-Number", "123456")
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    // The same output as the other program: whether a receipt is stored.
    println!("{}", order.get("receipt").is_some());
    Ok(())
}
RS

cat > "$work/merchant/Cargo.toml" <<TOML
[package]
name = "merchant"
version = "0.1.0"
edition = "2021"
[dependencies]
vipps-order-management = { path = "$root" }
tokio = { version = "1.40", features = ["macros", "rt-multi-thread"] }
[workspace]
TOML
cat > "$work/merchant/src/main.rs" <<'RS'
// One call through the crate: get an order.
#[tokio::main]
async fn main() -> Result<(), vipps_order_management::Error> {
    let base = std::env::args().nth(1).unwrap_or_else(|| "https://api.vipps.no".into());
    let client = vipps_order_management::Client::builder()
        .base_url(base)
        .client_id("id")
        .client_secret("secret")
        .subscription_key("key")
        .merchant_serial_number("123456")
        .build()?;
    // The same output as the other program: whether a receipt is stored.
    println!("{}", client.ecom("order-1").get().await?.receipt.is_some());
    Ok(())
}
RS

: > "$out"
for p in bare merchant; do
  (cd "$work/$p" && cargo generate-lockfile -q && cargo fetch -q)
  crates=$(cd "$work/$p" && cargo tree -e normal,build --prefix none | sed 's/ (\*)//; s/ (proc-macro)//' | sort -u | wc -l)
  echo "$p.crates=$crates" >> "$out"
done
# Interleaved (bare, merchant, bare, ...), so that drift of this shared
# machine hits both alike. Wall and CPU (user + system) seconds per build.
declare -A wall cpu
for _ in $(seq 1 "$runs"); do
  for p in bare merchant; do
    rm -rf "$work/$p/target"
    /usr/bin/time -f "%e %U %S" -o "$work/$p.time" bash -c "cd '$work/$p' && cargo build -q --release"
    read -r e u s < "$work/$p.time"
    wall[$p]="${wall[$p]:-} $e"
    cpu[$p]="${cpu[$p]:-} $(echo "$u + $s" | bc)"
  done
done
for p in bare merchant; do
  size=$(stat -c %s "$work/$p/target/release/$p")
  cp "$work/$p/target/release/$p" "$work/$p.stripped" && strip "$work/$p.stripped"
  stripped=$(stat -c %s "$work/$p.stripped")
  {
    echo "$p.wall=${wall[$p]# }"
    echo "$p.cpu=${cpu[$p]# }"
    echo "$p.bytes=$size"
    echo "$p.stripped=$stripped"
  } >> "$out"
done
cat "$out"
