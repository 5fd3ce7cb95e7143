//! An order line's quantity: a decimal number written as a string.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;

/// Longest quantity, in characters (`1234567.89`).
pub const QUANTITY_MAX_LEN: usize = 10;

/// A quantity: digits, optionally `.` and 1 to 8 digits, at most 10 characters.
pub fn quantity_ok(q: &str) -> bool {
    if q.is_empty() || q.len() > QUANTITY_MAX_LEN {
        return false;
    }
    let (whole, frac) = match q.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (q, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && frac.is_none_or(|f| digits(f) && f.len() <= 8)
}

/// A quantity as the API writes it: `"2"`, `"0.822"` (digits, optionally
/// `.` and 1 to 8 more, at most 10 characters).
///
/// Quantities compare as decimal numbers: `"2"`, `"2.0"` and `"2.00"` are
/// equal (and hash alike). The text is kept as given, so a quantity read
/// from the service is shown and sent back exactly. Built from a string
/// with [`str::parse`] (checked) or from a whole number.
///
/// ```
/// use vipps_order_management::Quantity;
/// let half: Quantity = "0.5".parse()?;
/// assert_eq!(half.as_str(), "0.5");
/// assert_eq!(Quantity::from(2), "2.00".parse::<Quantity>()?);
/// assert!("1,5".parse::<Quantity>().is_err());
/// # Ok::<(), vipps_order_management::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Quantity(String);

impl Quantity {
    /// A quantity as received, unchecked.
    pub(crate) fn from_raw(text: String) -> Quantity {
        Quantity(text)
    }

    /// The quantity as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `true` when it is written as the API requires.
    pub fn is_valid(&self) -> bool {
        quantity_ok(&self.0)
    }

    /// Whole and fractional digits without insignificant zeros, when the
    /// text is a decimal number.
    fn canonical(&self) -> Option<(&str, &str)> {
        let q = self.0.as_str();
        let (whole, frac) = q.split_once('.').unwrap_or((q, ""));
        let digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(frac) || (q.contains('.') && frac.is_empty()) {
            return None;
        }
        let whole = whole.trim_start_matches('0');
        Some((if whole.is_empty() { "0" } else { whole }, frac.trim_end_matches('0')))
    }

    /// The quantity as `mantissa / 10^scale`, for exact arithmetic; `None`
    /// when it is not a valid quantity.
    pub(crate) fn as_ratio(&self) -> Option<(i128, u32)> {
        if !self.is_valid() {
            return None;
        }
        let (whole, frac) = self.0.split_once('.').unwrap_or((&self.0, ""));
        let mantissa: i128 = format!("{whole}{frac}").parse().ok()?;
        Some((mantissa, u32::try_from(frac.len()).ok()?))
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Quantity) -> bool {
        match (self.canonical(), other.canonical()) {
            (Some(a), Some(b)) => a == b,
            _ => self.0 == other.0,
        }
    }
}

impl Eq for Quantity {}

impl Hash for Quantity {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self.canonical() {
            Some(c) => c.hash(state),
            None => self.0.hash(state),
        }
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Quantity {
    type Err = Error;

    /// Reads a quantity, checking the API's format.
    fn from_str(s: &str) -> Result<Quantity, Error> {
        let q = Quantity(s.to_owned());
        if q.is_valid() {
            Ok(q)
        } else {
            Err(Error::invalid(
                "quantity",
                format!("`{s}` is not a quantity like \"2\" or \"2.5\" (digits, at most 8 decimals, 10 characters)"),
            ))
        }
    }
}

impl From<u32> for Quantity {
    /// A whole quantity.
    fn from(n: u32) -> Quantity {
        Quantity(n.to_string())
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    /// Reads a string as it is, or a number as its text; anything else is
    /// an empty quantity: a quantity from the service is never refused on
    /// the way in (validation tells what is wrong with it).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Quantity, D::Error> {
        d.deserialize_any(QuantityText)
    }
}

struct QuantityText;

impl<'de> Visitor<'de> for QuantityText {
    type Value = Quantity;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a quantity (a decimal string)")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Quantity, E> {
        Ok(Quantity(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Quantity, E> {
        Ok(Quantity(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
        Ok(Quantity(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity, E> {
        Ok(Quantity(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
        Ok(Quantity(v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Quantity, E> {
        Ok(Quantity(String::new()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Quantity, E> {
        Ok(Quantity(String::new()))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Quantity, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Quantity(String::new()))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Quantity, A::Error> {
        while map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
        Ok(Quantity(String::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quantity_keeps_its_text() {
        let half: Quantity = "0.50".parse().unwrap();
        assert_eq!(half.as_str(), "0.50");
        assert_eq!(half.to_string(), "0.50");
        assert_eq!(Quantity::from(3).as_str(), "3");
    }

    #[test]
    fn only_decimal_numbers_compare_as_numbers() {
        let q = |s: &str| Quantity(s.to_owned());
        // Not numbers as the API writes them: compared as written.
        assert_ne!(q(".5"), q("0.5"));
        assert_ne!(q("a.5"), q("a.50"));
        assert_ne!(q("1.5x"), q("1.5x0"));
        assert_ne!(q("1."), q("1"));
    }

    #[test]
    fn equal_quantities_hash_alike_and_others_apart() {
        use std::collections::hash_map::DefaultHasher;
        let hash = |s: &str| {
            let mut h = DefaultHasher::new();
            Quantity(s.to_owned()).hash(&mut h);
            h.finish()
        };
        assert_eq!(hash("2"), hash("2.00"));
        assert_eq!(hash("02.5"), hash("2.5"));
        // DefaultHasher's keys are fixed: these differ on every run.
        assert_ne!(hash("2"), hash("3"));
        assert_ne!(hash("2.5"), hash("2.05"));
    }

    #[test]
    fn what_cannot_be_a_quantity_is_named_in_the_error() {
        let bytes = serde::de::value::BytesDeserializer::<serde::de::value::Error>::new(b"2");
        let err = Quantity::deserialize(bytes).unwrap_err();
        assert!(err.to_string().contains("expected a quantity (a decimal string)"), "{err}");
    }

    #[test]
    fn compares_as_a_decimal() {
        let q = |s: &str| Quantity(s.to_owned());
        assert_eq!(q("2"), q("2.00"));
        assert_eq!(q("02.50"), q("2.5"));
        assert_ne!(q("2"), q("20"));
        assert_ne!(q("2.5"), q("2.05"));
        assert_eq!(q("abc"), q("abc"));
        assert_ne!(q("1,5"), q("1.5"));
        assert_eq!(q("2.5").as_ratio(), Some((25, 1)));
        assert_eq!(q("1,5").as_ratio(), None);
        let read = |json: &str| serde_json::from_str::<Quantity>(json).unwrap().0;
        assert_eq!(read("2.5"), "2.5");
        assert_eq!(read("\"0.822\""), "0.822");
        assert_eq!(read("3"), "3");
        assert_eq!(read("-3"), "-3");
        for odd in ["null", "true", "[1, {\"a\": 2}]", "{\"q\": [1]}"] {
            assert_eq!(read(odd), "", "{odd}");
        }
    }
}
