//! The admin API, under `/_emulator/` on the emulator's own port: what a
//! test in any language needs of a test server (LocalStack's chaos API,
//! WireMock's `/__admin`), over HTTP and JSON. `vipps-om`'s
//! `admin-api.openapi.yaml` documents it.
//!
//! - `GET /_emulator/health`: `{"status": "ok", ...}`, for service
//!   containers (open to every client).
//! - `POST /_emulator/reset[?merchant=MSN]`: forgets what is stored (of one
//!   merchant, or of all, with the record of requests and the faults).
//! - `GET /_emulator/requests[?operation=&orderId=&merchant=&limit=]`: what
//!   was received, oldest first; `DELETE` forgets it.
//! - `GET|POST|DELETE /_emulator/faults`, `DELETE /_emulator/faults/{id}`:
//!   the faults waiting to act, in the model of [`Fault`] (one mechanism
//!   with [`Emulator::inject`](super::Emulator::inject)).
//!
//! It needs no Vipps MobilePay credentials. Beyond health, a client that
//! is not on this machine is refused, unless the emulator was given an
//! admin token and the client sends it as `Authorization: Bearer`.

use serde_json::{json, Map, Value};

use super::access::bearer;
use super::answer::{json_body, problem, Answer};
use super::dispatch::Incoming;
use super::fault::Fault;
use super::record::RecordedRequest;
use super::state::State;
use super::store::Change;
use crate::operation::Operation;

/// The prefix of the admin API's paths.
pub(super) const PREFIX: &str = "/_emulator/";

/// Headers whose values a recorded request never shows.
const SECRET_HEADERS: [&str; 4] = ["authorization", "client_secret", "ocp-apim-subscription-key", "cookie"];

/// The admin API's answer to `req`, or `None` when it is not the admin
/// API's (the API's own routes then take it).
pub(super) fn respond(state: &mut State, req: &Incoming) -> Option<Answer> {
    let rest = req.path.strip_prefix(PREFIX)?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let segments: Vec<&str> = rest.split('/').collect();
    let method = req.method.as_str();
    if segments == ["health"] {
        return Some(match method {
            "GET" | "HEAD" => health(state),
            _ => not_allowed("GET"),
        });
    }
    if !allowed(state, req) {
        return Some(problem(
            403,
            "Forbidden",
            "The emulator's admin API answers clients on this machine; from elsewhere it needs the admin token the emulator was started with (--admin-token), sent as Authorization: Bearer",
            vec![],
        ));
    }
    Some(match (segments.as_slice(), method) {
        (["reset"], "POST") => reset(state, req),
        (["reset"], _) => not_allowed("POST"),
        (["requests"], "GET") => requests(state, req),
        (["requests"], "DELETE") => {
            state.record.requests.clear();
            json_body(200, &json!({ "cleared": "requests" }))
        }
        (["requests"], _) => not_allowed("GET, DELETE"),
        (["faults"], "GET") => faults(state),
        (["faults"], "POST") => add_fault(state, req),
        (["faults"], "DELETE") => {
            let cleared = state.faults.len();
            state.faults.clear();
            json_body(200, &json!({ "cleared": cleared }))
        }
        (["faults"], _) => not_allowed("GET, POST, DELETE"),
        (["faults", id], "DELETE") => remove_fault(state, id),
        (["faults", _], _) => not_allowed("DELETE"),
        _ => problem(404, "Not Found", "No such resource in the emulator's admin API", vec![]),
    })
}

/// A client on this machine, or one with the admin token.
fn allowed(state: &State, req: &Incoming) -> bool {
    if req.peer.ip().is_loopback() {
        return true;
    }
    match (&state.config.admin_token, bearer(req)) {
        // Digests are compared, so the time taken says nothing of the token.
        (Some(digest), Some(given)) => hmac_sha512::Hash::hash(given.as_bytes()) == *digest,
        _ => false,
    }
}

fn not_allowed(allow: &'static str) -> Answer {
    let mut answer = problem(405, "Method Not Allowed", &format!("This resource takes {allow}"), vec![]);
    answer.headers.push(("Allow", allow.to_owned()));
    answer
}

fn health(state: &State) -> Answer {
    json_body(
        200,
        &json!({
            "status": "ok",
            "version": env!("CARGO_PKG_VERSION"),
            "merchants": state.store.merchants.len(),
            "receipts": state.store.receipt_count(),
            "faults": state.faults.len(),
            "requestsRecorded": state.record.requests.len(),
            "bodyBytesHeld": state.body_budget.held_bytes(),
            "stateFile": state.journal.as_ref().map(|j| j.path.display().to_string()),
        }),
    )
}

fn query_value(req: &Incoming, key: &str) -> Option<String> {
    url::form_urlencoded::parse(req.query.as_deref()?.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

fn reset(state: &mut State, req: &Incoming) -> Answer {
    let merchant = query_value(req, "merchant");
    if let Err(e) = state.keep(Change::Reset { msn: merchant.clone() }) {
        return problem(
            500,
            "Internal Server Error",
            &format!("the emulator could not keep the reset in its state file ({e}); nothing was changed"),
            vec![],
        );
    }
    match &merchant {
        Some(msn) => state.record.requests.retain(|r| r.merchant.as_deref() != Some(msn.as_str())),
        None => {
            state.record.requests.clear();
            state.faults.clear();
        }
    }
    json_body(200, &json!({ "reset": merchant.as_deref().unwrap_or("everything") }))
}

fn requests(state: &State, req: &Incoming) -> Answer {
    let operation = match query_value(req, "operation").map(|o| o.parse::<Operation>()) {
        Some(Err(e)) => return problem(400, "Bad Request", &e.to_string(), vec![]),
        Some(Ok(op)) => Some(op),
        None => None,
    };
    let order_id = query_value(req, "orderId");
    let merchant = query_value(req, "merchant");
    let limit = match query_value(req, "limit").map(|l| l.parse::<usize>()) {
        Some(Err(_)) => return problem(400, "Bad Request", "limit must be a whole number", vec![]),
        Some(Ok(n)) => n,
        None => usize::MAX,
    };
    let matching: Vec<&RecordedRequest> = state
        .record
        .requests
        .iter()
        .filter(|r| operation.is_none_or(|op| r.operation == Some(op)))
        .filter(|r| order_id.as_deref().is_none_or(|id| r.order_id.as_deref() == Some(id)))
        .filter(|r| merchant.as_deref().is_none_or(|msn| r.merchant.as_deref() == Some(msn)))
        .collect();
    // The latest `limit`, oldest first.
    let skip = matching.len().saturating_sub(limit);
    let shown: Vec<Value> = matching[skip..].iter().map(|r| request_json(r)).collect();
    json_body(200, &json!({ "total": matching.len(), "requests": shown }))
}

fn request_json(r: &RecordedRequest) -> Value {
    let mut headers = Map::new();
    for (name, value) in &r.headers {
        let shown = if SECRET_HEADERS.contains(&name.as_str()) {
            "[not shown]"
        } else {
            value.as_str()
        };
        headers.insert(name.clone(), Value::String(shown.to_owned()));
    }
    let body = match serde_json::from_slice::<Value>(&r.body) {
        Ok(json) if !r.body_truncated => json,
        _ if r.body.is_empty() => Value::Null,
        _ => Value::String(String::from_utf8_lossy(&r.body).into_owned()),
    };
    let received = r
        .received_at
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default();
    json!({
        "method": r.method,
        "path": r.path,
        "query": r.query,
        "operation": r.operation,
        "orderId": r.order_id,
        "merchant": r.merchant,
        "receivedAtMs": received,
        "headers": headers,
        "body": body,
        "bodyTruncated": r.body_truncated,
    })
}

fn fault_json(id: u64, remaining: Option<usize>, fault: &Fault) -> Value {
    let mut value = serde_json::to_value(fault).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.insert("id".into(), json!(id.to_string()));
        map.insert("remaining".into(), json!(remaining));
    }
    value
}

fn faults(state: &State) -> Answer {
    let list: Vec<Value> = state.faults.iter().map(|f| fault_json(f.id, f.remaining, &f.fault)).collect();
    json_body(200, &json!({ "faults": list }))
}

fn add_fault(state: &mut State, req: &Incoming) -> Answer {
    let fault: Fault = match serde_json::from_slice(&req.body) {
        Ok(fault) => fault,
        Err(e) => {
            return problem(
                400,
                "One or more validation errors occurred.",
                &format!("the fault is not one (a JSON object of the fields in the admin API's spec): {e}"),
                vec![],
            )
        }
    };
    let problems = fault.problems();
    if !problems.is_empty() {
        return problem(
            400,
            "One or more validation errors occurred.",
            "the fault cannot act as given",
            problems,
        );
    }
    let remaining = fault.limit();
    let id = state.inject(fault.clone());
    json_body(201, &fault_json(id, remaining, &fault))
}

fn remove_fault(state: &mut State, id: &str) -> Answer {
    let before = state.faults.len();
    state.faults.retain(|f| f.id.to_string() != id);
    if state.faults.len() < before {
        json_body(200, &json!({ "removed": id }))
    } else {
        problem(404, "Not Found", &format!("No fault with id {id}"), vec![])
    }
}
