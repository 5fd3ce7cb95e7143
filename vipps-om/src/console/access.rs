//! Who may use the console:
//!
//! - **On loopback, without sign-in** (`Access::loopback`): the console
//!   answers only requests addressed to this machine (a web page elsewhere
//!   cannot reach it by renaming a host: DNS rebinding), as "this machine".
//! - **Behind single sign-on** (`--trusted-proxy`): the proxy names the
//!   person in a header, believed from the proxy's addresses only.
//! - **Named staff tokens** (`--staff FILE`, `--access-token`): staff sign
//!   in with a form, which starts a session kept on the server; tools send
//!   the token as `Authorization: Bearer`.
//!
//! `guard` applies this to each request; `sign_in` holds the form, the
//! session cookie and sign-out.

use std::net::{IpAddr, Ipv4Addr};

use axum::http::{HeaderMap, HeaderName};
use ipnet::IpNet;

use super::proxy::TrustedProxy;
use super::sessions::{Sessions, MAX_SESSIONS};
use super::staff::StaffTokens;
use super::throttle::{Throttle, MAX_CLIENTS};

/// Who may use the console: nobody signs in (loopback), or named tokens,
/// or a trusted sign-on proxy, or both; the sessions under way and the
/// recent failed sign-ins.
#[derive(Debug)]
pub struct Access {
    pub(super) staff: StaffTokens,
    pub(super) proxy: Option<TrustedProxy>,
    pub(super) sessions: Sessions,
    pub(super) throttle: Throttle,
}

/// Builds the [`Access`] of a console that staff sign in to.
#[derive(Debug, Default)]
pub struct AccessBuilder {
    staff: StaffTokens,
    proxies: Vec<IpNet>,
    user_header: Option<HeaderName>,
    max_sessions: Option<usize>,
}

impl AccessBuilder {
    /// Staff who sign in with their own tokens.
    pub fn staff(mut self, staff: StaffTokens) -> Self {
        self.staff = staff;
        self
    }

    /// Believes the sign-on proxy at `net` (an address or a network).
    pub fn trusted_proxy(mut self, net: IpNet) -> Self {
        self.proxies.push(net);
        self
    }

    /// The header the proxy names the person in (`X-Forwarded-Email`
    /// unless set).
    pub fn user_header(mut self, name: HeaderName) -> Self {
        self.user_header = Some(name);
        self
    }

    /// At most this many sign-ins at once (10 000 unless set).
    pub fn max_sessions(mut self, max: usize) -> Self {
        self.max_sessions = Some(max);
        self
    }

    /// The access, or why it would let nobody in.
    pub fn build(self) -> Result<Access, String> {
        if self.staff.is_empty() && self.proxies.is_empty() {
            return Err("name the staff (--staff FILE or --access-token) or the sign-on proxy (--trusted-proxy)".to_owned());
        }
        let proxy = (!self.proxies.is_empty()).then(|| {
            let header = self
                .user_header
                .unwrap_or_else(|| HeaderName::from_static(super::proxy::DEFAULT_USER_HEADER));
            TrustedProxy::new(self.proxies, header)
        });
        Ok(Access {
            staff: self.staff,
            proxy,
            sessions: Sessions::new(self.max_sessions.unwrap_or(MAX_SESSIONS)),
            throttle: Throttle::new(MAX_CLIENTS),
        })
    }
}

impl Access {
    /// A console on loopback that nobody signs in to.
    pub fn loopback() -> Access {
        Access {
            staff: StaffTokens::new(),
            proxy: None,
            sessions: Sessions::new(1),
            throttle: Throttle::new(1),
        }
    }

    /// The access of a console that staff sign in to.
    pub fn builder() -> AccessBuilder {
        AccessBuilder::default()
    }

    /// `true` when nobody signs in (loopback only).
    pub fn is_open(&self) -> bool {
        self.staff.is_empty() && self.proxy.is_none()
    }

    /// `true` when staff sign in with tokens (the sign-in form exists).
    pub fn has_tokens(&self) -> bool {
        !self.staff.is_empty()
    }

    /// The sign-on proxy, when there is one.
    pub fn proxy(&self) -> Option<&TrustedProxy> {
        self.proxy.as_ref()
    }

    /// How many sign-ins are under way.
    pub fn sessions(&self) -> usize {
        self.sessions.len()
    }

    /// The address a request comes from: behind a trusted proxy, the one
    /// it forwards; the unspecified address when unknown (a request made
    /// in-process).
    pub(super) fn address_of(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> IpAddr {
        let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        match &self.proxy {
            Some(proxy) => proxy.address_behind(peer, headers),
            None => peer.to_canonical(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::visitor::Via;

    fn staff() -> StaffTokens {
        let mut staff = StaffTokens::new();
        staff.add("kari", "a-staff-token-long-enough-to-be-accepted-0001").unwrap();
        staff
    }

    #[test]
    fn max_sessions_bounds_the_sign_ins_under_way() {
        let access = Access::builder().max_sessions(2).staff(staff()).build().unwrap();
        for who in ["kari", "ola", "per"] {
            access.sessions.start(who, Via::Token).unwrap();
        }
        assert_eq!(access.sessions(), 2);
        assert!(access.has_tokens());
        assert!(!access.is_open());
        assert!(access.proxy().is_none());
    }

    #[test]
    fn a_trusted_proxy_names_people_in_the_header_set() {
        let net: IpNet = "10.0.0.0/8".parse().unwrap();
        let access = Access::builder().trusted_proxy(net).build().unwrap();
        assert_eq!(access.proxy().map(|p| p.user_header().as_str()), Some("x-forwarded-email"));
        assert!(!access.has_tokens() && !access.is_open());
        let named = Access::builder()
            .trusted_proxy(net)
            .user_header(HeaderName::from_static("x-auth-request-email"))
            .build()
            .unwrap();
        assert_eq!(named.proxy().map(|p| p.user_header().as_str()), Some("x-auth-request-email"));
        assert!(Access::builder().build().is_err(), "nobody could sign in");
    }
}
