//! A console behind the company's single sign-on: a proxy (such as
//! oauth2-proxy) authenticates staff and names them in a header
//! (`X-Forwarded-Email` by default), and their groups in another
//! (`X-Forwarded-Groups`). Believed only on requests whose peer, the hop
//! that connected to the console, is the identity proxy (`--identity-
//! proxy`): trust is per hop, and a front end that merely forwards
//! headers never names a person. The header is taken once: a request
//! with two (the client's own and the proxy's) is refused, never read
//! either way; one header naming two people (a hop that merged them) is
//! refused too.

use std::net::IpAddr;

use axum::http::{HeaderMap, HeaderName};

use crate::console::access::nets::TrustedNets;

/// The header oauth2-proxy passes the user in (`--pass-user-headers`).
pub const DEFAULT_USER_HEADER: &str = "x-forwarded-email";
/// The header oauth2-proxy passes the user's groups in.
pub const DEFAULT_GROUPS_HEADER: &str = "x-forwarded-groups";

/// The longest user name taken from the header.
const MAX_USER_LEN: usize = 256;
/// The longest groups header taken.
const MAX_GROUPS_LEN: usize = 8192;

/// What the identity proxy says about a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named {
    /// The person, and whether they are in the auditors' group.
    Person {
        /// Their name as the proxy gives it.
        user: String,
        /// In a group that may read the audit trail.
        auditor: bool,
    },
    /// Nobody: the request is not the proxy's, or names no one.
    Nobody,
    /// The proxy's request names someone in a way that cannot be taken:
    /// why.
    Refused(String),
}

/// The sign-on proxy trusted to name staff, and how it names them.
#[derive(Debug, Clone)]
pub struct IdentityProxy {
    nets: TrustedNets,
    user_header: HeaderName,
    groups_header: HeaderName,
    auditor_groups: Vec<String>,
    sign_out: Option<String>,
}

impl IdentityProxy {
    /// Trusts requests from `nets` to name the person in `user_header`.
    pub fn new(nets: TrustedNets, user_header: HeaderName) -> IdentityProxy {
        IdentityProxy {
            nets,
            user_header,
            groups_header: HeaderName::from_static(DEFAULT_GROUPS_HEADER),
            auditor_groups: Vec::new(),
            sign_out: None,
        }
    }

    /// Members of `groups` (named in `header`) may read the audit trail.
    pub fn auditors(mut self, header: HeaderName, groups: Vec<String>) -> IdentityProxy {
        self.groups_header = header;
        self.auditor_groups = groups;
        self
    }

    /// Where staff sign out of the proxy (`/oauth2/sign_out`).
    pub fn sign_out(mut self, url: Option<String>) -> IdentityProxy {
        self.sign_out = url;
        self
    }

    /// The header that names the person.
    pub fn user_header(&self) -> &HeaderName {
        &self.user_header
    }

    /// The header that names their groups.
    pub fn groups_header(&self) -> &HeaderName {
        &self.groups_header
    }

    /// The groups whose members may read the audit trail.
    pub fn auditor_groups(&self) -> &[String] {
        &self.auditor_groups
    }

    /// Where staff sign out of the proxy, when set.
    pub fn sign_out_url(&self) -> Option<&str> {
        self.sign_out.as_deref()
    }

    /// The networks trusted.
    pub fn nets(&self) -> &TrustedNets {
        &self.nets
    }

    /// `true` when `peer` is the identity proxy.
    pub fn is_proxy(&self, peer: IpAddr) -> bool {
        self.nets.contains(peer)
    }

    /// `true` when a request from `peer` carries the identity header
    /// without being the proxy's: someone trying to name themselves.
    pub fn claimed_by(&self, peer: IpAddr, headers: &HeaderMap) -> bool {
        !self.is_proxy(peer) && headers.contains_key(&self.user_header)
    }

    /// Who the proxy names in a request from `peer`: UTF-8 (`åse@firma.no`
    /// as sent), trimmed, at most 256 characters, without control
    /// characters, and once.
    pub fn name(&self, peer: IpAddr, headers: &HeaderMap) -> Named {
        if !self.is_proxy(peer) {
            return Named::Nobody;
        }
        let mut values = headers.get_all(&self.user_header).iter();
        let Some(raw) = values.next() else {
            return Named::Nobody;
        };
        let header = &self.user_header;
        if values.next().is_some() {
            return Named::Refused(format!(
                "the request names the person twice in {header}: the proxy must replace the header a client sends, not add to it"
            ));
        }
        let Ok(value) = std::str::from_utf8(raw.as_bytes()) else {
            return Named::Refused(format!("the {header} header is not UTF-8 text"));
        };
        let user = value.trim();
        if user.is_empty() {
            return Named::Nobody;
        }
        if user.chars().count() > MAX_USER_LEN {
            return Named::Refused(format!("the {header} header is longer than {MAX_USER_LEN} characters"));
        }
        if user.chars().any(char::is_control) {
            return Named::Refused(format!("the {header} header holds control characters"));
        }
        // Two values merged into one by a hop that joins repeated headers
        // (`ceo@…, kari@…`): as refused as two headers.
        if user.contains(',') {
            return Named::Refused(format!(
                "the {header} header names more than one person (a comma): a hop merged a client's header with the proxy's"
            ));
        }
        match self.in_auditor_group(headers) {
            Ok(auditor) => Named::Person {
                user: user.to_owned(),
                auditor,
            },
            Err(why) => Named::Refused(why),
        }
    }

    /// `true` when the groups header names an auditors' group; `Err` when
    /// it comes twice or cannot be read.
    fn in_auditor_group(&self, headers: &HeaderMap) -> Result<bool, String> {
        let mut values = headers.get_all(&self.groups_header).iter();
        let Some(raw) = values.next() else {
            return Ok(false);
        };
        let header = &self.groups_header;
        if values.next().is_some() {
            return Err(format!(
                "the request names the groups twice in {header}: the proxy must replace the header a client sends"
            ));
        }
        if raw.len() > MAX_GROUPS_LEN {
            return Err(format!("the {header} header is longer than {MAX_GROUPS_LEN} bytes"));
        }
        let Ok(groups) = std::str::from_utf8(raw.as_bytes()) else {
            return Err(format!("the {header} header is not UTF-8 text"));
        };
        Ok(groups.split(',').map(str::trim).any(|g| self.auditor_groups.iter().any(|a| a == g)))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;
    use crate::console::access::nets::parse_net;

    fn proxy() -> IdentityProxy {
        let nets = TrustedNets::new(
            vec![parse_net("127.0.0.1").unwrap(), parse_net("10.0.0.0/8").unwrap()],
            "--identity-proxy",
            false,
        )
        .unwrap();
        IdentityProxy::new(nets, HeaderName::from_static(DEFAULT_USER_HEADER))
            .auditors(HeaderName::from_static(DEFAULT_GROUPS_HEADER), vec!["dpo".to_owned()])
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_bytes(v.as_bytes()).unwrap());
        }
        h
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn person(user: &str, auditor: bool) -> Named {
        Named::Person {
            user: user.to_owned(),
            auditor,
        }
    }

    #[test]
    fn the_person_only_from_the_proxy_and_only_once() {
        let p = proxy();
        let kari = headers(&[("x-forwarded-email", " kari@shop.example ")]);
        assert_eq!(p.name(ip("127.0.0.1"), &kari), person("kari@shop.example", false));
        assert_eq!(p.name(ip("10.1.2.3"), &kari), person("kari@shop.example", false));
        assert_eq!(p.name(ip("::ffff:127.0.0.1"), &kari), person("kari@shop.example", false));
        assert_eq!(p.name(ip("192.168.1.5"), &kari), Named::Nobody);
        assert!(p.claimed_by(ip("192.168.1.5"), &kari) && !p.claimed_by(ip("127.0.0.1"), &kari));
        assert!(!p.claimed_by(ip("192.168.1.5"), &HeaderMap::new()));
        // The client's forged header, then the proxy's: refused, not read.
        let two = headers(&[
            ("x-forwarded-email", "ceo@shop.example"),
            ("x-forwarded-email", "kari@shop.example"),
        ]);
        assert!(matches!(p.name(ip("127.0.0.1"), &two), Named::Refused(why) if why.contains("twice")));
        assert_eq!(p.name(ip("127.0.0.1"), &headers(&[("x-forwarded-email", "  ")])), Named::Nobody);
        assert_eq!(p.name(ip("127.0.0.1"), &HeaderMap::new()), Named::Nobody);
        let longest = "a".repeat(256);
        assert_eq!(
            p.name(ip("127.0.0.1"), &headers(&[("x-forwarded-email", &longest)])),
            person(&longest, false)
        );
        let long = "a".repeat(257);
        assert!(matches!(p.name(ip("127.0.0.1"), &headers(&[("x-forwarded-email", &long)])), Named::Refused(why) if why.contains("256")));
        assert!(
            matches!(p.name(ip("127.0.0.1"), &headers(&[("x-forwarded-email", "a\tb")])), Named::Refused(why) if why.contains("control"))
        );
        let merged = headers(&[("x-forwarded-email", "ceo@shop.example, kari@shop.example")]);
        assert!(matches!(p.name(ip("127.0.0.1"), &merged), Named::Refused(why) if why.contains("more than one")));
        let mut latin1 = HeaderMap::new();
        latin1.insert("x-forwarded-email", HeaderValue::from_bytes(b"\xe5se").unwrap());
        assert!(matches!(p.name(ip("127.0.0.1"), &latin1), Named::Refused(why) if why.contains("UTF-8")));
        let utf8 = headers(&[("x-forwarded-email", "åse.ødegård@firma.no")]);
        assert_eq!(p.name(ip("127.0.0.1"), &utf8), person("åse.ødegård@firma.no", false));
    }

    #[test]
    fn auditors_by_their_group() {
        let p = proxy();
        let named = |groups: &[&str]| {
            let mut pairs: Vec<(&'static str, &str)> = vec![("x-forwarded-email", "dpo@shop.example")];
            pairs.extend(groups.iter().map(|g| ("x-forwarded-groups", *g)));
            p.name(ip("127.0.0.1"), &headers(&pairs))
        };
        assert_eq!(named(&["support, dpo"]), person("dpo@shop.example", true));
        assert_eq!(named(&["support,dpo-team"]), person("dpo@shop.example", false));
        assert_eq!(named(&[]), person("dpo@shop.example", false));
        assert!(matches!(named(&["dpo", "support"]), Named::Refused(why) if why.contains("twice")));
        assert!(matches!(named(&[&"g,".repeat(5000)]), Named::Refused(why) if why.contains("8192")));
        // At the bound, to the byte: taken; one past it: refused.
        let at_bound = format!("dpo,{}", "g".repeat(8192 - 4));
        assert_eq!(named(&[&at_bound]), person("dpo@shop.example", true));
        assert!(matches!(named(&[&format!("{at_bound}g")]), Named::Refused(_)));
        assert_eq!(p.auditor_groups(), ["dpo"]);
        assert_eq!(p.groups_header().as_str(), "x-forwarded-groups");
        assert_eq!(p.sign_out_url(), None);
        assert_eq!(
            p.clone().sign_out(Some("/oauth2/sign_out".into())).sign_out_url(),
            Some("/oauth2/sign_out")
        );
    }
}
