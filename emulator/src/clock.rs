//! The wall clock, in the Unix seconds its tokens use and the milliseconds
//! its record shows.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch by this machine's clock (0 for a clock set
/// before 1970).
pub(crate) fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs()
}

/// Milliseconds since the Unix epoch of a time this machine's clock gave
/// (0 before 1970), as the record shows when a request came.
pub(crate) fn unix_millis(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or_default()
}
