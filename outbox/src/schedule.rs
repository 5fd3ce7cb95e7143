//! When a delivery that failed is tried again, and when trying stops.
//!
//! The default: 10 s after the first failure, then twice as long each time
//! up to one hour between tries, each wait varied by up to a fifth either
//! way (so that workers that failed together do not return together), and
//! never sooner than the service's `Retry-After`. Tries go on for four
//! days from the first (an outage of 96 hours is outlasted), with one last
//! try at the end; then the delivery is dead, for staff to see and retry.

use std::time::Duration;

/// The retry schedule of failed deliveries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    first: Duration,
    most: Duration,
    give_up_after: Duration,
    read_lag: Duration,
    jitter: f64,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            first: Duration::from_secs(10),
            most: Duration::from_secs(3600),
            give_up_after: Duration::from_secs(96 * 3600),
            read_lag: Duration::from_secs(15 * 60),
            jitter: 0.2,
        }
    }
}

/// What the schedule says after a retryable failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Try again after this long.
    After(Duration),
    /// Stop: the tries have gone on long enough.
    GiveUp,
}

impl Schedule {
    /// The wait after the first failure (default 10 s); later waits double.
    #[must_use]
    pub fn first_wait(mut self, wait: Duration) -> Self {
        self.first = wait.max(Duration::from_millis(1));
        self
    }

    /// The longest wait between two tries (default one hour).
    #[must_use]
    pub fn longest_wait(mut self, wait: Duration) -> Self {
        self.most = wait.max(Duration::from_millis(1));
        self
    }

    /// How long after the first try a delivery is tried at all (default
    /// four days); the last try is at the end of it.
    #[must_use]
    pub fn give_up_after(mut self, span: Duration) -> Self {
        self.give_up_after = span;
        self
    }

    /// How long a 404 (no such order) is taken for the service not having
    /// seen the payment yet (default 15 minutes): within it a 404 is tried
    /// again, after it the delivery is dead.
    #[must_use]
    pub fn read_lag(mut self, span: Duration) -> Self {
        self.read_lag = span;
        self
    }

    /// How much each wait varies, as a share of it, either way (default
    /// 0.2; at most 1).
    #[must_use]
    pub fn jitter(mut self, share: f64) -> Self {
        self.jitter = if share.is_finite() { share.clamp(0.0, 1.0) } else { 0.0 };
        self
    }

    /// The read-lag window.
    pub(crate) fn read_lag_window(&self) -> Duration {
        self.read_lag
    }

    /// The longest a delivery is tried.
    #[must_use]
    pub fn gives_up_after(&self) -> Duration {
        self.give_up_after
    }

    /// The wait before try `attempt + 1`, after `attempt` tries (1 or more),
    /// before jitter.
    #[must_use]
    pub fn wait_after(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(40);
        self.first.saturating_mul(1u32 << doublings.min(31)).min(self.most)
    }

    /// What comes after `attempt` tries that began `tried_for` ago, the
    /// service having asked to wait `retry_after`; `roll` in `[0, 1)` varies
    /// the wait.
    pub(crate) fn next(&self, attempt: u32, tried_for: Duration, retry_after: Option<Duration>, roll: f64) -> Next {
        if tried_for >= self.give_up_after {
            return Next::GiveUp;
        }
        let base = self.wait_after(attempt).as_secs_f64();
        let varied = base * (1.0 + self.jitter * (2.0 * roll.clamp(0.0, 1.0) - 1.0));
        let mut wait = Duration::try_from_secs_f64(varied).unwrap_or(self.most);
        if let Some(asked) = retry_after {
            wait = wait.max(asked);
        }
        // The last try is at the end of the window, not after it.
        let left = self.give_up_after - tried_for;
        Next::After(wait.min(left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_setting_is_kept() {
        let s = Schedule::default()
            .first_wait(Duration::from_secs(1))
            .longest_wait(Duration::from_secs(5))
            .give_up_after(Duration::from_secs(3600))
            .read_lag(Duration::from_secs(60))
            .jitter(0.5);
        assert_eq!(
            (s.wait_after(1), s.wait_after(3), s.wait_after(4)),
            (Duration::from_secs(1), Duration::from_secs(4), Duration::from_secs(5))
        );
        assert_eq!(
            (s.gives_up_after(), s.read_lag_window()),
            (Duration::from_secs(3600), Duration::from_secs(60))
        );
        assert_eq!(s.next(1, Duration::ZERO, None, 0.0), Next::After(Duration::from_millis(500)));
        assert_eq!(
            Schedule::default().jitter(2.0).next(1, Duration::ZERO, None, 0.0),
            Next::After(Duration::ZERO)
        );
        assert_eq!(
            Schedule::default().jitter(f64::NAN).next(1, Duration::ZERO, None, 0.0),
            Next::After(Duration::from_secs(10))
        );
        assert_eq!(Schedule::default().gives_up_after(), Duration::from_secs(96 * 3600));
        assert_eq!(Schedule::default().read_lag_window(), Duration::from_secs(15 * 60));
    }

    #[test]
    fn waits_double_up_to_the_longest() {
        let s = Schedule::default();
        assert_eq!(s.wait_after(1), Duration::from_secs(10));
        assert_eq!(s.wait_after(2), Duration::from_secs(20));
        assert_eq!(s.wait_after(9), Duration::from_secs(2560));
        assert_eq!(s.wait_after(10), Duration::from_secs(3600));
        assert_eq!(s.wait_after(u32::MAX), Duration::from_secs(3600));
    }

    #[test]
    fn jitter_varies_the_wait_by_its_share_either_way() {
        let s = Schedule::default();
        assert_eq!(s.next(1, Duration::ZERO, None, 0.0), Next::After(Duration::from_secs(8)));
        assert_eq!(s.next(1, Duration::ZERO, None, 0.5), Next::After(Duration::from_secs(10)));
        let Next::After(most) = s.next(1, Duration::ZERO, None, 0.999_999) else {
            panic!()
        };
        assert!(most > Duration::from_millis(11_999) && most <= Duration::from_secs(12), "{most:?}");
    }

    #[test]
    fn retry_after_is_honoured_and_the_last_try_ends_the_window() {
        let s = Schedule::default();
        assert_eq!(
            s.next(1, Duration::ZERO, Some(Duration::from_secs(120)), 0.5),
            Next::After(Duration::from_secs(120))
        );
        let near_end = Duration::from_secs(96 * 3600 - 60);
        assert_eq!(s.next(50, near_end, None, 0.5), Next::After(Duration::from_secs(60)));
        assert_eq!(s.next(51, Duration::from_secs(96 * 3600), None, 0.5), Next::GiveUp);
    }

    #[test]
    fn the_default_outlasts_an_outage_of_72_hours() {
        // Every try fails for 72 hours: the schedule is still trying then.
        let s = Schedule::default();
        let mut tried_for = Duration::ZERO;
        let mut attempt = 1;
        while tried_for <= Duration::from_secs(72 * 3600) {
            match s.next(attempt, tried_for, None, 0.999) {
                Next::After(wait) => tried_for += wait,
                Next::GiveUp => panic!("gave up after {tried_for:?}"),
            }
            attempt += 1;
        }
        assert!(attempt < 120, "{attempt} tries in 72 hours");
    }
}
