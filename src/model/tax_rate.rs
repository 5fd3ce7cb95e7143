//! A tax rate in hundredths of a percent, as the API's `taxRate` is.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A tax rate in hundredths of a percent (basis points): 25 % is
/// `TaxRate::percent(25)`, 12.5 % is `TaxRate::basis_points(1250)`.
///
/// A distinct type, so a rate cannot be passed where an amount belongs.
/// The API accepts 0 to 10 000 (0 % to 100 %); a rate read from elsewhere
/// may be out of range, which [`TaxRate::is_valid`] tells and local
/// validation refuses before any arithmetic.
///
/// ```
/// use vipps_order_management::TaxRate;
/// assert_eq!(TaxRate::percent(25), TaxRate::basis_points(2500));
/// assert_eq!(TaxRate::basis_points(1250).to_string(), "12.5%");
/// assert!(!TaxRate::percent(101).is_valid());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TaxRate(i64);

impl TaxRate {
    /// 0 %.
    pub const ZERO: TaxRate = TaxRate(0);
    /// The highest rate the API accepts: 100 %.
    pub const MAX: TaxRate = TaxRate(10_000);

    /// A whole percentage: `TaxRate::percent(25)` is 25 %.
    pub const fn percent(percent: u8) -> TaxRate {
        TaxRate(percent as i64 * 100)
    }

    /// Hundredths of a percent: `TaxRate::basis_points(2550)` is 25.5 %.
    pub const fn basis_points(basis_points: u16) -> TaxRate {
        TaxRate(basis_points as i64)
    }

    /// The rate in hundredths of a percent, as on the wire.
    pub const fn as_basis_points(self) -> i64 {
        self.0
    }

    /// `true` for 0 % to 100 % (0 to 10 000 hundredths), the API's range.
    pub const fn is_valid(self) -> bool {
        self.0 >= 0 && self.0 <= 10_000
    }
}

impl fmt::Display for TaxRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (sign, abs) = (if self.0 < 0 { "-" } else { "" }, self.0.unsigned_abs());
        let (whole, frac) = (abs / 100, abs % 100);
        match frac {
            0 => write!(f, "{sign}{whole}%"),
            f10 if f10 % 10 == 0 => write!(f, "{sign}{whole}.{}%", f10 / 10),
            _ => write!(f, "{sign}{whole}.{frac:02}%"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_as_a_percentage() {
        assert_eq!(TaxRate::percent(25).to_string(), "25%");
        assert_eq!(TaxRate::ZERO.to_string(), "0%");
        assert_eq!(TaxRate(-250).to_string(), "-2.5%");
        assert_eq!(TaxRate::basis_points(2550).to_string(), "25.5%");
        assert_eq!(TaxRate::basis_points(1).to_string(), "0.01%");
        assert_eq!(TaxRate(i64::MIN).to_string(), "-92233720368547758.08%");
        assert!(TaxRate::MAX.is_valid() && TaxRate::ZERO.is_valid() && !TaxRate(-1).is_valid());
    }
}
