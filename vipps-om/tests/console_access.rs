//! Who may use the support console, in-process: named staff tokens with
//! sessions kept on the server (two sign-ins, two sessions; a cookie
//! replayed after sign-out is refused), a sign-on proxy's header believed
//! only from the proxy, failed sign-ins limited per client (form and
//! bearer alike) without ever refusing another client's correct token,
//! sign-in and sign-out only from the console's own pages, a deep link
//! kept through sign-in, and the audit log: who looked at which order.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::console::{add_v3, from, seed_1042, App};
use vipps_om::console::{parse_net, Access, StaffTokens, FAILURES_ALLOWED};
use vipps_order_management::emulator::Emulator;

const KARI: &str = "kari-7f3a-9kq2-token-x1";
const OLA: &str = "ola-2b8c-4m1z-token-y2";

fn staff() -> StaffTokens {
    let mut staff = StaffTokens::new();
    staff.add("kari@butikk.example", KARI).unwrap();
    staff.add("ola@butikk.example", OLA).unwrap();
    staff
}

/// A console that staff sign in to with their own tokens.
async fn with_staff() -> (Emulator, App) {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let access = Access::builder().staff(staff()).build().unwrap();
    let app = App::new(emu.client(), access);
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

fn with_cookie(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path).header("cookie", cookie).body(Body::empty()).unwrap()
}

fn bearer(path: &str, token: &str) -> Request<Body> {
    Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

/// The `name=value` of a Set-Cookie.
fn cookie_of(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_person_has_their_own_session_and_signing_out_ends_it() {
    let (_emu, app) = with_staff().await;
    let kari = app.send(sign_in(KARI, None)).await;
    assert_eq!((kari.status, kari.header("location")), (303, "/"));
    let set = kari.header("set-cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(set.contains(attribute), "{attribute} missing: {set}");
    }
    assert!(!set.contains(KARI), "the cookie does not hold the token");
    let kari = cookie_of(set);
    let again = cookie_of(app.send(sign_in(KARI, None)).await.header("set-cookie"));
    let ola = cookie_of(app.send(sign_in(OLA, None)).await.header("set-cookie"));
    assert!(kari != again && kari != ola, "each sign-in is its own session");

    let page = app.send(with_cookie("/orders/ecom/order-1042", &kari)).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("kari@butikk.example"), "who is signed in is shown");
    assert!(!page.body.contains(KARI), "the token is never in a page");

    // Signing out ends the session on the server: the copied cookie is
    // refused after; the other sessions go on.
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

    // The audit log: who signed in, who looked at what, who signed out.
    let log = app.audit();
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
    assert!(lookup["time"].as_str().unwrap().parse::<jiff::Timestamp>().is_ok());
    let text = std::fs::read_to_string(&app.audit).unwrap();
    for secret in [KARI, OLA, &kari[kari.find('=').unwrap() + 1..]] {
        assert!(!text.contains(secret), "the audit log holds no token or session");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_client_never_stops_another_clients_correct_sign_in() {
    let (_emu, app) = with_staff().await;
    for _ in 0..FAILURES_ALLOWED {
        let wrong = app.send(from("127.0.0.2", sign_in("guess-guess-guess-1", None))).await;
        assert_eq!(wrong.status, 401);
        assert!(wrong.text().contains("not one of this console's") || wrong.text().contains("That access token"));
    }
    // The flooding client waits, told how long and that it is its address.
    let limited = app.send(from("127.0.0.2", sign_in("guess-guess-guess-1", None))).await;
    assert_eq!(limited.status, 429);
    let wait: u64 = limited.header("retry-after").parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(limited.text().contains("127.0.0.2"), "the page names the address that failed");
    // Its correct token waits too (else the limit would not hold) ...
    assert_eq!(app.send(from("127.0.0.2", sign_in(KARI, None))).await.status, 429);
    // ... while every other client signs in as before.
    for client in ["127.0.0.1", "127.0.0.3", "::1", "2001:db8:9::1"] {
        assert_eq!(app.send(from(client, sign_in(KARI, None))).await.status, 303, "{client}");
    }
    // Bearer tokens count the same, per client.
    for _ in 0..FAILURES_ALLOWED {
        assert_eq!(
            app.send(from("127.0.0.4", bearer("/api/orders/ecom/order-1042", "guess-guess-guess-1")))
                .await
                .status,
            401
        );
    }
    let limited = app.send(from("127.0.0.4", bearer("/api/orders/ecom/order-1042", OLA))).await;
    assert_eq!(limited.status, 429);
    assert!(!limited.header("retry-after").is_empty());
    assert_eq!(
        app.send(from("127.0.0.5", bearer("/api/orders/ecom/order-1042", OLA))).await.status,
        200
    );
    // An IPv6 client is counted by its /64: another address in it waits.
    for i in 0..FAILURES_ALLOWED {
        app.send(from(&format!("2001:db8:1:2::{i:x}"), sign_in("guess-guess-guess-1", None)))
            .await;
    }
    assert_eq!(app.send(from("2001:db8:1:2::ffff", sign_in(KARI, None))).await.status, 429);
    // Each failure is in the audit log with its client, never the token.
    let failures = app.audit().into_iter().filter(|e| e["outcome"] == "wrong-token").count();
    assert_eq!(failures, 3 * FAILURES_ALLOWED);
    assert!(!std::fs::read_to_string(&app.audit).unwrap().contains("guess-guess"));
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
async fn before_sign_in_only_sign_in_sign_out_the_stylesheet_and_the_language_switch_are_open() {
    let (_emu, app) = with_staff().await;
    let login = app.get("/login").await;
    assert_eq!(login.status, 200);
    assert!(login.body.contains(r#"action="/login""#), "the sign-in form");
    let css = app.get("/assets/console.css").await;
    assert_eq!((css.status, css.header("content-type")), (200, "text/css; charset=utf-8"));
    let switch = app.get("/lang/nb?next=%2Flogin").await;
    assert_eq!((switch.status, switch.header("location")), (303, "/login"));
    assert!(
        switch.header("set-cookie").starts_with("vipps_om_lang=nb;"),
        "{}",
        switch.header("set-cookie")
    );
    // Signing out after the session ended (a stale cookie) still clears it.
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
    let api = app.get("/api/orders/ecom/order-1042").await;
    assert_eq!((api.status, api.header("www-authenticate")), (401, "Bearer"));
    assert!(app.audit().is_empty(), "nothing was looked up");
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
async fn behind_a_proxy_the_form_is_from_the_host_the_proxy_names_and_from_no_other() {
    let emu = Emulator::start().await.unwrap();
    let access = Access::builder()
        .staff(staff())
        .trusted_proxy(parse_net("10.0.0.1").unwrap())
        .build()
        .unwrap();
    let app = App::new(emu.client(), access);
    // The browser is on https://console.butikk.example; the proxy reaches
    // the console at 10.0.0.5:8080 and says which host was asked for.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_single_sign_on_the_proxys_header_names_the_person() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let access = Access::builder().trusted_proxy(parse_net("127.0.0.1").unwrap()).build().unwrap();
    let app = App::new(emu.client(), access);
    let through_proxy = |ip: &str, user: Option<&str>| {
        let mut r = Request::get("/orders/ecom/order-1042").header("x-forwarded-for", "203.0.113.7");
        if let Some(u) = user {
            r = r.header("x-forwarded-email", u);
        }
        from(ip, r.body(Body::empty()).unwrap())
    };
    let page = app.send(through_proxy("127.0.0.1", Some("kari@butikk.example"))).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("kari@butikk.example"));
    assert!(!page.body.contains(r#"action="/logout""#), "the proxy signs out, not the console");
    // The header from anyone but the proxy is not believed.
    let around = app.send(through_proxy("127.0.0.9", Some("boss@butikk.example"))).await;
    assert_eq!(around.status, 401);
    assert_eq!(around.h1s(), 1);
    assert!(!around.text().contains("boss@butikk.example"));
    // The proxy without the header: nobody.
    assert_eq!(app.send(through_proxy("127.0.0.1", None)).await.status, 401);
    let log = app.audit();
    assert_eq!(log.len(), 1, "only the lookup that was shown");
    assert_eq!(log[0]["who"], "kari@butikk.example");
    assert_eq!(log[0]["via"], "proxy");
    assert_eq!(log[0]["client"], "203.0.113.7", "the client the proxy forwards");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookups_of_every_outcome_are_recorded_with_what_was_searched() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let app = App::open(emu.client());
    app.get("/orders/ecom/order-1042?searched=%23order-1042").await;
    app.get("/orders/ecom/nothing-here").await;
    app.get("/orders/recurring/a%C3%A6").await;
    app.get("/api/orders/ecom/order-1042").await;
    let log = app.audit();
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
    let wrong = app.send(sign_in("guess-guess-guess-1", Some(next))).await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains(&hidden), "{}", wrong.body);
    assert!(
        wrong
            .body
            .contains(r#"href="/lang/fi?next=%2Flogin%3Fnext%3D%252Forders%252Fecom%252Forder-1042""#),
        "{}",
        wrong.body
    );
    for _ in 1..FAILURES_ALLOWED {
        app.send(sign_in("guess-guess-guess-1", Some(next))).await;
    }
    let limited = app.send(sign_in(KARI, Some(next))).await;
    assert_eq!(limited.status, 429);
    assert!(limited.body.contains(&hidden));
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
        !page.body.contains(r#"class="cleaned""#),
        "no \"you searched for\" from the address alone"
    );
    let long = "x".repeat(5000);
    app.send(with_cookie(&format!("/orders/ecom/{long}"), &kari)).await;
    let log: Vec<serde_json::Value> = app.audit().into_iter().filter(|e| e["event"] == "lookup").collect();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxys_names_may_be_any_letters() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let access = Access::builder().trusted_proxy(parse_net("127.0.0.1").unwrap()).build().unwrap();
    let app = App::new(emu.client(), access);
    let request = Request::get("/orders/ecom/order-1042")
        .header(
            "x-forwarded-email",
            axum::http::HeaderValue::from_bytes("åse.ødegård@firma.no".as_bytes()).unwrap(),
        )
        .body(Body::empty())
        .unwrap();
    let page = app.send(request).await;
    assert_eq!(page.status, 200);
    assert!(page.text().contains("åse.ødegård@firma.no"));
    assert_eq!(app.audit()[0]["who"], "åse.ødegård@firma.no");
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
    let app = App::open(client);
    let page = app.get_in("en", "/orders/ecom/v3only").await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains(r#"href="/orders/recurring/v3only""#), "{}", page.body);
}
