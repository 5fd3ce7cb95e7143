//! Peak heap while uploading a 2 MB image, through the client and by hand,
//! measured with a counting allocator. `cargo bench --bench large_body`
//! prints one JSON line per measurement (five runs each) for
//! `scripts/bench-report.sh`.

#[path = "../tests/common/loopback.rs"]
mod loopback;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use vipps_order_management::{Client, ImageUpload};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ALLOCATED: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(now, Ordering::SeqCst);
            ALLOCATED.fetch_add(layout.size(), Ordering::SeqCst);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        System.dealloc(p, layout);
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A structurally valid PNG of about `size` bytes, 1000 px high, whose
/// image data is incompressible noise.
fn big_png(size: usize) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(7);
    let data: Vec<u8> = (0..size - 57).map(|_| rng.u8(..)).collect();
    let chunk = |kind: &[u8], body: &[u8]| {
        let mut c = (body.len() as u32).to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(body);
        c.extend_from_slice(&[0, 0, 0, 0]);
        c
    };
    let mut ihdr = 1000u32.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&1000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(b"IDAT", &data));
    png.extend(chunk(b"IEND", &[]));
    let n = png.len();
    png[n - 4..].copy_from_slice(&[0xAE, 0x42, 0x60, 0x82]);
    png
}

/// Runs `f` and returns (peak heap above the baseline, bytes allocated).
fn measure(rt: &tokio::runtime::Runtime, f: impl std::future::Future<Output = ()>) -> (usize, usize) {
    let baseline = CURRENT.load(Ordering::SeqCst);
    PEAK.store(baseline, Ordering::SeqCst);
    let allocated = ALLOCATED.load(Ordering::SeqCst);
    rt.block_on(f);
    (PEAK.load(Ordering::SeqCst) - baseline, ALLOCATED.load(Ordering::SeqCst) - allocated)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks; there are no criterion tests here.
    }
    let (addr, _) = loopback::start_on_thread();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let client = Client::builder()
        .base_url(format!("http://{addr}"))
        .client_id("bench")
        .client_secret("bench-secret")
        .subscription_key("bench-key")
        .merchant_serial_number("123456")
        .build()
        .unwrap();
    rt.block_on(client.warm_up()).unwrap();
    let image = big_png(2_000_000);
    let upload = ImageUpload::from_bytes(image.clone()).unwrap().with_id("big-image");
    // This bench builds a reqwest client of its own: it picks the crypto
    // provider, as an application does (the crate's client brings its own).
    #[cfg(feature = "rustls")]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let url = format!("http://{addr}/order-management/v1/images");
    // Warm both paths (connection pools) before measuring.
    rt.block_on(client.images().upload(&upload)).unwrap();
    rt.block_on(async { http.post(&url).body("{}").send().await.unwrap().bytes().await.unwrap() });
    for run in 0..5 {
        let (peak, allocated) = measure(&rt, async {
            client.images().upload(&upload).await.unwrap();
        });
        println!(
            r#"{{"bench":"upload_2mb","path":"client","run":{run},"image_bytes":{},"peak_heap":{peak},"allocated":{allocated}}}"#,
            image.len()
        );
        let (peak, allocated) = measure(&rt, async {
            let body = serde_json::to_vec(&serde_json::json!({
                "imageId": "big-image",
                "src": base64::engine::general_purpose::STANDARD.encode(&image),
                "type": "base64",
            }))
            .unwrap();
            http.post(&url)
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
        });
        println!(
            r#"{{"bench":"upload_2mb","path":"raw","run":{run},"image_bytes":{},"peak_heap":{peak},"allocated":{allocated}}}"#,
            image.len()
        );
    }
}
