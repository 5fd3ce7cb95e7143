//! The staff's language: Norwegian (bokmål), Danish, Finnish or English,
//! chosen by a cookie set from the switch on every page, else from the
//! browser's `Accept-Language`; and the console's words in it, as Fluent
//! messages (`locales/<code>/console.ftl`), which hold each language's
//! grammar: plurals, word order, where the currency goes.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Extensions, HeaderMap};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{static_loader, LanguageIdentifier, Loader as _};
use vipps_order_management::PaymentType;

use crate::console::marks::{acting, visible};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Data is isolated where it is placed (`Arg::Data`); numbers and
        // words need no isolation marks around them.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The cookie that keeps a language chosen on the page.
pub const COOKIE: &str = "vipps_om_lang";

/// A language the console speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Norwegian, bokmål (also chosen for `no` and `nn`).
    Nb,
    /// Danish.
    Da,
    /// Finnish.
    Fi,
    /// English.
    En,
}

static IDS: LazyLock<[LanguageIdentifier; 4]> = LazyLock::new(|| Lang::ALL.map(|lang| lang.code().parse().unwrap_or_default()));

impl Lang {
    /// Every language, in the order the switch shows them.
    pub const ALL: [Lang; 4] = [Lang::Nb, Lang::Da, Lang::Fi, Lang::En];

    /// The BCP 47 code: `nb`, `da`, `fi`, `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nb => "nb",
            Lang::Da => "da",
            Lang::Fi => "fi",
            Lang::En => "en",
        }
    }

    /// The language's name in itself, as the switch shows it.
    pub fn autonym(self) -> &'static str {
        match self {
            Lang::Nb => "Norsk",
            Lang::Da => "Dansk",
            Lang::Fi => "Suomi",
            Lang::En => "English",
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        let index = Lang::ALL.iter().position(|l| *l == self).unwrap_or_default();
        &IDS[index]
    }

    /// The language a tag names (`nb`, `nb-NO`, `no`, `nn`, `da-DK`, `fi`,
    /// `en-GB`, any case); `None` for one the console does not speak.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let id: LanguageIdentifier = tag.trim().parse().ok()?;
        match id.language.as_str() {
            "nb" | "no" | "nn" => Some(Lang::Nb),
            "da" => Some(Lang::Da),
            "fi" => Some(Lang::Fi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The best language for an `Accept-Language` header, by its weights
    /// (`q`), then its order; English when none is spoken here.
    pub fn negotiate(accept_language: &str) -> Lang {
        let mut wanted: Vec<(u16, usize, &str)> = accept_language
            .split(',')
            .enumerate()
            .filter_map(|(order, item)| {
                let mut parts = item.split(';');
                let tag = parts.next()?.trim();
                let weight = parts.find_map(|p| p.trim().strip_prefix("q=")).map_or(Some(1000), |q| {
                    q.trim().parse::<f32>().ok().map(|q| (q.clamp(0.0, 1.0) * 1000.0) as u16)
                })?;
                (weight > 0 && !tag.is_empty()).then_some((weight, order, tag))
            })
            .collect();
        wanted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        // Norwegian of any written form is served in bokmål; the rest is
        // matched (by language, then region) by fluent-langneg.
        let requested: Vec<LanguageIdentifier> = wanted
            .iter()
            .filter_map(|(_, _, tag)| {
                let mut id: LanguageIdentifier = tag.parse().ok()?;
                if matches!(id.language.as_str(), "no" | "nn") {
                    id.language = "nb".parse().ok()?;
                }
                Some(id)
            })
            .collect();
        let available: Vec<&LanguageIdentifier> = Lang::ALL.iter().map(|l| l.id()).collect();
        let english = Lang::En.id();
        let chosen =
            fluent_langneg::negotiate_languages(&requested, &available, Some(&english), fluent_langneg::NegotiationStrategy::Lookup);
        chosen
            .first()
            .and_then(|id| Lang::ALL.into_iter().find(|l| l.id() == **id))
            .unwrap_or(Lang::En)
    }

    /// A request's language, negotiated once: the one the first layer
    /// found (`layers::whole_body` keeps it in the request's extensions),
    /// else found now from its headers.
    pub fn of_parts(extensions: &Extensions, headers: &HeaderMap) -> Lang {
        extensions.get::<Lang>().copied().unwrap_or_else(|| Lang::of_request(headers))
    }

    /// The request's language: the switch's cookie, else `Accept-Language`.
    pub fn of_request(headers: &HeaderMap) -> Lang {
        let chosen = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
            .and_then(Lang::from_tag);
        chosen.unwrap_or_else(|| {
            let accept = headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            Lang::negotiate(accept)
        })
    }
}

/// A handler's language: the request's, as negotiated once
/// ([`Lang::of_parts`]).
impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Lang, Self::Rejection> {
        Ok(Lang::of_parts(&parts.extensions, &parts.headers))
    }
}

/// An argument of a message: text, data, or a number (for plurals).
pub enum Arg {
    /// The console's own text (a formatted amount, a date).
    Text(String),
    /// Data from a person or an API (an order id as typed): isolated
    /// (U+2068 … U+2069) so that right-to-left text in it cannot reorder
    /// the sentence around it, and its control characters shown as marks.
    Data(String),
    /// A count: selects the plural form.
    Count(usize),
}

impl From<String> for Arg {
    fn from(text: String) -> Arg {
        Arg::Text(text)
    }
}

impl From<&str> for Arg {
    fn from(text: &str) -> Arg {
        Arg::Text(text.to_owned())
    }
}

impl From<usize> for Arg {
    fn from(count: usize) -> Arg {
        Arg::Count(count)
    }
}

/// The console's words in one language.
#[derive(Debug, Clone, Copy)]
pub struct Words {
    lang: Lang,
}

impl Words {
    /// A payment type as staff say it.
    pub fn payment_type(&self, pt: &PaymentType) -> String {
        match pt {
            PaymentType::Recurring => self.get("payment-type-recurring"),
            _ => self.get("payment-type-ecom"),
        }
    }

    /// The words of `lang`.
    pub fn new(lang: Lang) -> Words {
        Words { lang }
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The message `key`, when the language files have it.
    pub fn try_get(&self, key: &str) -> Option<String> {
        LOCALES.try_lookup(self.lang.id(), key)
    }

    /// The message `key`.
    pub fn get(&self, key: &str) -> String {
        self.with(key, [])
    }

    /// The message `key` with its arguments.
    pub fn with<const N: usize>(&self, key: &str, args: [(&'static str, Arg); N]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .into_iter()
            .map(|(name, arg)| {
                let value = match arg {
                    Arg::Text(text) => FluentValue::from(text),
                    Arg::Data(data) => FluentValue::from(format!("\u{2068}{}\u{2069}", visible(&data, acting))),
                    Arg::Count(n) => FluentValue::from(n),
                };
                (Cow::Borrowed(name), value)
            })
            .collect();
        match LOCALES.try_lookup_with_args(self.lang.id(), key, &args) {
            Some(text) => text,
            None => {
                tracing::error!(target: "vipps_om::console", "no message {key:?} in {}", self.lang.code());
                key.to_owned()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_by_weight_then_order() {
        for (header, lang) in [
            ("nb-NO,nb;q=0.9,en;q=0.8", Lang::Nb),
            ("no", Lang::Nb),
            ("nn-NO", Lang::Nb),
            ("da-DK, en;q=0.5", Lang::Da),
            ("fi", Lang::Fi),
            ("sv-SE, fi;q=0.7, en;q=0.3", Lang::Fi),
            ("en;q=0.1, nb;q=0.9", Lang::Nb),
            ("de-DE", Lang::En),
            ("", Lang::En),
            ("*", Lang::En),
            ("nb;q=0, da", Lang::Da),
            ("nb;q=0", Lang::En),
            ("da;q=0.0, fi;q=0.001", Lang::Fi),
            ("nb;q=abc, da", Lang::Da),
            ("en-GB", Lang::En),
        ] {
            assert_eq!(Lang::negotiate(header), lang, "{header:?}");
        }
    }

    #[test]
    fn tags_name_their_language_and_each_language_its_name() {
        for (tag, lang) in [
            ("nb", Some(Lang::Nb)),
            ("NB-no", Some(Lang::Nb)),
            ("no", Some(Lang::Nb)),
            ("nn", Some(Lang::Nb)),
            (" da-DK ", Some(Lang::Da)),
            ("fi", Some(Lang::Fi)),
            ("en-GB", Some(Lang::En)),
            ("sv", None),
            ("", None),
            ("not a tag", None),
        ] {
            assert_eq!(Lang::from_tag(tag), lang, "{tag:?}");
        }
        for lang in Lang::ALL {
            assert_eq!(Lang::from_tag(lang.code()), Some(lang));
        }
        let en = Words::new(Lang::En);
        assert_eq!(en.payment_type(&PaymentType::Recurring), "Recurring charge (subscription)");
        assert_eq!(en.payment_type(&PaymentType::Ecom), "Online or in-store payment (eCom / ePayment)");
        let names: Vec<&str> = Lang::ALL.iter().map(|l| l.autonym()).collect();
        assert_eq!(names, ["Norsk", "Dansk", "Suomi", "English"]);
    }

    #[test]
    fn the_cookie_wins_over_the_browser() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, "nb".parse().unwrap());
        assert_eq!(Lang::of_request(&headers), Lang::Nb);
        headers.insert(header::COOKIE, format!("a=1; {COOKIE}=fi").parse().unwrap());
        assert_eq!(Lang::of_request(&headers), Lang::Fi);
        headers.insert(header::COOKIE, format!("{COOKIE}=xx").parse().unwrap());
        assert_eq!(Lang::of_request(&headers), Lang::Nb);
    }

    /// Every language file names the same messages, so no page falls back
    /// to English in part.
    #[test]
    fn every_language_has_every_message() {
        let keys = |lang: Lang| -> std::collections::BTreeSet<String> {
            let path = format!("{}/locales/{}/console.ftl", env!("CARGO_MANIFEST_DIR"), lang.code());
            let text = std::fs::read_to_string(&path).unwrap();
            text.lines()
                .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
                .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_owned()))
                .collect()
        };
        let english = keys(Lang::En);
        assert!(english.len() > 50, "{}", english.len());
        for lang in Lang::ALL {
            let theirs = keys(lang);
            assert_eq!(
                english.difference(&theirs).collect::<Vec<_>>(),
                Vec::<&String>::new(),
                "missing in {}",
                lang.code()
            );
            assert_eq!(
                theirs.difference(&english).collect::<Vec<_>>(),
                Vec::<&String>::new(),
                "extra in {}",
                lang.code()
            );
        }
    }

    #[test]
    fn plurals_and_arguments() {
        assert_eq!(Words::new(Lang::En).with("vat-lines", [("count", 1.into())]), "1 line");
        assert_eq!(Words::new(Lang::En).with("vat-lines", [("count", 3.into())]), "3 lines");
        assert_eq!(Words::new(Lang::Nb).with("vat-lines", [("count", 3.into())]), "3 linjer");
    }
}
