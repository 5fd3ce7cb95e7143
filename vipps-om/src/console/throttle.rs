//! Failed sign-ins, limited per client: ten a minute from one address (one
//! IPv6 /64, which one holder has whole) and that address waits; every
//! other client signs in as before. Bounded in memory: at most
//! `MAX_CLIENTS` addresses are followed, the stalest forgotten first.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed sign-ins allowed per client in `WINDOW`.
pub const FAILURES_ALLOWED: usize = 10;
/// The window failures are counted in.
pub const WINDOW: Duration = Duration::from_secs(60);
/// The most clients followed at once.
pub const MAX_CLIENTS: usize = 65_536;

/// Recent failed sign-ins by client.
#[derive(Debug)]
pub struct Throttle {
    failures: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
    max_clients: usize,
}

/// The address failures are counted under: an IPv4 address, or an IPv6
/// /64 (IPv4-mapped IPv6 as IPv4).
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
        v4 => v4,
    }
}

impl Throttle {
    /// Follows at most `max_clients` clients.
    pub fn new(max_clients: usize) -> Throttle {
        Throttle {
            failures: Mutex::new(HashMap::new()),
            max_clients: max_clients.max(1),
        }
    }

    fn failures(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, VecDeque<Instant>>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How long `client` must wait before its next try, when it failed too
    /// often; `None` when it may try.
    pub fn wait(&self, address: IpAddr) -> Option<Duration> {
        self.wait_at(address, Instant::now())
    }

    fn wait_at(&self, address: IpAddr, now: Instant) -> Option<Duration> {
        let mut failures = self.failures();
        let recent = failures.get_mut(&address_key(address))?;
        while recent.front().is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW) {
            recent.pop_front();
        }
        if recent.len() < FAILURES_ALLOWED {
            return None;
        }
        // Until the oldest failure leaves the window.
        recent
            .front()
            .map(|oldest| WINDOW.saturating_sub(now.saturating_duration_since(*oldest)))
    }

    /// Counts a failed sign-in by `client`; how many it has in the window.
    pub fn fail(&self, address: IpAddr) -> usize {
        self.fail_at(address, Instant::now())
    }

    fn fail_at(&self, address: IpAddr, now: Instant) -> usize {
        let key = address_key(address);
        let mut failures = self.failures();
        if !failures.contains_key(&key) && failures.len() >= self.max_clients {
            failures.retain(|_, times| times.back().is_some_and(|t| now.saturating_duration_since(*t) < WINDOW));
            if failures.len() >= self.max_clients {
                let stalest = failures.iter().min_by_key(|(_, times)| times.back().copied()).map(|(k, _)| *k);
                if let Some(stalest) = stalest {
                    failures.remove(&stalest);
                }
            }
        }
        let recent = failures.entry(key).or_default();
        while recent.front().is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW) {
            recent.pop_front();
        }
        recent.push_back(now);
        // Only the last `FAILURES_ALLOWED` decide; older ones are not kept.
        while recent.len() > FAILURES_ALLOWED {
            recent.pop_front();
        }
        recent.len()
    }

    /// How many clients are followed.
    #[cfg(test)]
    pub fn clients(&self) -> usize {
        self.failures().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn one_client_waits_the_others_do_not() {
        let throttle = Throttle::new(100);
        let start = Instant::now();
        for i in 0..FAILURES_ALLOWED {
            assert_eq!(throttle.wait_at(ip("127.0.0.2"), start), None);
            assert_eq!(throttle.fail_at(ip("127.0.0.2"), start + Duration::from_secs(i as u64)), i + 1);
        }
        let wait = throttle.wait_at(ip("127.0.0.2"), start + Duration::from_secs(10)).unwrap();
        assert_eq!(wait, Duration::from_secs(50));
        assert_eq!(throttle.wait_at(ip("127.0.0.1"), start + Duration::from_secs(10)), None);
        // When the oldest failure leaves the window, one more try.
        assert_eq!(throttle.wait_at(ip("127.0.0.2"), start + Duration::from_secs(60)), None);
    }

    #[test]
    fn ipv6_by_its_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(address_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(address_key(ip("::ffff:127.0.0.2")), ip("127.0.0.2"));
        let throttle = Throttle::new(100);
        let now = Instant::now();
        for i in 0..FAILURES_ALLOWED {
            throttle.fail_at(ip(&format!("2001:db8:1:2::{i:x}")), now);
        }
        assert!(throttle.wait_at(ip("2001:db8:1:2::ffff"), now).is_some());
        assert!(throttle.wait_at(ip("2001:db8:1:3::1"), now).is_none());
    }

    #[test]
    fn bounded_in_clients_and_failures() {
        let throttle = Throttle::new(3);
        let now = Instant::now();
        for i in 0..5 {
            throttle.fail_at(ip(&format!("10.0.0.{i}")), now + Duration::from_secs(i));
        }
        assert_eq!(throttle.clients(), 3);
        for _ in 0..100 {
            throttle.fail_at(ip("10.0.0.9"), now);
        }
        assert_eq!(throttle.fail_at(ip("10.0.0.9"), now), FAILURES_ALLOWED);
    }

    #[test]
    fn a_full_table_forgets_clients_whose_window_has_passed_first() {
        let throttle = Throttle::new(2);
        let start = Instant::now();
        throttle.fail_at(ip("10.0.0.1"), start);
        throttle.fail_at(ip("10.0.0.2"), start);
        // Both windows end at this instant: both go, not only the stalest.
        throttle.fail_at(ip("10.0.0.3"), start + WINDOW);
        assert_eq!(throttle.clients(), 1);
    }
}
