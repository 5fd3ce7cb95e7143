//! The lookup form, the sign-in form, the error pages, and the page that
//! says where to sign out of the company's sign-on.

use axum::response::{IntoResponse as _, Response};
use axum::Json;
use maud::{html, Markup};
use vipps_order_management::PaymentType;

use crate::console::access::store::StoreError;
use crate::console::pages::language::Words;
use crate::console::pages::layout::{layout, trouble_box, Cx};
use crate::console::pages::trouble::Trouble;
use crate::console::paths;
use crate::failure::error_json;

/// The lookup form, filled in with the last search; `focus` puts the
/// cursor in the order field (the page staff come to look up).
pub(super) fn lookup_form(cx: &Cx, payment_type: &PaymentType, order_id: &str, focus: bool) -> Markup {
    let recurring = *payment_type == PaymentType::Recurring;
    html! {
        form.lookup method="get" action=(paths::LOOKUP) {
            label for="paymentType" { (cx.t("lookup-payment-type")) }
            select id="paymentType" name="paymentType" {
                option value="ecom" selected[!recurring] { (cx.t("payment-type-ecom")) }
                option value="recurring" selected[recurring] { (cx.t("payment-type-recurring")) }
            }
            label for="orderId" { (cx.t("lookup-order-id")) }
            input id="orderId" name="orderId" type="text" required maxlength="512" autocomplete="off" spellcheck="false"
                autofocus[focus] aria-describedby="orderIdHint" value=(order_id);
            p #orderIdHint .hint { (cx.t("lookup-order-id-hint")) }
            button type="submit" { (cx.t("lookup-button")) }
        }
    }
}

/// The lookup page's content, with the problem of the last lookup above
/// the form.
pub fn lookup_content(cx: &Cx, trouble: Option<&Trouble>, payment_type: &PaymentType, order_id: &str, focus: bool) -> Markup {
    let title = cx.t("lookup-title");
    html! {
        @match trouble {
            Some(t) => { (trouble_box(cx, t, true)) h2 { (title) } },
            None => h1 { (title) },
        }
        (lookup_form(cx, payment_type, order_id, focus))
    }
}

/// The lookup page, with the problem of the last lookup above the form.
pub fn lookup(cx: &Cx, trouble: Option<&Trouble>, payment_type: &PaymentType, order_id: &str) -> Markup {
    let title = trouble.map_or_else(|| cx.t("lookup-title"), |t| t.title.clone());
    layout(cx, &title, lookup_content(cx, trouble, payment_type, order_id, true))
}

/// An error's content: the problem as the heading, and the way back.
pub fn trouble_content(cx: &Cx, t: &Trouble) -> Markup {
    html! {
        (trouble_box(cx, t, true))
        p { a href="/" { (cx.t("lookup-another")) } }
    }
}

/// An error page.
pub fn trouble(cx: &Cx, t: &Trouble) -> Markup {
    layout(cx, &t.title, trouble_content(cx, t))
}

/// The sign-in form; `next` is where it lands.
pub fn login(cx: &Cx, problem: Option<&str>, next: &str) -> Markup {
    let title = cx.t("signin-title");
    layout(
        cx,
        &title,
        html! {
            h1 { (title) }
            @if let Some(p) = problem { section.trouble role="alert" { p { (p) } } }
            form.lookup method="post" action=(paths::LOGIN) {
                input type="hidden" name="next" value=(next);
                label for="token" { (cx.t("signin-token")) }
                input id="token" name="token" type="password" required autofocus autocomplete="current-password" aria-describedby="tokenHint";
                p #tokenHint .hint { (cx.t("signin-token-hint")) }
                button type="submit" { (cx.t("signin-button")) }
            }
        },
    )
}

/// For a person the sign-on proxy named, when the console was not told
/// where the proxy signs out: where to sign out instead.
pub fn signed_on(cx: &Cx) -> Markup {
    let title = cx.t("signed-on-title");
    layout(
        cx,
        &title,
        html! {
            h1 { (title) }
            p { (cx.t("signed-on-text")) }
            p { a href="/" { (cx.t("lookup-another")) } }
        },
    )
}

/// The answer when the shared store failed: nothing is let through that
/// could not be checked (a sign-in) or recorded (a refusal).
pub fn store_failed(e: &StoreError, words: &Words, path: &str, api: bool) -> Response {
    tracing::error!(target: "vipps_om::console", "{e}");
    let trouble = Trouble::store_failed(words);
    if api {
        let body = error_json(trouble.outcome, trouble.status.as_u16(), &trouble.explanation);
        return (trouble.status, Json(body)).into_response();
    }
    (trouble.status, self::trouble(&Cx::bare(*words, path), &trouble)).into_response()
}
