//! Building receipts that add up: from unit prices, quantities, tax rates
//! and discounts, in integer minor units with one rounding rule.

use crate::error::Error;
use crate::model::arithmetic::{included_tax, rate_out_of_range, unit_price_times};
use crate::model::{Amount, Barcode, BottomLine, Currency, OrderLine, PaymentSources, Quantity, QuantityUnit, Receipt, TaxRate, UnitInfo};
use crate::money::Money;
use crate::validate::{self, Violations};

#[derive(Debug, Clone)]
enum Price {
    Unit { unit_price: Money, quantity: Quantity },
    Totals { total: Money, excluding_tax: Money, tax: Money },
}

/// One line as a merchant's system knows it, for [`ReceiptBuilder`].
///
/// From a unit price (tax included) and a quantity, the builder computes
/// the line's amounts: `total = round(unit price × quantity) − discount`,
/// `tax = round(total × rate / (10000 + rate))`, and the amount excluding
/// tax as the remainder, so the three always add up. Rounding is half away
/// from zero, in minor units; all arithmetic is exact and checked.
#[derive(Debug, Clone)]
#[must_use]
pub struct LineItem {
    id: String,
    name: String,
    price: Price,
    tax_rate: TaxRate,
    unit: QuantityUnit,
    discount: Option<Money>,
    product_url: Option<String>,
    shipping: bool,
    returned: bool,
}

impl LineItem {
    /// A line of `quantity` at `unit_price` each, tax included.
    pub fn new(id: impl Into<String>, name: impl Into<String>, unit_price: Money, quantity: Quantity, tax_rate: TaxRate) -> Self {
        LineItem {
            id: id.into(),
            name: name.into(),
            price: Price::Unit { unit_price, quantity },
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
        tax_rate: TaxRate,
    ) -> Self {
        LineItem {
            price: Price::Totals { total, excluding_tax, tax },
            ..LineItem::new(id, name, Money::zero(Currency::Nok), Quantity::from(1), tax_rate)
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

    fn to_order_line(&self, at: &str, currency: &Currency, violations: &mut Violations) -> Option<OrderLine> {
        let same_currency = |violations: &mut Violations, field: &str, m: &Money| {
            if m.currency() != currency {
                violations.fail(
                    format!("{at}.{field}"),
                    format!("is in {} but the receipt is in {currency}", m.currency()),
                );
            }
        };
        if !self.tax_rate.is_valid() {
            violations.fail(format!("{at}.taxRate"), rate_out_of_range(self.tax_rate));
            return None;
        }
        let discount = self.discount.as_ref().map(|d| {
            same_currency(violations, "discount", d);
            d.amount()
        });
        let mut line = match &self.price {
            Price::Unit { unit_price, quantity } => {
                same_currency(violations, "unitInfo.unitPrice", unit_price);
                if unit_price.amount().is_negative() {
                    violations.fail(
                        format!("{at}.unitInfo.unitPrice"),
                        format!(
                            "must be 0 or more (is {}); returns are lines marked returned()",
                            unit_price.amount().minor()
                        ),
                    );
                    return None;
                }
                let Some(gross) = unit_price_times(unit_price.amount(), quantity) else {
                    violations.fail(
                        format!("{at}.unitInfo.quantity"),
                        "must be like \"2\" or \"2.5\" (at most 8 decimals, 10 characters)",
                    );
                    return None;
                };
                let total = gross - i128::from(discount.map_or(0, Amount::minor));
                let total = match i64::try_from(total) {
                    Ok(t) if t >= 0 => Amount::from_minor(t),
                    Ok(_) => {
                        violations.fail(format!("{at}.discount"), "is larger than the line's amount");
                        return None;
                    }
                    Err(_) => {
                        violations.fail(
                            format!("{at}.totalAmount"),
                            "unit price times quantity does not fit in a 64-bit amount",
                        );
                        return None;
                    }
                };
                let tax = included_tax(total, self.tax_rate).ok()?;
                // 0 <= tax <= total, so the difference fits.
                let excluding = total.checked_sub(tax)?;
                let mut line = OrderLine::new(&self.id, &self.name, total, excluding, self.tax_rate);
                line.unit_info = Some(UnitInfo::new(unit_price.amount(), quantity.clone(), self.unit.clone()));
                line
            }
            Price::Totals { total, excluding_tax, tax } => {
                for (field, m) in [
                    ("totalAmount", total),
                    ("totalAmountExcludingTax", excluding_tax),
                    ("totalTaxAmount", tax),
                ] {
                    same_currency(violations, field, m);
                }
                let mut line = OrderLine::new(&self.id, &self.name, total.amount(), excluding_tax.amount(), self.tax_rate);
                line.total_tax_amount = tax.amount();
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
/// use vipps_order_management::{Amount, Currency, LineItem, Money, Quantity, QuantityUnit, ReceiptBuilder, TaxRate};
/// let nok = |s| Money::parse(s, Currency::Nok);
/// let vat = TaxRate::percent(25);
/// let receipt = ReceiptBuilder::new(Currency::Nok)
///     .line(LineItem::new("sku-1", "Wool socks", nok("149.00")?, Quantity::from(2), vat))
///     .line(LineItem::new("sku-2", "Coffee beans", nok("320.00")?, "0.5".parse()?, TaxRate::percent(15)).unit(QuantityUnit::Kg))
///     .line(LineItem::new("ship", "Home delivery", nok("99.00")?, Quantity::from(1), vat).shipping())
///     .line(LineItem::new("sku-3", "Cotton scarf", nok("199.00")?, Quantity::from(1), vat).returned())
///     .receipt_number("100042")
///     .build()?;
/// assert_eq!(receipt.total_amount()?, Amount::from_minor(29_800 + 16_000 + 9_900 - 19_900));
/// assert_eq!(receipt.order_lines[1].total_tax_amount, Amount::from_minor(2_087));
/// # Ok::<(), vipps_order_management::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
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

    /// How the amount was paid, per source.
    pub fn payment_sources(mut self, sources: PaymentSources) -> Self {
        self.payment_sources = Some(sources);
        self
    }

    /// The receipt's sum as the service will compute it (returns negative),
    /// before sending.
    pub fn total(&self) -> Result<Money, Error> {
        Ok(Money::new(self.build()?.total_amount()?, self.currency.clone()))
    }

    /// Computes the lines and checks the whole receipt against the API's
    /// rules (the same as [`crate::OrderHandle::post_receipt`] applies),
    /// its sums included.
    pub fn build(&self) -> Result<Receipt, Error> {
        let mut violations = Violations::default();
        let mut lines = Vec::with_capacity(self.lines.len());
        let mut whole = true;
        for (i, item) in self.lines.iter().enumerate() {
            let at = format!("orderLines[{i}]");
            match item.to_order_line(&at, &self.currency, &mut violations) {
                // Checked here, under its own index: a line that could not
                // be made does not shift the names of the others.
                Some(line) => {
                    violations.extend(validate::order_line(&at, &line));
                    lines.push(line);
                }
                None => whole = false,
            }
        }
        if self.lines.is_empty() {
            violations.fail("orderLines", "must hold at least one order line");
        }
        if let Some(tip) = &self.tip {
            if tip.currency() != &self.currency {
                violations.fail(
                    "bottomLine.tipAmount",
                    format!("is in {} but the receipt is in {}", tip.currency(), self.currency),
                );
            }
        }
        let mut bottom = BottomLine::new(self.currency.clone());
        bottom.tip_amount = self.tip.as_ref().map(Money::amount);
        bottom.pos_id = self.pos_id.clone();
        bottom.receipt_number = self.receipt_number.clone();
        bottom.barcode = self.barcode.clone();
        bottom.payment_sources = self.payment_sources.clone();
        violations.extend(validate::bottom_line(&bottom));
        violations.into_result()?;
        if !whole {
            // Every line that cannot be made reports why; this is a guard.
            return Err(Error::invalid("orderLines", "a line could not be computed"));
        }
        let receipt = Receipt::new(self.currency.clone(), lines).with_bottom_line(bottom);
        receipt.total_amount()?;
        receipt.total_tax_amount()?;
        Ok(receipt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nok(minor: i64) -> Money {
        Money::new(Amount::from_minor(minor), Currency::Nok)
    }

    #[test]
    fn a_discount_larger_than_the_line_is_refused() {
        let line = LineItem::new("1", "x", nok(500), Quantity::from(2), TaxRate::ZERO).discount(nok(1001));
        let err = ReceiptBuilder::new(Currency::Nok).line(line).build().unwrap_err();
        let Error::InvalidInput { violations, .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!(violations[0].name, "orderLines[0].discount");
        assert_eq!(violations[0].reason, "is larger than the line's amount");
        // Exactly the line's amount leaves a line of zero.
        let whole = LineItem::new("1", "x", nok(500), Quantity::from(2), TaxRate::ZERO).discount(nok(1000));
        let receipt = ReceiptBuilder::new(Currency::Nok).line(whole).build().unwrap();
        assert_eq!(receipt.order_lines[0].total_amount, Amount::ZERO);
    }

    #[test]
    fn a_tip_is_in_the_receipts_currency() {
        let line = || LineItem::new("1", "x", nok(500), Quantity::from(1), TaxRate::ZERO);
        let eur = Money::new(Amount::from_minor(100), Currency::Eur);
        let err = ReceiptBuilder::new(Currency::Nok).line(line()).tip(eur).build().unwrap_err();
        let Error::InvalidInput { violations, .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!(violations[0].name, "bottomLine.tipAmount");
        assert_eq!(violations[0].reason, "is in EUR but the receipt is in NOK");
        let receipt = ReceiptBuilder::new(Currency::Nok).line(line()).tip(nok(100)).build().unwrap();
        assert_eq!(receipt.bottom_line.tip_amount, Some(Amount::from_minor(100)));
    }

    #[test]
    fn a_rate_out_of_range_is_refused_saying_the_range() {
        let err = included_tax(Amount::from_minor(100), TaxRate::basis_points(10_001)).unwrap_err();
        let Error::InvalidInput { violations, .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!(violations[0].name, "taxRate");
        assert!(
            violations[0]
                .reason
                .starts_with("must be 0 % to 100 % (0 to 10000 hundredths of a percent), is "),
            "{}",
            violations[0].reason
        );
    }

    #[test]
    fn a_line_total_is_rounded_half_away_from_zero() {
        // 0.5 kg at 3.33 per kg = 1.665 -> 1.67
        let line = LineItem::new("1", "x", nok(333), "0.5".parse().unwrap(), TaxRate::ZERO);
        let receipt = ReceiptBuilder::new(Currency::Nok).line(line).build().unwrap();
        assert_eq!(receipt.order_lines[0].total_amount, Amount::from_minor(167));
    }

    #[test]
    fn mixed_currencies_and_bad_totals_are_refused() {
        let vat = TaxRate::percent(25);
        let eur = LineItem::new("1", "x", Money::new(Amount::from_minor(100), Currency::Eur), Quantity::from(1), vat);
        let err = ReceiptBuilder::new(Currency::Nok).line(eur).build().unwrap_err();
        assert!(err.to_string().contains("is in EUR but the receipt is in NOK"), "{err}");
        let off = LineItem::from_totals("1", "x", nok(1000), nok(800), nok(199), vat);
        let err = ReceiptBuilder::new(Currency::Nok).line(off).build().unwrap_err();
        assert!(err.to_string().contains("totalAmount"), "{err}");
        let fine = LineItem::from_totals("1", "x", nok(1000), nok(800), nok(200), vat);
        assert!(ReceiptBuilder::new(Currency::Nok).line(fine).build().is_ok());
        let too_much = LineItem::new("1", "x", nok(100), Quantity::from(1), vat).discount(nok(101));
        assert!(ReceiptBuilder::new(Currency::Nok).line(too_much).build().is_err());
        assert!(ReceiptBuilder::new(Currency::Nok).build().is_err(), "no lines");
    }

    #[test]
    fn errors_name_each_line_by_its_own_index() {
        let vat = TaxRate::percent(25);
        let err = ReceiptBuilder::new(Currency::Nok)
            .line(LineItem::new("a", "First", nok(100), Quantity::from(1), TaxRate::percent(101)))
            .line(LineItem::new("b", " ", nok(100), Quantity::from(1), vat))
            .line(LineItem::new("c", "Third", nok(100), Quantity::from(1), vat).product_url("ftp://x"))
            .line(LineItem::new("d", "Fourth", nok(-100), Quantity::from(1), vat))
            .build()
            .unwrap_err();
        let Error::InvalidInput { violations, .. } = err else {
            panic!("{err:?}")
        };
        let names: Vec<&str> = violations.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "orderLines[0].taxRate",
                "orderLines[1].name",
                "orderLines[2].productUrl",
                "orderLines[3].unitInfo.unitPrice"
            ],
            "{violations:?}"
        );
    }

    #[test]
    fn out_of_range_rates_and_overflowing_sums_are_invalid_input() {
        for rate in [TaxRate::percent(101), serde_json::from_str::<TaxRate>("-10000").unwrap()] {
            let err = included_tax(nok(100).amount(), rate).unwrap_err();
            assert!(matches!(&err, Error::InvalidInput { field, .. } if field == "taxRate"), "{err:?}");
            let line = LineItem::new("1", "x", nok(100), Quantity::from(1), rate);
            let err = ReceiptBuilder::new(Currency::Nok).line(line).build().unwrap_err();
            assert!(
                matches!(&err, Error::InvalidInput { field, .. } if field == "orderLines[0].taxRate"),
                "{err:?}"
            );
        }
        // Each line fits, their sum does not.
        let big = || LineItem::from_totals("1", "x", nok(i64::MAX), nok(i64::MAX), nok(0), TaxRate::ZERO);
        let err = ReceiptBuilder::new(Currency::Nok).line(big()).line(big()).build().unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
        // Unit price times quantity beyond 64 bits.
        let huge = LineItem::new("1", "x", nok(i64::MAX), "9999999999".parse().unwrap(), TaxRate::ZERO);
        let err = ReceiptBuilder::new(Currency::Nok).line(huge).build().unwrap_err();
        assert!(err.to_string().contains("does not fit"), "{err}");
    }
}
