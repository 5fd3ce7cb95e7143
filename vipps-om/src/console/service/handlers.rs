//! The console's routes: the lookup form, an order as a page and as JSON,
//! the language switch, and the error pages. Each reads what it shows
//! through the SDK's client (`lookup`), read only, records the lookup in
//! the audit log before answering, and renders it with `pages`.

use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use serde_json::json;
use serde_json::value::RawValue;
use vipps_order_management::{Error, Order, OrderHandle, PaymentType};

use crate::console::access::entry::{Entry, Event};
use crate::console::access::visitor::Visitor;
use crate::console::lookup::deliveries;
use crate::console::lookup::order_id::{clean_order_id, order_id_problem, problem_of, IdProblem};
use crate::console::lookup::{candidates, look_up, payment_type, Found, OrderAsked, Unshown};
use crate::console::pages::language::{self, Arg, Lang, Words};
use crate::console::pages::trouble::Trouble;
use crate::console::pages::{self, Cx};
use crate::console::paths;
use crate::console::service::sign_in::own_path;
use crate::console::Console;
use crate::failure::{error_json, Failure};

pub async fn index(cx: Cx) -> Response {
    pages::lookup(&cx, None, &PaymentType::Ecom, "").into_response()
}

#[derive(Deserialize)]
pub struct LookupForm {
    #[serde(rename = "paymentType", default)]
    payment_type: String,
    #[serde(rename = "orderId", default)]
    order_id: String,
}

/// The order's address; with what was typed, when it was cleaned.
fn order_address(pt: &PaymentType, order_id: &str, searched: Option<&str>) -> String {
    let base = paths::order_page(pt, order_id);
    match searched {
        Some(s) => {
            let s: String = url::form_urlencoded::byte_serialize(s.as_bytes()).collect();
            format!("{base}?searched={s}")
        }
        None => base,
    }
}

/// What was typed, when cleaning changed more than spaces around it.
fn searched_if_cleaned<'a>(typed: &'a str, cleaned: &str) -> Option<&'a str> {
    (typed.trim() != cleaned).then_some(typed)
}

/// The form's answer: the order's own address (which can be shared), with
/// the id cleaned of what pasting adds.
pub async fn to_order(
    State(console): State<Console>,
    Extension(visitor): Extension<Visitor>,
    cx: Cx,
    form: Result<Query<LookupForm>, QueryRejection>,
) -> Response {
    let Ok(Query(form)) = form else {
        let trouble = Trouble::form(&cx.words);
        return (trouble.status, pages::lookup(&cx, Some(&trouble), &PaymentType::Ecom, "")).into_response();
    };
    let pt = payment_type(&form.payment_type);
    let shown_pt = pt.as_ref().map_or(PaymentType::Ecom, Clone::clone);
    let order_id = clean_order_id(&form.order_id);
    let trouble = match (&pt, problem_of(&form.order_id, &order_id)) {
        (Ok(pt), None) => {
            let address = order_address(pt, &order_id, searched_if_cleaned(&form.order_id, &order_id));
            return Redirect::to(&address).into_response();
        }
        (_, Some(problem)) => Trouble::invalid_id(&cx.words, &form.order_id, &problem),
        (Err(unshown), None) => Trouble::of(unshown, &cx.words, &order_id, None),
    };
    // A lookup refused here is a lookup too: recorded, as typed.
    let record = Entry::by(Event::Lookup, &visitor)
        .what("form")
        .order_id(&form.order_id)
        .outcome(trouble.outcome);
    let record = match &pt {
        Ok(pt) => record.order(pt, &form.order_id),
        Err(_) => record,
    };
    if let Err(t) = audit(&console, record, &cx.words).await {
        return (t.status, pages::trouble(&cx, &t)).into_response();
    }
    (trouble.status, pages::lookup(&cx, Some(&trouble), &shown_pt, &form.order_id)).into_response()
}

#[derive(Deserialize, Default)]
pub struct Searched {
    searched: Option<String>,
}

/// Records a lookup in the audit trail; the trouble to show instead when
/// it cannot be recorded.
async fn audit(console: &Console, entry: Entry, words: &Words) -> Result<(), Box<Trouble>> {
    console.audit.record(entry).await.map_err(|e| {
        tracing::error!(target: "vipps_om::console", "{e}: the lookup was not shown");
        Box::new(Trouble::audit_failed(words))
    })
}

/// The lookup's audit entry.
fn entry(visitor: &Visitor, pt: Option<&PaymentType>, order_id: &str, what: &str) -> Entry {
    let e = Entry::by(Event::Lookup, visitor).what(what);
    match pt {
        Some(pt) => e.order(pt, order_id),
        None => e,
    }
}

/// What an order's page shows once its lookup is recorded: the order, or
/// why not (with the form to look up again).
enum Answer {
    Order(Box<Found<Order>>),
    Unshown(Box<Trouble>),
}

/// Records the lookup of `typed` (`pt`, as the address named it) and
/// what came of it; what to show, or the trouble of a lookup that could
/// not be recorded (and is not shown).
async fn recorded(
    console: &Console,
    visitor: &Visitor,
    words: &Words,
    pt: Option<&PaymentType>,
    typed: &str,
    searched: Option<&str>,
    shown: Result<Found<Order>, Unshown>,
) -> Result<Answer, Box<Trouble>> {
    let record = entry(visitor, pt, typed, "page").searched(searched);
    match shown {
        Ok(found) => {
            audit(console, record.outcome("shown"), words).await?;
            Ok(Answer::Order(Box::new(found)))
        }
        Err(unshown) => {
            let trouble = Trouble::of(&unshown, words, typed, pt);
            let mut record = record.outcome(trouble.outcome);
            if let (Unshown::Nothing { .. }, Some(pt)) = (&unshown, pt) {
                record = record.also_checked(candidates(pt, typed).iter().map(|(p, id)| format!("{}/{id}", p.as_str())).collect());
            }
            audit(console, record, words).await?;
            Ok(Answer::Unshown(Box::new(trouble)))
        }
    }
}

/// Everything about one order, in the staff's language. A lookup that
/// takes longer than the slow notice (3 s) answers at once with a page
/// that says Vipps MobilePay is slow, and sends the rest of the page when
/// the answer comes.
pub async fn order_page(
    State(console): State<Console>,
    Extension(visitor): Extension<Visitor>,
    cx: Cx,
    path: Result<Path<(String, String)>, PathRejection>,
    query: Result<Query<Searched>, QueryRejection>,
) -> Response {
    let searched = query.map(|q| q.0).unwrap_or_default().searched;
    let Ok(Path((pt_text, typed))) = path else {
        let trouble = Trouble::invalid_id(&cx.words, "", &IdProblem::NotText);
        let record = Entry::by(Event::Lookup, &visitor).what("page").outcome(trouble.outcome);
        if let Err(t) = audit(&console, record, &cx.words).await {
            return (t.status, pages::trouble(&cx, &t)).into_response();
        }
        return (trouble.status, pages::trouble(&cx, &trouble)).into_response();
    };
    let asked = OrderAsked::read(&pt_text, typed, searched);
    // An address with a pasted id (a shared link with a zero-width space):
    // on to the cleaned one, saying what was asked for.
    if let Ok(pt) = &asked.payment_type {
        if asked.order_id != asked.typed && order_id_problem(&asked.order_id).is_none() {
            let searched = asked.searched.as_deref().unwrap_or(&asked.typed);
            return Redirect::to(&order_address(pt, &asked.order_id, Some(searched))).into_response();
        }
    }
    // The order from the API and its deliveries from the shop's outbox,
    // at once.
    let lookup = {
        let client = console.client.clone();
        let outbox = console.outbox.clone();
        let (pt, problem, typed) = (asked.payment_type(), asked.problem.clone(), asked.typed.clone());
        async move {
            match (pt, problem) {
                (Err(unshown), _) => (Err(unshown), None),
                (Ok(_), Some(reason)) => (Err(Unshown::OrderId(reason)), None),
                (Ok(pt), None) => {
                    let msn = client.merchant_serial_number().to_owned();
                    tokio::join!(
                        look_up(&client, pt.clone(), typed.clone(), |order| async move { order.get().await }),
                        deliveries::of_order(outbox.as_ref(), &msn, &pt, &typed),
                    )
                }
            }
        }
    };
    let mut lookup = Box::pin(lookup);
    let OrderAsked {
        payment_type: pt,
        typed,
        searched,
        ..
    } = asked;
    let pt = pt.ok();
    let form_pt = pt.clone().unwrap_or(PaymentType::Ecom);
    let words = cx.words;
    let (shown, deliveries) = match tokio::time::timeout(console.slow_notice, &mut lookup).await {
        Ok(found) => found,
        Err(_) => {
            // Slow: the frame and the notice now, the rest when it comes.
            let title = words.with("order-title", [("order", Arg::Data(typed.clone()))]);
            let (head, tail) = pages::streamed(&cx, &title);
            let rest = async move {
                // A console told to stop says so rather than leaving the
                // page cut off; nothing of the order was shown or recorded.
                let (shown, deliveries) = tokio::select! {
                    found = lookup => found,
                    () = console.stopped() => {
                        let trouble = Trouble::stopping(&words);
                        return Ok(pages::arrived(pages::trouble_content(&cx, &trouble), &tail));
                    }
                };
                let answer = recorded(&console, &visitor, &words, pt.as_ref(), &typed, searched.as_deref(), shown).await;
                let at = jiff::Timestamp::now().to_zoned(console.zone.clone());
                let content = match answer {
                    Ok(Answer::Order(found)) => pages::order_content(&cx, &found, &deliveries, searched.as_deref(), &at),
                    Ok(Answer::Unshown(t)) => {
                        pages::unshown_content(&cx, &t, &form_pt, searched.as_deref().unwrap_or(&typed), &deliveries, &console.zone)
                    }
                    Err(t) => pages::trouble_content(&cx, &t),
                };
                Ok::<_, std::convert::Infallible>(pages::arrived(content, &tail))
            };
            let body =
                futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(head) }).chain(futures_util::stream::once(rest));
            // A front end that buffers answers (nginx does, unless told
            // not to) would hold the notice back until the order came:
            // `X-Accel-Buffering: no` tells nginx to pass it on at once.
            let headers = [
                (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
                (HeaderName::from_static("x-accel-buffering"), HeaderValue::from_static("no")),
            ];
            return (StatusCode::OK, headers, Body::from_stream(body)).into_response();
        }
    };
    let answer = recorded(&console, &visitor, &words, pt.as_ref(), &typed, searched.as_deref(), shown).await;
    match answer {
        Ok(Answer::Order(found)) => {
            let at = jiff::Timestamp::now().to_zoned(console.zone.clone());
            (StatusCode::OK, pages::order(&cx, &found, &deliveries, searched.as_deref(), &at)).into_response()
        }
        Ok(Answer::Unshown(t)) => (
            t.status,
            pages::unshown(&cx, &t, &form_pt, searched.as_deref().unwrap_or(&typed), &deliveries, &console.zone),
        )
            .into_response(),
        Err(t) => (t.status, pages::trouble(&cx, &t)).into_response(),
    }
}

/// The JSON answer for one order: the v2 answer exactly as received
/// (embedded as it came, not parsed again), and the v3 categories.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderJson<'a> {
    payment_type: &'a PaymentType,
    order_id: &'a str,
    order: Option<Box<RawValue>>,
    categories: serde_json::Value,
}

async fn find_raw(console: &Console, pt: Result<PaymentType, Unshown>, order_id: &str) -> Result<Found<String>, Unshown> {
    let pt = pt?;
    if let Some(reason) = order_id_problem(order_id) {
        return Err(Unshown::OrderId(reason));
    }
    look_up(&console.client, pt, order_id.to_owned(), read_raw).await
}

async fn read_raw(order: OrderHandle<'_>) -> Result<String, Error> {
    order.get_raw().await
}

/// The order as JSON, for a merchant's own admin tools: the v2 answer as
/// received, and the v3 categories. Messages in English; ids exact (not
/// cleaned: a tool sends what it means).
pub async fn order_json(
    State(console): State<Console>,
    Extension(visitor): Extension<Visitor>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    let english = Words::new(Lang::En);
    let Ok(Path((pt_text, order_id))) = path else {
        let body = error_json("invalid", 400, "the order id in the address is not text");
        return (StatusCode::BAD_REQUEST, Json(body)).into_response();
    };
    let pt = payment_type(&pt_text);
    let known = pt.as_ref().ok().cloned();
    let found = find_raw(&console, pt, &order_id).await;
    let mut record = entry(&visitor, known.as_ref(), &order_id, "json");
    match found {
        Ok(found) => {
            if let Err(t) = audit(&console, record.outcome("shown"), &english).await {
                return trouble_json(&t, None);
            }
            let categories = match &found.categories {
                Ok(list) => json!(list),
                Err(e) => Failure::Client(e.clone()).to_json(),
            };
            // `get_raw` checked that the text is JSON.
            let order = match found.order.map(RawValue::from_string).transpose() {
                Ok(order) => order,
                Err(e) => {
                    let body = error_json("unexpected", 502, &format!("the order's answer could not be embedded: {e}"));
                    return (StatusCode::BAD_GATEWAY, Json(body)).into_response();
                }
            };
            Json(OrderJson {
                payment_type: &found.payment_type,
                order_id: &found.order_id,
                order,
                categories,
            })
            .into_response()
        }
        Err(unshown) => {
            let trouble = Trouble::of(&unshown, &english, &order_id, known.as_ref());
            record = record.outcome(trouble.outcome);
            if let Err(t) = audit(&console, record, &english).await {
                return trouble_json(&t, None);
            }
            let error = match unshown {
                Unshown::Client(e) | Unshown::Nothing { error: e, .. } => Some(e),
                _ => None,
            };
            trouble_json(&trouble, error)
        }
    }
}

/// A trouble as the JSON API answers it: the SDK's error as the CLI shows
/// it when there is one, with the console's words for people.
fn trouble_json(trouble: &Trouble, error: Option<Error>) -> Response {
    let mut body = match error {
        Some(e) => Failure::Client(e).to_json(),
        None => error_json(trouble.outcome, trouble.status.as_u16(), &trouble.explanation),
    };
    body["error"]["whatToDo"] = json!(trouble.what_to_do);
    let instead: Vec<serde_json::Value> = trouble
        .instead
        .iter()
        .map(|(pt, id)| json!({ "paymentType": pt, "orderId": id }))
        .collect();
    if !instead.is_empty() {
        body["error"]["instead"] = json!(instead);
    }
    (trouble.status, Json(body)).into_response()
}

#[derive(Deserialize)]
pub struct Back {
    next: Option<String>,
}

/// The language switch: keeps the choice in a cookie (a year), and goes
/// back to the page it was chosen on.
pub async fn choose_language(cx: Cx, Path(code): Path<String>, query: Result<Query<Back>, QueryRejection>) -> Response {
    let Some(lang) = Lang::from_tag(&code).filter(|l| l.code() == code) else {
        let trouble = Trouble::no_such_page(&cx.words);
        return (trouble.status, pages::trouble(&cx, &trouble)).into_response();
    };
    let next = query
        .ok()
        .and_then(|q| q.0.next)
        .filter(|n| own_path(n))
        .unwrap_or_else(|| "/".to_owned());
    let mut response = Redirect::to(&next).into_response();
    let cookie = format!("{}={}; Path=/; Max-Age=31536000; SameSite=Lax", language::COOKIE, lang.code());
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

pub async fn not_found(cx: Cx) -> Response {
    let trouble = Trouble::no_such_page(&cx.words);
    (trouble.status, pages::trouble(&cx, &trouble)).into_response()
}

/// A method the address does not take: a page, not an empty 405.
pub async fn wrong_method(cx: Cx) -> Response {
    let trouble = Trouble::wrong_method(&cx.words);
    (trouble.status, pages::trouble(&cx, &trouble)).into_response()
}

/// The health check: 200 while the console can reach its store (what a
/// load balancer needs to send staff to it), 503 when it cannot; open to
/// all, recorded nowhere.
pub async fn health(State(console): State<Console>) -> Response {
    match console.audit.healthy().await {
        Ok(()) => Json(json!({ "status": "ok" })).into_response(),
        Err(e) => {
            tracing::error!(target: "vipps_om::console", "health check failed: {e}");
            let body = json!({ "status": "failing", "reason": "the console cannot reach its database" });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}

pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], pages::STYLESHEET).into_response()
}
