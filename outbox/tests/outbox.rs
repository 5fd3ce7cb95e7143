//! The outbox on SQLite and on a real Postgres (a throwaway cluster, or a
//! SKIP line where there is none; CI refuses the skip): enqueueing's rules,
//! delivery of every kind in order, failures tried again or dead, staff's
//! retry and discard, rows written by plain SQL, leases, several workers on
//! one outbox, a graceful stop, and transactions committed or rolled back.

mod common;

use std::time::{Duration, SystemTime};

use common::{receipt_at, receipt_delivery};
use vipps_order_management::{Category, CategoryType, ImageUpload, NewCategory, Operation, PaymentType};
use vipps_order_management_emulator::{Emulator, Fault};
use vipps_order_management_outbox::{Clients, Delivery, Enqueued, Filter, JobState, Outbox, OutboxError, Worker};

const MSN: &str = "123456";

/// A PNG of 1 × `height` pixels, as the API's checks read it.
fn png(height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend_from_slice(&1u32.to_be_bytes());
    png.extend_from_slice(&height.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    png.extend_from_slice(b"\0\0\0\0IEND\xaeB`\x82");
    png
}

async fn emulator() -> Emulator {
    Emulator::builder().merchant_serial_number(MSN).start().await.unwrap()
}

/// A worker that finds due work at once.
fn worker(outbox: &Outbox, emulator: &Emulator) -> Worker {
    Worker::new(outbox.clone(), Clients::new().partner(emulator.client())).poll_interval(Duration::from_millis(10))
}

/// Runs a SQL statement on the outbox's database, as another program would.
async fn sql(url: &str, statement: &str) {
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(statement.to_owned()))
        .execute(&mut conn)
        .await
        .unwrap();
}

fn now_ms() -> i64 {
    i64::try_from(SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_millis()).unwrap()
}

on_both!(
    enqueue_rules,
    every_kind_is_delivered_in_order,
    failures_are_tried_again_or_dead,
    staff_retry_and_discard,
    rows_written_by_plain_sql,
    leases_hold_and_expire,
    workers_share_one_outbox,
    a_worker_claims_only_what_it_serves,
    a_graceful_stop_gives_back_what_it_holds,
);

#[test]
fn postgres_tests_run_under_ci() {
    common::postgres_feature_is_on_under_ci();
}

async fn enqueue_rules(url: &str) {
    let outbox = Outbox::open(url).await.unwrap();
    let first = outbox.enqueue(&receipt_delivery(MSN, "order-1", 100)).await.unwrap();
    let Enqueued::Added(id) = first else { panic!("{first:?}") };
    assert_eq!(
        outbox.enqueue(&receipt_delivery(MSN, "order-1", 100)).await.unwrap(),
        Enqueued::AlreadyThere(id, JobState::Pending),
        "the same receipt again is a no-op"
    );
    let err = outbox.enqueue(&receipt_delivery(MSN, "order-1", 200)).await.unwrap_err();
    assert!(matches!(err, OutboxError::Conflict { id: i, .. } if i == id), "{err:?}");
    assert!(err.to_string().contains("order order-1 (ECOM) at merchant 123456"), "{err}");
    // The same order at another merchant is another key.
    let Enqueued::Added(elsewhere) = outbox.enqueue(&receipt_delivery("654321", "order-1", 200)).await.unwrap() else {
        panic!("the same order at another merchant is another key")
    };
    // A newer v2 category replaces the older.
    let category = |t| Delivery::category(MSN, PaymentType::Ecom, "order-1", Category::new(t, "https://shop.example/o/1")).unwrap();
    let Enqueued::Added(cid) = outbox.enqueue(&category(CategoryType::OrderConfirmation)).await.unwrap() else {
        panic!()
    };
    assert_eq!(
        outbox.enqueue(&category(CategoryType::Delivery)).await.unwrap(),
        Enqueued::Replaced(cid)
    );
    assert!(outbox.job(cid).await.unwrap().body.contains("DELIVERY"));
    // What the client refuses, the outbox refuses before anything is kept.
    let bad = Delivery::receipt(MSN, PaymentType::Ecom, "order 1", receipt_at(100)).unwrap_err();
    assert!(bad.to_string().contains("orderId"), "{bad}");
    let own_id = Delivery::image(MSN, ImageUpload::from_bytes(png(200)).unwrap().with_id("my-logo")).unwrap_err();
    assert!(own_id.to_string().contains("id made from the image's bytes"), "{own_id}");
    let undelivered = outbox.list(&Filter::undelivered()).await.unwrap();
    assert_eq!(undelivered.iter().map(|j| j.id).collect::<Vec<_>>(), vec![id, elsewhere, cid]);
    assert_eq!(outbox.count(&Filter::undelivered()).await.unwrap(), 3);
    assert_eq!(outbox.list(&Filter::undelivered().limit(2)).await.unwrap().len(), 2);
    // A receipt set aside by staff makes way for a corrected one, as the
    // conflict's words say.
    outbox.discard(id, "kari: the wrong price").await.unwrap();
    assert_eq!(
        outbox.enqueue(&receipt_delivery(MSN, "order-1", 200)).await.unwrap(),
        Enqueued::Replaced(id)
    );
    let job = outbox.job(id).await.unwrap();
    assert_eq!((job.state, job.outcome.as_deref()), (JobState::Pending, None));
    assert_eq!(job.delivery().unwrap().to_json(), receipt_delivery(MSN, "order-1", 200).to_json());
    // A batch is all or nothing, and names the delivery it refused.
    let batch = [receipt_delivery(MSN, "batch-1", 100), receipt_delivery(MSN, "order-1", 300)];
    let err = outbox.enqueue_all(&batch).await.unwrap_err();
    assert!(matches!(&err, OutboxError::InBatch { index: 1, .. }), "{err:?}");
    let twice = [receipt_delivery(MSN, "batch-2", 100), receipt_delivery(MSN, "batch-2", 300)];
    let err = outbox.enqueue_all(&twice).await.unwrap_err().to_string();
    assert!(
        err.contains("delivery 2 of the batch") && err.contains("key of delivery 1"),
        "{err}"
    );
    assert_eq!(
        outbox.list(&Filter::order("batch-1")).await.unwrap().len(),
        0,
        "nothing of a refused batch"
    );
    // A SQLite file that is not there is no empty outbox for staff.
    if url.starts_with("sqlite") {
        let missing = format!("{url}-missing");
        let err = Outbox::open_existing(&missing).await.unwrap_err().to_string();
        assert!(err.contains("there is no outbox at"), "{err}");
    }
}

async fn every_kind_is_delivered_in_order(url: &str) {
    let emulator = emulator().await;
    let outbox = Outbox::open(url).await.unwrap();
    let image = ImageUpload::from_bytes(png(200)).unwrap();
    let image_id = image.id().clone();
    // The categories first: each waits for the image it names.
    let v2 = Category::new(CategoryType::Receipt, "https://shop.example/o/1").with_image(image_id.clone());
    outbox
        .enqueue(&Delivery::category(MSN, PaymentType::Ecom, "order-1", v2.clone()).unwrap())
        .await
        .unwrap();
    // Another link of the same kind on the order already: not this one.
    let other = NewCategory::new(PaymentType::Ecom, "order-1", CategoryType::Ticket, "https://shop.example/t/other");
    emulator.client().categories().add(&other).await.unwrap();
    let v3 = NewCategory::new(PaymentType::Ecom, "order-1", CategoryType::Ticket, "https://shop.example/t/1").with_image(image_id.clone());
    let v3_id = outbox.enqueue(&Delivery::category_v3(MSN, v3).unwrap()).await.unwrap().id();
    outbox.enqueue(&Delivery::image(MSN, image).unwrap()).await.unwrap();
    outbox.enqueue(&receipt_delivery(MSN, "order-1", 100)).await.unwrap();

    let report = worker(&outbox, &emulator).drain().await.unwrap();
    assert_eq!((report.delivered, report.retried, report.dead), (4, 0, 0), "{report:?}");
    assert_eq!(emulator.receipt_for(MSN, PaymentType::Ecom, "order-1"), Some(receipt_at(100)));
    assert_eq!(emulator.category_for(MSN, PaymentType::Ecom, "order-1"), Some(v2));
    assert_eq!(emulator.image_ids(), vec![image_id.to_string()]);
    assert_eq!(emulator.categories_v3().len(), 2);
    let ops: Vec<Operation> = emulator.requests().iter().filter_map(|r| r.operation).collect();
    let at = |op| {
        ops.iter()
            .rposition(|o| *o == op)
            .unwrap_or_else(|| panic!("{op:?} not sent: {ops:?}"))
    };
    assert!(at(Operation::UploadImage) < at(Operation::PutCategory), "{ops:?}");
    assert!(at(Operation::UploadImage) < at(Operation::AddCategory), "{ops:?}");
    assert!(outbox.list(&Filter::undelivered()).await.unwrap().is_empty());
    let job = outbox.job(v3_id).await.unwrap();
    assert_eq!((job.state, job.outcome.as_deref()), (JobState::Delivered, Some("stored")));

    // Delivered again (a crash before its end was kept): the v3 category on
    // the order already is this one, and nothing is added.
    sql(
        url,
        &format!("UPDATE vipps_om_outbox SET state = 'pending', next_try_at = 0 WHERE id = {v3_id}"),
    )
    .await;
    let report = worker(&outbox, &emulator).drain().await.unwrap();
    assert_eq!(report.delivered, 1);
    assert_eq!(emulator.categories_v3().len(), 2);
    assert_eq!(outbox.job(v3_id).await.unwrap().outcome.as_deref(), Some("already stored"));
}

async fn failures_are_tried_again_or_dead(url: &str) {
    let emulator = emulator().await;
    let outbox = Outbox::open(url).await.unwrap();
    // Rate limited on every attempt of the SDK's own retries: the outbox
    // tries again after the service's Retry-After.
    emulator.inject(Fault::status(429).retry_after("120").only(Operation::PostReceipt).order("slow"));
    let slow = outbox.enqueue(&receipt_delivery(MSN, "slow", 100)).await.unwrap().id();
    // A different receipt is stored for this order already: dead at once.
    emulator.client().ecom("taken").post_receipt(&receipt_at(500)).await.unwrap();
    let taken = outbox.enqueue(&receipt_delivery(MSN, "taken", 100)).await.unwrap().id();
    let before = SystemTime::now();
    let report = worker(&outbox, &emulator).drain().await.unwrap();
    assert_eq!((report.delivered, report.retried, report.dead), (0, 1, 1), "{report:?}");

    let job = outbox.job(slow).await.unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Pending, 1));
    assert!(job.next_try_at >= before + Duration::from_secs(119), "{job:?}");
    assert!(job.last_error.as_deref().unwrap_or_default().contains("429"), "{job:?}");
    let job = outbox.job(taken).await.unwrap();
    assert_eq!(job.state, JobState::Dead);
    assert!(
        job.last_error.as_deref().unwrap_or_default().contains("different receipt"),
        "{job:?}"
    );
    assert_eq!(emulator.receipt_for(MSN, PaymentType::Ecom, "taken"), Some(receipt_at(500)));

    // Refused keys: dead at once, with what to do.
    let wrong = emulator.client_builder().client_secret("wrong").build().unwrap();
    let refused = outbox.enqueue(&receipt_delivery(MSN, "refused", 100)).await.unwrap().id();
    let report = Worker::new(outbox.clone(), Clients::new().merchant(wrong)).drain().await.unwrap();
    assert_eq!(report.dead, 1, "{report:?}");
    let job = outbox.job(refused).await.unwrap();
    assert_eq!(job.state, JobState::Dead);
    assert!(job.last_error.as_deref().unwrap_or_default().contains("401"), "{job:?}");
}

async fn staff_retry_and_discard(url: &str) {
    let emulator = emulator().await;
    let outbox = Outbox::open(url).await.unwrap();
    emulator.inject(Fault::status(503).retry_after("600").only(Operation::PostReceipt).times(100));
    let id = outbox.enqueue(&receipt_delivery(MSN, "order-1", 100)).await.unwrap().id();
    let other = outbox.enqueue(&receipt_delivery(MSN, "order-2", 100)).await.unwrap().id();
    let report = worker(&outbox, &emulator).drain().await.unwrap();
    assert_eq!(report.retried, 2);
    emulator.clear_faults();
    // Nothing is due: the next try is ten minutes away.
    assert_eq!(worker(&outbox, &emulator).drain().await.unwrap().delivered, 0);
    // Retry now: the schedule starts over.
    let job = outbox.retry(id).await.unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Pending, 0));
    assert!(job.next_try_at <= SystemTime::now());
    assert_eq!(worker(&outbox, &emulator).drain().await.unwrap().delivered, 1);
    assert_eq!(outbox.job(id).await.unwrap().state, JobState::Delivered);
    let refused = outbox.retry(id).await.unwrap_err();
    assert!(refused.to_string().contains("nothing to retry"), "{refused}");
    // Discard, with a reason; then it is never delivered.
    let err = outbox.discard(other, "  ").await.unwrap_err();
    assert!(err.to_string().contains("needs a reason"), "{err}");
    let job = outbox.discard(other, "kari: the order was cancelled").await.unwrap();
    assert_eq!(
        (job.state, job.outcome.as_deref()),
        (JobState::Discarded, Some("kari: the order was cancelled"))
    );
    assert!(outbox
        .discard(other, "again")
        .await
        .unwrap_err()
        .to_string()
        .contains("discarded already"));
    outbox.retry(other).await.unwrap();
    assert_eq!(
        outbox.job(other).await.unwrap().state,
        JobState::Pending,
        "retry brings a discarded one back"
    );
    outbox.discard(other, "kari: cancelled after all").await.unwrap();
    assert_eq!(worker(&outbox, &emulator).drain().await.unwrap().delivered, 0);
    assert!(emulator.receipt_for(MSN, PaymentType::Ecom, "order-2").is_none());
    assert!(matches!(outbox.job(999_999).await.unwrap_err(), OutboxError::NotFound(999_999)));
    let summary = outbox.summary().await.unwrap();
    assert_eq!((summary.pending, summary.dead, summary.oldest_pending), (0, 0, None));
    // Every dead one at once (of one merchant, or all).
    sql(url, "UPDATE vipps_om_outbox SET state = 'dead'").await;
    assert_eq!(outbox.retry_dead(Some("999999")).await.unwrap(), 0);
    assert_eq!(outbox.retry_dead(Some(MSN)).await.unwrap(), 2);
    sql(url, "UPDATE vipps_om_outbox SET state = 'dead'").await;
    assert_eq!(outbox.retry_dead(None).await.unwrap(), 2);
    assert_eq!(outbox.summary().await.unwrap().pending, 2);
}

async fn rows_written_by_plain_sql(url: &str) {
    let emulator = emulator().await;
    let outbox = Outbox::open(url).await.unwrap();
    // What a shop in PHP inserts in its own transaction: the key's columns
    // and the API request's body; every other column has its default.
    let body = serde_json::to_string(&receipt_at(100)).unwrap();
    sql(
        url,
        &format!(
            "INSERT INTO vipps_om_outbox (merchant_serial_number, payment_type, order_id, kind, body) \
             VALUES ('{MSN}', 'ECOM', 'php-1', 'receipt', '{body}') ON CONFLICT DO NOTHING"
        ),
    )
    .await;
    sql(
        url,
        &format!("INSERT INTO vipps_om_outbox (merchant_serial_number, payment_type, order_id, kind, body) VALUES ('{MSN}', 'ECOM', 'php-2', 'receipt', 'not json')"),
    )
    .await;
    // A misspelled field: never delivered without it (a receipt cannot be
    // corrected), dead with what would be lost.
    let typo = body.replacen("\"bottomLine\":{", "\"bottomLine\":{\"recieptNumber\":\"77\",", 1);
    assert_ne!(typo, body);
    sql(
        url,
        &format!("INSERT INTO vipps_om_outbox (merchant_serial_number, payment_type, order_id, kind, body) VALUES ('{MSN}', 'ECOM', 'php-3', 'receipt', '{typo}')"),
    )
    .await;
    let summary = outbox.summary().await.unwrap();
    assert_eq!(summary.pending, 3);
    let age = SystemTime::now()
        .duration_since(summary.oldest_pending.unwrap())
        .unwrap_or_default();
    assert!(age < Duration::from_secs(60), "the database's default time is now: {age:?}");
    let report = worker(&outbox, &emulator).drain().await.unwrap();
    assert_eq!((report.delivered, report.dead), (1, 2), "{report:?}");
    assert_eq!(emulator.receipt_for(MSN, PaymentType::Ecom, "php-1"), Some(receipt_at(100)));
    assert_eq!(emulator.receipt_for(MSN, PaymentType::Ecom, "php-3"), None);
    let dead = outbox.list(&Filter::undelivered()).await.unwrap();
    assert_eq!(dead.len(), 2);
    let said = dead[0].last_error.clone().unwrap_or_default();
    assert!(
        said.contains("cannot be delivered as written") && said.contains("not JSON"),
        "{said}"
    );
    assert!(!said.contains(".."), "{said}");
    let said = dead[1].last_error.clone().unwrap_or_default();
    assert!(
        said.contains("bottomLine.recieptNumber (not a field of the API's body: a typo?)"),
        "{said}"
    );
    // The API's spelling of a payment type only: one key, one spelling.
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(url).await.unwrap();
    let lower = format!("INSERT INTO vipps_om_outbox (merchant_serial_number, payment_type, order_id, kind, body) VALUES ('{MSN}', 'ecom', 'php-4', 'receipt', '{body}')");
    assert!(sqlx::query(sqlx::AssertSqlSafe(lower)).execute(&mut conn).await.is_err());
}

async fn leases_hold_and_expire(url: &str) {
    let emulator = emulator().await;
    let outbox = Outbox::open(url).await.unwrap();
    let id = outbox.enqueue(&receipt_delivery(MSN, "order-1", 100)).await.unwrap().id();
    // A worker took it a moment ago and died: its lease holds.
    let until = now_ms() + 60_000;
    sql(
        url,
        &format!("UPDATE vipps_om_outbox SET lease_owner = 'gone/1/x', lease_until = {until}, attempts = 1 WHERE id = {id}"),
    )
    .await;
    assert_eq!(worker(&outbox, &emulator).drain().await.unwrap().delivered, 0);
    assert_eq!(emulator.receipt_count(), 0);
    assert_eq!(outbox.job(id).await.unwrap().lease_owner.as_deref(), Some("gone/1/x"));
    // Its lease ends: another worker takes the delivery.
    let ended = now_ms() - 1;
    sql(url, &format!("UPDATE vipps_om_outbox SET lease_until = {ended} WHERE id = {id}")).await;
    assert_eq!(worker(&outbox, &emulator).drain().await.unwrap().delivered, 1);
    let job = outbox.job(id).await.unwrap();
    assert_eq!((job.state, job.attempts, job.lease_owner), (JobState::Delivered, 2, None));
}

async fn workers_share_one_outbox(url: &str) {
    let emulator = emulator().await;
    let outbox = Outbox::open(url).await.unwrap();
    for n in 0..200 {
        let msn = format!("{}", 100_000 + n % 10);
        outbox
            .enqueue(&receipt_delivery(&msn, &format!("order-{n}"), 100 + n))
            .await
            .unwrap();
    }
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let worker = worker(&outbox, &emulator).concurrency(8);
        workers.spawn(async move { worker.drain().await.unwrap() });
    }
    let delivered: u64 = workers.join_all().await.iter().map(|r| r.delivered).sum();
    assert_eq!(delivered, 200);
    // Each claimed by one worker only: each receipt posted once.
    assert_eq!(emulator.requests_for(Operation::PostReceipt).len(), 200);
    assert_eq!(emulator.receipt_count(), 200);
}

async fn a_worker_claims_only_what_it_serves(url: &str) {
    let emulator = emulator().await;
    let outbox = Outbox::open(url).await.unwrap();
    let mine = outbox.enqueue(&receipt_delivery(MSN, "order-1", 100)).await.unwrap().id();
    let theirs = outbox.enqueue(&receipt_delivery("654321", "order-1", 100)).await.unwrap().id();
    let report = Worker::new(outbox.clone(), Clients::new().merchant(emulator.client()))
        .drain()
        .await
        .unwrap();
    assert_eq!(report.delivered, 1);
    assert_eq!(outbox.job(mine).await.unwrap().state, JobState::Delivered);
    let job = outbox.job(theirs).await.unwrap();
    assert_eq!(
        (job.state, job.attempts),
        (JobState::Pending, 0),
        "never taken by a worker without its keys"
    );
}

async fn a_graceful_stop_gives_back_what_it_holds(url: &str) {
    let emulator = emulator().await;
    let outbox = Outbox::open(url).await.unwrap();
    emulator.inject(Fault::stall(Duration::from_secs(60)).only(Operation::PostReceipt));
    let id = outbox.enqueue(&receipt_delivery(MSN, "order-1", 100)).await.unwrap().id();
    let worker = worker(&outbox, &emulator).grace(Duration::ZERO);
    let stop = vipps_om_test_support::until("the receipt's request reaches the emulator", || {
        !emulator.requests_for(Operation::PostReceipt).is_empty()
    });
    let report = worker.run(stop).await.unwrap();
    assert_eq!((report.delivered, report.released), (0, 1), "{report:?}");
    let job = outbox.job(id).await.unwrap();
    assert_eq!((job.state, job.attempts, job.lease_owner), (JobState::Pending, 0, None));
}

/// A transaction of the merchant's own, on `$pool` (a `sqlx` pool of the
/// database at `$url`), enqueueing with `$enqueue`: the delivery commits
/// with the order or not at all.
macro_rules! rolled_back_delivers_nothing {
    ($url:expr, $pool:ty, $enqueue:path) => {{
        let outbox = Outbox::open($url).await.unwrap();
        let pool = <$pool>::connect($url).await.unwrap();
        sqlx::query("CREATE TABLE orders (id TEXT PRIMARY KEY, state TEXT)")
            .execute(&pool)
            .await
            .unwrap();
        for (order, commit) in [("kept", true), ("rolled-back", false)] {
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("INSERT INTO orders VALUES ($1, 'captured')")
                .bind(order)
                .execute(&mut *tx)
                .await
                .unwrap();
            $enqueue(&mut tx, &receipt_delivery(MSN, order, 100)).await.unwrap();
            if commit {
                tx.commit().await.unwrap();
            } else {
                tx.rollback().await.unwrap();
            }
        }
        let emulator = emulator().await;
        assert_eq!(worker(&outbox, &emulator).drain().await.unwrap().delivered, 1);
        assert!(emulator.receipt_for(MSN, PaymentType::Ecom, "kept").is_some());
        assert!(emulator.receipt_for(MSN, PaymentType::Ecom, "rolled-back").is_none());
        assert_eq!(outbox.list(&Filter::order("rolled-back")).await.unwrap().len(), 0);
    }};
}

#[tokio::test]
async fn sqlite_a_rolled_back_transaction_delivers_nothing() {
    let db = common::SqliteFile::new("rollback");
    rolled_back_delivers_nothing!(&db.url, sqlx::SqlitePool, vipps_order_management_outbox::sqlite::enqueue);
}

#[cfg(feature = "postgres")]
#[tokio::test]
async fn postgres_a_rolled_back_transaction_delivers_nothing() {
    let Some(pg) = vipps_om_test_support::postgres::database("rollback").await else {
        return;
    };
    rolled_back_delivers_nothing!(&pg.url, sqlx::PgPool, vipps_order_management_outbox::postgres::enqueue);
}
