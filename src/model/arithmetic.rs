//! The exact arithmetic of a receipt line, in integer minor units with one
//! rounding rule (half away from zero): unit price times quantity, and the
//! VAT inside a total. The receipt builder computes lines with it, and a
//! stored receipt's discrepancies are found with it.

use super::amount::Amount;
use super::quantity::Quantity;
use super::tax_rate::TaxRate;
use crate::error::Error;

/// `unit price × quantity`, rounded half away from zero to minor units,
/// exactly (in `i128`); `None` for a quantity that is not valid.
pub(crate) fn unit_price_times(unit_price: Amount, quantity: &Quantity) -> Option<i128> {
    let (mantissa, scale) = quantity.as_ratio()?;
    // At most 10 digits times an i64: far inside i128.
    Some(round_div(i128::from(unit_price.minor()) * mantissa, 10i128.pow(scale)))
}

/// Divides rounding half away from zero (`d > 0`).
fn round_div(n: i128, d: i128) -> i128 {
    let (q, r) = (n / d, n % d);
    if 2 * r.abs() >= d {
        q + n.signum()
    } else {
        q
    }
}

/// The reason every rate out of the API's range is refused.
pub(crate) fn rate_out_of_range(rate: TaxRate) -> String {
    format!("must be 0 % to 100 % (0 to 10000 hundredths of a percent), is {rate}")
}

/// The tax included in a total: the name [`included_tax`] had before 0.1
/// (it returns the tax, not a total with tax included).
#[deprecated(note = "renamed `included_tax`: it returns the tax a total includes")]
pub fn tax_included(total: Amount, tax_rate: TaxRate) -> Result<Amount, Error> {
    included_tax(total, tax_rate)
}

/// The tax contained in a total that includes it, rounded half away from
/// zero: `total · rate / (10000 + rate)`, with the rate in hundredths of a
/// percent. A rate outside 0 % to 100 % is refused.
///
/// ```
/// use vipps_order_management::{included_tax, Amount, TaxRate};
/// // 125.00 at 25 %: 25.00 tax; 160.00 at 15 %: 20.87 tax.
/// assert_eq!(included_tax(Amount::from_minor(12_500), TaxRate::percent(25))?, Amount::from_minor(2_500));
/// assert_eq!(included_tax(Amount::from_minor(16_000), TaxRate::percent(15))?, Amount::from_minor(2_087));
/// # Ok::<(), vipps_order_management::Error>(())
/// ```
pub fn included_tax(total: Amount, tax_rate: TaxRate) -> Result<Amount, Error> {
    if !tax_rate.is_valid() {
        return Err(Error::invalid("taxRate", rate_out_of_range(tax_rate)));
    }
    let rate = i128::from(tax_rate.as_basis_points());
    // |tax| <= |total| for rates in range, so the result fits.
    let tax = round_div(i128::from(total.minor()) * rate, 10_000 + rate);
    i64::try_from(tax)
        .map(Amount::from_minor)
        .map_err(|_| Error::invalid("totalTaxAmount", "does not fit in a 64-bit amount"))
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
    }
}
