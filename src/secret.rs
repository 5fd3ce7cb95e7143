//! A string that never shows itself: client secret, subscription key, token.

use std::fmt;
use std::sync::Arc;

/// A secret value (client secret, subscription key, access token).
///
/// `Debug` prints `Secret([redacted])`; there is no `Display`, no `Serialize`,
/// and the value only leaves through [`Secret::expose`], which the crate calls
/// when it writes the header that needs it. Cloning is cheap.
///
/// ```
/// use vipps_order_management::Secret;
/// let key = Secret::new("abc123");
/// assert_eq!(format!("{key:?}"), "Secret([redacted])");
/// assert_eq!(key.expose(), "abc123");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Arc::from(value.into()))
    }

    /// The secret itself. Do not log what this returns.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `true` when the value is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}
