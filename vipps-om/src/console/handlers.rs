//! The console's routes: the lookup form, an order as a page and as JSON,
//! and the error pages. Each reads what it shows through the SDK's client
//! (`lookup`), read only, and renders it with `pages`.

use std::future::Future;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;
use serde_json::value::RawValue;
use vipps_order_management::{Error, OrderRequest, PaymentType};

use super::lookup::{look_up, payment_type, Found, Unshown};
use super::pages;
use super::trouble::Trouble;
use super::Console;
use crate::failure::Failure;

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

/// The order at `/…/{payment_type}/{order_id}`, its v2 answer read with
/// `read`; a path that is no text (`%FF`) is an invalid order id.
async fn find<'c, T, F>(
    console: &'c Console,
    path: Result<Path<(String, String)>, PathRejection>,
    read: impl FnOnce(OrderRequest<'c>) -> F,
) -> Result<Found<T>, Unshown>
where
    F: Future<Output = Result<T, Error>>,
{
    let Ok(Path((pt, order_id))) = path else {
        return Err(Unshown::OrderId);
    };
    look_up(console, payment_type(&pt)?, order_id, read).await
}

pub async fn order_page(State(console): State<Console>, path: Result<Path<(String, String)>, PathRejection>) -> Response {
    let signout = console.access.is_some();
    match find(&console, path, |order| async move { order.get().await }).await {
        Ok(found) => pages::order(&found, signout).into_response(),
        Err(unshown) => error_page(unshown, signout),
    }
}

/// The JSON answer for one order: the v2 answer exactly as received
/// (embedded as it came, not parsed again), and the v3 categories.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderJson<'a> {
    payment_type: &'a PaymentType,
    order_id: &'a str,
    order: Option<Box<RawValue>>,
    categories: serde_json::Value,
}

/// The order as JSON, for a merchant's own admin tools: the v2 answer as
/// received, and the v3 categories.
pub async fn order_json(State(console): State<Console>, path: Result<Path<(String, String)>, PathRejection>) -> Response {
    match find(&console, path, |order| async move { order.get_raw().await }).await {
        Ok(found) => {
            let categories = match &found.categories {
                Ok(list) => json!(list),
                Err(e) => Failure::Client(e.clone()).to_json(),
            };
            // `get_raw` checked that the text is JSON.
            let order = match found.order.map(RawValue::from_string).transpose() {
                Ok(order) => order,
                Err(e) => return unexpected_json(&e.to_string()),
            };
            Json(OrderJson {
                payment_type: &found.payment_type,
                order_id: &found.order_id,
                order,
                categories,
            })
            .into_response()
        }
        Err(unshown) => {
            let trouble = Trouble::from(&unshown);
            let body = match unshown {
                Unshown::Client(e) => Failure::Client(e).to_json(),
                _ => json!({ "error": { "kind": "invalid", "status": trouble.status.as_u16(), "message": trouble.explanation } }),
            };
            (trouble.status, Json(body)).into_response()
        }
    }
}

/// An answer that should have been JSON and was not.
fn unexpected_json(reason: &str) -> Response {
    let body = json!({ "error": { "kind": "unexpected", "status": 502, "message": format!("the order's answer could not be embedded: {reason}") } });
    (StatusCode::BAD_GATEWAY, Json(body)).into_response()
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
