//! Who may use the support console, in-process: named staff tokens with
//! sign-ins kept in the store (two sign-ins, two cookies; a cookie
//! replayed after sign-out is refused); wrong tokens limited per client,
//! form and bearer alike, while a right token from the same address
//! (behind one front end, one NAT, one IPv6 /64) always signs in; the two
//! trusts kept apart (a front end names the client, never the person; the
//! identity proxy names the person once, or the request is refused); the
//! sign-out of a person the proxy named; sign-in and sign-out only from
//! the console's own pages; a deep link kept through sign-in; and the
//! audit trail: who looked at which order, read by auditors only.

mod common;

use axum::body::Body;
use axum::http::{HeaderName, Request};
use common::console::{add_v3, cookie_of, from, logged, seed_1042, App};
use vipps_om::console::{
    parse_net, Access, FrontEnds, IdentityProxy, StaffTokens, Store, TrustedNets, DEFAULT_GROUPS_HEADER, DEFAULT_USER_HEADER,
    FAILURES_ALLOWED,
};
use vipps_order_management_emulator::Emulator;

const KARI: &str = "kari-7f3a9kq2x1-LmN4pQ8rS2tV6wY0";
const OLA: &str = "ola-2b8c4m1zY2-HjK5nP9qR3sU7vX1zz";
const DPO: &str = "dpo-5e6f7g8h9i-AbCdEfGhJkLmNpQrSt";
/// A wrong token, as a flooding script sends it.
const GUESS: &str = "guess-guess-guess-guess-guess-guess-0";

fn staff() -> StaffTokens {
    StaffTokens::parse(
        &format!("kari@butikk.example {KARI}\nola@butikk.example {OLA}\ndpo@butikk.example {DPO} auditor\n"),
        "staff",
    )
    .unwrap()
}

fn nets(list: &[&str], flag: &str) -> TrustedNets {
    TrustedNets::new(list.iter().map(|n| parse_net(n).unwrap()).collect(), flag, false).unwrap()
}

/// The front ends of these tests: a TLS terminator at 10.0.0.1.
fn front_end() -> FrontEnds {
    FrontEnds::new(nets(&["10.0.0.1"], "--front-end"))
}

/// A console that staff sign in to with their own tokens, behind the
/// front end.
async fn with_staff() -> (Emulator, App) {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let app = App::new(emu.client(), |store: &Store| {
        Access::builder().staff(staff()).front_ends(front_end()).build(store).unwrap()
    })
    .await;
    (emu, app)
}

/// The sign-in form, posted from the console's own page.
fn sign_in(token: &str, next: Option<&str>) -> Request<Body> {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("token", token);
    if let Some(next) = next {
        form.append_pair("next", next);
    }
    Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "http://127.0.0.1:8080")
        .body(Body::from(form.finish()))
        .unwrap()
}

/// `request` as the front end forwards it: from 10.0.0.1, naming the
/// client it came from (the office's NAT, one IPv6 address).
fn through_front_end(client: &str, mut request: Request<Body>) -> Request<Body> {
    request.headers_mut().append("x-forwarded-for", client.parse().unwrap());
    request.headers_mut().insert("x-forwarded-proto", "https".parse().unwrap());
    from("10.0.0.1", request)
}

fn with_cookie(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path).header("cookie", cookie).body(Body::empty()).unwrap()
}

fn bearer(path: &str, token: &str) -> Request<Body> {
    Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_person_has_their_own_sign_in_and_signing_out_ends_it() {
    let (_emu, app) = with_staff().await;
    let kari = app.send(sign_in(KARI, None)).await;
    assert_eq!((kari.status, kari.header("location")), (303, "/"));
    let set = kari.header("set-cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(set.contains(attribute), "{attribute} missing: {set}");
    }
    assert!(!set.contains("Secure"), "plain http, no front end saying https");
    assert!(!set.contains(KARI), "the cookie does not hold the token");
    let kari = cookie_of(set);
    let again = cookie_of(app.send(sign_in(KARI, None)).await.header("set-cookie"));
    let ola = cookie_of(app.send(sign_in(OLA, None)).await.header("set-cookie"));
    assert!(kari != again && kari != ola, "each sign-in is its own");

    let page = app.send(with_cookie("/orders/ecom/order-1042", &kari)).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("kari@butikk.example"), "who is signed in is shown");
    assert!(!page.body.contains(KARI), "the token is never in a page");
    assert!(!page.body.contains(r#"href="/audit""#), "Kari is no auditor");

    // Signing out ends the sign-in in the store: the copied cookie is
    // refused after; the other sign-ins go on.
    let out = app
        .send(
            Request::post("/logout")
                .header("cookie", &kari)
                .header("origin", "http://127.0.0.1:8080")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!((out.status, out.header("location")), (303, "/login"));
    assert!(out.header("set-cookie").contains("Max-Age=0"));
    let replay = app.send(with_cookie("/orders/ecom/order-1042", &kari)).await;
    assert_eq!(replay.status, 303, "a replayed cookie is refused");
    assert!(replay.header("location").starts_with("/login"));
    assert_eq!(app.send(with_cookie("/orders/ecom/order-1042", &again)).await.status, 200);
    assert_eq!(app.send(with_cookie("/orders/ecom/order-1042", &ola)).await.status, 200);

    // The trail: who signed in, who looked at what, who signed out.
    let log = app.audit().await;
    let events: Vec<(&str, &str, &str)> = log
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap(),
                e["who"].as_str().unwrap(),
                e["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        events,
        vec![
            ("sign-in", "kari@butikk.example", "signed-in"),
            ("sign-in", "kari@butikk.example", "signed-in"),
            ("sign-in", "ola@butikk.example", "signed-in"),
            ("lookup", "kari@butikk.example", "shown"),
            ("sign-out", "kari@butikk.example", "signed-out"),
            ("lookup", "kari@butikk.example", "shown"),
            ("lookup", "ola@butikk.example", "shown"),
        ]
    );
    let lookup = &log[3];
    assert_eq!(lookup["paymentType"], "ECOM");
    assert_eq!(lookup["orderId"], "order-1042");
    assert_eq!(lookup["via"], "token");
    assert_eq!(lookup["client"], "127.0.0.1");
    assert_eq!(lookup["what"], "page");
    assert_eq!(lookup["attempts"], 1);
    assert!(lookup["time"].as_str().unwrap().parse::<jiff::Timestamp>().is_ok());
    let text = app.audit_text().await;
    for secret in [KARI, OLA, &kari[kari.find('=').unwrap() + 1..]] {
        assert!(!text.contains(secret), "the trail holds no token or sign-in");
    }
}

/// The office behind one front end, one NAT address: a script floods
/// wrong tokens, and every colleague with a right one still signs in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_a_shared_address_never_keeps_a_right_token_out() {
    let (_emu, app) = with_staff().await;
    let office = "203.0.113.50";
    for _ in 0..FAILURES_ALLOWED {
        let wrong = app.send(through_front_end(office, sign_in(GUESS, None))).await;
        assert_eq!(wrong.status, 401);
        assert!(
            wrong.text().contains("That access token is not one of this console's"),
            "{}",
            wrong.text()
        );
    }
    // Past the limit, the wrong tokens are refused as too many, saying
    // when to try again, whose network it is, and that a right token
    // still works.
    for _ in 0..5 {
        let limited = app.send(through_front_end(office, sign_in(GUESS, None))).await;
        assert_eq!(limited.status, 429);
        let wait: u64 = limited.header("retry-after").parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        let text = limited.text();
        assert!(text.contains(office) && text.contains("still signs you in"), "{text}");
        assert!(!text.contains("not affected"), "no promise the page cannot keep");
    }
    // The right token from the same address, at the same time: in, with a
    // Secure cookie (the front end says the browser came by https).
    let kari = app.send(through_front_end(office, sign_in(KARI, None))).await;
    assert_eq!((kari.status, kari.header("location")), (303, "/"));
    assert!(kari.header("set-cookie").contains("; Secure"), "{}", kari.header("set-cookie"));
    let ola = app
        .send(through_front_end(office, bearer("/api/orders/ecom/order-1042", OLA)))
        .await;
    assert_eq!(ola.status, 200, "a tool's right token too");
    // Wrong bearer tokens count against the same client.
    let wrong = app
        .send(through_front_end(office, bearer("/api/orders/ecom/order-1042", GUESS)))
        .await;
    assert_eq!(wrong.status, 429);
    assert!(!wrong.header("retry-after").is_empty());
    assert_eq!(wrong.json()["error"]["kind"], "rate-limited");

    // The trail: each wrong try within the limit, then one entry for the
    // rest of the window counting its attempts, all naming the office's
    // address; the sign-in and the lookup after.
    let log = app.audit().await;
    let wrong: Vec<_> = log.iter().filter(|e| e["outcome"] == "wrong-token").collect();
    assert_eq!(wrong.len(), FAILURES_ALLOWED as usize);
    assert!(wrong.iter().all(|e| e["client"] == office && e["who"] == ""));
    let throttled: Vec<_> = log.iter().filter(|e| e["outcome"] == "throttled").collect();
    assert_eq!(throttled.len(), 1, "one entry for the window, not one a try: {throttled:?}");
    assert_eq!(throttled[0]["attempts"], 6, "five by the form, one by a tool");
    assert!(throttled[0]["lastTime"].is_string());
    assert_eq!(log.iter().filter(|e| e["outcome"] == "signed-in").count(), 1);
    assert!(!app.audit_text().await.contains("guess-guess"), "never the token tried");
}

/// One IPv6 office network, one /64: the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_ipv6_64_never_keeps_a_right_token_out() {
    let (_emu, app) = with_staff().await;
    for i in 0..=FAILURES_ALLOWED {
        app.send(from(&format!("2001:db8:1:2::{i:x}"), sign_in(GUESS, None))).await;
    }
    let limited = app.send(from("2001:db8:1:2::ffff", sign_in(GUESS, None))).await;
    assert_eq!(limited.status, 429, "the whole /64 is one client");
    assert_eq!(
        app.send(from("2001:db8:1:3::1", sign_in(GUESS, None))).await.status,
        401,
        "another /64 is not"
    );
    let kari = app.send(from("2001:db8:1:2::beef", sign_in(KARI, None))).await;
    assert_eq!(kari.status, 303);
    let throttled: Vec<_> = app.audit().await.into_iter().filter(|e| e["outcome"] == "throttled").collect();
    assert_eq!(throttled.len(), 1);
    assert_eq!(throttled[0]["client"], "2001:db8:1:2::a", "the first address past the limit");
}

/// The forged header as a department met it: a front end that forwards
/// whatever the browser sent. A front end names the client, never the
/// person; only the identity proxy names the person, and only once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_front_end_never_names_the_person_and_the_identity_proxy_only_once() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let app = App::new(emu.client(), |store: &Store| {
        let proxy = IdentityProxy::new(
            nets(&["10.0.0.2"], "--identity-proxy"),
            HeaderName::from_static(DEFAULT_USER_HEADER),
        );
        Access::builder()
            .staff(staff())
            .front_ends(front_end())
            .identity_proxy(proxy)
            .build(store)
            .unwrap()
    })
    .await;
    let forged = |peer: &str, emails: &[&str], path: &str| {
        let mut r = Request::get(path).header("x-forwarded-for", "203.0.113.66");
        for email in emails {
            r = r.header("x-forwarded-email", *email);
        }
        from(peer, r.body(Body::empty()).unwrap())
    };
    // Through the front end, with no token: to sign-in, never as the CEO,
    // on the page and the JSON API alike.
    let page = app
        .send(forged("10.0.0.1", &["ceo@butikk.example"], "/orders/ecom/order-1042"))
        .await;
    assert_eq!(page.status, 303);
    assert!(page.header("location").starts_with("/login"));
    let api = app
        .send(forged("10.0.0.1", &["ceo@butikk.example"], "/api/orders/ecom/order-1042"))
        .await;
    assert_eq!(api.status, 401);
    assert!(!api.body.contains("ceo@"));
    // From anyone else: the same.
    assert_eq!(app.send(forged("192.0.2.9", &["ceo@butikk.example"], "/")).await.status, 303);
    // From the identity proxy: the person it names.
    let named = app
        .send(forged("10.0.0.2", &["kari@butikk.example"], "/orders/ecom/order-1042"))
        .await;
    assert_eq!(named.status, 200);
    assert!(named.text().contains("kari@butikk.example"));
    // The client's own header ahead of the proxy's: refused, read neither
    // way, on the page and the API.
    let two = app
        .send(forged(
            "10.0.0.2",
            &["ceo@butikk.example", "kari@butikk.example"],
            "/orders/ecom/order-1042",
        ))
        .await;
    assert_eq!(two.status, 400);
    assert_eq!(two.h1s(), 1);
    assert!(!two.text().contains("ceo@") && !two.text().contains("kari@"), "{}", two.text());
    let two_api = app
        .send(forged(
            "10.0.0.2",
            &["ceo@butikk.example", "kari@butikk.example"],
            "/api/orders/ecom/order-1042",
        ))
        .await;
    assert_eq!(two_api.status, 400);
    assert!(two_api.json()["error"]["message"].as_str().unwrap().contains("twice"));

    // The trail never holds the forged name: the one lookup is Kari's,
    // the refusals are recorded with no one's name.
    let log = app.audit().await;
    assert!(!app.audit_text().await.contains("ceo@"), "{log:?}");
    let lookups: Vec<_> = log.iter().filter(|e| e["event"] == "lookup").collect();
    assert_eq!(lookups.len(), 1);
    assert_eq!(
        (lookups[0]["who"].as_str(), lookups[0]["via"].as_str()),
        (Some("kari@butikk.example"), Some("proxy"))
    );
    let refused: Vec<_> = log.iter().filter(|e| e["outcome"] == "identity-refused").collect();
    assert_eq!(refused.len(), 2);
    assert!(refused.iter().all(|e| e["who"] == "" && e["via"] == "proxy"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_and_sign_out_only_from_the_consoles_own_pages() {
    let (_emu, app) = with_staff().await;
    let cross = |origin: Option<&str>, site: Option<&str>| {
        let mut r = Request::post("/login").header("content-type", "application/x-www-form-urlencoded");
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        if let Some(s) = site {
            r = r.header("sec-fetch-site", s);
        }
        r.body(Body::from(format!("token={KARI}"))).unwrap()
    };
    for (origin, site) in [
        (Some("https://evil.example"), None),
        (Some("null"), None),
        (Some("http://127.0.0.1:9999"), None),
        (None, Some("cross-site")),
        (None, Some("same-site")),
    ] {
        let page = app.send(cross(origin, site)).await;
        assert_eq!(page.status, 403, "{origin:?} {site:?}");
        assert!(page.header("set-cookie").is_empty());
        assert_eq!(page.h1s(), 1);
    }
    assert_eq!(app.send(cross(None, Some("same-origin"))).await.status, 303);
    // A tool without a browser's headers is no other site's page.
    assert_eq!(app.send(cross(None, None)).await.status, 303);
    // Another site cannot sign staff out.
    let kari = cookie_of(app.send(sign_in(KARI, None)).await.header("set-cookie"));
    let forged = Request::post("/logout")
        .header("cookie", &kari)
        .header("origin", "https://evil.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(forged).await.status, 403);
    assert_eq!(app.send(with_cookie("/", &kari)).await.status, 200, "still signed in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn before_sign_in_only_sign_in_sign_out_the_stylesheet_the_language_switch_and_health_are_open() {
    let (_emu, app) = with_staff().await;
    let login = app.get("/login").await;
    assert_eq!(login.status, 200);
    assert!(login.body.contains(r#"action="/login""#), "the sign-in form");
    assert!(login.body.contains("autofocus"), "the token field has the cursor");
    let css = app.get("/assets/console.css").await;
    assert_eq!((css.status, css.header("content-type")), (200, "text/css; charset=utf-8"));
    let switch = app.get("/lang/nb?next=%2Flogin").await;
    assert_eq!((switch.status, switch.header("location")), (303, "/login"));
    assert!(
        switch.header("set-cookie").starts_with("vipps_om_lang=nb;"),
        "{}",
        switch.header("set-cookie")
    );
    let health = app.get("/health").await;
    assert_eq!((health.status, health.json()["status"].as_str()), (200, Some("ok")));
    // Signing out after the sign-in ended (a stale cookie) still clears it.
    let out = app
        .send(
            Request::post("/logout")
                .header("cookie", "vipps_om_session=0000")
                .header("origin", "http://127.0.0.1:8080")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!((out.status, out.header("location")), (303, "/login"));
    assert!(out.header("set-cookie").contains("Max-Age=0"), "{}", out.header("set-cookie"));

    // Everything else asks for sign-in: a page read (GET) comes back after
    // it, with or without its query; a form sent (POST) lands on the start.
    let page = app.get("/orders/ecom/order-1042").await;
    assert_eq!(
        (page.status, page.header("location")),
        (303, "/login?next=%2Forders%2Fecom%2Forder-1042")
    );
    let searched = app.get("/orders/ecom/order-1042?searched=x").await;
    assert_eq!(
        (searched.status, searched.header("location")),
        (303, "/login?next=%2Forders%2Fecom%2Forder-1042%3Fsearched%3Dx")
    );
    for path in ["/lookup", "/lookup?payment_type=ECOM"] {
        let posted = app
            .send(
                Request::post(path)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("origin", "http://127.0.0.1:8080")
                    .body(Body::from("payment_type=ECOM&order_id=order-1042"))
                    .unwrap(),
            )
            .await;
        assert_eq!((posted.status, posted.header("location")), (303, "/login"), "{path}");
    }
    assert_eq!(app.get("/audit").await.header("location"), "/login?next=%2Faudit");
    let api = app.get("/api/orders/ecom/order-1042").await;
    assert_eq!((api.status, api.header("www-authenticate")), (401, "Bearer"));
    assert!(app.audit().await.is_empty(), "nothing was looked up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_followed_before_sign_in_lands_on_its_page_after() {
    let (_emu, app) = with_staff().await;
    let link = app.get("/orders/ecom/order-1042?searched=%23order-1042").await;
    assert_eq!(link.status, 303);
    let login = link.header("location").to_owned();
    assert_eq!(login, "/login?next=%2Forders%2Fecom%2Forder-1042%3Fsearched%3D%2523order-1042");
    let form = app.get_in("nb", &login).await;
    assert_eq!(form.status, 200);
    assert_eq!(form.h1s(), 1);
    assert!(form
        .body
        .contains(r#"<input type="hidden" name="next" value="/orders/ecom/order-1042?searched=%23order-1042">"#));
    let signed = app
        .send(sign_in(KARI, Some("/orders/ecom/order-1042?searched=%23order-1042")))
        .await;
    assert_eq!(
        (signed.status, signed.header("location")),
        (303, "/orders/ecom/order-1042?searched=%23order-1042")
    );
    // Never off the console, never back to sign-in.
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "/login",
        "javascript:alert(1)",
    ] {
        let signed = app.send(sign_in(KARI, Some(next))).await;
        assert_eq!(signed.header("location"), "/", "{next}");
    }
    // Someone signed in already goes straight on.
    let kari = cookie_of(signed.header("set-cookie"));
    let page = app.send(with_cookie("/login?next=%2Forders%2Fecom%2Forder-1042", &kari)).await;
    assert_eq!((page.status, page.header("location")), (303, "/orders/ecom/order-1042"));
    // Tools get a 401, not a form.
    let api = app.get("/api/orders/ecom/order-1042").await;
    assert_eq!(api.status, 401);
    assert_eq!(api.header("www-authenticate"), "Bearer");
    // A body past the console's bound is refused, not read.
    let big = Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!("token={}", "a".repeat(64 * 1024))))
        .unwrap();
    let refused = app.send(big).await;
    assert_eq!(refused.status, 413, "{}", refused.body);
    // One within it is read: the longest `next` a link can carry, and more.
    let deep = format!("/orders/ecom/order-1042?searched={}", "x".repeat(2000));
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("token", KARI)
        .append_pair("next", &deep)
        .append_pair("padding", &"p".repeat(8 * 1024));
    let long = Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form.finish()))
        .unwrap();
    let taken = app.send(long).await;
    assert_eq!((taken.status, taken.header("location")), (303, deep.as_str()), "{}", taken.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_front_end_the_form_is_from_the_host_it_names_and_from_no_other() {
    let (_emu, app) = with_staff().await;
    // The browser is on https://console.butikk.example; the front end
    // reaches the console at 10.0.0.5:8080 and says which host was asked
    // for.
    let posted = |peer: &str, forwarded: Option<&str>| {
        let mut r = Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("host", "10.0.0.5:8080")
            .header("origin", "https://console.butikk.example");
        if let Some(host) = forwarded {
            r = r.header("x-forwarded-host", host);
        }
        from(peer, r.body(Body::from(format!("token={KARI}"))).unwrap())
    };
    let signed = app.send(posted("10.0.0.1", Some("console.butikk.example"))).await;
    assert_eq!((signed.status, signed.header("location")), (303, "/"), "{}", signed.body);
    assert_eq!(app.send(posted("10.0.0.1", None)).await.status, 403, "no host named: not this page");
    assert_eq!(
        app.send(posted("10.0.0.1", Some("evil.example"))).await.status,
        403,
        "another host named"
    );
    // Anyone else's word on the host is not taken.
    assert_eq!(app.send(posted("192.0.2.7", Some("console.butikk.example"))).await.status, 403);
}

/// A console behind single sign-on alone (oauth2-proxy at 127.0.0.1, which
/// is also the hop that names the client).
async fn behind_sign_on(sign_out: Option<&str>) -> (Emulator, App) {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let sign_out = sign_out.map(str::to_owned);
    let app = App::new(emu.client(), move |store: &Store| {
        let proxy = IdentityProxy::new(
            nets(&["127.0.0.1"], "--identity-proxy"),
            HeaderName::from_static(DEFAULT_USER_HEADER),
        )
        .auditors(HeaderName::from_static(DEFAULT_GROUPS_HEADER), vec!["dpo".to_owned()])
        .sign_out(sign_out);
        Access::builder()
            .identity_proxy(proxy)
            .front_ends(FrontEnds::new(nets(&["127.0.0.1"], "--front-end")))
            .build(store)
            .unwrap()
    })
    .await;
    (emu, app)
}

fn signed_on(ip: &str, user: Option<&str>, groups: Option<&str>, request: axum::http::request::Builder) -> Request<Body> {
    let mut r = request.header("x-forwarded-for", "203.0.113.7");
    if let Some(u) = user {
        r = r.header("x-forwarded-email", axum::http::HeaderValue::from_bytes(u.as_bytes()).unwrap());
    }
    if let Some(g) = groups {
        r = r.header("x-forwarded-groups", g);
    }
    from(ip, r.body(Body::empty()).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_single_sign_on_the_proxys_header_names_the_person() {
    let (_emu, app) = behind_sign_on(None).await;
    let get = |ip: &str, user: Option<&str>| signed_on(ip, user, None, Request::get("/orders/ecom/order-1042"));
    let page = app.send(get("127.0.0.1", Some("kari@butikk.example"))).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("kari@butikk.example"));
    assert!(page.body.contains(r#"action="/logout""#), "a sign-out that says where");
    // The header from anyone but the proxy is not believed.
    let around = app.send(get("127.0.0.9", Some("boss@butikk.example"))).await;
    assert_eq!(around.status, 401);
    assert_eq!(around.h1s(), 1);
    assert!(!around.text().contains("boss@butikk.example"));
    // The proxy without the header: nobody.
    assert_eq!(app.send(get("127.0.0.1", None)).await.status, 401);
    // Names may be any letters.
    let åse = app.send(get("127.0.0.1", Some("åse.ødegård@firma.no"))).await;
    assert!(åse.text().contains("åse.ødegård@firma.no"));
    let log = app.audit().await;
    assert_eq!(log.len(), 2, "only the lookups that were shown");
    assert_eq!(log[0]["who"], "kari@butikk.example");
    assert_eq!(log[0]["via"], "proxy");
    assert_eq!(log[0]["client"], "203.0.113.7", "the client the proxy forwards");
    assert_eq!(log[1]["who"], "åse.ødegård@firma.no");
}

/// Sign-out behind single sign-on: to the proxy's sign-out when the
/// console knows it, else a page that says where to sign out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_single_sign_on_sign_out_says_where() {
    let post = |user: &str| {
        signed_on(
            "127.0.0.1",
            Some(user),
            None,
            Request::post("/logout").header("origin", "http://127.0.0.1:8080"),
        )
    };
    let (_emu, app) = behind_sign_on(Some("/oauth2/sign_out?rd=%2F")).await;
    let out = app.send(post("kari@butikk.example")).await;
    assert_eq!((out.status, out.header("location")), (303, "/oauth2/sign_out?rd=%2F"));
    let (_emu, app) = behind_sign_on(None).await;
    let page = app.send(post("kari@butikk.example")).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.h1s(), 1);
    assert!(page.text().contains("sign out of the company's sign-on"), "{}", page.text());
    assert!(
        page.text().contains("Signed in as <strong>kari@butikk.example</strong>"),
        "whom it is about: {}",
        page.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_of_every_outcome_are_recorded_with_what_was_searched() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let app = App::open(emu.client()).await;
    app.get("/orders/ecom/order-1042?searched=%23order-1042").await;
    app.get("/orders/ecom/nothing-here").await;
    app.get("/orders/recurring/a%C3%A6").await;
    app.get("/api/orders/ecom/order-1042").await;
    let log = app.audit().await;
    let outcomes: Vec<(&str, &str, &str)> = log
        .iter()
        .map(|e| {
            (
                e["orderId"].as_str().unwrap(),
                e["outcome"].as_str().unwrap(),
                e["what"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        vec![
            ("order-1042", "shown", "page"),
            ("nothing-here", "nothing-stored", "page"),
            ("aæ", "invalid", "page"),
            ("order-1042", "shown", "json"),
        ]
    );
    assert_eq!(log[0]["searched"], "#order-1042");
    assert_eq!(log[0]["who"], "this machine");
    assert_eq!(log[0]["via"], "loopback");
    assert_eq!(
        log[1]["alsoChecked"],
        serde_json::json!(["RECURRING/nothing-here", "ECOM/NOTHING-HERE", "RECURRING/NOTHING-HERE"])
    );
}

/// The page asked for before sign-in survives a wrong token, the limit's
/// 429 and the language switch on the sign-in page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deep_link_survives_every_answer_of_the_sign_in_form() {
    let (_emu, app) = with_staff().await;
    let next = "/orders/ecom/order-1042";
    let hidden = format!(r#"<input type="hidden" name="next" value="{next}">"#);
    let wrong = app.send(sign_in(GUESS, Some(next))).await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains(&hidden), "{}", wrong.body);
    assert!(
        wrong
            .body
            .contains(r#"href="/lang/fi?next=%2Flogin%3Fnext%3D%252Forders%252Fecom%252Forder-1042""#),
        "{}",
        wrong.body
    );
    for _ in 0..FAILURES_ALLOWED {
        app.send(sign_in(GUESS, Some(next))).await;
    }
    let limited = app.send(sign_in(GUESS, Some(next))).await;
    assert_eq!(limited.status, 429);
    assert!(limited.body.contains(&hidden));
    let right = app.send(sign_in(KARI, Some(next))).await;
    assert_eq!((right.status, right.header("location")), (303, next));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_lookup_is_recorded_and_an_address_cannot_claim_a_search() {
    let (_emu, app) = with_staff().await;
    let kari = cookie_of(app.send(sign_in(KARI, None)).await.header("set-cookie"));
    // Refused by the form: recorded as typed.
    for path in [
        "/lookup?paymentType=ecom&orderId=ordre+%C3%A6",
        "/lookup?paymentType=bitcoin&orderId=o-1",
    ] {
        assert_eq!(app.send(with_cookie(path, &kari)).await.status, 400, "{path}");
    }
    // An address that claims a search cleaning could not have made.
    let page = app
        .send(with_cookie("/orders/ecom/order-1042?searched=totally-different-order", &kari))
        .await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains(r#"class="cleaned"#),
        "no \"you searched for\" from the address alone"
    );
    let long = "x".repeat(5000);
    app.send(with_cookie(&format!("/orders/ecom/{long}"), &kari)).await;
    let log: Vec<serde_json::Value> = app.audit().await.into_iter().filter(|e| e["event"] == "lookup").collect();
    assert_eq!(log.len(), 4, "{log:?}");
    assert_eq!(
        (log[0]["orderId"].as_str(), log[0]["outcome"].as_str(), log[0]["what"].as_str()),
        (Some("ordre æ"), Some("invalid"), Some("form"))
    );
    assert_eq!(log[1]["orderId"], "o-1");
    assert!(log[1].get("paymentType").is_none());
    assert!(log[2].get("searched").is_none(), "the claimed search is not recorded");
    assert_eq!(log[3]["orderId"].as_str().unwrap().chars().count(), 256, "what was typed, capped");
}

/// Nothing under this payment type, but the other holds a v3 link only:
/// offered too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_with_only_v3_links_is_offered() {
    let emu = Emulator::start().await.unwrap();
    let client = emu.client();
    add_v3(
        &client,
        vipps_order_management::PaymentType::Recurring,
        "v3only",
        vipps_order_management::CategoryType::Delivery,
        "https://butikk.example/d",
    )
    .await;
    let app = App::open(client).await;
    let page = app.get_in("en", "/orders/ecom/v3only").await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains(r#"href="/orders/recurring/v3only""#), "{}", page.body);
}

/// The data-protection officer's questions: who looked at this order, what
/// did this person look at, between these days; the answers exported;
/// only for auditors, and each look at the trail is itself recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auditors_read_who_looked_at_an_order_and_what_a_person_looked_at() {
    let (_emu, app) = with_staff().await;
    let kari = cookie_of(app.send(sign_in(KARI, None)).await.header("set-cookie"));
    let ola = cookie_of(app.send(sign_in(OLA, None)).await.header("set-cookie"));
    let dpo = cookie_of(app.send(sign_in(DPO, None)).await.header("set-cookie"));
    app.send(with_cookie("/orders/ecom/order-1042", &kari)).await;
    // What Ola typed: a zero-width space; a right-to-left override in an
    // id that cannot be one.
    app.send(with_cookie("/lookup?paymentType=ecom&orderId=%23order-1042%E2%80%8B", &ola))
        .await;
    app.send(with_cookie("/orders/ecom/order-1042?searched=%23order-1042%E2%80%8B", &ola))
        .await;
    app.send(with_cookie("/lookup?paymentType=ecom&orderId=x%E2%80%AE%2Fy", &ola)).await;

    // Not for Kari: refused, and named as such.
    let refused = app.send(with_cookie("/audit", &kari)).await;
    assert_eq!(refused.status, 403);
    assert!(refused.text().contains("for auditors"));
    assert_eq!(app.send(with_cookie("/audit/export.jsonl", &kari)).await.status, 403);

    // The order page links the auditor to who looked at it.
    let order = app.send(with_cookie("/orders/ecom/order-1042", &dpo)).await;
    assert!(
        order.body.contains(r#"href="/audit?paymentType=ECOM&amp;orderId=order-1042""#),
        "{}",
        order.body
    );
    assert!(order.body.contains(r#"href="/audit""#), "the header links the trail");

    let who_looked = app.send(with_cookie("/audit?paymentType=ECOM&orderId=order-1042", &dpo)).await;
    assert_eq!(who_looked.status, 200);
    let text = who_looked.text();
    assert!(
        text.contains("kari@butikk.example") && text.contains("ola@butikk.example"),
        "{text}"
    );
    assert_eq!(
        text.matches("<tr>").count() - 1,
        3,
        "Kari's, Ola's and the auditor's own lookup: {text}"
    );
    // What was typed is shown with its hidden characters as marks.
    assert!(who_looked.body.contains("⟨U+200B⟩"), "{}", who_looked.body);
    assert!(!who_looked.body.contains('\u{200b}'));

    // The page: its form, each entry's time in the department's zone, its
    // event in words, each person a link to what they looked at.
    assert!(who_looked.body.contains(r#"<form class="filters" method="get" action="/audit">"#));
    assert!(text.contains("(UTC+01:00)") && text.contains(">Lookup<"), "{text}");
    assert!(
        who_looked.body.contains(r#"href="/audit?who=kari%40butikk.example""#),
        "{}",
        who_looked.body
    );

    let olas = app.send(with_cookie("/audit?who=ola%40butikk.example&event=lookup", &dpo)).await;
    assert_eq!(olas.status, 200);
    let text = olas.text();
    assert!(!text.contains(">kari@butikk.example<"), "only Ola's");
    assert!(
        olas.body.contains(r#"x<span class="mark" title="U+202E">⟨U+202E⟩</span>/y"#),
        "the override shown, not acting: {}",
        olas.body
    );
    assert!(!olas.body.contains('\u{202e}'));

    // Between days, in the department's zone: nothing yesterday.
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/Oslo").unwrap())
        .date();
    let yesterday = today.yesterday().unwrap();
    let none = app.send(with_cookie(&format!("/audit?until={yesterday}"), &dpo)).await;
    assert!(none.text().contains("No entries match"), "{}", none.text());
    let bad = app.send(with_cookie("/audit?from=last+week", &dpo)).await;
    assert_eq!(bad.status, 400);
    assert!(bad.text().contains("From (day)"), "{}", bad.text());

    // The export: JSON lines, oldest first, hidden characters escaped.
    let export = app
        .send(with_cookie(
            &format!("/audit/export.jsonl?who=ola%40butikk.example&from={today}"),
            &dpo,
        ))
        .await;
    assert_eq!(export.status, 200);
    assert_eq!(export.header("content-type"), "application/jsonl; charset=utf-8");
    assert!(export
        .header("content-disposition")
        .starts_with("attachment; filename=\"vipps-om-audit-"));
    let lines: Vec<serde_json::Value> = export.body.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "Ola's sign-in and two lookups: {}", export.body);
    assert!(lines.iter().all(|l| l["who"] == "ola@butikk.example"));
    assert!(lines.windows(2).all(|w| w[0]["id"].as_i64() < w[1]["id"].as_i64()), "oldest first");
    assert!(export.body.contains(r"x\u202e/y"), "{}", export.body);

    // Each view and the export are in the trail, with what they selected;
    // Kari's two tries are too.
    let views: Vec<serde_json::Value> = app.audit().await.into_iter().filter(|e| e["event"] == "audit-view").collect();
    let karis: Vec<_> = views
        .iter()
        .filter(|v| v["who"] == "kari@butikk.example")
        .map(|v| v["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(karis, ["not-auditor", "not-auditor"]);
    let views: Vec<_> = views.into_iter().filter(|v| v["who"] == "dpo@butikk.example").collect();
    let what: Vec<(&str, &str)> = views
        .iter()
        .map(|v| (v["what"].as_str().unwrap(), v["searched"].as_str().unwrap_or_default()))
        .collect();
    assert_eq!(
        what,
        [
            ("page", "paymentType=ECOM orderId=order-1042"),
            ("page", "who=ola@butikk.example event=lookup"),
            ("page", &format!("until={yesterday}")),
            ("jsonl", &format!("who=ola@butikk.example from={today}")),
        ]
    );
    assert!(views.iter().all(|v| v["outcome"] == "shown"));
}

/// An auditor by the sign-on proxy's group, not by a header anyone sends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auditors_by_the_proxys_group() {
    let (_emu, app) = behind_sign_on(None).await;
    let get = |ip: &str, groups: Option<&str>| signed_on(ip, Some("dpo@butikk.example"), groups, Request::get("/audit"));
    assert_eq!(app.send(get("127.0.0.1", Some("support,dpo"))).await.status, 200);
    assert_eq!(app.send(get("127.0.0.1", Some("support"))).await.status, 403);
    assert_eq!(app.send(get("127.0.0.1", None)).await.status, 403);
    assert_eq!(
        app.send(get("127.0.0.9", Some("dpo"))).await.status,
        401,
        "not from the proxy: nobody"
    );
}

/// A front end's own gate (Basic or Negotiate in `Authorization`) is no
/// staff token and no wrong one: staff behind it sign in and look up as
/// ever, and nothing is refused or counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_authorization_scheme_is_no_wrong_token() {
    let (_emu, app) = with_staff().await;
    let gate = "Basic ZnJvbnRnYXRlOnB3";
    let mut signed = sign_in(KARI, None);
    signed.headers_mut().insert("authorization", gate.parse().unwrap());
    let signed = app.send(signed).await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    let kari = cookie_of(signed.header("set-cookie"));
    for _ in 0..=FAILURES_ALLOWED {
        let page = Request::get("/orders/ecom/order-1042")
            .header("cookie", &kari)
            .header("authorization", gate)
            .body(Body::empty())
            .unwrap();
        assert_eq!(app.send(page).await.status, 200);
    }
    for open in ["/health", "/assets/console.css", "/login"] {
        let r = Request::get(open).header("authorization", gate).body(Body::empty()).unwrap();
        assert!(app.send(r).await.status < 400, "{open}");
    }
    // A wrong bearer token on what is open to all is not counted either.
    let css = Request::get("/assets/console.css")
        .header("authorization", format!("Bearer {GUESS}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(css).await.status, 200);
    let refusals = app
        .audit()
        .await
        .into_iter()
        .filter(|e| e["event"] == "sign-in" && e["outcome"] != "signed-in")
        .count();
    assert_eq!(refusals, 0);
}

/// An address whose query cannot be read selects nothing and says so: it
/// never shows the whole trail as if nothing had been asked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audit_address_that_cannot_be_read_selects_nothing() {
    let (_emu, app) = with_staff().await;
    let dpo = cookie_of(app.send(sign_in(DPO, None)).await.header("set-cookie"));
    for path in [
        "/audit?who=kari&before=abc",
        "/audit?who=kari&before=",
        "/audit?event=sign-in&event=lookup",
        "/audit/export.jsonl?who=kari&who=ola",
    ] {
        let page = app.send(with_cookie(path, &dpo)).await;
        assert_eq!(page.status, 400, "{path}");
        assert!(page.text().contains("a field twice"), "{path}: {}", page.text());
        assert!(!page.body.contains("<tbody>"), "{path}: no entries");
    }
}

/// Wrong tokens are said in the console's log, each within a client's
/// limit, then at the first past it and every hundredth after; an identity
/// header from anyone but the proxy is said as ignored.
#[tokio::test]
async fn the_log_says_each_wrong_token_then_now_and_then_and_each_ignored_identity_header() {
    let (_emu, app) = with_staff().await;
    let ((), log) = logged(async {
        for _ in 0..110 {
            app.send(from("192.0.2.5", sign_in(GUESS, None))).await;
        }
    })
    .await;
    assert_eq!(log.matches("wrong access token from client 192.0.2.5 (").count(), 10, "{log}");
    assert_eq!(log.matches("past the limit (").count(), 2, "the 11th and the 110th: {log}");
    assert!(
        log.contains("past the limit (11 in the last minute") && log.contains("past the limit (110 in the last minute"),
        "{log}"
    );
    assert!(!log.contains("of all clients together"), "one client's limit, said as such: {log}");
    assert!(!log.contains("guess-guess"));

    let emu = Emulator::start().await.unwrap();
    let app = App::new(emu.client(), |store: &Store| {
        let proxy = IdentityProxy::new(
            nets(&["10.0.0.2"], "--identity-proxy"),
            HeaderName::from_static(DEFAULT_USER_HEADER),
        );
        Access::builder().identity_proxy(proxy).build(store).unwrap()
    })
    .await;
    let ask = |peer: &str, email: Option<&str>| {
        let mut r = Request::get("/");
        if let Some(e) = email {
            r = r.header("x-forwarded-email", e);
        }
        from(peer, r.body(Body::empty()).unwrap())
    };
    let ((), log) = logged(async {
        app.send(ask("192.0.2.9", Some("ceo@butikk.example"))).await;
        app.send(ask("192.0.2.10", None)).await;
        app.send(ask("10.0.0.2", Some("kari@butikk.example"))).await;
        app.send(ask("10.0.0.2", None)).await;
    })
    .await;
    let ignored: Vec<&str> = log.lines().filter(|l| l.contains("ignored the x-forwarded-email header")).collect();
    assert_eq!(ignored.len(), 1, "{log}");
    assert!(ignored[0].contains("from 192.0.2.9"), "{log}");
}

/// A store that fails lets no one through and says so: no sign-in can be
/// checked, no lookup recorded, and the health check says it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_fails_lets_no_one_through_and_says_so() {
    let (_emu, app) = with_staff().await;
    let kari = cookie_of(app.send(sign_in(KARI, None)).await.header("set-cookie"));
    app.store.close().await;
    let page = app.send(with_cookie("/orders/ecom/order-1042", &kari)).await;
    assert_eq!(page.status, 503);
    assert!(page.text().contains("cannot reach its database"), "{}", page.text());
    let json = app
        .send(
            Request::get("/api/orders/ecom/order-1042")
                .header("cookie", &kari)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!((json.status, json.json()["error"]["kind"].as_str()), (503, Some("store-failed")));
    // A right token needs no store to be known, but its lookup cannot be
    // recorded, so it is not shown.
    let tool = app.send(bearer("/api/orders/ecom/order-1042", KARI)).await;
    assert_eq!(tool.status, 503);
    assert!(!tool.body.contains("Ullsokker"));
    let health = app.get("/health").await;
    assert_eq!((health.status, health.json()["status"].as_str()), (503, Some("failing")));
}

/// The trail a page of a hundred at a time, the next page behind a link;
/// the export all of it, a thousand at a time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trail_is_paged_and_the_export_is_whole() {
    let (_emu, app) = with_staff().await;
    for i in 0..1005 {
        let mut entry = vipps_om::console::Entry::new(
            vipps_om::console::Event::Lookup,
            "ola@butikk.example",
            vipps_om::console::Via::Token,
            None,
        )
        .outcome("shown");
        entry.order_id = Some(format!("order-{i}"));
        app.store.keep(&entry).await.unwrap();
    }
    let dpo = cookie_of(app.send(sign_in(DPO, None)).await.header("set-cookie"));
    let first = app.send(with_cookie("/audit?who=ola%40butikk.example", &dpo)).await;
    assert_eq!(first.body.matches("<tr>").count() - 1, 100);
    assert!(first.text().contains("order-1004") && !first.text().contains("order-904<"));
    let older = first
        .body
        .split(r#"href="/audit?who=ola%40butikk.example&amp;before="#)
        .nth(1)
        .expect("a link to older entries");
    let before = &older[..older.find('"').unwrap()];
    let second = app
        .send(with_cookie(&format!("/audit?who=ola%40butikk.example&before={before}"), &dpo))
        .await;
    assert_eq!(second.body.matches("<tr>").count() - 1, 100);
    assert!(second.text().contains("order-904<") && !second.text().contains("order-1004"));
    // Five entries on the last page: no link to more.
    let mut last = second;
    for _ in 0..9 {
        let older = last.body.split("&amp;before=").nth(1).expect("older");
        let before = older[..older.find('"').unwrap()].to_owned();
        last = app
            .send(with_cookie(&format!("/audit?who=ola%40butikk.example&before={before}"), &dpo))
            .await;
    }
    assert_eq!(last.body.matches("<tr>").count() - 1, 5);
    assert!(!last.body.contains("&amp;before="));
    let export = app.send(with_cookie("/audit/export.jsonl?who=ola%40butikk.example", &dpo)).await;
    let lines: Vec<serde_json::Value> = export.body.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1005);
    assert_eq!(
        (lines[0]["orderId"].as_str(), lines[1004]["orderId"].as_str()),
        (Some("order-0"), Some("order-1004"))
    );
}
