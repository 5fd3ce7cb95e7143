//! An amount in minor units (øre, cents), as every amount on the wire is.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An amount in minor units: 149.90 NOK is `Amount::from_minor(14990)`.
///
/// A distinct type, so an amount cannot be passed where a tax rate or a
/// quantity belongs. Arithmetic is checked: it says when a sum would not
/// fit, and never wraps. `Display` shows major units (`149.90`).
///
/// ```
/// use vipps_order_management::Amount;
/// let price = Amount::parse("149.90")?;
/// assert_eq!(price, Amount::from_minor(14_990));
/// assert_eq!(price.to_string(), "149.90");
/// assert_eq!(price.checked_add(Amount::from_minor(10)), Some(Amount::from_minor(15_000)));
/// assert_eq!(Amount::MAX.checked_add(Amount::from_minor(1)), None);
/// # Ok::<(), vipps_order_management::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Amount(i64);

impl Amount {
    /// Zero.
    pub const ZERO: Amount = Amount(0);
    /// The largest amount the API's `int64` fields hold.
    pub const MAX: Amount = Amount(i64::MAX);
    /// The smallest amount the API's `int64` fields hold.
    pub const MIN: Amount = Amount(i64::MIN);

    /// An amount in minor units (øre, cents).
    pub const fn from_minor(minor: i64) -> Amount {
        Amount(minor)
    }

    /// The amount in minor units.
    pub const fn minor(self) -> i64 {
        self.0
    }

    /// Reads a decimal amount in major units: `"149.90"`, `"149.9"`,
    /// `"149"`, `"-5.00"`. At most two decimals; no floating point.
    pub fn parse(amount: &str) -> Result<Amount, crate::error::Error> {
        let bad = || {
            crate::error::Error::invalid(
                "amount",
                format!("`{amount}` is not an amount like 149.90 (digits, at most two decimals)"),
            )
        };
        let text = amount.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(frac) || frac.len() > 2 || (digits.contains('.') && frac.is_empty()) {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        let minor = whole.checked_mul(100).and_then(|w| w.checked_add(frac)).ok_or_else(bad)?;
        Ok(Amount(if negative { -minor } else { minor }))
    }

    /// `self + other`, or `None` when it does not fit.
    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        self.0.checked_add(other.0).map(Amount)
    }

    /// `self - other`, or `None` when it does not fit.
    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        self.0.checked_sub(other.0).map(Amount)
    }

    /// `-self`, or `None` for [`Amount::MIN`].
    pub fn checked_neg(self) -> Option<Amount> {
        self.0.checked_neg().map(Amount)
    }

    /// `true` when below zero.
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_minor(i128::from(self.0)))
    }
}

/// Major units with two decimals; `i128`, so a negated or summed `i64`
/// always fits.
pub(crate) fn format_minor(minor: i128) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Formats minor units as major units: `-19900` is `-199.00`.
pub fn format_minor_units(minor: i64) -> String {
    format_minor(i128::from(minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_show_as_major_units_with_two_decimals() {
        assert_eq!(Amount::ZERO.to_string(), "0.00");
        assert_eq!(Amount::from_minor(5).to_string(), "0.05");
        assert_eq!(Amount::from_minor(-5).to_string(), "-0.05");
        assert_eq!(format_minor_units(-19900), "-199.00");
        assert_eq!(format_minor_units(i64::MIN), "-92233720368547758.08");
    }

    #[test]
    fn negation_is_checked() {
        assert_eq!(Amount::from_minor(5).checked_neg(), Some(Amount::from_minor(-5)));
        assert_eq!(Amount::from_minor(-5).checked_neg(), Some(Amount::from_minor(5)));
        assert_eq!(Amount::MIN.checked_neg(), None);
    }

    #[test]
    fn parses_decimal_strings_exactly() {
        let p = |s| Amount::parse(s).map(Amount::minor);
        assert_eq!(p("149.90").unwrap(), 14990);
        assert_eq!(p("149.9").unwrap(), 14990);
        assert_eq!(p("149").unwrap(), 14900);
        assert_eq!(p("0.01").unwrap(), 1);
        assert_eq!(p("-5.00").unwrap(), -500);
        for bad in ["", "1.", ".5", "1.234", "1,50", "abc", "1e3", "99999999999999999999", "-", "--1"] {
            assert!(p(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn extremes_format_without_overflow() {
        assert_eq!(Amount::MIN.to_string(), "-92233720368547758.08");
        assert_eq!(Amount::MAX.to_string(), "92233720368547758.07");
        assert_eq!(format_minor(-i128::from(i64::MIN)), "92233720368547758.08");
    }
}
