//! Decoding helpers for responses: `null` and absent are the same thing.

use serde::{Deserialize, Deserializer};

/// Decodes `null` as the type's default, for fields the spec marks required
/// but that a lenient reader should not fail on.
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}
