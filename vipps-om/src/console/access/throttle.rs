//! Wrong sign-ins, limited per client: ten a minute from one address (one
//! IPv6 /64, which one holder has whole), and a thousand a minute from all
//! clients together, counted in the shared store so that every instance
//! counts together. Past the limit that client's
//! wrong tokens are refused with 429 and `Retry-After`, and recorded as
//! one audit entry per client and minute counting its attempts, so a
//! flood fills neither the service nor the trail. A right token is never
//! refused: staff tokens are long random secrets that no number of tries
//! guesses, so the limit protects the service and the log, not the
//! secret, and a colleague behind the same NAT, front end or office /64
//! still signs in.

use std::net::IpAddr;
use std::time::Duration;

use crate::console::access::store::{Failures, Store, StoreError};

/// Wrong sign-ins taken from one client in `WINDOW` before the rest are
/// refused as too many.
pub const FAILURES_ALLOWED: u64 = 10;
/// The window wrong sign-ins are counted in.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Wrong sign-ins taken from all clients together in `WINDOW` before the
/// rest are refused as too many: a flood from many addresses (a botnet,
/// the /64s of one /48) fills neither the service nor the trail either.
/// Right tokens still sign in.
pub const ALL_ALLOWED: u64 = 1000;
/// The key all clients' wrong sign-ins are counted under.
const ALL: &str = "*";

/// What came of a wrong sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The client's wrong sign-ins in the window, this one included.
    pub count: u64,
    /// Past the limit: refused as too many.
    pub too_many: bool,
    /// Past the limit of all clients together, not the client's own.
    pub everyone: bool,
    /// Until the window ends.
    pub wait: Duration,
    /// The window's key (client and start), for its one audit entry.
    pub key: String,
}

/// Wrong sign-ins by client.
#[derive(Debug, Clone)]
pub struct Throttle {
    store: Store,
}

/// The address wrong sign-ins are counted under: an IPv4 address, or an
/// IPv6 /64 (IPv4-mapped IPv6 as IPv4).
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
    /// Counts in `store`.
    pub fn new(store: Store) -> Throttle {
        Throttle { store }
    }

    /// Counts a wrong sign-in by `client`.
    pub async fn fail(&self, client: IpAddr) -> Result<Verdict, StoreError> {
        self.fail_at(client, jiff::Timestamp::now()).await
    }

    async fn fail_at(&self, client: IpAddr, now: jiff::Timestamp) -> Result<Verdict, StoreError> {
        let window = jiff::SignedDuration::try_from(WINDOW).unwrap_or_default();
        let verdict = |failures: Failures, key: &str, too_many: bool, everyone: bool| {
            let ends = failures.since.checked_add(window).unwrap_or(failures.since);
            Verdict {
                count: failures.count,
                too_many,
                everyone,
                wait: ends.duration_since(now).try_into().unwrap_or_default(),
                key: format!("{key}@{}", failures.since.as_millisecond()),
            }
        };
        let everyone = self.store.fail(ALL, now, WINDOW).await?;
        if everyone.count > ALL_ALLOWED {
            // Past the limit of all clients together: every wrong token is
            // refused as one too many and counted into one entry, and no
            // client is followed on its own (a flood from many addresses
            // adds no rows, to the store or the trail).
            return Ok(verdict(everyone, ALL, true, true));
        }
        let key = address_key(client).to_string();
        let theirs = self.store.fail(&key, now, WINDOW).await?;
        let too_many = theirs.count > FAILURES_ALLOWED;
        Ok(verdict(theirs, &key, too_many, false))
    }

    /// Forgets the clients whose window has ended.
    pub async fn forget_old(&self) -> Result<u64, StoreError> {
        self.store.forget_old_failures(jiff::Timestamp::now(), WINDOW).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn at(seconds: i64) -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_800_000_000 + seconds).unwrap()
    }

    #[tokio::test]
    async fn past_ten_a_minute_a_client_is_refused_until_its_window_ends() {
        let throttle = Throttle::new(Store::memory().await.unwrap());
        for i in 1..=FAILURES_ALLOWED {
            let v = throttle.fail_at(ip("127.0.0.2"), at(i as i64)).await.unwrap();
            assert!(!v.too_many && v.count == i, "{v:?}");
        }
        let v = throttle.fail_at(ip("127.0.0.2"), at(20)).await.unwrap();
        assert_eq!(
            (v.count, v.too_many, v.everyone, v.wait),
            (11, true, false, Duration::from_secs(41))
        );
        assert_eq!(v.key, format!("127.0.0.2@{}", at(1).as_millisecond()));
        // The same window, the same key: one audit entry for all of it.
        assert_eq!(throttle.fail_at(ip("127.0.0.2"), at(30)).await.unwrap().key, v.key);
        assert!(!throttle.fail_at(ip("127.0.0.1"), at(20)).await.unwrap().too_many, "another client");
        // When the window ends, a new one starts.
        let v = throttle.fail_at(ip("127.0.0.2"), at(61)).await.unwrap();
        assert_eq!((v.count, v.too_many), (1, false));
    }

    #[tokio::test]
    async fn a_flood_from_many_clients_is_limited_all_together() {
        let throttle = Throttle::new(Store::memory().await.unwrap());
        // A thousand clients, one wrong try each: within both limits.
        for i in 0..ALL_ALLOWED {
            let client = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i as u32));
            assert!(!throttle.fail_at(client, at(1)).await.unwrap().too_many);
        }
        // The next client's first try is one too many of all together,
        // counted under one key for the window.
        let v = throttle.fail_at(ip("192.0.2.1"), at(2)).await.unwrap();
        assert_eq!((v.count, v.too_many, v.everyone), (ALL_ALLOWED + 1, true, true));
        assert_eq!(v.key, format!("*@{}", at(1).as_millisecond()));
        assert_eq!(v.wait, Duration::from_secs(59));
        assert_eq!(
            throttle.fail_at(ip("192.0.2.2"), at(3)).await.unwrap().key,
            v.key,
            "one entry for all of them"
        );
        // Past it, new clients are not followed one by one: only the
        // thousand clients within it and the count of all are kept.
        assert_eq!(throttle.store.forget_old_failures(at(200), WINDOW).await.unwrap(), ALL_ALLOWED + 1);
        // A window later, each client starts again.
        assert!(!throttle.fail_at(ip("192.0.2.3"), at(61)).await.unwrap().too_many);
    }

    #[tokio::test]
    async fn clients_whose_window_ended_are_forgotten() {
        let throttle = Throttle::new(Store::memory().await.unwrap());
        let long_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(5);
        throttle.fail_at(ip("192.0.2.1"), long_ago).await.unwrap();
        throttle.fail(ip("192.0.2.2")).await.unwrap();
        // Client 1's window ended (the count of all started anew with
        // client 2's).
        assert_eq!(throttle.forget_old().await.unwrap(), 1);
        assert_eq!(throttle.fail(ip("192.0.2.1")).await.unwrap().count, 1, "starts anew");
        assert_eq!(throttle.fail(ip("192.0.2.2")).await.unwrap().count, 2, "kept");
    }

    #[tokio::test]
    async fn one_ipv6_64_is_one_client_and_mapped_ipv4_is_ipv4() {
        assert_eq!(address_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(address_key(ip("::ffff:127.0.0.2")), ip("127.0.0.2"));
        let throttle = Throttle::new(Store::memory().await.unwrap());
        for i in 0..FAILURES_ALLOWED {
            throttle.fail_at(ip(&format!("2001:db8:1:2::{i:x}")), at(0)).await.unwrap();
        }
        assert!(throttle.fail_at(ip("2001:db8:1:2::ffff"), at(0)).await.unwrap().too_many);
        assert!(!throttle.fail_at(ip("2001:db8:1:3::1"), at(0)).await.unwrap().too_many);
    }
}
