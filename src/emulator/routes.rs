//! The emulator's request handler: routing, authentication, validation and
//! the stored state, answering as the service does.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde_json::{json, Value};
use wiremock::{Request, Respond, ResponseTemplate};

use super::schema;
use super::{Fault, FaultKind, RecordedRequest};
use crate::error::Violation;
use crate::model::{Category, CategoryId, CategoryV3, NewCategory, Order, PaymentType, Receipt};
use crate::operation::Operation;
use crate::validate::{self, Report};

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
    pub(super) tokens: HashMap<String, Instant>,
    pub(super) tokens_issued: usize,
    pub(super) images: BTreeMap<String, Vec<u8>>,
    pub(super) categories: HashMap<(PaymentType, String), Category>,
    pub(super) receipts: HashMap<(PaymentType, String), Receipt>,
    pub(super) v3: Vec<CategoryV3>,
    pub(super) requests: Vec<RecordedRequest>,
    pub(super) faults: Vec<Fault>,
    pub(super) latency: Duration,
}

impl State {
    pub(super) fn new(config: Config) -> Self {
        State {
            config,
            tokens: HashMap::new(),
            tokens_issued: 0,
            images: BTreeMap::new(),
            categories: HashMap::new(),
            receipts: HashMap::new(),
            v3: Vec::new(),
            requests: Vec::new(),
            faults: Vec::new(),
            latency: Duration::ZERO,
        }
    }
}

/// The wiremock responder over the shared state.
pub(super) struct Handler(pub(super) Arc<Mutex<State>>);

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
    MethodNotAllowed,
    NotFound,
}

impl Route {
    fn parse(method: &str, segments: &[String]) -> Route {
        let s: Vec<&str> = segments.iter().map(String::as_str).collect();
        let r = match (method, s.as_slice()) {
            ("POST", ["accesstoken", "get"]) => Route::Token,
            ("POST", ["order-management", "v1", "images"]) => Route::UploadImage,
            ("PUT", ["order-management", "v2", pt, "categories", id]) => Route::PutCategory(pt.to_string(), id.to_string()),
            ("POST", ["order-management", "v2", pt, "receipts", id]) => Route::PostReceipt(pt.to_string(), id.to_string()),
            ("GET", ["order-management", "v2", pt, id]) => Route::GetOrder(pt.to_string(), id.to_string()),
            ("POST", ["order-management", "v3", "categories"]) => Route::AddCategory,
            ("GET", ["order-management", "v3", "categories"]) => Route::ListCategories,
            ("GET", ["order-management", "v3", "categories", id]) => Route::GetCategory(id.to_string()),
            ("DELETE", ["order-management", "v3", "categories", id]) => Route::DeleteCategory(id.to_string()),
            (_, ["accesstoken", "get"])
            | (_, ["order-management", "v1", "images"])
            | (_, ["order-management", "v2", _, "categories" | "receipts", _])
            | (_, ["order-management", "v2", _, _])
            | (_, ["order-management", "v3", "categories"])
            | (_, ["order-management", "v3", "categories", _]) => Route::MethodNotAllowed,
            _ => Route::NotFound,
        };
        r
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
            Route::MethodNotAllowed | Route::NotFound => return None,
        })
    }
}

fn trace_id() -> String {
    let a = uuid::Uuid::new_v4().simple().to_string();
    let b = uuid::Uuid::new_v4().simple().to_string();
    format!("00-{a}-{}-00", &b[..16])
}

/// An RFC 7807 answer.
pub(super) fn problem(status: u16, title: &str, detail: &str, invalid: Vec<Violation>) -> ResponseTemplate {
    let mut body = json!({
        "type": format!("https://developer.vippsmobilepay.com/docs/APIs/order-management-api/errors/{status}"),
        "title": title,
        "detail": detail,
        "instance": trace_id(),
        "status": status,
    });
    if !invalid.is_empty() {
        body["invalidParams"] = serde_json::to_value(invalid).expect("violations serialize");
    }
    ResponseTemplate::new(status).set_body_raw(body.to_string(), "application/problem+json")
}

fn bad_request(invalid: Vec<Violation>) -> ResponseTemplate {
    problem(400, "One or more validation errors occurred.", "BadRequest", invalid)
}

/// The API gateway's answer to a missing or wrong key or token.
fn gateway(status: u16, message: &str) -> ResponseTemplate {
    let body = json!({ "statusCode": status, "message": message });
    ResponseTemplate::new(status).set_body_raw(body.to_string(), "application/json")
}

fn json_string(status: u16, value: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(Value::String(value.to_owned()).to_string(), "application/json")
}

fn json_body(status: u16, value: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(value.to_string(), "application/json")
}

fn header<'r>(req: &'r Request, name: &str) -> Option<&'r str> {
    req.headers.get(name).and_then(|v| v.to_str().ok())
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs()
}

impl Respond for Handler {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut state = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let segments: Vec<String> = req
            .url
            .path_segments()
            .map(|segs| {
                segs.filter(|s| !s.is_empty())
                    .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        let route = Route::parse(req.method.as_str(), &segments);
        let op = route.operation();
        state.requests.push(RecordedRequest {
            method: req.method.to_string(),
            path: req.url.path().to_owned(),
            query: req.url.query().map(str::to_owned),
            headers: req
                .headers
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect(),
            body: req.body.clone(),
            operation: op,
        });
        let mut delay = state.latency;
        if let Some(i) = state
            .faults
            .iter()
            .position(|f| f.times > 0 && f.only.is_none_or(|only| Some(only) == op))
        {
            let fault = &mut state.faults[i];
            fault.times -= 1;
            let kind = fault.kind.clone();
            if state.faults[i].times == 0 {
                state.faults.remove(i);
            }
            match kind {
                FaultKind::Answer {
                    status,
                    body,
                    content_type,
                    retry_after,
                } => {
                    let mut t = ResponseTemplate::new(status).set_body_raw(body, &content_type);
                    if let Some(r) = retry_after {
                        t = t.insert_header("Retry-After", r.as_str());
                    }
                    return t.set_delay(delay);
                }
                FaultKind::Stall(extra) => delay += extra,
            }
        }
        handle(&mut state, req, route).set_delay(delay)
    }
}

fn handle(state: &mut State, req: &Request, route: Route) -> ResponseTemplate {
    match route {
        Route::NotFound => return problem(404, "Not Found", "No such resource in the Order Management API", vec![]),
        Route::MethodNotAllowed => return problem(405, "Method Not Allowed", "This resource does not accept that method", vec![]),
        Route::Token => return token(state, req),
        _ => {}
    }
    if let Some(refusal) = authenticate(state, req) {
        return refusal;
    }
    let body: Option<Value> = serde_json::from_slice(&req.body).ok();
    match route {
        Route::UploadImage => upload_image(state, &body),
        Route::PutCategory(pt, id) => put_category(state, &pt, &id, &body),
        Route::PostReceipt(pt, id) => post_receipt(state, &pt, &id, &body),
        Route::GetOrder(pt, id) => get_order(state, &pt, &id),
        Route::AddCategory => add_category(state, &body),
        Route::ListCategories => list_categories(state, req),
        Route::GetCategory(id) => get_category(state, &id),
        Route::DeleteCategory(id) => delete_category(state, &id),
        Route::Token | Route::NotFound | Route::MethodNotAllowed => unreachable!("answered above"),
    }
}

fn token(state: &mut State, req: &Request) -> ResponseTemplate {
    let c = &state.config;
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
    let now = unix_now();
    let exp = now + lifetime.as_secs();
    let payload =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(r#"{{"exp":{exp},"nbf":{now},"jti":"{}"}}"#, uuid::Uuid::new_v4()));
    let token = format!("eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.{payload}.emulator");
    state.tokens.insert(token.clone(), Instant::now() + lifetime);
    state.tokens_issued += 1;
    json_body(
        200,
        json!({
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

fn authenticate(state: &State, req: &Request) -> Option<ResponseTemplate> {
    match header(req, "Ocp-Apim-Subscription-Key") {
        None => {
            return Some(gateway(
                401,
                "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.",
            ))
        }
        Some(k) if k != state.config.subscription_key => {
            return Some(gateway(
                401,
                "Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.",
            ))
        }
        Some(_) => {}
    }
    let bearer = header(req, "Authorization").and_then(|v| v.strip_prefix("Bearer "));
    match bearer.and_then(|t| state.tokens.get(t)) {
        None => return Some(gateway(401, "Access denied due to missing or invalid access token.")),
        Some(expiry) if Instant::now() >= *expiry => return Some(gateway(401, "Access denied: the access token has expired.")),
        Some(_) => {}
    }
    match header(req, "Merchant-Serial-Number") {
        Some(msn) if !msn.trim().is_empty() => None,
        _ => Some(bad_request(vec![Violation {
            name: "Merchant-Serial-Number".into(),
            reason: "The Merchant-Serial-Number header is required.".into(),
        }])),
    }
}

/// Checks `{paymentType}/{orderId}` of a v2 path.
fn order_path(report: &mut Report, pt: &str, order_id: &str) -> PaymentType {
    let payment_type = PaymentType::parse_lenient(pt);
    if !payment_type.is_known() {
        report.fail("paymentType", "must be one of ECOM, RECURRING");
    }
    report.extend(validate::order_id("orderId", order_id));
    payment_type
}

/// Checks the raw shape, then decodes and applies the typed rules.
fn decode<T: serde::de::DeserializeOwned>(
    report: &mut Report,
    body: &Option<Value>,
    shape: fn(&mut Report, &serde_json::Map<String, Value>),
    rules: fn(&T) -> Vec<Violation>,
) -> Option<T> {
    let obj = schema::object(report, body)?;
    let mut shape_report = Report::default();
    shape(&mut shape_report, obj);
    let shape_violations = shape_report.into_vec();
    if !shape_violations.is_empty() {
        report.extend(shape_violations);
        return None;
    }
    match serde_json::from_value::<T>(Value::Object(obj.clone())) {
        Ok(value) => {
            report.extend(rules(&value));
            Some(value)
        }
        Err(e) => {
            report.fail("body", e.to_string());
            None
        }
    }
}

fn upload_image(state: &mut State, body: &Option<Value>) -> ResponseTemplate {
    let mut report = Report::default();
    let Some(obj) = schema::object(&mut report, body) else {
        return bad_request(report.into_vec());
    };
    schema::image(&mut report, obj);
    let id = obj.get("imageId").and_then(Value::as_str).unwrap_or_default().to_owned();
    if obj.contains_key("imageId") {
        report.extend(validate::image_id("imageId", &id));
    }
    if let Some(t) = obj.get("type").and_then(Value::as_str) {
        if t != "base64" {
            report.fail("type", "must be base64");
        }
    }
    let mut bytes = Vec::new();
    if let Some(src) = obj.get("src").and_then(Value::as_str) {
        match base64::engine::general_purpose::STANDARD.decode(src) {
            Ok(decoded) => {
                if let Err(reason) = crate::image::inspect(&decoded) {
                    report.fail("src", format!("the image {reason}"));
                }
                bytes = decoded;
            }
            Err(_) => report.fail("src", "must be the image's bytes in base64"),
        }
    }
    let violations = report.into_vec();
    if !violations.is_empty() {
        return bad_request(violations);
    }
    if state.images.contains_key(&id) {
        return problem(
            409,
            "Conflict",
            &format!("An image with imageId {id} already exists (duplicate); images cannot be overwritten"),
            vec![],
        );
    }
    state.images.insert(id.clone(), bytes);
    json_body(200, json!({ "imageId": id }))
}

fn put_category(state: &mut State, pt: &str, order_id: &str, body: &Option<Value>) -> ResponseTemplate {
    let mut report = Report::default();
    let payment_type = order_path(&mut report, pt, order_id);
    let category = decode(&mut report, body, schema::category_v2, validate::category);
    let violations = report.into_vec();
    match category {
        Some(category) if violations.is_empty() => {
            state.categories.insert((payment_type, order_id.to_owned()), category);
            json_string(200, &uuid::Uuid::new_v4().to_string())
        }
        _ => bad_request(violations),
    }
}

fn post_receipt(state: &mut State, pt: &str, order_id: &str, body: &Option<Value>) -> ResponseTemplate {
    let mut report = Report::default();
    let payment_type = order_path(&mut report, pt, order_id);
    let receipt = decode(&mut report, body, schema::receipt, validate::receipt);
    let violations = report.into_vec();
    let Some(receipt) = receipt.filter(|_| violations.is_empty()) else {
        return bad_request(violations);
    };
    let key = (payment_type, order_id.to_owned());
    if state.receipts.contains_key(&key) {
        return problem(
            409,
            "Conflict",
            &format!("A receipt already exists for order {order_id}; receipts cannot be changed"),
            vec![],
        );
    }
    state.receipts.insert(key, receipt);
    json_string(201, &uuid::Uuid::new_v4().to_string())
}

fn get_order(state: &State, pt: &str, order_id: &str) -> ResponseTemplate {
    let mut report = Report::default();
    let payment_type = order_path(&mut report, pt, order_id);
    let violations = report.into_vec();
    if !violations.is_empty() {
        return bad_request(violations);
    }
    let key = (payment_type, order_id.to_owned());
    let order = Order {
        category: state.categories.get(&key).cloned(),
        receipt: state.receipts.get(&key).cloned(),
    };
    if order.category.is_none() && order.receipt.is_none() {
        return problem(
            404,
            "Not Found",
            &format!("No category or receipt exists for order {order_id}"),
            vec![],
        );
    }
    json_body(200, serde_json::to_value(order).expect("orders serialize"))
}

fn add_category(state: &mut State, body: &Option<Value>) -> ResponseTemplate {
    let mut report = Report::default();
    let new = decode::<NewCategory>(&mut report, body, schema::category_v3, validate::new_category);
    let violations = report.into_vec();
    let Some(new) = new.filter(|_| violations.is_empty()) else {
        return bad_request(violations);
    };
    let id = uuid::Uuid::new_v4().to_string();
    state.v3.push(CategoryV3 {
        category_id: Some(CategoryId::new(id.clone())),
        order_id: Some(new.order_id),
        payment_type: Some(new.payment_type),
        category_type: Some(new.category_type),
        url: Some(new.url),
        image_id: new.image_id,
    });
    json_body(201, json!({ "categoryId": id }))
}

fn list_categories(state: &State, req: &Request) -> ResponseTemplate {
    let order_id = req.url.query_pairs().find(|(k, _)| k == "orderId").map(|(_, v)| v.into_owned());
    let Some(order_id) = order_id else {
        return bad_request(vec![Violation {
            name: "orderId".into(),
            reason: "The orderId query parameter is required.".into(),
        }]);
    };
    let violations = validate::order_id("orderId", &order_id);
    if !violations.is_empty() {
        return bad_request(violations);
    }
    let categories: Vec<&CategoryV3> = state
        .v3
        .iter()
        .filter(|c| c.order_id.as_ref().is_some_and(|o| o.as_str() == order_id))
        .collect();
    json_body(200, json!({ "categories": categories }))
}

fn find_v3(state: &State, id: &str) -> Option<usize> {
    state
        .v3
        .iter()
        .position(|c| c.category_id.as_ref().is_some_and(|c| c.as_str().eq_ignore_ascii_case(id)))
}

fn get_category(state: &State, id: &str) -> ResponseTemplate {
    let violations = validate::category_id("categoryId", id);
    if !violations.is_empty() {
        return bad_request(violations);
    }
    match find_v3(state, id) {
        Some(i) => json_body(200, serde_json::to_value(&state.v3[i]).expect("categories serialize")),
        None => problem(404, "Not Found", &format!("No category with id {id}"), vec![]),
    }
}

fn delete_category(state: &mut State, id: &str) -> ResponseTemplate {
    match find_v3(state, id) {
        Some(i) => {
            state.v3.remove(i);
            ResponseTemplate::new(200)
        }
        None => problem(404, "Not Found", &format!("No category with id {id}"), vec![]),
    }
}
