//! The lookup form, the sign-in form, and the error pages.

use maud::{html, Markup};
use vipps_order_management::PaymentType;

use super::layout::{layout, trouble_box, Cx};
use crate::console::paths;
use crate::console::trouble::Trouble;

/// The lookup form, filled in with the last search.
fn lookup_form(cx: &Cx, payment_type: &PaymentType, order_id: &str) -> Markup {
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
                aria-describedby="orderIdHint" value=(order_id);
            p #orderIdHint .hint { (cx.t("lookup-order-id-hint")) }
            button type="submit" { (cx.t("lookup-button")) }
        }
    }
}

/// The lookup page, with the problem of the last lookup above the form.
pub fn lookup(cx: &Cx, trouble: Option<&Trouble>, payment_type: &PaymentType, order_id: &str) -> Markup {
    let title = cx.t("lookup-title");
    layout(
        cx,
        &trouble.map_or(title.clone(), |t| t.title.clone()),
        html! {
            @match trouble {
                Some(t) => { (trouble_box(cx, t, true)) h2 { (title) } },
                None => h1 { (title) },
            }
            (lookup_form(cx, payment_type, order_id))
        },
    )
}

/// An error page: the problem as the page's heading, and the way back.
pub fn trouble(cx: &Cx, t: &Trouble) -> Markup {
    layout(
        cx,
        &t.title,
        html! {
            (trouble_box(cx, t, true))
            p { a href="/" { (cx.t("lookup-another")) } }
        },
    )
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
                input id="token" name="token" type="password" required autocomplete="current-password" aria-describedby="tokenHint";
                p #tokenHint .hint { (cx.t("signin-token-hint")) }
                button type="submit" { (cx.t("signin-button")) }
            }
        },
    )
}
