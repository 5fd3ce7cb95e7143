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
//! It needs no Vipps MobilePay credentials. Beyond health it never answers
//! a web page (a request with `Origin`, or `Sec-Fetch-Site` other than
//! `none`); it answers a client on this machine that names the server by
//! IP address or as `localhost`, and any other client only when the
//! emulator was given an admin token and the client sends it as
//! `Authorization: Bearer`.

use std::sync::{Arc, Mutex};

use hyper::header::HOST;
use serde_json::{json, Map, Value};

use super::access::bearer;
use super::answer::{json_body, method_not_allowed, problem, Answer};
use super::fault::Fault;
use super::received::Received;
use super::record::{hidden_form, is_secret, RecordedRequest, NOT_SHOWN};
use super::state::{lock, off_the_workers, State};
use super::store::Change;
use crate::clock::unix_millis;
use vipps_order_management::Operation;

/// The prefix of the admin API's paths.
pub(super) const PREFIX: &str = "/_emulator/";

/// A listing larger than this many bytes of records is written out off the
/// async workers.
const LARGE_LISTING: usize = 64 * 1024;

/// The admin API's answer to `req`, or `None` when it is not the admin
/// API's (the API's own routes then take it).
pub(super) async fn respond(shared: &Arc<Mutex<State>>, req: &Received) -> Option<Answer> {
    let rest = req.path.strip_prefix(PREFIX)?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let segments: Vec<&str> = rest.split('/').collect();
    let method = req.method.as_str();
    if segments == ["health"] {
        return Some(match method {
            "GET" | "HEAD" => health(&lock(shared)),
            _ => method_not_allowed("GET"),
        });
    }
    let refused = refusal(&lock(shared), req);
    if let Some(why) = refused {
        return Some(problem(403, "Forbidden", why, vec![]));
    }
    Some(match (segments.as_slice(), method) {
        (["reset"], "POST") => {
            let (answer, compaction) = reset(&mut lock(shared), req);
            // What was reset leaves the disk before the answer, without
            // holding the others up.
            if let Some(compaction) = compaction {
                crate::state::compact(shared, compaction).await;
            }
            answer
        }
        (["reset"], _) => method_not_allowed("POST"),
        (["requests"], "GET") => requests(shared, req).await,
        (["requests"], "DELETE") => {
            lock(shared).record.forget(|_| true);
            json_body(200, &json!({ "cleared": "requests" }))
        }
        (["requests"], _) => method_not_allowed("GET, DELETE"),
        (["faults"], "GET") => faults(&lock(shared)),
        (["faults"], "POST") => add_fault(shared, req),
        (["faults"], "DELETE") => {
            let cleared = lock(shared).delete_faults(|_| true);
            json_body(200, &json!({ "cleared": cleared }))
        }
        (["faults"], _) => method_not_allowed("GET, POST, DELETE"),
        (["faults", id], "DELETE") => remove_fault(&mut lock(shared), id),
        (["faults", _], _) => method_not_allowed("DELETE"),
        _ => problem(404, "Not Found", "No such resource in the emulator's admin API", vec![]),
    })
}

/// Why the admin API refuses `req`, when it does. It answers test code
/// and tools: never a web page (a browser names the page's origin), which
/// could otherwise inject faults or wipe the state from any site; a client
/// on this machine that names the server by address or `localhost` (a page
/// that rebinds its own host name to this machine names that instead); and
/// from anywhere, one that sends the admin token.
fn refusal(state: &State, req: &Received) -> Option<&'static str> {
    let fetched_by_a_page =
        req.header("Origin").is_some() || req.header("Sec-Fetch-Site").is_some_and(|site| !site.eq_ignore_ascii_case("none"));
    if fetched_by_a_page {
        return Some(
            "The emulator's admin API is for test code and tools, not web pages: a request a browser sends for a page (with Origin or Sec-Fetch-Site) is refused, so that no web site can inject faults or reset the state",
        );
    }
    let token_given = match (&state.config.admin_token, bearer(req)) {
        // Digests are compared, so the time taken says nothing of the token.
        (Some(digest), Some(given)) => hmac_sha512::Hash::hash(given.as_bytes()) == *digest,
        _ => false,
    };
    if token_given {
        return None;
    }
    if req.headers.get_all(HOST).iter().nth(1).is_some() {
        return Some("A request names one host: this one has more than one Host header, so the admin API cannot tell whom it was sent to");
    }
    if !req.peer.ip().to_canonical().is_loopback() {
        return Some(
            "The emulator's admin API answers clients on this machine; from elsewhere it needs the admin token the emulator was started with (--admin-token), sent as Authorization: Bearer",
        );
    }
    if !names_by_address(req.header("Host")) {
        return Some(
            "The emulator's admin API answers clients on this machine that name it by address or as localhost (http://127.0.0.1:PORT/_emulator/...), or any client with the admin token: another host name may be a web page's, rebound to this machine",
        );
    }
    None
}

/// A `Host` header that names the server by an IP address (any: an address
/// is no name a web page could rebind) or as `localhost`, or no `Host` (as
/// HTTP/1.0 and HTTP/2 allow; browsers reach a plain-http emulator over
/// HTTP/1.1, which always sends one).
fn names_by_address(host: Option<&str>) -> bool {
    let Some(host) = host else { return true };
    let Ok(authority) = host.parse::<hyper::http::uri::Authority>() else {
        return false;
    };
    let name = authority.host().trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok()
}

/// Health, read at once whatever is stored (counts kept as things change).
fn health(state: &State) -> Answer {
    json_body(
        200,
        &json!({
            "status": "ok",
            "version": env!("CARGO_PKG_VERSION"),
            "merchants": state.store.merchants.len(),
            "receipts": state.store.receipt_count(),
            "storedBytes": state.store.bytes(),
            "maxStoredBytes": state.config.max_stored_bytes,
            "tokensIssued": state.token_count,
            "faults": state.faults.len(),
            "requestsRecorded": state.record.requests.len(),
            "requestsRecordedBytes": state.record.bytes(),
            "requestsDropped": state.record.dropped,
            "bodyBytesHeld": state.budgets.bodies.held_bytes(),
            "answerBytesHeld": state.budgets.answers.held_bytes(),
            "stateFile": state.journal.as_ref().map(|j| j.path.display().to_string()),
        }),
    )
}

/// Resets, and begins the state file's compaction (made outside the lock).
fn reset(state: &mut State, req: &Received) -> (Answer, Option<crate::journal::Compaction>) {
    let merchant = req.query_value("merchant");
    // The gateway's own rule (`access.rs`): no other merchant is stored.
    if merchant
        .as_deref()
        .is_some_and(|m| !vipps_order_management::validate::merchant_serial_number("merchant", m).is_empty())
    {
        let refused = problem(
            400,
            "Bad Request",
            "merchant must be a merchant serial number (digits); leave it out to reset everything",
            vec![],
        );
        return (refused, None);
    }
    // Nothing of that merchant stored: nothing to take off the disk.
    let anything_stored = merchant.as_deref().is_none_or(|msn| state.store.merchant(msn).is_some());
    if let Err(e) = state.keep(Change::Reset { msn: merchant.clone() }.prepared()) {
        let failed = problem(
            500,
            "Internal Server Error",
            &format!("the emulator could not keep the reset in its state file ({e}); nothing was changed"),
            vec![],
        );
        return (failed, None);
    }
    match &merchant {
        Some(msn) => state.record.forget(|r| r.merchant.as_deref() == Some(msn.as_str())),
        None => {
            state.record.forget(|_| true);
            state.delete_faults(|_| true);
        }
    }
    let answer = json_body(200, &json!({ "reset": merchant.as_deref().unwrap_or("everything") }));
    (answer, if anything_stored { state.begin_compaction() } else { None })
}

/// The recorded requests that match the query: picked under the lock
/// (shared, not copied), written out outside it.
async fn requests(shared: &Arc<Mutex<State>>, req: &Received) -> Answer {
    let operation = match req.query_value("operation").map(|o| o.parse::<Operation>()) {
        Some(Err(_)) => {
            return problem(
                400,
                "Bad Request",
                &format!("operation must be one of {}", Operation::names()),
                vec![],
            );
        }
        Some(Ok(op)) => Some(op),
        None => None,
    };
    let order_id = req.query_value("orderId");
    let merchant = req.query_value("merchant");
    let limit = match req.query_value("limit") {
        // Digits past any count: every request.
        Some(l) if !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()) => l.parse::<usize>().unwrap_or(usize::MAX),
        Some(_) => return problem(400, "Bad Request", "limit must be a whole number, 0 or more", vec![]),
        None => usize::MAX,
    };
    let (matching, bytes) = {
        let state = lock(shared);
        let matching: Vec<Arc<RecordedRequest>> = state
            .record
            .requests
            .iter()
            .filter(|r| operation.is_none_or(|op| r.operation == Some(op)))
            .filter(|r| order_id.as_deref().is_none_or(|id| r.order_id.as_deref() == Some(id)))
            .filter(|r| merchant.as_deref().is_none_or(|msn| r.merchant.as_deref() == Some(msn)))
            .cloned()
            .collect();
        (matching, state.record.bytes())
    };
    let listing = move || {
        // The latest `limit`, oldest first.
        let skip = matching.len().saturating_sub(limit);
        let shown: Vec<Value> = matching[skip..].iter().map(|r| request_json(r)).collect();
        json_body(200, &json!({ "total": matching.len(), "requests": shown }))
    };
    if bytes > LARGE_LISTING {
        off_the_workers(shared, listing).await.unwrap_or_else(|failed| failed)
    } else {
        listing()
    }
}

fn request_json(r: &RecordedRequest) -> Value {
    let mut headers = Map::new();
    for (name, value) in &r.headers {
        let shown = if is_secret(name) { NOT_SHOWN } else { value.as_str() };
        headers.insert(name.clone(), Value::String(shown.to_owned()));
    }
    // The body's secrets were hidden when it was recorded.
    let body = match serde_json::from_slice::<Value>(&r.body) {
        Ok(json) if !r.body_truncated => json,
        _ if r.body.is_empty() => Value::Null,
        _ => Value::String(String::from_utf8_lossy(&r.body).into_owned()),
    };
    let received = unix_millis(r.received_at);
    json!({
        "method": r.method,
        "path": r.path,
        "query": r.query.as_deref().map(|q| hidden_form(q).unwrap_or_else(|| q.to_owned())),
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

/// Adds a fault: read and checked outside the lock.
fn add_fault(shared: &Arc<Mutex<State>>, req: &Received) -> Answer {
    // A JSON object only (serde would take a struct's fields as an array).
    let object = match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(object)) => Value::Object(object),
        Ok(_) => {
            return problem(
                400,
                "One or more validation errors occurred.",
                "the fault must be a JSON object of the fields in the admin API's spec",
                vec![],
            )
        }
        Err(e) => {
            return problem(
                400,
                "One or more validation errors occurred.",
                &format!("the fault is not JSON: {e}"),
                vec![],
            )
        }
    };
    let fault: Fault = match serde_json::from_value(object) {
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
    let id = lock(shared).inject(fault.clone());
    json_body(201, &fault_json(id, remaining, &fault))
}

/// Deletes a fault; the requests it holds go on at once.
fn remove_fault(state: &mut State, id: &str) -> Answer {
    if state.delete_faults(|f| f.to_string() == id) > 0 {
        json_body(200, &json!({ "removed": id }))
    } else {
        problem(404, "Not Found", &format!("No fault with id {id}"), vec![])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(body: &[u8], truncated: bool) -> RecordedRequest {
        RecordedRequest {
            method: "POST".into(),
            path: "/p".into(),
            query: Some("token=t&a=1".into()),
            headers: vec![("authorization".into(), "Bearer t".into()), ("x-kept".into(), "k".into())],
            body: body.to_vec(),
            body_truncated: truncated,
            operation: None,
            order_id: None,
            merchant: None,
            received_at: std::time::SystemTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_recorded_request_is_shown_as_json_only_when_whole() {
        let whole = request_json(&recorded(b"123", false));
        assert_eq!(whole["body"], json!(123));
        let cut = request_json(&recorded(b"123", true));
        assert_eq!(cut["body"], json!("123"), "a cut body is text, even when its start reads as JSON");
        assert_eq!(request_json(&recorded(b"", false))["body"], Value::Null);
        assert_eq!(request_json(&recorded(b"", true))["body"], Value::Null);
        assert_eq!(whole["headers"]["authorization"], NOT_SHOWN);
        assert_eq!(whole["headers"]["x-kept"], "k");
        assert_eq!(whole["query"], "token=%5Bnot+shown%5D&a=1");
        assert_eq!(whole["receivedAtMs"], 0);
    }
}
