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

use crate::console::access::audit::{Asked, Unreadable, PAGE};
use crate::console::access::entry::{Entry, Event, MAX_TYPED};
use crate::console::access::store::{Filter, Page};
use crate::console::access::visitor::Visitor;
use crate::console::pages::store_failed;
use crate::console::pages::trouble::Trouble;
use crate::console::pages::{self, Cx};
use crate::console::Console;

/// Entries read from the store at a time for the export.
const EXPORT_BATCH: u32 = 1000;

/// The entry that records a view of the trail.
fn viewed(visitor: &Visitor, asked: &Asked, what: &str) -> Entry {
    let mut entry = Entry::by(Event::AuditView, visitor).what(what).outcome("shown");
    entry.searched = asked.described().map(|d| d.chars().take(MAX_TYPED).collect());
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

/// What an auditor's address asks for (`what`: the page or the export),
/// and what it selects once it may be shown and the look is recorded; else
/// the answer to give instead.
async fn selection(
    console: &Console,
    visitor: &Visitor,
    cx: &Cx,
    query: Result<Query<Asked>, QueryRejection>,
    what: &str,
) -> Result<(Asked, Filter), Response> {
    let Ok(Query(asked)) = query else {
        return Err(unreadable(console, cx));
    };
    let filter = selected(console, visitor, &asked, cx, what).await?;
    Ok((asked, filter))
}

/// The trail's page: the form, and the newest hundred entries it selects.
pub async fn trail(
    State(console): State<Console>,
    Extension(visitor): Extension<Visitor>,
    cx: Cx,
    query: Result<Query<Asked>, QueryRejection>,
) -> Response {
    let (asked, filter) = match selection(&console, &visitor, &cx, query, "page").await {
        Ok(selection) => selection,
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
    let (_asked, filter) = match selection(&console, &visitor, &cx, query, "jsonl").await {
        Ok(selection) => selection,
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
