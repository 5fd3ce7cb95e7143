//! The record of requests an emulator received, for tests to inspect (in
//! Rust, or over HTTP with `GET /_emulator/requests`): the latest requests
//! up to a count and a number of bytes (the oldest go first), bodies up to
//! a cap, and no secret in a body (a record is made before the state's
//! lock is taken, and shared, so a listing is written outside it).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::SystemTime;

use serde_json::Value;

use super::received::Received;
use vipps_order_management::Operation;

/// What stands where a secret was.
pub(super) const NOT_SHOWN: &str = "[not shown]";

/// Whether a header, query parameter or body field of this name holds a
/// secret: any name that, in lower case and without punctuation, has one
/// of these in it (`Authorization`, `client_secret`, `clientSecret`,
/// `X-Api-Key`, `Ocp-Apim-Subscription-Key`, `?token=`, `password`,
/// `Cookie`). A team may point a client with real keys at a shared
/// emulator by mistake.
pub(super) fn is_secret(name: &str) -> bool {
    names_a_secret(name)
}

/// The parts of a name that make it a secret's (in lower case, without
/// punctuation).
const SECRET_PARTS: [&str; 12] = [
    "authorization",
    "secret",
    "password",
    "passwd",
    "pwd",
    "token",
    "apikey",
    "subscriptionkey",
    "cookie",
    "privatekey",
    "credential",
    "signature",
];

/// Whether `text`, in lower case and without punctuation, holds a part of
/// a secret's name.
fn names_a_secret(text: &str) -> bool {
    let plain: String = text
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    SECRET_PARTS.iter().any(|part| plain.contains(part))
}

/// What stands for a body that names a secret but could not be read field
/// by field (not JSON, not a form): all of it.
const BODY_NOT_SHOWN: &str = "[not shown: the body names a secret, and is neither JSON nor a form whose fields could be hidden one by one]";

/// A query string or form body with the values of secret names hidden;
/// `None` when it has none.
pub(super) fn hidden_form(form: &str) -> Option<String> {
    if !url::form_urlencoded::parse(form.as_bytes()).any(|(k, _)| is_secret(&k)) {
        return None;
    }
    let pairs = url::form_urlencoded::parse(form.as_bytes()).map(|(k, v)| if is_secret(&k) { (k, NOT_SHOWN.into()) } else { (k, v) });
    Some(url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish())
}

/// Hides the values of secret names in a JSON value, at any depth (JSON
/// held in a string too); whether it hid any.
fn hide_in_json(value: &mut Value) -> bool {
    let mut hid = false;
    match value {
        Value::Object(fields) => {
            for (name, field) in fields.iter_mut() {
                if is_secret(name) {
                    *field = Value::String(NOT_SHOWN.to_owned());
                    hid = true;
                } else {
                    hid |= hide_in_json(field);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                hid |= hide_in_json(item);
            }
        }
        // JSON in a string is read as JSON; other text is kept.
        Value::String(text) if names_a_secret(text) => {
            if let Ok(mut inner) = serde_json::from_str::<Value>(text) {
                if (inner.is_object() || inner.is_array()) && hide_in_json(&mut inner) {
                    *text = inner.to_string();
                    hid = true;
                }
            }
        }
        _ => {}
    }
    hid
}

/// A form whose every name reads as a field's (letters, digits, `_-.[]`),
/// not text that merely holds `=` and `&`.
fn is_a_form(text: &str) -> bool {
    !text.is_empty()
        && url::form_urlencoded::parse(text.as_bytes()).all(|(name, _)| {
            !name.is_empty() && name.len() <= 128 && name.chars().all(|c| c.is_ascii_alphanumeric() || "_-.[]".contains(c))
        })
}

/// A body with its secrets hidden: JSON fields at any depth, or the fields
/// of a form (whatever its content type says); any other body that names a
/// secret anywhere (text, a multipart form, JSON the emulator cannot read,
/// another encoding) is hidden whole. As sent when it names none.
fn hidden_body(body: &[u8]) -> Vec<u8> {
    if let Ok(mut json) = serde_json::from_slice::<Value>(body) {
        if hide_in_json(&mut json) {
            return serde_json::to_vec(&json).unwrap_or_default();
        }
        return body.to_vec();
    }
    let text = String::from_utf8_lossy(body);
    if !names_a_secret(&text) {
        return body.to_vec();
    }
    match hidden_form(&text) {
        Some(hidden) if is_a_form(&text) => hidden.into_bytes(),
        _ => BODY_NOT_SHOWN.as_bytes().to_vec(),
    }
}

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
    /// The body, with the values of secret fields hidden (a JSON field or
    /// form field named like a secret: `clientSecret`, `password`,
    /// `api_key`, ...), cut at the record's cap, when it has one: see
    /// [`RecordedRequest::body_truncated`].
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

/// How the record keeps requests: read under the state's lock, used
/// outside it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Rules {
    /// Keep requests at all.
    pub(super) enabled: bool,
    /// Keep at most this much of each body.
    body_cap: Option<usize>,
    /// Keep at most this many bytes of requests in all.
    max_bytes: usize,
}

impl Rules {
    /// The record of a request: its body's secrets hidden, cut to the cap
    /// (and to the record's bytes, for one alone larger than them).
    pub(super) fn record(
        &self,
        req: &Received,
        operation: Option<Operation>,
        order_id: Option<String>,
        merchant: Option<String>,
    ) -> RecordedRequest {
        let headers: Vec<(String, String)> = req
            .headers
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let mut body = hidden_body(&req.body);
        let around =
            req.path.len() + req.query.as_ref().map_or(0, String::len) + headers.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
        let cap = self.body_cap.unwrap_or(usize::MAX).min(self.max_bytes.saturating_sub(around));
        let body_truncated = body.len() > cap;
        body.truncate(cap);
        RecordedRequest {
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            headers,
            body,
            body_truncated,
            operation,
            order_id,
            merchant,
            received_at: SystemTime::now(),
        }
    }
}

impl RecordedRequest {
    /// The bytes it takes, as the record counts them.
    fn size(&self) -> usize {
        self.path.len()
            + self.query.as_ref().map_or(0, String::len)
            + self.headers.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>()
            + self.body.len()
    }
}

/// The requests kept, oldest first.
#[derive(Debug)]
pub(super) struct Record {
    pub(super) requests: VecDeque<Arc<RecordedRequest>>,
    /// Keep at most this many (the oldest go first).
    limit: Option<usize>,
    rules: Rules,
    /// The bytes of the requests kept.
    bytes: usize,
    /// How many requests went to make room (for the admin API's health).
    pub(super) dropped: u64,
}

impl Record {
    pub(super) fn new(enabled: bool, limit: Option<usize>, body_cap: Option<usize>, max_bytes: usize) -> Record {
        Record {
            requests: VecDeque::new(),
            limit,
            rules: Rules {
                enabled,
                body_cap,
                max_bytes,
            },
            bytes: 0,
            dropped: 0,
        }
    }

    pub(super) fn rules(&self) -> Rules {
        self.rules
    }

    /// The bytes of the requests kept.
    pub(super) fn bytes(&self) -> usize {
        self.bytes
    }

    /// Keeps a request, the oldest dropped past the count or the bytes.
    pub(super) fn push(&mut self, request: RecordedRequest) {
        if !self.rules.enabled || self.limit == Some(0) {
            return;
        }
        let size = request.size();
        if size > self.rules.max_bytes {
            // Its head alone is past the record's bytes: not kept.
            self.dropped += 1;
            return;
        }
        while !self.requests.is_empty()
            && (self.limit.is_some_and(|limit| self.requests.len() >= limit) || self.bytes + size > self.rules.max_bytes)
        {
            self.pop_oldest();
        }
        self.bytes += size;
        self.requests.push_back(Arc::new(request));
    }

    fn pop_oldest(&mut self) {
        if let Some(old) = self.requests.pop_front() {
            self.bytes -= old.size();
            self.dropped += 1;
        }
    }

    /// Forgets the requests `forget` picks.
    pub(super) fn forget(&mut self, forget: impl Fn(&RecordedRequest) -> bool) {
        self.requests.retain(|r| !forget(r));
        self.bytes = self.requests.iter().map(|r| r.size()).sum();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use hyper::header::HeaderMap;

    fn received(body: &[u8]) -> Received {
        let mut headers = HeaderMap::new();
        headers.insert("x-api-key", "k".parse().unwrap());
        Received {
            method: "POST".into(),
            path: "/p".into(),
            query: Some("a=1".into()),
            headers,
            body: Bytes::copy_from_slice(body),
            peer: ([127, 0, 0, 1], 1).into(),
        }
    }

    #[test]
    fn names_that_read_as_secrets_are_secrets() {
        for name in [
            "Authorization",
            "client_secret",
            "clientSecret",
            "X-Api-Key",
            "api_key",
            "Ocp-Apim-Subscription-Key",
            "token",
            "refresh-token",
            "PASSWORD",
            "Cookie",
        ] {
            assert!(is_secret(name), "{name}");
        }
        for name in ["passwd", "pwd", "private_key", "credentials", "X-Signature"] {
            assert!(is_secret(name), "{name}");
        }
        for name in ["orderId", "name", "kept", "content-type", "merchant-serial-number", "api", "key"] {
            assert!(!is_secret(name), "{name}");
        }
        assert_eq!(hidden_form("a=1&b=2"), None);
        assert_eq!(hidden_form("a=1&token=t").as_deref(), Some("a=1&token=%5Bnot+shown%5D"));
    }

    #[test]
    fn a_body_keeps_no_secret_at_any_depth_and_is_cut_after() {
        let body = br#"{"kept":"k","deep":[{"password":"p"}],"n":{"clientSecret":"s","ok":1}}"#;
        let rules = Record::new(true, None, None, usize::MAX).rules();
        let record = rules.record(&received(body), None, None, None);
        let shown: Value = serde_json::from_slice(&record.body).unwrap();
        assert_eq!(
            shown,
            serde_json::json!({"kept":"k","deep":[{"password":NOT_SHOWN}],"n":{"clientSecret":NOT_SHOWN,"ok":1}})
        );
        assert_eq!(
            rules.record(&received(b"{\"a\":1}"), None, None, None).body,
            b"{\"a\":1}",
            "as sent when it has none"
        );
        let in_a_list = rules.record(&received(br#"{"list":[{"password":"p"}]}"#), None, None, None);
        assert_eq!(
            in_a_list.body, br#"{"list":[{"password":"[not shown]"}]}"#,
            "a secret only in a list"
        );
        assert_eq!(
            rules.record(&received(b"user=u&password=p"), None, None, None).body,
            b"user=u&password=%5Bnot+shown%5D"
        );
        assert_eq!(rules.record(&received(b"plain text"), None, None, None).body, b"plain text");
        // Bodies that cannot be read field by field, naming a secret: hidden
        // whole. A JSON string holding JSON is read as JSON.
        for odd in [
            &b"\xef\xbb\xbf{\"password\": \"s3cret\"}"[..],
            b"{\"password\": 1e400, \"x\": \"s3cret\"}",
            b"{\"a\": 1}\n{\"token\": \"s3cret\"}",
            b"{\"password\": \"s3cret\",}",
            b"--b\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\ns3cret\r\n--b--",
            b"pass\xe9word: s3cret passwd=s3cret",
        ] {
            let kept = rules.record(&received(odd), None, None, None).body;
            assert!(
                !String::from_utf8_lossy(&kept).contains("s3cret"),
                "{}",
                String::from_utf8_lossy(&kept)
            );
        }
        let deep = format!("{}{{\"password\":\"s3cret\"}}{}", "[".repeat(130), "]".repeat(130));
        let kept = rules.record(&received(deep.as_bytes()), None, None, None).body;
        assert!(!String::from_utf8_lossy(&kept).contains("s3cret"));
        let nested = serde_json::json!({"payload": r#"{"auth": {"password": "s3cret"}}"#, "note": "a token ring"});
        let kept = rules.record(&received(nested.to_string().as_bytes()), None, None, None).body;
        let kept: Value = serde_json::from_slice(&kept).unwrap();
        assert_eq!(kept["payload"], r#"{"auth":{"password":"[not shown]"}}"#);
        assert_eq!(kept["note"], "a token ring", "text that is not JSON is kept");
        // Cut to the cap after the secret is hidden.
        let long = format!(r#"{{"password":"p","pad":"{}"}}"#, "x".repeat(100));
        let capped = Record::new(true, None, Some(20), usize::MAX).rules();
        let cut = capped.record(&received(long.as_bytes()), None, None, None);
        assert!(cut.body_truncated && cut.body.len() == 20);
        assert!(!String::from_utf8_lossy(&cut.body).contains("\"p\""));
        let whole = capped.record(&received(b"{}"), None, None, None);
        assert!(!whole.body_truncated && whole.body == b"{}");
        let exactly = capped.record(&received(&[b'x'; 20]), None, None, None);
        assert!(
            !exactly.body_truncated && exactly.body.len() == 20,
            "a body as long as the cap is whole"
        );
    }

    #[test]
    fn the_record_keeps_the_latest_within_its_count_and_bytes() {
        let rules = Record::new(true, None, None, usize::MAX).rules();
        let one = rules.record(&received(&[b'x'; 100]), None, None, None);
        let size = one.size();
        assert_eq!(size, "/p".len() + "a=1".len() + "x-api-key".len() + 1 + 100);
        let mut by_bytes = Record::new(true, None, None, 3 * size);
        for _ in 0..5 {
            by_bytes.push(one.clone());
        }
        assert_eq!((by_bytes.requests.len(), by_bytes.bytes(), by_bytes.dropped), (3, 3 * size, 2));
        let mut just = Record::new(true, None, None, size);
        just.push(one.clone());
        assert_eq!((just.requests.len(), just.dropped), (1, 0), "one as large as the bytes is kept");
        let mut by_count = Record::new(true, Some(2), None, usize::MAX);
        for _ in 0..5 {
            by_count.push(one.clone());
        }
        assert_eq!((by_count.requests.len(), by_count.bytes(), by_count.dropped), (2, 2 * size, 3));
        by_count.forget(|_| true);
        assert_eq!((by_count.requests.len(), by_count.bytes()), (0, 0));
        let mut off = Record::new(false, None, None, usize::MAX);
        off.push(one.clone());
        let mut none = Record::new(true, Some(0), None, usize::MAX);
        none.push(one.clone());
        let mut no_bytes = Record::new(true, None, None, 0);
        no_bytes.push(no_bytes.rules().record(&received(b"x"), None, None, None));
        assert!(
            no_bytes.requests.is_empty() && no_bytes.dropped == 1,
            "a head past the bytes is not kept"
        );
        assert!(off.requests.is_empty() && none.requests.is_empty());
        // One alone larger than the bytes is cut to fit them.
        let small = Record::new(true, None, None, size - 10).rules();
        let cut = small.record(&received(&[b'x'; 100]), None, None, None);
        assert!(cut.body_truncated && cut.size() == size - 10);
    }
}
