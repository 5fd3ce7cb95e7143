//! Property tests: for random carts every built line satisfies the spec's
//! arithmetic, and the receipt's sum is what the customer pays.

use proptest::prelude::*;
use vipps_order_management::{included_tax, validate, Amount, Currency, LineItem, Money, Quantity, QuantityUnit, ReceiptBuilder, TaxRate};

#[derive(Debug, Clone)]
struct Item {
    unit_price: i64,
    quantity: String,
    tax_rate: u16,
    discount_share: u8,
    shipping: bool,
    returned: bool,
}

/// Whole quantities, or decimals with 1 to 3 places (2.5 KG, 0.822 KG).
fn quantity() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u32..100).prop_map(|q| q.to_string()),
        (0u32..100, 1u32..1000).prop_map(|(w, f)| format!("{w}.{f}")),
    ]
}

fn item() -> impl Strategy<Value = Item> {
    (0i64..1_000_000, quantity(), 0u16..=2500, 0u8..=100, any::<bool>(), any::<bool>()).prop_map(
        |(unit_price, quantity, tax_rate, discount_share, shipping, returned)| Item {
            unit_price,
            quantity,
            tax_rate,
            discount_share,
            shipping,
            returned,
        },
    )
}

/// What the customer pays for one item, computed independently: the gross
/// in exact rational arithmetic rounded half away from zero, less the discount.
fn pays(item: &Item) -> (i64, i64) {
    let (whole, frac) = item.quantity.split_once('.').unwrap_or((&item.quantity, ""));
    let scale = 10i128.pow(frac.len() as u32);
    let mantissa: i128 = format!("{whole}{frac}").parse().unwrap();
    let exact = i128::from(item.unit_price) * mantissa;
    let gross = ((2 * exact + scale) / (2 * scale)) as i64; // non-negative: half up
    let discount = gross * i64::from(item.discount_share) / 100;
    (gross - discount, discount)
}

proptest! {
    #[test]
    fn built_receipts_add_up(items in prop::collection::vec(item(), 1..20)) {
        let nok = |m| Money::new(Amount::from_minor(m), Currency::Nok);
        let mut builder = ReceiptBuilder::new(Currency::Nok);
        let mut expected_sum = 0i64;
        for (i, item) in items.iter().enumerate() {
            let (total, discount) = pays(item);
            let quantity: Quantity = item.quantity.parse().unwrap();
            let rate = TaxRate::basis_points(item.tax_rate);
            let mut line = LineItem::new(format!("sku-{i}"), format!("Item {i}"), nok(item.unit_price), quantity, rate)
                .unit(QuantityUnit::Kg)
                .discount(nok(discount));
            if item.shipping { line = line.shipping(); }
            if item.returned { line = line.returned(); }
            expected_sum += if item.returned { -total } else { total };
            builder = builder.line(line);
        }
        let receipt = builder.build().unwrap();
        prop_assert!(validate::receipt(&receipt).is_empty());
        // One line per item, in order: the zip below compares them all.
        prop_assert_eq!(receipt.order_lines.len(), items.len());
        for (line, item) in receipt.order_lines.iter().zip(&items) {
            let (total, _) = pays(item);
            let (tax, excluding) = (line.total_tax_amount.minor(), line.total_amount_excluding_tax.minor());
            prop_assert_eq!(line.total_amount.minor(), total);
            prop_assert_eq!(total, excluding + tax);
            prop_assert_eq!(line.total_tax_amount, included_tax(Amount::from_minor(total), TaxRate::basis_points(item.tax_rate)).unwrap());
            prop_assert!(tax >= 0 && excluding >= 0);
            // The tax is within half a minor unit of the exact tax.
            let exact = total as f64 * f64::from(item.tax_rate) / (10_000.0 + f64::from(item.tax_rate));
            prop_assert!((tax as f64 - exact).abs() <= 0.5 + 1e-6);
        }
        prop_assert_eq!(receipt.total_amount().unwrap().minor(), expected_sum);
        prop_assert_eq!(builder.total().unwrap().amount().minor(), expected_sum);
    }
}

/// The old name of `included_tax` gives the same tax, and refuses the same
/// rates.
#[test]
#[allow(deprecated)]
fn tax_included_is_included_tax_by_its_old_name() {
    use vipps_order_management::tax_included;
    for (total, rate) in [(12_500, 25), (16_000, 15), (-19_900, 25), (0, 0)] {
        let (total, rate) = (Amount::from_minor(total), TaxRate::percent(rate));
        assert_eq!(tax_included(total, rate).unwrap(), included_tax(total, rate).unwrap());
    }
    assert_eq!(
        tax_included(Amount::from_minor(12_500), TaxRate::percent(25)).unwrap(),
        Amount::from_minor(2_500)
    );
    assert!(tax_included(Amount::from_minor(100), TaxRate::basis_points(10_001)).is_err());
}
