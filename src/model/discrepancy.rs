//! Where a stored receipt's own numbers disagree: a line's VAT against its
//! rate, its total against its unit price, quantity and discount, its
//! three amounts against each other. The service does not check these (it
//! stopped validating sums in 2022), so a receipt another system posted
//! may hold them; support staff should see them before a customer does.

use super::amount::Amount;
use super::arithmetic::{included_tax, unit_price_times};
use super::receipt::{OrderLine, Receipt};

/// One disagreement in a line's numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Discrepancy {
    /// `totalAmount` is not `totalAmountExcludingTax + totalTaxAmount`.
    SumsDoNotAddUp {
        /// The line's index in `orderLines`.
        line: usize,
    },
    /// `totalTaxAmount` is not the VAT that the line's rate puts in its
    /// total (beyond rounding: one minor unit per unit of quantity).
    TaxDoesNotMatchRate {
        /// The line's index in `orderLines`.
        line: usize,
        /// The VAT the rate gives.
        expected: Amount,
        /// The VAT the line states.
        stated: Amount,
    },
    /// `totalAmount` is not `unit price × quantity − discount` (beyond one
    /// minor unit of rounding).
    TotalDoesNotMatchUnitPrice {
        /// The line's index in `orderLines`.
        line: usize,
        /// The total the unit price, quantity and discount give.
        expected: Amount,
        /// The total the line states.
        stated: Amount,
    },
    /// `unit price × quantity − discount` is beyond what an amount holds
    /// (64 bits of minor units): it cannot be the line's total.
    UnitPriceTimesQuantityOutOfRange {
        /// The line's index in `orderLines`.
        line: usize,
    },
    /// The quantity is not a number as the API writes them (`"2"`,
    /// `"0.5"`; not `"1e9"` or `"-2"`), so nothing can be checked against it.
    QuantityUnreadable {
        /// The line's index in `orderLines`.
        line: usize,
    },
    /// The VAT rate is outside 0 % to 100 %.
    RateOutOfRange {
        /// The line's index in `orderLines`.
        line: usize,
    },
}

impl Discrepancy {
    /// The index of the line it is about.
    pub fn line(&self) -> usize {
        match self {
            Discrepancy::SumsDoNotAddUp { line }
            | Discrepancy::TaxDoesNotMatchRate { line, .. }
            | Discrepancy::TotalDoesNotMatchUnitPrice { line, .. }
            | Discrepancy::UnitPriceTimesQuantityOutOfRange { line }
            | Discrepancy::QuantityUnreadable { line }
            | Discrepancy::RateOutOfRange { line } => *line,
        }
    }
}

impl OrderLine {
    /// How far apart a stated amount may be from the computed one and still
    /// be rounding: one minor unit per started unit of quantity.
    fn rounding_allowance(&self) -> i128 {
        let units = self
            .unit_info
            .as_ref()
            .and_then(|i| unit_price_times(Amount::from_minor(1), &i.quantity))
            .map_or(1, |q| q.max(1));
        units.max(1)
    }

    fn discrepancies(&self, line: usize) -> Vec<Discrepancy> {
        let mut found = Vec::new();
        if self.total_amount_excluding_tax.checked_add(self.total_tax_amount) != Some(self.total_amount) {
            found.push(Discrepancy::SumsDoNotAddUp { line });
        }
        match self.stated_tax_rate() {
            Some(rate) if !rate.is_valid() => found.push(Discrepancy::RateOutOfRange { line }),
            Some(rate) => {
                if let Ok(expected) = included_tax(self.total_amount, rate) {
                    let off = (i128::from(expected.minor()) - i128::from(self.total_tax_amount.minor())).abs();
                    if off > self.rounding_allowance() {
                        found.push(Discrepancy::TaxDoesNotMatchRate {
                            line,
                            expected,
                            stated: self.total_tax_amount,
                        });
                    }
                }
            }
            None => {}
        }
        let Some(info) = self.unit_info.as_ref() else {
            return found;
        };
        if !info.quantity.is_valid() {
            found.push(Discrepancy::QuantityUnreadable { line });
            return found;
        }
        let Some(gross) = info.unit_price.and_then(|price| unit_price_times(price, &info.quantity)) else {
            return found;
        };
        let expected = gross - i128::from(self.discount.unwrap_or_default().minor());
        if (expected - i128::from(self.total_amount.minor())).abs() > 1 {
            match i64::try_from(expected) {
                Ok(expected) => found.push(Discrepancy::TotalDoesNotMatchUnitPrice {
                    line,
                    expected: Amount::from_minor(expected),
                    stated: self.total_amount,
                }),
                Err(_) => found.push(Discrepancy::UnitPriceTimesQuantityOutOfRange { line }),
            }
        }
        found
    }
}

impl Receipt {
    /// Where the lines' numbers disagree, line by line (nothing for a
    /// receipt that adds up, as [`crate::ReceiptBuilder`] makes them).
    ///
    /// ```
    /// use vipps_order_management::{Amount, Currency, Discrepancy, OrderLine, Receipt, TaxRate};
    /// let a = Amount::from_minor;
    /// // 100.00 at 25 % holds 20.00 VAT, not 25.00.
    /// let mut line = OrderLine::new("1", "Socks", a(10_000), a(7_500), TaxRate::percent(25));
    /// line.total_tax_amount = a(2_500);
    /// let receipt = Receipt::new(Currency::Nok, vec![line]);
    /// assert_eq!(
    ///     receipt.discrepancies(),
    ///     vec![Discrepancy::TaxDoesNotMatchRate { line: 0, expected: a(2_000), stated: a(2_500) }]
    /// );
    /// ```
    pub fn discrepancies(&self) -> Vec<Discrepancy> {
        self.order_lines.iter().enumerate().flat_map(|(i, l)| l.discrepancies(i)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Currency, Quantity, QuantityUnit, TaxRate, UnitInfo};

    fn a(minor: i64) -> Amount {
        Amount::from_minor(minor)
    }

    #[test]
    fn a_receipt_that_adds_up_has_none() {
        let mut line = OrderLine::new("1", "Socks", a(29_800), a(23_840), TaxRate::percent(25));
        line.unit_info = Some(UnitInfo::new(a(14_900), Quantity::from(2), QuantityUnit::Pcs));
        let coffee = OrderLine::new("2", "Coffee", a(16_000), a(13_913), TaxRate::percent(15)).with_unit_info(UnitInfo::new(
            a(32_000),
            "0.5".parse().unwrap(),
            QuantityUnit::Kg,
        ));
        assert!(Receipt::new(Currency::Nok, vec![line, coffee]).discrepancies().is_empty());
    }

    #[test]
    fn numbers_that_cannot_be_right_are_named() {
        let huge = OrderLine::new("1", "Socks", a(100), a(80), TaxRate::percent(25)).with_unit_info(UnitInfo::new(
            Amount::MAX,
            Quantity::from(2),
            QuantityUnit::Pcs,
        ));
        let mut unreadable = OrderLine::new("2", "Socks", a(100), a(80), TaxRate::percent(25));
        unreadable.unit_info = serde_json::from_value(serde_json::json!({"unitPrice": 50, "quantity": "1e9"})).unwrap();
        let mut rate = OrderLine::new("3", "Socks", a(100), a(80), TaxRate::percent(25));
        rate.tax_rate = Some(TaxRate::basis_points(20_000));
        rate.total_tax_amount = a(67);
        rate.total_amount_excluding_tax = a(33);
        let found = Receipt::new(Currency::Nok, vec![huge, unreadable, rate]).discrepancies();
        assert_eq!(
            found,
            vec![
                Discrepancy::UnitPriceTimesQuantityOutOfRange { line: 0 },
                Discrepancy::QuantityUnreadable { line: 1 },
                Discrepancy::RateOutOfRange { line: 2 },
            ]
        );
        assert_eq!(found.iter().map(Discrepancy::line).collect::<Vec<_>>(), vec![0, 1, 2]);
    }

    #[test]
    fn each_disagreement_is_named_with_its_line() {
        let mut sums = OrderLine::new("1", "Socks", a(12_500), a(10_000), TaxRate::percent(25));
        sums.total_amount_excluding_tax = a(9_000);
        let mut total = OrderLine::new("2", "Socks", a(20_000), a(16_000), TaxRate::percent(25))
            .with_unit_info(UnitInfo::new(a(14_900), Quantity::from(2), QuantityUnit::Pcs))
            .with_discount(a(1_000));
        total.total_tax_amount = a(4_000);
        let found = Receipt::new(Currency::Nok, vec![sums, total]).discrepancies();
        assert_eq!(
            found,
            vec![
                Discrepancy::SumsDoNotAddUp { line: 0 },
                Discrepancy::TotalDoesNotMatchUnitPrice {
                    line: 1,
                    expected: a(28_800),
                    stated: a(20_000)
                },
            ]
        );
        assert_eq!(found[1].line(), 1);
    }

    #[test]
    fn rounding_per_unit_is_allowed() {
        // Three units each rounded: the VAT may be off by up to three øre.
        let mut line = OrderLine::new("1", "Gum", a(3_000), a(2_397), TaxRate::percent(25)).with_unit_info(UnitInfo::new(
            a(1_000),
            Quantity::from(3),
            QuantityUnit::Pcs,
        ));
        line.total_tax_amount = a(603);
        assert!(Receipt::new(Currency::Nok, vec![line.clone()]).discrepancies().is_empty());
        line.total_tax_amount = a(604);
        line.total_amount_excluding_tax = a(2_396);
        assert!(matches!(
            Receipt::new(Currency::Nok, vec![line]).discrepancies()[..],
            [Discrepancy::TaxDoesNotMatchRate { .. }]
        ));
    }
}
