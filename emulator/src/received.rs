//! A request as the emulator takes it from the wire, and what it says: a
//! header's value, a query parameter's.

use std::net::SocketAddr;

use bytes::Bytes;
use hyper::header::{AsHeaderName, HeaderMap};

/// A request as the emulator sees it.
#[derive(Clone)]
pub(super) struct Received {
    pub(super) method: String,
    /// The path as sent (percent-encoded).
    pub(super) path: String,
    pub(super) query: Option<String>,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
    /// Who sent it.
    pub(super) peer: SocketAddr,
}

impl Received {
    /// A header's value, when it is text.
    pub(super) fn header(&self, name: impl AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The first value of a query parameter, decoded.
    pub(super) fn query_value(&self, key: &str) -> Option<String> {
        url::form_urlencoded::parse(self.query.as_deref()?.as_bytes())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    }
}
