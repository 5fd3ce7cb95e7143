//! The emulator's request handling: routing as the service's gateway does,
//! authentication, validation against the spec's schemas and the service's
//! own rules, and the stored state, kept per merchant serial number.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use bytes::Bytes;
use reqwest::header::HeaderMap;
use serde_json::{json, Map, Value};

use super::fault::{Fault, Stage, Then};
use super::schema::{self, Ty};
use super::store::{order_key, Merchant, StateFile, Store, StoredOrder};
use super::RecordedRequest;
use crate::error::Violation;
use crate::model::{PaymentType, Receipt};
use crate::operation::Operation;
use crate::validate::{self, Violations};

/// The emulator's settings.
#[derive(Clone)]
pub(super) struct Config {
    pub(super) client_id: String,
    pub(super) client_secret: String,
    pub(super) subscription_key: String,
    pub(super) msn: String,
    pub(super) token_lifetime: Duration,
}

/// Everything the emulator holds.
pub(super) struct State {
    pub(super) config: Config,
    /// Issued tokens and when each expires.
    pub(super) tokens: HashMap<String, Instant>,
    pub(super) tokens_issued: usize,
    pub(super) store: Store,
    pub(super) state_file: Option<StateFile>,
    pub(super) record_requests: bool,
    pub(super) requests: Vec<RecordedRequest>,
    pub(super) faults: Vec<Fault>,
    pub(super) latency: Duration,
}

/// A request as the emulator sees it.
pub(super) struct Incoming {
    pub(super) method: String,
    /// The path as sent (percent-encoded).
    pub(super) path: String,
    pub(super) query: Option<String>,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
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

/// What to do with a request: answer (after a delay), or close the
/// connection without answering.
pub(super) struct Disposition {
    pub(super) then: Option<Answer>,
    pub(super) delay: Duration,
}

enum Route {
    Token,
    UploadImage,
    PutCategory(String, String),
    PostReceipt(String, String),
    GetOrder(String, String),
    AddCategory,
    ListCategories,
    GetCategory(String),
    DeleteCategory(String),
    /// The path exists; these methods are what it takes.
    MethodNotAllowed(&'static str),
    NotFound,
}

impl Route {
    /// Routes like the service's gateway: fixed path parts in any case (the
    /// official collection fetches its token from `/accessToken/get`), ids
    /// as sent, and an empty segment (`//`, a trailing `/`) matches nothing.
    fn parse(method: &str, path: &str) -> Route {
        let Some(raw) = path.strip_prefix('/') else {
            return Route::NotFound;
        };
        let segments: Vec<String> = raw
            .split('/')
            .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect();
        if segments.iter().any(String::is_empty) {
            return Route::NotFound;
        }
        let is = |i: usize, word: &str| segments.get(i).is_some_and(|s| s.eq_ignore_ascii_case(word));
        let arg = |i: usize| segments.get(i).cloned().unwrap_or_default();
        let one = |allowed: &'static str, route: Route| (allowed, (method == allowed).then_some(route));
        let (allowed, route) = match segments.len() {
            2 if is(0, "accesstoken") && is(1, "get") => one("POST", Route::Token),
            3 if is(0, "order-management") && is(1, "v1") && is(2, "images") => one("POST", Route::UploadImage),
            5 if is(0, "order-management") && is(1, "v2") && is(3, "categories") => one("PUT", Route::PutCategory(arg(2), arg(4))),
            5 if is(0, "order-management") && is(1, "v2") && is(3, "receipts") => one("POST", Route::PostReceipt(arg(2), arg(4))),
            4 if is(0, "order-management") && is(1, "v2") => one("GET", Route::GetOrder(arg(2), arg(3))),
            3 if is(0, "order-management") && is(1, "v3") && is(2, "categories") => (
                "GET, POST",
                match method {
                    "GET" => Some(Route::ListCategories),
                    "POST" => Some(Route::AddCategory),
                    _ => None,
                },
            ),
            4 if is(0, "order-management") && is(1, "v3") && is(2, "categories") => (
                "GET, DELETE",
                match method {
                    "GET" => Some(Route::GetCategory(arg(3))),
                    "DELETE" => Some(Route::DeleteCategory(arg(3))),
                    _ => None,
                },
            ),
            _ => return Route::NotFound,
        };
        route.unwrap_or(Route::MethodNotAllowed(allowed))
    }

    fn operation(&self) -> Option<Operation> {
        Some(match self {
            Route::Token => Operation::FetchToken,
            Route::UploadImage => Operation::UploadImage,
            Route::PutCategory(..) => Operation::PutCategory,
            Route::PostReceipt(..) => Operation::PostReceipt,
            Route::GetOrder(..) => Operation::GetOrder,
            Route::AddCategory => Operation::AddCategory,
            Route::ListCategories => Operation::ListCategories,
            Route::GetCategory(_) => Operation::GetCategory,
            Route::DeleteCategory(_) => Operation::DeleteCategory,
            Route::MethodNotAllowed(_) | Route::NotFound => return None,
        })
    }
}

impl State {
    /// Records the request, applies the first matching fault, handles it,
    /// and saves the state file when something changed.
    pub(super) fn respond(&mut self, req: &Incoming) -> Disposition {
        let route = Route::parse(&req.method, &req.path);
        let op = route.operation();
        if self.record_requests {
            self.record(req, op);
        }
        let mut delay = self.latency;

        let fault = self.take_fault(op);
        if let Some(fault) = &fault {
            delay = delay.saturating_add(fault.delay());
            if fault.stage() == Stage::Before {
                return Disposition {
                    then: fault.answer(),
                    delay,
                };
            }
        }
        let answer = self.handle(req, route);
        match fault {
            Some(fault) if fault.then() != Then::Handle => Disposition {
                then: fault.answer(),
                delay,
            },
            _ => Disposition { then: Some(answer), delay },
        }
    }

    fn record(&mut self, req: &Incoming, op: Option<Operation>) {
        self.requests.push(RecordedRequest {
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            headers: req
                .headers
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect(),
            body: req.body.to_vec(),
            operation: op,
        });
    }

    fn take_fault(&mut self, op: Option<Operation>) -> Option<Fault> {
        let i = self.faults.iter().position(|f| f.matches(op))?;
        if self.faults[i].use_once() {
            Some(self.faults.remove(i))
        } else {
            Some(self.faults[i].clone())
        }
    }

    fn handle(&mut self, req: &Incoming, route: Route) -> Answer {
        match route {
            Route::NotFound => return problem(404, "Not Found", "No such resource in the Order Management API", vec![]),
            Route::MethodNotAllowed(allowed) => {
                let mut answer = problem(405, "Method Not Allowed", &format!("This resource takes {allowed}"), vec![]);
                answer.headers.push(("Allow", allowed.to_owned()));
                return answer;
            }
            Route::Token => return self.token(req),
            _ => {}
        }
        let msn = match self.authenticate(req) {
            Ok(msn) => msn,
            Err(refusal) => return refusal,
        };
        let body: Option<Value> = serde_json::from_slice(&req.body).ok();
        let (answer, changed) = match route {
            Route::UploadImage => upload_image(self.store.merchant_mut(&msn), body),
            Route::PutCategory(pt, id) => put_category(self.store.merchant_mut(&msn), &pt, &id, body),
            Route::PostReceipt(pt, id) => post_receipt(self.store.merchant_mut(&msn), &pt, &id, body),
            Route::GetOrder(pt, id) => (get_order(self.store.merchant(&msn), &pt, &id), false),
            Route::AddCategory => add_category(self.store.merchant_mut(&msn), body),
            Route::ListCategories => (list_categories(self.store.merchant(&msn), req.query.as_deref()), false),
            Route::GetCategory(id) => (get_category(self.store.merchant(&msn), &id), false),
            Route::DeleteCategory(id) => delete_category(self.store.merchant_mut(&msn), &id),
            Route::Token | Route::NotFound | Route::MethodNotAllowed(_) => (problem(404, "Not Found", "", vec![]), false),
        };
        if changed {
            if let Some(path) = self.state_file.as_ref().map(|f| f.path.clone()) {
                if let Err(e) = self.store.save(&path) {
                    tracing::error!(target: "vipps_order_management::emulator", error = %e, file = %path.display(), "could not save the state file");
                    return problem(
                        500,
                        "Internal Server Error",
                        &format!("the emulator could not save its state file: {e}"),
                        vec![],
                    );
                }
            }
        }
        answer
    }

    fn token(&mut self, req: &Incoming) -> Answer {
        let c = &self.config;
        let ok = header(req, "client_id") == Some(c.client_id.as_str())
            && header(req, "client_secret") == Some(c.client_secret.as_str())
            && header(req, "Ocp-Apim-Subscription-Key") == Some(c.subscription_key.as_str());
        if !ok {
            return gateway(
                401,
                "Access denied due to invalid client_id, client_secret or subscription key. Make sure to provide valid keys for an active subscription.",
            );
        }
        let lifetime = c.token_lifetime;
        let (token, exp, now) = self.issue_token();
        json_body(
            200,
            &json!({
                "token_type": "Bearer",
                "expires_in": lifetime.as_secs().to_string(),
                "ext_expires_in": "0",
                "expires_on": exp.to_string(),
                "not_before": now.to_string(),
                "resource": "00000002-0000-0000-c000-000000000000",
                "access_token": token,
            }),
        )
    }

    /// Issues a token: the token, when it expires and when it was issued
    /// (Unix seconds).
    pub(super) fn issue_token(&mut self) -> (String, u64, u64) {
        let lifetime = self.config.token_lifetime;
        let now = unix_now();
        let exp = now.saturating_add(lifetime.as_secs());
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!(r#"{{"exp":{exp},"nbf":{now},"jti":"{}"}}"#, uuid::Uuid::new_v4()));
        let token = format!("eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.{payload}.emulator");
        let expiry = Instant::now().checked_add(lifetime).unwrap_or_else(Instant::now);
        self.tokens.insert(token.clone(), expiry);
        self.tokens_issued += 1;
        (token, exp, now)
    }

    /// Checks the subscription key, the token and the merchant serial
    /// number; returns the merchant serial number.
    fn authenticate(&self, req: &Incoming) -> Result<String, Answer> {
        match header(req, "Ocp-Apim-Subscription-Key") {
            None => {
                return Err(gateway(
                    401,
                    "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.",
                ))
            }
            Some(k) if k != self.config.subscription_key => {
                return Err(gateway(
                    401,
                    "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.",
                ))
            }
            Some(_) => {}
        }
        // The scheme is case-insensitive (RFC 9110).
        let bearer = header(req, "Authorization")
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        match bearer.and_then(|t| self.tokens.get(t)) {
            None => return Err(gateway(401, "Access denied due to missing or invalid access token.")),
            Some(expiry) if Instant::now() >= *expiry => return Err(gateway(401, "Access denied: the access token has expired.")),
            Some(_) => {}
        }
        let msn = header(req, "Merchant-Serial-Number").unwrap_or_default();
        let violations = validate::merchant_serial_number("Merchant-Serial-Number", msn);
        if violations.is_empty() {
            Ok(msn.to_owned())
        } else {
            Err(bad_request(violations))
        }
    }
}

fn trace_id() -> String {
    let a = uuid::Uuid::new_v4().simple().to_string();
    let b = uuid::Uuid::new_v4().simple().to_string();
    format!("00-{a}-{}-00", &b[..16])
}

/// An RFC 7807 answer.
pub(super) fn problem(status: u16, title: &str, detail: &str, invalid: Vec<Violation>) -> Answer {
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

fn bad_request(invalid: Vec<Violation>) -> Answer {
    problem(400, "One or more validation errors occurred.", "BadRequest", invalid)
}

/// The API gateway's answer to a missing or wrong key or token.
fn gateway(status: u16, message: &str) -> Answer {
    json_body(status, &json!({ "statusCode": status, "message": message }))
}

fn json_body(status: u16, value: &Value) -> Answer {
    Answer {
        status,
        content_type: "application/json".into(),
        body: value.to_string(),
        headers: Vec::new(),
    }
}

fn json_string(status: u16, value: &str) -> Answer {
    json_body(status, &Value::String(value.to_owned()))
}

fn header<'r>(req: &'r Incoming, name: &str) -> Option<&'r str> {
    req.headers.get(name).and_then(|v| v.to_str().ok())
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs()
}

/// The spec's `OrderId`: its pattern, and nothing more (no length, no
/// rule on `.`; the client is stricter, the service is not known to be).
fn spec_order_id(found: &mut Violations, field: &str, id: &str) {
    if id.is_empty() || !validate::id_pattern(id) {
        found.fail(field, "must match ^[0-9A-Za-z-_\\.]+$");
    }
}

/// Checks `{paymentType}/{orderId}` of a v2 path.
fn order_path(found: &mut Violations, pt: &str, order_id: &str) -> PaymentType {
    let payment_type = PaymentType::parse_lenient(pt);
    if !payment_type.is_known() {
        found.fail("paymentType", "must be one of ECOM, RECURRING");
    }
    spec_order_id(found, "orderId", order_id);
    payment_type
}

/// The body, checked against the spec's schema: the object, or the
/// violations found.
fn checked(found: &mut Violations, body: Option<Value>, ty: &Ty) -> Option<Map<String, Value>> {
    match body {
        Some(value) => {
            schema::check(found, "", &value, ty);
            match value {
                Value::Object(map) => Some(map),
                _ => None,
            }
        }
        None => {
            found.fail("body", "must be a JSON object");
            None
        }
    }
}

fn upload_image(merchant: &mut Merchant, body: Option<Value>) -> (Answer, bool) {
    let mut found = Violations::default();
    let obj = checked(&mut found, body, &schema::IMAGE);
    let text = |k: &str| {
        obj.as_ref()
            .and_then(|o| o.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (id, src) = (text("imageId"), text("src"));
    if obj.as_ref().is_some_and(|o| o.get("src").is_some_and(Value::is_string)) {
        match base64::engine::general_purpose::STANDARD.decode(&src) {
            Ok(bytes) => {
                if let Err(crate::Error::InvalidInput { violations: in_image, .. }) = crate::image::inspect(&bytes) {
                    found.extend(in_image);
                }
            }
            Err(_) => found.fail("src", "must be the image's bytes in base64"),
        }
    }
    if !found.is_empty() {
        return (bad_request(found.into_vec()), false);
    }
    if merchant.images.contains_key(&id) {
        let detail = format!("An image with imageId {id} already exists (duplicate); images cannot be overwritten");
        return (problem(409, "Conflict", &detail, vec![]), false);
    }
    merchant.images.insert(id.clone(), src);
    (json_body(200, &json!({ "imageId": id })), true)
}

fn put_category(merchant: &mut Merchant, pt: &str, order_id: &str, body: Option<Value>) -> (Answer, bool) {
    let mut found = Violations::default();
    let payment_type = order_path(&mut found, pt, order_id);
    let category = checked(&mut found, body, &schema::CATEGORY_V2);
    match category {
        Some(category) if found.is_empty() => {
            let order = merchant.orders.entry(order_key(&payment_type, order_id)).or_default();
            order.category = Some(Value::Object(category));
            (json_string(200, &uuid::Uuid::new_v4().to_string()), true)
        }
        _ => (bad_request(found.into_vec()), false),
    }
}

fn post_receipt(merchant: &mut Merchant, pt: &str, order_id: &str, body: Option<Value>) -> (Answer, bool) {
    let mut found = Violations::default();
    let payment_type = order_path(&mut found, pt, order_id);
    let receipt = checked(&mut found, body, &schema::RECEIPT);
    if let Some(receipt) = &receipt {
        // The service's own rules, on the receipt as the client reads it
        // (when it still reads as one despite schema violations).
        match serde_json::from_value::<Receipt>(Value::Object(receipt.clone())) {
            Ok(typed) => found.extend(validate::service_rules(&typed)),
            Err(e) if found.is_empty() => found.fail("body", e.to_string()),
            Err(_) => {}
        }
    }
    let Some(receipt) = receipt.filter(|_| found.is_empty()) else {
        return (bad_request(found.into_vec()), false);
    };
    let order = merchant.orders.entry(order_key(&payment_type, order_id)).or_default();
    if order.receipt.is_some() {
        let detail = format!("A receipt already exists for order {order_id}; receipts cannot be changed");
        return (problem(409, "Conflict", &detail, vec![]), false);
    }
    order.receipt = Some(Value::Object(receipt));
    (json_string(201, &uuid::Uuid::new_v4().to_string()), true)
}

fn get_order(merchant: Option<&Merchant>, pt: &str, order_id: &str) -> Answer {
    let mut found = Violations::default();
    let payment_type = order_path(&mut found, pt, order_id);
    if !found.is_empty() {
        return bad_request(found.into_vec());
    }
    let stored = merchant.and_then(|m| m.orders.get(&order_key(&payment_type, order_id)));
    match stored {
        Some(StoredOrder { category, receipt }) if category.is_some() || receipt.is_some() => {
            let mut body = Map::new();
            if let Some(c) = category {
                body.insert("category".into(), c.clone());
            }
            if let Some(r) = receipt {
                body.insert("receipt".into(), r.clone());
            }
            json_body(200, &Value::Object(body))
        }
        _ => problem(
            404,
            "Not Found",
            &format!("No category or receipt exists for order {order_id}"),
            vec![],
        ),
    }
}

fn add_category(merchant: &mut Merchant, body: Option<Value>) -> (Answer, bool) {
    let mut found = Violations::default();
    let Some(mut category) = checked(&mut found, body, &schema::CATEGORY_V3).filter(|_| found.is_empty()) else {
        return (bad_request(found.into_vec()), false);
    };
    // Stored as the spec's `Category`: with its id, and the payment type in
    // the enum's own case.
    let id = uuid::Uuid::new_v4().to_string();
    if let Some(Value::String(pt)) = category.get("paymentType") {
        let canonical = PaymentType::parse_lenient(pt).as_str().to_owned();
        category.insert("paymentType".into(), Value::String(canonical));
    }
    let mut stored = Map::new();
    stored.insert("categoryId".into(), Value::String(id.clone()));
    stored.extend(category);
    merchant.categories_v3.push(Value::Object(stored));
    (json_body(201, &json!({ "categoryId": id })), true)
}

fn list_categories(merchant: Option<&Merchant>, query: Option<&str>) -> Answer {
    let order_id = query.and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "orderId")
            .map(|(_, v)| v.into_owned())
    });
    let Some(order_id) = order_id else {
        return bad_request(vec![Violation {
            name: "orderId".into(),
            reason: "The orderId query parameter is required.".into(),
        }]);
    };
    let mut found = Violations::default();
    spec_order_id(&mut found, "orderId", &order_id);
    if !found.is_empty() {
        return bad_request(found.into_vec());
    }
    let categories: Vec<&Value> = merchant
        .map(|m| m.categories_v3.iter().filter(|c| c["orderId"] == order_id.as_str()).collect())
        .unwrap_or_default();
    json_body(200, &json!({ "categories": categories }))
}

/// The index of a stored v3 category, by id in any UUID form.
fn find_v3(merchant: Option<&Merchant>, id: &str) -> Option<usize> {
    let wanted = uuid::Uuid::parse_str(id).ok()?;
    merchant?.categories_v3.iter().position(|c| {
        c["categoryId"]
            .as_str()
            .and_then(|s| uuid::Uuid::parse_str(s).ok())
            .is_some_and(|u| u == wanted)
    })
}

fn get_category(merchant: Option<&Merchant>, id: &str) -> Answer {
    let violations = validate::category_id("categoryId", id);
    if !violations.is_empty() {
        return bad_request(violations);
    }
    match (find_v3(merchant, id), merchant) {
        (Some(i), Some(m)) => json_body(200, &m.categories_v3[i]),
        _ => problem(404, "Not Found", &format!("No category with id {id}"), vec![]),
    }
}

fn delete_category(merchant: &mut Merchant, id: &str) -> (Answer, bool) {
    match find_v3(Some(merchant), id) {
        Some(i) => {
            merchant.categories_v3.remove(i);
            (
                Answer {
                    status: 200,
                    content_type: "application/json".into(),
                    body: String::new(),
                    headers: Vec::new(),
                },
                true,
            )
        }
        None => (problem(404, "Not Found", &format!("No category with id {id}"), vec![]), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn state() -> State {
        State {
            config: Config {
                client_id: "id".into(),
                client_secret: "secret".into(),
                subscription_key: "key".into(),
                msn: "123456".into(),
                token_lifetime: Duration::from_secs(60),
            },
            tokens: HashMap::from([("t".to_owned(), Instant::now() + Duration::from_secs(60))]),
            tokens_issued: 0,
            store: Store::default(),
            state_file: None,
            requests: Vec::new(),
            record_requests: true,
            faults: Vec::new(),
            latency: Duration::ZERO,
        }
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
            headers.insert("authorization", "Bearer t".parse().unwrap());
            headers.insert("ocp-apim-subscription-key", "key".parse().unwrap());
            if let Ok(v) = msn.parse() {
                headers.insert("merchant-serial-number", v);
            }
            let req = Incoming { method: method.to_owned(), path, query, headers, body: Bytes::from(body) };
            let mut s = state();
            let answer = s.respond(&req).then.unwrap();
            prop_assert!((200..600).contains(&answer.status));
        }
    }

    #[test]
    fn routes_like_a_gateway() {
        assert!(matches!(Route::parse("POST", "/accessToken/get"), Route::Token));
        assert!(matches!(Route::parse("POST", "/ACCESSTOKEN/GET"), Route::Token));
        assert!(matches!(Route::parse("GET", "/accesstoken/get"), Route::MethodNotAllowed(_)));
        assert!(matches!(Route::parse("GET", "/order-management/v2/ecom/o-1"), Route::GetOrder(pt, id) if pt == "ecom" && id == "o-1"));
        assert!(matches!(
            Route::parse("GET", "/order-management/v2//ecom//order-1"),
            Route::NotFound
        ));
        assert!(matches!(Route::parse("GET", "/order-management/v2/ECOM/o-1/"), Route::NotFound));
        assert!(matches!(
            Route::parse("POST", "/order-management/v2/ECOM/receipts/"),
            Route::NotFound
        ));
        assert!(matches!(
            Route::parse("POST", "/order-management/v2/ECOM/receipts"),
            Route::MethodNotAllowed(_)
        ));
        assert!(matches!(Route::parse("PUT", "/order-management/v2/eCom/categories/o%2D1"), Route::PutCategory(_, id) if id == "o-1"));
        assert!(matches!(
            Route::parse("DELETE", "/order-management/v3/categories/x"),
            Route::DeleteCategory(_)
        ));
        assert!(matches!(
            Route::parse("PATCH", "/order-management/v3/categories"),
            Route::MethodNotAllowed(allow) if allow.contains("POST")
        ));
    }
}
