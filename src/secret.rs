//! A string that never shows itself: client secret, subscription key, token.

use std::fmt;
use std::sync::Arc;

/// A secret value (client secret, subscription key, access token).
///
/// `Debug` prints `Secret([redacted])`; there is no `Display`, no `Serialize`,
/// and the value only leaves through [`Secret::expose`], which the crate calls
/// when it writes the header that needs it. Cloning is cheap.
///
/// ```
/// use vipps_order_management::Secret;
/// let key = Secret::new("abc123");
/// assert_eq!(format!("{key:?}"), "Secret([redacted])");
/// assert_eq!(key.expose(), "abc123");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Arc::from(value.into()))
    }

    /// The secret itself. Do not log what this returns.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `true` when the value is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

/// What stands in a server's text where one of the client's secrets was.
const REDACTED: &[u8] = b"[redacted]";

/// Secrets shorter than this are not searched for: replacing every
/// occurrence of a few common characters would garble the text and hide
/// nothing (real client secrets, keys and tokens are far longer).
const SHORTEST_REDACTED: usize = 8;

/// `text` with every occurrence of each secret replaced by `[redacted]`:
/// for an error answer that echoes what was sent (a gateway reflecting the
/// request's headers), before it is kept in an error, shown or logged.
pub(crate) fn redact(text: bytes::Bytes, secrets: &[&[u8]]) -> bytes::Bytes {
    let secrets: Vec<&[u8]> = secrets.iter().copied().filter(|s| s.len() >= SHORTEST_REDACTED).collect();
    // Called with `at` below `text.len()` only (both loops stop there), so
    // the slice cannot panic.
    let found = |at: usize| secrets.iter().find(|s| text[at..].starts_with(s));
    // Text without a secret (nearly always) is kept as it is, uncopied;
    // else the copy starts at the first secret, found once.
    let Some(first) = (0..text.len()).find(|&at| found(at).is_some()) else {
        return text;
    };
    let mut out = Vec::with_capacity(text.len());
    out.extend_from_slice(&text[..first]);
    let mut at = first;
    while at < text.len() {
        match found(at) {
            Some(secret) => {
                out.extend_from_slice(REDACTED);
                at += secret.len();
            }
            None => {
                out.push(text[at]);
                at += 1;
            }
        }
    }
    bytes::Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_occurrence_of_each_secret_is_replaced() {
        let text = bytes::Bytes::from_static(b"client_secret: CSECRET-zz9; key SUBKEY-qq77, again CSECRET-zz9.");
        let out = redact(text, &[b"CSECRET-zz9", b"SUBKEY-qq77"]);
        assert_eq!(&out[..], b"client_secret: [redacted]; key [redacted], again [redacted].");
    }

    #[test]
    fn text_without_secrets_and_short_secrets_are_left_alone() {
        let text = bytes::Bytes::from_static(b"{\"title\":\"Bad request\"}");
        assert_eq!(redact(text.clone(), &[b"CSECRET-zz9"]), text);
        assert_eq!(redact(text.clone(), &[b"Bad"]), text, "too short to be a secret");
        assert_eq!(redact(bytes::Bytes::new(), &[b"CSECRET-zz9"]), bytes::Bytes::new());
    }
}
