//! The wall clock, in the Unix seconds that the API and its tokens use.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch by this machine's clock (0 for a clock set
/// before 1970).
pub(crate) fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs()
}
