//! Which Vipps MobilePay servers a client talks to.

/// Which Vipps MobilePay servers to talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Environment {
    /// The test servers, `https://apitest.vipps.no` (test keys, test app).
    Test,
    /// The production servers, `https://api.vipps.no`.
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
