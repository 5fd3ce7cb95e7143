//! Where a client sends its requests: the base URL (the host root), checked
//! once (https, or http to loopback; no user info, query or fragment), and
//! the URL of each request made from it, one path segment per part.

use url::{Host, Url};

use crate::error::Error;

/// A checked base URL.
#[derive(Debug, Clone)]
pub(crate) struct BaseUrl(Url);

/// A base URL as it may be shown in messages and `Debug`. User info needs
/// an `@`, and URL parsers read it in more shapes than one would guess
/// (`https:user:pw@host`), so text holding an `@` is never shown: only its
/// scheme and host, when it parses.
pub(crate) fn shown_url(raw: &str) -> String {
    if !raw.contains('@') {
        return raw.to_owned();
    }
    match Url::parse(raw.trim()) {
        Ok(url) => match url.host_str() {
            Some(host) => format!("{}://{host} (the rest not shown: it may hold a password)", url.scheme()),
            None => "[not shown: it may hold a password]".to_owned(),
        },
        Err(_) => "[not shown: it may hold a password]".to_owned(),
    }
}

/// A URL whose host is this machine: a loopback address or `localhost`.
pub(crate) fn on_this_machine(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

impl BaseUrl {
    /// Checks a base URL: https, or http to a loopback host; no query, no
    /// user info. Messages never repeat a user name or password it held.
    pub(crate) fn parse(input: &str) -> Result<BaseUrl, Error> {
        let raw = &shown_url(input);
        let url = Url::parse(input.trim()).map_err(|e| Error::config(format!("the base URL `{raw}` is not a URL: {e}")))?;
        let loopback = on_this_machine(&url);
        match url.scheme() {
            "https" if url.host().is_some() => {}
            "http" if loopback => {}
            "http" => {
                return Err(Error::config(format!(
                "the base URL `{raw}` uses plain http; use https (http is only allowed for loopback hosts such as 127.0.0.1 and localhost)"
            )))
            }
            _ => {
                return Err(Error::config(format!(
                    "the base URL `{raw}` must be an https URL such as https://api.vipps.no"
                )))
            }
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::config(format!(
                "the base URL `{raw}` holds a user name or password; remove it: the API is authenticated with the client id, secret and subscription key"
            )));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::config(format!("the base URL `{raw}` must not hold a query or fragment")));
        }
        Ok(BaseUrl(url))
    }

    /// The URL itself.
    pub(crate) fn as_url(&self) -> &Url {
        &self.0
    }

    /// The base URL with these path segments appended, each percent-encoded.
    /// A segment that the URL library would drop or rewrite (`.`, `..`) or
    /// that no router serves (empty) is refused, so a request never goes to
    /// another path than the one meant.
    pub(crate) fn join<'s>(&self, segments: impl IntoIterator<Item = &'s str> + Clone) -> Result<Url, Error> {
        // The URL library percent-encodes each segment (`/`, `%`, `?`, `#`
        // and `\` included), so a segment stays one segment; it drops `.`
        // and `..`, and an empty one makes an empty segment that no router
        // serves. Those are refused; everything else arrives as given
        // (property-tested in `tests::segments_arrive_as_given`).
        if let Some(bad) = segments.clone().into_iter().find(|s| matches!(*s, "" | "." | "..")) {
            return Err(Error::invalid(
                "path",
                format!("the path segment `{bad}` would be dropped or rewritten by URL normalisation"),
            ));
        }
        let mut url = self.0.clone();
        {
            let Ok(mut path) = url.path_segments_mut() else {
                return Err(Error::config("the base URL cannot hold a path"));
            };
            path.pop_if_empty();
            path.extend(segments);
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Base URLs with and without a path.
    const BASES: [&str; 3] = ["http://127.0.0.1:1", "http://127.0.0.1:1/", "http://127.0.0.1:1/om/"];

    #[test]
    fn base_urls() {
        assert!(BaseUrl::parse("https://api.vipps.no").is_ok());
        assert!(BaseUrl::parse("http://127.0.0.1:8080").is_ok());
        assert!(BaseUrl::parse("http://[::1]:8080").is_ok());
        assert!(BaseUrl::parse("http://localhost:1").is_ok());
        assert!(BaseUrl::parse("http://api.vipps.no").is_err());
        assert!(BaseUrl::parse("http://10.0.0.1").is_err());
        assert!(BaseUrl::parse("ftp://x").is_err());
        assert!(BaseUrl::parse("nonsense").is_err());
        assert!(BaseUrl::parse("https://x/?a=b").is_err());
    }

    #[test]
    fn user_info_is_never_echoed() {
        for raw in [
            "https://user:hunter2@api.vipps.no",
            "https://:hunter2@api.vipps.no/x",
            "https://user:hunter2@api.vipps.no:99999",
            "http://user:hunter2@10.0.0.1",
            "https:user:hunter2@api.vipps.no",
            "https:/user:hunter2@api.vipps.no",
            "https:\\\\user:hunter2@api.vipps.no",
            "https:/\t/user:hunter2@api.vipps.no",
            "https://user:hun/ter2@api.vipps.no",
            "https://user:hun#ter2@api.vipps.no",
            "https://user:hun?ter2@api.vipps.no",
            "mailto:user:hunter2@api.vipps.no",
            "user:hunter2@api.vipps.no",
        ] {
            let err = BaseUrl::parse(raw).unwrap_err();
            assert!(!err.to_string().contains("hunter2"), "{raw}: {err}");
            assert!(!format!("{err:?}").contains("hunter2"), "{raw}: {err:?}");
            let builder = crate::client::ClientBuilder::default().base_url(raw);
            assert!(!format!("{builder:?}").contains("hunter2"), "{raw}");
        }
        assert_eq!(
            shown_url("https://a:b@h/p@q"),
            "https://h (the rest not shown: it may hold a password)"
        );
        assert_eq!(shown_url("no url"), "no url");
    }

    proptest! {
        /// Whatever an id holds, it is refused, or it reaches the server
        /// as exactly one path segment that decodes to itself.
        #[test]
        fn segments_arrive_as_given(
            id in prop_oneof![
                Just(String::new()), Just(".".to_owned()), Just("..".to_owned()),
                "[./%2eE\\\\?#; a-z]{0,6}",
                any::<String>(),
            ],
            base in 0..3usize,
        ) {
            let base = BaseUrl::parse(BASES[base]).unwrap();
            let fixed: Vec<String> = base.as_url().path_segments().into_iter().flatten().filter(|s| !s.is_empty()).map(str::to_owned).collect();
            match base.join(["order-management", "v2", "ECOM", id.as_str()]) {
                Err(e) => prop_assert!(matches!(id.as_str(), "" | "." | ".."), "{id:?} refused: {e}"),
                Ok(url) => {
                    let got: Vec<String> = url
                        .path_segments()
                        .unwrap()
                        .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
                        .collect();
                    let mut want = fixed.clone();
                    want.extend(["order-management", "v2", "ECOM"].map(str::to_owned));
                    want.push(id.clone());
                    prop_assert_eq!(got, want);
                    // And it parses back to the same URL, as reqwest will send it.
                    prop_assert_eq!(url::Url::parse(url.as_str()).unwrap(), url);
                }
            }
        }
    }
}
