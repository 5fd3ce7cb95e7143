//! The routes of the shop's outbox: the department's undelivered
//! deliveries (a view, recorded like a lookup), and "try this delivery
//! again now" (a form post from the console's own page, recorded in the
//! audit trail before it is done).

use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use serde::Deserialize;
use vipps_order_management::PaymentType;
use vipps_order_management_outbox::{JobState, OutboxError};

use crate::console::access::entry::{Entry, Event};
use crate::console::access::front_end::Hops;
use crate::console::access::visitor::Visitor;
use crate::console::lookup::deliveries;
use crate::console::pages::trouble::Trouble;
use crate::console::pages::{self, Cx};
use crate::console::paths;
use crate::console::service::origin::from_own_page;
use crate::console::service::sign_in::own_path;
use crate::console::Console;

/// The department's undelivered deliveries, oldest first; a page that
/// is not there when the console has no outbox.
pub async fn undelivered(State(console): State<Console>, Extension(visitor): Extension<Visitor>, cx: Cx) -> Response {
    let Some(outbox) = &console.outbox else {
        let trouble = Trouble::no_such_page(&cx.words);
        return (trouble.status, pages::trouble(&cx, &trouble)).into_response();
    };
    let listed = deliveries::undelivered(outbox, console.client.merchant_serial_number()).await;
    let outcome = if listed.is_ok() { "shown" } else { "outbox-failed" };
    // Order ids and what failed: recorded as a lookup of many orders.
    let entry = Entry::by(Event::Lookup, &visitor).what("undelivered").outcome(outcome);
    if let Err(e) = console.audit.record(entry).await {
        tracing::error!(target: "vipps_om::console", "{e}: the undelivered were not shown");
        let trouble = Trouble::audit_failed(&cx.words);
        return (trouble.status, pages::trouble(&cx, &trouble)).into_response();
    }
    match listed {
        Ok(jobs) => pages::undelivered(&cx, &jobs, &console.zone).into_response(),
        Err(why) => {
            let trouble = Trouble::outbox_failed(&cx.words, &why);
            (trouble.status, pages::trouble(&cx, &trouble)).into_response()
        }
    }
}

#[derive(Deserialize)]
pub struct Back {
    next: Option<String>,
}

/// "Try this delivery again now": only from the console's own page, only
/// a delivery of the console's merchant serial number, recorded in the
/// audit trail (who, which order, which delivery) before it is done;
/// back to the page it was asked on.
pub async fn retry(
    State(console): State<Console>,
    Extension(visitor): Extension<Visitor>,
    Extension(hops): Extension<Hops>,
    cx: Cx,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    back: Result<Form<Back>, FormRejection>,
) -> Response {
    let words = cx.words;
    let page = |trouble: Trouble| (trouble.status, pages::trouble(&cx, &trouble)).into_response();
    if !from_own_page(&headers, hops.host.as_deref()) {
        return page(Trouble::other_site(&words));
    }
    let (Some(outbox), Ok(Some(id))) = (&console.outbox, id.map(|Path(id)| id.parse::<i64>().ok())) else {
        return page(Trouble::no_such_page(&words));
    };
    let job = match outbox.job(id).await {
        Ok(job) if job.merchant_serial_number == console.client.merchant_serial_number() => job,
        Ok(_) | Err(OutboxError::NotFound(_)) => return page(Trouble::no_such_page(&words)),
        Err(e) => return page(Trouble::outbox_failed(&words, &e.to_string())),
    };
    let back = back
        .ok()
        .and_then(|Form(b)| b.next)
        .filter(|n| own_path(n))
        .or_else(|| {
            job.payment_type
                .parse::<PaymentType>()
                .ok()
                .filter(|_| !job.order_id.is_empty())
                .map(|pt| paths::order_page(&pt, &job.order_id))
        })
        .unwrap_or_else(|| paths::DELIVERIES.to_owned());
    let delivered = job.state == JobState::Delivered;
    let mut entry = Entry::by(Event::DeliveryRetry, &visitor)
        .what(&format!("delivery {id}"))
        .outcome(if delivered { "already-delivered" } else { "retried" });
    if let Ok(pt) = job.payment_type.parse::<PaymentType>() {
        entry = entry.order(&pt, &job.order_id);
    }
    if let Err(e) = console.audit.record(entry).await {
        tracing::error!(target: "vipps_om::console", "{e}: delivery {id} was not tried again");
        return page(Trouble::audit_failed(&words));
    }
    if !delivered {
        if let Err(e) = outbox.retry(id).await {
            return page(Trouble::outbox_failed(&words, &e.to_string()));
        }
        tracing::info!(target: "vipps_om::console", "{} asked for delivery {id} to be tried again now", visitor.who);
    }
    Redirect::to(&back).into_response()
}
