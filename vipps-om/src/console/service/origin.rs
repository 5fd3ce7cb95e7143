//! Where a request was sent to and from: addressed to this machine (an
//! open console answers nothing else), and sent from the console's own
//! page (sign-in and sign-out take nothing else).

use std::net::IpAddr;

use axum::http::{header, HeaderMap};

/// `true` when the request is addressed to this machine (`localhost`,
/// `127.0.0.1`, `[::1]`, any port).
pub(in crate::console) fn addressed_to_this_machine(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    // Read as the emulator reads it (an authority: a name or an address,
    // an optional port); an IPv6 address keeps its brackets there.
    let Ok(authority) = host.parse::<axum::http::uri::Authority>() else {
        return false;
    };
    let name = authority.host().trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost") || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `true` when a sign-in or sign-out comes from the console's own page.
/// A browser says so in `Sec-Fetch-Site` (which no page can set): it must
/// be `same-origin` (or `none`: typed by the person). A browser too old
/// for it sends `Origin`, which must name the host the request was sent
/// to. A request with neither is no browser's, and no other site's page
/// can make it.
pub(in crate::console) fn from_own_page(headers: &HeaderMap, forwarded_host: Option<&str>) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = forwarded_host.or_else(|| headers.get(header::HOST).and_then(|v| v.to_str().ok()));
    let origin = origin.to_str().ok().and_then(|o| url::Url::parse(o).ok());
    let authority = origin.as_ref().and_then(|o| {
        let host = o.host_str()?;
        Some(match o.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        })
    });
    matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h.trim()))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn only_requests_addressed_here() {
        let host = |h: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::HOST, HeaderValue::from_str(h).unwrap());
            addressed_to_this_machine(&headers)
        };
        for ok in ["127.0.0.1:8080", "localhost:8080", "LOCALHOST", "[::1]:8080", "127.0.0.2"] {
            assert!(host(ok), "{ok}");
        }
        for bad in [
            "attacker.example:8080",
            "localhost.attacker.example",
            "127.0.0.1.nip.io",
            "[::2]:80",
            "",
        ] {
            assert!(!host(bad), "{bad}");
        }
        assert!(!addressed_to_this_machine(&HeaderMap::new()));
    }

    #[test]
    fn own_pages_only() {
        let check = |pairs: &[(&'static str, &str)], forwarded: Option<&str>| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, v.parse().unwrap());
            }
            from_own_page(&h, forwarded)
        };
        assert!(check(&[("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:8080")], None));
        assert!(check(
            &[("host", "Console.Shop.Example"), ("origin", "https://console.shop.example")],
            None
        ));
        assert!(!check(&[("host", "127.0.0.1:8080"), ("origin", "http://evil.example")], None));
        assert!(!check(&[("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:9999")], None));
        assert!(!check(&[("host", "127.0.0.1:8080"), ("origin", "null")], None));
        assert!(check(&[("host", "127.0.0.1:8080"), ("sec-fetch-site", "same-origin")], None));
        // Chromium's form post under a no-referrer policy: Origin null,
        // but Sec-Fetch-Site says where it came from.
        assert!(check(
            &[("host", "127.0.0.1:8080"), ("origin", "null"), ("sec-fetch-site", "same-origin")],
            None
        ));
        assert!(!check(
            &[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8080"),
                ("sec-fetch-site", "cross-site")
            ],
            None
        ));
        assert!(!check(&[("host", "127.0.0.1:8080"), ("sec-fetch-site", "cross-site")], None));
        assert!(!check(&[("host", "127.0.0.1:8080"), ("sec-fetch-site", "same-site")], None));
        assert!(check(&[("host", "127.0.0.1:8080")], None));
        assert!(check(
            &[("host", "10.0.0.5:8080"), ("origin", "https://console.shop.example")],
            Some("console.shop.example")
        ));
    }
}
