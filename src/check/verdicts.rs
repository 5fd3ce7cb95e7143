//! The verdict on each item of the go-live check from what the servers
//! answered: the token, the clock, access, each endpoint, and whether a
//! write may be made where the client points.

use std::time::Duration;

use reqwest::StatusCode;

use super::options::WriteCheck;
use super::report::{failed, not_checked, passed, Outcome};
use crate::auth::TokenFacts;
use crate::client::{Client, Environment};
use crate::clock::unix_now;
use crate::error::{Error, ErrorKind};
use crate::operation::Operation;

/// How far the local clock may be from the server's before tokens' times
/// are off.
pub const CLOCK_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// The shortest token lifetime that is of use: a token that lives less is
/// fetched again for nearly every call.
const SHORTEST_USEFUL_TOKEN: Duration = Duration::from_secs(60);

/// Which servers a base URL is.
pub(super) fn environment_of(client: &Client) -> &'static str {
    let base = client.base_url().as_str().trim_end_matches('/');
    if base == Environment::Production.base_url() {
        "production"
    } else if base == Environment::Test.base_url() {
        "test"
    } else {
        "custom"
    }
}

/// Why a write is not made, when it is not: asked only once, against
/// servers that are neither the test environment nor on this machine. Any
/// other base URL may be production (a spelling of its host, or a proxy in
/// front of it), where a category shows in the customer's app.
pub(super) fn write_refused(client: &Client, write: &WriteCheck) -> Option<&'static str> {
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
pub(super) fn token_outcome(facts: &TokenFacts) -> Outcome {
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

pub(super) fn token_advice(e: &Error) -> &'static str {
    match e.kind() {
        ErrorKind::Configuration => {
            "check the client id, client secret and subscription key in the merchant portal (portal.vipps.no), \
             and that they are for this environment (test keys for test, production keys for production)"
        }
        ErrorKind::Unavailable => "check the network and the base URL, then run the check again",
        _ => "check the base URL: it should be the host root (https://api.vipps.no or https://apitest.vipps.no)",
    }
}

pub(super) fn clock_outcome(issued_at: Option<u64>) -> Outcome {
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

pub(super) fn access_outcome(answer: &Result<StatusCode, Error>) -> Outcome {
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

pub(super) fn endpoint_outcome(op: Operation, answer: &Result<StatusCode, Error>) -> Outcome {
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
    use crate::check::CheckOptions;

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
        let facts = |stated: Option<u64>| TokenFacts {
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
}
