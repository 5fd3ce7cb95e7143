//! Who may use the console:
//!
//! - **On loopback, without sign-in** (`Access::loopback`): the console
//!   answers only requests addressed to this machine (a web page elsewhere
//!   cannot reach it by renaming a host: DNS rebinding), as "this machine".
//! - **Behind single sign-on** (`--identity-proxy`): the proxy names the
//!   person in a header, believed from the proxy's own addresses only
//!   (`identity`).
//! - **Named staff tokens** (`--staff FILE`): staff sign in with a form,
//!   which starts a sign-in kept in the shared store (`sessions`); tools
//!   send the token as `Authorization: Bearer`. The staff file can be
//!   replaced while the console runs (`service::staff_file`).
//!
//! Apart from all three, the front ends (`--front-end`) may name the
//! client's address, for the limits and the trail (`front_end`).
//! `service::guard` applies this to each request; `service::sign_in` holds
//! the form, the cookie and sign-out.

pub(in crate::console) mod audit;
pub(in crate::console) mod entry;
pub(in crate::console) mod front_end;
pub(in crate::console) mod identity;
pub(in crate::console) mod nets;
pub(in crate::console) mod sessions;
pub(in crate::console) mod staff;
pub(in crate::console) mod store;
pub(in crate::console) mod throttle;
pub(in crate::console) mod visitor;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::http::HeaderMap;

use crate::console::access::front_end::{FrontEnds, Hops};
use crate::console::access::identity::IdentityProxy;
use crate::console::access::sessions::{Sessions, IDLE, LIFETIME};
use crate::console::access::staff::{Changes, StaffTokens};
use crate::console::access::store::Store;
use crate::console::access::throttle::Throttle;

/// Who may use the console: nobody signs in (loopback), or named tokens,
/// or a sign-on proxy, or both; the front ends believed about the client;
/// the sign-ins and the wrong sign-ins, in the shared store.
#[derive(Debug)]
pub struct Access {
    staff: RwLock<Arc<StaffTokens>>,
    /// Staff sign in with tokens (the sign-in form exists), even while the
    /// staff file names no one.
    tokens: bool,
    pub(super) identity: Option<IdentityProxy>,
    pub(super) front_ends: FrontEnds,
    pub(super) sessions: Sessions,
    pub(super) throttle: Throttle,
    open: bool,
}

/// Builds the [`Access`] of a console that staff sign in to.
#[derive(Debug, Default)]
pub struct AccessBuilder {
    staff: Option<StaffTokens>,
    identity: Option<IdentityProxy>,
    front_ends: FrontEnds,
    lifetime: Option<Duration>,
    idle: Option<Duration>,
}

impl AccessBuilder {
    /// Staff who sign in with their own tokens: the sign-in form exists,
    /// even while `staff` names no one (a staff file emptied to sign
    /// everyone out).
    pub fn staff(mut self, staff: StaffTokens) -> Self {
        self.staff = Some(staff);
        self
    }

    /// Believes `proxy` about who the person is.
    pub fn identity_proxy(mut self, proxy: IdentityProxy) -> Self {
        self.identity = Some(proxy);
        self
    }

    /// Believes `front_ends` about the client's address, scheme and host.
    pub fn front_ends(mut self, front_ends: FrontEnds) -> Self {
        self.front_ends = front_ends;
        self
    }

    /// A sign-in lasts this long (12 hours unless set).
    pub fn session_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = Some(lifetime);
        self
    }

    /// A sign-in ends after this long unused (30 minutes unless set).
    pub fn session_idle(mut self, idle: Duration) -> Self {
        self.idle = Some(idle);
        self
    }

    /// The access, keeping its sign-ins and limits in `store`; or why it
    /// would let nobody in.
    pub fn build(self, store: &Store) -> Result<Access, String> {
        if self.staff.is_none() && self.identity.is_none() {
            return Err("name the staff (--staff FILE) or the sign-on proxy (--identity-proxy)".to_owned());
        }
        Ok(Access {
            tokens: self.staff.is_some(),
            staff: RwLock::new(Arc::new(self.staff.unwrap_or_default())),
            identity: self.identity,
            front_ends: self.front_ends,
            sessions: Sessions::new(store.clone(), self.lifetime.unwrap_or(LIFETIME), self.idle.unwrap_or(IDLE)),
            throttle: Throttle::new(store.clone()),
            open: false,
        })
    }
}

impl Access {
    /// A console on loopback that nobody signs in to.
    pub fn loopback(store: &Store) -> Access {
        Access {
            staff: RwLock::default(),
            tokens: false,
            identity: None,
            front_ends: FrontEnds::default(),
            sessions: Sessions::new(store.clone(), LIFETIME, IDLE),
            throttle: Throttle::new(store.clone()),
            open: true,
        }
    }

    /// The access of a console that staff sign in to.
    pub fn builder() -> AccessBuilder {
        AccessBuilder::default()
    }

    /// `true` when nobody signs in (loopback only).
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// The staff as the console knows them now.
    pub fn staff(&self) -> Arc<StaffTokens> {
        self.staff.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Takes `staff` as the staff from now on; what changed.
    pub(super) fn replace_staff(&self, staff: StaffTokens) -> Changes {
        let mut held = self.staff.write().unwrap_or_else(|e| e.into_inner());
        let changes = held.changes(&staff);
        *held = Arc::new(staff);
        changes
    }

    /// `true` when staff sign in with tokens (the sign-in form exists).
    pub fn has_tokens(&self) -> bool {
        self.tokens
    }

    /// The sign-on proxy, when there is one.
    pub fn identity(&self) -> Option<&IdentityProxy> {
        self.identity.as_ref()
    }

    /// The front ends believed about the client.
    pub fn front_ends(&self) -> &FrontEnds {
        &self.front_ends
    }

    /// The sign-ins.
    pub fn sessions(&self) -> &Sessions {
        &self.sessions
    }

    /// How a request reached the console; from the unspecified address
    /// when its peer is unknown (a request made in-process).
    pub(super) fn hops(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> Hops {
        self.front_ends.hops(peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)), headers)
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderName;

    use super::*;
    use crate::console::access::identity::DEFAULT_USER_HEADER;
    use crate::console::access::nets::{parse_net, TrustedNets};

    fn staff(token: &str) -> StaffTokens {
        let mut staff = StaffTokens::new();
        staff.add("kari", token, false).unwrap();
        staff
    }

    #[tokio::test]
    async fn built_from_staff_or_a_proxy_and_never_from_nothing() {
        let store = Store::memory().await.unwrap();
        let access = Access::builder()
            .staff(staff("a-staff-token-long-enough-to-be-accepted-0001"))
            .session_lifetime(Duration::from_secs(3600))
            .session_idle(Duration::from_secs(600))
            .build(&store)
            .unwrap();
        assert!(access.has_tokens() && !access.is_open() && access.identity().is_none());
        assert!(access.front_ends().nets().is_empty());
        assert_eq!(
            (access.sessions().lifetime(), access.sessions().idle()),
            (Duration::from_secs(3600), Duration::from_secs(600))
        );
        let nets = TrustedNets::new(vec![parse_net("10.0.0.0/8").unwrap()], "--identity-proxy", false).unwrap();
        let proxied = Access::builder()
            .identity_proxy(IdentityProxy::new(nets.clone(), HeaderName::from_static(DEFAULT_USER_HEADER)))
            .front_ends(FrontEnds::new(nets))
            .build(&store)
            .unwrap();
        let ten = parse_net("10.0.0.0/8").unwrap();
        assert_eq!(proxied.front_ends().nets().nets(), [ten]);
        assert_eq!(proxied.identity().map(|p| p.nets().nets().to_vec()), Some(vec![ten]));
        assert!(!proxied.has_tokens() && !proxied.is_open());
        assert_eq!(proxied.identity().map(|p| p.user_header().as_str()), Some("x-forwarded-email"));
        assert_eq!((proxied.sessions().lifetime(), proxied.sessions().idle()), (LIFETIME, IDLE));
        assert!(Access::builder().build(&store).unwrap_err().contains("--staff"));
        assert!(Access::loopback(&store).is_open() && !Access::loopback(&store).has_tokens());
        // A staff file emptied to sign everyone out: still a console staff
        // sign in to, that nobody gets into.
        let emptied = Access::builder().staff(StaffTokens::new()).build(&store).unwrap();
        assert!(emptied.has_tokens() && !emptied.is_open() && emptied.staff().is_empty());
    }

    #[tokio::test]
    async fn the_staff_replaced_says_what_changed() {
        let store = Store::memory().await.unwrap();
        let access = Access::builder()
            .staff(staff("a-staff-token-long-enough-to-be-accepted-0001"))
            .build(&store)
            .unwrap();
        let changes = access.replace_staff(staff("a-new-staff-token-long-enough-to-be-taken-02"));
        assert_eq!(changes.new_token, ["kari"]);
        assert!(access.staff().holder("a-new-staff-token-long-enough-to-be-taken-02").is_some());
        assert!(access.staff().holder("a-staff-token-long-enough-to-be-accepted-0001").is_none());
    }
}
