//! One entry of the audit trail: when, what (a sign-in, a refusal, a
//! lookup, a sign-out, a view of the trail itself, a delivery tried again),
//! who, how they were recognised, from which client, which order, what
//! they typed, and what came of it. As the store keeps it, the views show
//! it and the export writes it (one JSON object a line).

use std::net::IpAddr;

use serde::Serialize;
use vipps_order_management::PaymentType;

use crate::console::access::visitor::{Via, Visitor};

/// The longest text kept from what a person typed.
pub const MAX_TYPED: usize = 256;

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Event {
    /// A sign-in, or a refused one.
    SignIn,
    /// A sign-out, or a sign-in ended by the console (the person left the
    /// staff, their token changed).
    SignOut,
    /// An order looked up (or a lookup refused).
    Lookup,
    /// The audit trail itself looked at, or exported.
    AuditView,
    /// A delivery of the shop's outbox tried again now, by staff.
    DeliveryRetry,
}

impl Event {
    /// Every event, in the order the views offer them.
    pub const ALL: [Event; 5] = [Event::SignIn, Event::SignOut, Event::Lookup, Event::AuditView, Event::DeliveryRetry];

    /// Its name in the trail: `sign-in`, `sign-out`, `lookup`,
    /// `audit-view`, `delivery-retry`.
    pub fn as_str(self) -> &'static str {
        match self {
            Event::SignIn => "sign-in",
            Event::SignOut => "sign-out",
            Event::Lookup => "lookup",
            Event::AuditView => "audit-view",
            Event::DeliveryRetry => "delivery-retry",
        }
    }

    /// The event of a name in the trail.
    pub fn parse(text: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.as_str() == text)
    }
}

/// One entry of the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    /// Its number in the trail; `None` until it is kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// When.
    pub time: jiff::Timestamp,
    /// What happened.
    pub event: Event,
    /// Who: a staff name, the sign-on proxy's user, "this machine"; empty
    /// for a refused sign-in (nobody was recognised).
    pub who: String,
    /// How they were recognised (or tried to be).
    pub via: Via,
    /// The client's address (behind a front end, the one it names); none
    /// for what the console did by itself.
    pub client: Option<String>,
    /// The order's payment type (`ECOM`, `RECURRING`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_type: Option<String>,
    /// The order id looked up (as typed when it could not be one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// What the person typed, when it was cleaned into another id; for a
    /// view of the trail, what it was filtered by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub searched: Option<String>,
    /// What was asked for: `page`, `json`, `form`, `jsonl`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what: Option<String>,
    /// What came of it: `shown`, `signed-in`, `wrong-token`, `throttled`, ….
    pub outcome: String,
    /// Other orders looked at to offer one (`RECURRING/order-1`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_checked: Vec<String>,
    /// How many attempts this entry counts: more than one for refusals
    /// past the limit, one entry per client and window.
    pub attempts: u64,
    /// The last of them, when more than one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_time: Option<jiff::Timestamp>,
}

/// At most `MAX_TYPED` characters of what a person typed.
fn typed(text: &str) -> String {
    text.chars().take(MAX_TYPED).collect()
}

impl Entry {
    /// An `event` by `who`, recognised `via`, from `client`, now.
    pub fn new(event: Event, who: &str, via: Via, client: Option<IpAddr>) -> Entry {
        Entry {
            id: None,
            time: jiff::Timestamp::now(),
            event,
            who: who.to_owned(),
            via,
            client: client.map(|c| c.to_string()),
            payment_type: None,
            order_id: None,
            searched: None,
            what: None,
            outcome: String::new(),
            also_checked: Vec::new(),
            attempts: 1,
            last_time: None,
        }
    }

    /// An `event` by the person a request came from.
    pub fn by(event: Event, visitor: &Visitor) -> Entry {
        Entry::new(event, &visitor.who, visitor.via, Some(visitor.address))
    }

    /// The order looked up (as typed, when it could not be one: at most
    /// 256 characters of it).
    pub fn order(mut self, payment_type: &PaymentType, order_id: &str) -> Entry {
        self.payment_type = Some(payment_type.as_str().to_owned());
        self.order_id = Some(typed(order_id));
        self
    }

    /// An order id that could not be looked up with a payment type (as
    /// typed: at most 256 characters).
    pub fn order_id(mut self, order_id: &str) -> Entry {
        self.order_id = Some(typed(order_id));
        self
    }

    /// What the person typed, when it was cleaned into another id.
    pub fn searched(mut self, searched: Option<&str>) -> Entry {
        self.searched = searched.map(typed);
        self
    }

    /// What was asked for.
    pub fn what(mut self, what: &str) -> Entry {
        self.what = Some(what.to_owned());
        self
    }

    /// What came of it.
    pub fn outcome(mut self, outcome: &str) -> Entry {
        outcome.clone_into(&mut self.outcome);
        self
    }

    /// Other orders looked at to offer one.
    pub fn also_checked(mut self, checked: Vec<String>) -> Entry {
        self.also_checked = checked;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_by_name_and_typed_text_bounded() {
        for event in Event::ALL {
            assert_eq!(Event::parse(event.as_str()), Some(event));
        }
        assert_eq!(Event::parse("sign_in"), None);
        let entry = Entry::new(Event::Lookup, "kari", Via::Token, None)
            .order_id(&"x".repeat(300))
            .searched(Some(&"y".repeat(257)));
        assert_eq!(entry.order_id.as_deref().map(str::len), Some(256));
        assert_eq!(entry.searched.as_deref().map(str::len), Some(256));
        let json = serde_json::to_value(&entry).unwrap();
        assert_eq!(json["event"], "lookup");
        assert_eq!(json["client"], serde_json::Value::Null);
        assert!(json.get("id").is_none() && json.get("lastTime").is_none());
    }
}
