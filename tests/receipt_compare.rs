//! Property tests of `Receipt::same_as`, the comparison behind idempotent
//! receipts: any receipt passed through each normalisation a server might
//! apply compares equal; a change to any field the API stores (every line
//! field, unit info and its parts, every bottom-line field, the barcode and
//! each payment source, the deprecated inputs, the set and order of lines)
//! compares different, normalised or not, both ways.

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

/// How a line states its tax: `taxRate`, the legacy `taxPercentage`, or
/// both agreeing.
#[derive(Debug, Clone, Copy)]
enum Tax {
    Rate,
    Percentage,
    Both,
}

fn line(i: usize) -> impl Strategy<Value = OrderLine> {
    (
        (
            "[A-Za-z ]{1,12}",
            prop_oneof![Just(Tax::Rate), Just(Tax::Percentage), Just(Tax::Both)],
        ),
        0i64..1_000_000_000,
        0u16..=10_000,
        prop::option::of((0i64..1_000_000, quantity(), prop::option::of(0usize..6))),
        prop::option::of(0i64..1000),
        prop::option::of(Just("https://shop.example/p".to_owned())),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
    )
        .prop_map(move |((name, tax_form), total, rate, unit, discount, url, ret, ship)| {
            let tax = total / 5;
            let mut l = OrderLine::new(
                format!("sku-{i}"),
                name,
                Amount::from_minor(total),
                Amount::from_minor(total - tax),
                TaxRate::basis_points(rate),
            );
            match tax_form {
                Tax::Rate => {}
                Tax::Percentage => {
                    l.tax_rate = None;
                    l.tax_percentage = Some(i64::from(rate) / 100);
                }
                Tax::Both => l.tax_percentage = Some(i64::from(rate) / 100),
            }
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
    let amount = || prop::option::of((0i64..10_000).prop_map(Amount::from_minor));
    (
        (1usize..5).prop_flat_map(|n| (0..n).map(line).collect::<Vec<_>>()),
        0usize..3,
        amount(),
        prop::option::of("[0-9]{1,8}"),
        prop::option::of("[A-Z0-9]{1,6}"),
        prop::option::of((amount(), amount(), amount(), amount())),
        prop::option::of(prop_oneof![
            Just(Barcode::new(BarcodeFormat::Code128, "100042")),
            Just(Barcode::new(BarcodeFormat::Ean13, "4006381333931")),
        ]),
    )
        .prop_map(|(lines, currency, tip, number, pos, sources, barcode)| {
            let mut b = BottomLine::new(Currency::KNOWN[currency].clone());
            b.tip_amount = tip;
            b.receipt_number = number;
            b.pos_id = pos;
            b.payment_sources = sources.map(|(gift_card, card, voucher, cash)| {
                let mut s = PaymentSources::new();
                (s.gift_card, s.card, s.voucher, s.cash) = (gift_card, card, voucher, cash);
                s
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
    /// The legacy percentage rounded (25.5 % as 26), not truncated.
    rounded_percentage: bool,
    deprecated_sums: bool,
}

fn normalise() -> impl Strategy<Value = Normalise> {
    any::<[bool; 6]>().prop_map(|b| Normalise {
        nulls_for_absent: b[0],
        defaults_filled: b[1],
        trailing_zeros: b[2],
        legacy_percentage: b[3],
        rounded_percentage: b[4],
        deprecated_sums: b[5],
    })
}

fn fill(obj: &mut Value, key: &str, value: Value) {
    if obj.get(key).is_none_or(Value::is_null) {
        obj[key] = value;
    }
}

fn stored(r: &Receipt, n: Normalise) -> Receipt {
    let mut v = serde_json::to_value(r).unwrap();
    // The deprecated inputs are never sent by this crate, so they do not
    // serialize; a receipt another system stored holds them as it sent them.
    let b = &r.bottom_line;
    if let Some(gift) = b.gift_card_amount {
        v["bottomLine"]["giftCardAmount"] = json!(gift.minor());
    }
    if let Some(terminal) = &b.terminal_id {
        v["bottomLine"]["terminalId"] = json!(terminal);
    }
    if let Some(info) = &b.shipping_info {
        v["bottomLine"]["shippingInfo"] = serde_json::to_value(info).unwrap();
    }
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
            // A server that adds the legacy percentage where none was sent.
            if let Some(rate) = line["taxRate"].as_i64() {
                let percent = if n.rounded_percentage { (rate + 50) / 100 } else { rate / 100 };
                fill(line, "taxPercentage", json!(percent));
            }
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

/// Every change the comparison must see: one per field the API stores.
const CHANGES: [&str; 33] = [
    "name",
    "id",
    "totalAmount",
    "totalAmountExcludingTax",
    "totalTaxAmount",
    "taxRate",
    "taxPercentage",
    "unitInfo",
    "unitInfo.unitPrice",
    "unitInfo.quantity",
    "unitInfo.quantityUnit",
    "discount",
    "productUrl",
    "isReturn",
    "isShipping",
    "currency",
    "tipAmount",
    "posId",
    "receiptNumber",
    "barcode",
    "barcode.format",
    "barcode.data",
    "paymentSources.giftCard",
    "paymentSources.card",
    "paymentSources.voucher",
    "paymentSources.cash",
    "giftCardAmount",
    "terminalId",
    "shippingInfo",
    "a line added",
    "a line removed",
    "two lines swapped",
    "a line's place",
];

/// An amount one minor unit more, absent counting as zero.
fn more(a: Option<Amount>) -> Option<Amount> {
    Some(Amount::from_minor(a.unwrap_or_default().minor() + 1))
}

/// Text that differs: one more character, or some where there was none.
fn other_text(t: &Option<String>) -> Option<String> {
    Some(t.clone().map_or_else(|| "x".to_owned(), |t| t + "x"))
}

fn flip(f: Option<bool>) -> Option<bool> {
    Some(!f.unwrap_or(false))
}

/// Applies change `which` (an index into [`CHANGES`]) to line `at` (mod
/// the number of lines) or to the bottom line.
fn change(r: &Receipt, which: usize, at: usize) -> Receipt {
    let mut c = r.clone();
    let n = c.order_lines.len();
    let i = at % n;
    let line = &mut c.order_lines[i];
    let bottom = &mut c.bottom_line;
    match CHANGES[which] {
        "name" => line.name.push('x'),
        "id" => line.id.push('x'),
        "totalAmount" => line.total_amount = more(Some(line.total_amount)).unwrap(),
        "totalAmountExcludingTax" => line.total_amount_excluding_tax = more(Some(line.total_amount_excluding_tax)).unwrap(),
        "totalTaxAmount" => line.total_tax_amount = more(Some(line.total_tax_amount)).unwrap(),
        "taxRate" => {
            // Another rate, whichever way the line stated its tax.
            let now = line
                .tax_rate
                .map(|r| r.as_basis_points())
                .or(line.tax_percentage.map(|p| p * 100))
                .unwrap();
            let other = if now >= 10_000 { now - 1 } else { now + 1 };
            line.tax_rate = Some(TaxRate::basis_points(other as u16));
        }
        "taxPercentage" => match (line.tax_rate, line.tax_percentage) {
            // Beside a rate: a percentage that disagrees with it.
            (Some(rate), _) => line.tax_percentage = Some((rate.as_basis_points() / 100 + 2) % 101),
            (None, Some(p)) => line.tax_percentage = Some(if p >= 100 { p - 1 } else { p + 1 }),
            (None, None) => unreachable!("every generated line states its tax"),
        },
        "unitInfo" => {
            line.unit_info = match line.unit_info {
                Some(_) => None,
                None => Some(UnitInfo::new(Amount::from_minor(1), Quantity::from(1), QuantityUnit::Pcs)),
            }
        }
        "unitInfo.unitPrice" => {
            let info = line
                .unit_info
                .get_or_insert_with(|| UnitInfo::new(Amount::from_minor(1), Quantity::from(1), QuantityUnit::Pcs));
            info.unit_price = match info.unit_price {
                Some(_) if at.is_multiple_of(2) => None,
                price => more(price),
            };
        }
        "unitInfo.quantity" => {
            let info = line
                .unit_info
                .get_or_insert_with(|| UnitInfo::new(Amount::from_minor(1), Quantity::from(1), QuantityUnit::Pcs));
            // One more, in decimal: the whole part plus one.
            let (whole, frac) = info.quantity.as_str().split_once('.').unwrap_or((info.quantity.as_str(), ""));
            let whole: u64 = whole.parse().unwrap();
            let next = if frac.is_empty() {
                format!("{}", whole + 1)
            } else {
                format!("{}.{frac}", whole + 1)
            };
            info.quantity = next.parse().unwrap();
        }
        "unitInfo.quantityUnit" => {
            let info = line
                .unit_info
                .get_or_insert_with(|| UnitInfo::new(Amount::from_minor(1), Quantity::from(1), QuantityUnit::Pcs));
            info.quantity_unit = Some(match info.quantity_unit.clone().unwrap_or(QuantityUnit::Pcs) {
                QuantityUnit::Pcs => QuantityUnit::Kg,
                _ => QuantityUnit::Pcs,
            });
        }
        "discount" => line.discount = more(line.discount),
        "productUrl" => line.product_url = other_text(&line.product_url),
        "isReturn" => line.is_return = flip(line.is_return),
        "isShipping" => line.is_shipping = flip(line.is_shipping),
        "currency" => {
            let next = Currency::KNOWN.iter().position(|k| *k == bottom.currency).unwrap() + 1;
            bottom.currency = Currency::KNOWN[next % Currency::KNOWN.len()].clone();
        }
        "tipAmount" => bottom.tip_amount = more(bottom.tip_amount),
        "posId" => bottom.pos_id = other_text(&bottom.pos_id),
        "receiptNumber" => bottom.receipt_number = other_text(&bottom.receipt_number),
        "barcode" => {
            bottom.barcode = match bottom.barcode {
                Some(_) => None,
                None => Some(Barcode::new(BarcodeFormat::Code39, "ABC")),
            }
        }
        "barcode.format" => {
            let b = bottom.barcode.get_or_insert_with(|| Barcode::new(BarcodeFormat::Code128, "1"));
            b.format = match b.format {
                BarcodeFormat::Code128 => BarcodeFormat::Code39,
                _ => BarcodeFormat::Code128,
            };
        }
        "barcode.data" => {
            let b = bottom.barcode.get_or_insert_with(|| Barcode::new(BarcodeFormat::Code128, "1"));
            b.data = other_text(&b.data);
        }
        "paymentSources.giftCard" => {
            let s = bottom.payment_sources.get_or_insert_with(PaymentSources::new);
            s.gift_card = more(s.gift_card);
        }
        "paymentSources.card" => {
            let s = bottom.payment_sources.get_or_insert_with(PaymentSources::new);
            s.card = more(s.card);
        }
        "paymentSources.voucher" => {
            let s = bottom.payment_sources.get_or_insert_with(PaymentSources::new);
            s.voucher = more(s.voucher);
        }
        "paymentSources.cash" => {
            let s = bottom.payment_sources.get_or_insert_with(PaymentSources::new);
            s.cash = more(s.cash);
        }
        "giftCardAmount" => bottom.gift_card_amount = more(bottom.gift_card_amount),
        "terminalId" => bottom.terminal_id = other_text(&bottom.terminal_id),
        "shippingInfo" => {
            let mut info = bottom.shipping_info.clone().unwrap_or_default();
            info.amount = more(info.amount);
            bottom.shipping_info = Some(info);
        }
        "a line added" => {
            let copy = c.order_lines[i].clone();
            c.order_lines.push(copy);
        }
        "a line removed" if n > 1 => {
            c.order_lines.remove(i);
        }
        "a line removed" => c.order_lines.clear(),
        "two lines swapped" if n > 1 && c.order_lines[i] != c.order_lines[(i + 1) % n] => c.order_lines.swap(i, (i + 1) % n),
        "two lines swapped" | "a line's place" => {
            // Lines are ids in order: moving one to the end reorders them
            // unless it is the last; with one line, its id changes.
            if n > 1 && i + 1 < n {
                let moved = c.order_lines.remove(i);
                c.order_lines.push(moved);
            } else {
                c.order_lines[i].id.push('y');
            }
        }
        other => unreachable!("no change named {other}"),
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
    fn a_changed_receipt_is_different(r in receipt(), which in 0..CHANGES.len(), at in 0usize..8, n in normalise()) {
        let c = change(&r, which, at);
        let what = CHANGES[which];
        prop_assert!(!r.same_as(&c), "{what}: {r:?}\n{c:?}");
        prop_assert!(!c.same_as(&r), "{what}, the other way");
        prop_assert!(!r.same_as(&stored(&c, n)), "{what}, {n:?}");
        prop_assert!(!stored(&r, n).same_as(&c), "{what}, {n:?}, the other way");
    }
}

/// Every change is tried on every line of 64 receipts drawn with a fixed
/// seed: each change at least once, whatever the property test draws.
#[test]
fn every_change_is_seen_on_every_line_of_64_drawn_receipts() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRng, TestRunner};
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(proptest::test_runner::RngAlgorithm::ChaCha),
    );
    for _ in 0..64 {
        let r = receipt().new_tree(&mut runner).unwrap().current();
        for (which, what) in CHANGES.iter().enumerate() {
            for at in 0..r.order_lines.len() {
                let c = change(&r, which, at);
                assert!(!r.same_as(&c) && !c.same_as(&r), "{what}: {r:?}\n{c:?}");
            }
        }
    }
}
