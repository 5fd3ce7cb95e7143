//! Helpers shared by the tool's tests.
#![allow(dead_code)]

// The helpers every crate's tests share, written once.
pub use vipps_om_test_support::*;

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

pub mod console;
pub mod front_end;
pub mod outbox;
