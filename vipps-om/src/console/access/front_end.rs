//! What the front ends in front of the console say about a request: the
//! TLS terminators and load balancers named with `--front-end` (as
//! nginx's `set_real_ip_from` names them). From them, and only them, the
//! console takes the client's address (`X-Forwarded-For`, read from the
//! right: the nearest hop that is not a front end itself), whether the
//! browser came by https (`X-Forwarded-Proto`) and the host it asked for
//! (`X-Forwarded-Host`). Who the person is, is another trust altogether
//! (`identity`): a front end never names a person.

use std::net::IpAddr;

use axum::http::HeaderMap;

use crate::console::access::nets::TrustedNets;

/// How a request reached the console, as far as the console believes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hops {
    /// The client's address: the peer's, or behind front ends the one
    /// they name (an IPv4-mapped IPv6 address as IPv4).
    pub client: IpAddr,
    /// `true` when a front end says the browser came by https.
    pub https: bool,
    /// The host the browser asked for, when a front end says so.
    pub host: Option<String>,
}

/// The front ends trusted to name the client.
#[derive(Debug, Clone, Default)]
pub struct FrontEnds {
    nets: TrustedNets,
}

/// One `X-Forwarded-For` hop's address: `203.0.113.9`, `2001:db8::1`, or
/// with a port as some proxies write it (`203.0.113.9:5120`,
/// `[2001:db8::1]:5120`).
fn hop_address(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
}

/// The last value of a header a front end sets (a client's own value,
/// sent ahead of it, comes first).
fn last_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    let value = headers.get_all(name).iter().next_back()?.to_str().ok()?;
    let last = value.rsplit(',').next()?.trim();
    (!last.is_empty()).then_some(last)
}

impl FrontEnds {
    /// Trusts the front ends at `nets`.
    pub fn new(nets: TrustedNets) -> FrontEnds {
        FrontEnds { nets }
    }

    /// The networks trusted.
    pub fn nets(&self) -> &TrustedNets {
        &self.nets
    }

    /// How a request from `peer` with `headers` reached the console.
    pub fn hops(&self, peer: IpAddr, headers: &HeaderMap) -> Hops {
        let peer = peer.to_canonical();
        if !self.nets.contains(peer) {
            return Hops {
                client: peer,
                https: false,
                host: None,
            };
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            match hop_address(hop) {
                Some(ip) if self.nets.contains(ip) => client = ip.to_canonical(),
                Some(ip) => {
                    client = ip.to_canonical();
                    break;
                }
                // Not an address: nothing beyond it is believed.
                None => break,
            }
        }
        Hops {
            client,
            https: last_value(headers, "x-forwarded-proto").is_some_and(|p| p.eq_ignore_ascii_case("https")),
            host: last_value(headers, "x-forwarded-host").map(str::to_owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::access::nets::parse_net;

    fn front_ends() -> FrontEnds {
        let nets = vec![parse_net("127.0.0.1").unwrap(), parse_net("10.0.0.0/8").unwrap()];
        FrontEnds::new(TrustedNets::new(nets, "--front-end", false).unwrap())
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_client_is_the_nearest_hop_that_is_no_front_end() {
        let f = front_ends();
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.9, 10.0.0.7")]);
        assert_eq!(f.hops(ip("127.0.0.1"), &h).client, ip("203.0.113.9"));
        // From anyone but a front end the header is the client's own claim.
        assert_eq!(f.hops(ip("198.51.100.1"), &h).client, ip("198.51.100.1"));
        assert_eq!(f.hops(ip("127.0.0.1"), &HeaderMap::new()).client, ip("127.0.0.1"));
        let ported = headers(&[("x-forwarded-for", "203.0.113.9:5120, [2001:db8::1]:443")]);
        assert_eq!(f.hops(ip("127.0.0.1"), &ported).client, ip("2001:db8::1"));
        // Junk: nothing left of it is believed; the last front end named
        // stands.
        let junk = headers(&[("x-forwarded-for", "203.0.113.9, nonsense, 10.0.0.7")]);
        assert_eq!(f.hops(ip("127.0.0.1"), &junk).client, ip("10.0.0.7"));
        let two = headers(&[("x-forwarded-for", "6.6.6.6"), ("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(f.hops(ip("127.0.0.1"), &two).client, ip("203.0.113.9"));
        assert_eq!(f.hops(ip("::ffff:127.0.0.1"), &two).client, ip("203.0.113.9"));
        let mapped = headers(&[("x-forwarded-for", "::ffff:192.0.2.4")]);
        assert_eq!(f.hops(ip("127.0.0.1"), &mapped).client, ip("192.0.2.4"));
    }

    #[test]
    fn scheme_and_host_only_from_a_front_end() {
        let f = front_ends();
        let h = headers(&[
            ("x-forwarded-proto", "http"),
            ("x-forwarded-proto", "HTTPS"),
            ("x-forwarded-host", "evil.example, console.shop.example"),
        ]);
        let through = f.hops(ip("10.1.1.1"), &h);
        assert!(through.https);
        assert_eq!(through.host.as_deref(), Some("console.shop.example"));
        let direct = f.hops(ip("192.0.2.1"), &h);
        assert!(!direct.https && direct.host.is_none());
        let plain = f.hops(
            ip("10.1.1.1"),
            &headers(&[("x-forwarded-proto", "http"), ("x-forwarded-host", " ")]),
        );
        assert!(!plain.https && plain.host.is_none());
        assert!(FrontEnds::default().nets().is_empty());
    }
}
