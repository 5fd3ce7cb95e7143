//! Who a request comes from, as the guard found: the person, how they were
//! recognised, and their address. The pages show it, the audit log and the
//! sessions keep it.

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
    /// Their address (behind a trusted proxy, the address it forwards).
    pub address: IpAddr,
    /// The session's id, for sign-out.
    pub(super) session: Option<String>,
}
