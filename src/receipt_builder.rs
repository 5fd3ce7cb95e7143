//! Building receipts that add up: from unit prices, quantities, tax rates
//! and discounts, in integer minor units with one rounding rule.

use crate::error::Error;
use crate::model::{Barcode, Currency, OrderLine, PaymentSources, QuantityUnit, Receipt, UnitInfo};
use crate::money::Money;
use crate::validate::{self, Report};

/// Divides rounding half away from zero (`d > 0`).
fn round_div(n: i128, d: i128) -> i128 {
    let (q, r) = (n / d, n % d);
    if 2 * r.abs() >= d {
        q + n.signum()
    } else {
        q
    }
}

/// The tax contained in a total that includes it, at `tax_rate` hundredths
/// of a percent, rounded half away from zero: `total · rate / (10000 + rate)`.
///
/// ```
/// use vipps_order_management::tax_included;
/// assert_eq!(tax_included(12_500, 2_500), 2_500); // 125.00 at 25 %: 25.00 tax
/// assert_eq!(tax_included(16_000, 1_500), 2_087); // 160.00 at 15 %: 20.87 tax
/// ```
pub fn tax_included(total: i64, tax_rate: i64) -> i64 {
    round_div(i128::from(total) * i128::from(tax_rate), 10_000 + i128::from(tax_rate)) as i64
}

#[derive(Debug, Clone)]
enum Price {
    Unit { unit_price: Money, quantity: String },
    Totals { total: Money, excluding_tax: Money, tax: Money },
}

/// One line as a merchant's system knows it, for [`ReceiptBuilder`].
///
/// From a unit price (tax included) and a quantity, the builder computes
/// the line's amounts: `total = round(unit price × quantity) − discount`,
/// `tax = round(total × rate / (10000 + rate))`, and the amount excluding
/// tax as the remainder, so the three always add up. Rounding is half away
/// from zero, in minor units.
#[derive(Debug, Clone)]
pub struct LineItem {
    id: String,
    name: String,
    price: Price,
    tax_rate: i64,
    unit: QuantityUnit,
    discount: Option<Money>,
    product_url: Option<String>,
    shipping: bool,
    returned: bool,
}

impl LineItem {
    /// A line of `quantity` (`"2"`, `"2.5"`) at `unit_price` each, tax
    /// included, with the tax rate in hundredths of a percent (2500 = 25 %).
    pub fn new(id: impl Into<String>, name: impl Into<String>, unit_price: Money, quantity: impl Into<String>, tax_rate: i64) -> Self {
        LineItem {
            id: id.into(),
            name: name.into(),
            price: Price::Unit {
                unit_price,
                quantity: quantity.into(),
            },
            tax_rate,
            unit: QuantityUnit::Pcs,
            discount: None,
            product_url: None,
            shipping: false,
            returned: false,
        }
    }

    /// A line given by its totals; the builder checks that they add up.
    pub fn from_totals(
        id: impl Into<String>,
        name: impl Into<String>,
        total: Money,
        excluding_tax: Money,
        tax: Money,
        tax_rate: i64,
    ) -> Self {
        LineItem {
            price: Price::Totals { total, excluding_tax, tax },
            ..LineItem::new(id, name, Money::zero(Currency::Nok), "1", tax_rate)
        }
    }

    /// The unit of the quantity (default pieces).
    pub fn unit(mut self, unit: QuantityUnit) -> Self {
        self.unit = unit;
        self
    }

    /// A discount on the whole line, taken off before tax is computed.
    pub fn discount(mut self, discount: Money) -> Self {
        self.discount = Some(discount);
        self
    }

    /// A link to the product (absolute https URL).
    pub fn product_url(mut self, url: impl Into<String>) -> Self {
        self.product_url = Some(url.into());
        self
    }

    /// Marks the line as shipping.
    pub fn shipping(mut self) -> Self {
        self.shipping = true;
        self
    }

    /// Marks the line as a returned item: its amounts stay positive on the
    /// wire and count negative in the receipt's sum.
    pub fn returned(mut self) -> Self {
        self.returned = true;
        self
    }

    fn to_order_line(&self, at: &str, currency: &Currency, report: &mut Report) -> Option<OrderLine> {
        let same_currency = |report: &mut Report, field: &str, m: &Money| {
            if m.currency() != currency {
                report.fail(
                    format!("{at}.{field}"),
                    format!("is in {} but the receipt is in {currency}", m.currency()),
                );
            }
        };
        let discount = self.discount.as_ref().map(|d| {
            same_currency(report, "discount", d);
            d.minor()
        });
        let mut line = match &self.price {
            Price::Unit { unit_price, quantity } => {
                same_currency(report, "unitInfo.unitPrice", unit_price);
                if !validate::quantity_ok(quantity) {
                    report.fail(
                        format!("{at}.unitInfo.quantity"),
                        "must be like \"2\" or \"2.5\" (at most 8 decimals, 10 characters)",
                    );
                    return None;
                }
                let (whole, frac) = quantity.split_once('.').unwrap_or((quantity, ""));
                let scale = 10i128.pow(frac.len() as u32);
                let mantissa: i128 = format!("{whole}{frac}").parse().ok()?;
                let gross = round_div(i128::from(unit_price.minor()) * mantissa, scale);
                let total = gross - i128::from(discount.unwrap_or(0));
                let total = match i64::try_from(total) {
                    Ok(t) if t >= 0 => t,
                    _ => {
                        report.fail(format!("{at}.discount"), "is larger than the line's amount");
                        return None;
                    }
                };
                let tax = tax_included(total, self.tax_rate);
                let mut line = OrderLine::new(&self.id, &self.name, total, total - tax, self.tax_rate);
                line.unit_info = Some(UnitInfo::new(unit_price.minor(), quantity.clone(), self.unit.clone()));
                line
            }
            Price::Totals { total, excluding_tax, tax } => {
                for (field, m) in [
                    ("totalAmount", total),
                    ("totalAmountExcludingTax", excluding_tax),
                    ("totalTaxAmount", tax),
                ] {
                    same_currency(report, field, m);
                }
                let mut line = OrderLine::new(&self.id, &self.name, total.minor(), excluding_tax.minor(), self.tax_rate);
                line.total_tax_amount = tax.minor();
                line
            }
        };
        line.discount = discount;
        line.product_url = self.product_url.clone();
        line.is_shipping = self.shipping.then_some(true);
        line.is_return = self.returned.then_some(true);
        Some(line)
    }
}

/// Builds a [`Receipt`] whose numbers add up.
///
/// ```
/// use vipps_order_management::{Currency, LineItem, Money, QuantityUnit, ReceiptBuilder};
/// let nok = |s| Money::parse(s, Currency::Nok);
/// let receipt = ReceiptBuilder::new(Currency::Nok)
///     .line(LineItem::new("sku-1", "Wool socks", nok("149.00")?, "2", 2500))
///     .line(LineItem::new("sku-2", "Coffee beans", nok("320.00")?, "0.5", 1500).unit(QuantityUnit::Kg))
///     .line(LineItem::new("ship", "Home delivery", nok("99.00")?, "1", 2500).shipping())
///     .line(LineItem::new("sku-3", "Cotton scarf", nok("199.00")?, "1", 2500).returned())
///     .receipt_number("100042")
///     .build()?;
/// assert_eq!(receipt.total_amount(), 29_800 + 16_000 + 9_900 - 19_900);
/// assert_eq!(receipt.order_lines[1].total_tax_amount, 2_087);
/// # Ok::<(), vipps_order_management::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ReceiptBuilder {
    currency: Currency,
    lines: Vec<LineItem>,
    tip: Option<Money>,
    pos_id: Option<String>,
    receipt_number: Option<String>,
    barcode: Option<Barcode>,
    payment_sources: Option<PaymentSources>,
}

impl ReceiptBuilder {
    /// A receipt in this currency.
    pub fn new(currency: Currency) -> Self {
        ReceiptBuilder {
            currency,
            lines: Vec::new(),
            tip: None,
            pos_id: None,
            receipt_number: None,
            barcode: None,
            payment_sources: None,
        }
    }

    /// Adds a line.
    pub fn line(mut self, line: LineItem) -> Self {
        self.lines.push(line);
        self
    }

    /// Adds lines.
    pub fn lines(mut self, lines: impl IntoIterator<Item = LineItem>) -> Self {
        self.lines.extend(lines);
        self
    }

    /// The tip.
    pub fn tip(mut self, tip: Money) -> Self {
        self.tip = Some(tip);
        self
    }

    /// The POS terminal's id.
    pub fn pos_id(mut self, id: impl Into<String>) -> Self {
        self.pos_id = Some(id.into());
        self
    }

    /// The merchant's receipt number.
    pub fn receipt_number(mut self, number: impl Into<String>) -> Self {
        self.receipt_number = Some(number.into());
        self
    }

    /// A barcode (EAN-13 check digit and CODE 39 / 128 characters are checked).
    pub fn barcode(mut self, barcode: Barcode) -> Self {
        self.barcode = Some(barcode);
        self
    }

    /// How the amount was paid, in minor units per source.
    pub fn payment_sources(mut self, sources: PaymentSources) -> Self {
        self.payment_sources = Some(sources);
        self
    }

    /// The receipt's sum as the service will compute it (returns negative),
    /// before sending.
    pub fn total(&self) -> Result<Money, Error> {
        Ok(Money::new(self.build()?.total_amount(), self.currency.clone()))
    }

    /// Computes the lines and checks the whole receipt against the API's
    /// rules (the same as [`crate::OrderRequest::post_receipt`] applies).
    pub fn build(&self) -> Result<Receipt, Error> {
        let mut report = Report::default();
        let lines: Vec<OrderLine> = self
            .lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.to_order_line(&format!("orderLines[{i}]"), &self.currency, &mut report))
            .collect();
        if let Some(tip) = &self.tip {
            if tip.currency() != &self.currency {
                report.fail(
                    "bottomLine.tipAmount",
                    format!("is in {} but the receipt is in {}", tip.currency(), self.currency),
                );
            }
        }
        let mut receipt = Receipt::new(self.currency.clone(), lines);
        let b = &mut receipt.bottom_line;
        b.tip_amount = self.tip.as_ref().map(Money::minor);
        b.pos_id = self.pos_id.clone();
        b.receipt_number = self.receipt_number.clone();
        b.barcode = self.barcode.clone();
        b.payment_sources = self.payment_sources.clone();
        report.extend(validate::receipt(&receipt));
        if let Some(barcode) = &receipt.bottom_line.barcode {
            report.extend(validate::barcode("bottomLine.barcode.data", barcode));
        }
        report.into_result()?;
        Ok(receipt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_div(5, 2), 3);
        assert_eq!(round_div(-5, 2), -3);
        assert_eq!(round_div(4, 3), 1);
        assert_eq!(round_div(-4, 3), -1);
        // 0.5 kg at 3.33 per kg = 1.665 -> 1.67
        let line = LineItem::new("1", "x", Money::new(333, Currency::Nok), "0.5", 0);
        let receipt = ReceiptBuilder::new(Currency::Nok).line(line).build().unwrap();
        assert_eq!(receipt.order_lines[0].total_amount, 167);
    }

    #[test]
    fn mixed_currencies_and_bad_totals_are_refused() {
        let eur = LineItem::new("1", "x", Money::new(100, Currency::Eur), "1", 2500);
        let err = ReceiptBuilder::new(Currency::Nok).line(eur).build().unwrap_err();
        assert!(err.to_string().contains("is in EUR but the receipt is in NOK"), "{err}");
        let nok = |m| Money::new(m, Currency::Nok);
        let off = LineItem::from_totals("1", "x", nok(1000), nok(800), nok(199), 2500);
        let err = ReceiptBuilder::new(Currency::Nok).line(off).build().unwrap_err();
        assert!(err.to_string().contains("totalAmount"), "{err}");
        let fine = LineItem::from_totals("1", "x", nok(1000), nok(800), nok(200), 2500);
        assert!(ReceiptBuilder::new(Currency::Nok).line(fine).build().is_ok());
        let too_much = LineItem::new("1", "x", nok(100), "1", 2500).discount(nok(101));
        assert!(ReceiptBuilder::new(Currency::Nok).line(too_much).build().is_err());
        assert!(ReceiptBuilder::new(Currency::Nok).build().is_err(), "no lines");
    }
}
