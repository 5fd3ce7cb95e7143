//! The console over the shop's outbox: each order's deliveries next to its
//! receipt (waiting, tries, the last problem, the next try, failed for
//! good), also when Vipps MobilePay holds nothing for the order; "try
//! again now" from the console's own page only, recorded in the audit
//! trail; the department's undelivered, oldest first.

mod common;

use axum::body::Body;
use axum::http::Request;
use common::console::App;
use vipps_om::console::Access;
use vipps_order_management::{Amount, Currency, Operation, OrderLine, PaymentType, Receipt, TaxRate};
use vipps_order_management_emulator::{Emulator, Fault, MSN};
use vipps_order_management_outbox::{Clients, Delivery, JobState, Outbox, Worker};

fn receipt(name: &str) -> Receipt {
    let line = OrderLine::new("1", name, Amount::from_minor(1250), Amount::from_minor(1000), TaxRate::percent(25));
    Receipt::new(Currency::Nok, vec![line])
}

fn delivery(order: &str, name: &str) -> Delivery {
    Delivery::receipt(MSN, PaymentType::Ecom, order, receipt(name)).unwrap()
}

/// An outbox with a delivery that failed for good (`taken`: the order
/// holds another receipt), one that waits for its next try (`waiting`:
/// the API failed; nothing is stored for the order), and one delivered
/// (`done`); their ids.
async fn outbox_with_troubles(emu: &Emulator) -> (Outbox, i64, i64, i64) {
    let outbox = Outbox::memory().await.unwrap();
    emu.client().ecom("taken").post_receipt(&receipt("Hat")).await.unwrap();
    let dead = outbox.enqueue(&delivery("taken", "Socks")).await.unwrap().id();
    emu.inject(
        Fault::status(503)
            .retry_after("3600")
            .only(Operation::PostReceipt)
            .order("waiting")
            .times(10),
    );
    let waiting = outbox.enqueue(&delivery("waiting", "Socks")).await.unwrap().id();
    let done = outbox.enqueue(&delivery("done", "Socks")).await.unwrap().id();
    let report = Worker::new(outbox.clone(), Clients::new().merchant(emu.client()))
        .drain()
        .await
        .unwrap();
    assert_eq!((report.delivered, report.retried, report.dead), (1, 1, 1), "{report:?}");
    (outbox, dead, waiting, done)
}

fn console(emu: &Emulator, outbox: &Outbox, store: vipps_om::console::Store) -> App {
    let outbox = outbox.clone();
    App::adjusted(emu.client(), store, Access::loopback, move |c| c.with_outbox(outbox))
}

/// "Try again now", as the console's own page sends it (or another site's).
fn retry(id: i64, site: &str, next: &str) -> Request<Body> {
    Request::post(format!("/deliveries/{id}/retry"))
        .header("sec-fetch-site", site)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        )))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_orders_deliveries_show_next_to_its_receipt() {
    let emu = Emulator::start().await.unwrap();
    let (outbox, dead, waiting, _) = outbox_with_troubles(&emu).await;
    let app = console(&emu, &outbox, vipps_om::console::Store::memory().await.unwrap());

    let page = app.get_in("en", "/orders/ecom/taken").await;
    assert_eq!(page.status, 200);
    let text = page.text();
    for needle in [
        "Sent from the shop",
        "Failed: needs someone to act",
        "tried once",
        "a different receipt is already stored for this order",
        "Try again now",
        "Undelivered",
    ] {
        assert!(text.contains(needle), "{needle:?} missing");
    }
    assert!(
        page.body.contains(&format!(r#"action="/deliveries/{dead}/retry""#)),
        "the retry form"
    );
    // Receipt first, then what the shop sent.
    assert!(text.find("Receipt").unwrap() < text.find("Sent from the shop").unwrap());

    // Nothing stored at Vipps MobilePay: the page says so, and shows why
    // (the shop's delivery waits for its next try).
    let page = app.get_in("en", "/orders/ecom/waiting").await;
    assert_eq!(page.status, 404);
    let text = page.text();
    for needle in ["Failed, will be tried again", "next try", "503", "Try again now"] {
        assert!(text.contains(needle), "{needle:?} missing: {text}");
    }
    assert!(page.body.contains(&format!("/deliveries/{waiting}/retry")));
    // In Norwegian too.
    let page = app.get_in("nb", "/orders/ecom/taken").await;
    assert!(page.text().contains("Feilet: noen må gjøre noe"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn try_again_now_is_recorded_and_only_from_the_consoles_own_page() {
    let emu = Emulator::start().await.unwrap();
    let (outbox, dead, _, done) = outbox_with_troubles(&emu).await;
    let app = console(&emu, &outbox, vipps_om::console::Store::memory().await.unwrap());

    // Another site's page cannot make staff retry.
    let page = app.send(retry(dead, "cross-site", "/orders/ecom/taken")).await;
    assert_eq!(page.status, 403);
    assert_eq!(outbox.job(dead).await.unwrap().state, JobState::Dead);
    assert!(!app.audit_text().await.contains("delivery-retry"));

    let page = app.send(retry(dead, "same-origin", "/orders/ecom/taken")).await;
    assert_eq!(page.status, 303);
    assert_eq!(page.header("location"), "/orders/ecom/taken");
    let job = outbox.job(dead).await.unwrap();
    assert_eq!(job.state, JobState::Pending);
    assert!(job.next_try_at <= std::time::SystemTime::now());
    let entry = app
        .audit()
        .await
        .into_iter()
        .find(|e| e["event"] == "delivery-retry")
        .expect("recorded");
    assert_eq!(
        (
            entry["who"].as_str(),
            entry["orderId"].as_str(),
            entry["what"].as_str(),
            entry["outcome"].as_str()
        ),
        (
            Some("this machine"),
            Some("taken"),
            Some(format!("delivery {dead}").as_str()),
            Some("retried")
        )
    );

    // A delivered one: nothing to do, recorded as such.
    let page = app.send(retry(done, "same-origin", "https://evil.example/")).await;
    assert_eq!(
        (page.status, page.header("location")),
        (303, "/orders/ecom/done"),
        "never off the console"
    );
    assert_eq!(outbox.job(done).await.unwrap().state, JobState::Delivered);
    assert!(app.audit_text().await.contains("already-delivered"));

    // No such delivery, or another merchant's: no such page.
    assert_eq!(app.send(retry(99_999, "same-origin", "/")).await.status, 404);
    let theirs = outbox
        .enqueue(&Delivery::receipt("654321", PaymentType::Ecom, "x", receipt("Socks")).unwrap())
        .await
        .unwrap()
        .id();
    outbox.discard(theirs, "test: another merchant's").await.unwrap();
    assert_eq!(app.send(retry(theirs, "same-origin", "/")).await.status, 404);
    assert_eq!(outbox.job(theirs).await.unwrap().state, JobState::Discarded);
    assert_eq!(
        app.send(Request::get(format!("/deliveries/{dead}/retry")).body(Body::empty()).unwrap())
            .await
            .status,
        405
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_department_sees_the_undelivered_oldest_first() {
    let emu = Emulator::start().await.unwrap();
    let (outbox, dead, waiting, _) = outbox_with_troubles(&emu).await;
    let app = console(&emu, &outbox, vipps_om::console::Store::memory().await.unwrap());
    let page = app.get_in("en", "/deliveries").await;
    assert_eq!(page.status, 200);
    let text = page.text();
    assert!(text.contains("2 deliveries not delivered, one of them failed for good"), "{text}");
    let (first, second) = (
        page.body.find(&format!("/deliveries/{dead}/retry")).unwrap(),
        page.body.find(&format!("/deliveries/{waiting}/retry")).unwrap(),
    );
    assert!(first < second, "oldest first");
    assert!(page.body.contains(r#"href="/orders/ecom/taken""#) && page.body.contains(r#"href="/orders/ecom/waiting""#));
    assert!(!page.body.contains("/orders/ecom/done"), "the delivered are not listed");
    let entry = app
        .audit()
        .await
        .into_iter()
        .find(|e| e["what"] == "undelivered")
        .expect("the view is recorded");
    assert_eq!(
        (entry["event"].as_str(), entry["outcome"].as_str()),
        (Some("lookup"), Some("shown"))
    );

    // All delivered: said so.
    for id in [dead, waiting] {
        outbox.discard(id, "test").await.unwrap();
    }
    assert!(app
        .get_in("en", "/deliveries")
        .await
        .text()
        .contains("Everything the shop sent has been delivered."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_console_without_an_outbox_shows_none_of_it() {
    let emu = Emulator::start().await.unwrap();
    emu.client().ecom("taken").post_receipt(&receipt("Hat")).await.unwrap();
    let app = App::open(emu.client()).await;
    let page = app.get_in("en", "/orders/ecom/taken").await;
    assert_eq!(page.status, 200);
    assert!(!page.text().contains("Sent from the shop") && !page.body.contains("/deliveries"));
    assert_eq!(app.get("/deliveries").await.status, 404);
    assert_eq!(app.send(retry(1, "same-origin", "/")).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outbox_that_fails_is_said_on_the_page() {
    let emu = Emulator::start().await.unwrap();
    emu.client().ecom("taken").post_receipt(&receipt("Hat")).await.unwrap();
    let outbox = Outbox::memory().await.unwrap();
    let app = console(&emu, &outbox, vipps_om::console::Store::memory().await.unwrap());
    outbox.close().await;
    let page = app.get_in("en", "/orders/ecom/taken").await;
    assert_eq!(page.status, 200, "the order is shown whatever the outbox does");
    assert!(page.text().contains("The shop's outbox cannot be read"));
    let page = app.get_in("en", "/deliveries").await;
    assert_eq!(page.status, 503);
}
