//! Helpers for the outbox's tests: a database of each kind, receipts.
#![allow(dead_code)]

use vipps_order_management::{Amount, Currency, OrderLine, PaymentType, Receipt, TaxRate};
use vipps_order_management_outbox::Delivery;

/// A SQLite file of its own for one test, deleted at the end.
pub struct SqliteFile {
    pub url: String,
    pub path: std::path::PathBuf,
}

impl SqliteFile {
    pub fn new(name: &str) -> SqliteFile {
        let path = std::env::temp_dir().join(format!("vipps-outbox-{name}-{}-{}.db", std::process::id(), fastrand_name()));
        SqliteFile {
            url: format!("sqlite://{}", path.display()),
            path,
        }
    }
}

fn fastrand_name() -> u64 {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u8(0);
    h.finish()
}

impl Drop for SqliteFile {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
    }
}

/// A receipt of one line at `price` øre.
pub fn receipt_at(price: i64) -> Receipt {
    let line = OrderLine::new(
        "1",
        "Bun",
        Amount::from_minor(price),
        Amount::from_minor(price * 4 / 5),
        TaxRate::percent(25),
    );
    Receipt::new(Currency::Nok, vec![line])
}

/// The receipt delivery of `order` at `msn`.
pub fn receipt_delivery(msn: &str, order: &str, price: i64) -> Delivery {
    Delivery::receipt(msn, PaymentType::Ecom, order, receipt_at(price)).unwrap()
}

/// Runs a scenario on SQLite and, where there is one, on Postgres: a test
/// module per scenario with a `sqlite` and a `postgres` test.
#[macro_export]
macro_rules! on_both {
    ($($scenario:ident),+ $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let db = $crate::common::SqliteFile::new(stringify!($scenario));
                    super::$scenario(&db.url).await;
                }

                #[cfg(feature = "postgres")]
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let Some(pg) = vipps_om_test_support::postgres::database(stringify!($scenario)).await else {
                        return;
                    };
                    super::$scenario(&pg.url).await;
                }
            }
        )+
    };
}

/// Under CI the Postgres tests must run: the feature is on in the
/// workspace's test command.
pub fn postgres_feature_is_on_under_ci() {
    #[cfg(not(feature = "postgres"))]
    {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "the outbox's Postgres tests did not build: run the workspace's tests (cargo test --workspace) or pass --features postgres"
            );
        }
        println!("SKIP: the outbox's tests on Postgres need its `postgres` feature (cargo test --workspace turns it on)");
    }
}
