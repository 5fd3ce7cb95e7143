//! The client's cost next to hand-written reqwest calls, side by side in
//! one run: post-receipt and get-order at concurrency 1 and 64 against a
//! minimal loopback server (the hand-written side sends the same headers
//! and serializes the same receipt struct per call); and a 500-line receipt validated and serialized
//! versus serialized alone. `cargo bench --bench overhead`;
//! `scripts/bench-report.sh` turns the results into BENCHMARKS.md.

#[path = "../tests/common/loopback.rs"]
mod loopback;
mod support;

use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use support::{batch, client_call, HandWritten};
use vipps_order_management::validate;

fn calls(c: &mut Criterion) {
    let (addr, _counts) = loopback::start_on_thread();
    let base = format!("http://{addr}");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let client = support::client(&base);
    rt.block_on(client.warm_up()).unwrap();
    let small = Arc::new(support::receipt(3));
    let raw = HandWritten::new(&base, small.clone());
    for (op, post) in [("post_receipt", true), ("get_order", false)] {
        let mut group = c.benchmark_group(op);
        group
            .sample_size(20)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4));
        for concurrency in [1usize, 64] {
            group.throughput(Throughput::Elements(concurrency as u64));
            group.bench_with_input(BenchmarkId::new("client", concurrency), &concurrency, |b, &n| {
                b.to_async(&rt)
                    .iter(|| batch(n, n, || client_call(client.clone(), small.clone(), post)))
            });
            group.bench_with_input(BenchmarkId::new("raw", concurrency), &concurrency, |b, &n| {
                b.to_async(&rt).iter(|| batch(n, n, || raw.clone().call(post)))
            });
        }
        group.finish();
    }
}

fn serialization(c: &mut Criterion) {
    let big = support::receipt(500);
    let mut group = c.benchmark_group("receipt_500_lines");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("validate_and_serialize", |b| {
        b.iter(|| {
            assert!(validate::receipt(&big).is_empty());
            serde_json::to_vec(&big).unwrap()
        })
    });
    group.bench_function("serialize", |b| b.iter(|| serde_json::to_vec(&big).unwrap()));
    group.finish();
}

criterion_group!(benches, calls, serialization);
criterion_main!(benches);
