//! The console's routes: the lookup form, an order as a page and as JSON,
//! and the error pages. Each fetches what it shows through the crate's own
//! client, read only.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use vipps_order_management::{CategoryV3, Error, ErrorKind, Order, PaymentType};

use super::pages::{self, Trouble};
use super::Console;
use crate::failure::Failure;

/// Everything the console knows about one order.
pub struct Found {
    pub payment_type: PaymentType,
    pub order_id: String,
    /// The v2 answer: `None` when nothing is stored (404).
    pub order: Option<Order>,
    /// The same answer as JSON, exactly as received.
    pub raw: Option<Value>,
    /// The v3 categories, or why they could not be read.
    pub categories: Result<Vec<CategoryV3>, Error>,
}

/// Why an order cannot be shown.
pub enum Unshown {
    Client(Error),
    PaymentType(String),
    /// The order id in the address is no text.
    OrderId,
    /// An answer that is JSON but not the API's order.
    Answer(String),
}

fn payment_type(text: &str) -> Result<PaymentType, Unshown> {
    text.parse().map_err(|_| Unshown::PaymentType(text.to_owned()))
}

/// Gets the order and its v3 categories at once. The v3 categories are
/// listed by order id alone: only those of this payment type are the
/// order's (the same id under the other payment type is another payment).
async fn fetch(console: &Console, payment_type: PaymentType, order_id: String) -> Result<Found, Unshown> {
    let order = console.client.order(payment_type.clone(), order_id.as_str());
    let categories = console.client.categories();
    let (raw, categories) = tokio::join!(order.get_raw(), categories.list(order_id.as_str()));
    let categories = categories.map(|list| {
        list.into_iter()
            .filter(|c| c.payment_type.as_ref().is_none_or(|pt| *pt == payment_type))
            .collect::<Vec<_>>()
    });
    let (order, raw) = match raw {
        Ok(text) => {
            let value: Value = serde_json::from_str(&text).map_err(|e| Unshown::Answer(e.to_string()))?;
            let order: Order = serde_json::from_value(value.clone()).map_err(|e| Unshown::Answer(e.to_string()))?;
            (Some(order), Some(value))
        }
        // Nothing stored under v2: still worth a page when v3 holds some.
        Err(e) if e.kind() == ErrorKind::NotFound && categories.as_ref().is_ok_and(|c| !c.is_empty()) => (None, None),
        Err(e) => return Err(Unshown::Client(e)),
    };
    Ok(Found {
        payment_type,
        order_id,
        order,
        raw,
        categories,
    })
}

pub async fn index(State(console): State<Console>) -> Response {
    pages::lookup(None, console.access.is_some()).into_response()
}

#[derive(Deserialize)]
pub struct LookupForm {
    #[serde(rename = "paymentType", default)]
    payment_type: String,
    #[serde(rename = "orderId", default)]
    order_id: String,
}

/// The form's answer: off to the order's own address, which can be shared.
pub async fn lookup(State(console): State<Console>, form: Result<Query<LookupForm>, QueryRejection>) -> Response {
    let signout = console.access.is_some();
    let Ok(Query(form)) = form else {
        let trouble = Trouble::invalid("The lookup form was not filled in as it asks (one payment type, one order id).".to_owned());
        return (StatusCode::BAD_REQUEST, pages::lookup(Some(trouble), signout)).into_response();
    };
    let order_id = form.order_id.trim();
    let violations = vipps_order_management::validate::order_id("orderId", order_id);
    if let Some(v) = violations.first() {
        let trouble = Trouble::invalid(format!("The order id {order_id:?} cannot be looked up: it {}.", v.reason));
        return (StatusCode::BAD_REQUEST, pages::lookup(Some(trouble), signout)).into_response();
    }
    match payment_type(&form.payment_type) {
        Ok(pt) => Redirect::to(&format!("/orders/{}/{order_id}", pt.as_str().to_ascii_lowercase())).into_response(),
        Err(unshown) => error_page(unshown, signout),
    }
}

/// The order at `/…/{payment_type}/{order_id}`; a path that is no text
/// (`%FF`) is an invalid order id.
async fn find(console: &Console, path: Result<Path<(String, String)>, PathRejection>) -> Result<Found, Unshown> {
    let Ok(Path((pt, order_id))) = path else {
        return Err(Unshown::OrderId);
    };
    fetch(console, payment_type(&pt)?, order_id).await
}

pub async fn order_page(State(console): State<Console>, path: Result<Path<(String, String)>, PathRejection>) -> Response {
    let signout = console.access.is_some();
    match find(&console, path).await {
        Ok(found) => pages::order(&found, signout).into_response(),
        Err(unshown) => error_page(unshown, signout),
    }
}

/// The order as JSON, for a merchant's own admin tools: the v2 answer as
/// received, and the v3 categories.
pub async fn order_json(State(console): State<Console>, path: Result<Path<(String, String)>, PathRejection>) -> Response {
    match find(&console, path).await {
        Ok(found) => {
            let categories = match &found.categories {
                Ok(list) => json!(list),
                Err(e) => Failure::Client(e.clone()).to_json(),
            };
            Json(json!({
                "paymentType": found.payment_type,
                "orderId": found.order_id,
                "order": found.raw,
                "categories": categories,
            }))
            .into_response()
        }
        Err(unshown) => {
            let trouble = Trouble::from(&unshown);
            let kind = match &unshown {
                Unshown::Answer(_) => "unexpected",
                _ => "invalid",
            };
            let body = match unshown {
                Unshown::Client(e) => Failure::Client(e).to_json(),
                _ => json!({ "error": { "kind": kind, "status": trouble.status.as_u16(), "message": trouble.explanation } }),
            };
            (trouble.status, Json(body)).into_response()
        }
    }
}

fn error_page(unshown: Unshown, signout: bool) -> Response {
    let trouble = Trouble::from(&unshown);
    (trouble.status, pages::trouble(&trouble, signout)).into_response()
}

pub async fn not_found(State(console): State<Console>) -> Response {
    let trouble = Trouble::no_such_page();
    (StatusCode::NOT_FOUND, pages::trouble(&trouble, console.access.is_some())).into_response()
}

pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], pages::STYLESHEET).into_response()
}
