//! How the emulator takes a request: routing as the service's gateway does
//! (fixed path parts in any case, empty segments match nothing), the record
//! of requests, the injected faults, authentication (in `access`), and the
//! handler of each operation (in `handlers`); the state file is saved after
//! every change, and a change that could not be saved is answered 500.

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderMap;

use super::answer::{problem, Answer, Reaction};
use super::fault::{Effect, Fault, Stage};
use super::handlers;
use super::record::RecordedRequest;
use super::state::State;
use crate::operation::Operation;

/// A request as the emulator sees it.
pub(super) struct Incoming {
    pub(super) method: String,
    /// The path as sent (percent-encoded).
    pub(super) path: String,
    pub(super) query: Option<String>,
    pub(super) headers: HeaderMap,
    pub(super) body: Bytes,
}

/// What to do with a request, and after how long.
pub(super) struct Disposition {
    pub(super) reaction: Reaction,
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
                    reaction: fault.reaction(),
                    delay,
                };
            }
        }
        let answer = self.handle(req, route);
        match fault {
            Some(fault) if fault.effect() != Effect::RealAnswer => Disposition {
                reaction: fault.reaction(),
                delay,
            },
            _ => Disposition {
                reaction: Reaction::Send(answer),
                delay,
            },
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
        let body: Option<serde_json::Value> = serde_json::from_slice(&req.body).ok();
        let (answer, changed) = match route {
            Route::UploadImage => handlers::upload_image(self.store.merchant_mut(&msn), body),
            Route::PutCategory(pt, id) => handlers::put_category(self.store.merchant_mut(&msn), &pt, &id, body),
            Route::PostReceipt(pt, id) => handlers::post_receipt(self.store.merchant_mut(&msn), &pt, &id, body),
            Route::GetOrder(pt, id) => (handlers::get_order(self.store.merchant(&msn), &pt, &id), false),
            Route::AddCategory => handlers::add_category(self.store.merchant_mut(&msn), body),
            Route::ListCategories => (handlers::list_categories(self.store.merchant(&msn), req.query.as_deref()), false),
            Route::GetCategory(id) => (handlers::get_category(self.store.merchant(&msn), &id), false),
            Route::DeleteCategory(id) => handlers::delete_category(self.store.merchant_mut(&msn), &id),
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::time::Instant;

    use super::super::state::Config;
    use super::super::store::Store;
    use proptest::prelude::*;
    use serde_json::Value;

    fn state() -> State {
        State {
            config: Config {
                client_id: "id".into(),
                client_secret: "secret".into(),
                subscription_key: "key".into(),
                msn: "123456".into(),
                token_lifetime: Duration::from_secs(60),
            },
            issued_tokens: HashMap::from([("t".to_owned(), Instant::now() + Duration::from_secs(60))]),
            token_count: 0,
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
            let Reaction::Send(answer) = s.respond(&req).reaction else {
                return Err(TestCaseError::fail("no fault was injected, yet the connection was closed"));
            };
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
