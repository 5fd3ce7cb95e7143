//! How the emulator takes a request: routing as the service's gateway does
//! (fixed path parts in any case, a trailing slash ignored, other empty
//! segments matching nothing), the admin API apart (`admin`), the record of
//! requests, the injected faults, authentication (`access`), and the
//! handler of each operation (`handlers`). A change is kept in the state
//! file before it is applied or answered; one the file could not keep is
//! answered 500 and changes nothing.
//!
//! The state's lock is held only to take a fault, to authenticate, and to
//! decide and keep a change: reading the request (its record, its order
//! id), checking its body, and writing out the answer happen outside it,
//! and for a large body off the async workers, so that one client's
//! megabytes never hold up another's small request.

use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use super::admin;
use super::answer::{method_not_allowed, problem, Answer, Reaction};
use super::fault::{Effect, Fault, Target, When};
use super::handlers::{self, PathValues, Reply};
use super::received::Received;
use super::state::{lock, off_the_workers, State};
use super::store::Prepared;
use vipps_order_management::headers::MERCHANT_SERIAL_NUMBER_HEADER;
use vipps_order_management::Operation;

/// Bodies larger than this are read and checked off the async workers.
const LARGE_BODY: usize = 64 * 1024;

/// Where a request goes: an operation of the API with the values its
/// path holds, a path that takes other methods, or nothing.
enum Route {
    Api(Operation, PathValues),
    /// The path exists; these methods are what it takes.
    MethodNotAllowed(String),
    NotFound,
}

/// A fault acting on a request, and the sign that it was deleted.
struct Acting {
    fault: Fault,
    deleted: watch::Receiver<bool>,
}

impl Acting {
    /// Waits out the fault's delay, cut short when the fault is deleted;
    /// whether it still acts.
    async fn wait(&mut self) -> bool {
        let delay = self.fault.delay_time();
        if !delay.is_zero() {
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                // A fault used up drops its sender: the delay still runs.
                Ok(_) = self.deleted.wait_for(|deleted| *deleted) => {}
            }
        }
        !*self.deleted.borrow()
    }

    /// Whether it answers in place of the real answer.
    fn replaces_the_answer(&self) -> bool {
        self.fault.effect() != Effect::RealAnswer
    }
}

/// Answers a request: the admin API's, or the API's (recorded, faults
/// applied, handled, changes kept).
pub(super) async fn respond(shared: Arc<Mutex<State>>, req: Arc<Received>) -> Reaction {
    if let Some(answer) = admin::respond(&shared, &req).await {
        return Reaction::Send(answer);
    }
    let rules = lock(&shared).record.rules();
    // What the request is, and its record, read outside the lock.
    let read = {
        let req = req.clone();
        move || {
            let route = Route::parse(&req.method, &req.path);
            let order_id = order_id_of(&req, &route);
            let merchant = req.header(&MERCHANT_SERIAL_NUMBER_HEADER).map(str::to_owned);
            let recorded = rules
                .enabled
                .then(|| rules.record(&req, route.operation(), order_id.clone(), merchant.clone()));
            (route, order_id, merchant, recorded)
        }
    };
    let read = if req.body.len() > LARGE_BODY {
        off_the_workers(&shared, read).await
    } else {
        Ok(read())
    };
    let (route, order_id, merchant, recorded) = match read {
        Ok(read) => read,
        Err(failed) => return Reaction::Send(failed),
    };
    let target = Target {
        operation: route.operation(),
        order_id: order_id.as_deref(),
        merchant: merchant.as_deref(),
    };
    let (acting, latency) = {
        let mut state = lock(&shared);
        if let Some(recorded) = recorded {
            state.record.push(recorded);
        }
        (state.take_fault(&target), state.latency)
    };
    let reaction = match acting {
        // Before: nothing is handled until the fault has acted (its delay
        // first); a fault that only delays then lets the request through.
        Some(mut acting) if acting.fault.when() == When::Before => {
            if acting.wait().await && acting.replaces_the_answer() {
                acting.fault.reaction()
            } else {
                Reaction::Send(handle(&shared, &req, route).await)
            }
        }
        // After: handled (and kept) first, then the fault acts.
        Some(mut acting) => {
            let answer = handle(&shared, &req, route).await;
            if acting.wait().await && acting.replaces_the_answer() {
                acting.fault.reaction()
            } else {
                Reaction::Send(answer)
            }
        }
        None => Reaction::Send(handle(&shared, &req, route).await),
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    reaction
}

/// Handles an API request: the gateway's checks, the request's own checks
/// (outside the lock), the store's decision and the change kept (under
/// it), and the answer written out (outside it).
async fn handle(shared: &Arc<Mutex<State>>, req: &Arc<Received>, route: Route) -> Answer {
    let (op, values) = match route {
        Route::NotFound => return problem(404, "Not Found", "No such resource in the Order Management API", vec![]),
        Route::MethodNotAllowed(allowed) => return method_not_allowed(&allowed),
        Route::Api(Operation::FetchToken, _) => return lock(shared).token(req),
        Route::Api(op, values) => (op, values),
    };
    let authenticated = lock(shared).authenticate(req);
    let msn = match authenticated {
        Ok(msn) => msn,
        Err(refusal) => return refusal,
    };
    if let Some(refusal) = not_json(op, req) {
        return refusal;
    }
    let query_order_id = req.query_value("orderId");
    let checked = if req.body.len() > LARGE_BODY {
        let (req, msn) = (req.clone(), msn.clone());
        off_the_workers(shared, move || handlers::check(op, values, query_order_id, &msn, &req.body))
            .await
            .and_then(|checked| checked)
    } else {
        handlers::check(op, values, query_order_id, &msn, &req.body)
    };
    let intent = match checked {
        Ok(intent) => intent,
        Err(answer) => return answer,
    };
    let decided = lock(shared).decide(intent, &msn);
    match decided {
        Reply::Ready(answer) => answer,
        // What is stored is written out off the workers: a receipt may be
        // megabytes.
        stored => off_the_workers(shared, move || stored.answer())
            .await
            .unwrap_or_else(|failed| failed),
    }
}

/// The 415 for a body the request says is not JSON, as the service's
/// framework answers it. A body without a content type is read as JSON
/// (some integrations send none).
fn not_json(op: Operation, req: &Received) -> Option<Answer> {
    let takes_a_body = matches!(
        op,
        Operation::UploadImage | Operation::PutCategory | Operation::PostReceipt | Operation::AddCategory
    );
    let given = req.header(hyper::header::CONTENT_TYPE)?;
    let media = given.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    if !takes_a_body || media == "application/json" || media.ends_with("+json") {
        return None;
    }
    Some(problem(
        415,
        "Unsupported Media Type",
        &format!("the body must be JSON, sent as Content-Type: application/json (it was sent as {given})"),
        vec![],
    ))
}

impl Route {
    /// Routes like the service's gateway, by the SDK's table of the API
    /// ([`Operation::path_template`]): fixed path parts in any case (the
    /// official collection fetches its token from `/accessToken/get`),
    /// values as sent, one trailing slash ignored (the service's framework
    /// routes `/order-management/v1/images/` as
    /// `/order-management/v1/images`, which the WooCommerce plugin has
    /// relied on since 2022), and any other empty segment (`//`) matching
    /// nothing.
    fn parse(method: &str, path: &str) -> Route {
        let Some(raw) = path.strip_prefix('/') else {
            return Route::NotFound;
        };
        let raw = raw.strip_suffix('/').unwrap_or(raw);
        let segments: Vec<String> = raw
            .split('/')
            .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect();
        // `.` and `..` are no values: any client or gateway resolves them
        // as folders, to another path.
        if segments.iter().any(|s| s.is_empty() || s == "." || s == "..") {
            return Route::NotFound;
        }
        let mut allowed: Vec<String> = Vec::new();
        for op in Operation::ALL {
            let Some(values) = matched(op.path_template(), &segments) else {
                continue;
            };
            if op.method().as_str() == method {
                return Route::Api(op, values);
            }
            allowed.push(op.method().as_str().to_owned());
        }
        if allowed.is_empty() {
            return Route::NotFound;
        }
        allowed.sort_unstable();
        Route::MethodNotAllowed(allowed.join(", "))
    }

    /// The order id in the path, for the v2 calls.
    fn order_id(&self) -> Option<&str> {
        match self {
            Route::Api(_, values) => values.order_id.as_deref(),
            _ => None,
        }
    }

    fn operation(&self) -> Option<Operation> {
        match self {
            Route::Api(op, _) => Some(*op),
            Route::MethodNotAllowed(_) | Route::NotFound => None,
        }
    }
}

/// The values of a path that fits a template (its fixed parts in any
/// case), or `None`.
fn matched(template: &str, segments: &[String]) -> Option<PathValues> {
    // Every request walks the table: no allocation for a template that
    // does not fit.
    let parts = template.split('/').skip(1);
    if parts.clone().count() != segments.len() {
        return None;
    }
    let mut values = PathValues::default();
    for (part, segment) in parts.zip(segments) {
        match part {
            "{paymentType}" => values.payment_type = segment.clone(),
            "{orderId}" => values.order_id = Some(segment.clone()),
            "{categoryId}" => values.category_id = segment.clone(),
            fixed if fixed.eq_ignore_ascii_case(segment) => {}
            _ => return None,
        }
    }
    Some(values)
}

impl State {
    /// The first fault that matches and acts on this request (by its
    /// probability), counted; one used up is removed.
    fn take_fault(&mut self, target: &Target<'_>) -> Option<Acting> {
        let mut acting = None;
        for (i, injected) in self.faults.iter_mut().enumerate() {
            if injected.remaining == Some(0) || !injected.fault.matches(target) {
                continue;
            }
            if injected.generator.f64() >= injected.fault.chance() {
                continue;
            }
            if let Some(left) = &mut injected.remaining {
                *left -= 1;
            }
            let taken = Acting {
                fault: injected.fault.clone(),
                deleted: injected.deleted.subscribe(),
            };
            acting = Some((i, taken));
            break;
        }
        let (i, acting) = acting?;
        // Used-up faults are forgotten once they hold no request.
        self.spent.retain(|(_, sign)| sign.receiver_count() > 0);
        if self.faults[i].remaining == Some(0) {
            let spent = self.faults.remove(i);
            if !spent.fault.delay_time().is_zero() {
                self.spent.push((spent.id, spent.deleted));
            }
        }
        Some(acting)
    }

    /// Decides a checked request against the store, and keeps the change
    /// it makes (state file first): the reply, or the refusal.
    fn decide(&mut self, intent: handlers::Intent, msn: &str) -> Reply {
        let (reply, change) = handlers::decide(intent, self.store.merchant(msn));
        let Some(change) = change else { return reply };
        if let Some(refusal) = self.refuses(&change) {
            return Reply::Ready(refusal);
        }
        if let Err(e) = self.keep(change) {
            let file = self.journal.as_ref().map(|j| j.path.display().to_string()).unwrap_or_default();
            tracing::error!(target: "vipps_order_management_emulator", error = %e, %file, "could not keep a change in the state file; nothing was changed");
            return Reply::Ready(problem(
                500,
                "Internal Server Error",
                &format!("the emulator could not keep this in its state file ({e}); nothing was stored, try again"),
                vec![],
            ));
        }
        reply
    }

    /// The refusal of a change the store has no room for (507), if it has
    /// none.
    fn refuses(&self, change: &Prepared) -> Option<Answer> {
        let (max, stored) = (self.config.max_stored_bytes, self.store.bytes());
        let grows = change.line.len().saturating_sub(self.store.replaced_bytes(&change.change));
        if !change.change.adds() || grows <= max.saturating_sub(stored) {
            return None;
        }
        tracing::warn!(target: "vipps_order_management_emulator", max_bytes = max, stored_bytes = stored, "refused a change: the emulator holds as much as it may keep");
        Some(problem(
            507,
            "Insufficient Storage",
            &format!(
                "the emulator holds as much as it may keep ({stored} of {max} bytes); nothing was stored. Reset a merchant (POST /_emulator/reset?merchant=MSN), or start it with a larger bound (vipps-om emulator --max-stored-mib; EmulatorBuilder::max_stored_bytes in Rust)"
            ),
            vec![],
        ))
    }
}

/// The order id a request names: in the path (v2), the query (a v3 list)
/// or the body (a v3 add).
fn order_id_of(req: &Received, route: &Route) -> Option<String> {
    if let Some(id) = route.order_id() {
        return Some(id.to_owned());
    }
    match route.operation()? {
        Operation::ListCategories => req.query_value("orderId"),
        Operation::AddCategory => serde_json::from_slice::<serde_json::Value>(&req.body)
            .ok()
            .and_then(|b| b.get("orderId")?.as_str().map(str::to_owned)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    use bytes::Bytes;
    use hyper::header::HeaderMap;

    use crate::record::Record;
    use crate::state::Config;
    use crate::store::Store;
    use proptest::prelude::*;
    use serde_json::Value;

    fn state() -> Arc<Mutex<State>> {
        let config = Config {
            client_id: "id".into(),
            client_secret: "secret".into(),
            subscription_key: "key".into(),
            msn: "123456".into(),
            token_lifetime: Duration::from_secs(60),
            admin_token: None,
            max_stored_bytes: usize::MAX,
        };
        let budget = crate::memory_budget::Budgets::new(1 << 20, 1 << 20, 1 << 20, 1 << 20);
        let mut state = State::new(
            config,
            Store::default(),
            None,
            Record::new(true, Some(100), None, usize::MAX),
            budget,
        );
        let token = state.issue_token().0;
        TOKEN.with(|t| *t.borrow_mut() = token);
        Arc::new(Mutex::new(state))
    }

    thread_local! {
        /// The token the last `state()` issued, for `request`.
        static TOKEN: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }

    /// Answers a request as the server does (its delays in real time).
    fn reaction(s: &Arc<Mutex<State>>, req: &Received) -> Reaction {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(respond(s.clone(), Arc::new(req.clone())))
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
            ".{0,12}".prop_map(Value::String),
        ];
        let key = prop_oneof![
            Just("orderLines".to_owned()),
            Just("bottomLine".to_owned()),
            Just("totalAmount".to_owned()),
            Just("totalAmountExcludingTax".to_owned()),
            Just("totalTaxAmount".to_owned()),
            Just("taxRate".to_owned()),
            Just("unitInfo".to_owned()),
            Just("quantity".to_owned()),
            Just("currency".to_owned()),
            Just("imageId".to_owned()),
            Just("src".to_owned()),
            Just("url".to_owned()),
            "[a-zA-Z]{1,8}",
        ];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec((key.clone(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Whatever a client sends, the emulator answers without a panic.
        #[test]
        fn fuzz_emulator_requests(
            method in prop_oneof![Just("GET"), Just("POST"), Just("PUT"), Just("DELETE"), Just("PATCH")],
            path in prop_oneof![
                Just("/order-management/v2/ECOM/receipts/o-1".to_owned()),
                Just("/order-management/v2/ecom/categories/o-1".to_owned()),
                Just("/order-management/v2/RECURRING/o-1".to_owned()),
                Just("/order-management/v1/images".to_owned()),
                Just("/order-management/v3/categories".to_owned()),
                Just("/accessToken/get".to_owned()),
                "/[a-zA-Z0-9%./-]{0,40}",
            ],
            query in prop::option::of(".{0,20}"),
            body in prop_oneof![json_value().prop_map(|v| v.to_string().into_bytes()), prop::collection::vec(any::<u8>(), 0..64)],
            msn in prop_oneof![Just("123456".to_owned()), ".{0,8}"],
        ) {
            let mut headers = HeaderMap::new();
            headers.insert("authorization", format!("Bearer {}", TOKEN.with(|t| t.borrow().clone())).parse().unwrap());
            headers.insert("ocp-apim-subscription-key", "key".parse().unwrap());
            if let Ok(v) = msn.parse() {
                headers.insert("merchant-serial-number", v);
            }
            let req = Received { method: method.to_owned(), path, query, headers, body: Bytes::from(body), peer: ([127, 0, 0, 1], 1).into() };
            let s = state();
            let Reaction::Send(answer) = reaction(&s, &req) else {
                return Err(TestCaseError::fail("no fault was injected, yet the connection was closed"));
            };
            prop_assert!((200..600).contains(&answer.status));
        }
    }

    fn request(method: &str, path: &str, body: &str, peer: [u8; 4]) -> Received {
        let mut headers = HeaderMap::new();
        headers.insert(
            "authorization",
            format!("Bearer {}", TOKEN.with(|t| t.borrow().clone())).parse().unwrap(),
        );
        headers.insert("ocp-apim-subscription-key", "key".parse().unwrap());
        headers.insert("merchant-serial-number", "123456".parse().unwrap());
        let (path, query) = match path.split_once('?') {
            Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
            None => (path.to_owned(), None),
        };
        Received {
            method: method.to_owned(),
            path,
            query,
            headers,
            body: Bytes::from(body.to_owned()),
            peer: (peer, 40_000).into(),
        }
    }

    fn status(state: &Arc<Mutex<State>>, req: &Received) -> u16 {
        match reaction(state, req) {
            Reaction::Send(answer) => answer.status,
            Reaction::CloseConnection => 0,
        }
    }

    const RECEIPT: &str = r#"{"orderLines":[{"name":"Socks","id":"1","totalAmount":1250,"totalAmountExcludingTax":1000,"totalTaxAmount":250,"taxRate":2500}],"bottomLine":{"currency":"NOK"}}"#;

    #[cfg(unix)]
    #[test]
    fn a_change_the_state_file_cannot_keep_is_a_500_and_changes_nothing() {
        let s = state();
        lock(&s).journal = Some(crate::journal::Journal::refusing_writes());
        let post = request("POST", "/order-management/v2/ECOM/receipts/o-1", RECEIPT, [127, 0, 0, 1]);
        assert_eq!(status(&s, &post), 500);
        assert_eq!(lock(&s).store.receipt_count(), 0, "nothing in memory either");
        let get = request("GET", "/order-management/v2/ECOM/o-1", "", [127, 0, 0, 1]);
        assert_eq!(status(&s, &get), 404, "the next read does not see it");
        // And the retry is not a 409 (which a client would take for stored).
        assert_eq!(status(&s, &post), 500);
        lock(&s).journal = None;
        assert_eq!(status(&s, &post), 201);
    }

    /// Runs `test` on a runtime whose clock is paused (it moves only when
    /// every task waits), so delays are exact and take no time.
    fn paused(test: impl std::future::Future<Output = ()>) {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap()
            .block_on(test)
    }

    fn sent(reaction: Reaction) -> u16 {
        match reaction {
            Reaction::Send(answer) => answer.status,
            Reaction::CloseConnection => 0,
        }
    }

    #[test]
    fn a_stall_answers_for_real_after_its_delay() {
        let s = state();
        let here = [127, 0, 0, 1];
        let fault = r#"{"operation": "get_order", "delayMs": 7, "when": "after"}"#;
        assert_eq!(status(&s, &request("POST", "/_emulator/faults", fault, here)), 201);
        paused(async {
            let started = tokio::time::Instant::now();
            let get = Arc::new(request("GET", "/order-management/v2/ECOM/o-1", "", here));
            // The real answer (nothing is stored for o-1: a 404), not a 500.
            assert_eq!(sent(respond(s.clone(), get).await), 404);
            assert_eq!(started.elapsed(), Duration::from_millis(7));
        });
    }

    #[test]
    fn a_delay_before_changes_nothing_until_it_has_passed() {
        let s = state();
        let here = [127, 0, 0, 1];
        let fault = r#"{"operation": "post_receipt", "delayMs": 1000}"#;
        assert_eq!(status(&s, &request("POST", "/_emulator/faults", fault, here)), 201);
        paused(async {
            let post = Arc::new(request("POST", "/order-management/v2/ECOM/receipts/o-1", RECEIPT, here));
            let held = tokio::spawn(respond(s.clone(), post));
            tokio::time::sleep(Duration::from_millis(999)).await;
            assert_eq!(
                lock(&s).store.receipt_count(),
                0,
                "nothing is stored while a fault before holds the request"
            );
            assert_eq!(sent(held.await.unwrap()), 201, "then it is handled, for real");
            assert_eq!(lock(&s).store.receipt_count(), 1);
        });
    }

    #[test]
    fn a_deleted_fault_lets_the_requests_it_holds_go_on_at_once() {
        let s = state();
        let here = [127, 0, 0, 1];
        for (fault, delete) in [
            (r#"{"status": 503, "delayMs": 600000}"#, "/_emulator/faults/1"),
            (r#"{"status": 503, "delayMs": 600000, "when": "after"}"#, "/_emulator/faults"),
        ] {
            assert_eq!(status(&s, &request("POST", "/_emulator/faults", fault, here)), 201);
            paused(async {
                let started = tokio::time::Instant::now();
                let get = Arc::new(request("GET", "/order-management/v2/ECOM/o-1", "", here));
                let held = tokio::spawn(respond(s.clone(), get));
                tokio::time::sleep(Duration::from_secs(1)).await;
                let deleted = respond(s.clone(), Arc::new(request("DELETE", delete, "", here))).await;
                assert_eq!(sent(deleted), 200, "{delete}");
                assert_eq!(sent(held.await.unwrap()), 404, "the real answer, not the deleted fault's 503");
                assert_eq!(started.elapsed(), Duration::from_secs(1), "at once, not after ten minutes");
            });
        }
        // A fault used up still holds its request, and is deleted by its id
        // even after another fault acted in between.
        let held_fault = r#"{"operation": "get_order", "status": 503, "delayMs": 600000}"#;
        let other = r#"{"operation": "post_receipt", "status": 503}"#;
        assert_eq!(status(&s, &request("POST", "/_emulator/faults", held_fault, here)), 201);
        assert_eq!(status(&s, &request("POST", "/_emulator/faults", other, here)), 201);
        let id = lock(&s).faults[0].id;
        paused(async {
            let get = Arc::new(request("GET", "/order-management/v2/ECOM/o-1", "", here));
            let held = tokio::spawn(respond(s.clone(), get));
            tokio::time::sleep(Duration::from_secs(1)).await;
            let post = Arc::new(request("POST", "/order-management/v2/ECOM/receipts/o-9", RECEIPT, here));
            assert_eq!(sent(respond(s.clone(), post).await), 503, "the other fault");
            let delete = Arc::new(request("DELETE", &format!("/_emulator/faults/{id}"), "", here));
            assert_eq!(sent(respond(s.clone(), delete).await), 200);
            assert_eq!(sent(held.await.unwrap()), 404);
        });
        assert!(lock(&s).spent.is_empty(), "nothing is kept of a deleted fault");
        // A used-up fault whose request has ended is forgotten at the next
        // fault taken.
        let short = r#"{"operation": "get_order", "status": 503, "delayMs": 5}"#;
        assert_eq!(status(&s, &request("POST", "/_emulator/faults", short, here)), 201);
        assert_eq!(status(&s, &request("GET", "/order-management/v2/ECOM/o-1", "", here)), 503);
        assert_eq!(lock(&s).spent.len(), 1, "kept while it might hold a request");
        assert_eq!(status(&s, &request("POST", "/_emulator/faults", other, here)), 201);
        let post = request("POST", "/order-management/v2/ECOM/receipts/o-8", RECEIPT, here);
        assert_eq!(status(&s, &post), 503);
        assert!(lock(&s).spent.is_empty(), "then forgotten");
        let too_long = r#"{"status": 503, "delayMs": 600001}"#;
        assert_eq!(status(&s, &request("POST", "/_emulator/faults", too_long, here)), 400);
    }

    #[test]
    fn past_the_stored_bytes_a_write_is_refused_until_a_reset_makes_room() {
        let s = state();
        let here = [127, 0, 0, 1];
        let post = |order: &str| request("POST", &format!("/order-management/v2/ECOM/receipts/{order}"), RECEIPT, here);
        assert_eq!(status(&s, &post("o-1")), 201);
        let one = lock(&s).store.bytes();
        lock(&s).config.max_stored_bytes = 2 * one;
        assert_eq!(status(&s, &post("o-2")), 201, "exactly at the bound");
        let Reaction::Send(refused) = reaction(&s, &post("o-3")) else {
            panic!("closed")
        };
        assert_eq!(refused.status, 507, "{}", refused.body);
        assert!(refused.body.contains("Reset a merchant"), "{}", refused.body);
        assert_eq!(lock(&s).store.receipt_count(), 2, "nothing stored past the bound");
        // A category put again in place of one as large still fits.
        let category = r#"{"category": "RECEIPT", "orderDetailsUrl": "https://shop.example/o/1"}"#;
        let put = request("PUT", "/order-management/v2/ECOM/categories/o-1", category, here);
        lock(&s).config.max_stored_bytes = usize::MAX;
        assert_eq!(status(&s, &put), 200);
        let full = lock(&s).store.bytes();
        lock(&s).config.max_stored_bytes = full;
        assert_eq!(status(&s, &put), 200, "it replaces as many bytes as it adds");
        // A delete still goes through at the bound.
        let v3 = r#"{"orderId": "o-1", "paymentType": "ECOM", "type": "TICKET", "url": "https://shop.example/t/1"}"#;
        lock(&s).config.max_stored_bytes = usize::MAX;
        let Reaction::Send(added) = reaction(&s, &request("POST", "/order-management/v3/categories", v3, here)) else {
            panic!("closed")
        };
        let id: Value = serde_json::from_str(&added.body).unwrap();
        let full = lock(&s).store.bytes();
        lock(&s).config.max_stored_bytes = full;
        let delete = format!("/order-management/v3/categories/{}", id["categoryId"].as_str().unwrap());
        assert_eq!(
            status(&s, &request("DELETE", &delete, "", here)),
            200,
            "a delete frees, never refused"
        );
        // A read still goes through, and a reset makes room.
        assert_eq!(status(&s, &request("GET", "/order-management/v2/ECOM/o-1", "", here)), 200);
        assert_eq!(status(&s, &request("POST", "/_emulator/reset?merchant=123456", "", here)), 200);
        assert_eq!(status(&s, &post("o-3")), 201, "a reset makes room");
    }

    #[test]
    fn a_fault_for_one_merchant_spares_the_others() {
        let s = state();
        let here = [127, 0, 0, 1];
        let fault = r#"{"status": 503, "merchant": "654321", "times": 5}"#;
        assert_eq!(status(&s, &request("POST", "/_emulator/faults", fault, here)), 201);
        assert_eq!(
            status(&s, &request("GET", "/order-management/v2/ECOM/o-1", "", here)),
            404,
            "123456's own answer"
        );
        let mut other = request("GET", "/order-management/v2/ECOM/o-1", "", here);
        other.headers.insert("merchant-serial-number", "654321".parse().unwrap());
        assert_eq!(status(&s, &other), 503, "654321 gets the fault");
    }

    #[test]
    fn the_record_names_the_order_of_a_v3_list_and_add() {
        let s = state();
        let here = [127, 0, 0, 1];
        status(&s, &request("GET", "/order-management/v3/categories?orderId=o-7", "", here));
        let add = r#"{"orderId": "o-8", "paymentType": "ECOM", "type": "GENERAL", "url": "https://shop.example/o/8"}"#;
        status(&s, &request("POST", "/order-management/v3/categories", add, here));
        let state = lock(&s);
        let ids: Vec<Option<&str>> = state.record.requests.iter().map(|r| r.order_id.as_deref()).collect();
        assert_eq!(ids, [Some("o-7"), Some("o-8")]);
    }

    #[test]
    fn paths_that_name_no_operation_are_not_found() {
        let s = state();
        for (method, path) in [
            ("POST", "/accesstoken/put"),
            ("POST", "/token/get"),
            ("POST", "/order-management/v1/pictures"),
            ("POST", "/order-management/v9/images"),
            ("POST", "/shop/v1/images"),
            ("PUT", "/order-management/v2/ECOM/links/o-1"),
            ("POST", "/order-management/v2/ECOM/receipt/o-1"),
            ("POST", "/order-management/v9/ECOM/receipts/o-1"),
            ("GET", "/order-management/v9/ECOM/o-1"),
            ("GET", "/order-management/v3/links"),
            ("GET", "/order-management/v2/categories"),
            ("GET", "/order-management/v3/links/c-1"),
            ("GET", "/order-management/v2/ECOM/receipts/o-1/more"),
        ] {
            // With credentials or without: no such resource, before any
            // authentication, as the gateway answers.
            let with = request(method, path, "", [127, 0, 0, 1]);
            let mut without = request(method, path, "", [127, 0, 0, 1]);
            without.headers.clear();
            for req in [with, without] {
                let Reaction::Send(answer) = reaction(&s, &req) else {
                    panic!("closed")
                };
                assert_eq!(answer.status, 404, "{method} {path}");
                assert!(answer.body.contains("No such resource"), "{method} {path}: {}", answer.body);
            }
        }
    }

    #[test]
    fn the_admin_api_answers_this_machine_or_the_admin_token() {
        let s = state();
        let far = [203, 0, 113, 7];
        assert_eq!(status(&s, &request("GET", "/_emulator/health", "", far)), 200, "health is open");
        assert_eq!(status(&s, &request("GET", "/_emulator/faults", "", far)), 403);
        assert_eq!(status(&s, &request("GET", "/_emulator/faults", "", [127, 0, 0, 1])), 200);
        lock(&s).config.admin_token = Some(hmac_sha512::Hash::hash(b"team-secret"));
        let mut with_token = request("GET", "/_emulator/faults", "", far);
        with_token.headers.insert("authorization", "Bearer team-secret".parse().unwrap());
        assert_eq!(status(&s, &with_token), 200);
        with_token.headers.insert("authorization", "Bearer guess".parse().unwrap());
        assert_eq!(status(&s, &with_token), 403);
        assert_eq!(status(&s, &request("GET", "/_emulator/nothing", "", [127, 0, 0, 1])), 404);
        assert_eq!(status(&s, &request("PUT", "/_emulator/faults", "", [127, 0, 0, 1])), 405);
        assert!(lock(&s).record.requests.is_empty(), "the admin API's requests are not recorded");
    }

    #[test]
    fn the_admin_api_refuses_what_it_cannot_act_on() {
        let s = state();
        let here = [127, 0, 0, 1];
        let send = |method: &str, path: &str, body: &str| status(&s, &request(method, path, body, here));
        assert_eq!(send("POST", "/_emulator/faults", "[null, null, null, 418]"), 400, "an array");
        assert_eq!(send("POST", "/_emulator/faults", r#"{"status": 101}"#), 400);
        assert_eq!(send("POST", "/_emulator/faults", r#"{"status": 503, "times": 0}"#), 400);
        assert_eq!(send("POST", "/_emulator/reset?merchant=", ""), 400);
        assert_eq!(send("POST", "/_emulator/reset?merchant=abc%0A", ""), 400);
        assert_eq!(send("POST", "/_emulator/reset?merchant=123456", ""), 200);
        assert_eq!(send("GET", "/_emulator/requests?limit=99999999999999999999999", ""), 200);
        assert_eq!(send("GET", "/_emulator/requests?limit=-1", ""), 400);
        let Reaction::Send(answer) = reaction(&s, &request("GET", "/_emulator/requests?operation=nope", "", here)) else {
            panic!()
        };
        assert_eq!(answer.status, 400);
        assert!(answer.body.contains("must be one of"), "{}", answer.body);
    }

    #[test]
    fn the_admin_api_forgets_requests_of_one_merchant_or_all_and_names_its_methods() {
        let s = state();
        let here = [127, 0, 0, 1];
        let get = |msn: &str| {
            let mut r = request("GET", "/order-management/v2/ECOM/o-1", "", here);
            r.headers.insert("merchant-serial-number", msn.parse().unwrap());
            r
        };
        for msn in ["123456", "654321", "123456"] {
            status(&s, &get(msn));
        }
        let merchants =
            |s: &Arc<Mutex<State>>| -> Vec<Option<String>> { lock(s).record.requests.iter().map(|r| r.merchant.clone()).collect() };
        assert_eq!(status(&s, &request("POST", "/_emulator/reset?merchant=123456", "", here)), 200);
        assert_eq!(merchants(&s), [Some("654321".to_owned())], "only that merchant's requests go");
        assert_eq!(status(&s, &request("DELETE", "/_emulator/requests", "", here)), 200);
        assert!(lock(&s).record.requests.is_empty());
        for fault in [r#"{"status": 503}"#, r#"{"status": 502}"#] {
            assert_eq!(status(&s, &request("POST", "/_emulator/faults", fault, here)), 201);
        }
        let Reaction::Send(cleared) = reaction(&s, &request("DELETE", "/_emulator/faults", "", here)) else {
            panic!("closed")
        };
        assert_eq!(cleared.body, r#"{"cleared":2}"#);
        assert_eq!(status(&s, &request("POST", "/_emulator/faults", r#"{"status": 503}"#, here)), 201);
        assert_eq!(
            status(&s, &request("DELETE", "/_emulator/faults/999", "", here)),
            404,
            "no such fault"
        );
        assert_eq!(lock(&s).delete_faults(|_| true), 1, "the one left");
        // The record listed by merchant.
        for msn in ["123456", "654321"] {
            status(&s, &get(msn));
        }
        let Reaction::Send(listed) = reaction(&s, &request("GET", "/_emulator/requests?merchant=654321", "", here)) else {
            panic!("closed")
        };
        let listed: Value = serde_json::from_str(&listed.body).unwrap();
        assert_eq!(listed["total"], 1, "{listed}");
        assert_eq!(listed["requests"][0]["merchant"], "654321");
        for (method, path, allowed) in [
            ("GET", "/_emulator/reset", "POST"),
            ("PUT", "/_emulator/requests", "GET, DELETE"),
            ("PUT", "/_emulator/faults", "GET, POST, DELETE"),
            ("GET", "/_emulator/faults/1", "DELETE"),
            ("POST", "/_emulator/health", "GET"),
        ] {
            let Reaction::Send(answer) = reaction(&s, &request(method, path, "", here)) else {
                panic!("closed")
            };
            assert_eq!(answer.status, 405, "{method} {path}");
            assert!(
                answer.headers.contains(&("Allow", allowed.to_owned())),
                "{method} {path}: {:?}",
                answer.headers
            );
        }
    }

    #[test]
    fn the_admin_api_refuses_web_pages_and_rebound_host_names() {
        let s = state();
        let here = [127, 0, 0, 1];
        let with = |name: &'static str, value: &'static str| {
            let mut r = request("POST", "/_emulator/reset", "", here);
            r.headers.insert(name, value.parse().unwrap());
            r
        };
        // A page on any site: its browser names the page's origin.
        assert_eq!(status(&s, &with("origin", "https://evil.example")), 403);
        assert_eq!(status(&s, &with("origin", "null")), 403);
        assert_eq!(status(&s, &with("sec-fetch-site", "cross-site")), 403);
        assert_eq!(status(&s, &with("sec-fetch-site", "same-origin")), 403);
        // A host name rebound to this machine.
        assert_eq!(status(&s, &with("host", "rebind.evil.example:8081")), 403);
        // Two names: which was it sent to?
        let mut two = with("host", "127.0.0.1:8081");
        two.headers.append("host", "rebind.evil.example".parse().unwrap());
        assert_eq!(status(&s, &two), 403);
        // Tools name the server by address or as localhost.
        for host in ["127.0.0.1:8081", "localhost:8081", "LOCALHOST", "[::1]:8081", "10.1.2.3"] {
            assert_eq!(status(&s, &with("host", host)), 200, "{host}");
        }
        assert_eq!(status(&s, &with("sec-fetch-site", "none")), 200, "typed into the address bar");
        // IPv4 clients of a server listening on [::] arrive as mapped addresses.
        let mut mapped = request("GET", "/_emulator/faults", "", here);
        mapped.peer = "[::ffff:127.0.0.2]:40000".parse().unwrap();
        assert_eq!(status(&s, &mapped), 200);
        mapped.peer = "[::ffff:203.0.113.7]:40000".parse().unwrap();
        assert_eq!(status(&s, &mapped), 403);
        // The admin token opens it under any host name (a compose service's).
        lock(&s).config.admin_token = Some(hmac_sha512::Hash::hash(b"team-secret"));
        let mut r = with("host", "emulator:8081");
        r.headers.insert("authorization", "Bearer team-secret".parse().unwrap());
        assert_eq!(status(&s, &r), 200);
        // Never a page, token or not.
        r.headers.insert("origin", "https://evil.example".parse().unwrap());
        assert_eq!(status(&s, &r), 403);
    }

    #[test]
    fn faults_act_by_operation_order_merchant_and_seeded_chance() {
        let s = state();
        let here = [127, 0, 0, 1];
        let add = |s: &Arc<Mutex<State>>, fault: &str| status(s, &request("POST", "/_emulator/faults", fault, here));
        assert_eq!(
            add(&s, r#"{"operation":"post_receipt","orderId":"o-1","status":503,"times":2}"#),
            201
        );
        assert_eq!(
            add(&s, r#"{"operation":"post_receipt","orderId":"o-1","closeConnection":true}"#),
            201
        );
        assert_eq!(add(&s, r#"{"status":42}"#), 400);
        let post = |order: &str| request("POST", &format!("/order-management/v2/ECOM/receipts/{order}"), RECEIPT, here);
        assert_eq!(status(&s, &post("o-2")), 201, "another order: no fault");
        assert_eq!(status(&s, &post("o-1")), 503);
        assert_eq!(status(&s, &post("o-1")), 503);
        assert_eq!(status(&s, &post("o-1")), 0, "the connection closed");
        assert_eq!(status(&s, &post("o-1")), 201, "every fault used up");
        assert!(lock(&s).faults.is_empty());
        // A seeded chance acts on the same requests each run.
        let chance = r#"{"operation":"get_order","status":503,"probability":0.5,"seed":11}"#;
        let run = |s: &Arc<Mutex<State>>| -> Vec<u16> {
            lock(s).faults.clear();
            add(s, chance);
            (0..16)
                .map(|_| status(s, &request("GET", "/order-management/v2/ECOM/o-2", "", here)))
                .collect()
        };
        let first = run(&s);
        assert_eq!(first, run(&s));
        assert!(first.contains(&503) && first.contains(&200), "{first:?}");
        // Reset forgets one merchant, or everything.
        assert_eq!(status(&s, &request("POST", "/_emulator/reset?merchant=123456", "", here)), 200);
        assert_eq!(lock(&s).store.receipt_count(), 0);
        assert_eq!(lock(&s).faults.len(), 1, "a merchant's reset keeps the faults");
        assert_eq!(status(&s, &request("POST", "/_emulator/reset", "", here)), 200);
        assert!(lock(&s).faults.is_empty() && lock(&s).record.requests.is_empty());
    }

    #[test]
    fn routes_like_a_gateway() {
        // `.` and `..` are folders to any client or gateway, not values.
        for dots in [".", "..", "%2E", "%2e%2E"] {
            let path = format!("/order-management/v2/ECOM/receipts/{dots}");
            assert!(matches!(Route::parse("POST", &path), Route::NotFound), "{path}");
        }
        assert!(matches!(
            Route::parse("POST", "/accessToken/get"),
            Route::Api(Operation::FetchToken, _)
        ));
        assert!(matches!(
            Route::parse("POST", "/ACCESSTOKEN/GET"),
            Route::Api(Operation::FetchToken, _)
        ));
        assert!(matches!(Route::parse("GET", "/accesstoken/get"), Route::MethodNotAllowed(_)));
        assert!(
            matches!(Route::parse("GET", "/order-management/v2/ecom/o-1"), Route::Api(Operation::GetOrder, v) if v.payment_type == "ecom" && v.order_id.as_deref() == Some("o-1"))
        );
        assert!(matches!(
            Route::parse("GET", "/order-management/v2//ecom//order-1"),
            Route::NotFound
        ));
        // One trailing slash is ignored, as the service's framework does.
        assert!(
            matches!(Route::parse("GET", "/order-management/v2/ECOM/o-1/"), Route::Api(Operation::GetOrder, v) if v.order_id.as_deref() == Some("o-1"))
        );
        assert!(matches!(
            Route::parse("POST", "/order-management/v1/images/"),
            Route::Api(Operation::UploadImage, _)
        ));
        assert!(matches!(Route::parse("POST", "/order-management/v1/images//"), Route::NotFound));
        assert!(matches!(
            Route::parse("POST", "/order-management/v2/ECOM/receipts/"),
            Route::MethodNotAllowed(allow) if allow == "GET"
        ));
        assert!(matches!(
            Route::parse("POST", "/order-management/v2/ECOM/receipts"),
            Route::MethodNotAllowed(_)
        ));
        assert!(
            matches!(Route::parse("PUT", "/order-management/v2/eCom/categories/o%2D1"), Route::Api(Operation::PutCategory, v) if v.order_id.as_deref() == Some("o-1"))
        );
        assert!(matches!(
            Route::parse("DELETE", "/order-management/v3/categories/x"),
            Route::Api(Operation::DeleteCategory, v) if v.category_id == "x"
        ));
        assert!(matches!(
            Route::parse("PATCH", "/order-management/v3/categories"),
            Route::MethodNotAllowed(allow) if allow == "GET, POST"
        ));
    }
}
