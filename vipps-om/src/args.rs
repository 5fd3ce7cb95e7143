//! The command line: global flags and one subcommand per task.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use vipps_order_management::{CategoryType, Error, PaymentType};

/// Shown after `--help`: what each exit code means.
pub const EXIT_CODES: &str = "\
Configuration: VIPPS_CLIENT_ID, VIPPS_CLIENT_SECRET, VIPPS_SUBSCRIPTION_KEY and VIPPS_MSN
(all required), VIPPS_ENV (test or production), VIPPS_BASE_URL, VIPPS_SYSTEM_NAME,
VIPPS_SYSTEM_VERSION, VIPPS_PLUGIN_NAME, VIPPS_PLUGIN_VERSION. `vipps-om emulator` prints the
values that reach it.

Exit codes:
  0  success; for check, every checked item passed
  1  the request was refused: local validation, the receipt file's content, 400, 409, 422;
     for check, an item failed (the report says what to do); for outbox, a delivery that
     conflicts with one in the outbox, or a retry or discard its state does not allow
  2  usage: unknown command or argument, a file that cannot be read
  3  configuration or credentials: missing variables, bad settings, 401, 403
  4  not found: 404 (nothing stored for that order or id); no such delivery in the outbox
  5  no usable answer: network, timeout, rate limited, 5xx after retries, an undocumented answer;
     the outbox's database unreachable; or the result could not be written to stdout";

/// Vipps MobilePay Order Management from the command line: receipts,
/// categories and images on payments, for support staff and scripts.
#[derive(Parser, Debug)]
#[command(name = "vipps-om", version, after_help = EXIT_CODES, after_long_help = EXIT_CODES)]
pub struct Cli {
    /// Print one JSON document on stdout; errors as one JSON object on stderr.
    #[arg(long, global = true)]
    pub json: bool,
    /// Talk to the test or the production servers (default: VIPPS_ENV, else test).
    #[arg(long = "env", value_name = "ENV", global = true)]
    pub environment: Option<Env>,
    /// The host root to talk to instead, such as the emulator's
    /// http://127.0.0.1:8081 (default: VIPPS_BASE_URL).
    #[arg(long, value_name = "URL", global = true)]
    pub base_url: Option<String>,
    /// Act for this merchant serial number (partners; default: VIPPS_MSN).
    #[arg(long, value_name = "MSN", global = true)]
    pub msn: Option<String>,
    /// Log the client's work on stderr: -v for each call, -vv for details
    /// (RUST_LOG, when set, decides instead).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

/// `--env`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Env {
    /// The test servers (`https://apitest.vipps.no`).
    Test,
    /// The production servers (`https://api.vipps.no`).
    Production,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Fetch an access token and print how long it is valid (never the token).
    Token,
    /// The go-live check: verify the configuration against the chosen
    /// servers, item by item (credentials, clock, access to Order
    /// Management, system headers, each endpoint). Changes nothing unless
    /// --write is given. Ends within --time-limit. Exit 0 when every checked
    /// item passed, 1 when one failed, 2 for a usage error, 3 when the
    /// configuration cannot be used (nothing is checked then).
    Check {
        /// Check as a partner or platform: all four Vipps-System-* headers
        /// are required.
        #[arg(long)]
        partner: bool,
        /// Also put a GENERAL category on this (test) order and read it back.
        #[arg(long, value_name = "ORDER_ID")]
        write: Option<String>,
        /// The link of that category (default: https://example.com/orders/ORDER_ID).
        #[arg(long, value_name = "URL", requires = "write")]
        url: Option<String>,
        /// Write against servers that are neither the test environment nor
        /// on this machine (production, or a proxy that may be in front of
        /// it, where the category shows in the customer's app): the second
        /// time of asking.
        #[arg(long, requires = "write")]
        yes_production: bool,
        /// The most the whole check may take, in seconds: what has not
        /// answered by then fails.
        #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
        time_limit: u64,
    },
    /// Upload a PNG or JPEG image; prints its id.
    UploadImage {
        /// The image file.
        file: PathBuf,
        /// The id to store it under (default: derived from its bytes).
        #[arg(long)]
        id: Option<String>,
    },
    /// Set an order's (v2) category: the link shown on the payment.
    PutCategory(Link),
    /// Post an order's receipt from a file holding the API's Receipt JSON.
    /// Safe to run again: a receipt is never stored twice.
    PostReceipt {
        /// ecom or recurring.
        #[arg(value_parser = payment_type)]
        payment_type: PaymentType,
        /// The order id (the charge id for recurring).
        order_id: String,
        /// A file with the Receipt JSON (`orderLines`, `bottomLine`).
        receipt: PathBuf,
    },
    /// Show an order's category and receipt (with --json: the answer as received).
    GetOrder {
        /// ecom or recurring.
        #[arg(value_parser = payment_type)]
        payment_type: PaymentType,
        /// The order id.
        order_id: String,
    },
    /// Add a (v3) category; an order can have several. Prints its id.
    AddCategory(Link),
    /// List an order's (v3) categories.
    ListCategories {
        /// The order id.
        order_id: String,
    },
    /// Show one (v3) category.
    GetCategory {
        /// The category id (a UUID).
        category_id: String,
    },
    /// Delete one (v3) category.
    DeleteCategory {
        /// The category id (a UUID).
        category_id: String,
    },
    /// Serve the emulator of the API, for any client and stack: prints its
    /// base URL and the credentials it accepts, logs each request, has an
    /// admin API under /_emulator/ (health, reset, recorded requests,
    /// faults), stops on Ctrl-C or SIGTERM.
    Emulator(EmulatorArgs),
    /// Serve the support console: a read-only web console showing everything
    /// about an order, for a customer-service department, in Norwegian,
    /// Danish, Finnish or English. Records each lookup in an audit log.
    /// Stops on Ctrl-C or SIGTERM.
    Console(Box<ConsoleArgs>),
    /// Print a new staff token for the console's staff file: 43 random
    /// characters (256 bits).
    StaffToken,
    /// The durable outbox: receipts, categories and images kept in a
    /// database (the shop's Postgres, or a SQLite file) until they are
    /// delivered, whatever fails. Add deliveries, see the pending and the
    /// dead, retry or discard one, run a worker that delivers them.
    Outbox(OutboxArgs),
}

/// The arguments of `vipps-om outbox`.
#[derive(Args, Debug)]
pub struct OutboxArgs {
    /// The outbox's database: postgres://user:password@host/database, or
    /// sqlite://FILE (made on first use).
    #[arg(long, value_name = "URL", env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: String,
    #[command(subcommand)]
    pub action: OutboxAction,
}

/// What `vipps-om outbox` does.
#[derive(Subcommand, Debug)]
pub enum OutboxAction {
    /// Add an order's receipt (a file with the Receipt JSON) for delivery,
    /// for the merchant serial number --msn (or VIPPS_MSN).
    PostReceipt {
        /// ecom or recurring.
        #[arg(value_parser = payment_type)]
        payment_type: PaymentType,
        /// The order id (the charge id for recurring).
        order_id: String,
        /// A file with the Receipt JSON (`orderLines`, `bottomLine`).
        receipt: PathBuf,
    },
    /// Add an order's (v2) category for delivery; a newer one for the same
    /// order replaces it.
    PutCategory(Link),
    /// Add a (v3) category for delivery, known on its order by its URL.
    AddCategory(Link),
    /// Add a PNG or JPEG image for delivery (under the id made from its
    /// bytes, which it prints); a category naming it is delivered after it.
    UploadImage {
        /// The image file.
        file: PathBuf,
    },
    /// Add many deliveries, one JSON object a line, from a file or stdin
    /// (`-` or nothing): {"kind": "receipt", "merchantSerialNumber": ...,
    /// "paymentType": ..., "orderId": ..., "body": {the API's JSON body}}.
    /// All are added, or none (each refused line is named).
    Add {
        /// The file of JSON lines (default: stdin).
        file: Option<PathBuf>,
    },
    /// List deliveries, oldest first: by default the undelivered (pending
    /// and dead).
    List {
        /// Only these states; repeatable.
        #[arg(long = "state", value_enum)]
        states: Vec<OutboxState>,
        /// Only this order's.
        #[arg(long, value_name = "ORDER_ID")]
        order: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        limit: u32,
    },
    /// Show one delivery: its state, tries, last error and body.
    Show {
        /// The delivery's id.
        id: i64,
    },
    /// Try a dead or discarded delivery again now (or a pending one
    /// sooner), its schedule started over; or every dead one (of --msn,
    /// when given) with --all-dead, once what made them dead is fixed.
    Retry {
        /// The delivery's id.
        #[arg(required_unless_present = "all_dead", conflicts_with = "all_dead")]
        id: Option<i64>,
        /// Every dead delivery.
        #[arg(long)]
        all_dead: bool,
    },
    /// Set a pending or dead delivery aside for good, with a reason.
    Discard {
        /// The delivery's id.
        id: i64,
        /// Who, and why: kept with the delivery.
        #[arg(long, value_parser = reason)]
        reason: String,
    },
    /// The counts to watch: pending, dead, the oldest pending's age.
    Status,
    /// Deliver: claim due deliveries, post them with the VIPPS_* client,
    /// try failures again over days, mark what cannot succeed dead. Any
    /// number of workers may share the database. Stops on Ctrl-C or
    /// SIGTERM, finishing or giving back what it holds.
    Work(WorkArgs),
}

/// The arguments of `vipps-om outbox work`.
#[derive(Args, Debug)]
pub struct WorkArgs {
    /// Deliver for any merchant serial number, naming each delivery's in
    /// its calls (the VIPPS_* keys are a partner's); without it, only the
    /// deliveries of VIPPS_MSN (--msn) are claimed.
    #[arg(long)]
    pub partner: bool,
    /// Deliver what is due now (and what falls due meanwhile), then exit,
    /// printing what was done: for cron and scripts.
    #[arg(long)]
    pub once: bool,
    /// Deliveries worked on at once.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub concurrency: u32,
    /// A claimed delivery is this worker's for this many seconds: a worker
    /// that dies gives its deliveries back after it.
    #[arg(long, value_name = "SECONDS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(2..=86_400))]
    pub lease: u64,
    /// Look for due deliveries this often when there were none.
    #[arg(long, value_name = "MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    pub poll_ms: u64,
    /// At a stop, wait this long for deliveries under way before giving
    /// them back.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub grace: u64,
    /// After a delivery's first failure, wait this long before the next
    /// try; each later wait is twice the last (with a fifth either way).
    #[arg(long, value_name = "MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=86_400_000))]
    pub first_wait_ms: u64,
    /// Never wait longer than this between two tries.
    #[arg(long, value_name = "MS", default_value_t = 3_600_000, value_parser = clap::value_parser!(u64).range(1..=86_400_000))]
    pub longest_wait_ms: u64,
    /// Try a failing delivery for this many hours before it is dead.
    #[arg(long, value_name = "HOURS", default_value_t = 96, value_parser = clap::value_parser!(u64).range(1..=8760))]
    pub give_up_hours: u64,
    /// Delete delivered rows after this many days (0: keep them).
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub keep_delivered_days: u32,
}

/// A delivery's state, as `--state` names it.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboxState {
    /// Waiting for its next try.
    Pending,
    /// Stored by the API.
    Delivered,
    /// Given up on: staff must act.
    Dead,
    /// Set aside by staff.
    Discarded,
}

impl Command {
    /// A server that runs until stopped and logs its requests.
    pub fn serves(&self) -> bool {
        matches!(self, Command::Emulator { .. } | Command::Console(_))
            || matches!(self, Command::Outbox(args) if matches!(args.action, OutboxAction::Work(_)))
    }
}

/// The arguments of `vipps-om emulator`.
#[derive(Args, Debug)]
pub struct EmulatorArgs {
    /// The loopback port (0: any free one); --listen sets any address.
    #[arg(long, default_value_t = 8081, conflicts_with = "listen")]
    pub port: u16,
    /// The address to listen on, such as 0.0.0.0:8081 in a container. Beyond
    /// loopback anyone who reaches it can use it: its credentials are public.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
    /// Keep the state (orders, images, categories) in this file across
    /// restarts: a journal, each change written before it is answered.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Let clients beyond this machine (or naming it by a host name) use the
    /// admin API with this token (Authorization: Bearer); without it only
    /// local clients naming it by address or localhost may. Web pages never.
    #[arg(long, value_name = "TOKEN", env = "VIPPS_EMULATOR_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// At most this many connections at once (1 to 1,000,000).
    #[arg(long, value_name = "N", default_value_t = 1024, value_parser = connections)]
    pub max_connections: usize,
    /// At most this many connections from one client (an IPv4 address or an
    /// IPv6 /64); its connections past them are closed as they come. Behind
    /// a proxy every client is the proxy: raise it to --max-connections.
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = connections)]
    pub max_connections_per_client: usize,
    /// Close a connection with nothing under way for this many seconds; a
    /// request's head gets as long to arrive.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub idle_timeout: u64,
    /// Keep the latest N requests for the admin API (each body up to 64 KiB).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub record: usize,
    /// Keep at most this many MiB of recorded requests (the oldest go first).
    #[arg(long, value_name = "MIB", default_value_t = 64, value_parser = clap::value_parser!(u64).range(0..=1_048_576))]
    pub record_mib: u64,
    /// Store at most this many MiB of images, categories and receipts (as
    /// the state file holds them; memory takes about two to three times as
    /// much); past it a write is refused with 507 until a reset.
    #[arg(long, value_name = "MIB", default_value_t = 256, value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    pub max_stored_mib: u64,
}

/// The arguments of `vipps-om console`.
#[derive(Args, Debug)]
pub struct ConsoleArgs {
    /// Where to listen. Beyond loopback staff must sign in: --staff,
    /// --staff-token or --identity-proxy.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// The staff and their own staff tokens: a file with one `name token` a
    /// line, `name token auditor` for those who may read the audit trail
    /// (`#` comments). Tokens are at least 32 random characters
    /// (`vipps-om staff-token` makes one). Read again on SIGHUP and when it
    /// changes: whoever is removed is signed out at once.
    #[arg(long, value_name = "FILE", env = "VIPPS_CONSOLE_STAFF")]
    pub staff: Option<PathBuf>,
    /// One staff token shared by all (recorded as `shared-token`; prefer
    /// --staff, which says who looked).
    #[arg(long, value_name = "TOKEN", env = "VIPPS_CONSOLE_STAFF_TOKEN", hide_env_values = true)]
    pub staff_token: Option<String>,
    /// Gone: renamed --staff-token (it is the console's staff token, not
    /// the API's access token).
    #[arg(
        long = "access-token",
        value_name = "TOKEN",
        hide = true,
        env = "VIPPS_CONSOLE_ACCESS_TOKEN",
        hide_env_values = true
    )]
    pub access_token: Option<String>,
    /// A TLS front end or load balancer in front, by address or network
    /// (10.0.0.5, 10.0.0.0/24); repeatable. From these hops only, the
    /// console takes the client's address (X-Forwarded-For), the scheme
    /// (X-Forwarded-Proto) and the host (X-Forwarded-Host). A front end
    /// never names the person.
    #[arg(long = "front-end", value_name = "ADDR", value_parser = crate::console::parse_net)]
    pub front_ends: Vec<ipnet::IpNet>,
    /// The single sign-on proxy (such as oauth2-proxy) that connects to the
    /// console, by address or network; repeatable. From these hops only,
    /// the console takes who the person is (--user-header) and their groups
    /// (--groups-header), and a request naming the person twice is refused.
    #[arg(long = "identity-proxy", value_name = "ADDR", value_parser = crate::console::parse_net)]
    pub identity_proxies: Vec<ipnet::IpNet>,
    /// Gone: it trusted one network for two things. Use --front-end and
    /// --identity-proxy.
    #[arg(long = "trusted-proxy", value_name = "ADDR", hide = true)]
    pub trusted_proxy: Vec<String>,
    /// Take --front-end and --identity-proxy networks as wide as the
    /// internet (wider than a /16 of public IPv4 or a /48 of public IPv6),
    /// refused otherwise.
    #[arg(long)]
    pub trust_wide_networks: bool,
    /// The header the sign-on proxy names the person in.
    #[arg(long, value_name = "NAME", default_value = crate::console::DEFAULT_USER_HEADER, value_parser = header_name)]
    pub user_header: axum::http::HeaderName,
    /// The header the sign-on proxy names the person's groups in (a comma-
    /// separated list).
    #[arg(long, value_name = "NAME", default_value = crate::console::DEFAULT_GROUPS_HEADER, value_parser = header_name)]
    pub groups_header: axum::http::HeaderName,
    /// Members of this group (by the sign-on proxy) may read the audit
    /// trail; repeatable.
    #[arg(long = "auditor-group", value_name = "GROUP")]
    pub auditor_groups: Vec<String>,
    /// Where staff sign out of the sign-on proxy (oauth2-proxy:
    /// /oauth2/sign_out); the console's sign-out button goes there.
    #[arg(long, value_name = "URL")]
    pub identity_sign_out: Option<String>,
    /// The shared store of sign-ins, sign-in limits and the audit trail:
    /// postgres://user:password@host/database for several instances, or
    /// sqlite://FILE; without it, the SQLite file vipps-om-console.sqlite3
    /// in the working directory.
    #[arg(long, value_name = "URL", env = "VIPPS_CONSOLE_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The shop's outbox (`vipps-om outbox`), to show each order's
    /// deliveries next to its receipt (pending, tries, the last error, the
    /// next try, dead) with a "try again now", and the undelivered for the
    /// department: postgres://… or sqlite://FILE.
    #[arg(long, value_name = "URL", env = "VIPPS_OUTBOX_DATABASE_URL", hide_env_values = true)]
    pub outbox_database_url: Option<String>,
    /// Copy each audit entry, once kept, to this file as a JSON line
    /// (`-`: to stdout).
    #[arg(long, value_name = "FILE", env = "VIPPS_CONSOLE_AUDIT_LOG")]
    pub audit_log: Option<PathBuf>,
    /// Copy each audit entry, once kept, to the system log (facility
    /// authpriv), at this socket.
    #[arg(long, value_name = "SOCKET", num_args = 0..=1, default_missing_value = "/dev/log")]
    pub audit_syslog: Option<PathBuf>,
    /// Keep audit entries this many days (0: for good).
    #[arg(long, value_name = "DAYS", default_value_t = crate::console::RETENTION_DAYS)]
    pub audit_retention_days: u32,
    /// A sign-in lasts this many hours.
    #[arg(long, value_name = "HOURS", default_value_t = 12, value_parser = clap::value_parser!(u64).range(1..=168))]
    pub session_hours: u64,
    /// A sign-in ends after this many minutes unused.
    #[arg(long, value_name = "MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=1440))]
    pub session_idle_minutes: u64,
    /// The department's time zone (Europe/Oslo, Europe/Copenhagen,
    /// Europe/Helsinki); the system's when not given.
    #[arg(long, value_name = "ZONE", env = "VIPPS_CONSOLE_TIME_ZONE")]
    pub time_zone: Option<String>,
    /// At most this many connections at once (the next waits; 1 to
    /// 1,000,000).
    #[arg(long, value_name = "N", default_value_t = crate::console::MAX_CONNECTIONS, value_parser = connections)]
    pub max_connections: usize,
    /// Close a connection that sends nothing for this many seconds while
    /// none of its requests is being answered.
    #[arg(long, value_name = "SECONDS", default_value_t = crate::console::IDLE.as_secs(), value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub idle_timeout: u64,
}

/// A number of connections: 1 to 1,000,000 (a server with none could
/// answer nobody; more is past any machine's descriptors).
fn connections(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=1_000_000).contains(&n) => Ok(n),
        _ => Err(format!("{s} is not a number of connections from 1 to 1000000")),
    }
}

/// A discard's reason: some words.
fn reason(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        return Err("a discard needs a reason (who, and why): it is kept for whoever looks at the delivery later".to_owned());
    }
    Ok(s.to_owned())
}

fn header_name(s: &str) -> Result<axum::http::HeaderName, String> {
    s.parse().map_err(|_| format!("{s:?} is not a header name"))
}

/// The arguments of put-category and add-category.
#[derive(Args, Debug)]
pub struct Link {
    /// ecom or recurring.
    #[arg(value_parser = payment_type)]
    pub payment_type: PaymentType,
    /// The order id (the charge id for recurring).
    pub order_id: String,
    /// GENERAL, RECEIPT, ORDER_CONFIRMATION, DELIVERY, TICKET or BOOKING.
    #[arg(value_parser = category)]
    pub category: CategoryType,
    /// The https link.
    pub url: String,
    /// An uploaded image's id.
    #[arg(long)]
    pub image: Option<String>,
}

fn payment_type(s: &str) -> Result<PaymentType, Error> {
    s.parse()
}

fn category(s: &str) -> Result<CategoryType, Error> {
    s.parse()
}
