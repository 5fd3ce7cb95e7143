//! What each operation answers, and what it would change: the request's
//! path and body checked against the spec's schemas (`schema`) and the
//! service's own rules, then a [`Change`] to store it as sent (images never
//! overwritten, a category replaced, one receipt per order). Handlers only
//! read the store; `dispatch` keeps the change (state file first) and
//! applies it.

use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::answer::{bad_request, json_body, json_string, problem, Answer};
use super::schema::{self, Ty};
use super::store::{order_key, Change, Merchant, StoredOrder};
use vipps_order_management::validate::{self, Violations};
use vipps_order_management::Violation;
use vipps_order_management::{PaymentType, Receipt};

/// Checks `{paymentType}/{orderId}` of a v2 path.
fn order_path(found: &mut Violations, pt: &str, order_id: &str) -> PaymentType {
    let payment_type = PaymentType::parse_lenient(pt);
    if !payment_type.is_known() {
        found.fail("paymentType", "must be one of ECOM, RECURRING");
    }
    schema::id_pattern(found, "orderId", order_id);
    payment_type
}

/// What a handler answers, and the change to keep, if any.
pub(super) type Handled = (Answer, Option<Change>);

/// A request's body, read as JSON or not.
pub(super) type Body = Result<Value, serde_json::Error>;

/// The body, checked against the spec's schema: the object, or the
/// violations found (a body that is not JSON says where it breaks).
fn body_object(found: &mut Violations, body: &Body, ty: &Ty) -> Option<Map<String, Value>> {
    match body {
        Ok(value) => {
            schema::check_against(found, "", value, ty);
            match value {
                Value::Object(map) => Some(map.clone()),
                _ => None,
            }
        }
        Err(e) => {
            found.fail("body", format!("is not JSON: {e}"));
            None
        }
    }
}

pub(super) fn upload_image(merchant: Option<&Merchant>, msn: &str, body: &Body) -> Handled {
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
                if let Err(vipps_order_management::Error::InvalidInput { violations: in_image, .. }) =
                    vipps_order_management::inspect_image(&bytes)
                {
                    found.extend(in_image);
                }
            }
            Err(_) => found.fail("src", "must be the image's bytes in base64"),
        }
    }
    if !found.is_empty() {
        return (bad_request(found.into_vec()), None);
    }
    if merchant.is_some_and(|m| m.images.contains_key(&id)) {
        let detail = format!("An image with imageId {id} already exists (duplicate); images cannot be overwritten");
        return (problem(409, "Conflict", &detail, vec![]), None);
    }
    let answer = json_body(200, &json!({ "imageId": id }));
    let change = Change::Image {
        msn: msn.to_owned(),
        image_id: id,
        src,
    };
    (answer, Some(change))
}

pub(super) fn put_category(msn: &str, pt: &str, order_id: &str, body: &Body) -> Handled {
    let mut found = Violations::default();
    let payment_type = order_path(&mut found, pt, order_id);
    let category = body_object(&mut found, body, &schema::CATEGORY_V2);
    match category {
        Some(category) if found.is_empty() => {
            let change = Change::Category {
                msn: msn.to_owned(),
                order: order_key(&payment_type, order_id),
                category: Value::Object(category),
            };
            (json_string(200, &uuid::Uuid::new_v4().to_string()), Some(change))
        }
        _ => (bad_request(found.into_vec()), None),
    }
}

pub(super) fn post_receipt(merchant: Option<&Merchant>, msn: &str, pt: &str, order_id: &str, body: &Body) -> Handled {
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
        return (bad_request(found.into_vec()), None);
    };
    let order = order_key(&payment_type, order_id);
    if merchant.and_then(|m| m.orders.get(&order)).is_some_and(|o| o.receipt.is_some()) {
        let detail = format!("A receipt already exists for order {order_id}; receipts cannot be changed");
        return (problem(409, "Conflict", &detail, vec![]), None);
    }
    let change = Change::Receipt {
        msn: msn.to_owned(),
        order,
        receipt: Value::Object(receipt),
    };
    (json_string(201, &uuid::Uuid::new_v4().to_string()), Some(change))
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

pub(super) fn add_category(msn: &str, body: &Body) -> Handled {
    let mut found = Violations::default();
    let Some(mut category) = body_object(&mut found, body, &schema::CATEGORY_V3).filter(|_| found.is_empty()) else {
        return (bad_request(found.into_vec()), None);
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
    let change = Change::CategoryV3 {
        msn: msn.to_owned(),
        category: Value::Object(stored),
    };
    (json_body(201, &json!({ "categoryId": id })), Some(change))
}

pub(super) fn list_categories(merchant: Option<&Merchant>, order_id: Option<String>) -> Answer {
    let Some(order_id) = order_id else {
        return bad_request(vec![Violation::new("orderId", "The orderId query parameter is required.")]);
    };
    let mut found = Violations::default();
    schema::id_pattern(&mut found, "orderId", &order_id);
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

pub(super) fn delete_category(merchant: Option<&Merchant>, msn: &str, id: &str) -> Handled {
    let stored = find_v3(merchant, id).and_then(|i| merchant?.categories_v3[i]["categoryId"].as_str());
    match stored {
        Some(category_id) => {
            let answer = Answer {
                status: 200,
                content_type: "application/json".into(),
                body: String::new(),
                headers: Vec::new(),
            };
            let change = Change::DeleteCategoryV3 {
                msn: msn.to_owned(),
                category_id: category_id.to_owned(),
            };
            (answer, Some(change))
        }
        None => (problem(404, "Not Found", &format!("No category with id {id}"), vec![]), None),
    }
}
