//! What each operation answers, and what it would change, in two steps.
//! [`check`] reads the request's path and body against the spec's schemas
//! (`schema`) and the service's own rules, outside the state's lock (and,
//! for a large body, off the async workers), and makes the [`Intent`]:
//! what is asked, with the change it would make already written out.
//! [`decide`] then reads the store, under the lock, for what only the store
//! can say (images never overwritten, one receipt per order, a category
//! that exists), and gives a [`Reply`] (made into an answer outside the
//! lock) and the change to keep, if any. `dispatch` keeps the change (state
//! file first) and applies it.

use std::sync::Arc;

use base64::Engine as _;
use serde::Deserialize as _;
use serde_json::{json, Map, Value};

use super::answer::{bad_request, json_body, json_string, problem, Answer};
use super::schema::{self, Ty};
use super::store::{order_key, Change, Merchant, Prepared, StoredOrder};
use vipps_order_management::validate::{self, Violations};
use vipps_order_management::{Operation, PaymentType, Receipt};

/// The values in an operation's path, by their names in its template.
#[derive(Default)]
pub(super) struct PathValues {
    pub(super) payment_type: String,
    pub(super) order_id: Option<String>,
    pub(super) category_id: String,
}

/// What a checked request asks of the store.
pub(super) enum Intent {
    /// Store an image under an id not yet in use.
    UploadImage { image_id: String, change: Prepared },
    /// Store (or replace) an order's v2 category.
    PutCategory { change: Prepared },
    /// Store an order's receipt, unless it has one.
    PostReceipt { order: String, order_id: String, change: Prepared },
    /// Read an order.
    GetOrder { order: String, order_id: String },
    /// Add a v3 category (its id made here).
    AddCategory { category_id: String, change: Prepared },
    /// List the v3 categories, of one order or all.
    ListCategories { order_id: Option<String> },
    /// Read a v3 category.
    GetCategory { id: uuid::Uuid, shown: String },
    /// Delete a v3 category.
    DeleteCategory { msn: String, id: uuid::Uuid, shown: String },
}

/// What the store gives to answer with: an answer made already, or what
/// is stored, shared, to be written out outside the lock.
pub(super) enum Reply {
    Ready(Answer),
    Order(StoredOrder),
    Categories(Vec<Arc<Value>>),
    Category(Arc<Value>),
}

impl Reply {
    /// The answer (for what is stored: written out here, which may take
    /// long for a large receipt).
    pub(super) fn answer(self) -> Answer {
        match self {
            Reply::Ready(answer) => answer,
            Reply::Order(StoredOrder { category, receipt }) => {
                let mut body = Map::new();
                if let Some(c) = category {
                    body.insert("category".into(), (*c.value).clone());
                }
                if let Some(r) = receipt {
                    body.insert("receipt".into(), (*r.value).clone());
                }
                json_body(200, &Value::Object(body))
            }
            Reply::Categories(categories) => {
                let categories: Vec<Value> = categories.iter().map(|c| Value::clone(c)).collect();
                json_body(200, &json!({ "categories": categories }))
            }
            Reply::Category(category) => json_body(200, &category),
        }
    }
}

/// Checks a request of `op` by `msn` (authenticated already): its path
/// values, the `orderId` of its query, and its body.
pub(super) fn check(op: Operation, values: PathValues, query_order_id: Option<String>, msn: &str, body: &[u8]) -> Result<Intent, Answer> {
    let PathValues {
        payment_type: pt,
        order_id,
        category_id,
    } = values;
    let id = order_id.unwrap_or_default();
    match op {
        Operation::UploadImage => upload_image(msn, serde_json::from_slice(body)),
        Operation::PutCategory => put_category(msn, &pt, &id, serde_json::from_slice(body)),
        Operation::PostReceipt => post_receipt(msn, &pt, &id, serde_json::from_slice(body)),
        Operation::GetOrder => {
            let mut found = Violations::default();
            let payment_type = order_path(&mut found, &pt, &id);
            if !found.is_empty() {
                return Err(bad_request(found.into_vec()));
            }
            Ok(Intent::GetOrder {
                order: order_key(&payment_type, &id),
                order_id: id,
            })
        }
        Operation::AddCategory => add_category(msn, serde_json::from_slice(body)),
        Operation::ListCategories => list_categories(query_order_id),
        Operation::GetCategory => v3_id(&category_id).map(|(id, shown)| Intent::GetCategory { id, shown }),
        Operation::DeleteCategory => v3_id(&category_id).map(|(id, shown)| Intent::DeleteCategory {
            msn: msn.to_owned(),
            id,
            shown,
        }),
        // The token fetch is answered before; an operation the SDK adds
        // later is one the emulator does not know yet.
        _ => Err(problem(404, "Not Found", "No such resource in the Order Management API", vec![])),
    }
}

/// Decides a checked request against what `merchant` stored: the reply,
/// and the change to keep.
pub(super) fn decide(intent: Intent, merchant: Option<&Merchant>) -> (Reply, Option<Prepared>) {
    let ready = |answer| (Reply::Ready(answer), None);
    match intent {
        Intent::UploadImage { image_id, change } => {
            if merchant.is_some_and(|m| m.images.contains_key(&image_id)) {
                let detail = format!("An image with imageId {image_id} already exists (duplicate); images cannot be overwritten");
                return ready(problem(409, "Conflict", &detail, vec![]));
            }
            (Reply::Ready(json_body(200, &json!({ "imageId": image_id }))), Some(change))
        }
        Intent::PutCategory { change } => (Reply::Ready(json_string(200, &uuid::Uuid::new_v4().to_string())), Some(change)),
        Intent::PostReceipt { order, order_id, change } => {
            if merchant.and_then(|m| m.orders.get(&order)).is_some_and(|o| o.receipt.is_some()) {
                let detail = format!("A receipt already exists for order {order_id}; receipts cannot be changed");
                return ready(problem(409, "Conflict", &detail, vec![]));
            }
            (Reply::Ready(json_string(201, &uuid::Uuid::new_v4().to_string())), Some(change))
        }
        Intent::GetOrder { order, order_id } => match merchant.and_then(|m| m.orders.get(&order)) {
            Some(stored) if stored.category.is_some() || stored.receipt.is_some() => (Reply::Order(stored.clone()), None),
            _ => ready(problem(
                404,
                "Not Found",
                &format!("No category or receipt exists for order {order_id}"),
                vec![],
            )),
        },
        Intent::AddCategory { category_id, change } => (Reply::Ready(json_body(201, &json!({ "categoryId": category_id }))), Some(change)),
        Intent::ListCategories { order_id } => {
            let categories = merchant
                .map(|m| {
                    m.categories_v3
                        .iter()
                        .filter(|c| order_id.as_deref().is_none_or(|id| c.value["orderId"] == id))
                        .map(|c| c.value.clone())
                        .collect()
                })
                .unwrap_or_default();
            (Reply::Categories(categories), None)
        }
        Intent::GetCategory { id, shown } => match find_v3(merchant, id) {
            Some(category) => (Reply::Category(category), None),
            None => ready(problem(404, "Not Found", &format!("No category with id {shown}"), vec![])),
        },
        Intent::DeleteCategory { msn, id, shown } => {
            let stored = find_v3(merchant, id).and_then(|c| c["categoryId"].as_str().map(str::to_owned));
            match (stored, merchant) {
                (Some(category_id), Some(_)) => {
                    let answer = Answer {
                        status: 200,
                        content_type: "application/json".into(),
                        body: String::new(),
                        headers: Vec::new(),
                    };
                    let change = Change::DeleteCategoryV3 { msn, category_id }.prepared();
                    (Reply::Ready(answer), Some(change))
                }
                _ => ready(problem(404, "Not Found", &format!("No category with id {shown}"), vec![])),
            }
        }
    }
}

/// Checks `{paymentType}/{orderId}` of a v2 path.
fn order_path(found: &mut Violations, pt: &str, order_id: &str) -> PaymentType {
    let payment_type = PaymentType::parse_lenient(pt);
    if !payment_type.is_known() {
        found.fail("paymentType", "must be one of ECOM, RECURRING");
    }
    schema::id_pattern(found, "orderId", order_id);
    payment_type
}

/// A request's body, read as JSON or not.
type Body = Result<Value, serde_json::Error>;

/// The body, checked against the spec's schema: the object, or the
/// violations found (a body that is not JSON says where it breaks).
fn body_object(found: &mut Violations, body: Body, ty: &Ty) -> Option<Map<String, Value>> {
    match body {
        Ok(mut value) => {
            schema::check_against(found, "", &value, ty);
            schema::known_only(&mut value, ty);
            match value {
                Value::Object(map) => Some(map),
                _ => None,
            }
        }
        Err(e) => {
            found.fail("body", format!("is not JSON: {e}"));
            None
        }
    }
}

fn upload_image(msn: &str, body: Body) -> Result<Intent, Answer> {
    let mut found = Violations::default();
    let obj = body_object(&mut found, body, &schema::IMAGE);
    let text = |k: &str| {
        obj.as_ref()
            .and_then(|o| o.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (image_id, src) = (text("imageId"), text("src"));
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
        return Err(bad_request(found.into_vec()));
    }
    let change = Change::Image {
        msn: msn.to_owned(),
        image_id: image_id.clone(),
        src,
    };
    Ok(Intent::UploadImage {
        image_id,
        change: change.prepared(),
    })
}

fn put_category(msn: &str, pt: &str, order_id: &str, body: Body) -> Result<Intent, Answer> {
    let mut found = Violations::default();
    let payment_type = order_path(&mut found, pt, order_id);
    match body_object(&mut found, body, &schema::CATEGORY_V2) {
        Some(category) if found.is_empty() => {
            let change = Change::Category {
                msn: msn.to_owned(),
                order: order_key(&payment_type, order_id),
                category: Value::Object(category),
            };
            Ok(Intent::PutCategory { change: change.prepared() })
        }
        _ => Err(bad_request(found.into_vec())),
    }
}

fn post_receipt(msn: &str, pt: &str, order_id: &str, body: Body) -> Result<Intent, Answer> {
    let mut found = Violations::default();
    let payment_type = order_path(&mut found, pt, order_id);
    let receipt = body_object(&mut found, body, &schema::RECEIPT).map(Value::Object);
    if let Some(receipt) = &receipt {
        // The service's own rules, on the receipt as the client reads it
        // (when it still reads as one despite schema violations).
        match Receipt::deserialize(receipt) {
            Ok(typed) => found.extend(validate::service_rules(&typed)),
            Err(e) if found.is_empty() => found.fail("body", e.to_string()),
            Err(_) => {}
        }
    }
    let Some(receipt) = receipt.filter(|_| found.is_empty()) else {
        return Err(bad_request(found.into_vec()));
    };
    let order = order_key(&payment_type, order_id);
    let change = Change::Receipt {
        msn: msn.to_owned(),
        order: order.clone(),
        receipt,
    };
    Ok(Intent::PostReceipt {
        order,
        order_id: order_id.to_owned(),
        change: change.prepared(),
    })
}

fn add_category(msn: &str, body: Body) -> Result<Intent, Answer> {
    let mut found = Violations::default();
    let Some(mut category) = body_object(&mut found, body, &schema::CATEGORY_V3).filter(|_| found.is_empty()) else {
        return Err(bad_request(found.into_vec()));
    };
    // Stored as the spec's `Category`: with its id, and the payment type in
    // the enum's own case.
    let category_id = uuid::Uuid::new_v4().to_string();
    if let Some(Value::String(pt)) = category.get("paymentType") {
        let canonical = PaymentType::parse_lenient(pt).as_str().to_owned();
        category.insert("paymentType".into(), Value::String(canonical));
    }
    let mut stored = Map::new();
    stored.insert("categoryId".into(), Value::String(category_id.clone()));
    stored.extend(category);
    let change = Change::CategoryV3 {
        msn: msn.to_owned(),
        category: Value::Object(stored),
    };
    Ok(Intent::AddCategory {
        category_id,
        change: change.prepared(),
    })
}

/// A v3 list: of one order (`orderId`, checked), or of every category.
fn list_categories(order_id: Option<String>) -> Result<Intent, Answer> {
    if let Some(id) = &order_id {
        let mut found = Violations::default();
        schema::id_pattern(&mut found, "orderId", id);
        if !found.is_empty() {
            return Err(bad_request(found.into_vec()));
        }
    }
    Ok(Intent::ListCategories { order_id })
}

/// A v3 category id from a path: a UUID (in any of its forms), or a 400.
fn v3_id(id: &str) -> Result<(uuid::Uuid, String), Answer> {
    let violations = validate::category_id("categoryId", id);
    if !violations.is_empty() {
        return Err(bad_request(violations));
    }
    uuid::Uuid::parse_str(id)
        .map(|parsed| (parsed, id.to_owned()))
        .map_err(|_| bad_request(vec![vipps_order_management::Violation::new("categoryId", "must be a UUID")]))
}

/// A stored v3 category, by id in any UUID form.
fn find_v3(merchant: Option<&Merchant>, wanted: uuid::Uuid) -> Option<Arc<Value>> {
    merchant?
        .categories_v3
        .iter()
        .find(|c| {
            c.value["categoryId"]
                .as_str()
                .and_then(|s| uuid::Uuid::parse_str(s).ok())
                .is_some_and(|u| u == wanted)
        })
        .map(|c| c.value.clone())
}
