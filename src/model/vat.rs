//! A receipt's VAT by rate: what a customer asks about ("how much VAT did I
//! pay at 15 %?"), summed exactly as the service sums the receipt (returns
//! negative).

use super::amount::Amount;
use super::receipt::{signed_sum, OrderLine, Receipt};
use super::tax_rate::TaxRate;
use crate::error::Error;

/// The lines of one VAT rate, summed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VatGroup {
    /// The rate (a legacy whole `taxPercentage` read as its rate); `None`
    /// for lines that state no rate.
    pub rate: Option<TaxRate>,
    /// The lines' `totalAmount`, returns negative.
    pub total: Amount,
    /// The lines' `totalAmountExcludingTax`, returns negative.
    pub excluding_tax: Amount,
    /// The lines' `totalTaxAmount`, returns negative.
    pub tax: Amount,
    /// How many lines.
    pub lines: usize,
}

impl OrderLine {
    /// The line's tax rate: `taxRate`, else the legacy whole-percent
    /// `taxPercentage` (0 to 100) as a rate; `None` when it states neither
    /// (or a percentage out of range).
    pub fn stated_tax_rate(&self) -> Option<TaxRate> {
        match (self.tax_rate, self.tax_percentage) {
            (Some(rate), _) => Some(rate),
            (None, Some(p)) => u8::try_from(p).ok().filter(|p| *p <= 100).map(TaxRate::percent),
            (None, None) => None,
        }
    }
}

impl Receipt {
    /// The receipt's VAT by rate, lowest rate first (lines without a rate
    /// last). Sums are exact; one that does not fit the API's 64 bits is an
    /// [`Error::InvalidInput`].
    ///
    /// ```
    /// use vipps_order_management::{Amount, Currency, OrderLine, Receipt, TaxRate};
    /// let a = Amount::from_minor;
    /// let receipt = Receipt::new(Currency::Nok, vec![
    ///     OrderLine::new("1", "Socks", a(12_500), a(10_000), TaxRate::percent(25)),
    ///     OrderLine::new("2", "Coffee", a(11_500), a(10_000), TaxRate::percent(15)),
    ///     OrderLine::new("3", "Scarf", a(2_500), a(2_000), TaxRate::percent(25)).returned(),
    /// ]);
    /// let vat = receipt.vat_breakdown()?;
    /// assert_eq!((vat[0].rate, vat[0].tax), (Some(TaxRate::percent(15)), a(1_500)));
    /// assert_eq!((vat[1].rate, vat[1].tax, vat[1].lines), (Some(TaxRate::percent(25)), a(2_000), 2));
    /// # Ok::<(), vipps_order_management::Error>(())
    /// ```
    pub fn vat_breakdown(&self) -> Result<Vec<VatGroup>, Error> {
        let mut rates: Vec<Option<TaxRate>> = self.order_lines.iter().map(OrderLine::stated_tax_rate).collect();
        rates.sort_by_key(|r| r.map_or(i64::MAX, TaxRate::as_basis_points));
        rates.dedup();
        rates
            .into_iter()
            .map(|rate| {
                let lines: Vec<&OrderLine> = self.order_lines.iter().filter(|l| l.stated_tax_rate() == rate).collect();
                let sum = |part: fn(&OrderLine) -> Amount, field: &str| signed_sum(lines.iter().copied(), part, field);
                Ok(VatGroup {
                    rate,
                    total: sum(|l| l.total_amount, "orderLines[].totalAmount")?,
                    excluding_tax: sum(|l| l.total_amount_excluding_tax, "orderLines[].totalAmountExcludingTax")?,
                    tax: sum(|l| l.total_tax_amount, "orderLines[].totalTaxAmount")?,
                    lines: lines.len(),
                })
            })
            .collect()
    }
}
