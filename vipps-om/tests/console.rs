//! The support console's pages, in-process (its axum `Router`, driven with
//! `tower::ServiceExt::oneshot`): everything an order holds, in each of the
//! staff's languages, with the VAT by rate and the warnings; hostile data
//! in every free-text field kept as text; lookups that forgive what
//! pasting adds; error pages that say what was searched and what to do;
//! the JSON endpoint; the security headers. Who may look, and the audit
//! log, are in `console_access.rs`; the served process in
//! `console_served.rs`.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::console::{add_v3, raw, seed_1042, App, HOSTILE, HOSTILE_SHOWN};
use serde_json::{json, Value};
use vipps_order_management::{CategoryType, Operation, PaymentType, RetryPolicy};
use vipps_order_management_emulator::{self as emulator, Emulator, Fault};

const NBSP: &str = "\u{a0}";

/// `text` with its normal spaces as the page writes them between a number
/// and its unit.
fn nb(text: &str) -> String {
    text.replace(' ', NBSP)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_norwegian_order_page_shows_every_field_the_vat_by_rate_and_the_warnings() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let app = App::open(emu.client()).await;
    let page = app.get_in("nb-NO,nb;q=0.9,en;q=0.5", "/orders/ecom/order-1042").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let text = page.text();
    assert!(page.body.contains(r#"<html lang="nb">"#));
    assert_eq!(page.h1s(), 1);
    // Every line, with its unit price, quantity, discount, rate and link.
    for needle in [
        "Ullsokker, grå",
        "Kaffebønner, mørkbrent",
        "Skjerf i blå ull",
        "sku-1",
        r#"href="https://butikk.example/p/ullsokker""#,
        &nb("149,00 kr"),
        &nb("2 stk."),
        &nb("0,5 kg"),
        &nb("320,00 kr"),
        &nb("25,00 kr"),
        &nb("25 %"),
        &nb("15 %"),
        "Frakt",
        "Returnert",
        // The return counts negative, in its line and in the sums.
        &nb("−199,00 kr"),
        &nb("683,00 kr"),
        &nb("551,28 kr"),
        &nb("131,72 kr"),
    ] {
        assert!(text.contains(needle), "{needle:?} missing from the page");
    }
    // The VAT by rate: 15 % on one line, 25 % on five (a return among them).
    let vat = &text[text.find("Mva per sats").expect("the VAT table")..];
    for needle in [
        &nb("139,13 kr"),
        &nb("20,87 kr"),
        &nb("160,00 kr"),
        "1 linje",
        &nb("412,15 kr"),
        &nb("110,85 kr"),
        &nb("523,00 kr"),
        "5 linjer",
    ] {
        assert!(vat.contains(needle), "{needle:?} missing from the VAT table");
    }
    // The two lines whose numbers disagree, and only those, are marked.
    assert!(text.contains("Tallene på 2 linjer stemmer ikke"), "the summary");
    assert!(text.contains("Sjekk «Lue med dusk»"));
    let warning = format!("mva er {}, men mva-satsen gir {}", nb("31,25 kr"), nb("25,00 kr"));
    assert!(text.contains(&warning), "the VAT warning");
    assert!(text.contains("Sjekk «Votter, røde»"));
    assert!(
        text.contains(&format!(
            "beløpet er {}, men enhetspris × antall − rabatt gir {}",
            nb("200,00 kr"),
            nb("288,00 kr")
        )),
        "the total warning"
    );
    assert_eq!(page.body.matches(r#"<tr class="warning staff">"#).count(), 2);
    // Unit prices by their unit: per kg for the coffee, a plain price for
    // pieces.
    assert!(text.contains(&format!("{} per kg", nb("320,00 kr"))), "the price per kg");
    assert!(!text.contains(&format!("{} per stk", nb("149,00 kr"))));
    // What was paid: the lines and the tip make the total; the payment
    // sources (700 + 62) do not add up to it, and the page says so.
    let paid = &text[text.find("Betaling").expect("the payment section")..];
    for needle in ["Kvitteringslinjer", &nb("683,00 kr"), "Tips", "Totalt betalt", &nb("703,00 kr")] {
        assert!(paid.contains(needle), "{needle:?} missing from what was paid");
    }
    assert!(
        text.contains(&format!(
            "Betalingsmåtene summerer seg til {}, men kvitteringslinjene og tipset utgjør {}",
            nb("762,00 kr"),
            nb("703,00 kr")
        )),
        "the sources that do not add up"
    );
    // A lookup box at the top (no cursor in it: the lookup page has that).
    assert!(page.body.contains(r#"<section class="lookup-bar staff""#));
    assert!(!page.body.contains("autofocus"));
    // The bottom line, old fields named as such.
    for needle in [
        "Kvitteringsnummer",
        "100042",
        "EAN-13",
        "7080001234567",
        "kasse-3",
        &nb("20,00 kr"),
        "Betalt med kort",
        &nb("700,00 kr"),
        "Betalt med gavekort",
        &nb("62,00 kr"),
        "term-9",
        &nb("682,00 kr"),
        "(eldre felt)",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from the receipt's facts");
    }
    // The links, in plain words; what the API does not hold, named; the
    // receipt cannot change.
    for needle in [
        "Kvittering",
        r#"href="https://butikk.example/ordre/1042""#,
        "butikk-logo",
        "Levering",
        r#"href="https://butikk.example/sporing/1042""#,
        "Vises ikke her",
        "refundert",
        "portal.vipps.no",
        "En kvittering kan ikke endres etter at den er sendt",
        "Betaling på nett eller i butikk",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from the page");
    }
    for engineers_word in ["RECEIPT", "DELIVERY", "PCS", ">ECOM<", "of it VAT", "Categories (v3)"] {
        assert!(!text.contains(engineers_word), "{engineers_word:?} on the page");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_language_in_its_own_words_and_numbers_with_a_switch() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let app = App::open(emu.client()).await;
    let english_keys: Vec<String> = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/en/console.ftl"))
        .unwrap()
        .lines()
        .filter(|l| l.contains('-') && l.starts_with(|c: char| c.is_ascii_lowercase()))
        .filter_map(|l| l.split_once(" =").map(|(k, _)| k.to_owned()))
        .collect();
    for (accept, lang, words, amount) in [
        ("nb", "nb", ["Mva per sats", "Slå opp en annen ordre"], nb("683,00 kr")),
        ("da-DK,da;q=0.9", "da", ["Moms pr. sats", "Slå en anden ordre op"], nb("683,00 NOK")),
        ("fi", "fi", ["ALV verokannoittain", "Hae toinen tilaus"], nb("683,00 NOK")),
        ("en-GB,en;q=0.9", "en", ["VAT by rate", "Look up another order"], nb("NOK 683.00")),
        ("de-DE", "en", ["VAT by rate", "Look up another order"], nb("NOK 683.00")),
    ] {
        let page = app.get_in(accept, "/orders/ecom/order-1042").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains(&format!(r#"<html lang="{lang}">"#)), "{accept}");
        let text = page.text();
        for w in words {
            assert!(text.contains(w), "{accept}: {w:?} missing");
        }
        assert!(text.contains(&amount), "{accept}: {amount:?} missing");
        for key in &english_keys {
            assert!(!text.contains(&format!(">{key}<")), "{accept}: the message {key} is missing");
        }
    }
    // The switch: a link per language back to this page; the choice kept.
    let page = app.get_in("nb", "/orders/ecom/order-1042").await;
    assert!(page.body.contains(r#"href="/lang/da?next=%2Forders%2Fecom%2Forder-1042""#));
    let switch = app.get("/lang/da?next=%2Forders%2Fecom%2Forder-1042").await;
    assert_eq!((switch.status, switch.header("location")), (303, "/orders/ecom/order-1042"));
    let cookie = switch.header("set-cookie").split(';').next().unwrap().to_owned();
    assert_eq!(cookie, "vipps_om_lang=da");
    let chosen = app
        .send(
            Request::get("/orders/ecom/order-1042")
                .header("accept-language", "nb")
                .header("cookie", &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(chosen.body.contains(r#"<html lang="da">"#), "the choice wins over the browser's");
    assert_eq!(app.get("/lang/sv?next=/").await.status, 404);
    assert_eq!(app.get("/lang/fi?next=//evil.example/").await.header("location"), "/");
}

/// Every free-text field another system can store, hostile (markup and a
/// right-to-left override): each shows as text, isolated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_text_in_every_field_stays_text() {
    let emu = Emulator::start().await.unwrap();
    let receipt = json!({
        "orderLines": [{"name": HOSTILE, "id": HOSTILE, "totalAmount": 100, "totalAmountExcludingTax": 80,
            "totalTaxAmount": 20, "taxRate": 2500, "productUrl": format!("https://shop.example/{HOSTILE}")}],
        "bottomLine": {"currency": "NOK", "posId": HOSTILE, "receiptNumber": HOSTILE, "terminalId": HOSTILE,
            "barcode": {"format": "CODE 128", "data": HOSTILE}}
    });
    assert_eq!(raw(&emu, "POST", "/order-management/v2/ECOM/receipts/h-1", receipt).await, 201);
    let url = format!("javascript:alert(1)//{HOSTILE}");
    assert_eq!(
        raw(
            &emu,
            "PUT",
            "/order-management/v2/ECOM/categories/h-1",
            json!({"category": "GENERAL", "orderDetailsUrl": url})
        )
        .await,
        200
    );
    let v3 = json!({"orderId": "h-1", "paymentType": "ECOM", "type": "GENERAL", "url": format!("https://shop.example/{HOSTILE}")});
    assert_eq!(raw(&emu, "POST", "/order-management/v3/categories", v3).await, 201);
    let app = App::open(emu.client()).await;
    let page = app.get("/orders/ecom/h-1").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let html = &page.body;
    assert!(!html.contains("<img") && !html.contains("<script"), "no markup from the data");
    assert!(!html.contains('\u{202e}'), "no direction override acts on the page");
    assert!(!html.contains(r#"href="javascript:"#), "a script URL is no link");
    // name, id, product link, POS id, receipt number, terminal id, barcode,
    // the category's link and the v3 link: each shown, escaped, isolated.
    let shown = html.matches(&format!("<bdi>{HOSTILE_SHOWN}</bdi>")).count()
        + html.matches(&format!("<bdi>https://shop.example/{HOSTILE_SHOWN}</bdi>")).count()
        + html.matches(&format!("<bdi>javascript:alert(1)//{HOSTILE_SHOWN}</bdi>")).count();
    assert_eq!(shown, 9, "{html}");
}

/// A line break in a name (a shop's system that joined two fields) shows
/// as a mark staff can see, not as a programmer's `\u{a}`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_line_break_in_a_name_is_a_visible_mark() {
    let emu = Emulator::start().await.unwrap();
    let receipt = json!({
        "orderLines": [{"name": "Votter\nrøde", "id": "sku-5", "totalAmount": 100, "totalAmountExcludingTax": 80,
            "totalTaxAmount": 20, "taxRate": 2500}],
        "bottomLine": {"currency": "NOK"}
    });
    assert_eq!(raw(&emu, "POST", "/order-management/v2/ECOM/receipts/lf-1", receipt).await, 201);
    let page = App::open(emu.client()).await.get_in("en", "/orders/ecom/lf-1").await;
    assert!(
        page.body
            .contains(r#"<bdi>Votter<span class="mark" title="U+000A">␊</span>røde</bdi>"#),
        "{}",
        page.body
    );
    assert!(!page.body.contains("\\u{a}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pasted_ids_are_cleaned_and_the_page_says_what_was_searched() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let app = App::open(emu.client()).await;
    // A leading #, a zero-width space and spaces, from the form.
    let to = app.get("/lookup?paymentType=ecom&orderId=+%23order-1042%E2%80%8B+").await;
    assert_eq!(to.status, 303);
    assert_eq!(to.header("location"), "/orders/ecom/order-1042?searched=+%23order-1042%E2%80%8B+");
    let page = app.get_in("en", to.header("location")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.text()
            .contains("You searched for “ #order-1042⟨U+200B⟩ ”; looked up as order-1042."),
        "{}",
        page.text()
    );
    // Only spaces around it: no note.
    let to = app.get("/lookup?paymentType=ecom&orderId=+order-1042+").await;
    assert_eq!(to.header("location"), "/orders/ecom/order-1042");
    // A shared address with a pasted id: on to the clean one.
    let to = app.get("/orders/ecom/order-1042%E2%80%8B").await;
    assert_eq!(to.status, 303);
    assert_eq!(to.header("location"), "/orders/ecom/order-1042?searched=order-1042%E2%80%8B");
    // What cannot be an id even cleaned: said in the staff's words, with
    // what was searched, the form filled in again.
    let page = app.get_in("nb", "/lookup?paymentType=recurring&orderId=ordre+%C3%A6%2F1").await;
    assert_eq!(page.status, 400);
    assert_eq!(page.h1s(), 1);
    let text = page.text();
    assert!(text.contains("Du søkte etter «ordre æ/1»"), "{text}");
    assert!(text.contains("det inneholder “æ” “/”"), "{text}");
    assert!(page.body.contains(r#"value="ordre æ/1""#));
    assert!(page.body.contains(r#"<option value="recurring" selected>"#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_stored_says_what_was_searched_and_offers_what_holds_something() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let client = emu.client();
    add_v3(
        &client,
        PaymentType::Recurring,
        "charge-77",
        CategoryType::General,
        "https://butikk.example/a",
    )
    .await;
    client
        .recurring("charge-88")
        .put_category(&vipps_order_management::Category::new(
            CategoryType::General,
            "https://butikk.example/b",
        ))
        .await
        .unwrap();
    let app = App::open(client).await;
    // The other payment type holds it.
    let page = app.get_in("en", "/orders/ecom/charge-88").await;
    assert_eq!(page.status, 404);
    assert_eq!(page.h1s(), 1);
    let text = page.text();
    assert!(text.contains("Nothing stored for this order"), "{text}");
    assert!(
        text.contains("no receipt and no link for order charge-88 (Online or in-store payment"),
        "{text}"
    );
    assert!(
        page.body.contains(r#"href="/orders/recurring/charge-88""#),
        "the other payment type offered"
    );
    assert!(!text.contains("Reference for Vipps MobilePay support"), "no escalation for a 404");
    assert!(text.contains("Vipps MobilePay support cannot add it"));
    // Another case holds it.
    let page = app.get_in("en", "/orders/ecom/ORDER-1042").await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains(r#"href="/orders/ecom/order-1042""#), "{}", page.body);
    assert!(page.text().contains("capital and small letters differ"));
    // Nothing anywhere: nothing offered, the search kept in the form.
    let page = app.get_in("en", "/orders/ecom/nothing-here").await;
    assert_eq!(page.status, 404);
    assert!(!page.body.contains(r#"class="instead""#));
    assert!(page.body.contains(r#"value="nothing-here""#));
    // The JSON answer says the same, in English.
    let api = app.get("/api/orders/ecom/charge-88").await;
    assert_eq!(api.status, 404);
    let error = &api.json()["error"];
    assert_eq!(error["kind"], "not_found");
    assert_eq!(error["instead"], json!([{"paymentType": "RECURRING", "orderId": "charge-88"}]));
    assert!(error["whatToDo"].as_str().unwrap().contains("Check the order number"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_slow_and_failing_read_differently() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    // Nothing listens: a port bound and let go.
    let closed = {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        socket.local_addr().unwrap()
    };
    let nowhere = emu
        .client_builder()
        .base_url(format!("http://{closed}"))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let page = App::open(nowhere).await.get_in("en", "/orders/ecom/order-1042").await;
    assert_eq!(page.status, 502);
    assert!(
        page.text().contains("Vipps MobilePay cannot be reached from here"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("not Vipps MobilePay being busy"));

    emu.inject(Fault::status(503).times(3).only(Operation::GetOrder));
    let busy = emu.client_builder().retry_policy(RetryPolicy::none()).build().unwrap();
    let page = App::open(busy).await.get_in("en", "/orders/ecom/order-1042").await;
    assert_eq!(page.status, 503);
    assert!(page.text().contains("Vipps MobilePay is busy or failing"));
    assert!(
        page.text().contains("Reference for Vipps MobilePay support"),
        "an id helps with their fault"
    );

    emu.clear_faults();
    emu.inject(Fault::stall(std::time::Duration::from_secs(5)).only(Operation::GetOrder));
    let impatient = emu
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .timeout(std::time::Duration::from_millis(200))
        .build()
        .unwrap();
    let page = App::open(impatient).await.get_in("en", "/orders/ecom/order-1042").await;
    assert_eq!(page.status, 504);
    assert!(page.text().contains("did not answer in time"));

    emu.clear_faults();
    let wrong = emu.client_builder().client_id("not-the-shops-client-id").build().unwrap();
    let page = App::open(wrong).await.get_in("en", "/orders/ecom/order-1042").await;
    assert_eq!(page.status, 502);
    assert!(page.text().contains("The shop's keys lack access") || page.text().contains("The shop&#39;s keys lack access"));
    assert!(!page.body.contains(emulator::CLIENT_SECRET), "no secret in a page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_answer_is_the_order_as_stored() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let app = App::open(emu.client()).await;
    // The order's page links to it.
    let page = app.get("/orders/ecom/order-1042").await;
    assert!(page.body.contains(r#"<a href="/api/orders/ecom/order-1042">"#), "{}", page.body);
    let api = app.get("/api/orders/ecom/order-1042").await;
    assert_eq!(api.status, 200);
    assert!(api.header("content-type").starts_with("application/json"));
    let body = api.json();
    let stored = emu.receipt_json(emulator::MSN, PaymentType::Ecom, "order-1042").unwrap();
    assert_eq!(body["order"]["receipt"], stored);
    assert_eq!(body["categories"][0]["type"], "DELIVERY");
    let api = app.get("/api/orders/ecom/%FF").await;
    assert_eq!(api.status, 400);
    assert_eq!(api.json()["error"]["kind"], "invalid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_orders_v3_categories_are_those_of_its_payment_type() {
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let client = emu.client();
    add_v3(
        &client,
        PaymentType::Recurring,
        "order-1042",
        CategoryType::Booking,
        "https://other.example/b",
    )
    .await;
    let app = App::open(client).await;
    let ecom = app.get_in("en", "/orders/ecom/order-1042").await.text();
    assert!(ecom.contains("Delivery") && !ecom.contains("Booking"));
    let recurring = app.get_in("en", "/orders/recurring/order-1042").await;
    assert_eq!(recurring.status, 200, "its own v3 category is worth a page");
    assert!(recurring.text().contains("Booking") && !recurring.text().contains(">Delivery<"));
    let api = app.get("/api/orders/recurring/order-1042").await.json();
    assert_eq!(api["categories"].as_array().unwrap().len(), 1);
    assert_eq!(api["order"], Value::Null, "nothing stored under v2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_have_strict_headers_and_malformed_requests_get_the_consoles_own_answers() {
    let emu = Emulator::start().await.unwrap();
    let app = App::open(emu.client()).await;
    let form = app.get("/").await;
    assert_eq!(form.status, 200);
    assert!(form.header("content-security-policy").starts_with("default-src 'none'"));
    assert_eq!(form.header("x-content-type-options"), "nosniff");
    assert_eq!(form.header("x-frame-options"), "DENY");
    assert_eq!(form.header("cache-control"), "no-store");
    assert_eq!(form.h1s(), 1);
    for path in [
        "/lookup",
        "/lookup?paymentType=ecom",
        "/lookup?paymentType=ECOM&orderId=a&orderId=b",
        "/lookup?paymentType=bitcoin&orderId=o-1",
        "/orders/ecom/%FF",
        "/orders/bitcoin/o-1",
    ] {
        let page = app.get_in("en", path).await;
        assert_eq!(page.status, 400, "{path}");
        assert!(page.header("content-type").starts_with("text/html"), "{path}");
        assert!(page.body.contains("Order support"), "{path}: the console's own page");
        assert_eq!(page.h1s(), 1, "{path}");
    }
    let page = app.get_in("en", "/no/such/page").await;
    assert_eq!((page.status, page.h1s()), (404, 1));
}

/// Another system stored numbers that cannot be right: each is marked, the
/// page still shows the rest, and an unknown currency is shown isolated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_that_cannot_be_right_are_marked() {
    let emu = Emulator::start().await.unwrap();
    let receipt = json!({
        "orderLines": [
            {"name": "Huge", "id": "a", "totalAmount": 100, "totalAmountExcludingTax": 80, "totalTaxAmount": 20, "taxRate": 2500,
             "unitInfo": {"unitPrice": i64::MAX, "quantity": "2", "quantityUnit": "PCS"}},
            {"name": "Rate", "id": "b", "totalAmount": 100, "totalAmountExcludingTax": 33, "totalTaxAmount": 67, "taxRate": 20000}
        ],
        "bottomLine": {"currency": "NOK"}
    });
    // The service refuses a rate past 100 %; another client's answer can
    // still carry one: served as the answer to this order.
    let mut served = json!({"receipt": receipt});
    served["receipt"]["bottomLine"]["currency"] = json!("\u{202e}KES");
    emu.inject(
        Fault::status(200)
            .only(Operation::GetOrder)
            .order("odd-1")
            .body(served.to_string(), "application/json")
            .times(10),
    );
    let app = App::open(emu.client()).await;
    let page = app.get_in("en", "/orders/ecom/odd-1").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let text = page.text();
    assert!(
        text.contains("unit price × quantity − discount is larger than any amount can be"),
        "{text}"
    );
    assert!(text.contains("the VAT rate is outside 0 % to 100 %"), "{text}");
    assert!(!page.body.contains('\u{202e}'), "the currency is shown escaped");
    assert!(
        page.body
            .contains(r#"<bdi><span class="mark" title="U+202E">⟨U+202E⟩</span>KES</bdi>"#),
        "{}",
        page.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_cannot_be_an_id_is_named_for_what_it_is() {
    let emu = Emulator::start().await.unwrap();
    let app = App::open(emu.client()).await;
    let emoji = app.get_in("en", "/lookup?paymentType=ecom&orderId=%F0%9F%98%80").await;
    assert_eq!(emoji.status, 400);
    assert!(
        emoji.text().contains("it holds “😀”, which order numbers cannot hold"),
        "{}",
        emoji.text()
    );
    let bytes = app.get_in("en", "/orders/ecom/%FF").await;
    assert_eq!(bytes.status, 400);
    assert!(
        bytes.text().contains("the address holds bytes that are not text"),
        "{}",
        bytes.text()
    );
    // An invisible character inside an id is named visibly, in JSON too.
    let api = app.get("/api/orders/ecom/ab%E2%80%8Bc").await;
    assert_eq!(api.status, 400);
    let message = api.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("⟨U+200B⟩") && !message.contains('\u{200b}'), "{message}");
    // Methods an address does not take: a page, in the staff's language.
    let wrong = app
        .send(
            axum::http::Request::post("/")
                .header("accept-language", "nb")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.h1s(), 1);
    assert!(wrong.body.contains(r#"<html lang="nb">"#) && wrong.text().contains("Denne adressen gjør ikke det"));
    // The language switch never leads to sign-out's address.
    assert_eq!(app.get("/lang/en?next=%2Flogout").await.header("location"), "/");
}

/// A body that never ends is answered 408 within the console's time, and
/// never reaches a handler.
#[tokio::test]
async fn a_body_that_never_ends_is_answered_in_time() {
    let closed = {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        socket.local_addr().unwrap()
    };
    let client = vipps_order_management::Client::builder()
        .client_id("a")
        .client_secret("b")
        .subscription_key("c")
        .merchant_serial_number("123456")
        .base_url(format!("http://{closed}"))
        .build()
        .unwrap();
    // The store is opened on the real clock (its connection comes from a
    // thread of its own); the body's wait runs on a paused one.
    let app = App::open(client).await;
    tokio::time::pause();
    let never = futures_util::stream::pending::<Result<axum::body::Bytes, std::io::Error>>();
    let request = axum::http::Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from_stream(never))
        .unwrap();
    let page = app.send(request).await;
    assert_eq!(page.status, 408);
    assert!(page.body.contains("<h1"));
}

/// The lookup page puts the cursor in the order field: staff paste at
/// once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lookup_page_puts_the_cursor_in_the_order_field() {
    let emu = Emulator::start().await.unwrap();
    let page = App::open(emu.client()).await.get_in("en", "/").await;
    assert_eq!(page.body.matches("autofocus").count(), 1);
    let field = &page.body[page.body.find(r#"<input id="orderId""#).unwrap()..];
    assert!(field[..field.find('>').unwrap()].contains("autofocus"), "{field}");
}

/// A lookup slower than the notice: the page says so at once, and the
/// rest follows on the same page; a console told to stop meanwhile ends
/// the page saying so. (In-process, the notice after 50 ms.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_lookup_streams_its_page_and_a_stop_ends_it_in_words() {
    use futures_util::StreamExt as _;
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    emu.inject(
        Fault::stall(std::time::Duration::from_millis(1500))
            .only(Operation::GetOrder)
            .times(1),
    );
    let store = vipps_om::console::Store::memory().await.unwrap();
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let app = App::adjusted(emu.client(), store, vipps_om::console::Access::loopback, |console| {
        console.slow_notice(std::time::Duration::from_millis(50)).stops_with(stopping)
    });
    let request = || {
        let mut r = Request::get("/orders/ecom/order-1042")
            .header("host", "127.0.0.1:8080")
            .header("accept-language", "en")
            .body(Body::empty())
            .unwrap();
        r.extensions_mut().insert(axum::extract::ConnectInfo(vipps_om::console::Peer::at(
            "127.0.0.1:5000".parse().unwrap(),
        )));
        r
    };
    let response = tower::ServiceExt::oneshot(app.router.clone(), request()).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-accel-buffering"], "no");
    let mut body = response.into_body().into_data_stream();
    let first = String::from_utf8(body.next().await.unwrap().unwrap().to_vec()).unwrap();
    assert!(
        first.starts_with("<!DOCTYPE html>") && first.contains(r#"<p class="waiting" role="status">"#),
        "{first}"
    );
    assert!(first.contains("<title>Order \u{2068}order-1042\u{2069} · Order support</title>") && !first.contains("Wool"));
    let mut rest = String::new();
    while let Some(chunk) = body.next().await {
        rest.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
    }
    assert!(rest.starts_with(r#"<div class="arrived">"#), "{rest}");
    assert!(rest.contains("Ullsokker") && rest.trim_end().ends_with("</html>"), "{rest}");
    assert_eq!(app.audit().await.len(), 1, "recorded before it was sent");

    // Slow again, and the console told to stop while it waits.
    emu.inject(Fault::stall(std::time::Duration::from_secs(30)).only(Operation::GetOrder).times(1));
    let response = tower::ServiceExt::oneshot(app.router.clone(), request()).await.unwrap();
    let mut body = response.into_body().into_data_stream();
    let first = body.next().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("waiting"));
    stop.send(true).unwrap();
    let mut rest = String::new();
    while let Some(chunk) = body.next().await {
        rest.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
    }
    assert!(
        rest.contains("The console is restarting") && rest.trim_end().ends_with("</html>"),
        "{rest}"
    );
    assert_eq!(app.audit().await.len(), 1, "nothing more shown, nothing more recorded");
}

/// Each answer's size is known before it is sent (its Content-Length),
/// and an empty one ends at once: the body that keeps its connection busy
/// hides neither.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_keep_their_size_through_the_layers() {
    use hyper::body::Body as _;
    let emu = Emulator::start().await.unwrap();
    seed_1042(&emu).await;
    let app = App::open(emu.client()).await;
    let send = |path: &str| {
        let mut r = Request::get(path).header("host", "127.0.0.1:8080").body(Body::empty()).unwrap();
        r.extensions_mut().insert(axum::extract::ConnectInfo(vipps_om::console::Peer::at(
            "127.0.0.1:5000".parse().unwrap(),
        )));
        tower::ServiceExt::oneshot(app.router.clone(), r)
    };
    let page = send("/orders/ecom/order-1042").await.unwrap();
    let size = page.body().size_hint().exact();
    let bytes = axum::body::to_bytes(page.into_body(), usize::MAX).await.unwrap();
    assert_eq!(size, Some(bytes.len() as u64));
    let moved = send("/lookup?paymentType=ecom&orderId=order-1042").await.unwrap();
    assert_eq!(moved.status(), 303);
    assert!(moved.body().is_end_stream(), "a redirect's empty body ends at once");
}
