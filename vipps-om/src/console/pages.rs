//! The console's pages, as maud markup: checked at compile time, and every
//! value escaped (a receipt line named `<img src=x onerror=alert(1)>` shows
//! as text). No scripts, no assets from other hosts, readable on a phone.

use axum::http::StatusCode;
use maud::{html, Markup, DOCTYPE};
use vipps_order_management::{CategoryV3, ErrorKind, PaymentType, ReceiptView};

use super::handlers::{Found, Unshown};

pub const STYLESHEET: &str = include_str!("console.css");

/// A page: `signout` shows the sign-out button (a console with a token).
fn layout(title: &str, signout: bool, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Order support" }
                link rel="stylesheet" href="/assets/console.css";
            }
            body {
                header {
                    a href="/" { "Order support" }
                    @if signout { form.signout method="post" action="/logout" { button type="submit" { "Sign out" } } }
                }
                main { (body) }
                footer { "Read only: everything shown comes from the Vipps MobilePay Order Management API." }
            }
        }
    }
}

/// An error, as support staff need it: what it means, what to do, and the
/// service's error id for escalation.
pub struct Trouble {
    pub status: StatusCode,
    pub title: String,
    pub explanation: String,
    pub what_to_do: String,
    pub error_id: Option<String>,
    pub details: Option<String>,
}

impl Trouble {
    /// A request addressed to another host: refused (DNS rebinding).
    pub fn misdirected() -> Trouble {
        Trouble {
            status: StatusCode::MISDIRECTED_REQUEST,
            title: "Wrong address".into(),
            explanation: "This console answers only requests addressed to this machine (localhost or 127.0.0.1).".into(),
            what_to_do: "Open it as http://localhost:PORT/ or http://127.0.0.1:PORT/. To reach it from elsewhere, start it with --listen and --access-token behind a TLS proxy.".into(),
            error_id: None,
            details: None,
        }
    }

    pub fn no_such_page() -> Trouble {
        Trouble {
            status: StatusCode::NOT_FOUND,
            title: "No such page".into(),
            explanation: "There is no such page in the support console.".into(),
            what_to_do: "Start again from the lookup form.".into(),
            error_id: None,
            details: None,
        }
    }

    pub fn invalid(explanation: String) -> Trouble {
        Trouble {
            status: StatusCode::BAD_REQUEST,
            title: "This order cannot be looked up".into(),
            explanation,
            what_to_do: "Check the order id: letters A-Z and a-z, digits, '-', '_' and '.' only, as the shop shows it.".into(),
            error_id: None,
            details: None,
        }
    }
}

impl From<&Unshown> for Trouble {
    fn from(unshown: &Unshown) -> Trouble {
        let e = match unshown {
            Unshown::PaymentType(text) => {
                return Trouble {
                    title: "Unknown payment type".into(),
                    explanation: format!(
                        "{text:?} is not a payment type: it is ecom (eCom and ePayment payments) or recurring (Recurring charges)."
                    ),
                    what_to_do:
                        "Choose the payment type in the lookup form: ECOM for eCom and ePayment payments, RECURRING for Recurring charges."
                            .into(),
                    ..Trouble::invalid(String::new())
                }
            }
            Unshown::OrderId => {
                return Trouble::invalid("The order id in the address is not text an order id can hold.".into());
            }
            Unshown::Answer(reason) => {
                return Trouble {
                    status: StatusCode::BAD_GATEWAY,
                    title: "Vipps MobilePay answered unexpectedly".into(),
                    explanation: "The order information came back in a form the API does not document.".into(),
                    what_to_do: "Try again later; if it persists, report it to the shop's technical team with the details below.".into(),
                    error_id: None,
                    details: Some(reason.clone()),
                }
            }
            Unshown::Client(e) => e,
        };
        let (status, title, explanation, what_to_do) = match e.kind() {
            ErrorKind::NotFound => (
                StatusCode::NOT_FOUND,
                "No receipt or category yet",
                "Vipps MobilePay has nothing stored for this order: no receipt and no category. The shop may not have sent them yet, or the order id or payment type is not the payment's.",
                "Check the order id and the payment type (ECOM for eCom and ePayment payments, RECURRING for Recurring charges). If the order was paid a while ago, ask the shop's technical team whether the receipt was sent.",
            ),
            ErrorKind::Configuration => (
                StatusCode::BAD_GATEWAY,
                "The shop's keys lack access",
                "Vipps MobilePay refused the shop's API keys, or they have no access to order information for this sales unit. Nothing is wrong with the order.",
                "Ask whoever manages the shop's Vipps MobilePay settings to check the API keys and the merchant serial number in the merchant portal (portal.vipps.no).",
            ),
            ErrorKind::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Vipps MobilePay did not answer",
                "The order information could not be fetched right now: the service did not answer in time, or is busy.",
                "Try again in a minute. If it keeps failing, contact Vipps MobilePay support (with the error id, when one is shown below).",
            ),
            ErrorKind::Invalid => (
                StatusCode::BAD_REQUEST,
                "This order cannot be looked up",
                "The order id or payment type is not one the API accepts.",
                "Check the order id: letters A-Z and a-z, digits, '-', '_' and '.' only, as the shop shows it.",
            ),
            _ => (
                StatusCode::BAD_GATEWAY,
                "Vipps MobilePay answered unexpectedly",
                "The order information could not be read.",
                "Try again later; if it persists, contact Vipps MobilePay support (with the error id, when one is shown below).",
            ),
        };
        Trouble {
            status,
            title: title.into(),
            explanation: explanation.into(),
            what_to_do: what_to_do.into(),
            error_id: e.problem().and_then(|p| p.instance.clone()),
            details: Some(e.to_string()),
        }
    }
}

fn trouble_box(t: &Trouble) -> Markup {
    html! {
        section.trouble role="alert" {
            h2 { (t.title) }
            p { (t.explanation) }
            p.todo { (t.what_to_do) }
            @if let Some(id) = &t.error_id {
                p { "Error id for Vipps MobilePay support: " code { (id) } }
            }
            @if let Some(details) = &t.details {
                details { summary { "Technical details" } p { (details) } }
            }
        }
    }
}

/// The lookup form, with a problem above it when the last lookup had one.
pub fn lookup(trouble: Option<Trouble>, signout: bool) -> Markup {
    layout(
        "Look up an order",
        signout,
        html! {
            h1 { "Look up an order" }
            @if let Some(t) = &trouble { (trouble_box(t)) }
            form.lookup method="get" action="/lookup" {
                label for="paymentType" { "Payment type" }
                select id="paymentType" name="paymentType" {
                    option value="ecom" selected { "eCom or ePayment payment (ECOM)" }
                    option value="recurring" { "Recurring charge (RECURRING)" }
                }
                label for="orderId" { "Order id" }
                input id="orderId" name="orderId" type="text" required maxlength="128" autocomplete="off" spellcheck="false"
                    placeholder="as the shop shows it, e.g. order-1042";
                button type="submit" { "Look up" }
            }
        },
    )
}

pub fn trouble(t: &Trouble, signout: bool) -> Markup {
    layout(
        &t.title,
        signout,
        html! { (trouble_box(t)) p { a href="/" { "Look up another order" } } },
    )
}

pub fn login(problem: Option<&str>) -> Markup {
    layout(
        "Sign in",
        false,
        html! {
            h1 { "Sign in" }
            @if let Some(p) = problem { section.trouble role="alert" { p { (p) } } }
            form.lookup method="post" action="/login" {
                label for="token" { "Access token" }
                input id="token" name="token" type="password" required autocomplete="current-password";
                button type="submit" { "Sign in" }
            }
        },
    )
}

/// A link only when the text is an http(s) URL; anything else (a
/// `javascript:` URL) stays text.
fn link(url: &str) -> Markup {
    let web = url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "https" | "http"));
    html! {
        @if web { a href=(url) rel="noopener noreferrer" { (url) } } @else { span { (url) } }
    }
}

fn payment_type_name(pt: &PaymentType) -> &'static str {
    match pt {
        PaymentType::Recurring => "Recurring charge (RECURRING)",
        _ => "eCom or ePayment payment (ECOM)",
    }
}

fn receipt(view: &ReceiptView) -> Markup {
    let cur = &view.currency;
    html! {
        div.scroll {
            table.receipt {
                thead { tr {
                    th scope="col" { "Item" } th scope="col" { "Quantity" } th scope="col" { "VAT rate" }
                    th.num scope="col" { "Amount" } th.num scope="col" { "of it VAT" }
                } }
                tbody {
                    @for line in &view.lines {
                        tr.returned[line.returned] {
                            td {
                                (line.name)
                                @if line.shipping { " " span.badge { "Shipping" } }
                                @if line.returned { " " span.badge.return { "Returned" } }
                                br; small { "Product id " (line.id) }
                            }
                            td { (line.quantity) " " (line.unit) }
                            td { (line.tax_rate) }
                            td.num { (line.amount) " " (cur) }
                            td.num { (line.tax) " " (cur) }
                        }
                    }
                }
                tfoot { tr {
                    th scope="row" colspan="3" { "Sum" }
                    td.num { (view.total) " " (cur) }
                    td.num { (view.total_tax) " " (cur) }
                } }
            }
        }
        @if !view.details.is_empty() {
            dl {
                @for (label, value) in &view.details { dt { (label) } dd { (value) } }
            }
        }
    }
}

fn categories(list: &[CategoryV3]) -> Markup {
    let text = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
    html! {
        @if list.is_empty() {
            p { "None." }
        } @else {
            div.scroll { table {
                thead { tr { th scope="col" { "Type" } th scope="col" { "Link" } th scope="col" { "Image id" } th scope="col" { "Category id" } } }
                tbody {
                    @for c in list {
                        tr {
                            td { (text(c.category_type.as_ref().map(ToString::to_string))) }
                            td { @if let Some(url) = &c.url { (link(url)) } @else { "-" } }
                            td { code { (text(c.image_id.as_ref().map(ToString::to_string))) } }
                            td { code.id { (text(c.category_id.as_ref().map(ToString::to_string))) } }
                        }
                    }
                }
            } }
        }
    }
}

/// Everything about one order.
pub fn order(found: &Found, signout: bool) -> Markup {
    let api = format!(
        "/api/orders/{}/{}",
        found.payment_type.as_str().to_ascii_lowercase(),
        found.order_id
    );
    html! {
        (layout(&format!("Order {}", found.order_id), signout, html! {
            h1 { "Order " code { (found.order_id) } }
            p.meta { (payment_type_name(&found.payment_type)) }
            section {
                h2 { "Receipt" }
                @match found.order.as_ref().and_then(|o| o.receipt.as_ref()) {
                    Some(r) => (receipt(&r.view())),
                    None => p { "No receipt has been posted for this order yet." },
                }
            }
            section {
                h2 { "Category" }
                @match found.order.as_ref().and_then(|o| o.category.as_ref()) {
                    Some(c) => dl {
                        dt { "Type" } dd { (c.category) }
                        dt { "Link" } dd { (link(&c.order_details_url)) }
                        @if let Some(image) = &c.image_id { dt { "Image id" } dd { code { (image) } } }
                    },
                    None => p { "No category has been set for this order." },
                }
            }
            section {
                h2 { "Categories (v3)" }
                @match &found.categories {
                    Ok(list) => (categories(list)),
                    Err(e) => (trouble_box(&Trouble::from(&Unshown::Client(e.clone())))),
                }
            }
            p.links { a href=(api) { "This order as JSON" } " · " a href="/" { "Look up another order" } }
        }))
    }
}
