//! The wall clock, in the Unix milliseconds its tokens and its record use.

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch of a time this machine's clock gave
/// (0 before 1970), as the record shows when a request came.
pub(crate) fn unix_millis(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn millis_count_from_the_epoch_and_stop_at_zero_before_it() {
        assert_eq!(unix_millis(UNIX_EPOCH + Duration::from_millis(1_234_567)), 1_234_567);
        assert_eq!(unix_millis(UNIX_EPOCH - Duration::from_secs(1)), 0);
        let before = SystemTime::now();
        assert!(unix_millis(SystemTime::now()) >= unix_millis(before), "the clock goes on");
    }
}
