//! Money: an amount in minor units with its currency, read from decimal
//! strings without floating point.

use std::fmt;

use crate::error::Error;
use crate::model::Currency;

/// An amount of money: integer minor units (øre, cents) and a currency.
///
/// ```
/// use vipps_order_management::{Currency, Money};
/// let price = Money::parse("149.90", Currency::Nok)?;
/// assert_eq!(price.minor(), 14990);
/// assert_eq!(price.to_string(), "149.90 NOK");
/// # Ok::<(), vipps_order_management::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// An amount in minor units: `Money::new(14990, Currency::Nok)` is 149.90 NOK.
    pub fn new(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    /// Zero in a currency.
    pub fn zero(currency: Currency) -> Self {
        Money::new(0, currency)
    }

    /// Reads a decimal amount: `"149.90"`, `"149.9"`, `"149"`, `"-5.00"`.
    /// At most two decimals; no floating point is involved.
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, Error> {
        let bad = || {
            Error::invalid(
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
        Ok(Money::new(if negative { -minor } else { minor }, currency))
    }

    /// The amount in minor units.
    pub fn minor(&self) -> i64 {
        self.minor
    }

    /// The currency.
    pub fn currency(&self) -> &Currency {
        &self.currency
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", crate::model::format_minor_units(self.minor), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimal_strings_exactly() {
        let nok = |s| Money::parse(s, Currency::Nok).map(|m| m.minor());
        assert_eq!(nok("149.90").unwrap(), 14990);
        assert_eq!(nok("149.9").unwrap(), 14990);
        assert_eq!(nok("149").unwrap(), 14900);
        assert_eq!(nok("0.01").unwrap(), 1);
        assert_eq!(nok("-5.00").unwrap(), -500);
        for bad in ["", "1.", ".5", "1.234", "1,50", "abc", "1e3", "99999999999999999999"] {
            assert!(nok(bad).is_err(), "{bad}");
        }
    }
}
