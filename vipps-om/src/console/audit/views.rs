//! The audit trail for a data-protection officer: who looked at an order,
//! what a person looked at, any event, between two days in the
//! department's time zone; a page of the newest hundred at a time, and
//! the whole selection as JSON lines. Only for auditors (a role in the
//! staff file, a group named by the sign-on proxy); each view and export
//! is itself recorded before it is shown.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;

use super::{Entry, Event};
use crate::console::guard::store_failed;
use crate::console::pages::{self, Cx};
use crate::console::paths;
use crate::console::store::{Filter, Page};
use crate::console::trouble::Trouble;
use crate::console::visitor::Visitor;
use crate::console::Console;

/// Entries on one page of the view.
pub const PAGE: u32 = 100;
/// Entries read from the store at a time for the export.
const EXPORT_BATCH: u32 = 1000;

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
    fn described(&self) -> Option<String> {
        let parts: Vec<String> = self
            .query()
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// The entry that records a view of the trail.
fn viewed(visitor: &Visitor, asked: &Asked, what: &str) -> Entry {
    let mut entry = Entry::by(Event::AuditView, visitor).what(what).outcome("shown");
    entry.searched = asked.described().map(|d| d.chars().take(super::MAX_TYPED).collect());
    entry
}

/// What `asked` selects, once it may be shown to `visitor` (`what`: the
/// page or the export) and the look is recorded; else the answer to give
/// instead: someone who is no auditor is refused, and recorded (who tried
/// to read the trail is the trail's business too); a form that cannot be
/// read is shown again, saying which field; a look that cannot be recorded
/// is not shown.
async fn selected(console: &Console, visitor: &Visitor, asked: &Asked, cx: &Cx, what: &str) -> Result<Filter, Response> {
    let mut entry = viewed(visitor, asked, what);
    if !visitor.auditor {
        let trouble = Trouble::not_auditor(&cx.words);
        trouble.outcome.clone_into(&mut entry.outcome);
        if let Err(e) = console.audit.record(entry).await {
            return Err(store_failed(&e, &cx.words, &cx.here, false));
        }
        return Err((trouble.status, pages::trouble(cx, &trouble)).into_response());
    }
    let filter = asked.filter(&console.zone).map_err(|field| {
        let trouble = Trouble::audit_form(&cx.words, field);
        (trouble.status, pages::audit(cx, asked, Some(&trouble), &[], None, &console.zone)).into_response()
    })?;
    if let Err(e) = console.audit.record(entry).await {
        tracing::error!(target: "vipps_om::console", "{e}: the audit trail was not shown");
        let trouble = Trouble::audit_failed(&cx.words);
        return Err((trouble.status, pages::trouble(cx, &trouble)).into_response());
    }
    Ok(filter)
}

/// The answer to an address whose query cannot be read: the form, empty,
/// saying so; never the whole trail as if nothing had been asked.
fn unreadable(console: &Console, cx: &Cx) -> Response {
    let trouble = Trouble::audit_form(&cx.words, Unreadable::Address);
    (
        trouble.status,
        pages::audit(cx, &Asked::default(), Some(&trouble), &[], None, &console.zone),
    )
        .into_response()
}

/// The trail's page: the form, and the newest hundred entries it selects.
pub async fn trail(
    State(console): State<Console>,
    Extension(visitor): Extension<Visitor>,
    cx: Cx,
    query: Result<Query<Asked>, QueryRejection>,
) -> Response {
    let Ok(Query(asked)) = query else {
        return unreadable(&console, &cx);
    };
    let filter = match selected(&console, &visitor, &asked, &cx, "page").await {
        Ok(filter) => filter,
        Err(answer) => return answer,
    };
    let entries = match console.audit.entries(&filter, Page::NewestBefore(asked.before), PAGE).await {
        Ok(entries) => entries,
        Err(e) => return store_failed(&e, &cx.words, &cx.here, false),
    };
    // A full page may have more behind it.
    let older = (entries.len() == PAGE as usize)
        .then(|| entries.last().and_then(|e| e.id))
        .flatten();
    pages::audit(&cx, &asked, None, &entries, older, &console.zone).into_response()
}

/// The entries the form selects, oldest first, as JSON lines (each line
/// an entry, hidden characters escaped), read from the store a thousand
/// at a time as the download goes.
pub async fn export(
    State(console): State<Console>,
    Extension(visitor): Extension<Visitor>,
    cx: Cx,
    query: Result<Query<Asked>, QueryRejection>,
) -> Response {
    let Ok(Query(asked)) = query else {
        return unreadable(&console, &cx);
    };
    let filter = match selected(&console, &visitor, &asked, &cx, "jsonl").await {
        Ok(filter) => filter,
        Err(answer) => return answer,
    };
    let batches = futures_util::stream::unfold(Some(None), move |after: Option<Option<i64>>| {
        let console = console.clone();
        let filter = filter.clone();
        async move {
            let after = after?;
            match console.audit.entries(&filter, Page::OldestAfter(after), EXPORT_BATCH).await {
                Ok(entries) => {
                    let next = (entries.len() == EXPORT_BATCH as usize).then(|| entries.last().and_then(|e| e.id));
                    let mut lines = Vec::new();
                    for entry in &entries {
                        match crate::console::marks::json_line(entry) {
                            Ok(line) => lines.extend_from_slice(&line),
                            Err(e) => return Some((Err(std::io::Error::other(e)), None)),
                        }
                    }
                    Some((Ok(lines), next))
                }
                Err(e) => {
                    tracing::error!(target: "vipps_om::console", "{e}: the export was cut short");
                    Some((Err(std::io::Error::other(e)), None))
                }
            }
        }
    });
    let name = format!(
        "attachment; filename=\"vipps-om-audit-{}.jsonl\"",
        jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ")
    );
    let mut response = Body::from_stream(batches).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/jsonl; charset=utf-8"));
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
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
