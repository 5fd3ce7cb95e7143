//! Which Vipps MobilePay servers a client talks to.

/// Which Vipps MobilePay servers to talk to.
///
/// The API guide offers Order Management **in production only**: "not
/// supported in the test environment". Test an
/// integration against the emulator (the `vipps-order-management-emulator`
/// crate, or `vipps-om emulator`), then verify it in production with the
/// go-live check ([`Client::check`](crate::client::Client::check)), which
/// reads only unless asked to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Environment {
    /// The test servers, `https://apitest.vipps.no` (test keys, test app;
    /// no Order Management, see above).
    Test,
    /// The production servers, `https://api.vipps.no`, where Order
    /// Management is offered.
    Production,
}

impl Environment {
    /// The environment's base URL (the host root).
    pub fn base_url(self) -> &'static str {
        match self {
            Environment::Test => "https://apitest.vipps.no",
            Environment::Production => "https://api.vipps.no",
        }
    }
}

impl std::fmt::Display for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Environment::Test => "test",
            Environment::Production => "production",
        })
    }
}
