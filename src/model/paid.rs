//! What the customer paid, as the receipt tells it: the lines' sum and
//! the tip, and whether the payment sources (card, gift card, voucher,
//! cash) account for it. Summed exactly, as the service sums the lines.

use super::amount::Amount;
use super::receipt::Receipt;
use crate::error::Error;

/// What the customer paid, by the receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Paid {
    /// The lines' sum, returns negative ([`Receipt::total_amount`]).
    pub lines: Amount,
    /// The tip (zero when the receipt gives none).
    pub tip: Amount,
    /// What the customer paid: the lines' sum and the tip.
    pub total: Amount,
    /// The payment sources' sum, when the receipt gives any.
    pub sources: Option<Amount>,
}

impl Paid {
    /// `Some(true)` when the payment sources add up to the total paid,
    /// `Some(false)` when they do not, `None` when the receipt gives none.
    #[must_use]
    pub fn sources_match(&self) -> Option<bool> {
        self.sources.map(|sources| sources == self.total)
    }
}

/// An error for a payment sum that does not fit the API's 64 bits.
fn overflow(field: &str) -> Error {
    Error::invalid(field, "the sum does not fit in a 64-bit amount (minor units); check the amounts")
}

impl Receipt {
    /// What the customer paid: the lines' sum and the tip, and the payment
    /// sources' sum when the receipt gives them. An
    /// [`Error::InvalidInput`] when a sum does not fit the API's 64 bits.
    ///
    /// ```
    /// use vipps_order_management::{Amount, BottomLine, Currency, OrderLine, PaymentSources, Receipt, TaxRate};
    /// let a = Amount::from_minor;
    /// let mut bottom = BottomLine::new(Currency::Nok);
    /// bottom.tip_amount = Some(a(2_000));
    /// bottom.payment_sources = Some(PaymentSources::new().with_card(a(10_000)).with_gift_card(a(4_500)));
    /// let receipt = Receipt::new(Currency::Nok, vec![
    ///     OrderLine::new("1", "Socks", a(12_500), a(10_000), TaxRate::percent(25)),
    /// ])
    /// .with_bottom_line(bottom);
    /// let paid = receipt.paid()?;
    /// assert_eq!((paid.lines, paid.tip, paid.total, paid.sources), (a(12_500), a(2_000), a(14_500), Some(a(14_500))));
    /// assert_eq!(paid.sources_match(), Some(true));
    /// # Ok::<(), vipps_order_management::Error>(())
    /// ```
    pub fn paid(&self) -> Result<Paid, Error> {
        let lines = self.total_amount()?;
        let tip = self.bottom_line.tip_amount.unwrap_or(Amount::ZERO);
        let total = lines.checked_add(tip).ok_or_else(|| overflow("bottomLine.tipAmount"))?;
        let sources = match &self.bottom_line.payment_sources {
            Some(s) => {
                let parts = [s.card, s.gift_card, s.voucher, s.cash];
                if parts.iter().all(Option::is_none) {
                    None
                } else {
                    let exact: i128 = parts.iter().flatten().map(|a| i128::from(a.minor())).sum();
                    Some(
                        i64::try_from(exact)
                            .map(Amount::from_minor)
                            .map_err(|_| overflow("bottomLine.paymentSources"))?,
                    )
                }
            }
            None => None,
        };
        Ok(Paid {
            lines,
            tip,
            total,
            sources,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BottomLine, Currency, OrderLine, PaymentSources, TaxRate};

    fn receipt(lines: &[(i64, bool)], tip: Option<i64>, sources: Option<PaymentSources>) -> Receipt {
        let a = Amount::from_minor;
        let lines = lines
            .iter()
            .enumerate()
            .map(|(i, (total, returned))| {
                let line = OrderLine::new(i.to_string(), "x", a(*total), a(*total), TaxRate::percent(0));
                if *returned {
                    line.returned()
                } else {
                    line
                }
            })
            .collect();
        let mut bottom = BottomLine::new(Currency::Nok);
        bottom.tip_amount = tip.map(a);
        bottom.payment_sources = sources;
        Receipt::new(Currency::Nok, lines).with_bottom_line(bottom)
    }

    #[test]
    fn the_total_paid_is_the_lines_and_the_tip() {
        let a = Amount::from_minor;
        let paid = receipt(&[(10_000, false), (2_500, true)], Some(500), None).paid().unwrap();
        assert_eq!((paid.lines, paid.tip, paid.total, paid.sources), (a(7_500), a(500), a(8_000), None));
        assert_eq!(paid.sources_match(), None);
        let no_tip = receipt(&[(10_000, false)], None, Some(PaymentSources::new().with_cash(a(9_000))))
            .paid()
            .unwrap();
        assert_eq!(
            (no_tip.tip, no_tip.total, no_tip.sources),
            (Amount::ZERO, a(10_000), Some(a(9_000)))
        );
        assert_eq!(no_tip.sources_match(), Some(false));
        let all = PaymentSources::new()
            .with_card(a(1))
            .with_gift_card(a(2))
            .with_voucher(a(3))
            .with_cash(a(4));
        assert_eq!(receipt(&[(10, false)], None, Some(all)).paid().unwrap().sources_match(), Some(true));
        // Sources given but all empty: none given.
        assert_eq!(
            receipt(&[(10, false)], None, Some(PaymentSources::new())).paid().unwrap().sources,
            None
        );
    }

    #[test]
    fn sums_past_64_bits_are_errors_not_wrong_numbers() {
        let a = Amount::from_minor;
        assert!(receipt(&[(i64::MAX, false)], Some(1), None).paid().is_err());
        let big = PaymentSources::new().with_card(Amount::MAX).with_cash(a(1));
        let error = receipt(&[(1, false)], None, Some(big)).paid().unwrap_err();
        assert!(error.to_string().contains("paymentSources"), "{error}");
        // Sources that cancel out exactly are summed exactly.
        let even = PaymentSources::new().with_card(Amount::MAX).with_cash(a(-i64::MAX + 1));
        assert_eq!(receipt(&[(1, false)], None, Some(even)).paid().unwrap().sources, Some(a(1)));
    }
}
