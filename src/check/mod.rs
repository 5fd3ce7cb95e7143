//! The go-live check: the integration checklist's last step ("verify the
//! integration in the production environment, with the API itself") as a
//! function a merchant's admin page, health check or `vipps-om check` can
//! run. It verifies a client's configuration against the servers it talks
//! to and says, item by item, what passed, what failed and what to do, and
//! what was not checked and why. It changes nothing unless asked to write.

mod options;
mod report;
mod verdicts;

use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderName;
use reqwest::StatusCode;
use tokio::time::{timeout_at, Instant};

pub use options::{CheckOptions, WriteCheck};
use report::{failed, not_checked, passed};
pub use report::{CheckItem, CheckReport, Outcome};
pub use verdicts::CLOCK_TOLERANCE;
use verdicts::{access_outcome, clock_outcome, endpoint_outcome, environment_of, token_advice, token_outcome, write_refused};

use crate::api::{Reads, Request};
use crate::client::Client;
use crate::error::Error;
use crate::headers::SYSTEM_HEADERS;
use crate::model::{Category, CategoryType, PaymentType};
use crate::operation::Operation;
use crate::transport::CallOptions;

/// How long the whole check may take unless [`CheckOptions::time_limit`]
/// says otherwise: items not done by then fail as unanswered.
pub const CHECK_TIME_LIMIT: Duration = Duration::from_secs(60);

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
            Some(self.probe(deadline, limit, Operation::GetOrder, Some(&probe), None).await)
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
        let endpoints: [(&str, &str, Operation, Option<&str>); 3] = [
            ("endpoint-image", "The image endpoint answers", Operation::UploadImage, None),
            (
                "endpoint-category",
                "The category endpoint answers",
                Operation::PutCategory,
                Some(&probe),
            ),
            (
                "endpoint-receipt",
                "The receipt endpoint answers",
                Operation::PostReceipt,
                Some(&probe),
            ),
        ];
        for (name, title, op, id) in endpoints {
            let outcome = if have_token {
                let body = Some(Bytes::from_static(b"{}"));
                endpoint_outcome(op, &self.probe(deadline, limit, op, id, body).await)
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
    /// be refused), for an eCom order `id` where the path takes one, and
    /// says what status came back.
    async fn probe(
        &self,
        deadline: Instant,
        limit: Duration,
        op: Operation,
        id: Option<&str>,
        body: Option<Bytes>,
    ) -> Result<StatusCode, Error> {
        let options = CallOptions::default();
        let mut request = Request::new(op, &options).payment_type(PaymentType::Ecom.as_str());
        if let Some(id) = id {
            request = request.id(id);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        self.status_within(deadline, limit, request).await
    }

    async fn list_probe(&self, deadline: Instant, limit: Duration, order_id: &str) -> Result<StatusCode, Error> {
        let options = CallOptions::default();
        let request = Request::new(Operation::ListCategories, &options).query("orderId", order_id);
        self.status_within(deadline, limit, request).await
    }

    /// The status a probe's answer came with, by the check's deadline; an
    /// answer past its size cap is not the service's, whatever its status.
    async fn status_within(&self, deadline: Instant, limit: Duration, request: Request<'_>) -> Result<StatusCode, Error> {
        let op = request.op;
        let reply = match timeout_at(deadline, self.send(request.reads(Reads::Every))).await {
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
