//! Every answer to get-order that the spec allows is shown: generated
//! answers (each optional and nullable field present, absent or null;
//! amounts from `i64::MIN` to `i64::MAX`; unknown enum values) decode, the
//! readable view renders them without a panic and with sums that do not
//! fit said to, and `get_raw` keeps every field.

mod common;

use common::*;
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use vipps_order_management::Order;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

/// A field: absent, `null` (when nullable), or a value.
#[derive(Debug, Clone)]
enum Field {
    Absent,
    Null,
    Set(Value),
}

fn field(value: impl Strategy<Value = Value> + 'static, nullable: bool) -> BoxedStrategy<Field> {
    if nullable {
        prop_oneof![Just(Field::Absent), Just(Field::Null), value.prop_map(Field::Set)].boxed()
    } else {
        prop_oneof![Just(Field::Absent), value.prop_map(Field::Set)].boxed()
    }
}

/// A required field: `null` (when nullable) or a value.
fn required(value: impl Strategy<Value = Value> + 'static, nullable: bool) -> BoxedStrategy<Field> {
    if nullable {
        prop_oneof![Just(Field::Null), value.prop_map(Field::Set)].boxed()
    } else {
        value.prop_map(Field::Set).boxed()
    }
}

fn object(fields: Vec<(&'static str, Field)>) -> Value {
    let mut map = Map::new();
    for (name, f) in fields {
        match f {
            Field::Absent => {}
            Field::Null => {
                map.insert(name.into(), Value::Null);
            }
            Field::Set(v) => {
                map.insert(name.into(), v);
            }
        }
    }
    Value::Object(map)
}

fn int64() -> impl Strategy<Value = Value> {
    prop_oneof![Just(i64::MAX), Just(i64::MIN), Just(0i64), any::<i64>(), -1000i64..100_000].prop_map(Value::from)
}

fn non_negative() -> impl Strategy<Value = Value> {
    prop_oneof![Just(i64::MAX), Just(0i64), 0i64..=i64::MAX, 0i64..100_000].prop_map(Value::from)
}

fn text() -> impl Strategy<Value = Value> {
    prop_oneof!["[a-zA-Z0-9 ]{0,12}", ".{0,8}"].prop_map(Value::String)
}

/// A known value of an enumeration, or one this crate does not know.
fn one_of(known: &'static [&'static str]) -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(known).prop_map(|s| json!(s)),
        "[A-Z_]{1,10}".prop_map(Value::String)
    ]
}

fn order_line() -> impl Strategy<Value = Value> {
    let unit_info = (
        required(non_negative(), true),
        "[0-9]{1,5}(\\.[0-9]{1,3})?".prop_map(Value::String),
        field(one_of(&["PCS", "KG", "KM", "MINUTE", "LITRE", "KWH"]), true),
    )
        .prop_map(|(price, q, unit)| object(vec![("unitPrice", price), ("quantity", Field::Set(q)), ("quantityUnit", unit)]));
    (
        (text(), text(), int64(), int64(), int64()),
        (
            field((0i64..=100).prop_map(Value::from), true),
            field((0i64..=10_000).prop_map(Value::from), true),
            field(unit_info, false),
            field(non_negative(), true),
            field(text(), true),
            field(any::<bool>().prop_map(Value::Bool), true),
            field(any::<bool>().prop_map(Value::Bool), true),
        ),
    )
        .prop_map(|((name, id, total, excl, tax), (pct, rate, unit, discount, url, ret, ship))| {
            object(vec![
                ("name", Field::Set(name)),
                ("id", Field::Set(id)),
                ("totalAmount", Field::Set(total)),
                ("totalAmountExcludingTax", Field::Set(excl)),
                ("totalTaxAmount", Field::Set(tax)),
                ("taxPercentage", pct),
                ("taxRate", rate),
                ("unitInfo", unit),
                ("discount", discount),
                ("productUrl", url),
                ("isReturn", ret),
                ("isShipping", ship),
            ])
        })
}

fn bottom_line() -> impl Strategy<Value = Value> {
    let shipping = (
        required(non_negative(), true),
        required(non_negative(), true),
        required(non_negative(), true),
        required((0i64..=100).prop_map(Value::from), true),
    )
        .prop_map(|(a, e, t, p)| {
            object(vec![
                ("amount", a),
                ("amountExcludingTax", e),
                ("taxAmount", t),
                ("taxPercentage", p),
            ])
        });
    let sources = (
        field(int64(), true),
        field(int64(), true),
        field(int64(), true),
        field(int64(), true),
    )
        .prop_map(|(g, c, v, k)| object(vec![("giftCard", g), ("card", c), ("voucher", v), ("cash", k)]));
    let barcode = (required(one_of(&["EAN-13", "CODE 39", "CODE 128"]), true), required(text(), true))
        .prop_map(|(f, d)| object(vec![("format", f), ("data", d)]));
    (
        (
            required(one_of(&["NOK", "DKK", "EUR"]), true),
            field(non_negative(), true),
            field(non_negative(), true),
            field(text(), true),
            field(int64(), true),
            field(non_negative(), true),
        ),
        (
            field(non_negative(), true),
            field(non_negative(), true),
            field(shipping, false),
            field(sources, false),
            field(barcode, false),
            field(text(), true),
            field(text(), true),
        ),
    )
        .prop_map(
            |((currency, tip, gift, pos, total, tax), (discount, shipping_amount, info, sources, barcode, number, terminal))| {
                object(vec![
                    ("currency", currency),
                    ("tipAmount", tip),
                    ("giftCardAmount", gift),
                    ("posId", pos),
                    ("totalAmount", total),
                    ("totalTax", tax),
                    ("totalDiscount", discount),
                    ("shippingAmount", shipping_amount),
                    ("shippingInfo", info),
                    ("paymentSources", sources),
                    ("barcode", barcode),
                    ("receiptNumber", number),
                    ("terminalId", terminal),
                ])
            },
        )
}

fn order_answer() -> impl Strategy<Value = Value> {
    let category = (
        required(
            one_of(&["GENERAL", "RECEIPT", "ORDER_CONFIRMATION", "DELIVERY", "TICKET", "BOOKING"]),
            true,
        ),
        "https://shop\\.example/[a-z0-9]{0,8}".prop_map(Value::String),
        field("[A-Za-z0-9_.-]{1,20}".prop_map(Value::String), true),
    )
        .prop_map(|(c, url, image)| object(vec![("category", c), ("orderDetailsUrl", Field::Set(url)), ("imageId", image)]));
    let receipt = (prop::collection::vec(order_line(), 1..4), bottom_line())
        .prop_map(|(lines, bottom)| json!({ "orderLines": lines, "bottomLine": bottom }));
    (field(category, false), field(receipt, false)).prop_map(|(c, r)| object(vec![("category", c), ("receipt", r)]))
}

proptest! {
    #[test]
    fn every_allowed_answer_decodes_and_renders(answer in order_answer()) {
        let order: Order = serde_json::from_value(answer.clone()).map_err(|e| TestCaseError::fail(format!("{e}: {answer}")))?;
        let shown = order.to_string();
        if let (Some(receipt), Some(sum)) = (&order.receipt, exact_sum(&answer)) {
            let view = receipt.view();
            match i64::try_from(sum) {
                Ok(fits) => prop_assert_eq!(&view.total, &vipps_order_management::format_minor_units(fits)),
                Err(_) => prop_assert!(view.total.contains("too large"), "{}", view.total),
            }
            prop_assert!(shown.contains(&view.total));
            prop_assert_eq!(view.lines.len(), receipt.order_lines.len());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// `get_raw` gives the answer as received: every field, deprecated ones
    /// included, numbers exact (what `vipps-om --json get-order` prints).
    #[test]
    fn the_raw_answer_keeps_every_field(answers in prop::collection::vec(order_answer(), 1..4)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let server = server_with_token(1).await;
            for (i, answer) in answers.iter().enumerate() {
                Mock::given(method("GET"))
                    .and(path(format!("/order-management/v2/ECOM/answer-{i}")))
                    .respond_with(ResponseTemplate::new(200).set_body_json(answer))
                    .expect(1)
                    .mount(&server)
                    .await;
            }
            let client = client(&server);
            for (i, answer) in answers.iter().enumerate() {
                let raw = client.ecom(format!("answer-{i}")).get_raw().await.map_err(|e| TestCaseError::fail(e.to_string()))?;
                let received: Value = serde_json::from_str(&raw).unwrap();
                prop_assert_eq!(&received, answer);
            }
            server.verify().await;
            Ok(())
        })?;
    }
}
