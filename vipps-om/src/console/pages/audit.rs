//! The audit trail's page: the form that selects (an order, a person, an
//! event, from one day to another), the entries it selects, newest first,
//! each person and order a link to their own view, what staff typed shown
//! with its hidden characters as marks, and the export of the selection.

use maud::{html, Markup};

use crate::console::access::audit::{export_address, Asked};
use crate::console::access::entry::{Entry, Event};
use crate::console::pages::language::Arg;
use crate::console::pages::layout::{data, layout, trouble_box, typed, Cx};
use crate::console::pages::trouble::Trouble;
use crate::console::paths;

/// A word of the trail (`event`, `via`, `outcome`) in the staff's
/// language; one the console has no words for, as recorded.
fn word(cx: &Cx, kind: &str, code: &str) -> Markup {
    match cx.words.try_get(&format!("audit-{kind}-{code}")) {
        Some(text) => html! { (text) },
        None => html! { code { (data(code)) } },
    }
}

/// The moment `at` in the department's zone, in the staff's language.
fn when(cx: &Cx, at: jiff::Timestamp, zone: &jiff::tz::TimeZone) -> String {
    cx.words.moment(&at.to_zoned(zone.clone()))
}

fn form(cx: &Cx, asked: &Asked) -> Markup {
    let pt = asked.payment_type.to_ascii_lowercase();
    html! {
        form.filters method="get" action=(paths::AUDIT) {
            div {
                label for="a-paymentType" { (cx.t("lookup-payment-type")) }
                select id="a-paymentType" name="paymentType" {
                    option value="" selected[pt.is_empty()] { (cx.t("audit-any")) }
                    option value="ecom" selected[pt == "ecom"] { (cx.t("payment-type-ecom")) }
                    option value="recurring" selected[pt == "recurring"] { (cx.t("payment-type-recurring")) }
                }
            }
            div {
                label for="a-orderId" { (cx.t("lookup-order-id")) }
                input id="a-orderId" name="orderId" type="text" maxlength="512" autocomplete="off" spellcheck="false" value=(asked.order_id);
            }
            div {
                label for="a-who" { (cx.t("audit-who")) }
                input id="a-who" name="who" type="text" maxlength="256" autocomplete="off" spellcheck="false" value=(asked.who);
            }
            div {
                label for="a-event" { (cx.t("audit-event")) }
                select id="a-event" name="event" {
                    option value="" selected[asked.event.is_empty()] { (cx.t("audit-any")) }
                    @for event in Event::ALL {
                        option value=(event.as_str()) selected[asked.event == event.as_str()] { (word(cx, "event", event.as_str())) }
                    }
                }
            }
            div {
                label for="a-from" { (cx.t("audit-from")) }
                input id="a-from" name="from" type="date" value=(asked.from);
            }
            div {
                label for="a-until" { (cx.t("audit-until")) }
                input id="a-until" name="until" type="date" value=(asked.until);
            }
            div.go { button type="submit" { (cx.t("audit-show")) } }
        }
    }
}

fn row(cx: &Cx, e: &Entry, zone: &jiff::tz::TimeZone) -> Markup {
    let none = html! { span.none { "–" } };
    html! {
        tr {
            td data-label=(cx.t("audit-time")) { (when(cx, e.time, zone)) }
            td data-label=(cx.t("audit-event")) { (word(cx, "event", e.event.as_str())) }
            td data-label=(cx.t("audit-who")) {
                @if e.who.is_empty() { (cx.t("audit-nobody")) }
                @else { a href=(paths::audit_of_person(&e.who)) { (data(&e.who)) } }
                br; small { (word(cx, "via", e.via.as_str())) }
            }
            td data-label=(cx.t("audit-client")) {
                @match &e.client { Some(c) => code { (data(c)) }, None => (none) }
            }
            td data-label=(cx.t("audit-order")) {
                @match (&e.payment_type, &e.order_id) {
                    (Some(pt), Some(id)) => {
                        @let known = pt.parse::<vipps_order_management::PaymentType>().ok();
                        @match known {
                            Some(pt) => a href=(paths::audit_of_order(&pt, id)) { code.id { (typed(id)) } },
                            None => code.id { (typed(id)) },
                        }
                        br; small { (data(pt)) }
                    },
                    (None, Some(id)) => code.id { (typed(id)) },
                    _ => (none),
                }
                @if !e.also_checked.is_empty() {
                    br; small { (cx.t("audit-also-checked")) " " (data(&e.also_checked.join(", "))) }
                }
            }
            td data-label=(cx.t("audit-typed")) {
                @match &e.searched { Some(s) => code { (typed(s)) }, None => (none) }
            }
            td data-label=(cx.t("audit-outcome")) {
                (word(cx, "outcome", &e.outcome))
                @if let Some(what) = &e.what { br; small { (word(cx, "what", what)) } }
                @if e.attempts > 1 {
                    br; small { (cx.words.with("audit-attempts", [
                        ("count", Arg::Count(usize::try_from(e.attempts).unwrap_or(usize::MAX))),
                        ("last", Arg::Text(e.last_time.map(|t| when(cx, t, zone)).unwrap_or_default())),
                    ])) }
                }
            }
        }
    }
}

/// The trail's page: `entries` as `asked`, a `trouble` with the form when
/// it could not be read, and the page of `older` entries when there are.
pub fn audit(
    cx: &Cx,
    asked: &Asked,
    trouble: Option<&Trouble>,
    entries: &[Entry],
    older: Option<i64>,
    zone: &jiff::tz::TimeZone,
) -> Markup {
    let title = cx.t("audit-title");
    let zone_name = zone.iana_name().unwrap_or("UTC").to_owned();
    let older_link = older.map(|id| {
        let before = id.to_string();
        let mut query = asked.query();
        query.push(("before", &before));
        paths::with_query(paths::AUDIT, &query)
    });
    html! {
        (layout(cx, &title, html! {
            h1 { (title) }
            p.hint { (cx.words.with("audit-hint", [("zone", Arg::Data(zone_name))])) }
            @if let Some(t) = trouble { (trouble_box(cx, t, false)) }
            (form(cx, asked))
            @if trouble.is_none() {
                p { a href=(export_address(asked)) download { (cx.t("audit-export")) } }
                @if entries.is_empty() {
                    p { (cx.t("audit-none")) }
                } @else {
                    div.scroll tabindex="0" role="region" aria-label=(title) {
                        table.trail.stack {
                            thead { tr {
                                th scope="col" { (cx.t("audit-time")) }
                                th scope="col" { (cx.t("audit-event")) }
                                th scope="col" { (cx.t("audit-who")) }
                                th scope="col" { (cx.t("audit-client")) }
                                th scope="col" { (cx.t("audit-order")) }
                                th scope="col" { (cx.t("audit-typed")) }
                                th scope="col" { (cx.t("audit-outcome")) }
                            } }
                            tbody { @for e in entries { (row(cx, e, zone)) } }
                        }
                    }
                    @if let Some(link) = &older_link {
                        p { a href=(link) { (cx.t("audit-older")) } }
                    }
                }
            }
        }))
    }
}
