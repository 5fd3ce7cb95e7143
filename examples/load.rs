//! A load run that measures the client's overhead next to hand-written
//! reqwest calls, interleaved so that machine noise hits both alike:
//! each round runs a batch through the client and the same batch by hand
//! (alternating which goes first) against a minimal loopback server, and
//! the ratio is taken per round. The hand-written side (see
//! `benches/support/mod.rs`) sends the same headers and serializes the same
//! receipt struct on each call, as real hand-written code must; it skips
//! everything else the client does (validation, token cache, retries,
//! tracing, error parsing).
//!
//! ```text
//! cargo run --release --example load -- [rounds] [calls-per-batch]
//! cargo run --release --example load -- single <client|raw> <get|post> <concurrency> <calls>
//! cargo run --release --example load -- receipt <lines> <rounds>
//! ```
//!
//! The first form prints one JSON line per (operation, concurrency) with
//! the median and spread of calls per second for both, and the median ratio
//! client/raw. The second runs one side alone, for counting its
//! instructions with `valgrind --tool=callgrind` (exact and repeatable,
//! unlike wall-clock time on a shared machine). The third times validating
//! and serializing a receipt against serializing it alone, alternating 50
//! iterations of each per round, and prints the median ratio.

#[path = "../tests/common/loopback.rs"]
mod loopback;
#[path = "../benches/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::Instant;

use support::{batch, client_call, HandWritten};

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Validate + serialize against serialize alone, interleaved.
fn receipt_ratio(lines: usize, rounds: usize) {
    let receipt = support::receipt(lines);
    let time = |validate: bool| {
        let started = Instant::now();
        for _ in 0..50 {
            if validate {
                assert!(vipps_order_management::validate::receipt(std::hint::black_box(&receipt)).is_empty());
            }
            std::hint::black_box(serde_json::to_vec(std::hint::black_box(&receipt)).unwrap());
        }
        started.elapsed().as_secs_f64() / 50.0
    };
    let (mut both, mut alone, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (v, s) = if round % 2 == 0 {
            let v = time(true);
            (v, time(false))
        } else {
            let s = time(false);
            (time(true), s)
        };
        both.push(v * 1e6);
        alone.push(s * 1e6);
        ratios.push(v / s);
    }
    let (b, a, r) = (median(&mut both), median(&mut alone), median(&mut ratios));
    println!(
        r#"{{"receipt_lines":{lines},"rounds":{rounds},"validate_and_serialize_us":{b:.1},"serialize_us":{a:.1},"ratio":{r:.3},"ratio_min":{:.3},"ratio_max":{:.3}}}"#,
        ratios[0],
        ratios[ratios.len() - 1]
    );
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let all: Vec<String> = std::env::args().skip(1).collect();
    let numbers: Vec<usize> = all.iter().filter_map(|a| a.parse().ok()).collect();
    let mode = all.first().map(String::as_str).unwrap_or("");
    if mode == "receipt" {
        receipt_ratio(numbers.first().copied().unwrap_or(500), numbers.get(1).copied().unwrap_or(101));
        return;
    }
    let (addr, counts) = loopback::start_on_thread();
    let base = format!("http://{addr}");
    let client = support::client(&base);
    client.warm_up().await.unwrap();
    let small = Arc::new(support::receipt(3));
    let raw = HandWritten::new(&base, small.clone());

    if mode == "single" {
        let side = all.get(1).map(String::as_str).unwrap_or("client");
        let post = all.get(2).map(String::as_str) == Some("post");
        let (concurrency, calls) = (numbers.first().copied().unwrap_or(64), numbers.get(1).copied().unwrap_or(10_000));
        let rate = if side == "raw" {
            batch(calls, concurrency, || raw.clone().call(post)).await
        } else {
            batch(calls, concurrency, || client_call(client.clone(), small.clone(), post)).await
        };
        let (accepts, tokens, api) = counts.get();
        assert_eq!(api, calls, "every call reached the server");
        println!(
            r#"{{"side":"{side}","post":{post},"concurrency":{concurrency},"calls":{calls},"cps":{rate:.0},"connections":{accepts},"token_requests":{tokens},"api_requests":{api}}}"#
        );
        return;
    }

    let rounds = numbers.first().copied().unwrap_or(15).max(5);
    let calls = numbers.get(1).copied().unwrap_or(2000);
    for (op, post) in [("post_receipt", true), ("get_order", false)] {
        for concurrency in [1usize, 64] {
            let run_client = || client_call(client.clone(), small.clone(), post);
            let run_raw = || raw.clone().call(post);
            // Warm-up, not counted.
            batch(calls / 4, concurrency, run_client).await;
            batch(calls / 4, concurrency, run_raw).await;
            let (mut c_rates, mut r_rates, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
            for round in 0..rounds {
                let (c, r) = if round % 2 == 0 {
                    let c = batch(calls, concurrency, run_client).await;
                    (c, batch(calls, concurrency, run_raw).await)
                } else {
                    let r = batch(calls, concurrency, run_raw).await;
                    (batch(calls, concurrency, run_client).await, r)
                };
                c_rates.push(c);
                r_rates.push(r);
                ratios.push(c / r);
            }
            let (cm, rm, ratio) = (median(&mut c_rates), median(&mut r_rates), median(&mut ratios));
            let ends = |v: &[f64]| (v[0], v[v.len() - 1]); // sorted by median()
            let ((cl, ch), (rl, rh), (ql, qh)) = (ends(&c_rates), ends(&r_rates), ends(&ratios));
            println!(
                r#"{{"op":"{op}","concurrency":{concurrency},"rounds":{rounds},"calls_per_batch":{calls},"client_cps":{cm:.0},"client_min":{cl:.0},"client_max":{ch:.0},"raw_cps":{rm:.0},"raw_min":{rl:.0},"raw_max":{rh:.0},"ratio":{ratio:.3},"ratio_min":{ql:.3},"ratio_max":{qh:.3}}}"#
            );
        }
    }
    let (accepts, tokens, _) = counts.get();
    println!(r#"{{"connections_opened":{accepts},"token_requests":{tokens}}}"#);
}
