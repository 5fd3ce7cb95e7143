//! The names of the headers the API reads, in one place: the transport
//! sends them, a call's own headers may not be one of them, the go-live
//! check looks for them, and the emulator crate reads them (and hides the
//! secret ones in what it records).
//!
//! ```
//! use vipps_order_management::headers::{as_read, MERCHANT_SERIAL_NUMBER_HEADER};
//! assert_eq!(MERCHANT_SERIAL_NUMBER_HEADER.as_str(), "merchant-serial-number");
//! assert_eq!(as_read("Client_Secret"), "client-secret");
//! ```

use reqwest::header::HeaderName;

/// The subscription key.
pub const SUBSCRIPTION_KEY_HEADER: HeaderName = HeaderName::from_static("ocp-apim-subscription-key");
/// The merchant serial number of the call.
pub const MERCHANT_SERIAL_NUMBER_HEADER: HeaderName = HeaderName::from_static("merchant-serial-number");
/// The client id, sent to the token endpoint only.
pub const CLIENT_ID_HEADER: HeaderName = HeaderName::from_static("client_id");
/// The client secret, sent to the token endpoint only.
pub const CLIENT_SECRET_HEADER: HeaderName = HeaderName::from_static("client_secret");

/// One of the `Vipps-System-*` headers that say which system calls.
#[derive(Debug, Clone)]
pub(crate) struct SystemHeader {
    /// As sent.
    pub(crate) name: HeaderName,
    /// As the API's docs write it.
    pub(crate) shown: &'static str,
    /// The environment variable [`Client::from_env`](crate::Client::from_env) reads it from.
    pub(crate) variable: &'static str,
}

/// The `Vipps-System-*` headers: the system's name and version, the
/// plugin's name and version.
pub(crate) const SYSTEM_HEADERS: [SystemHeader; 4] = [
    SystemHeader {
        name: HeaderName::from_static("vipps-system-name"),
        shown: "Vipps-System-Name",
        variable: "VIPPS_SYSTEM_NAME",
    },
    SystemHeader {
        name: HeaderName::from_static("vipps-system-version"),
        shown: "Vipps-System-Version",
        variable: "VIPPS_SYSTEM_VERSION",
    },
    SystemHeader {
        name: HeaderName::from_static("vipps-system-plugin-name"),
        shown: "Vipps-System-Plugin-Name",
        variable: "VIPPS_PLUGIN_NAME",
    },
    SystemHeader {
        name: HeaderName::from_static("vipps-system-plugin-version"),
        shown: "Vipps-System-Plugin-Version",
        variable: "VIPPS_PLUGIN_VERSION",
    },
];

/// A header name as servers and gateways may read it: in lower case, with
/// `_` taken as `-` (`client_secret` is `client-secret`): two names are
/// the same header to the API's gateway when these are equal.
pub fn as_read(name: &str) -> String {
    name.to_ascii_lowercase().replace('_', "-")
}
