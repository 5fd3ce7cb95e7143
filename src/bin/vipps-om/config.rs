//! The client a command uses: the `VIPPS_*` variables, with the global
//! flags taking precedence.

use vipps_order_management::{Client, Error};

use crate::args::{Cli, Env};

/// The variables, with `--env`, `--base-url` and `--msn` in their place
/// when given.
fn lookup(cli: &Cli, name: &str) -> Option<String> {
    let flag = match name {
        "VIPPS_ENV" => cli.environment.map(|e| match e {
            Env::Test => "test".to_owned(),
            Env::Production => "production".to_owned(),
        }),
        "VIPPS_BASE_URL" => cli.base_url.clone(),
        "VIPPS_MSN" => cli.msn.clone(),
        _ => None,
    };
    flag.or_else(|| std::env::var(name).ok())
}

/// The client, or a configuration error naming every missing variable.
pub fn client(cli: &Cli) -> Result<Client, Error> {
    let mut builder = Client::builder_from(|name| lookup(cli, name))?;
    // Tell Vipps MobilePay which tool sent the calls, unless the variables
    // say otherwise.
    if lookup(cli, "VIPPS_SYSTEM_NAME").is_none() {
        builder = builder.system_name("vipps-om").system_version(env!("CARGO_PKG_VERSION"));
    }
    builder.build()
}
