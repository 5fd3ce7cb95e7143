//! The names of the headers the SDK sends, in one place: the transport
//! sends them, a call's own headers may not be one of them, the go-live
//! check looks for them, and the emulator reads them (and hides the secret
//! ones in what it records).

use reqwest::header::HeaderName;

/// The subscription key.
pub(crate) const SUBSCRIPTION_KEY_HEADER: HeaderName = HeaderName::from_static("ocp-apim-subscription-key");
/// The merchant serial number of the call.
pub(crate) const MERCHANT_SERIAL_NUMBER_HEADER: HeaderName = HeaderName::from_static("merchant-serial-number");
/// The client id, sent to the token endpoint only.
pub(crate) const CLIENT_ID_HEADER: HeaderName = HeaderName::from_static("client_id");
/// The client secret, sent to the token endpoint only.
pub(crate) const CLIENT_SECRET_HEADER: HeaderName = HeaderName::from_static("client_secret");

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
/// `_` taken as `-` (`client_secret` is `client-secret`).
pub(crate) fn as_read(name: &str) -> String {
    name.to_ascii_lowercase().replace('_', "-")
}
