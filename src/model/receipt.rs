//! The receipt: order lines and a bottom line (`Receipt` in the spec).

use serde::{Deserialize, Serialize};

use super::enums::{BarcodeFormat, Currency, QuantityUnit};
use super::lenient::null_as_default;

/// A receipt: what the customer bought, shown on the payment in the app.
///
/// Amounts are integers in minor units (øre, cents): 149.90 NOK is `14990`.
/// A receipt is written once per order; a second one is refused (409).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    /// The order lines; at least one. Shipping is a line with `is_shipping`,
    /// a returned item a line with `is_return`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub order_lines: Vec<OrderLine>,
    /// Currency and the other receipt-wide facts.
    #[serde(default, deserialize_with = "null_as_default")]
    pub bottom_line: BottomLine,
}

impl Receipt {
    /// A receipt of these lines in this currency.
    pub fn new(currency: Currency, order_lines: Vec<OrderLine>) -> Self {
        Receipt {
            order_lines,
            bottom_line: BottomLine::new(currency),
        }
    }

    /// The receipt's sum as the service computes it: the lines' `totalAmount`,
    /// return lines counted negative.
    pub fn total_amount(&self) -> i64 {
        self.order_lines.iter().map(OrderLine::signed_total).sum()
    }

    /// The receipt's tax as the service computes it (returns negative).
    pub fn total_tax_amount(&self) -> i64 {
        self.order_lines.iter().map(|line| line.sign() * line.total_tax_amount).sum()
    }
}

/// One line of a receipt (`OrderLine` in the spec).
///
/// `total_amount` must equal `total_amount_excluding_tax + total_tax_amount`;
/// the crate checks this before sending.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    /// Product name as the customer sees it.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// The merchant's product id.
    #[serde(default, deserialize_with = "null_as_default")]
    pub id: String,
    /// Total of the line in minor units, tax and discount included.
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_amount: i64,
    /// Total of the line, discount included, tax excluded.
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_amount_excluding_tax: i64,
    /// Tax of the line.
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_tax_amount: i64,
    /// Tax rate in hundredths of a percent: `2500` is 25 %. 0..=10000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate: Option<i64>,
    /// Legacy whole-percent tax (0..=100), from before `taxRate` existed.
    /// Deprecated by the API: set [`Self::tax_rate`] instead. Kept so that
    /// receipts written by older systems decode, and sent only when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_percentage: Option<i64>,
    /// Unit price and quantity; without it the line is one piece.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_info: Option<UnitInfo>,
    /// Total discount on the line, in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<i64>,
    /// Link to the product at the merchant (absolute https URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_url: Option<String>,
    /// A returned item: counts negative in the receipt's sums.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_return: Option<bool>,
    /// A shipping line: shown as shipping in the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_shipping: Option<bool>,
}

impl OrderLine {
    /// A line from its totals and tax rate (hundredths of a percent).
    ///
    /// The tax amount is `total_amount - total_amount_excluding_tax`.
    pub fn new(id: impl Into<String>, name: impl Into<String>, total_amount: i64, total_amount_excluding_tax: i64, tax_rate: i64) -> Self {
        OrderLine {
            name: name.into(),
            id: id.into(),
            total_amount,
            total_amount_excluding_tax,
            total_tax_amount: total_amount - total_amount_excluding_tax,
            tax_rate: Some(tax_rate),
            ..OrderLine::default()
        }
    }

    /// Sets unit price and quantity.
    pub fn with_unit_info(mut self, unit_info: UnitInfo) -> Self {
        self.unit_info = Some(unit_info);
        self
    }

    /// Sets the discount.
    pub fn with_discount(mut self, discount: i64) -> Self {
        self.discount = Some(discount);
        self
    }

    /// Sets the product link.
    pub fn with_product_url(mut self, url: impl Into<String>) -> Self {
        self.product_url = Some(url.into());
        self
    }

    /// Marks the line as shipping.
    pub fn shipping(mut self) -> Self {
        self.is_shipping = Some(true);
        self
    }

    /// Marks the line as a returned item (counted negative).
    pub fn returned(mut self) -> Self {
        self.is_return = Some(true);
        self
    }

    fn sign(&self) -> i64 {
        if self.is_return == Some(true) {
            -1
        } else {
            1
        }
    }

    /// The line's total as it counts in the receipt's sum (negative for returns).
    pub fn signed_total(&self) -> i64 {
        self.sign() * self.total_amount
    }
}

/// Unit price and quantity of an order line (`UnitInfo` in the spec).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnitInfo {
    /// Price per unit, tax included, discount excluded, minor units.
    #[serde(default, deserialize_with = "null_as_default")]
    pub unit_price: i64,
    /// Quantity as a decimal string: `"3"`, `"2.5"`, at most 8 decimals and
    /// 10 characters. Display only; the service does not multiply it.
    #[serde(default, deserialize_with = "null_as_default")]
    pub quantity: String,
    /// Unit of the quantity; the API assumes pieces when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_unit: Option<QuantityUnit>,
}

impl UnitInfo {
    /// Unit price, quantity and unit.
    pub fn new(unit_price: i64, quantity: impl Into<String>, unit: QuantityUnit) -> Self {
        UnitInfo {
            unit_price,
            quantity: quantity.into(),
            quantity_unit: Some(unit),
        }
    }
}

/// Receipt-wide facts (`BottomLine` in the spec). The sums are computed by
/// the service from the order lines; the deprecated sum fields are not
/// offered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BottomLine {
    /// The receipt's currency.
    #[serde(default, deserialize_with = "null_as_default")]
    pub currency: Currency,
    /// Tip, in minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip_amount: Option<i64>,
    /// The POS terminal's device number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pos_id: Option<String>,
    /// How the amount was paid, in minor units per source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_sources: Option<PaymentSources>,
    /// A barcode shown with the receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode: Option<Barcode>,
    /// The merchant's receipt number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_number: Option<String>,
}

impl Default for BottomLine {
    fn default() -> Self {
        BottomLine::new(Currency::Nok)
    }
}

impl BottomLine {
    /// A bottom line with only the currency.
    pub fn new(currency: Currency) -> Self {
        BottomLine {
            currency,
            tip_amount: None,
            pos_id: None,
            payment_sources: None,
            barcode: None,
            receipt_number: None,
        }
    }
}

/// Split of the payment by source, in minor units.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentSources {
    /// Paid by gift card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift_card: Option<i64>,
    /// Paid by card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<i64>,
    /// Paid by voucher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher: Option<i64>,
    /// Paid in cash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cash: Option<i64>,
}

/// A barcode printed with the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Barcode {
    /// The symbology.
    #[serde(default, deserialize_with = "null_as_default")]
    pub format: BarcodeFormat,
    /// The encoded data.
    #[serde(default, deserialize_with = "null_as_default")]
    pub data: String,
}

impl Barcode {
    /// A barcode of this format and data.
    pub fn new(format: BarcodeFormat, data: impl Into<String>) -> Self {
        Barcode { format, data: data.into() }
    }
}

/// Comparing receipts as the service stores them: what a merchant sent
/// against what get-order shows. Absent, `null` and the API's default are
/// the same (`isReturn`/`isShipping` false, `discount` and `tipAmount` 0,
/// `quantityUnit` PCS, no payment sources); quantities compare as decimal
/// numbers (`"2"`, `"2.0"` and `"2.00"` are equal); a deprecated
/// `taxPercentage` next to a `taxRate` is ignored when it agrees with it.
/// Amounts, names, ids, the currency, and the lines' number and order
/// compare exactly.
impl Receipt {
    /// `true` when `other` is this receipt as the service may store it.
    pub fn same_as(&self, other: &Receipt) -> bool {
        self.order_lines.len() == other.order_lines.len()
            && self.order_lines.iter().zip(&other.order_lines).all(|(a, b)| a.same_as(b))
            && self.bottom_line.same_as(&other.bottom_line)
    }
}

impl OrderLine {
    /// `true` when `other` is this line as the service may store it (see
    /// [`Receipt::same_as`]).
    pub fn same_as(&self, other: &OrderLine) -> bool {
        self.name == other.name
            && self.id == other.id
            && self.total_amount == other.total_amount
            && self.total_amount_excluding_tax == other.total_amount_excluding_tax
            && self.total_tax_amount == other.total_tax_amount
            && self.effective_tax_rate() == other.effective_tax_rate()
            && self.stray_tax_percentage() == other.stray_tax_percentage()
            && same_unit_info(self.unit_info.as_ref(), other.unit_info.as_ref())
            && self.discount.unwrap_or(0) == other.discount.unwrap_or(0)
            && self.product_url == other.product_url
            && self.is_return.unwrap_or(false) == other.is_return.unwrap_or(false)
            && self.is_shipping.unwrap_or(false) == other.is_shipping.unwrap_or(false)
    }

    /// The tax rate in hundredths of a percent: `taxRate`, else the legacy
    /// `taxPercentage` times 100.
    fn effective_tax_rate(&self) -> Option<i64> {
        self.tax_rate.or_else(|| self.tax_percentage.and_then(|p| p.checked_mul(100)))
    }

    /// A `taxPercentage` that says something `taxRate` does not: present
    /// beside a rate it disagrees with (neither the rate truncated nor
    /// rounded to whole percent).
    fn stray_tax_percentage(&self) -> Option<i64> {
        let (rate, pct) = (self.tax_rate?, self.tax_percentage?);
        let agrees = pct.checked_mul(100) == Some(rate) || pct == rate / 100 || Some(pct) == rate.checked_add(50).map(|r| r / 100);
        (!agrees).then_some(pct)
    }
}

fn same_unit_info(a: Option<&UnitInfo>, b: Option<&UnitInfo>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            a.unit_price == b.unit_price
                && same_quantity(&a.quantity, &b.quantity)
                && a.quantity_unit.as_ref().unwrap_or(&QuantityUnit::Pcs) == b.quantity_unit.as_ref().unwrap_or(&QuantityUnit::Pcs)
        }
        _ => false,
    }
}

/// Decimal equality of two quantity strings; text that is not a decimal
/// number compares as text.
fn same_quantity(a: &str, b: &str) -> bool {
    fn canonical(q: &str) -> Option<(&str, &str)> {
        let (whole, frac) = q.split_once('.').unwrap_or((q, ""));
        let digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(frac) || (q.contains('.') && frac.is_empty()) {
            return None;
        }
        let whole = whole.trim_start_matches('0');
        Some((if whole.is_empty() { "0" } else { whole }, frac.trim_end_matches('0')))
    }
    match (canonical(a), canonical(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

impl BottomLine {
    /// `true` when `other` is this bottom line as the service may store it
    /// (see [`Receipt::same_as`]).
    pub fn same_as(&self, other: &BottomLine) -> bool {
        let sources = |b: &BottomLine| {
            let s = b.payment_sources.clone().unwrap_or_default();
            [s.gift_card, s.card, s.voucher, s.cash].map(|v| v.unwrap_or(0))
        };
        self.currency == other.currency
            && self.tip_amount.unwrap_or(0) == other.tip_amount.unwrap_or(0)
            && self.pos_id == other.pos_id
            && self.receipt_number == other.receipt_number
            && self.barcode == other.barcode
            && sources(self) == sources(other)
    }
}
