//! The record of requests an emulator received, for tests to inspect (in
//! Rust, or over HTTP with `GET /_emulator/requests`): every request, or
//! the latest ones up to a limit, with bodies up to a cap.

use std::collections::VecDeque;
use std::time::SystemTime;

use vipps_order_management::Operation;

/// One request the emulator received.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, as sent (percent-encoded).
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    /// Every header, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body (cut at the record's cap, when it has one: see
    /// [`RecordedRequest::body_truncated`]).
    pub body: Vec<u8>,
    /// The body was longer than the record keeps.
    pub body_truncated: bool,
    /// The operation the path and method name, if any.
    pub operation: Option<Operation>,
    /// The order id the request names (path, query or body), if any.
    pub order_id: Option<String>,
    /// The `Merchant-Serial-Number` it carried, if any.
    pub merchant: Option<String>,
    /// When it arrived.
    pub received_at: SystemTime,
}

impl RecordedRequest {
    /// The first value of a header (name in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// The requests kept, oldest first.
#[derive(Debug)]
pub(super) struct Record {
    pub(super) requests: VecDeque<RecordedRequest>,
    /// Keep requests at all.
    pub(super) enabled: bool,
    /// Keep at most this many (the oldest go first).
    pub(super) limit: Option<usize>,
    /// Keep at most this much of each body.
    pub(super) body_cap: Option<usize>,
}

impl Record {
    pub(super) fn new(enabled: bool, limit: Option<usize>, body_cap: Option<usize>) -> Record {
        Record {
            requests: VecDeque::new(),
            enabled,
            limit,
            body_cap,
        }
    }

    /// Keeps a request, its body cut to the cap, the oldest dropped past
    /// the limit.
    pub(super) fn push(&mut self, mut request: RecordedRequest) {
        if !self.enabled {
            return;
        }
        if let Some(cap) = self.body_cap.filter(|cap| request.body.len() > *cap) {
            request.body.truncate(cap);
            request.body_truncated = true;
        }
        if self.limit == Some(0) {
            return;
        }
        if self.limit.is_some_and(|limit| self.requests.len() >= limit) {
            self.requests.pop_front();
        }
        self.requests.push_back(request);
    }
}
