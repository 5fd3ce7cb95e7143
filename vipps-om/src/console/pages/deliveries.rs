//! What the shop's outbox holds, as staff need it: an order's deliveries
//! next to its receipt (waiting, tries, the last error, the next try,
//! failed for good), each with "try again now", and the page of the
//! department's undelivered, oldest first.

use std::time::SystemTime;

use maud::{html, Markup};
use vipps_order_management::PaymentType;
use vipps_order_management_outbox::{Job, JobState, Kind};

use crate::console::lookup::deliveries::{Deliveries, Undelivered};
use crate::console::pages::forms::lookup_content;
use crate::console::pages::language::Arg;
use crate::console::pages::layout::{data, layout, trouble_box, Cx};
use crate::console::pages::trouble::Trouble;
use crate::console::paths;

/// A moment in the department's time zone.
fn when(cx: &Cx, at: SystemTime, zone: &jiff::tz::TimeZone) -> String {
    match jiff::Timestamp::try_from(at) {
        Ok(t) => cx.words.moment(&t.to_zoned(zone.clone())),
        Err(_) => String::new(),
    }
}

/// What a delivery carries, in words.
fn kind(cx: &Cx, job: &Job) -> Markup {
    let key = match job.known_kind() {
        Some(Kind::Receipt) => "delivery-kind-receipt",
        Some(Kind::Category) => "delivery-kind-category",
        Some(Kind::CategoryV3) => "delivery-kind-category-v3",
        Some(Kind::Image) => "delivery-kind-image",
        _ => return html! { code { (data(&job.kind)) } },
    };
    html! { (cx.t(key)) }
}

/// Where a delivery is, in words: the state, the tries, and when.
fn state(cx: &Cx, job: &Job, zone: &jiff::tz::TimeZone) -> Markup {
    let tries = cx.words.with("delivery-tries", [("count", Arg::Count(job.attempts as usize))]);
    let (class, key) = match job.state {
        JobState::Pending if job.last_error.is_some() => ("state-waiting", "delivery-state-retrying"),
        JobState::Pending => ("state-waiting", "delivery-state-pending"),
        JobState::Delivered => ("state-done", "delivery-state-delivered"),
        JobState::Dead => ("state-failed", "delivery-state-dead"),
        _ => ("state-aside", "delivery-state-discarded"),
    };
    html! {
        strong class=(class) { (cx.t(key)) }
        br;
        (tries)
        @match job.state {
            JobState::Pending => { br; (cx.words.with("delivery-next-try", [("at", Arg::Text(when(cx, job.next_try_at, zone)))])) },
            _ => @if let Some(ended) = job.finished_at { br; (cx.words.with("delivery-ended", [("at", Arg::Text(when(cx, ended, zone)))])) },
        }
    }
}

/// The last error, in staff words (the SDK's), or how it ended.
fn said(cx: &Cx, job: &Job) -> Markup {
    html! {
        @match (job.state, &job.last_error, &job.outcome) {
            (JobState::Discarded, _, Some(reason)) => { (cx.t("delivery-discarded-because")) " " (data(reason)) },
            (JobState::Delivered, _, Some(outcome)) if outcome == "already stored" => (cx.t("delivery-was-stored")),
            (JobState::Delivered, ..) => (cx.t("delivery-stored")),
            (_, Some(error), _) => (data(error)),
            _ => span.none { (cx.t("none")) },
        }
    }
}

/// "Try again now", for a delivery not delivered; back to `back` after.
fn retry_button(cx: &Cx, job: &Job, back: &str) -> Markup {
    html! {
        @if job.state != JobState::Delivered {
            form.inline method="post" action=(paths::delivery_retry(job.id)) {
                input type="hidden" name="next" value=(back);
                // The visible words first in the button's name (what speech
                // control users say), then which delivery, for screen readers.
                button type="submit" {
                    (cx.t("delivery-retry"))
                    span.visually-hidden { " " (cx.words.with("delivery-retry-which", [("id", Arg::Text(job.id.to_string()))])) }
                }
            }
        }
    }
}

/// The deliveries as a table; `with_order` adds the order's column (the
/// department's page).
fn table(cx: &Cx, jobs: &[Job], zone: &jiff::tz::TimeZone, with_order: bool) -> Markup {
    html! {
        div.scroll tabindex="0" role="region" aria-label=(cx.t("deliveries-title")) {
            table.stack.deliveries {
                thead { tr {
                    th scope="col" { (cx.t("delivery-enqueued")) }
                    @if with_order { th scope="col" { (cx.t("audit-order")) } }
                    th scope="col" { (cx.t("delivery-kind")) }
                    th scope="col" { (cx.t("delivery-state")) }
                    th scope="col" { (cx.t("delivery-last-error")) }
                    th scope="col" { span.visually-hidden { (cx.t("delivery-act")) } }
                } }
                tbody {
                    @for job in jobs {
                        tr {
                            td data-label=(cx.t("delivery-enqueued")) { (when(cx, job.created_at, zone)) }
                            @if with_order {
                                td data-label=(cx.t("audit-order")) {
                                    @match job.payment_type.parse::<PaymentType>() {
                                        Ok(pt) if !job.order_id.is_empty() => a href=(paths::order_page(&pt, &job.order_id)) { code.id { (data(&job.order_id)) } },
                                        _ => code.id { (data(&job.item)) },
                                    }
                                }
                            }
                            td data-label=(cx.t("delivery-kind")) { (kind(cx, job)) }
                            td data-label=(cx.t("delivery-state")) { (state(cx, job, zone)) }
                            td data-label=(cx.t("delivery-last-error")) { (said(cx, job)) }
                            td data-label=(cx.t("delivery-act")) { (retry_button(cx, job, &cx.here)) }
                        }
                    }
                }
            }
        }
    }
}

/// An order's deliveries, the section next to its receipt; nothing when
/// the console has no outbox.
pub fn order_section(cx: &Cx, deliveries: &Deliveries, zone: &jiff::tz::TimeZone) -> Markup {
    let Some(deliveries) = deliveries else {
        return html! {};
    };
    html! {
        section.staff aria-labelledby="deliveries" {
            h2 #deliveries { (cx.t("deliveries-title")) }
            p.hint { (cx.t("deliveries-hint")) }
            @match deliveries {
                Ok(jobs) if jobs.is_empty() => p { (cx.t("deliveries-none")) },
                Ok(jobs) => (table(cx, jobs, zone, false)),
                Err(why) => (trouble_box(cx, &Trouble::outbox_failed(&cx.words, why), false)),
            }
        }
    }
}

/// The lookup page of an order that could not be shown (nothing stored,
/// most often), with its deliveries when the outbox holds any: a receipt
/// that failed is the reason staff look.
pub fn unshown_content(
    cx: &Cx,
    trouble: &Trouble,
    payment_type: &PaymentType,
    typed: &str,
    deliveries: &Deliveries,
    zone: &jiff::tz::TimeZone,
) -> Markup {
    let any = matches!(deliveries, Some(Ok(jobs)) if !jobs.is_empty()) || matches!(deliveries, Some(Err(_)));
    html! {
        (lookup_content(cx, Some(trouble), payment_type, typed, !any))
        @if any { (order_section(cx, deliveries, zone)) }
    }
}

/// The same, as a whole page.
pub fn unshown(
    cx: &Cx,
    trouble: &Trouble,
    payment_type: &PaymentType,
    typed: &str,
    deliveries: &Deliveries,
    zone: &jiff::tz::TimeZone,
) -> Markup {
    layout(
        cx,
        &trouble.title,
        unshown_content(cx, trouble, payment_type, typed, deliveries, zone),
    )
}

/// The department's undelivered deliveries: those failed for good first
/// (staff must act on them), then those waiting; each the oldest first.
pub fn undelivered(cx: &Cx, list: &Undelivered, zone: &jiff::tz::TimeZone) -> Markup {
    let title = cx.t("undelivered-title");
    let total = usize::try_from(list.dead_count + list.pending_count).unwrap_or(usize::MAX);
    let dead = usize::try_from(list.dead_count).unwrap_or(usize::MAX);
    let more = |shown: usize, of: u64| {
        html! {
            @if (shown as u64) < of {
                p.hint { (cx.words.with("undelivered-more", [("count", Arg::Count(shown)), ("total", Arg::Count(usize::try_from(of).unwrap_or(usize::MAX)))])) }
            }
        }
    };
    layout(
        cx,
        &title,
        html! {
            h1 { (title) }
            p { (cx.t("undelivered-intro")) }
            @if total == 0 {
                p.note { (cx.t("undelivered-none")) }
            } @else {
                p.note { (cx.words.with("undelivered-counts", [("count", Arg::Count(total)), ("dead", Arg::Count(dead))])) }
                @if !list.dead.is_empty() {
                    h2 { (cx.t("undelivered-dead")) }
                    (more(list.dead.len(), list.dead_count))
                    (table(cx, &list.dead, zone, true))
                }
                @if !list.pending.is_empty() {
                    h2 { (cx.t("undelivered-pending")) }
                    (more(list.pending.len(), list.pending_count))
                    (table(cx, &list.pending, zone, true))
                }
            }
            p.links { a href="/" { (cx.t("lookup-another")) } }
        },
    )
}
