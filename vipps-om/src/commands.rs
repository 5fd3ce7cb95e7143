//! One function per command: typed arguments in, an output or a failure out.

use std::path::Path;

use serde_json::json;
use vipps_order_management::check::CheckOptions;
use vipps_order_management::validate::IMAGE_MAX_BYTES;
use vipps_order_management::{CategoryId, CategoryV3, Client, ImageUpload, NewCategory, PaymentType};
use vipps_order_management_emulator::Emulator;

use crate::args::{Cli, Command, ConsoleArgs, EmulatorArgs, Link};
use crate::config;
use crate::failure::Failure;
use crate::files::{category_of, read_file, read_receipt};
use crate::output::{Output, Printer};

/// Runs the command; `None` when it printed its own output (the emulator).
pub async fn run(cli: &Cli, printer: Printer) -> Result<Option<Output>, Failure> {
    if let Command::Emulator(args) = &cli.command {
        return emulator(args, printer).await.map(|()| None);
    }
    // Needs no client, and no credentials.
    if let Command::StaffToken = &cli.command {
        return staff_token().map(Some);
    }
    // Only its worker needs a client.
    if let Command::Outbox(args) = &cli.command {
        return crate::outbox::run(cli, args, printer).await;
    }
    let client = config::client(cli, matches!(cli.command, Command::Check { .. }))?;
    if let Command::Console(args) = &cli.command {
        return crate::console::serve(client, console_settings(args)?, printer).await.map(|()| None);
    }
    let output = match &cli.command {
        Command::Token => token(&client).await?,
        Command::Check {
            partner,
            write,
            url,
            yes_production,
            time_limit,
        } => {
            let mut options = CheckOptions::new().time_limit(std::time::Duration::from_secs(*time_limit));
            if *partner {
                options = options.partner();
            }
            if let Some(order_id) = write {
                let url = url.clone().unwrap_or_else(|| format!("https://example.com/orders/{order_id}"));
                options = options.write(order_id.as_str(), url);
                if *yes_production {
                    options = options.in_production();
                }
            }
            check(&client, &options).await?
        }
        Command::UploadImage { file, id } => upload_image(&client, file, id.as_deref()).await?,
        Command::PutCategory(link) => put_category(&client, link).await?,
        Command::PostReceipt {
            payment_type,
            order_id,
            receipt,
        } => post_receipt(&client, payment_type, order_id, receipt).await?,
        Command::GetOrder { payment_type, order_id } => get_order(&client, payment_type, order_id, printer.json).await?,
        Command::AddCategory(link) => add_category(&client, link).await?,
        Command::ListCategories { order_id } => list_categories(&client, order_id).await?,
        Command::GetCategory { category_id } => get_category(&client, category_id).await?,
        Command::DeleteCategory { category_id } => delete_category(&client, category_id).await?,
        Command::Emulator(_) => return Ok(None),
        Command::Console(_) => return Ok(None),
        Command::StaffToken | Command::Outbox(_) => return Ok(None),
    };
    Ok(Some(output))
}

/// The console's settings from its arguments.
fn console_settings(args: &ConsoleArgs) -> Result<crate::console::Settings, Failure> {
    if let Some(net) = args.trusted_proxy.first() {
        return Err(Failure::Usage(format!(
            "--trusted-proxy {net} is gone: it trusted one network both to name the client's address and to name the person. Name the TLS front ends and load balancers that may name the client with --front-end, and the sign-on proxy that may name the person with --identity-proxy (see vipps-om/README.md, \"Deploying it for a department\")"
        )));
    }
    if args.access_token.is_some() {
        let given = if std::env::var_os("VIPPS_CONSOLE_ACCESS_TOKEN").is_some() {
            "VIPPS_CONSOLE_ACCESS_TOKEN is"
        } else {
            "--access-token is"
        };
        return Err(Failure::Usage(format!(
            "{given} renamed: it is the console's staff token, not the API's access token. Give it as --staff-token (or VIPPS_CONSOLE_STAFF_TOKEN)"
        )));
    }
    let day = std::time::Duration::from_secs(24 * 60 * 60);
    Ok(crate::console::Settings {
        listen: args.listen,
        shared_staff_token: args.staff_token.clone(),
        staff: args.staff.clone(),
        front_ends: args.front_ends.clone(),
        identity_proxies: args.identity_proxies.clone(),
        trust_wide_networks: args.trust_wide_networks,
        user_header: args.user_header.clone(),
        groups_header: args.groups_header.clone(),
        auditor_groups: args.auditor_groups.clone(),
        identity_sign_out: args.identity_sign_out.clone(),
        database_url: args.database_url.clone(),
        outbox_database_url: args.outbox_database_url.clone(),
        audit_log: args.audit_log.clone(),
        audit_syslog: args.audit_syslog.clone(),
        audit_retention: (args.audit_retention_days > 0).then(|| day * args.audit_retention_days),
        session_lifetime: std::time::Duration::from_secs(args.session_hours * 3600),
        session_idle: std::time::Duration::from_secs(args.session_idle_minutes * 60),
        time_zone: args.time_zone.clone(),
        max_connections: args.max_connections.max(1),
        idle_timeout: std::time::Duration::from_secs(args.idle_timeout),
    })
}

/// A new staff token.
fn staff_token() -> Result<Output, Failure> {
    let token = crate::console::new_token().map_err(Failure::Config)?;
    Ok(Output::new(token.clone(), json!({ "token": token })))
}

async fn token(client: &Client) -> Result<Output, Failure> {
    let valid = client.warm_up().await?;
    Ok(Output::new(
        format!("token OK: valid for {} s ({} min)", valid.as_secs(), valid.as_secs() / 60),
        json!({ "validForSeconds": valid.as_secs() }),
    ))
}

/// The go-live check: the report, exit 1 when an item failed; a usage
/// error before anything is sent when the write's order id or link is not
/// one the API takes.
async fn check(client: &Client, options: &CheckOptions) -> Result<Output, Failure> {
    options.validate().map_err(|e| Failure::Usage(format!("--write/--url: {e}")))?;
    let report = client.check(options).await;
    let mut json = json!(report);
    json["passed"] = json!(report.passed());
    let mut output = Output::new(report.to_string(), json);
    output.exit_code = if report.passed() { 0 } else { 1 };
    Ok(output)
}

async fn upload_image(client: &Client, file: &Path, id: Option<&str>) -> Result<Output, Failure> {
    let bytes = read_file(file, IMAGE_MAX_BYTES, "the most the API accepts for an image (2 MB)")?;
    let mut upload = ImageUpload::from_bytes(bytes)?;
    if let Some(id) = id {
        upload = upload.with_id(id);
    }
    let id = client.images().upload(&upload).await?;
    Ok(Output::new(id.to_string(), json!({ "imageId": id })))
}

async fn put_category(client: &Client, link: &Link) -> Result<Output, Failure> {
    let category = category_of(link);
    client
        .order(link.payment_type.clone(), &link.order_id)
        .put_category(&category)
        .await?;
    Ok(Output::new(
        format!("category set for {}", link.order_id),
        json!({ "orderId": link.order_id, "paymentType": link.payment_type, "category": category }),
    ))
}

async fn post_receipt(client: &Client, payment_type: &PaymentType, order_id: &str, file: &Path) -> Result<Output, Failure> {
    let receipt = read_receipt(file)?;
    let posted = client.order(payment_type.clone(), order_id).post_receipt(&receipt).await?;
    let text = if posted.already_stored {
        format!("receipt for {order_id} was already stored (the same receipt): nothing to do")
    } else {
        let id = posted.id.as_deref().map(|id| format!(" (id {id})")).unwrap_or_default();
        format!("receipt posted for {order_id}{id}")
    };
    Ok(Output::new(
        text,
        json!({ "orderId": order_id, "paymentType": payment_type, "id": posted.id, "alreadyStored": posted.already_stored }),
    ))
}

async fn get_order(client: &Client, payment_type: &PaymentType, order_id: &str, json: bool) -> Result<Output, Failure> {
    let order = client.order(payment_type.clone(), order_id);
    if json {
        // The answer exactly as the service sent it: every field kept.
        return Ok(Output::raw("", order.get_raw().await?));
    }
    Ok(Output::new(order.get().await?.to_string(), json!(null)))
}

async fn add_category(client: &Client, link: &Link) -> Result<Output, Failure> {
    let mut category = NewCategory::new(link.payment_type.clone(), &link.order_id, link.category.clone(), &link.url);
    if let Some(image) = &link.image {
        category = category.with_image(image.as_str());
    }
    let id = client.categories().add(&category).await?;
    Ok(Output::new(id.to_string(), json!({ "categoryId": id })))
}

fn describe(c: &CategoryV3) -> String {
    let text = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
    let mut line = format!(
        "{}  {}  {}  {}",
        text(c.category_id.as_ref().map(ToString::to_string)),
        text(c.category_type.as_ref().map(ToString::to_string)),
        text(c.payment_type.as_ref().map(ToString::to_string)),
        text(c.url.clone())
    );
    if let Some(image) = &c.image_id {
        line.push_str(&format!("  (image {image})"));
    }
    line
}

async fn list_categories(client: &Client, order_id: &str) -> Result<Output, Failure> {
    let list = client.categories().list(order_id).await?;
    let text = if list.is_empty() {
        format!("no v3 categories for {order_id}")
    } else {
        list.iter().map(describe).collect::<Vec<_>>().join("\n")
    };
    Ok(Output::new(text, json!({ "categories": list })))
}

async fn get_category(client: &Client, id: &str) -> Result<Output, Failure> {
    let category = client.categories().get(&CategoryId::new(id)).await?;
    Ok(Output::new(describe(&category), json!(category)))
}

async fn delete_category(client: &Client, id: &str) -> Result<Output, Failure> {
    client.categories().delete(&CategoryId::new(id)).await?;
    Ok(Output::new(format!("deleted {id}"), json!({ "deleted": id })))
}

/// Bytes in `n` MiB (the flags' range keeps it far below overflow).
fn mib(n: u64) -> usize {
    usize::try_from(n.saturating_mul(1024 * 1024)).unwrap_or(usize::MAX)
}

/// The most of each request body the emulator server records.
const RECORD_BODY_CAP: usize = 64 * 1024;

/// Serves the emulator until Ctrl-C or SIGTERM, after printing where it is
/// and what it accepts.
async fn emulator(args: &EmulatorArgs, printer: Printer) -> Result<(), Failure> {
    let listen = args
        .listen
        .unwrap_or_else(|| std::net::SocketAddr::from(([127, 0, 0, 1], args.port)));
    let mut builder = Emulator::builder()
        .listen(listen)
        .max_connections(args.max_connections)
        .max_connections_per_client(args.max_connections_per_client)
        .idle_timeout(std::time::Duration::from_secs(args.idle_timeout))
        .record_limit(args.record, RECORD_BODY_CAP)
        .record_bytes(mib(args.record_mib))
        .max_stored_bytes(mib(args.max_stored_mib));
    if let Some(path) = &args.state {
        builder = builder.state_file(path);
    }
    match args.admin_token.as_deref() {
        // An unset variable in a compose file gives an empty token: said at
        // once, rather than a service whose admin API no token opens.
        Some("") => {
            return Err(Failure::Usage(
                "the admin token (--admin-token or VIPPS_EMULATOR_ADMIN_TOKEN) is empty: give one, or leave it unset for an admin API on this machine only"
                    .to_owned(),
            ))
        }
        Some(token) => builder = builder.admin_token(token),
        None => {}
    }
    let emulator = builder.start().await.map_err(|e| match e {
        // An address or state file it cannot use: a setting, not the client's.
        vipps_order_management::Error::Config { reason, .. } => Failure::Config(reason),
        other => Failure::Client(other),
    })?;
    let base = emulator.base_url();
    let public = !listen.ip().is_loopback();
    let settings = [
        ("VIPPS_BASE_URL", base.clone()),
        ("VIPPS_CLIENT_ID", emulator.client_id().to_owned()),
        ("VIPPS_CLIENT_SECRET", emulator.client_secret().to_owned()),
        ("VIPPS_SUBSCRIPTION_KEY", emulator.subscription_key().to_owned()),
        ("VIPPS_MSN", emulator.merchant_serial_number().to_owned()),
    ];
    let mut text = format!(
        "Vipps MobilePay Order Management emulator at {base} (listening on {})\nSettings it accepts (for vipps-om, the crate or any other client):\n",
        emulator.local_addr()
    );
    for (name, value) in &settings {
        text.push_str(&format!("  export {name}={value}\n"));
    }
    text.push_str("Any merchant serial number of digits works; each has orders of its own.\n");
    text.push_str(&match &args.state {
        Some(path) => format!("State: kept in {} across restarts.\n", path.display()),
        None => "State: in memory until it stops (--state FILE keeps it).\n".to_owned(),
    });
    text.push_str(&format!(
        "Admin API: {base}/_emulator/ (health, reset, requests, faults){}\n",
        if args.admin_token.is_some() {
            "; from this machine by address or localhost, and from anywhere with the admin token; never from web pages"
        } else {
            "; from this machine only, by address or localhost; never from web pages"
        }
    ));
    let warning = public.then(|| {
        format!(
            "it listens on {listen}, beyond this machine: anyone who reaches it can use it, and its credentials are public (they are the emulator's, not real keys)"
        )
    });
    if let Some(w) = &warning {
        text.push_str(&format!("Warning: {w}.\n"));
        tracing::warn!(target: "vipps_order_management_emulator", "{w}");
    }
    text.push_str("Each request is logged on stderr. Stop it with Ctrl-C.");
    let json = json!({
        "baseUrl": base,
        "listen": emulator.local_addr().to_string(),
        "clientId": emulator.client_id(),
        "clientSecret": emulator.client_secret(),
        "subscriptionKey": emulator.subscription_key(),
        "merchantSerialNumber": emulator.merchant_serial_number(),
        "stateFile": args.state.as_ref().map(|p| p.display().to_string()),
        "adminUrl": format!("{base}/_emulator/"),
        "warning": warning,
    });
    let stop = crate::signal::shutdown();
    printer.success(&Output::new(text, json))?;
    emulator.serve_until(stop).await;
    tracing::info!(target: "vipps_order_management_emulator", "stopped");
    Ok(())
}
