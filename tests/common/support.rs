//! The helpers every crate's tests share, written once: here, in the SDK's
//! own tests (so that its published package tests on its own), and the
//! `vipps-om-test-support` crate (`support/`, never published) hands this
//! same file to the emulator's and the tool's tests.
#![allow(dead_code)]

use std::future::Future;
use std::io::Write;
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

/// Picks ring as the process's rustls crypto provider, as an application
/// that builds reqwest clients of its own does once at start. The SDK's
/// `rustls` feature turns on reqwest's `rustls-no-provider` and hands its
/// own client a ring configuration, but installs no process-wide provider.
pub fn pick_crypto_provider() {
    #[cfg(feature = "rustls")]
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A plain reqwest client, for raw requests to loopback servers.
pub fn http() -> reqwest::Client {
    pick_crypto_provider();
    reqwest::Client::new()
}

/// Waits for `work`, failing the test if it has not ended after a minute.
/// A guard against a hang (a read that never stops, a call that never
/// times out), never a timing target: what it waits for takes milliseconds,
/// and timing targets live in the benchmarks.
pub async fn without_hanging<T>(what: &str, work: impl Future<Output = T>) -> T {
    match tokio::time::timeout(Duration::from_secs(60), work).await {
        Ok(done) => done,
        Err(_) => panic!("{what} had not ended after a minute: it hangs"),
    }
}

/// Waits (a minute at most: a guard against a hang, never a timing target)
/// until `done` holds, looking again every few milliseconds.
pub async fn until(what: &str, mut done: impl FnMut() -> bool) {
    without_hanging(what, async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
}

/// The same, for a test with no runtime (a thread's work).
pub fn until_blocking(what: &str, done: impl Fn() -> bool) {
    let started = std::time::Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{what} had not happened after a minute"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Everything a log subscriber printed, as text.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// What was printed so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }

    /// A subscriber that prints every line at `level` and above, without
    /// colours, here.
    pub fn subscriber(&self, level: tracing::Level) -> impl tracing::Subscriber + Send + Sync {
        let sink = self.clone();
        tracing_subscriber::fmt()
            .with_max_level(level)
            .with_writer(move || sink.clone())
            .with_ansi(false)
            .finish()
    }
}

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// tracing caches, once for the whole process, whether a log line's
/// callsite is wanted, asking the subscriber of the first thread that
/// reaches it: a test thread without one would make it never wanted for
/// the others. A global subscriber that wants everything (and writes
/// nothing) keeps every callsite asking each thread's own.
fn every_line_wanted() {
    static QUIET: Once = Once::new();
    QUIET.call_once(|| {
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry());
    });
}

/// What `work` logs on this thread (INFO and above).
pub fn logged(work: impl FnOnce()) -> String {
    every_line_wanted();
    let captured = Captured::default();
    tracing::subscriber::with_default(captured.subscriber(tracing::Level::INFO), work);
    captured.text()
}

/// What `work` logs on this thread while it runs (INFO and above; a test
/// on tokio's current-thread runtime runs what it serves on it too), and
/// its outcome.
pub async fn logged_async<T>(work: impl Future<Output = T>) -> (T, String) {
    every_line_wanted();
    let captured = Captured::default();
    let guard = tracing::subscriber::set_default(captured.subscriber(tracing::Level::INFO));
    let done = work.await;
    drop(guard);
    (done, captured.text())
}
