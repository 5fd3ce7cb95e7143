//! Who a request comes from, as the guard found: the person, how they were
//! recognised, their address, and whether they may read the audit trail.
//! The pages show it, the audit trail and the sign-ins keep it.

use std::net::IpAddr;

use serde::Serialize;

/// How a person was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    /// A console on loopback without sign-in: whoever uses this machine.
    Loopback,
    /// The single sign-on proxy's header.
    Proxy,
    /// A session started with a named token on the sign-in form.
    Token,
    /// A named token sent as `Authorization: Bearer`.
    Bearer,
    /// The console itself (a sign-in ended because the staff file
    /// changed).
    Console,
}

impl Via {
    /// Every way, in the order the views name them.
    pub const ALL: [Via; 5] = [Via::Loopback, Via::Proxy, Via::Token, Via::Bearer, Via::Console];

    /// Its name in the audit trail.
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Loopback => "loopback",
            Via::Proxy => "proxy",
            Via::Token => "token",
            Via::Bearer => "bearer",
            Via::Console => "console",
        }
    }

    /// The way of a name in the audit trail.
    pub fn parse(text: &str) -> Option<Via> {
        Via::ALL.into_iter().find(|v| v.as_str() == text)
    }
}

/// Who a request comes from, as the guard found: in the request's
/// extensions for the handlers.
#[derive(Debug, Clone)]
pub struct Visitor {
    /// The person's name (a staff name, the proxy's user), or "this
    /// machine" on an open loopback console.
    pub who: String,
    /// How they were recognised.
    pub via: Via,
    /// Their address (behind a trusted front end, the one it names).
    pub address: IpAddr,
    /// May read the audit trail: an auditor in the staff file, a member of
    /// the auditors' group by the sign-on proxy, whoever uses this machine
    /// on an open loopback console.
    pub auditor: bool,
    /// The session's id, for sign-out.
    pub(in crate::console) session: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ways_by_name() {
        for via in Via::ALL {
            assert_eq!(Via::parse(via.as_str()), Some(via));
            assert_eq!(serde_json::to_value(via).unwrap(), via.as_str());
        }
        assert_eq!(Via::parse("Token"), None);
    }
}
