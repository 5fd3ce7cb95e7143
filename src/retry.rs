//! When and how calls are retried: the policy, the backoff, the shared budget.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use tokio::time::Instant;

/// The longest duration any setting takes: a day. Longer values (up to
/// `Duration::MAX`) are clamped to it, so no time arithmetic can overflow.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 60 * 60);

/// `now + d`, never panicking: durations are clamped to [`MAX_DURATION`].
pub(crate) fn later(now: Instant, d: Duration) -> Instant {
    let d = d.min(MAX_DURATION);
    now.checked_add(d).unwrap_or(now)
}

/// `true` when waiting `wait` from now ends before `deadline`.
pub(crate) fn fits_before(wait: Duration, deadline: Instant) -> bool {
    Instant::now().checked_add(wait).is_some_and(|end| end < deadline)
}

/// How a call is retried. On by default: 3 attempts in all, exponential
/// backoff with full jitter (each delay uniform in
/// `[0, min(max_delay, base_delay · 2^n)]`), a whole-call deadline, and the
/// server's `Retry-After` honoured.
///
/// Retried: connection failures, timeouts, 423, 429, 500, 502, 503, 504.
/// Never: 400, 403, 404, 409, 422; a 401 only once, after a token refresh.
///
/// Durations longer than [`MAX_DURATION`] (a day), up to `Duration::MAX`,
/// are clamped to it.
///
/// ```
/// use std::time::Duration;
/// use vipps_order_management::RetryPolicy;
/// let patient = RetryPolicy::default().max_attempts(5).deadline(Duration::from_secs(50));
/// let once = RetryPolicy::none();
/// # let _ = (patient, once);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) base_delay: Duration,
    pub(crate) max_delay: Duration,
    pub(crate) deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            deadline: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retries (a 401 still gets its one token refresh).
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Attempts in all, the first included (at least 1; default 3).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first retry's upper delay bound (default 200 ms).
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay.min(MAX_DURATION);
        self
    }

    /// The largest delay bound (default 5 s).
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay.min(MAX_DURATION);
        self
    }

    /// The whole call's deadline, all attempts and waits included
    /// (default 30 s). A receipt's reconciling get-order runs inside it too.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline.min(MAX_DURATION);
        self
    }

    /// The upper bound of the delay before retry number `retry` (1-based).
    pub fn delay_bound(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.saturating_sub(1)).unwrap_or(u32::MAX);
        self.base_delay.checked_mul(factor).unwrap_or(self.max_delay).min(self.max_delay)
    }

    /// A full-jitter delay before retry number `retry`.
    pub(crate) fn backoff(&self, retry: u32, rng: &Mutex<fastrand::Rng>) -> Duration {
        let bound = self.delay_bound(retry).as_nanos().min(u128::from(u64::MAX)) as u64;
        let nanos = rng.lock().unwrap_or_else(|e| e.into_inner()).u64(0..=bound);
        Duration::from_nanos(nanos)
    }
}

/// Statuses worth another attempt: 423, 429, 500, 502, 503 and 504. The
/// one definition: the retry loop retries these, and [`crate::Error::kind`]
/// calls exactly these `Unavailable` (so [`crate::Error::is_retryable`]
/// agrees). 501, 505 and other statuses are not retried.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 423 | 429 | 500 | 502 | 503 | 504)
}

/// Reads a `Retry-After` value: seconds, or an HTTP date. Garbage is `None`;
/// a number of seconds too large for a `u64` is `Duration::MAX`.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value.parse::<u64>().map_or(Duration::MAX, Duration::from_secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A retry budget shared by all clones of a client, as in the AWS SDKs'
/// standard mode: a retry spends from the balance, a success gives one
/// back, and when the balance is spent calls fail at once instead of retrying, so an outage
/// does not multiply the load.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    /// What is left to spend.
    balance: Mutex<u32>,
    capacity: u32,
}

/// What a retry costs.
pub(crate) const RETRY_COST: u32 = 5;
/// What a retry after a timeout costs.
pub(crate) const TIMEOUT_RETRY_COST: u32 = 10;
/// The budget's size: 100 ordinary retries.
pub(crate) const BUDGET_CAPACITY: u32 = 500;

impl RetryBudget {
    pub(crate) fn new(capacity: u32) -> Self {
        RetryBudget {
            balance: Mutex::new(capacity),
            capacity,
        }
    }

    pub(crate) fn try_spend(&self, cost: u32) -> bool {
        let mut balance = self.balance.lock().unwrap_or_else(|e| e.into_inner());
        if *balance >= cost {
            *balance -= cost;
            true
        } else {
            false
        }
    }

    pub(crate) fn refill(&self) {
        let mut balance = self.balance.lock().unwrap_or_else(|e| e.into_inner());
        *balance = (*balance + 1).min(self.capacity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_both_forms_and_garbage() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(90)));
        let past = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
        assert_eq!(parse_retry_after("+3", now), None);
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(parse_retry_after("18446744073709551615", now), Some(Duration::from_secs(u64::MAX)));
        assert_eq!(parse_retry_after("99999999999999999999999999", now), Some(Duration::MAX));
    }

    #[test]
    fn seeded_backoff_stays_within_bounds() {
        let policy = RetryPolicy::default();
        let rng = Mutex::new(fastrand::Rng::with_seed(7));
        for retry in 1..=20 {
            let bound = policy.delay_bound(retry);
            assert!(bound <= Duration::from_secs(5));
            for _ in 0..1000 {
                assert!(policy.backoff(retry, &rng) <= bound);
            }
        }
        assert_eq!(policy.delay_bound(1), Duration::from_millis(200));
        assert_eq!(policy.delay_bound(2), Duration::from_millis(400));
        assert_eq!(policy.delay_bound(40), Duration::from_secs(5));
    }

    #[test]
    fn each_setting_is_kept_and_clamped() {
        let p = RetryPolicy::default()
            .max_attempts(7)
            .base_delay(Duration::from_millis(10))
            .max_delay(Duration::from_millis(30))
            .deadline(Duration::from_secs(9));
        assert_eq!(p.max_attempts, 7);
        assert_eq!(
            (p.base_delay, p.max_delay, p.deadline),
            (Duration::from_millis(10), Duration::from_millis(30), Duration::from_secs(9))
        );
        assert_eq!(p.delay_bound(1), Duration::from_millis(10));
        assert_eq!(p.delay_bound(2), Duration::from_millis(20));
        assert_eq!(p.delay_bound(3), Duration::from_millis(30), "the largest bound is max_delay");
        assert_eq!(RetryPolicy::default().max_attempts(0).max_attempts, 1);
        let huge = RetryPolicy::default()
            .max_delay(Duration::MAX)
            .base_delay(Duration::MAX)
            .deadline(Duration::MAX);
        assert_eq!(
            (huge.base_delay, huge.max_delay, huge.deadline),
            (MAX_DURATION, MAX_DURATION, MAX_DURATION)
        );
        assert_eq!(RetryPolicy::none().max_attempts, 1);
    }

    #[test]
    fn budget_spends_and_refills() {
        let b = RetryBudget::new(10);
        assert!(b.try_spend(5));
        assert!(b.try_spend(5));
        assert!(!b.try_spend(5));
        for _ in 0..5 {
            b.refill();
        }
        assert!(b.try_spend(5));
    }
}
