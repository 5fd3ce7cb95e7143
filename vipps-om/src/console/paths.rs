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
/// The health check, for load balancers and orchestrators.
pub(super) const HEALTH: &str = "/health";
/// The audit trail's views, for auditors.
pub(super) const AUDIT: &str = "/audit";
/// The audit trail as JSON lines.
pub(super) const AUDIT_EXPORT: &str = "/audit/export.jsonl";
/// The department's undelivered deliveries (the shop's outbox).
pub(super) const DELIVERIES: &str = "/deliveries";
/// The route of "try this delivery again now" (a form post).
pub(super) const DELIVERY_RETRY_ROUTE: &str = "/deliveries/{id}/retry";

/// "Try this delivery again now".
pub(super) fn delivery_retry(id: i64) -> String {
    format!("/deliveries/{id}/retry")
}

/// What an order id may hold in an address as it is; the rest is
/// percent-encoded (an id from the shop's outbox is whatever its row says:
/// `../audit` must stay one segment).
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');

/// An order id as one path segment.
fn segment(order_id: &str) -> percent_encoding::PercentEncode<'_> {
    percent_encoding::utf8_percent_encode(order_id, SEGMENT)
}

/// An order's page.
pub(super) fn order_page(payment_type: &PaymentType, order_id: &str) -> String {
    format!("/orders/{}/{}", payment_type.as_str().to_ascii_lowercase(), segment(order_id))
}

/// An order as JSON.
pub(super) fn order_json(payment_type: &PaymentType, order_id: &str) -> String {
    format!("/api/orders/{}/{}", payment_type.as_str().to_ascii_lowercase(), segment(order_id))
}

/// `base` with a query of `pairs` (each value encoded), the empty ones
/// left out.
pub(super) fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        query.append_pair(name, value);
    }
    let query = query.finish();
    if query.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{query}")
    }
}

/// Who looked at an order: the audit trail's view of it.
pub(super) fn audit_of_order(payment_type: &PaymentType, order_id: &str) -> String {
    with_query(AUDIT, &[("paymentType", payment_type.as_str()), ("orderId", order_id)])
}

/// What a person looked at: the audit trail's view of them.
pub(super) fn audit_of_person(who: &str) -> String {
    with_query(AUDIT, &[("who", who)])
}

/// The language switch to `code`, coming back to `back` (encoded already).
pub(super) fn language(code: &str, back: &str) -> String {
    format!("{LANGUAGES}{code}?next={back}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_id_is_one_segment_whatever_it_holds() {
        assert_eq!(order_page(&PaymentType::Ecom, "order-1042"), "/orders/ecom/order-1042");
        assert_eq!(
            order_page(&PaymentType::Recurring, "../../audit"),
            "/orders/recurring/%2E%2E%2F%2E%2E%2Faudit"
        );
        assert_eq!(order_json(&PaymentType::Ecom, "a b?c#d"), "/api/orders/ecom/a%20b%3Fc%23d");
        assert_eq!(order_page(&PaymentType::Ecom, ".."), "/orders/ecom/%2E%2E");
    }
}
