//! The console's addresses, written once: the routes, and the links and
//! forms that lead to them.

use vipps_order_management::PaymentType;

/// The lookup form's target.
pub(super) const LOOKUP: &str = "/lookup";
/// The sign-in page and form.
pub(super) const LOGIN: &str = "/login";
/// Sign-out (a form post).
pub(super) const LOGOUT: &str = "/logout";
/// The stylesheet.
pub(super) const STYLESHEET: &str = "/assets/console.css";
/// Where the assets are, open to all.
pub(super) const ASSETS: &str = "/assets/";
/// Where the language switch is, open to all.
pub(super) const LANGUAGES: &str = "/lang/";
/// The route of an order's page.
pub(super) const ORDER_ROUTE: &str = "/orders/{payment_type}/{order_id}";
/// The route of an order as JSON.
pub(super) const ORDER_JSON_ROUTE: &str = "/api/orders/{payment_type}/{order_id}";
/// The route of the language switch.
pub(super) const LANGUAGE_ROUTE: &str = "/lang/{code}";
/// Where the JSON API is.
pub(super) const API: &str = "/api/";

/// An order's page.
pub(super) fn order_page(payment_type: &PaymentType, order_id: &str) -> String {
    format!("/orders/{}/{order_id}", payment_type.as_str().to_ascii_lowercase())
}

/// An order as JSON.
pub(super) fn order_json(payment_type: &PaymentType, order_id: &str) -> String {
    format!("/api/orders/{}/{order_id}", payment_type.as_str().to_ascii_lowercase())
}

/// The language switch to `code`, coming back to `back` (encoded already).
pub(super) fn language(code: &str, back: &str) -> String {
    format!("{LANGUAGES}{code}?next={back}")
}
