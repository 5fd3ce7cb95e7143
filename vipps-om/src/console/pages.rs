//! The console's pages, as maud markup: checked at compile time, and every
//! value escaped (a receipt line named `<img src=x onerror=alert(1)>` shows
//! as text). No scripts, no assets from other hosts, readable on a phone.

use maud::{html, Markup, DOCTYPE};
use vipps_order_management::{CategoryV3, Order, PaymentType, ReceiptView};

use super::lookup::Found;
use super::trouble::Trouble;

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
pub fn order(found: &Found<Order>, signout: bool) -> Markup {
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
                    Err(e) => (trouble_box(&Trouble::from(e))),
                }
            }
            p.links { a href=(api) { "This order as JSON" } " · " a href="/" { "Look up another order" } }
        }))
    }
}
