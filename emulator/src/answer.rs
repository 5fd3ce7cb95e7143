//! The emulator's answers: as the service makes them (RFC 7807 problems
//! with a trace id as `instance`, JSON bodies, JSON strings) and as its
//! gateway does (`{statusCode, message}`).

use serde_json::{json, Value};

use vipps_order_management::Violation;

/// How a request is answered.
#[derive(Debug)]
pub(super) enum Reaction {
    /// With this answer.
    Send(Answer),
    /// By closing the connection without an answer.
    CloseConnection,
}

/// An answer to send.
#[derive(Debug, Clone)]
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) content_type: String,
    pub(super) body: String,
    /// Further headers (`Retry-After`, `Allow`).
    pub(super) headers: Vec<(&'static str, String)>,
}

fn trace_id() -> String {
    let a = uuid::Uuid::new_v4().simple().to_string();
    let b = uuid::Uuid::new_v4().simple().to_string();
    format!("00-{a}-{}-00", &b[..16])
}

/// A 405 that says which methods the resource takes (also in `Allow`).
pub(super) fn method_not_allowed(allow: &str) -> Answer {
    let mut answer = problem(405, "Method Not Allowed", &format!("This resource takes {allow}"), vec![]);
    answer.headers.push(("Allow", allow.to_owned()));
    answer
}

/// An RFC 7807 answer, as the service makes them: a type URL by status,
/// the title and detail, a trace id as `instance`, and the invalid
/// parameters when there are any.
pub(crate) fn problem(status: u16, title: &str, detail: &str, invalid: Vec<Violation>) -> Answer {
    let mut body = json!({
        "type": format!("https://developer.vippsmobilepay.com/docs/APIs/order-management-api/errors/{status}"),
        "title": title,
        "detail": detail,
        "instance": trace_id(),
        "status": status,
    });
    if !invalid.is_empty() {
        body["invalidParams"] = Value::Array(invalid.into_iter().map(|v| json!({"name": v.name, "reason": v.reason})).collect());
    }
    Answer {
        status,
        content_type: "application/problem+json".into(),
        body: body.to_string(),
        headers: Vec::new(),
    }
}

pub(super) fn bad_request(invalid: Vec<Violation>) -> Answer {
    problem(400, "One or more validation errors occurred.", "BadRequest", invalid)
}

/// The API gateway's answer to a missing or wrong key or token.
pub(super) fn gateway(status: u16, message: &str) -> Answer {
    json_body(status, &json!({ "statusCode": status, "message": message }))
}

pub(super) fn json_body(status: u16, value: &Value) -> Answer {
    Answer {
        status,
        content_type: "application/json".into(),
        body: value.to_string(),
        headers: Vec::new(),
    }
}

pub(super) fn json_string(status: u16, value: &str) -> Answer {
    json_body(status, &Value::String(value.to_owned()))
}
