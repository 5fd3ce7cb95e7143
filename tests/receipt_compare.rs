//! Property tests of `Receipt::same_as`, the comparison behind idempotent
//! receipts: any receipt passed through each normalisation a server might
//! apply compares equal; any change to an amount, a name, an id, the
//! currency or the set of lines compares different, normalised or not.

use proptest::prelude::*;
use serde_json::{json, Value};
use vipps_order_management::{
    Amount, Barcode, BarcodeFormat, BottomLine, Currency, OrderLine, PaymentSources, Quantity, QuantityUnit, Receipt, TaxRate, UnitInfo,
};

fn quantity() -> impl Strategy<Value = Quantity> {
    prop_oneof![
        (0u32..1000).prop_map(Quantity::from),
        "[0-9]{1,3}\\.[0-9]{1,3}".prop_map(|q| q.parse().unwrap()),
    ]
}

fn line(i: usize) -> impl Strategy<Value = OrderLine> {
    (
        "[A-Za-z ]{1,12}",
        0i64..1_000_000_000,
        0u16..=10_000,
        prop::option::of((0i64..1_000_000, quantity(), prop::option::of(0usize..6))),
        prop::option::of(0i64..1000),
        prop::option::of(Just("https://shop.example/p".to_owned())),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
    )
        .prop_map(move |(name, total, rate, unit, discount, url, ret, ship)| {
            let tax = total / 5;
            let mut l = OrderLine::new(
                format!("sku-{i}"),
                name,
                Amount::from_minor(total),
                Amount::from_minor(total - tax),
                TaxRate::basis_points(rate),
            );
            if let Some((price, q, unit)) = unit {
                let mut info = UnitInfo::new(Amount::from_minor(price), q, QuantityUnit::Pcs);
                info.quantity_unit = unit.map(|u| QuantityUnit::KNOWN[u].clone());
                l.unit_info = Some(info);
            }
            l.discount = discount.map(Amount::from_minor);
            l.product_url = url;
            l.is_return = ret;
            l.is_shipping = ship;
            l
        })
}

fn receipt() -> impl Strategy<Value = Receipt> {
    (
        (1usize..5).prop_flat_map(|n| (0..n).map(line).collect::<Vec<_>>()),
        0usize..3,
        prop::option::of(0i64..10_000),
        prop::option::of("[0-9]{1,8}"),
        prop::option::of((0i64..10_000, 0i64..10_000)),
        prop::option::of(Just(Barcode::new(BarcodeFormat::Code128, "100042"))),
    )
        .prop_map(|(lines, currency, tip, number, sources, barcode)| {
            let mut b = BottomLine::new(Currency::KNOWN[currency].clone());
            b.tip_amount = tip.map(Amount::from_minor);
            b.receipt_number = number;
            b.payment_sources = sources.map(|(card, cash)| {
                PaymentSources::new()
                    .with_card(Amount::from_minor(card))
                    .with_cash(Amount::from_minor(cash))
            });
            b.barcode = barcode;
            Receipt::new(b.currency.clone(), lines).with_bottom_line(b)
        })
}

/// What a server may do to a receipt it stores, each step on or off.
#[derive(Debug, Clone, Copy)]
struct Normalise {
    nulls_for_absent: bool,
    defaults_filled: bool,
    trailing_zeros: bool,
    legacy_percentage: bool,
    deprecated_sums: bool,
}

fn normalise() -> impl Strategy<Value = Normalise> {
    any::<[bool; 5]>().prop_map(|b| Normalise {
        nulls_for_absent: b[0],
        defaults_filled: b[1],
        trailing_zeros: b[2],
        legacy_percentage: b[3],
        deprecated_sums: b[4],
    })
}

fn fill(obj: &mut Value, key: &str, value: Value) {
    if obj.get(key).is_none_or(Value::is_null) {
        obj[key] = value;
    }
}

fn stored(r: &Receipt, n: Normalise) -> Receipt {
    let mut v = serde_json::to_value(r).unwrap();
    for line in v["orderLines"].as_array_mut().unwrap() {
        if n.defaults_filled {
            fill(line, "isReturn", json!(false));
            fill(line, "isShipping", json!(false));
            fill(line, "discount", json!(0));
            if let Some(info) = line.get_mut("unitInfo").filter(|i| i.is_object()) {
                fill(info, "quantityUnit", json!("PCS"));
            }
        }
        if n.nulls_for_absent {
            for key in ["isReturn", "isShipping", "discount", "productUrl", "taxPercentage"] {
                fill(line, key, Value::Null);
            }
        }
        if n.trailing_zeros {
            if let Some(q) = line.pointer("/unitInfo/quantity").and_then(Value::as_str).map(str::to_owned) {
                let longer = if q.contains('.') { format!("{q}00") } else { format!("{q}.0") };
                if longer.len() <= 10 {
                    line["unitInfo"]["quantity"] = json!(longer);
                }
            }
        }
        if n.legacy_percentage {
            let rate = line["taxRate"].as_i64().unwrap();
            line["taxPercentage"] = json!(rate / 100);
        }
    }
    let bottom = &mut v["bottomLine"];
    if n.defaults_filled {
        fill(bottom, "tipAmount", json!(0));
    }
    if n.nulls_for_absent {
        for key in ["posId", "receiptNumber", "terminalId", "giftCardAmount"] {
            fill(bottom, key, Value::Null);
        }
    }
    if n.deprecated_sums {
        bottom["totalAmount"] = json!(r.total_amount().unwrap().minor());
        bottom["totalTax"] = json!(0);
    }
    serde_json::from_value(v).unwrap()
}

/// One change the comparison must see.
fn change(r: &Receipt, which: usize, at: usize) -> Receipt {
    let mut c = r.clone();
    let n = c.order_lines.len();
    let i = at % n;
    let line = &mut c.order_lines[i];
    match which {
        0 => line.total_amount = Amount::from_minor(line.total_amount.minor() + 1),
        1 => line.total_tax_amount = Amount::from_minor(line.total_tax_amount.minor() + 1),
        2 => line.total_amount_excluding_tax = Amount::from_minor(line.total_amount_excluding_tax.minor() + 1),
        3 => line.name.push('x'),
        4 => line.id.push('x'),
        5 => {
            let next = Currency::KNOWN.iter().position(|k| *k == c.bottom_line.currency).unwrap() + 1;
            c.bottom_line.currency = Currency::KNOWN[next % Currency::KNOWN.len()].clone();
        }
        6 => {
            let copy = c.order_lines[i].clone();
            c.order_lines.push(copy);
        }
        7 if n > 1 => {
            c.order_lines.remove(i);
        }
        7 => c.order_lines.clear(),
        _ if n > 1 => c.order_lines.swap(i, (i + 1) % n),
        _ => c.order_lines[0].id.push('y'),
    }
    c
}

proptest! {
    #[test]
    fn a_receipt_as_a_server_may_store_it_is_the_same(r in receipt(), n in normalise()) {
        let s = stored(&r, n);
        prop_assert!(r.same_as(&s), "{n:?}\nsent   {r:?}\nstored {s:?}");
        prop_assert!(s.same_as(&r));
    }

    #[test]
    fn a_changed_receipt_is_different(r in receipt(), which in 0usize..9, at in 0usize..8, n in normalise()) {
        let c = change(&r, which, at);
        prop_assert!(!r.same_as(&c), "change {which}");
        prop_assert!(!r.same_as(&stored(&c, n)), "change {which}, {n:?}");
    }
}
