//! The client a command uses: the `VIPPS_*` variables, with the global
//! flags taking precedence.

use vipps_order_management::{Client, Error};

use crate::args::{Cli, Env};
use crate::failure::Failure;

/// The variables, with `--env`, `--base-url` and `--msn` in their place
/// when given.
fn setting(cli: &Cli, name: &str) -> Option<String> {
    let flag = match name {
        "VIPPS_ENV" => cli.environment.map(|e| match e {
            Env::Test => "test".to_owned(),
            Env::Production => "production".to_owned(),
        }),
        // --env says which servers: an exported VIPPS_BASE_URL does not
        // override it (--base-url does).
        "VIPPS_BASE_URL" if cli.environment.is_some() && cli.base_url.is_none() => return None,
        "VIPPS_BASE_URL" => cli.base_url.clone(),
        "VIPPS_MSN" => cli.msn.clone(),
        _ => None,
    };
    flag.or_else(|| std::env::var(name).ok())
}

/// The client, or a configuration error naming every missing variable.
/// It names the tool in `Vipps-System-Name` unless the variables name a
/// system, or `as_configured` asks for the configuration exactly as given
/// (the go-live check reports on the merchant's, not the tool's).
pub fn client(cli: &Cli, as_configured: bool) -> Result<Client, Failure> {
    // A flag given empty (`--base-url "$UNSET"`) must not quietly fall back
    // to the variables or the default servers.
    for (flag, value) in [("--base-url", &cli.base_url), ("--msn", &cli.msn)] {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(Failure::Config(format!("{flag} is empty; give it a value or leave it out")));
        }
    }
    Ok(build(cli, as_configured)?)
}

fn build(cli: &Cli, as_configured: bool) -> Result<Client, Error> {
    let mut builder = Client::builder_from_variables(|name| setting(cli, name))?;
    // Tell Vipps MobilePay which tool sent the calls, unless the variables
    // say otherwise.
    if !as_configured && setting(cli, "VIPPS_SYSTEM_NAME").is_none() {
        builder = builder.system_name("vipps-om").system_version(env!("CARGO_PKG_VERSION"));
    }
    builder.build()
}
