//! Comparing receipts as the service stores them: what a merchant sent
//! against what get-order shows. Absent, `null` and the API's default are
//! the same (`isReturn`/`isShipping` false, `discount` and `tipAmount` 0,
//! `quantityUnit` PCS, no payment sources); quantities compare as decimal
//! numbers (`"2"`, `"2.0"` and `"2.00"` are equal); a deprecated
//! `taxPercentage` next to a `taxRate` is ignored when it agrees with it;
//! the deprecated bottom-line sums, which the service may compute
//! (`totalAmount`, `totalTax`, `totalDiscount`, `shippingAmount`), are not
//! compared. Everything else compares exactly: amounts, names, ids, tax,
//! unit info, links, the return and shipping marks, the currency, tip,
//! POS id, receipt number, barcode, payment sources, the lines' number and
//! order, and the deprecated inputs that only a sender writes
//! (`giftCardAmount`, `terminalId`, `shippingInfo`): this crate never sends
//! them, so a stored receipt holding them was sent by another system.

use super::enums::QuantityUnit;
use super::receipt::{BottomLine, OrderLine, Receipt, ShippingInfo, UnitInfo};

impl Receipt {
    /// `true` when `other` is this receipt as the service may store it:
    /// absent, `null` and the API's default are alike, quantities compare
    /// as numbers, a deprecated `taxPercentage` agreeing with `taxRate` is
    /// ignored, the deprecated bottom-line sums the service may compute are
    /// not compared; everything else compares exactly.
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
        let flag = |f: Option<bool>| f.unwrap_or(false);
        self.name == other.name
            && self.id == other.id
            && self.total_amount == other.total_amount
            && self.total_amount_excluding_tax == other.total_amount_excluding_tax
            && self.total_tax_amount == other.total_tax_amount
            && self.effective_tax_rate() == other.effective_tax_rate()
            && self.stray_tax_percentage() == other.stray_tax_percentage()
            && same_unit_info(self.unit_info.as_ref(), other.unit_info.as_ref())
            && self.discount.unwrap_or_default() == other.discount.unwrap_or_default()
            && self.product_url == other.product_url
            && flag(self.is_return) == flag(other.is_return)
            && flag(self.is_shipping) == flag(other.is_shipping)
    }

    /// The tax rate in hundredths of a percent: `taxRate`, else the legacy
    /// `taxPercentage` times 100.
    fn effective_tax_rate(&self) -> Option<i64> {
        match self.tax_rate {
            Some(rate) => Some(rate.as_basis_points()),
            None => self.tax_percentage.and_then(|p| p.checked_mul(100)),
        }
    }

    /// A `taxPercentage` that says something `taxRate` does not: present
    /// beside a rate it disagrees with (neither the rate truncated nor
    /// rounded to whole percent).
    fn stray_tax_percentage(&self) -> Option<i64> {
        let (rate, pct) = (self.tax_rate?.as_basis_points(), self.tax_percentage?);
        let rounded = rate.checked_add(50).map(|r| r / 100);
        let agrees = pct.checked_mul(100) == Some(rate) || pct == rate / 100 || Some(pct) == rounded;
        (!agrees).then_some(pct)
    }
}

fn same_unit_info(a: Option<&UnitInfo>, b: Option<&UnitInfo>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            let unit = |u: &UnitInfo| u.quantity_unit.clone().unwrap_or(QuantityUnit::Pcs);
            a.unit_price == b.unit_price && a.quantity == b.quantity && unit(a) == unit(b)
        }
        _ => false,
    }
}

impl BottomLine {
    /// `true` when `other` is this bottom line as the service may store it
    /// (see [`Receipt::same_as`]).
    pub fn same_as(&self, other: &BottomLine) -> bool {
        let sources = |b: &BottomLine| {
            let s = b.payment_sources.clone().unwrap_or_default();
            [s.gift_card, s.card, s.voucher, s.cash].map(Option::unwrap_or_default)
        };
        self.currency == other.currency
            && self.tip_amount.unwrap_or_default() == other.tip_amount.unwrap_or_default()
            && self.pos_id == other.pos_id
            && self.receipt_number == other.receipt_number
            && self.barcode == other.barcode
            && sources(self) == sources(other)
            && self.gift_card_amount.unwrap_or_default() == other.gift_card_amount.unwrap_or_default()
            && self.terminal_id == other.terminal_id
            && shipping_info(self) == shipping_info(other)
    }
}

/// The deprecated shipping details, an empty object counting as none.
fn shipping_info(b: &BottomLine) -> Option<&ShippingInfo> {
    b.shipping_info.as_ref().filter(|s| **s != ShippingInfo::default())
}
