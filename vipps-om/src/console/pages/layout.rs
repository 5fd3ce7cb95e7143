//! What every page has: its context (`Cx`), the frame with the language
//! switch, data and links shown safely, and the box that says what went
//! wrong.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::console::access::visitor::{Via, Visitor};
use crate::console::marks::{acting, hidden, marked};
use crate::console::pages::language::{Lang, Words};
use crate::console::pages::trouble::Trouble;
use crate::console::paths;

/// What every page needs to know about its request: the language, who is
/// signed in, and where it is (for the language switch).
pub struct Cx {
    /// The words of the staff's language.
    pub words: Words,
    /// Who is signed in; `None` on the sign-in and refusal pages.
    pub visitor: Option<Visitor>,
    /// The page's path and query, for the language switch to return to.
    pub here: String,
    /// The console reads the shop's outbox: the header links to the
    /// undelivered.
    pub outbox: bool,
}

/// Marks a request to a console that reads the shop's outbox (set by the
/// guard, read into [`Cx::outbox`]).
#[derive(Debug, Clone, Copy)]
pub struct OutboxShown;

impl Cx {
    /// A page for nobody signed in.
    pub fn bare(words: Words, here: &str) -> Cx {
        Cx {
            words,
            visitor: None,
            here: here.to_owned(),
            outbox: false,
        }
    }

    pub(super) fn t(&self, key: &str) -> String {
        self.words.get(key)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Cx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Cx, Self::Rejection> {
        Ok(Cx {
            words: Words::new(Lang::of_parts(&parts.extensions, &parts.headers)),
            visitor: parts.extensions.get::<Visitor>().cloned(),
            here: parts.uri.path_and_query().map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
            outbox: parts.extensions.get::<OutboxShown>().is_some(),
        })
    }
}

/// Data from the API or another person, shown as text: isolated from the
/// text around it, its control and direction characters shown as marks
/// (a line break as `␊`).
pub(crate) fn data(text: &str) -> Markup {
    html! { bdi { (marked(text, acting)) } }
}

/// What someone typed, shown as text: isolated, and everything nobody
/// sees in it (a zero-width space, a no-break space) shown as a mark.
pub(crate) fn typed(text: &str) -> Markup {
    html! { bdi { (marked(text, hidden)) } }
}

/// A link only when the text is an http(s) URL; anything else (a
/// `javascript:` URL) stays text.
/// The address is the parsed URL's own form (spaces, markup and
/// direction marks percent-encoded); the text, the URL as stored.
pub(crate) fn link(url: &str) -> Markup {
    let web = url::Url::parse(url).ok().filter(|u| matches!(u.scheme(), "https" | "http"));
    html! {
        @match web {
            Some(parsed) => a.url href=(parsed.as_str()) rel="noopener noreferrer" { (data(url)) },
            None => span.url { (data(url)) },
        }
    }
}

/// The language switch: a link per language, back to this page.
fn languages(cx: &Cx) -> Markup {
    let back: String = url::form_urlencoded::byte_serialize(cx.here.as_bytes()).collect();
    html! {
        nav.languages aria-label=(cx.t("nav-languages")) {
            ul {
                @for lang in Lang::ALL {
                    li {
                        @if lang == cx.words.lang() {
                            a href=(paths::language(lang.code(), &back)) lang=(lang.code()) hreflang=(lang.code()) aria-current="true" { (lang.autonym()) }
                        } @else {
                            a href=(paths::language(lang.code(), &back)) lang=(lang.code()) hreflang=(lang.code()) { (lang.autonym()) }
                        }
                    }
                }
            }
        }
    }
}

/// A whole page: the header (the console's name, who is signed in, the
/// sign-out button for a session, the language switch), `body`, and the
/// footer.
pub(super) fn layout(cx: &Cx, title: &str, body: Markup) -> Markup {
    let name = cx.t("console-name");
    html! {
        (DOCTYPE)
        html lang=(cx.words.lang().code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (name) }
                link rel="stylesheet" href=(paths::STYLESHEET);
            }
            body {
                a.skip href="#main" { (cx.t("skip-to-content")) }
                header.top {
                    a.brand href="/" { (name) }
                    (languages(cx))
                    @if let Some(visitor) = &cx.visitor {
                        @if cx.outbox {
                            a.undelivered href=(paths::DELIVERIES) { (cx.t("undelivered-link")) }
                        }
                        @if visitor.auditor {
                            a.audit href=(paths::AUDIT) { (cx.t("audit-link")) }
                        }
                        @if visitor.via != Via::Loopback {
                            p.who { (cx.t("signed-in-as")) " " strong { (data(&visitor.who)) } }
                        }
                        @if matches!(visitor.via, Via::Token | Via::Proxy) {
                            form.signout method="post" action=(paths::LOGOUT) {
                                button type="submit" { (cx.t("sign-out")) }
                            }
                        }
                    }
                }
                main #main tabindex="-1" { (body) }
                footer { p { (cx.t("footer-read-only")) } }
            }
        }
    }
}

/// Where a streamed page's content goes.
const SPLIT: &str = "<!--vipps-om:content-->";

/// A page whose content comes later (a slow lookup): the frame up to the
/// content with a notice that the answer is on its way, and the rest of
/// the frame after the content.
pub fn streamed(cx: &Cx, title: &str) -> (String, String) {
    let page = layout(cx, title, PreEscaped(SPLIT.to_owned())).into_string();
    let (head, tail) = page.split_once(SPLIT).unwrap_or((page.as_str(), ""));
    let waiting = html! { p.waiting role="status" { (cx.t("order-waiting")) } };
    (format!("{head}{}", waiting.into_string()), tail.to_owned())
}

/// The content that came, and the rest of the frame: the notice above it
/// is hidden by the stylesheet once this is there.
pub fn arrived(content: Markup, tail: &str) -> String {
    format!("{}{tail}", html! { div.arrived { (content) } }.into_string())
}

/// A problem, as a box on a page: what happened, what to do, the orders
/// that hold something instead, the details for whoever fixes it.
pub(super) fn trouble_box(cx: &Cx, t: &Trouble, heading: bool) -> Markup {
    html! {
        section.trouble role="alert" aria-labelledby="trouble-title" {
            @if heading { h1 #trouble-title { (t.title) } } @else { h2 #trouble-title { (t.title) } }
            p { (t.explanation) }
            p.todo { (t.what_to_do) }
            @if !t.instead.is_empty() {
                p { (cx.t("trouble-instead")) }
                ul.instead {
                    @for (pt, id) in &t.instead {
                        li { a href=(paths::order_page(pt, id)) {
                            (cx.words.payment_type(pt)) ": " (data(id))
                        } }
                    }
                }
            }
            @if let Some(id) = &t.error_id {
                p { (cx.t("trouble-error-id")) " " code { (data(id)) } }
            }
            @if let Some(details) = &t.details {
                details { summary { (cx.t("trouble-details")) } p.details { (data(details)) } }
            }
        }
    }
}
