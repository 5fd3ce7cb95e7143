//! The spec's request schemas as data, and one checker that walks a JSON
//! body against them: types, required and nullable fields, minimums and
//! maximums, lengths, patterns, enumerations and formats, with each
//! violation named by its JSON path as the API names fields
//! (`orderLines[0].unitInfo.quantity`). Fields the spec does not list are
//! allowed (it does not forbid them) and kept as sent.

use serde_json::{Map, Value};

use vipps_order_management::validate::Violations;

/// The type of a value.
#[derive(Clone, Copy)]
pub(super) enum Ty {
    Str(Text),
    Int { min: Option<i64>, max: Option<i64> },
    Bool,
    Obj(&'static [Prop]),
    Arr { items: &'static Ty, min_items: usize },
}

/// A string's rules.
#[derive(Clone, Copy)]
pub(super) struct Text {
    min_len: usize,
    max_len: Option<usize>,
    pattern: Option<Pattern>,
    one_of: Option<&'static [&'static str]>,
    /// Enumerated values match in any ASCII case (the payment type).
    any_case: bool,
    format: Option<Format>,
}

#[derive(Clone, Copy)]
enum Pattern {
    /// `^[0-9A-Za-z-_\.]+$`
    Id,
    /// `^\d+([\.]\d{1,8})?$`
    Quantity,
}

#[derive(Clone, Copy)]
enum Format {
    Uri,
}

/// One property of an object.
#[derive(Clone, Copy)]
pub(super) struct Prop {
    name: &'static str,
    ty: Ty,
    required: bool,
    nullable: bool,
}

const fn text() -> Text {
    Text {
        min_len: 0,
        max_len: None,
        pattern: None,
        one_of: None,
        any_case: false,
        format: None,
    }
}

const fn one_of(values: &'static [&'static str]) -> Text {
    Text {
        one_of: Some(values),
        ..text()
    }
}

/// An order or image id in a body (both at most 128 characters).
const ID: Text = Text {
    min_len: 1,
    max_len: Some(vipps_order_management::validate::ORDER_ID_MAX_LEN),
    pattern: Some(Pattern::Id),
    ..text()
};
const URI: Text = Text {
    min_len: 1,
    format: Some(Format::Uri),
    ..text()
};
const STR: Ty = Ty::Str(text());
const INT: Ty = Ty::Int { min: None, max: None };
const AMOUNT: Ty = Ty::Int { min: Some(0), max: None };

const fn prop(name: &'static str, ty: Ty) -> Prop {
    Prop {
        name,
        ty,
        required: false,
        nullable: false,
    }
}
const fn required(name: &'static str, ty: Ty) -> Prop {
    Prop {
        required: true,
        ..prop(name, ty)
    }
}
const fn nullable(p: Prop) -> Prop {
    Prop { nullable: true, ..p }
}

const CATEGORIES: &[&str] = &["GENERAL", "RECEIPT", "ORDER_CONFIRMATION", "DELIVERY", "TICKET", "BOOKING"];
const PAYMENT_TYPES: &[&str] = &["ECOM", "RECURRING"];

const UNIT_INFO: &[Prop] = &[
    nullable(required("unitPrice", AMOUNT)),
    required(
        "quantity",
        Ty::Str(Text {
            max_len: Some(vipps_order_management::validate::QUANTITY_MAX_LEN),
            pattern: Some(Pattern::Quantity),
            ..text()
        }),
    ),
    nullable(prop(
        "quantityUnit",
        Ty::Str(one_of(&["PCS", "KG", "KM", "MINUTE", "LITRE", "KWH"])),
    )),
];

const ORDER_LINE: &[Prop] = &[
    required("name", STR),
    required("id", STR),
    required("totalAmount", INT),
    required("totalAmountExcludingTax", INT),
    required("totalTaxAmount", INT),
    nullable(prop(
        "taxPercentage",
        Ty::Int {
            min: Some(0),
            max: Some(100),
        },
    )),
    nullable(prop(
        "taxRate",
        Ty::Int {
            min: Some(0),
            max: Some(10_000),
        },
    )),
    prop("unitInfo", Ty::Obj(UNIT_INFO)),
    nullable(prop("discount", AMOUNT)),
    nullable(prop("productUrl", STR)),
    nullable(prop("isReturn", Ty::Bool)),
    nullable(prop("isShipping", Ty::Bool)),
];

const SHIPPING_INFO: &[Prop] = &[
    nullable(required("amount", AMOUNT)),
    nullable(required("amountExcludingTax", AMOUNT)),
    nullable(required("taxAmount", AMOUNT)),
    nullable(required(
        "taxPercentage",
        Ty::Int {
            min: Some(0),
            max: Some(100),
        },
    )),
];

const PAYMENT_SOURCES: &[Prop] = &[
    nullable(prop("giftCard", INT)),
    nullable(prop("card", INT)),
    nullable(prop("voucher", INT)),
    nullable(prop("cash", INT)),
];

const BARCODE: &[Prop] = &[
    nullable(required("format", Ty::Str(one_of(&["EAN-13", "CODE 39", "CODE 128"])))),
    nullable(required("data", STR)),
];

const BOTTOM_LINE: &[Prop] = &[
    nullable(required("currency", Ty::Str(one_of(&["NOK", "DKK", "EUR"])))),
    nullable(prop("tipAmount", AMOUNT)),
    nullable(prop("giftCardAmount", AMOUNT)),
    nullable(prop("posId", STR)),
    nullable(prop("totalAmount", INT)),
    nullable(prop("totalTax", AMOUNT)),
    nullable(prop("totalDiscount", AMOUNT)),
    nullable(prop("shippingAmount", AMOUNT)),
    prop("shippingInfo", Ty::Obj(SHIPPING_INFO)),
    prop("paymentSources", Ty::Obj(PAYMENT_SOURCES)),
    prop("barcode", Ty::Obj(BARCODE)),
    nullable(prop("receiptNumber", STR)),
    nullable(prop("terminalId", STR)),
];

/// `Receipt`: the body of a receipt POST.
pub(super) const RECEIPT: Ty = Ty::Obj(&[
    required(
        "orderLines",
        Ty::Arr {
            items: &Ty::Obj(ORDER_LINE),
            min_items: 1,
        },
    ),
    required("bottomLine", Ty::Obj(BOTTOM_LINE)),
]);

/// `Order`: the body of a v2 category PUT.
pub(super) const CATEGORY_V2: Ty = Ty::Obj(&[
    nullable(required("category", Ty::Str(one_of(CATEGORIES)))),
    required("orderDetailsUrl", Ty::Str(URI)),
    nullable(prop("imageId", Ty::Str(ID))),
]);

/// `AddCategoryRequest`: the body of a v3 category POST.
pub(super) const CATEGORY_V3: Ty = Ty::Obj(&[
    required(
        "orderId",
        Ty::Str(Text {
            min_len: 1,
            pattern: Some(Pattern::Id),
            ..text()
        }),
    ),
    required(
        "paymentType",
        Ty::Str(Text {
            any_case: true,
            ..one_of(PAYMENT_TYPES)
        }),
    ),
    nullable(required("type", Ty::Str(one_of(CATEGORIES)))),
    required("url", Ty::Str(URI)),
    prop("imageId", Ty::Str(ID)),
]);

/// `Image`: the body of an image upload.
pub(super) const IMAGE: Ty = Ty::Obj(&[
    required("imageId", Ty::Str(ID)),
    required("src", STR),
    required("type", Ty::Str(one_of(&["base64"]))),
]);

/// The spec's id pattern, `^[0-9A-Za-z-_\.]+$` (which needs one character
/// at least), for an id in a path or a body.
pub(super) fn id_pattern(r: &mut Violations, at: &str, id: &str) {
    if id.is_empty() || !vipps_order_management::validate::id_pattern(id) {
        r.fail(at, "must match ^[0-9A-Za-z-_\\.]+$");
    }
}

/// Drops the fields `ty` does not know, at any depth, as the service does:
/// it reads a body into its own model, so an unknown field is neither
/// refused nor kept.
pub(super) fn known_only(value: &mut Value, ty: &Ty) {
    match (ty, value) {
        (Ty::Obj(props), Value::Object(map)) => {
            map.retain(|name, _| props.iter().any(|p| p.name == name));
            for p in props.iter() {
                if let Some(field) = map.get_mut(p.name) {
                    known_only(field, &p.ty);
                }
            }
        }
        (Ty::Arr { items, .. }, Value::Array(list)) => {
            for item in list {
                known_only(item, items);
            }
        }
        _ => {}
    }
}

/// Checks `value` against `ty`, naming violations from `at` (`""` for the body).
pub(super) fn check_against(r: &mut Violations, at: &str, value: &Value, ty: &Ty) {
    let name = || if at.is_empty() { "body".to_owned() } else { at.to_owned() };
    match (ty, value) {
        (Ty::Str(rule), Value::String(s)) => check_text(r, &name(), s, rule),
        (Ty::Int { min, max }, Value::Number(n)) => match n.as_i64() {
            None => r.fail(
                name(),
                "must be an integer between -9223372036854775808 and 9223372036854775807 (int64)",
            ),
            Some(v) if min.is_some_and(|m| v < m) => r.fail(name(), format!("must be {} or more (is {v})", min.unwrap_or(0))),
            Some(v) if max.is_some_and(|m| v > m) => r.fail(name(), format!("must be at most {} (is {v})", max.unwrap_or(0))),
            Some(_) => {}
        },
        (Ty::Bool, Value::Bool(_)) => {}
        (Ty::Obj(props), Value::Object(map)) => check_object(r, at, map, props),
        (Ty::Arr { items, min_items }, Value::Array(list)) => {
            if list.len() < *min_items {
                r.fail(name(), format!("must hold at least {min_items} item(s)"));
            }
            for (i, item) in list.iter().enumerate() {
                check_against(r, &format!("{at}[{i}]"), item, items);
            }
        }
        (ty, _) => r.fail(name(), format!("must be {}", kind(ty))),
    }
}

fn kind(ty: &Ty) -> &'static str {
    match ty {
        Ty::Str(_) => "a string",
        Ty::Int { .. } => "an integer",
        Ty::Bool => "a boolean",
        Ty::Obj(_) => "an object",
        Ty::Arr { .. } => "an array",
    }
}

fn check_object(r: &mut Violations, at: &str, map: &Map<String, Value>, props: &[Prop]) {
    let join = |name: &str| if at.is_empty() { name.to_owned() } else { format!("{at}.{name}") };
    for p in props {
        match map.get(p.name) {
            None if p.required => r.fail(join(p.name), "is required"),
            None => {}
            Some(Value::Null) if p.nullable => {}
            Some(Value::Null) => r.fail(join(p.name), format!("must be {}, not null", kind(&p.ty))),
            Some(v) => check_against(r, &join(p.name), v, &p.ty),
        }
    }
}

fn check_text(r: &mut Violations, at: &str, s: &str, rule: &Text) {
    let len = s.chars().count();
    if len < rule.min_len {
        r.fail(at, format!("must be at least {} character(s) long", rule.min_len));
        return;
    }
    if let Some(max) = rule.max_len.filter(|max| len > *max) {
        r.fail(at, format!("must be at most {max} characters long (is {len})"));
        return;
    }
    if let Some(values) = rule.one_of {
        let known = values
            .iter()
            .any(|v| if rule.any_case { v.eq_ignore_ascii_case(s) } else { *v == s });
        if !known {
            r.fail(at, format!("must be one of {}", values.join(", ")));
        }
    }
    match rule.pattern {
        Some(Pattern::Id) => id_pattern(r, at, s),
        Some(Pattern::Quantity) if !vipps_order_management::validate::quantity_ok(s) => {
            r.fail(at, "must match ^\\d+([\\.]\\d{1,8})?$ (like \"2\" or \"2.5\")");
        }
        _ => {}
    }
    if let Some(Format::Uri) = rule.format {
        if url::Url::parse(s).is_err() {
            r.fail(at, "must be an absolute URI");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn violations(value: Value, ty: &Ty) -> Vec<String> {
        let mut r = Violations::default();
        check_against(&mut r, "", &value, ty);
        r.into_vec().into_iter().map(|v| format!("{}: {}", v.name, v.reason)).collect()
    }

    #[test]
    fn nullable_required_fields_take_null_and_others_do_not() {
        let line = json!({"name": "x", "id": "1", "totalAmount": 1, "totalAmountExcludingTax": 1, "totalTaxAmount": 0,
                          "taxRate": null, "unitInfo": {"unitPrice": null, "quantity": "1"}});
        let receipt = json!({"orderLines": [line], "bottomLine": {"currency": null, "barcode": {"format": null, "data": null}}});
        assert!(violations(receipt, &RECEIPT).is_empty());
        let bad = json!({"orderLines": [], "bottomLine": {"tipAmount": -1, "shippingInfo": null, "terminalId": 123}});
        let found = violations(bad, &RECEIPT);
        for needle in [
            "orderLines: must hold at least 1",
            "bottomLine.currency: is required",
            "bottomLine.tipAmount: must be 0 or more",
            "bottomLine.shippingInfo: must be an object, not null",
            "bottomLine.terminalId: must be a string",
        ] {
            assert!(found.iter().any(|f| f.starts_with(needle)), "{needle} not in {found:?}");
        }
    }

    #[test]
    fn strings_are_checked_by_pattern_length_enum_and_format() {
        let found = violations(
            json!({"orderId": "a b", "paymentType": "ecom", "type": "INVOICE", "url": "not a uri", "imageId": "x".repeat(129)}),
            &CATEGORY_V3,
        );
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(violations(json!({"imageId": "a", "src": "", "type": "base64"}), &IMAGE).is_empty());
        assert_eq!(violations(json!([]), &IMAGE), vec!["body: must be an object"]);
        // Each length is said as what it is, before any pattern.
        assert_eq!(
            violations(json!({"imageId": "", "src": "", "type": "base64"}), &IMAGE),
            vec!["imageId: must be at least 1 character(s) long"]
        );
        assert_eq!(
            violations(json!({"unitPrice": 1, "quantity": "12345678901"}), &Ty::Obj(UNIT_INFO)),
            vec!["quantity: must be at most 10 characters long (is 11)"]
        );
    }

    #[test]
    fn fields_the_schema_does_not_know_are_dropped_at_any_depth() {
        let mut receipt = serde_json::json!({
            "orderLines": [{"name": "Socks", "id": "1", "surprise": 1}],
            "bottomLine": {"currency": "NOK", "alsoUnknown": true},
            "unknown": "x"
        });
        known_only(&mut receipt, &RECEIPT);
        assert_eq!(
            receipt,
            serde_json::json!({"orderLines": [{"name": "Socks", "id": "1"}], "bottomLine": {"currency": "NOK"}})
        );
    }
}
