//! What goes wrong, as support staff need it: what it means, what to do,
//! and the service's error id for escalation. Every failure the console
//! shows is mapped here, once, for the pages and the JSON answers alike.

use axum::http::StatusCode;
use vipps_order_management::{Error, ErrorKind};

use super::lookup::Unshown;

/// An error, as support staff need it: what it means, what to do, and the
/// service's error id for escalation.
pub struct Trouble {
    pub status: StatusCode,
    pub title: String,
    pub explanation: String,
    pub what_to_do: String,
    pub error_id: Option<String>,
    pub details: Option<String>,
}

impl Trouble {
    /// A request addressed to another host: refused (DNS rebinding).
    pub fn misdirected() -> Trouble {
        Trouble {
            status: StatusCode::MISDIRECTED_REQUEST,
            title: "Wrong address".into(),
            explanation: "This console answers only requests addressed to this machine (localhost or 127.0.0.1).".into(),
            what_to_do: "Open it as http://localhost:PORT/ or http://127.0.0.1:PORT/. To reach it from elsewhere, start it with --listen and --access-token behind a TLS proxy.".into(),
            error_id: None,
            details: None,
        }
    }

    pub fn no_such_page() -> Trouble {
        Trouble {
            status: StatusCode::NOT_FOUND,
            title: "No such page".into(),
            explanation: "There is no such page in the support console.".into(),
            what_to_do: "Start again from the lookup form.".into(),
            error_id: None,
            details: None,
        }
    }

    pub fn invalid(explanation: String) -> Trouble {
        Trouble {
            status: StatusCode::BAD_REQUEST,
            title: "This order cannot be looked up".into(),
            explanation,
            what_to_do: "Check the order id: letters A-Z and a-z, digits, '-', '_' and '.' only, as the shop shows it.".into(),
            error_id: None,
            details: None,
        }
    }
}

impl From<&Unshown> for Trouble {
    fn from(unshown: &Unshown) -> Trouble {
        match unshown {
            Unshown::PaymentType(text) => Trouble {
                title: "Unknown payment type".into(),
                explanation: format!(
                    "{text:?} is not a payment type: it is ecom (eCom and ePayment payments) or recurring (Recurring charges)."
                ),
                what_to_do:
                    "Choose the payment type in the lookup form: ECOM for eCom and ePayment payments, RECURRING for Recurring charges."
                        .into(),
                ..Trouble::invalid(String::new())
            },
            Unshown::OrderId => Trouble::invalid("The order id in the address is not text an order id can hold.".into()),
            Unshown::Client(e) => Trouble::from(e),
        }
    }
}

impl From<&Error> for Trouble {
    fn from(e: &Error) -> Trouble {
        let (status, title, explanation, what_to_do) = match e.kind() {
            ErrorKind::NotFound => (
                StatusCode::NOT_FOUND,
                "No receipt or category yet",
                "Vipps MobilePay has nothing stored for this order: no receipt and no category. The shop may not have sent them yet, or the order id or payment type is not the payment's.",
                "Check the order id and the payment type (ECOM for eCom and ePayment payments, RECURRING for Recurring charges). If the order was paid a while ago, ask the shop's technical team whether the receipt was sent.",
            ),
            ErrorKind::Configuration => (
                StatusCode::BAD_GATEWAY,
                "The shop's keys lack access",
                "Vipps MobilePay refused the shop's API keys, or they have no access to order information for this sales unit. Nothing is wrong with the order.",
                "Ask whoever manages the shop's Vipps MobilePay settings to check the API keys and the merchant serial number in the merchant portal (portal.vipps.no).",
            ),
            ErrorKind::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Vipps MobilePay did not answer",
                "The order information could not be fetched right now: the service did not answer in time, or is busy.",
                "Try again in a minute. If it keeps failing, contact Vipps MobilePay support (with the error id, when one is shown below).",
            ),
            ErrorKind::Invalid => (
                StatusCode::BAD_REQUEST,
                "This order cannot be looked up",
                "The order id or payment type is not one the API accepts.",
                "Check the order id: letters A-Z and a-z, digits, '-', '_' and '.' only, as the shop shows it.",
            ),
            _ => (
                StatusCode::BAD_GATEWAY,
                "Vipps MobilePay answered unexpectedly",
                "The order information could not be read.",
                "Try again later; if it persists, contact Vipps MobilePay support (with the error id, when one is shown below).",
            ),
        };
        Trouble {
            status,
            title: title.into(),
            explanation: explanation.into(),
            what_to_do: what_to_do.into(),
            error_id: e.problem().and_then(|p| p.instance.clone()),
            details: Some(e.to_string()),
        }
    }
}
