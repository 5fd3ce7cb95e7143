//! Checks a raw JSON body against the spec's shapes (required fields and
//! JSON types) before the typed rules of [`crate::validate`] run.

use serde_json::{Map, Value};

use crate::validate::Report;

#[derive(Clone, Copy)]
pub(super) enum Kind {
    Str,
    Int,
    Bool,
    Obj,
    Arr,
}

impl Kind {
    fn matches(self, v: &Value) -> bool {
        match self {
            Kind::Str => v.is_string(),
            Kind::Int => v.is_i64() || v.is_u64(),
            Kind::Bool => v.is_boolean(),
            Kind::Obj => v.is_object(),
            Kind::Arr => v.is_array(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Str => "a string",
            Kind::Int => "an integer",
            Kind::Bool => "a boolean",
            Kind::Obj => "an object",
            Kind::Arr => "an array",
        }
    }
}

fn join(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_owned()
    } else {
        format!("{at}.{name}")
    }
}

/// Checks one field: present (when required) and of the right type; `null`
/// is allowed for optional fields. Returns the value when it is usable.
pub(super) fn field<'v>(
    r: &mut Report,
    obj: &'v Map<String, Value>,
    at: &str,
    name: &str,
    kind: Kind,
    required: bool,
) -> Option<&'v Value> {
    match obj.get(name) {
        None | Some(Value::Null) if required => {
            r.fail(join(at, name), "is required");
            None
        }
        None | Some(Value::Null) => None,
        Some(v) if kind.matches(v) => Some(v),
        Some(_) => {
            r.fail(join(at, name), format!("must be {}", kind.name()));
            None
        }
    }
}

/// The body as a JSON object, or a violation.
pub(super) fn object<'v>(r: &mut Report, body: &'v Option<Value>) -> Option<&'v Map<String, Value>> {
    match body {
        Some(Value::Object(m)) => Some(m),
        _ => {
            r.fail("body", "must be a JSON object");
            None
        }
    }
}

pub(super) fn receipt(r: &mut Report, obj: &Map<String, Value>) {
    use Kind::*;
    if let Some(lines) = field(r, obj, "", "orderLines", Arr, true).and_then(Value::as_array) {
        for (i, line) in lines.iter().enumerate() {
            let at = format!("orderLines[{i}]");
            let Some(line) = line.as_object() else {
                r.fail(at, "must be an object");
                continue;
            };
            for name in ["name", "id"] {
                field(r, line, &at, name, Str, true);
            }
            for name in ["totalAmount", "totalAmountExcludingTax", "totalTaxAmount"] {
                field(r, line, &at, name, Int, true);
            }
            for name in ["taxRate", "taxPercentage", "discount"] {
                field(r, line, &at, name, Int, false);
            }
            field(r, line, &at, "productUrl", Str, false);
            for name in ["isReturn", "isShipping"] {
                field(r, line, &at, name, Bool, false);
            }
            if let Some(info) = field(r, line, &at, "unitInfo", Obj, false).and_then(Value::as_object) {
                let at = format!("{at}.unitInfo");
                field(r, info, &at, "unitPrice", Int, true);
                field(r, info, &at, "quantity", Str, true);
                field(r, info, &at, "quantityUnit", Str, false);
            }
        }
    }
    if let Some(bottom) = field(r, obj, "", "bottomLine", Obj, true).and_then(Value::as_object) {
        let at = "bottomLine";
        field(r, bottom, at, "currency", Str, true);
        field(r, bottom, at, "tipAmount", Int, false);
        field(r, bottom, at, "posId", Str, false);
        field(r, bottom, at, "receiptNumber", Str, false);
        if let Some(sources) = field(r, bottom, at, "paymentSources", Obj, false).and_then(Value::as_object) {
            for name in ["giftCard", "card", "voucher", "cash"] {
                field(r, sources, "bottomLine.paymentSources", name, Int, false);
            }
        }
        if let Some(barcode) = field(r, bottom, at, "barcode", Obj, false).and_then(Value::as_object) {
            field(r, barcode, "bottomLine.barcode", "format", Str, true);
            field(r, barcode, "bottomLine.barcode", "data", Str, true);
        }
    }
}

pub(super) fn category_v2(r: &mut Report, obj: &Map<String, Value>) {
    field(r, obj, "", "category", Kind::Str, true);
    field(r, obj, "", "orderDetailsUrl", Kind::Str, true);
    field(r, obj, "", "imageId", Kind::Str, false);
}

pub(super) fn category_v3(r: &mut Report, obj: &Map<String, Value>) {
    for name in ["orderId", "paymentType", "type", "url"] {
        field(r, obj, "", name, Kind::Str, true);
    }
    field(r, obj, "", "imageId", Kind::Str, false);
}

pub(super) fn image(r: &mut Report, obj: &Map<String, Value>) {
    for name in ["imageId", "src", "type"] {
        field(r, obj, "", name, Kind::Str, true);
    }
}
