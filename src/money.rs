//! Money: an amount with its currency, read from decimal strings without
//! floating point.

use std::fmt;

use crate::error::Error;
use crate::model::{Amount, Currency};

/// An amount of money: an [`Amount`] in minor units and a currency.
///
/// ```
/// use vipps_order_management::{Amount, Currency, Money};
/// let price = Money::parse("149.90", Currency::Nok)?;
/// assert_eq!(price.amount(), Amount::from_minor(14990));
/// assert_eq!(price.to_string(), "149.90 NOK");
/// # Ok::<(), vipps_order_management::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Money {
    amount: Amount,
    currency: Currency,
}

impl Money {
    /// An amount in a currency.
    #[must_use]
    pub fn new(amount: Amount, currency: Currency) -> Self {
        Money { amount, currency }
    }

    /// Zero in a currency.
    #[must_use]
    pub fn zero(currency: Currency) -> Self {
        Money::new(Amount::ZERO, currency)
    }

    /// Reads a decimal amount: `"149.90"`, `"149.9"`, `"149"`, `"-5.00"`.
    /// At most two decimals; no floating point is involved.
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, Error> {
        Ok(Money::new(Amount::parse(amount)?, currency))
    }

    /// The amount.
    pub fn amount(&self) -> Amount {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> &Currency {
        &self.currency
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_shows_its_amount_then_its_currency() {
        assert_eq!(Money::new(Amount::from_minor(14990), Currency::Nok).to_string(), "149.90 NOK");
        assert_eq!(Money::new(Amount::from_minor(-5), Currency::Eur).to_string(), "-0.05 EUR");
    }
}
