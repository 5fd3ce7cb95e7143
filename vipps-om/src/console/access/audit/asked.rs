//! What an auditor asks of the trail: the view's form as the address
//! carries it (an order, a person, an event, between two days or moments
//! in the department's time zone), read into the store's filter, or which
//! field could not be read.

use serde::Deserialize;

use crate::console::access::entry::Event;
use crate::console::access::store::Filter;
use crate::console::paths;

/// Entries on one page of the view.
pub const PAGE: u32 = 100;

/// The view's form, as the address carries it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Asked {
    #[serde(default)]
    pub payment_type: String,
    #[serde(default)]
    pub order_id: String,
    #[serde(default)]
    pub who: String,
    #[serde(default)]
    pub event: String,
    /// The first day (`2026-12-01`), or a moment (`2026-12-01T08:00`).
    #[serde(default)]
    pub from: String,
    /// The last day, whole (`2026-12-07`), or a moment, not included.
    #[serde(default)]
    pub until: String,
    /// Entries older than this one (the next page).
    #[serde(default)]
    pub before: Option<i64>,
}

/// Which field of the form could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreadable {
    From,
    Until,
    Event,
    PaymentType,
    /// The address as a whole: a field twice, or a page that is no number.
    Address,
}

/// A day or a moment in `zone`: a day's start, or its end (the next
/// day's start) when `end`.
fn moment(text: &str, zone: &jiff::tz::TimeZone, end: bool) -> Option<jiff::Timestamp> {
    let text = text.trim();
    // A moment has a time after its day; a day alone is the whole day.
    if !text.contains(['T', 't', ' ']) {
        let date = text.parse::<jiff::civil::Date>().ok()?;
        let day = if end { date.tomorrow().ok()? } else { date };
        return day.to_zoned(zone.clone()).ok().map(|z| z.timestamp());
    }
    let civil = text.parse::<jiff::civil::DateTime>().ok()?;
    civil.to_zoned(zone.clone()).ok().map(|z| z.timestamp())
}

impl Asked {
    /// The store's filter for this form, times read in `zone`.
    pub fn filter(&self, zone: &jiff::tz::TimeZone) -> Result<Filter, Unreadable> {
        let given = |text: &str| Some(text.trim()).filter(|t| !t.is_empty()).map(str::to_owned);
        let payment_type = match given(&self.payment_type) {
            Some(pt) => Some(
                pt.parse::<vipps_order_management::PaymentType>()
                    .map_err(|_| Unreadable::PaymentType)?
                    .as_str()
                    .to_owned(),
            ),
            None => None,
        };
        let when = |text: &str, end: bool, field: Unreadable| match given(text) {
            Some(t) => moment(&t, zone, end).map(Some).ok_or(field),
            None => Ok(None),
        };
        Ok(Filter {
            payment_type,
            // As typed, not cleaned: the trail holds what was looked up.
            order_id: Some(self.order_id.clone()).filter(|id| !id.is_empty()),
            who: given(&self.who),
            event: match given(&self.event) {
                Some(e) => Some(Event::parse(&e).ok_or(Unreadable::Event)?),
                None => None,
            },
            from: when(&self.from, false, Unreadable::From)?,
            until: when(&self.until, true, Unreadable::Until)?,
        })
    }

    /// The form's fields as an address's query (the next page, the
    /// export), without the page.
    pub fn query(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("paymentType", self.payment_type.as_str()),
            ("orderId", self.order_id.as_str()),
            ("who", self.who.as_str()),
            ("event", self.event.as_str()),
            ("from", self.from.as_str()),
            ("until", self.until.as_str()),
        ]
    }

    /// What was asked for, as the trail records a view of itself.
    pub(in crate::console) fn described(&self) -> Option<String> {
        let parts: Vec<String> = self
            .query()
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// The export of what `asked` selects.
pub fn export_address(asked: &Asked) -> String {
    paths::with_query(paths::AUDIT_EXPORT, &asked.query())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_moments_in_the_departments_zone() {
        let oslo = jiff::tz::TimeZone::get("Europe/Oslo").unwrap();
        let asked = Asked {
            from: "2026-12-01".into(),
            until: "2026-12-07".into(),
            event: "lookup".into(),
            payment_type: "ecom".into(),
            ..Asked::default()
        };
        let filter = asked.filter(&oslo).unwrap();
        assert_eq!(filter.from, Some("2026-11-30T23:00:00Z".parse().unwrap()));
        assert_eq!(filter.until, Some("2026-12-07T23:00:00Z".parse().unwrap()), "the last day whole");
        assert_eq!(filter.event, Some(Event::Lookup));
        assert_eq!(filter.payment_type.as_deref(), Some("ECOM"));
        let moments = Asked {
            from: "2026-12-01T08:30".into(),
            until: " ".into(),
            ..Asked::default()
        };
        let filter = moments.filter(&oslo).unwrap();
        assert_eq!(filter.from, Some("2026-12-01T07:30:00Z".parse().unwrap()));
        assert_eq!(filter.until, None);
        let bad = |asked: Asked| asked.filter(&oslo).unwrap_err();
        assert_eq!(
            bad(Asked {
                from: "yesterday".into(),
                ..Asked::default()
            }),
            Unreadable::From
        );
        assert_eq!(
            bad(Asked {
                until: "2026-13-01".into(),
                ..Asked::default()
            }),
            Unreadable::Until
        );
        assert_eq!(
            bad(Asked {
                event: "login".into(),
                ..Asked::default()
            }),
            Unreadable::Event
        );
        assert_eq!(
            bad(Asked {
                payment_type: "swish".into(),
                ..Asked::default()
            }),
            Unreadable::PaymentType
        );
    }

    #[test]
    fn a_view_is_recorded_with_what_it_selected() {
        let asked = Asked {
            who: "kari".into(),
            order_id: "order 1".into(),
            ..Asked::default()
        };
        assert_eq!(asked.described().as_deref(), Some("orderId=order 1 who=kari"));
        assert_eq!(Asked::default().described(), None);
        assert_eq!(export_address(&asked), "/audit/export.jsonl?orderId=order+1&who=kari");
    }
}
