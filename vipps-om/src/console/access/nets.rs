//! Networks the console believes something from: the front ends that may
//! name the client's address (`--front-end`), the sign-on proxy that may
//! name the person (`--identity-proxy`). Addresses and networks as the
//! command line gives them; a network as wide as the internet is refused
//! unless forced (`--trust-wide-networks`): it would let anyone say who
//! they are.

use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

/// The shortest IPv4 prefix taken beyond private address space (a /16:
/// one organisation's).
const WIDEST_V4: u8 = 16;
/// The shortest IPv6 prefix taken beyond unique-local space (a /48: one
/// site's).
const WIDEST_V6: u8 = 48;

/// Reads an address (`127.0.0.1`, `::1`) or a network (`10.0.0.0/8`).
pub fn parse_net(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{text:?} is not an address or a network (such as 127.0.0.1 or 10.0.0.0/8)"))
}

/// `net` with an IPv4-mapped IPv6 network (`::ffff:10.0.0.0/104`) as the
/// IPv4 network it is.
fn canonical(net: IpNet) -> IpNet {
    match net {
        IpNet::V6(v6) if v6.prefix_len() >= 96 => match v6.network().to_ipv4_mapped() {
            Some(v4) => Ipv4Net::new(v4, v6.prefix_len() - 96).map_or(net, IpNet::V4),
            None => net,
        },
        other => other,
    }
}

/// `true` when `net` lies in address space no one reaches from the
/// internet: private, shared (carrier NAT), loopback, link-local,
/// unique-local.
fn private(net: IpNet) -> bool {
    const V4: [&str; 6] = [
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
    ];
    const V6: [&str; 3] = ["fc00::/7", "fe80::/10", "::1/128"];
    match net {
        IpNet::V4(v4) => V4.iter().filter_map(|p| p.parse::<Ipv4Net>().ok()).any(|p| p.contains(&v4)),
        IpNet::V6(v6) => V6.iter().filter_map(|p| p.parse::<Ipv6Net>().ok()).any(|p| p.contains(&v6)),
    }
}

/// `true` when `net` is as wide as the internet: beyond private space and
/// wider than one organisation's network.
pub fn too_wide(net: IpNet) -> bool {
    let net = canonical(net);
    let wide = match net {
        IpNet::V4(v4) => v4.prefix_len() < WIDEST_V4,
        IpNet::V6(v6) => v6.prefix_len() < WIDEST_V6,
    };
    wide && !private(net)
}

/// Addresses and networks trusted to say something about a request.
#[derive(Debug, Clone, Default)]
pub struct TrustedNets {
    nets: Vec<IpNet>,
}

impl TrustedNets {
    /// Trusts `nets`, given with `flag`; a network as wide as the internet
    /// is refused unless `allow_wide`.
    pub fn new(nets: Vec<IpNet>, flag: &str, allow_wide: bool) -> Result<TrustedNets, String> {
        if !allow_wide {
            if let Some(wide) = nets.iter().find(|n| too_wide(**n)) {
                return Err(format!(
                    "{flag} {wide} would trust every address in it, much of the internet, to say this: name your own machines' addresses or networks (such as 10.0.0.5 or 10.0.0.0/24), or add --trust-wide-networks if that network really is yours alone"
                ));
            }
        }
        Ok(TrustedNets {
            nets: nets.into_iter().map(canonical).collect(),
        })
    }

    /// `true` when no one is trusted.
    pub fn is_empty(&self) -> bool {
        self.nets.is_empty()
    }

    /// `true` when `ip` is trusted (an IPv4-mapped IPv6 address as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.nets.iter().any(|net| net.contains(&ip))
    }

    /// The networks, as given.
    pub fn nets(&self) -> &[IpNet] {
        &self.nets
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(text: &str) -> IpNet {
        parse_net(text).unwrap()
    }

    #[test]
    fn nets_and_addresses() {
        assert!(parse_net("::1").is_ok() && parse_net("fd00::/8").is_ok());
        assert_eq!(parse_net(" 10.0.0.5 ").unwrap(), net("10.0.0.5/32"));
        assert!(parse_net("proxy.local").unwrap_err().contains("not an address"));
    }

    #[test]
    fn the_internet_is_not_a_front_end() {
        for wide in [
            "0.0.0.0/0",
            "::/0",
            "203.0.0.0/8",
            "128.0.0.0/1",
            "2001:db8::/32",
            "::ffff:0.0.0.0/96",
            "203.0.113.0/15",
        ] {
            assert!(too_wide(net(wide)), "{wide}");
            let refused = TrustedNets::new(vec![net("10.0.0.5"), net(wide)], "--front-end", false).unwrap_err();
            assert!(
                refused.contains("--front-end") && refused.contains("--trust-wide-networks"),
                "{refused}"
            );
            assert!(TrustedNets::new(vec![net(wide)], "--front-end", true).is_ok());
        }
        for narrow in [
            "10.0.0.0/8",
            "172.16.0.0/12",
            "192.168.0.0/16",
            "100.64.0.0/10",
            "127.0.0.1",
            "169.254.0.0/16",
            "203.0.113.0/16",
            "203.0.113.7",
            "fd00::/8",
            "fe80::/10",
            "::1",
            "2001:db8:1::/48",
            "::ffff:10.0.0.0/104",
        ] {
            assert!(!too_wide(net(narrow)), "{narrow}");
        }
    }

    #[test]
    fn mapped_addresses_are_their_ipv4() {
        let trusted = TrustedNets::new(vec![net("127.0.0.1"), net("::ffff:10.0.0.0/104")], "--front-end", false).unwrap();
        assert!(trusted.contains("::ffff:127.0.0.1".parse().unwrap()));
        assert!(trusted.contains("10.9.8.7".parse().unwrap()));
        assert!(!trusted.contains("127.0.0.2".parse().unwrap()));
        assert!(!TrustedNets::default().contains("127.0.0.1".parse().unwrap()));
        assert!(TrustedNets::default().is_empty() && !trusted.is_empty());
        // A network around the mapped space, wider than it, stays IPv6:
        // it holds no IPv4 client (those are read as IPv4).
        let around = TrustedNets::new(vec![net("::ffff:0:0/80")], "--front-end", false).unwrap();
        assert!(!around.contains("192.0.2.1".parse().unwrap()));
        assert_eq!(around.nets()[0], net("::ffff:0:0/80"));
        assert_eq!(trusted.nets()[1], net("10.0.0.0/8"));
    }
}
