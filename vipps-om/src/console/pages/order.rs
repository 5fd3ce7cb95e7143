//! The order page: everything the Order Management API holds for one
//! order (the receipt, the link shown with the payment, the v3 links), and
//! what it does not hold, named, so staff know where to look instead.

use maud::{html, Markup};
use vipps_order_management::{Category, CategoryType, CategoryV3, Order};

use crate::console::lookup::deliveries::Deliveries;
use crate::console::lookup::Found;
use crate::console::marks::{hidden, visible};
use crate::console::pages::deliveries::order_section;
use crate::console::pages::forms::lookup_form;
use crate::console::pages::language::Arg;
use crate::console::pages::layout::{data, layout, link, trouble_box, Cx};
use crate::console::pages::receipt::receipt;
use crate::console::pages::trouble::Trouble;
use crate::console::paths;

/// A link's kind as staff say it; one the SDK does not know, as stored.
fn category_name(cx: &Cx, category: &CategoryType) -> Markup {
    let key = match category {
        CategoryType::General => "category-general",
        CategoryType::Receipt => "category-receipt",
        CategoryType::OrderConfirmation => "category-order-confirmation",
        CategoryType::Delivery => "category-delivery",
        CategoryType::Ticket => "category-ticket",
        CategoryType::Booking => "category-booking",
        other => return html! { code { (data(other.as_str())) } },
    };
    html! { (cx.t(key)) }
}

fn category_v2(cx: &Cx, c: &Category) -> Markup {
    html! {
        dl.facts {
            dt { (cx.t("link-kind")) } dd { (category_name(cx, &c.category)) }
            dt { (cx.t("link-address")) } dd { (link(&c.order_details_url)) }
            dt { (cx.t("link-image")) }
            dd { @match &c.image_id { Some(image) => code.id { (data(image.as_str())) }, None => (cx.t("none")) } }
        }
    }
}

fn categories_v3(cx: &Cx, list: &[CategoryV3]) -> Markup {
    let none = || html! { span.none { (cx.t("none")) } };
    html! {
        @if list.is_empty() {
            p { (cx.t("links-v3-none")) }
        } @else {
            div.scroll tabindex="0" role="region" aria-label=(cx.t("links-v3-title")) {
                table.stack {
                    thead { tr {
                        th scope="col" { (cx.t("link-kind")) }
                        th scope="col" { (cx.t("link-address")) }
                        th scope="col" { (cx.t("link-image")) }
                        th scope="col" { (cx.t("link-id")) }
                    } }
                    tbody {
                        @for c in list {
                            tr {
                                td data-label=(cx.t("link-kind")) { @match &c.category_type { Some(t) => (category_name(cx, t)), None => (none()) } }
                                td data-label=(cx.t("link-address")) { @match &c.url { Some(url) => (link(url)), None => (none()) } }
                                td data-label=(cx.t("link-image")) { @match &c.image_id { Some(i) => code.id { (data(i.as_str())) }, None => (none()) } }
                                td data-label=(cx.t("link-id")) { @match &c.category_id { Some(i) => code.id { (data(i.as_ref())) }, None => (none()) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Everything about one order (the page's content); `searched` is what
/// staff typed when it was cleaned into this id, `at` when it was looked
/// up. What only staff need (the lookup box, the notices, the links, the
/// line warnings) is marked `staff`: the printed page is the customer's
/// copy of the receipt.
pub fn order_content(cx: &Cx, found: &Found<Order>, deliveries: &Deliveries, searched: Option<&str>, at: &jiff::Zoned) -> Markup {
    let words = &cx.words;
    let api = paths::order_json(&found.payment_type, &found.order_id);
    let order = found.order.as_ref();
    let auditor = cx.visitor.as_ref().is_some_and(|v| v.auditor);
    html! {
        section.lookup-bar.staff aria-label=(cx.t("lookup-title")) {
            (lookup_form(cx, &found.payment_type, "", false))
        }
        h1 { (cx.t("order-heading")) " " code.id { (data(&found.order_id)) } }
        dl.meta {
            dt { (cx.t("order-payment-type")) } dd { (words.payment_type(&found.payment_type)) }
            dt { (cx.t("order-looked-up")) } dd { (words.moment(at)) }
        }
        @if let Some(searched) = searched {
            p.cleaned.staff { (words.with("order-searched", [("searched", Arg::Data(visible(searched, hidden).into_owned())), ("order", Arg::Data(found.order_id.clone()))])) }
        }
        @if auditor {
            p.staff { a href=(paths::audit_of_order(&found.payment_type, &found.order_id)) { (cx.t("order-who-looked")) } }
        }
        section.notice.staff aria-labelledby="not-here" {
            h2 #not-here { (cx.t("not-held-title")) }
            p { (cx.t("not-held-text")) }
        }
        section aria-labelledby="receipt" {
            h2 #receipt { (cx.t("receipt-title")) }
            @match order.and_then(|o| o.receipt.as_ref()) {
                Some(r) => {
                    p.note.staff { (cx.t("receipt-final")) }
                    (receipt(cx, r))
                },
                None => p { (cx.t("receipt-none")) },
            }
        }
        (order_section(cx, deliveries, at.time_zone()))
        section.staff aria-labelledby="link" {
            h2 #link { (cx.t("link-title")) }
            @match order.and_then(|o| o.category.as_ref()) {
                Some(c) => (category_v2(cx, c)),
                None => p { (cx.t("link-none")) },
            }
        }
        section.staff aria-labelledby="links-v3" {
            h2 #links-v3 { (cx.t("links-v3-title")) }
            p.hint { (cx.t("links-v3-hint")) }
            @match &found.categories {
                Ok(list) => (categories_v3(cx, list)),
                Err(e) => (trouble_box(cx, &Trouble::of_error(e, words), false)),
            }
        }
        p.links.staff { a href=(api) { (cx.t("order-as-json")) } " · " a href="/" { (cx.t("lookup-another")) } }
    }
}

/// The order's page.
pub fn order(cx: &Cx, found: &Found<Order>, deliveries: &Deliveries, searched: Option<&str>, at: &jiff::Zoned) -> Markup {
    let title = cx.words.with("order-title", [("order", Arg::Data(found.order_id.clone()))]);
    layout(cx, &title, order_content(cx, found, deliveries, searched, at))
}
