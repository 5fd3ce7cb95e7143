//! The files a command is given: read within a bound (a pipe or a device
//! never ends), a receipt's JSON checked field by field (a typo or a
//! deprecated field is refused, not dropped), and a link's category.
//! What `post-receipt`, `upload-image` and `vipps-om outbox` read alike.

use std::path::Path;

use serde_json::Value;
use vipps_order_management::{Category, Receipt};
use vipps_order_management_outbox::{describe_not_sent, fields_not_sent};

use crate::args::Link;
use crate::failure::Failure;

/// Reads at most `limit` bytes of a file named on the command line: which
/// file and why when it cannot be read, a refusal when it is larger (a pipe
/// or a device never ends).
pub fn read_file(path: &Path, limit: usize, what: &str) -> Result<Vec<u8>, Failure> {
    use std::io::Read as _;
    let file = std::fs::File::open(path).map_err(|e| Failure::file(path, e))?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::file(path, e))?;
    if bytes.len() > limit {
        return Err(Failure::Content {
            path: path.to_owned(),
            reason: format!("is larger than {limit} bytes, {what}"),
        });
    }
    Ok(bytes)
}

/// The largest receipt file read: far beyond any receipt.
const RECEIPT_FILE_MAX: usize = 16 * 1024 * 1024;

/// Reads a receipt file: which file and why when it cannot be read, line
/// and column when its JSON is broken, and a refusal naming each field that
/// would not be sent (a typo, a deprecated field) rather than dropping it.
pub fn read_receipt(path: &Path) -> Result<Receipt, Failure> {
    let bytes = read_file(path, RECEIPT_FILE_MAX, "far more than any receipt")?;
    // Editors on Windows start UTF-8 files with a byte order mark.
    let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&bytes);
    let written: Value = serde_json::from_slice(text).map_err(|e| Failure::json(path, e))?;
    let receipt: Receipt = serde_json::from_value(written.clone()).map_err(|e| Failure::json(path, e))?;
    let sent = serde_json::to_value(&receipt).unwrap_or(Value::Null);
    let lost = fields_not_sent(&written, &sent);
    if !lost.is_empty() {
        let described: Vec<String> = lost.iter().map(|name| describe_not_sent(name)).collect();
        return Err(Failure::Content {
            path: path.to_owned(),
            reason: format!("holds fields that would not be sent: {}", described.join("; ")),
        });
    }
    Ok(receipt)
}

/// The v2 category a link's arguments describe.
pub fn category_of(link: &Link) -> Category {
    let category = Category::new(link.category.clone(), &link.url);
    match &link.image {
        Some(image) => category.with_image(image.as_str()),
        None => category,
    }
}
