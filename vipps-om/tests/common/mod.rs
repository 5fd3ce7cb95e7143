//! Helpers shared by the tool's tests.
#![allow(dead_code)]

/// Picks ring as the process's rustls crypto provider, as an application
/// that builds reqwest clients of its own does once at start (the SDK's
/// `rustls` feature installs no process-wide provider).
pub fn pick_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A plain reqwest client, for raw requests to loopback servers.
pub fn http() -> reqwest::Client {
    pick_crypto_provider();
    reqwest::Client::new()
}

/// Reads a server command's banner from its stdout: one pretty-printed
/// JSON document (`--json`), printed before it takes requests.
pub fn read_banner(child: &mut std::process::Child) -> serde_json::Value {
    use std::io::BufRead as _;
    let mut reader = std::io::BufReader::new(child.stdout.take().expect("stdout is piped"));
    let mut banner = String::new();
    loop {
        let mut line = String::new();
        assert!(reader.read_line(&mut line).unwrap() > 0, "the server ended early: {banner}");
        banner.push_str(&line);
        if line.trim_end() == "}" {
            break;
        }
    }
    serde_json::from_str(&banner).unwrap()
}

/// A PNG image file of 1 × `height` pixels, as the API's image checks read
/// it (signature, IHDR header, IEND trailer), written to a temporary file.
pub fn png_file(height: u32) -> std::path::PathBuf {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend_from_slice(&1u32.to_be_bytes());
    png.extend_from_slice(&height.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    png.extend_from_slice(b"IEND\xAE\x42\x60\x82");
    let dir = std::env::temp_dir().join(format!("vipps-om-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("image-{height}.png"));
    std::fs::write(&path, png).unwrap();
    path
}

/// Waits for `work`, failing the test if it has not ended after a minute:
/// a guard against a hang, never a timing target.
pub async fn without_hanging<T>(what: &str, work: impl std::future::Future<Output = T>) -> T {
    match tokio::time::timeout(std::time::Duration::from_secs(60), work).await {
        Ok(done) => done,
        Err(_) => panic!("{what} had not ended after a minute: it hangs"),
    }
}

pub mod console;
pub mod front_end;
pub mod postgres;

/// Waits (a minute at most: a guard against a hang, never a timing target)
/// until `done` holds, looking again every few milliseconds.
pub async fn until(what: &str, mut done: impl FnMut() -> bool) {
    without_hanging(what, async {
        while !done() {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    })
    .await;
}
