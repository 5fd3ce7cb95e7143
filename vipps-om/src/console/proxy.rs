//! A console behind the company's single sign-on: a reverse proxy (such
//! as oauth2-proxy) authenticates staff and passes who they are in a
//! header (`X-Forwarded-Email` by default). The header is believed only on
//! requests from the configured proxy addresses; from anyone else it is
//! ignored, as is `X-Forwarded-For`.

use std::net::IpAddr;

use axum::http::{HeaderMap, HeaderName};
use ipnet::IpNet;

/// The header oauth2-proxy passes (with `--pass-user-headers`).
pub const DEFAULT_USER_HEADER: &str = "x-forwarded-email";

/// The longest user name taken from the header.
const MAX_USER_LEN: usize = 256;

/// The proxies trusted to say who staff are, and the header they say it in.
#[derive(Debug, Clone)]
pub struct TrustedProxy {
    nets: Vec<IpNet>,
    user_header: HeaderName,
}

impl TrustedProxy {
    /// Trusts requests from `nets` to name the user in `user_header`.
    pub fn new(nets: Vec<IpNet>, user_header: HeaderName) -> TrustedProxy {
        TrustedProxy { nets, user_header }
    }

    /// The header that names the user.
    pub fn user_header(&self) -> &HeaderName {
        &self.user_header
    }

    /// `true` when `peer` is one of the proxies.
    pub fn trusts(&self, peer: IpAddr) -> bool {
        let peer = peer.to_canonical();
        self.nets.iter().any(|net| net.contains(&peer))
    }

    /// The client behind the proxy: the nearest address in
    /// `X-Forwarded-For` that is not a proxy itself (the ones further left
    /// are the client's own say, not to be believed); the peer when the
    /// peer is no proxy or the header names no one.
    pub fn address_behind(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        for hop in hops.into_iter().rev() {
            match hop_address(hop) {
                Ok(ip) if self.trusts(ip) => continue,
                Ok(ip) => return ip.to_canonical(),
                // Not an address: nothing beyond it is believed.
                Err(_) => break,
            }
        }
        peer
    }

    /// The user the proxy names, when `peer` is a proxy and the header is
    /// there: UTF-8 (`åse@firma.no` as the proxy sends it), trimmed, at
    /// most 256 characters, without control characters. A header the proxy
    /// sent that cannot be a name is logged, with why.
    pub fn user(&self, peer: IpAddr, headers: &HeaderMap) -> Option<String> {
        if !self.trusts(peer) {
            return None;
        }
        let raw = headers.get(&self.user_header)?;
        let refused = |why: &str| {
            tracing::warn!(target: "vipps_om::console", "the sign-on proxy's {} header was not taken: {why}", self.user_header);
            None
        };
        let Ok(value) = std::str::from_utf8(raw.as_bytes()) else {
            return refused("it is not UTF-8 text");
        };
        let value = value.trim();
        if value.is_empty() {
            return refused("it is empty");
        }
        if value.chars().count() > MAX_USER_LEN {
            return refused("it is longer than 256 characters");
        }
        if value.chars().any(char::is_control) {
            return refused("it holds control characters");
        }
        Some(value.to_owned())
    }
}

/// One `X-Forwarded-For` hop's address: `203.0.113.9`, `2001:db8::1`, or
/// with a port as some proxies write it (`203.0.113.9:5120`,
/// `[2001:db8::1]:5120`).
fn hop_address(hop: &str) -> Result<IpAddr, ()> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Ok(ip);
    }
    hop.parse::<std::net::SocketAddr>().map(|s| s.ip()).map_err(|_| ())
}

/// Reads `--trusted-proxy`: an address (`127.0.0.1`, `::1`) or a network
/// (`10.0.0.0/8`).
pub fn parse_net(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{text:?} is not an address or a network (such as 127.0.0.1 or 10.0.0.0/8)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxy() -> TrustedProxy {
        TrustedProxy::new(
            vec![parse_net("127.0.0.1").unwrap(), parse_net("10.0.0.0/8").unwrap()],
            HeaderName::from_static(DEFAULT_USER_HEADER),
        )
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_user_only_from_a_proxy() {
        let p = proxy();
        let h = headers(&[("x-forwarded-email", " kari@shop.example ")]);
        assert_eq!(p.user("127.0.0.1".parse().unwrap(), &h).as_deref(), Some("kari@shop.example"));
        assert_eq!(p.user("10.1.2.3".parse().unwrap(), &h).as_deref(), Some("kari@shop.example"));
        assert_eq!(
            p.user("::ffff:127.0.0.1".parse().unwrap(), &h).as_deref(),
            Some("kari@shop.example")
        );
        assert_eq!(p.user("192.168.1.5".parse().unwrap(), &h), None);
        assert_eq!(p.user("127.0.0.1".parse().unwrap(), &headers(&[("x-forwarded-email", "  ")])), None);
        let longest = "a".repeat(256);
        assert_eq!(
            p.user("127.0.0.1".parse().unwrap(), &headers(&[("x-forwarded-email", &longest)])),
            Some(longest.clone())
        );
        let long = "a".repeat(257);
        assert_eq!(
            p.user("127.0.0.1".parse().unwrap(), &headers(&[("x-forwarded-email", &long)])),
            None
        );
        assert_eq!(p.user("127.0.0.1".parse().unwrap(), &HeaderMap::new()), None);
        let mut utf8 = HeaderMap::new();
        utf8.insert(
            "x-forwarded-email",
            axum::http::HeaderValue::from_bytes("åse.ødegård@firma.no".as_bytes()).unwrap(),
        );
        assert_eq!(p.user("127.0.0.1".parse().unwrap(), &utf8).as_deref(), Some("åse.ødegård@firma.no"));
    }

    #[test]
    fn the_client_is_the_nearest_untrusted_hop() {
        let p = proxy();
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.9, 10.0.0.7")]);
        assert_eq!(
            p.address_behind("127.0.0.1".parse().unwrap(), &h),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        // From anyone but a proxy the header is the client's own claim.
        assert_eq!(
            p.address_behind("198.51.100.1".parse().unwrap(), &h),
            "198.51.100.1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            p.address_behind("127.0.0.1".parse().unwrap(), &HeaderMap::new()),
            "127.0.0.1".parse::<IpAddr>().unwrap()
        );
        let ported = headers(&[("x-forwarded-for", "203.0.113.9:5120, [2001:db8::1]:443")]);
        assert_eq!(
            p.address_behind("127.0.0.1".parse().unwrap(), &ported),
            "2001:db8::1".parse::<IpAddr>().unwrap()
        );
        let junk = headers(&[("x-forwarded-for", "203.0.113.9, nonsense, 10.0.0.7")]);
        assert_eq!(
            p.address_behind("127.0.0.1".parse().unwrap(), &junk),
            "127.0.0.1".parse::<IpAddr>().unwrap()
        );
        let two = headers(&[("x-forwarded-for", "6.6.6.6"), ("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            p.address_behind("127.0.0.1".parse().unwrap(), &two),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn nets_and_addresses() {
        assert!(parse_net("::1").is_ok() && parse_net("fd00::/8").is_ok());
        assert!(parse_net("proxy.local").unwrap_err().contains("not an address"));
    }
}
