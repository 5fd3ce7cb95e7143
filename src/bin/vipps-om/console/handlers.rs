//! The console's routes: the lookup form, an order as a page and as JSON,
//! and the error pages. Each fetches what it shows through the crate's own
//! client, read only.

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
    /// An answer that is JSON but not the API's order.
    Answer(String),
}

fn payment_type(text: &str) -> Result<PaymentType, Unshown> {
    text.parse().map_err(|_| Unshown::PaymentType(text.to_owned()))
}

/// Gets the order and its v3 categories at once.
async fn fetch(console: &Console, payment_type: PaymentType, order_id: String) -> Result<Found, Unshown> {
    let order = console.client.order(payment_type.clone(), order_id.as_str());
    let categories = console.client.categories();
    let (raw, categories) = tokio::join!(order.get_raw(), categories.list(order_id.as_str()));
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

pub async fn index() -> Response {
    pages::lookup(None).into_response()
}

#[derive(Deserialize)]
pub struct LookupForm {
    #[serde(rename = "paymentType")]
    payment_type: String,
    #[serde(rename = "orderId")]
    order_id: String,
}

/// The form's answer: off to the order's own address, which can be shared.
pub async fn lookup(Query(form): Query<LookupForm>) -> Response {
    let order_id = form.order_id.trim();
    let violations = vipps_order_management::validate::order_id("orderId", order_id);
    if let Some(v) = violations.first() {
        let trouble = Trouble::invalid(format!("The order id {order_id:?} cannot be looked up: it {}.", v.reason));
        return (StatusCode::BAD_REQUEST, pages::lookup(Some(trouble))).into_response();
    }
    match payment_type(&form.payment_type) {
        Ok(pt) => Redirect::to(&format!("/orders/{}/{order_id}", pt.as_str().to_ascii_lowercase())).into_response(),
        Err(unshown) => error_page(unshown),
    }
}

/// The order at `/…/{payment_type}/{order_id}`.
async fn find(console: &Console, pt: &str, order_id: String) -> Result<Found, Unshown> {
    fetch(console, payment_type(pt)?, order_id).await
}

pub async fn order_page(State(console): State<Console>, Path((pt, order_id)): Path<(String, String)>) -> Response {
    match find(&console, &pt, order_id).await {
        Ok(found) => pages::order(&found).into_response(),
        Err(unshown) => error_page(unshown),
    }
}

/// The order as JSON, for a merchant's own admin tools: the v2 answer as
/// received, and the v3 categories.
pub async fn order_json(State(console): State<Console>, Path((pt, order_id)): Path<(String, String)>) -> Response {
    match find(&console, &pt, order_id).await {
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
            let body = match unshown {
                Unshown::Client(e) => Failure::Client(e).to_json(),
                _ => json!({ "error": { "kind": "invalid", "message": trouble.explanation } }),
            };
            (trouble.status, Json(body)).into_response()
        }
    }
}

fn error_page(unshown: Unshown) -> Response {
    let trouble = Trouble::from(&unshown);
    (trouble.status, pages::trouble(&trouble)).into_response()
}

pub async fn not_found() -> Response {
    let trouble = Trouble::invalid("There is no such page in the support console.".to_owned());
    (StatusCode::NOT_FOUND, pages::trouble(&trouble)).into_response()
}

pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], pages::STYLESHEET).into_response()
}
