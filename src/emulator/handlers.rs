//! What each operation does to the store and answers: the request's path
//! and body checked against the spec's schemas (`schema`) and the service's
//! own rules, then stored as sent (images never overwritten, a category
//! replaced, one receipt per order). Each handler that may change the store
//! says whether it did, so the state file is saved only then.

use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::answer::{bad_request, json_body, json_string, problem, Answer};
use super::schema::{self, Ty};
use super::store::{order_key, Merchant, StoredOrder};
use crate::error::Violation;
use crate::model::{PaymentType, Receipt};
use crate::validate::{self, Violations};

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
fn body_object(found: &mut Violations, body: Option<Value>, ty: &Ty) -> Option<Map<String, Value>> {
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

pub(super) fn upload_image(merchant: &mut Merchant, body: Option<Value>) -> (Answer, bool) {
    let mut found = Violations::default();
    let obj = body_object(&mut found, body, &schema::IMAGE);
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

pub(super) fn put_category(merchant: &mut Merchant, pt: &str, order_id: &str, body: Option<Value>) -> (Answer, bool) {
    let mut found = Violations::default();
    let payment_type = order_path(&mut found, pt, order_id);
    let category = body_object(&mut found, body, &schema::CATEGORY_V2);
    match category {
        Some(category) if found.is_empty() => {
            let order = merchant.orders.entry(order_key(&payment_type, order_id)).or_default();
            order.category = Some(Value::Object(category));
            (json_string(200, &uuid::Uuid::new_v4().to_string()), true)
        }
        _ => (bad_request(found.into_vec()), false),
    }
}

pub(super) fn post_receipt(merchant: &mut Merchant, pt: &str, order_id: &str, body: Option<Value>) -> (Answer, bool) {
    let mut found = Violations::default();
    let payment_type = order_path(&mut found, pt, order_id);
    let receipt = body_object(&mut found, body, &schema::RECEIPT);
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

pub(super) fn get_order(merchant: Option<&Merchant>, pt: &str, order_id: &str) -> Answer {
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

pub(super) fn add_category(merchant: &mut Merchant, body: Option<Value>) -> (Answer, bool) {
    let mut found = Violations::default();
    let Some(mut category) = body_object(&mut found, body, &schema::CATEGORY_V3).filter(|_| found.is_empty()) else {
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

pub(super) fn list_categories(merchant: Option<&Merchant>, query: Option<&str>) -> Answer {
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

pub(super) fn get_category(merchant: Option<&Merchant>, id: &str) -> Answer {
    let violations = validate::category_id("categoryId", id);
    if !violations.is_empty() {
        return bad_request(violations);
    }
    match (find_v3(merchant, id), merchant) {
        (Some(i), Some(m)) => json_body(200, &m.categories_v3[i]),
        _ => problem(404, "Not Found", &format!("No category with id {id}"), vec![]),
    }
}

pub(super) fn delete_category(merchant: &mut Merchant, id: &str) -> (Answer, bool) {
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
