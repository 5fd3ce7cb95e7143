//! What goes wrong, as support staff need it: what happened, what to do,
//! and (only where escalation can help) the service's error id. Every
//! failure the console shows is mapped here, once, for the pages and the
//! JSON answers alike, in the staff's language.

use axum::http::StatusCode;
use vipps_order_management::{Error, ErrorKind, PaymentType};

use crate::console::access::audit::Unreadable;
use crate::console::lookup::order_id::IdProblem;
use crate::console::lookup::Unshown;
use crate::console::marks::{hidden, visible};
use crate::console::pages::language::{Arg, Words};

/// An error, as support staff need it.
pub struct Trouble {
    /// The console's answer's status.
    pub status: StatusCode,
    /// The audit log's word for it.
    pub outcome: &'static str,
    /// The page's heading.
    pub title: String,
    /// What happened.
    pub explanation: String,
    /// What to do.
    pub what_to_do: String,
    /// The service's error id, where Vipps MobilePay support can use it.
    pub error_id: Option<String>,
    /// The technical details (the SDK's message).
    pub details: Option<String>,
    /// Orders that do hold something, to offer instead.
    pub instead: Vec<(PaymentType, String)>,
}

impl Trouble {
    fn new(status: StatusCode, outcome: &'static str, words: &Words, key: &str) -> Trouble {
        Trouble {
            status,
            outcome,
            title: words.get(&format!("{key}-title")),
            // Some explanations take arguments: those are set by the caller.
            explanation: words.try_get(&format!("{key}-explanation")).unwrap_or_default(),
            what_to_do: words.get(&format!("{key}-todo")),
            error_id: None,
            details: None,
            instead: Vec::new(),
        }
    }

    /// A request addressed to another host: refused (DNS rebinding).
    pub fn misdirected(words: &Words) -> Trouble {
        Trouble::new(StatusCode::MISDIRECTED_REQUEST, "misdirected", words, "trouble-misdirected")
    }

    /// A console behind single sign-on, reached around the proxy.
    pub fn not_signed_on(words: &Words) -> Trouble {
        Trouble::new(StatusCode::UNAUTHORIZED, "not-signed-on", words, "trouble-not-signed-on")
    }

    /// A sign-in or sign-out sent from another site's page.
    pub fn other_site(words: &Words) -> Trouble {
        Trouble::new(StatusCode::FORBIDDEN, "other-site", words, "trouble-other-site")
    }

    /// The audit log cannot be written: nothing is shown.
    pub fn audit_failed(words: &Words) -> Trouble {
        Trouble::new(StatusCode::SERVICE_UNAVAILABLE, "not-recorded", words, "trouble-audit")
    }

    /// The sign-on proxy's request names the person in a way that cannot
    /// be taken (twice, not text): refused.
    pub fn identity_refused(words: &Words) -> Trouble {
        Trouble::new(StatusCode::BAD_REQUEST, "identity-refused", words, "trouble-identity")
    }

    /// The console's shared store failed: nothing could be checked or
    /// recorded.
    pub fn store_failed(words: &Words) -> Trouble {
        Trouble::new(StatusCode::SERVICE_UNAVAILABLE, "store-failed", words, "trouble-store")
    }

    /// The audit trail, asked for by someone who may not read it.
    pub fn not_auditor(words: &Words) -> Trouble {
        Trouble::new(StatusCode::FORBIDDEN, "not-auditor", words, "trouble-not-auditor")
    }

    /// The audit trail's form, with a field it cannot read.
    pub fn audit_form(words: &Words, field: Unreadable) -> Trouble {
        let mut t = Trouble::new(StatusCode::BAD_REQUEST, "invalid", words, "trouble-audit-form");
        let key = match field {
            Unreadable::From => "audit-from",
            Unreadable::Until => "audit-until",
            Unreadable::Event => "audit-event",
            Unreadable::PaymentType => "lookup-payment-type",
            Unreadable::Address => {
                t.explanation = words.get("trouble-audit-address-explanation");
                return t;
            }
        };
        t.explanation = words.with("trouble-audit-form-explanation", [("field", Arg::Text(words.get(key)))]);
        t
    }

    /// The console was told to stop while the API had not answered.
    pub fn stopping(words: &Words) -> Trouble {
        Trouble::new(StatusCode::SERVICE_UNAVAILABLE, "stopped", words, "trouble-stopping")
    }

    /// A request body past the console's bound.
    pub fn too_large(words: &Words) -> Trouble {
        Trouble::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", words, "trouble-too-large")
    }

    /// A request that did not arrive in time.
    pub fn too_slow(words: &Words) -> Trouble {
        Trouble::new(StatusCode::REQUEST_TIMEOUT, "too-slow", words, "trouble-too-slow")
    }

    /// A method this address does not take (`GET /logout`).
    pub fn wrong_method(words: &Words) -> Trouble {
        Trouble::new(StatusCode::METHOD_NOT_ALLOWED, "wrong-method", words, "trouble-wrong-method")
    }

    /// The shop's outbox could not be read or changed: `why`, for the
    /// details.
    pub fn outbox_failed(words: &Words, why: &str) -> Trouble {
        let mut t = Trouble::new(StatusCode::SERVICE_UNAVAILABLE, "outbox-failed", words, "trouble-outbox");
        t.details = Some(why.to_owned());
        t
    }

    /// No such page.
    pub fn no_such_page(words: &Words) -> Trouble {
        Trouble::new(StatusCode::NOT_FOUND, "no-such-page", words, "trouble-no-page")
    }

    /// An order id that cannot be one, even cleaned; `searched` as typed.
    pub fn invalid_id(words: &Words, searched: &str, problem: &IdProblem) -> Trouble {
        let mut t = Trouble::new(StatusCode::BAD_REQUEST, "invalid", words, "trouble-invalid-id");
        let reason = match problem {
            IdProblem::Empty => words.get("id-problem-empty"),
            IdProblem::Dots => words.get("id-problem-dots"),
            IdProblem::TooLong { max } => words.with("id-problem-long", [("max", Arg::Count(*max))]),
            IdProblem::NotText => words.get("id-problem-not-text"),
            IdProblem::Characters(odd) => {
                let shown: Vec<String> = odd.chars().map(|c| format!("“{}”", visible(&c.to_string(), hidden))).collect();
                words.with("id-problem-chars", [("chars", Arg::Data(shown.join(" ")))])
            }
        };
        t.explanation = words.with(
            "trouble-invalid-id-explanation",
            [
                ("searched", Arg::Data(visible(searched, hidden).into_owned())),
                ("reason", Arg::Text(reason)),
            ],
        );
        t
    }

    /// The lookup form was not filled in as it asks.
    pub fn form(words: &Words) -> Trouble {
        Trouble::new(StatusCode::BAD_REQUEST, "invalid", words, "trouble-form")
    }

    /// The trouble of `unshown`, for the order `order_id` (as looked up) of
    /// `payment_type`.
    pub fn of(unshown: &Unshown, words: &Words, order_id: &str, payment_type: Option<&PaymentType>) -> Trouble {
        match unshown {
            Unshown::PaymentType(text) => {
                let mut t = Trouble::new(StatusCode::BAD_REQUEST, "invalid", words, "trouble-payment-type");
                t.explanation = words.with("trouble-payment-type-explanation", [("given", Arg::Data(text.clone()))]);
                t
            }
            Unshown::OrderId(problem) => Trouble::invalid_id(words, order_id, problem),
            Unshown::Client(e) => Trouble::of_error(e, words),
            Unshown::Nothing { error, instead } => {
                let mut t = Trouble::new(StatusCode::NOT_FOUND, "nothing-stored", words, "trouble-nothing");
                let kind = payment_type.map_or_else(String::new, |pt| words.payment_type(pt));
                t.explanation = words.with(
                    "trouble-nothing-explanation",
                    [("order", Arg::Data(order_id.to_owned())), ("kind", Arg::Text(kind))],
                );
                t.details = Some(error.to_string());
                t.instead = instead.clone();
                t
            }
        }
    }

    /// The trouble of an error from the API client.
    pub fn of_error(e: &Error, words: &Words) -> Trouble {
        let (status, outcome, key) = match e.kind() {
            ErrorKind::NotFound => (StatusCode::NOT_FOUND, "nothing-stored", "trouble-nothing"),
            ErrorKind::Configuration => (StatusCode::BAD_GATEWAY, "refused", "trouble-keys"),
            _ if e.is_connect() => (StatusCode::BAD_GATEWAY, "unreachable", "trouble-unreachable"),
            _ if e.is_timeout() => (StatusCode::GATEWAY_TIMEOUT, "timed-out", "trouble-slow"),
            ErrorKind::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable", "trouble-unavailable"),
            ErrorKind::Invalid => (StatusCode::BAD_REQUEST, "invalid", "trouble-rejected"),
            _ => (StatusCode::BAD_GATEWAY, "failed", "trouble-unexpected"),
        };
        let mut t = Trouble::new(status, outcome, words, key);
        t.details = Some(e.to_string());
        // An error id helps Vipps MobilePay support with their own faults;
        // for "nothing stored" or refused keys it would only invite a
        // needless escalation.
        if matches!(outcome, "unavailable" | "failed" | "invalid") {
            t.error_id = e.problem().and_then(|p| p.instance.clone());
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use vipps_order_management::{ErrorBody, Operation, Problem};

    use super::*;
    use crate::console::pages::language::Lang;

    #[test]
    fn each_kind_of_error_has_its_status_and_words() {
        let words = Words::new(Lang::En);
        let api = |status: u16| {
            let mut problem = Problem::default();
            problem.instance = Some("err-42".to_owned());
            Error::api(
                Operation::GetOrder,
                StatusCode::from_u16(status).unwrap(),
                ErrorBody::Problem(Box::new(problem)),
            )
        };
        let cases = [
            (api(404), 404, "nothing-stored", None),
            (api(401), 502, "refused", None),
            (api(503), 503, "unavailable", Some("err-42")),
            (api(400), 400, "invalid", Some("err-42")),
            (api(500), 503, "unavailable", Some("err-42")),
            (api(501), 502, "failed", Some("err-42")),
            (
                Error::timeout(Operation::GetOrder, std::time::Duration::from_secs(5)),
                504,
                "timed-out",
                None,
            ),
        ];
        for (error, status, outcome, error_id) in cases {
            let t = Trouble::of_error(&error, &words);
            assert_eq!(
                (t.status.as_u16(), t.outcome, t.error_id.as_deref()),
                (status, outcome, error_id),
                "{error}"
            );
            assert!(!t.title.is_empty() && t.details.is_some());
        }
    }
}
