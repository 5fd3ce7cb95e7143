//! The go-live check: the integration checklist's last step ("verify the
//! integration in the production environment, with the API itself") as a
//! function a merchant's admin page, health check or `vipps-om check` can
//! run. It verifies a client's configuration against the servers it talks
//! to and says, item by item, what passed, what failed and what to do, and
//! what was not checked and why. It changes nothing unless asked to write.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderName;
use reqwest::{Method, StatusCode};
use serde::Serialize;

use crate::auth;
use crate::client::{Client, Environment};
use crate::clock::unix_now;
use crate::error::{Error, ErrorKind};
use crate::headers::SYSTEM_HEADERS;
use crate::model::{Category, CategoryType, OrderId, PaymentType};
use crate::operation::Operation;
use crate::transport::{Call, CallOptions};
use tokio::time::{timeout_at, Instant};

/// How far the local clock may be from the server's before tokens' times
/// are off.
pub const CLOCK_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// How long the whole check may take unless [`CheckOptions::time_limit`]
/// says otherwise: items not done by then fail as unanswered.
pub const CHECK_TIME_LIMIT: Duration = Duration::from_secs(60);

/// The shortest token lifetime that is of use: a token that lives less is
/// fetched again for nearly every call.
const SHORTEST_USEFUL_TOKEN: Duration = Duration::from_secs(60);

/// What the check is asked to do beyond reading.
///
/// ```
/// use vipps_order_management::check::CheckOptions;
/// let partner = CheckOptions::new().partner();
/// let with_write = CheckOptions::new().write("test-order-1", "https://shop.example/orders/test-order-1");
/// # let _ = (partner, with_write);
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
#[non_exhaustive]
pub struct CheckOptions {
    /// Check as a partner or platform: all four `Vipps-System-*` headers
    /// are required (for a direct integration the plugin headers are not).
    pub partner: bool,
    /// Also put a category on this order and read it back.
    pub write: Option<WriteCheck>,
    /// How long the whole check may take ([`CHECK_TIME_LIMIT`] when
    /// `None`): what is not answered by then fails, so that a health check
    /// that runs it ends in time even against a server that trickles.
    pub time_limit: Option<Duration>,
}

/// The one write the check may make: a category on a test order.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WriteCheck {
    /// The order to put the category on (it shows in the customer's app
    /// when the order is a real payment).
    pub order_id: OrderId,
    /// The category's link.
    pub url: String,
    /// Write against servers that are neither the test environment nor on
    /// this machine (production, or a proxy that may be in front of it).
    /// Without it, such a write is not made, and the item says why.
    pub in_production: bool,
}

impl CheckOptions {
    /// Read-only checks, for a direct integration.
    pub fn new() -> Self {
        CheckOptions::default()
    }

    /// Checks as a partner or platform would be checked (all four system
    /// headers required).
    pub fn partner(mut self) -> Self {
        self.partner = true;
        self
    }

    /// Also puts a category (`GENERAL`, linking to `url`) on `order_id` and
    /// reads it back. Made only against the test environment or a server on
    /// this machine (the emulator) unless [`CheckOptions::in_production`]
    /// says so too: any other base URL may be production, or a proxy in
    /// front of it.
    pub fn write(mut self, order_id: impl Into<OrderId>, url: impl Into<String>) -> Self {
        self.write = Some(WriteCheck {
            order_id: order_id.into(),
            url: url.into(),
            in_production: false,
        });
        self
    }

    /// Lets the write happen against the production servers (or any
    /// other that is not the test environment or this machine): the second
    /// time of asking. Call it after [`CheckOptions::write`]: without a
    /// write it asks for nothing.
    pub fn in_production(mut self) -> Self {
        if let Some(write) = &mut self.write {
            write.in_production = true;
        }
        self
    }

    /// Lets the whole check take at most this long (default
    /// [`CHECK_TIME_LIMIT`]).
    pub fn time_limit(mut self, limit: Duration) -> Self {
        self.time_limit = Some(limit);
        self
    }

    /// Checks what the options ask to send (the write's order id and
    /// link) before anything is sent: an [`Error::InvalidInput`] naming
    /// each problem, so a caller can refuse the request at once rather than
    /// after the check has run.
    pub fn validate(&self) -> Result<(), Error> {
        let Some(write) = &self.write else { return Ok(()) };
        let mut violations = crate::validate::Violations::default();
        violations.extend(crate::validate::order_id("write.orderId", write.order_id.as_str()));
        violations.extend(crate::validate::https_url("write.url", &write.url));
        violations.into_result()
    }
}

/// How one item of the check ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// It holds.
    Passed {
        /// What was seen.
        detail: String,
    },
    /// It does not hold.
    Failed {
        /// What was seen.
        detail: String,
        /// What to do about it.
        #[serde(rename = "whatToDo")]
        what_to_do: String,
    },
    /// It was not checked.
    NotChecked {
        /// Why not.
        why: String,
    },
}

/// One item of the check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CheckItem {
    /// A stable name (`token`, `order-management-access`, ...), for code.
    pub name: &'static str,
    /// What the item checks, for people.
    pub title: &'static str,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CheckReport {
    /// The base URL checked against.
    pub base_url: String,
    /// `production`, `test`, or `custom` (another base URL).
    pub environment: &'static str,
    /// The merchant serial number the client sends.
    pub merchant_serial_number: String,
    /// Every item, in the order checked.
    pub items: Vec<CheckItem>,
}

impl CheckReport {
    /// `true` when every item that was checked passed.
    pub fn passed(&self) -> bool {
        self.items.iter().all(|i| !matches!(i.outcome, Outcome::Failed { .. }))
    }

    /// The item of this name.
    pub fn item(&self, name: &str) -> Option<&CheckItem> {
        self.items.iter().find(|i| i.name == name)
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Go-live check against {} ({}), merchant serial number {}",
            self.base_url, self.environment, self.merchant_serial_number
        )?;
        for item in &self.items {
            match &item.outcome {
                Outcome::Passed { detail } => writeln!(f, "  passed       {}: {detail}", item.title)?,
                Outcome::Failed { detail, what_to_do } => {
                    writeln!(f, "  FAILED       {}: {detail}", item.title)?;
                    writeln!(f, "               what to do: {what_to_do}")?;
                }
                Outcome::NotChecked { why } => writeln!(f, "  not checked  {}: {why}", item.title)?,
            }
        }
        let failed = self.items.iter().filter(|i| matches!(i.outcome, Outcome::Failed { .. })).count();
        match failed {
            0 => write!(f, "Every item checked passed."),
            n => write!(f, "{n} item(s) failed: fix them, then run the check again."),
        }
    }
}

fn passed(detail: impl Into<String>) -> Outcome {
    Outcome::Passed { detail: detail.into() }
}

fn failed(detail: impl Into<String>, what_to_do: impl Into<String>) -> Outcome {
    Outcome::Failed {
        detail: detail.into(),
        what_to_do: what_to_do.into(),
    }
}

fn not_checked(why: impl Into<String>) -> Outcome {
    Outcome::NotChecked { why: why.into() }
}

/// Which servers a base URL is.
fn environment_of(client: &Client) -> &'static str {
    let base = client.base_url().as_str().trim_end_matches('/');
    if base == Environment::Production.base_url() {
        "production"
    } else if base == Environment::Test.base_url() {
        "test"
    } else {
        "custom"
    }
}

impl Client {
    /// Runs the go-live check (see [the module](crate::check)) with this
    /// client's configuration, against the servers it talks to:
    ///
    /// - `token`: the credentials give an access token;
    /// - `clock`: the local clock agrees with the token server's within
    ///   [`CLOCK_TOLERANCE`];
    /// - `order-management-access`: the subscription key and merchant
    ///   serial number are accepted for Order Management (reading an order
    ///   that cannot exist answers 404, not 401 or 403);
    /// - `system-headers`: the `Vipps-System-*` headers the checklist asks
    ///   for are set (all four for partners and platforms);
    /// - `endpoint-image`, `endpoint-category`, `endpoint-receipt`,
    ///   `endpoint-order`, `endpoint-categories-v3`: each endpoint answers
    ///   (a write endpoint is sent an empty body, which it refuses with a
    ///   400 without storing anything);
    /// - `write`: only when asked, a category put on a test order and read
    ///   back (against servers other than the test environment or this
    ///   machine only when asked twice).
    ///
    /// ```no_run
    /// # async fn demo(client: vipps_order_management::Client) {
    /// use vipps_order_management::check::CheckOptions;
    /// let report = client.check(&CheckOptions::new()).await;
    /// println!("{report}");
    /// if !report.passed() { /* alert someone */ }
    /// # }
    /// ```
    pub async fn check(&self, options: &CheckOptions) -> CheckReport {
        let mut items = Vec::new();
        let mut item = |name, title, outcome| items.push(CheckItem { name, title, outcome });
        // Never an id of a real order: nothing can be stored under it.
        let probe = format!("go-live-check-{:016x}", fastrand::u64(..));
        let limit = options.time_limit.unwrap_or(CHECK_TIME_LIMIT);
        let deadline = crate::retry::later(Instant::now(), limit);

        let token = timeout_at(deadline, self.inner.tokens.facts(&self.inner.gateway))
            .await
            .unwrap_or_else(|_| {
                Err(Error::Timeout {
                    operation: Operation::FetchToken,
                    after: limit,
                })
            });
        let have_token = token.is_ok();
        item(
            "token",
            "The credentials give an access token",
            match &token {
                Ok(facts) => token_outcome(facts),
                Err(e) => failed(e.to_string(), token_advice(e)),
            },
        );
        item(
            "clock",
            "The clock agrees with the server's",
            clock_outcome(token.as_ref().ok().and_then(|f| f.issued_at)),
        );
        item(
            "system-headers",
            "The system headers are set",
            self.system_headers_outcome(options.partner),
        );

        let without_token = || not_checked("no access token: see the first item");
        let read = if have_token {
            Some(
                self.probe(
                    deadline,
                    limit,
                    Operation::GetOrder,
                    Method::GET,
                    &["order-management", "v2", "ECOM", &probe],
                    None,
                )
                .await,
            )
        } else {
            None
        };
        item(
            "order-management-access",
            "The subscription key and merchant serial number are accepted for Order Management",
            match &read {
                None => without_token(),
                Some(Ok(StatusCode::NOT_FOUND)) => passed("reading an order that cannot exist answered 404: the keys reach the API"),
                Some(answer) => access_outcome(answer),
            },
        );
        let endpoints: [(&str, &str, Operation, Method, Vec<&str>); 3] = [
            (
                "endpoint-image",
                "The image endpoint answers",
                Operation::UploadImage,
                Method::POST,
                vec!["order-management", "v1", "images"],
            ),
            (
                "endpoint-category",
                "The category endpoint answers",
                Operation::PutCategory,
                Method::PUT,
                vec!["order-management", "v2", "ECOM", "categories", &probe],
            ),
            (
                "endpoint-receipt",
                "The receipt endpoint answers",
                Operation::PostReceipt,
                Method::POST,
                vec!["order-management", "v2", "ECOM", "receipts", &probe],
            ),
        ];
        for (name, title, op, method, path) in endpoints {
            let outcome = if have_token {
                let body = Some(Bytes::from_static(b"{}"));
                endpoint_outcome(op, &self.probe(deadline, limit, op, method, &path, body).await)
            } else {
                without_token()
            };
            item(name, title, outcome);
        }
        item(
            "endpoint-order",
            "The get-order endpoint answers",
            match &read {
                None => without_token(),
                Some(answer) => endpoint_outcome(Operation::GetOrder, answer),
            },
        );
        let listed = if have_token {
            endpoint_outcome(Operation::ListCategories, &self.list_probe(deadline, limit, &probe).await)
        } else {
            without_token()
        };
        item("endpoint-categories-v3", "The v3 categories endpoint answers", listed);
        let write = match &options.write {
            None => {
                not_checked("not asked for: a write puts a category on a test order (CheckOptions::write; vipps-om check --write ORDER_ID)")
            }
            Some(w) => match write_refused(self, w) {
                Some(why) => not_checked(why),
                None if !have_token => without_token(),
                None => match timeout_at(deadline, self.write_outcome(w)).await {
                    Ok(outcome) => outcome,
                    Err(_) => failed(
                        format!("no answer within the check's time limit ({} s)", limit.as_secs()),
                        "check the network and the base URL; the category may or may not have been put on the order",
                    ),
                },
            },
        };
        item("write", "A category can be put on an order and read back", write);

        CheckReport {
            base_url: self.base_url().to_string(),
            environment: environment_of(self),
            merchant_serial_number: self.merchant_serial_number().to_owned(),
            items,
        }
    }

    /// Sends one request as it is (no validation: a probe may be meant to
    /// be refused) and says what status came back.
    async fn probe(
        &self,
        deadline: Instant,
        limit: Duration,
        op: Operation,
        method: Method,
        path: &[&str],
        body: Option<Bytes>,
    ) -> Result<StatusCode, Error> {
        let mut call = Call::new(op, method, self.url(path.iter().copied())?, CallOptions::default());
        call.body = body;
        self.status_within(deadline, limit, call).await
    }

    async fn list_probe(&self, deadline: Instant, limit: Duration, order_id: &str) -> Result<StatusCode, Error> {
        let mut call = Call::new(
            Operation::ListCategories,
            Method::GET,
            self.url(["order-management", "v3", "categories"])?,
            CallOptions::default(),
        );
        call.url.query_pairs_mut().append_pair("orderId", order_id);
        self.status_within(deadline, limit, call).await
    }

    /// The status a probe's answer came with, by the check's deadline; an
    /// answer past its size cap is not the service's, whatever its status.
    async fn status_within(&self, deadline: Instant, limit: Duration, call: Call) -> Result<StatusCode, Error> {
        let op = call.op;
        let reply = match timeout_at(deadline, self.execute(call)).await {
            Ok(reply) => reply?,
            Err(_) => {
                return Err(Error::Timeout {
                    operation: op,
                    after: limit,
                })
            }
        };
        Ok(reply.whole()?.status)
    }

    fn system_headers_outcome(&self, partner: bool) -> Outcome {
        let set = |name: &HeaderName| self.inner.gateway.system_headers.iter().any(|(n, _)| n == name);
        // The system's name and version always; the plugin's for partners.
        let [name, version, plugin_name, plugin_version] = &SYSTEM_HEADERS;
        let missing: Vec<&str> = [(name, true), (version, true), (plugin_name, partner), (plugin_version, partner)]
            .into_iter()
            .filter(|(header, required)| *required && !set(&header.name))
            .map(|(header, _)| header.shown)
            .collect();
        let plugin = [set(&plugin_name.name), set(&plugin_version.name)];
        if !missing.is_empty() {
            return failed(
                format!("{} not set", missing.join(", ")),
                "set them (.system_name(..), .system_version(..), .plugin_name(..), .plugin_version(..), or VIPPS_SYSTEM_NAME, \
                 VIPPS_SYSTEM_VERSION, VIPPS_PLUGIN_NAME, VIPPS_PLUGIN_VERSION): the checklist asks for them, and partners and \
                 platforms must send them",
            );
        }
        if plugin[0] != plugin[1] {
            return failed(
                "only one of Vipps-System-Plugin-Name and Vipps-System-Plugin-Version is set",
                "set both (a plugin's name and its version) or neither",
            );
        }
        if plugin[0] {
            passed("Vipps-System-Name, -Version, -Plugin-Name and -Plugin-Version are set")
        } else {
            passed(
                "Vipps-System-Name and -Version are set; no plugin headers, as a direct integration sends (partners: check as one, with CheckOptions::partner or vipps-om check --partner)",
            )
        }
    }

    async fn write_outcome(&self, write: &WriteCheck) -> Outcome {
        let order = self.order(PaymentType::Ecom, write.order_id.clone());
        let category = Category::new(CategoryType::General, write.url.clone());
        if let Err(e) = order.put_category(&category).await {
            return failed(
                format!("putting the category failed: {e}"),
                "see the message; the other items say more",
            );
        }
        match order.get().await {
            Ok(read) if read.category.as_ref().is_some_and(|c| c.order_details_url == write.url) => passed(format!(
                "a GENERAL category linking to {} is on order {} (ECOM) and was read back",
                write.url, write.order_id
            )),
            Ok(_) => failed(
                "the category was put, but reading the order back did not show it",
                "read the order again in a while; if it still lacks the category, contact Vipps MobilePay support",
            ),
            Err(e) => failed(format!("reading the order back failed: {e}"), "see the message"),
        }
    }
}

/// Why a write is not made, when it is not: asked only once, against
/// servers that are neither the test environment nor on this machine. Any
/// other base URL may be production (a spelling of its host, or a proxy in
/// front of it), where a category shows in the customer's app.
fn write_refused(client: &Client, write: &WriteCheck) -> Option<&'static str> {
    if write.in_production {
        return None;
    }
    match environment_of(client) {
        "test" => None,
        "production" => Some(
            "this is production, where a category shows in the customer's app: asked once, not written (ask twice to write: CheckOptions::in_production, or --yes-production)",
        ),
        _ if crate::client::on_this_machine(client.base_url()) => None,
        _ => Some(
            "these servers are neither the test environment nor on this machine, and may be production (or a proxy in front of it), \
             where a category shows in the customer's app: asked once, not written (ask twice to write: CheckOptions::in_production, or --yes-production)",
        ),
    }
}

/// A token, and whether its answer said how long it lives (and long enough
/// to be of use).
fn token_outcome(facts: &auth::TokenFacts) -> Outcome {
    match facts.stated_lifetime {
        None => passed(format!(
            "a token; its answer did not say how long it is valid, so the client takes {} s",
            facts.lifetime.as_secs()
        )),
        Some(lifetime) if lifetime < SHORTEST_USEFUL_TOKEN => failed(
            format!("a token valid for only {} s", lifetime.as_secs()),
            "check the base URL: Vipps MobilePay's tokens live an hour or a day, and a token this short is fetched again for nearly every call",
        ),
        Some(lifetime) => passed(format!("a token valid for {} s", lifetime.as_secs())),
    }
}

fn token_advice(e: &Error) -> &'static str {
    match e.kind() {
        ErrorKind::Configuration => {
            "check the client id, client secret and subscription key in the merchant portal (portal.vipps.no), \
             and that they are for this environment (test keys for test, production keys for production)"
        }
        ErrorKind::Unavailable => "check the network and the base URL, then run the check again",
        _ => "check the base URL: it should be the host root (https://api.vipps.no or https://apitest.vipps.no)",
    }
}

fn clock_outcome(issued_at: Option<u64>) -> Outcome {
    let Some(server) = issued_at else {
        return not_checked("the token answer did not say when it was issued (or no token was given)");
    };
    let local = unix_now();
    let off = local.abs_diff(server);
    if off <= CLOCK_TOLERANCE.as_secs() {
        passed(format!("{off} s from the token server's clock"))
    } else {
        failed(
            format!("this machine's clock is {off} s {} the token server's", if local > server { "ahead of" } else { "behind" }),
            "set the clock right (NTP): tokens carry their expiry as a time, and a wrong clock makes them look expired or fresh when they are not",
        )
    }
}

fn access_outcome(answer: &Result<StatusCode, Error>) -> Outcome {
    match answer {
        Ok(StatusCode::UNAUTHORIZED) => failed(
            "the API refused the access token or the subscription key (401)",
            "check that the subscription key belongs to the same sales unit as the client id and secret (merchant portal)",
        ),
        Ok(StatusCode::FORBIDDEN) => failed(
            "the keys work but have no access to Order Management for this merchant serial number (403)",
            "in the merchant portal, check that the sales unit has the Order Management API and that the merchant serial number is its own",
        ),
        Ok(status) => failed(
            format!("reading an order that cannot exist answered {status}, not 404"),
            "check the base URL; if it is right, report this with the status to the SDK maintainers",
        ),
        Err(e) => failed(e.to_string(), token_advice(e)),
    }
}

fn endpoint_outcome(op: Operation, answer: &Result<StatusCode, Error>) -> Outcome {
    let reads = matches!(op, Operation::GetOrder | Operation::ListCategories);
    match answer {
        // A read of nothing, or a write refused for its (empty) body: the
        // endpoint is there and the keys are accepted.
        Ok(status) if status.is_success() || (reads && *status == StatusCode::NOT_FOUND) => passed(format!("answered {status}")),
        Ok(StatusCode::BAD_REQUEST) if !reads => passed("answered 400 to an empty body, storing nothing: it is there and takes the keys"),
        Ok(StatusCode::NOT_FOUND) => failed(
            format!("{} answered 404: no such endpoint at this base URL", op.describe()),
            "check the base URL: it should be the host root (https://api.vipps.no or https://apitest.vipps.no)",
        ),
        Ok(status) if matches!(*status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) => failed(
            format!("{} was refused ({status})", op.describe()),
            "see the order-management-access item",
        ),
        Ok(StatusCode::TOO_MANY_REQUESTS) => failed(
            format!("{} was refused for too many requests (429)", op.describe()),
            "run the check again in a minute, when fewer calls are made with these keys",
        ),
        Ok(status) if crate::retry::is_retryable_status(*status) => failed(
            format!("{} answered {status}", op.describe()),
            "run the check again in a while; if it persists, contact Vipps MobilePay support",
        ),
        Ok(status) => failed(
            format!("{} answered {status}, which the service does not answer to it", op.describe()),
            "check the base URL (and any proxy in front of the service); if it is right, report the status to the SDK maintainers",
        ),
        Err(e) => failed(e.to_string(), token_advice(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_within_tolerance_passes_and_beyond_it_fails() {
        let now = unix_now();
        assert!(matches!(clock_outcome(Some(now - 60)), Outcome::Passed { .. }));
        assert!(matches!(clock_outcome(Some(now + 60)), Outcome::Passed { .. }));
        let Outcome::Failed { detail, .. } = clock_outcome(Some(now - 3600)) else {
            panic!()
        };
        assert!(detail.contains("ahead of"), "{detail}");
        let Outcome::Failed { detail, .. } = clock_outcome(Some(now + 3600)) else {
            panic!()
        };
        assert!(detail.contains("behind"), "{detail}");
        assert!(matches!(clock_outcome(None), Outcome::NotChecked { .. }));
    }

    #[test]
    fn endpoints_answer_by_what_they_are() {
        let ok = |op, status: u16| {
            matches!(
                endpoint_outcome(op, &Ok(StatusCode::from_u16(status).unwrap())),
                Outcome::Passed { .. }
            )
        };
        assert!(ok(Operation::PostReceipt, 400) && ok(Operation::UploadImage, 400) && ok(Operation::PutCategory, 400));
        assert!(ok(Operation::GetOrder, 404) && ok(Operation::ListCategories, 200));
        assert!(!ok(Operation::PostReceipt, 404) && !ok(Operation::GetOrder, 400) && !ok(Operation::PostReceipt, 401));
        assert!(!ok(Operation::PutCategory, 503) && !ok(Operation::ListCategories, 403));
        let advice = |status: u16| match endpoint_outcome(Operation::GetOrder, &Ok(StatusCode::from_u16(status).unwrap())) {
            Outcome::Failed { what_to_do, .. } => what_to_do,
            other => panic!("{other:?}"),
        };
        assert!(advice(429).contains("in a minute"), "{}", advice(429));
        assert!(advice(503).contains("again in a while"), "{}", advice(503));
        for status in [501, 505, 418] {
            assert!(advice(status).contains("base URL"), "{status}: {}", advice(status));
        }
    }

    #[test]
    fn a_write_is_made_against_test_or_this_machine_else_only_when_asked_twice() {
        let client = |base: &str| {
            let builder = Client::builder()
                .client_id("id")
                .client_secret("secret")
                .subscription_key("key")
                .merchant_serial_number("123456")
                .http_client(|http| http);
            match base {
                "production" => builder.environment(Environment::Production),
                "test" => builder.environment(Environment::Test),
                url => builder.base_url(url),
            }
            .build()
            .unwrap()
        };
        assert_eq!(environment_of(&client("production")), "production");
        assert_eq!(environment_of(&client("test")), "test");
        let once = CheckOptions::new().write("o-1", "https://shop.example/o/1");
        let twice = once.clone().in_production();
        let (once, twice) = (once.write.unwrap(), twice.write.unwrap());
        for base in [
            "production",
            // Production spelled otherwise, or a proxy that may stand in front of it.
            "https://api.vipps.no./",
            "https://vipps-proxy.shop.example/",
            "https://10.0.0.1:8443/",
        ] {
            assert!(write_refused(&client(base), &once).is_some(), "{base}");
            assert!(write_refused(&client(base), &twice).is_none(), "{base}");
        }
        for base in ["test", "http://127.0.0.1:8081/", "http://[::1]:8081/", "http://localhost:8081/"] {
            assert!(write_refused(&client(base), &once).is_none(), "{base}");
        }
        // `in_production` alone asks for no write.
        assert!(CheckOptions::new().in_production().write.is_none());
    }

    #[test]
    fn a_token_passes_when_it_says_it_lives_long_enough() {
        let facts = |stated: Option<u64>| auth::TokenFacts {
            lifetime: Duration::from_secs(stated.unwrap_or(300)),
            stated_lifetime: stated.map(Duration::from_secs),
            issued_at: None,
        };
        let Outcome::Passed { detail } = token_outcome(&facts(Some(3600))) else {
            panic!()
        };
        assert!(detail.contains("3600 s"), "{detail}");
        let Outcome::Passed { detail } = token_outcome(&facts(None)) else {
            panic!()
        };
        assert!(detail.contains("did not say") && detail.contains("300 s"), "{detail}");
        assert!(matches!(token_outcome(&facts(Some(59))), Outcome::Failed { .. }));
        assert!(matches!(token_outcome(&facts(Some(60))), Outcome::Passed { .. }));
        assert!(matches!(token_outcome(&facts(Some(0))), Outcome::Failed { .. }));
    }

    #[test]
    fn the_write_is_checked_before_anything_is_sent() {
        assert!(CheckOptions::new().validate().is_ok());
        assert!(CheckOptions::new().write("o-1", "https://shop.example/o/1").validate().is_ok());
        let e = CheckOptions::new().write("../x", "http://shop.example/").validate().unwrap_err();
        let Error::InvalidInput { violations, .. } = e else {
            panic!("{e:?}")
        };
        let fields: Vec<_> = violations.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(fields, ["write.orderId", "write.url"]);
        assert!(CheckOptions::new().write("", "https://shop.example/").validate().is_err());
    }
}
