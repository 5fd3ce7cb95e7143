//! The receipt: order lines and a bottom line (`Receipt` in the spec).

use serde::{Deserialize, Deserializer, Serialize};

use super::amount::Amount;
use super::enums::{BarcodeFormat, Currency, QuantityUnit};
use super::lenient::null_as_default;
use super::quantity::Quantity;
use super::tax_rate::TaxRate;
use crate::error::Error;

/// A receipt: what the customer bought, shown on the payment in the app.
///
/// Amounts are [`Amount`]s in minor units (øre, cents): 149.90 NOK is
/// `Amount::from_minor(14990)`. A receipt is written once per order. Build
/// one with [`Receipt::new`], or with [`crate::ReceiptBuilder`] from unit
/// prices and quantities.
///
/// ```
/// use vipps_order_management::{Amount, Currency, OrderLine, Receipt, TaxRate};
/// let line = OrderLine::new("sku-1", "Socks", Amount::from_minor(25_000), Amount::from_minor(20_000), TaxRate::percent(25));
/// let receipt = Receipt::new(Currency::Nok, vec![line]);
/// assert_eq!(receipt.total_amount()?, Amount::from_minor(25_000));
/// # Ok::<(), vipps_order_management::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Receipt {
    /// The order lines; at least one. Shipping is a line with `is_shipping`,
    /// a returned item a line with `is_return`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub order_lines: Vec<OrderLine>,
    /// Currency and the other receipt-wide facts.
    #[serde(default = "BottomLine::unknown", deserialize_with = "bottom_line_or_unknown")]
    pub bottom_line: BottomLine,
}

fn bottom_line_or_unknown<'de, D: Deserializer<'de>>(d: D) -> Result<BottomLine, D::Error> {
    Ok(Option::<BottomLine>::deserialize(d)?.unwrap_or_else(BottomLine::unknown))
}

/// An error for a sum that does not fit the API's 64-bit amounts.
fn overflow(field: &str) -> Error {
    Error::invalid(field, "the sum does not fit in a 64-bit amount (minor units); check the amounts")
}

impl Receipt {
    /// A receipt of these lines in this currency.
    #[must_use]
    pub fn new(currency: Currency, order_lines: Vec<OrderLine>) -> Self {
        Receipt {
            order_lines,
            bottom_line: BottomLine::new(currency),
        }
    }

    /// Sets the bottom line (tip, receipt number, barcode, ...).
    #[must_use]
    pub fn with_bottom_line(mut self, bottom_line: BottomLine) -> Self {
        self.bottom_line = bottom_line;
        self
    }

    /// The receipt's sum as the service computes it: the lines'
    /// `totalAmount`, return lines counted negative. An
    /// [`Error::InvalidInput`] when it does not fit in 64 bits.
    pub fn total_amount(&self) -> Result<Amount, Error> {
        self.sum(|line| line.total_amount, "orderLines[].totalAmount")
    }

    /// The receipt's tax as the service computes it (returns negative).
    pub fn total_tax_amount(&self) -> Result<Amount, Error> {
        self.sum(|line| line.total_tax_amount, "orderLines[].totalTaxAmount")
    }

    /// The receipt's sum before tax: the lines' `totalAmountExcludingTax`,
    /// return lines counted negative. An [`Error::InvalidInput`] when it
    /// does not fit in 64 bits.
    pub fn total_amount_excluding_tax(&self) -> Result<Amount, Error> {
        self.sum(|line| line.total_amount_excluding_tax, "orderLines[].totalAmountExcludingTax")
    }

    fn sum(&self, amount: fn(&OrderLine) -> Amount, field: &str) -> Result<Amount, Error> {
        signed_sum(self.order_lines.iter(), amount, field)
    }
}

/// The `amount` of `lines`, return lines counted negative, added exactly
/// (in `i128`, which no list of 64-bit amounts can overflow); an
/// [`Error::InvalidInput`] naming `field` when the sum does not fit the
/// API's 64 bits.
pub(crate) fn signed_sum<'a>(
    lines: impl Iterator<Item = &'a OrderLine>,
    amount: fn(&OrderLine) -> Amount,
    field: &str,
) -> Result<Amount, Error> {
    let exact: i128 = lines.map(|line| line.counted(amount(line))).sum();
    i64::try_from(exact).map(Amount::from_minor).map_err(|_| overflow(field))
}

/// One line of a receipt (`OrderLine` in the spec).
///
/// `total_amount` must equal `total_amount_excluding_tax + total_tax_amount`;
/// the client checks this before sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OrderLine {
    /// Product name as the customer sees it.
    #[serde(default, deserialize_with = "null_as_default")]
    pub name: String,
    /// The merchant's product id.
    #[serde(default, deserialize_with = "null_as_default")]
    pub id: String,
    /// Total of the line, tax and discount included.
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_amount: Amount,
    /// Total of the line, discount included, tax excluded.
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_amount_excluding_tax: Amount,
    /// Tax of the line.
    #[serde(default, deserialize_with = "null_as_default")]
    pub total_tax_amount: Amount,
    /// The tax rate (0 % to 100 %).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_rate: Option<TaxRate>,
    /// Legacy whole-percent tax (0 to 100), from before `taxRate` existed.
    /// Deprecated by the API: set [`Self::tax_rate`] instead. Kept so that
    /// receipts written by older systems read and compare, and sent only
    /// when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_percentage: Option<i64>,
    /// Unit price and quantity; without it the line is one piece.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_info: Option<UnitInfo>,
    /// Total discount on the line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Amount>,
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
    /// A line from its total, its total excluding tax, and its tax rate.
    /// The tax amount is the difference of the two. (Negative amounts are
    /// refused by validation; the difference saturates rather than wrap,
    /// so it can never pass as a valid amount.)
    #[must_use]
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        total_amount: Amount,
        total_amount_excluding_tax: Amount,
        tax_rate: TaxRate,
    ) -> Self {
        let tax = Amount::from_minor(total_amount.minor().saturating_sub(total_amount_excluding_tax.minor()));
        OrderLine {
            name: name.into(),
            id: id.into(),
            total_amount,
            total_amount_excluding_tax,
            total_tax_amount: tax,
            tax_rate: Some(tax_rate),
            tax_percentage: None,
            unit_info: None,
            discount: None,
            product_url: None,
            is_return: None,
            is_shipping: None,
        }
    }

    /// Sets unit price and quantity.
    #[must_use]
    pub fn with_unit_info(mut self, unit_info: UnitInfo) -> Self {
        self.unit_info = Some(unit_info);
        self
    }

    /// Sets the discount.
    #[must_use]
    pub fn with_discount(mut self, discount: Amount) -> Self {
        self.discount = Some(discount);
        self
    }

    /// Sets the product link.
    #[must_use]
    pub fn with_product_url(mut self, url: impl Into<String>) -> Self {
        self.product_url = Some(url.into());
        self
    }

    /// Marks the line as shipping.
    #[must_use]
    pub fn shipping(mut self) -> Self {
        self.is_shipping = Some(true);
        self
    }

    /// Marks the line as a returned item (counted negative).
    #[must_use]
    pub fn returned(mut self) -> Self {
        self.is_return = Some(true);
        self
    }

    /// `amount` (one of this line's amounts) as the receipt counts it,
    /// in minor units: negative on a returned line. The one place that
    /// rule is written. Exact: in `i128`, where the negation of any 64-bit
    /// amount fits, so no overflow rule is needed.
    ///
    /// ```
    /// use vipps_order_management::{Amount, OrderLine, TaxRate};
    /// let scarf = OrderLine::new("2", "Scarf", Amount::from_minor(19_900), Amount::from_minor(15_920), TaxRate::percent(25));
    /// assert_eq!(scarf.counted(scarf.total_amount), 19_900);
    /// let scarf = scarf.returned();
    /// assert_eq!(scarf.counted(scarf.total_amount), -19_900);
    /// assert_eq!(scarf.counted(Amount::from_minor(i64::MIN)), -i128::from(i64::MIN));
    /// ```
    pub fn counted(&self, amount: Amount) -> i128 {
        let minor = i128::from(amount.minor());
        if self.is_return == Some(true) {
            -minor
        } else {
            minor
        }
    }

    /// The line's total as it counts in the receipt's sum (negative for
    /// returns, see [`OrderLine::counted`]); `None` when that does not fit
    /// in 64 bits.
    ///
    /// ```
    /// use vipps_order_management::{Amount, OrderLine, TaxRate};
    /// let line = |total| OrderLine::new("1", "x", Amount::from_minor(total), Amount::from_minor(total), TaxRate::ZERO);
    /// assert_eq!(line(19_900).signed_total(), Some(Amount::from_minor(19_900)));
    /// assert_eq!(line(19_900).returned().signed_total(), Some(Amount::from_minor(-19_900)));
    /// assert_eq!(line(i64::MIN).returned().signed_total(), None);
    /// assert_eq!(line(i64::MIN).signed_total(), Some(Amount::MIN));
    /// ```
    pub fn signed_total(&self) -> Option<Amount> {
        i64::try_from(self.counted(self.total_amount)).ok().map(Amount::from_minor)
    }
}

/// Unit price and quantity of an order line (`UnitInfo` in the spec).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UnitInfo {
    /// Price per unit, tax included, discount excluded. Required by the
    /// API but nullable: `None` is sent as `null`.
    #[serde(default)]
    pub unit_price: Option<Amount>,
    /// The quantity (display only; the service does not multiply it).
    #[serde(default = "no_quantity")]
    pub quantity: Quantity,
    /// Unit of the quantity; the API assumes pieces when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_unit: Option<QuantityUnit>,
}

fn no_quantity() -> Quantity {
    Quantity::from_raw(String::new())
}

impl UnitInfo {
    /// Unit price, quantity and unit.
    #[must_use]
    pub fn new(unit_price: Amount, quantity: Quantity, unit: QuantityUnit) -> Self {
        UnitInfo {
            unit_price: Some(unit_price),
            quantity,
            quantity_unit: Some(unit),
        }
    }
}

/// Receipt-wide facts (`BottomLine` in the spec). The sums are computed by
/// the service from the order lines.
///
/// The deprecated fields (`gift_card_amount` and the rest below
/// `receipt_number`) are for reading receipts that older systems posted:
/// they are shown by get-order, never sent by this crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BottomLine {
    /// The receipt's currency.
    #[serde(default, deserialize_with = "null_as_default")]
    pub currency: Currency,
    /// Tip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tip_amount: Option<Amount>,
    /// The POS terminal's device number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pos_id: Option<String>,
    /// How the amount was paid, per source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_sources: Option<PaymentSources>,
    /// A barcode shown with the receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode: Option<Barcode>,
    /// The merchant's receipt number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_number: Option<String>,
    /// Deprecated by the API (read only, never sent): amount paid by gift
    /// card or coupon. Use [`PaymentSources::gift_card`].
    #[serde(default, skip_serializing)]
    pub gift_card_amount: Option<Amount>,
    /// Deprecated by the API (read only, never sent): the sum, now
    /// computed by the service from the lines.
    #[serde(default, skip_serializing)]
    pub total_amount: Option<Amount>,
    /// Deprecated by the API (read only, never sent): the tax, now computed
    /// from the lines.
    #[serde(default, skip_serializing)]
    pub total_tax: Option<Amount>,
    /// Deprecated by the API (read only, never sent): the discount, now
    /// computed from the lines.
    #[serde(default, skip_serializing)]
    pub total_discount: Option<Amount>,
    /// Deprecated by the API (read only, never sent): shipping, now a line
    /// with `isShipping`.
    #[serde(default, skip_serializing)]
    pub shipping_amount: Option<Amount>,
    /// Deprecated by the API (read only, never sent): shipping details,
    /// now a line with `isShipping`.
    #[serde(default, skip_serializing)]
    pub shipping_info: Option<ShippingInfo>,
    /// Deprecated by the API (read only, never sent): the terminal, now
    /// [`Self::pos_id`].
    #[serde(default, skip_serializing)]
    pub terminal_id: Option<String>,
}

impl BottomLine {
    /// A bottom line with only the currency.
    #[must_use]
    pub fn new(currency: Currency) -> Self {
        BottomLine {
            currency,
            tip_amount: None,
            pos_id: None,
            payment_sources: None,
            barcode: None,
            receipt_number: None,
            gift_card_amount: None,
            total_amount: None,
            total_tax: None,
            total_discount: None,
            shipping_amount: None,
            shipping_info: None,
            terminal_id: None,
        }
    }

    /// A bottom line read without a currency.
    fn unknown() -> Self {
        BottomLine::new(Currency::default())
    }

    /// Sets the tip.
    #[must_use]
    pub fn with_tip(mut self, tip: Amount) -> Self {
        self.tip_amount = Some(tip);
        self
    }

    /// Sets the POS terminal's device number.
    #[must_use]
    pub fn with_pos_id(mut self, pos_id: impl Into<String>) -> Self {
        self.pos_id = Some(pos_id.into());
        self
    }

    /// Sets how the amount was paid.
    #[must_use]
    pub fn with_payment_sources(mut self, sources: PaymentSources) -> Self {
        self.payment_sources = Some(sources);
        self
    }

    /// Sets the barcode.
    #[must_use]
    pub fn with_barcode(mut self, barcode: Barcode) -> Self {
        self.barcode = Some(barcode);
        self
    }

    /// Sets the merchant's receipt number.
    #[must_use]
    pub fn with_receipt_number(mut self, number: impl Into<String>) -> Self {
        self.receipt_number = Some(number.into());
        self
    }
}

/// Split of the payment by source.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PaymentSources {
    /// Paid by gift card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift_card: Option<Amount>,
    /// Paid by card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<Amount>,
    /// Paid by voucher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher: Option<Amount>,
    /// Paid in cash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cash: Option<Amount>,
}

impl PaymentSources {
    /// No source set.
    #[must_use]
    pub fn new() -> Self {
        PaymentSources::default()
    }

    /// Sets the amount paid by gift card.
    #[must_use]
    pub fn with_gift_card(mut self, amount: Amount) -> Self {
        self.gift_card = Some(amount);
        self
    }

    /// Sets the amount paid by card.
    #[must_use]
    pub fn with_card(mut self, amount: Amount) -> Self {
        self.card = Some(amount);
        self
    }

    /// Sets the amount paid by voucher.
    #[must_use]
    pub fn with_voucher(mut self, amount: Amount) -> Self {
        self.voucher = Some(amount);
        self
    }

    /// Sets the amount paid in cash.
    #[must_use]
    pub fn with_cash(mut self, amount: Amount) -> Self {
        self.cash = Some(amount);
        self
    }
}

/// A barcode printed with the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Barcode {
    /// The symbology.
    #[serde(default, deserialize_with = "null_as_default")]
    pub format: BarcodeFormat,
    /// The encoded data. The API makes it required but nullable, so a
    /// stored receipt may carry `None`; this crate refuses to send a
    /// barcode without data (leave the barcode out instead).
    #[serde(default)]
    pub data: Option<String>,
}

impl Barcode {
    /// A barcode of this format and data.
    #[must_use]
    pub fn new(format: BarcodeFormat, data: impl Into<String>) -> Self {
        Barcode {
            format,
            data: Some(data.into()),
        }
    }
}

/// Deprecated by the API (read only): shipping given apart from the lines
/// (`ShippingInfo` in the spec), as older systems posted it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ShippingInfo {
    /// Shipping, tax and discount included.
    #[serde(default)]
    pub amount: Option<Amount>,
    /// Shipping excluding tax.
    #[serde(default)]
    pub amount_excluding_tax: Option<Amount>,
    /// Tax on the shipping.
    #[serde(default)]
    pub tax_amount: Option<Amount>,
    /// Tax percentage of the shipping (0 to 100).
    #[serde(default)]
    pub tax_percentage: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TaxRate;

    fn line(total: i64) -> OrderLine {
        OrderLine::new("1", "x", Amount::from_minor(total), Amount::from_minor(total), TaxRate::ZERO)
    }

    /// A return counts negative, exactly, and a total that does not fit
    /// 64 bits once negated is said to.
    #[test]
    fn a_line_counts_as_the_receipt_counts_it() {
        assert_eq!(line(19_900).counted(Amount::from_minor(19_900)), 19_900);
        assert_eq!(line(19_900).returned().counted(Amount::from_minor(19_900)), -19_900);
        assert_eq!(line(19_900).signed_total(), Some(Amount::from_minor(19_900)));
        assert_eq!(line(19_900).returned().signed_total(), Some(Amount::from_minor(-19_900)));
        assert_eq!(line(i64::MIN).signed_total(), Some(Amount::MIN));
        assert_eq!(line(i64::MIN).returned().signed_total(), None);
        assert_eq!(line(i64::MIN).returned().counted(Amount::MIN), -i128::from(i64::MIN));
    }
}
