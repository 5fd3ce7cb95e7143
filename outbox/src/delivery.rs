//! What is delivered: a receipt, a v2 category, a v3 category or an image,
//! for one merchant serial number, and the row that keeps it (its key and
//! the API request's body).

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use vipps_order_management::validate::{self, Violations};
use vipps_order_management::{Category, Error, ImageUpload, NewCategory, OrderId, PaymentType, Receipt};

/// What kind of thing a delivery carries, as the table's `kind` column
/// names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Kind {
    /// A receipt (`POST /order-management/v2/{paymentType}/receipts/{orderId}`).
    Receipt,
    /// A v2 category (`PUT /order-management/v2/{paymentType}/categories/{orderId}`).
    Category,
    /// A v3 category (`POST /order-management/v3/categories`).
    CategoryV3,
    /// An image (`POST /order-management/v1/images`).
    Image,
}

impl Kind {
    /// Every kind.
    pub const ALL: [Kind; 4] = [Kind::Receipt, Kind::Category, Kind::CategoryV3, Kind::Image];

    /// The name in the table's `kind` column and in JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Receipt => "receipt",
            Kind::Category => "category",
            Kind::CategoryV3 => "category_v3",
            Kind::Image => "image",
        }
    }

    /// The kind a `kind` column names.
    #[must_use]
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one delivery sends.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Item {
    /// An order's receipt: posted once, never changed.
    Receipt {
        /// Which API created the payment.
        payment_type: PaymentType,
        /// The order.
        order_id: OrderId,
        /// The receipt.
        receipt: Box<Receipt>,
    },
    /// An order's v2 category: the newest one enqueued is the one delivered.
    Category {
        /// Which API created the payment.
        payment_type: PaymentType,
        /// The order.
        order_id: OrderId,
        /// The category.
        category: Category,
    },
    /// A v3 category, one of several on an order, known by its URL.
    CategoryV3 {
        /// The category, with its order and payment type.
        category: NewCategory,
    },
    /// An image, under the id made from its bytes.
    Image {
        /// The image.
        image: ImageUpload,
    },
}

/// One thing to deliver, for one merchant serial number: what a row of the
/// outbox holds.
///
/// Its key is the merchant serial number, the payment type, the order id,
/// the kind and (for a v3 category its URL, for an image its id) the item:
/// enqueueing the same thing under the same key again is a no-op.
#[derive(Debug, Clone)]
pub struct Delivery {
    merchant_serial_number: String,
    item: Item,
}

/// A delivery as the table keeps it: the key's columns, the body, and the
/// image a category names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub merchant_serial_number: String,
    pub payment_type: String,
    pub order_id: String,
    pub kind: Kind,
    pub item: String,
    pub body: String,
    pub image_id: Option<String>,
}

/// The image body's JSON, as the API takes it.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ImageBody {
    image_id: String,
    src: String,
    #[serde(rename = "type", default = "base64_type")]
    src_type: String,
}

fn base64_type() -> String {
    "base64".to_owned()
}

/// The JSON form of a delivery, one per line for `vipps-om outbox add`:
/// `{"kind": "receipt", "merchantSerialNumber": …, "paymentType": …,
/// "orderId": …, "body": {…}}` (the body as the API takes it).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsonForm {
    kind: Kind,
    merchant_serial_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payment_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    order_id: Option<String>,
    body: serde_json::Value,
}

impl Delivery {
    /// An order's receipt, checked as the client checks it before sending.
    pub fn receipt(
        merchant_serial_number: impl Into<String>,
        payment_type: PaymentType,
        order_id: impl Into<OrderId>,
        receipt: Receipt,
    ) -> Result<Delivery, Error> {
        Delivery::new(
            merchant_serial_number.into(),
            Item::Receipt {
                payment_type,
                order_id: order_id.into(),
                receipt: Box::new(receipt),
            },
        )
    }

    /// An order's v2 category. Enqueueing another category for the same
    /// order replaces this one, delivered or not: the newest is delivered.
    pub fn category(
        merchant_serial_number: impl Into<String>,
        payment_type: PaymentType,
        order_id: impl Into<OrderId>,
        category: Category,
    ) -> Result<Delivery, Error> {
        Delivery::new(
            merchant_serial_number.into(),
            Item::Category {
                payment_type,
                order_id: order_id.into(),
                category,
            },
        )
    }

    /// A v3 category, known on its order by its URL: delivered once (an
    /// equal category already on the order counts as delivered).
    pub fn category_v3(merchant_serial_number: impl Into<String>, category: NewCategory) -> Result<Delivery, Error> {
        Delivery::new(merchant_serial_number.into(), Item::CategoryV3 { category })
    }

    /// An image, under the id made from its bytes
    /// ([`ImageUpload::from_bytes`]): after a crash, an image under an id
    /// of one's own cannot be told from another image under that id, so
    /// such an upload is refused here.
    pub fn image(merchant_serial_number: impl Into<String>, image: ImageUpload) -> Result<Delivery, Error> {
        Delivery::new(merchant_serial_number.into(), Item::Image { image })
    }

    /// A delivery checked as the client would check it before sending.
    fn new(merchant_serial_number: String, item: Item) -> Result<Delivery, Error> {
        let mut violations = Violations::default();
        violations.extend(validate::merchant_serial_number("merchantSerialNumber", &merchant_serial_number));
        match &item {
            Item::Receipt {
                payment_type,
                order_id,
                receipt,
            } => {
                order_checks(&mut violations, payment_type, order_id);
                violations.extend(validate::receipt(receipt));
            }
            Item::Category {
                payment_type,
                order_id,
                category,
            } => {
                order_checks(&mut violations, payment_type, order_id);
                violations.extend(validate::category(category));
            }
            Item::CategoryV3 { category } => violations.extend(validate::new_category(category)),
            Item::Image { image } => {
                if !image.has_content_id() {
                    violations.fail(
                        "imageId",
                        "must be the id made from the image's bytes (ImageUpload::from_bytes without with_id): the outbox cannot tell an image under an id of your own from another after a crash",
                    );
                }
            }
        }
        violations.into_result()?;
        Ok(Delivery {
            merchant_serial_number,
            item,
        })
    }

    /// The merchant serial number the delivery acts for.
    #[must_use]
    pub fn merchant_serial_number(&self) -> &str {
        &self.merchant_serial_number
    }

    /// What it sends.
    #[must_use]
    pub fn item(&self) -> &Item {
        &self.item
    }

    /// Its kind.
    #[must_use]
    pub fn kind(&self) -> Kind {
        match self.item {
            Item::Receipt { .. } => Kind::Receipt,
            Item::Category { .. } => Kind::Category,
            Item::CategoryV3 { .. } => Kind::CategoryV3,
            Item::Image { .. } => Kind::Image,
        }
    }

    /// The row that keeps it.
    pub(crate) fn row(&self) -> Row {
        let to_json = |v: &dyn erased::Json| v.json();
        let (payment_type, order_id, item, body, image_id) = match &self.item {
            Item::Receipt {
                payment_type,
                order_id,
                receipt,
            } => (
                payment_type.as_str().to_owned(),
                order_id.to_string(),
                String::new(),
                to_json(receipt.as_ref()),
                None,
            ),
            Item::Category {
                payment_type,
                order_id,
                category,
            } => (
                payment_type.as_str().to_owned(),
                order_id.to_string(),
                String::new(),
                to_json(category),
                category.image_id.as_ref().map(|i| i.to_string()),
            ),
            Item::CategoryV3 { category } => (
                category.payment_type.as_str().to_owned(),
                category.order_id.to_string(),
                category.url.clone(),
                to_json(category),
                category.image_id.as_ref().map(|i| i.to_string()),
            ),
            Item::Image { image } => {
                let body = ImageBody {
                    image_id: image.id().to_string(),
                    src: base64::engine::general_purpose::STANDARD.encode(image.bytes()),
                    src_type: base64_type(),
                };
                (
                    String::new(),
                    String::new(),
                    image.id().to_string(),
                    serde_json::to_string(&body).unwrap_or_default(),
                    None,
                )
            }
        };
        Row {
            merchant_serial_number: self.merchant_serial_number.clone(),
            payment_type,
            order_id,
            kind: self.kind(),
            item,
            body,
            image_id,
        }
    }

    /// The delivery a row keeps, checked again (a row may have been written
    /// by plain SQL); the error says what is wrong with it, for staff.
    pub(crate) fn from_parts(
        merchant_serial_number: &str,
        payment_type: &str,
        order_id: &str,
        kind: &str,
        body: &str,
    ) -> Result<Delivery, String> {
        let kind = Kind::parse(kind).ok_or_else(|| format!("the kind {kind:?} is none of receipt, category, category_v3, image"))?;
        Delivery::from_json_parts(merchant_serial_number, Some(payment_type), Some(order_id), kind, Body::Text(body))
    }

    fn from_json_parts(
        msn: &str,
        payment_type: Option<&str>,
        order_id: Option<&str>,
        kind: Kind,
        body: Body<'_>,
    ) -> Result<Delivery, String> {
        let order = || -> Result<(PaymentType, OrderId), String> {
            let payment_type = payment_type
                .filter(|p| !p.is_empty())
                .ok_or("a paymentType (ECOM or RECURRING) is missing")?;
            let payment_type: PaymentType = payment_type.parse().map_err(|e: Error| e.to_string())?;
            let order_id = order_id.filter(|o| !o.is_empty()).ok_or("an orderId is missing")?;
            Ok((payment_type, OrderId::from(order_id)))
        };
        let checked = |result: Result<Delivery, Error>| result.map_err(|e| e.to_string());
        match kind {
            Kind::Receipt => {
                let (payment_type, order_id) = order()?;
                let receipt: Receipt = body.read("receipt")?;
                checked(Delivery::receipt(msn, payment_type, order_id, receipt))
            }
            Kind::Category => {
                let (payment_type, order_id) = order()?;
                let category: Category = body.read("category")?;
                checked(Delivery::category(msn, payment_type, order_id, category))
            }
            Kind::CategoryV3 => {
                let category: NewCategory = body.read("v3 category")?;
                checked(Delivery::category_v3(msn, category))
            }
            Kind::Image => {
                let body: ImageBody = body.read("image")?;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(body.src.trim())
                    .map_err(|e| format!("the image's src is not base64: {e}"))?;
                let image = ImageUpload::from_bytes(bytes).map_err(|e| e.to_string())?;
                if image.id().as_str() != body.image_id {
                    return Err(format!(
                        "the imageId {:?} is not the id made from the image's bytes ({}); the outbox delivers images under that id only",
                        body.image_id,
                        image.id()
                    ));
                }
                checked(Delivery::image(msn, image))
            }
        }
    }

    /// A delivery from its JSON form: `{"kind": "receipt",
    /// "merchantSerialNumber": "123456", "paymentType": "ECOM", "orderId":
    /// "order-1", "body": {…}}`, where the body is the API request's JSON
    /// (a receipt, a category, a v3 category, or an image's `imageId` and
    /// base64 `src`). The error says what is wrong, for people.
    pub fn from_json(json: &str) -> Result<Delivery, String> {
        let form: JsonForm = serde_json::from_str(json).map_err(|e| format!("not a delivery: {e}"))?;
        Delivery::from_json_parts(
            &form.merchant_serial_number,
            form.payment_type.as_deref(),
            form.order_id.as_deref(),
            form.kind,
            Body::Json(form.body),
        )
    }

    /// The JSON form [`Delivery::from_json`] reads.
    #[must_use]
    pub fn to_json(&self) -> String {
        let row = self.row();
        let form = JsonForm {
            kind: row.kind,
            merchant_serial_number: row.merchant_serial_number,
            payment_type: Some(row.payment_type).filter(|p| !p.is_empty()),
            order_id: Some(row.order_id).filter(|o| !o.is_empty()),
            body: serde_json::from_str(&row.body).unwrap_or_default(),
        };
        serde_json::to_string(&form).unwrap_or_default()
    }
}

/// A delivery's body: the table's text, or JSON already read (a JSON
/// line's `body`).
enum Body<'a> {
    Text(&'a str),
    Json(serde_json::Value),
}

impl Body<'_> {
    /// The body as the API's `what`, or why it is not one: not JSON, not
    /// the type, or holding fields that would not be sent (a typo, a
    /// deprecated field: a receipt sent without them could never be
    /// corrected).
    fn read<T: serde::de::DeserializeOwned + Serialize>(self, what: &str) -> Result<T, String> {
        let written = match self {
            Body::Text(text) => serde_json::from_str::<serde_json::Value>(text)
                .map_err(|e| format!("the body is not JSON ({e}); write the API request's JSON body"))?,
            Body::Json(value) => value,
        };
        let read: T = serde_json::from_value(written.clone()).map_err(|e| format!("the body is not a {what} as the API takes it: {e}"))?;
        let sent = serde_json::to_value(&read).unwrap_or(serde_json::Value::Null);
        let lost = fields_not_sent(&written, &sent);
        if !lost.is_empty() {
            let described: Vec<String> = lost.iter().map(|name| describe_not_sent(name)).collect();
            return Err(format!("the body holds fields that would not be sent: {}", described.join("; ")));
        }
        Ok(read)
    }
}

/// The fields of `written` (JSON as given) that `sent` (the same read into
/// the API's type and written again) lacks, by their API names
/// (`orderLines[0].quantty`). A `null` is no loss: null and absent are
/// alike to the API.
#[must_use]
pub fn fields_not_sent(written: &serde_json::Value, sent: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    not_sent(written, sent, "", &mut out);
    out
}

fn not_sent(written: &serde_json::Value, sent: &serde_json::Value, at: &str, out: &mut Vec<String>) {
    use serde_json::Value;
    match (written, sent) {
        (Value::Object(w), Value::Object(s)) => {
            for (key, value) in w.iter().filter(|(_, v)| !v.is_null()) {
                let name = if at.is_empty() { key.clone() } else { format!("{at}.{key}") };
                match s.get(key) {
                    Some(kept) => not_sent(value, kept, &name, out),
                    None => out.push(name),
                }
            }
        }
        (Value::Array(w), Value::Array(s)) => {
            for (i, (value, kept)) in w.iter().zip(s).enumerate() {
                not_sent(value, kept, &format!("{at}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// A field [`fields_not_sent`] found, said with why: a field the API
/// deprecated, or none of its fields (a typo).
#[must_use]
pub fn describe_not_sent(name: &str) -> String {
    const DEPRECATED: [&str; 7] = [
        "giftCardAmount",
        "totalAmount",
        "totalTax",
        "totalDiscount",
        "shippingAmount",
        "shippingInfo",
        "terminalId",
    ];
    match name.strip_prefix("bottomLine.") {
        Some(field) if DEPRECATED.contains(&field) => {
            format!("{name} (deprecated by the API; use order lines, paymentSources or posId)")
        }
        _ => format!("{name} (not a field of the API's body: a typo?)"),
    }
}

/// The path checks of an order's delivery.
fn order_checks(violations: &mut Violations, payment_type: &PaymentType, order_id: &OrderId) {
    if !payment_type.is_known() {
        violations.fail("paymentType", "must be ECOM or RECURRING");
    }
    violations.extend(validate::order_id("orderId", order_id.as_str()));
}

/// Serialization of the API's bodies, which cannot fail for these types
/// (plain structs of strings and numbers).
mod erased {
    pub(super) trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_with_every_field_loses_none_and_a_typo_is_named() {
        let written = serde_json::json!({
            "orderLines": [{
                "name": "Socks", "id": "1", "totalAmount": 1250, "totalAmountExcludingTax": 1000,
                "totalTaxAmount": 250, "taxRate": 2500, "taxPercentage": 25, "discount": 0,
                "productUrl": "https://shop.example/p/1", "isShipping": false, "isReturn": false,
                "unitInfo": { "unitPrice": 625, "quantity": "2", "quantityUnit": "PCS" }
            }],
            "bottomLine": {
                "currency": "NOK", "tipAmount": 0, "posId": "till-1", "receiptNumber": "42",
                "paymentSources": { "card": 1250, "giftCard": 0, "voucher": 0, "cash": 0 },
                "barcode": { "format": "EAN-13", "data": "7080001234567" }
            }
        });
        let receipt: Receipt = serde_json::from_value(written.clone()).unwrap();
        let sent = serde_json::to_value(&receipt).unwrap();
        assert_eq!(fields_not_sent(&written, &sent), Vec::<String>::new());
        let mut typo = written.clone();
        typo["orderLines"][0]["quantty"] = serde_json::json!(2);
        typo["bottomLine"]["giftCardAmount"] = serde_json::json!(0);
        let receipt: Receipt = serde_json::from_value(typo.clone()).unwrap();
        let lost = fields_not_sent(&typo, &serde_json::to_value(&receipt).unwrap());
        assert_eq!(lost, vec!["bottomLine.giftCardAmount", "orderLines[0].quantty"]);
        assert!(describe_not_sent(&lost[0]).contains("deprecated"));
    }
}
