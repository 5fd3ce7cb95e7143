//! The console's shared store: what several instances must agree on (the
//! sign-ins, the wrong sign-ins per client, the audit trail), in the
//! department's Postgres (`--database-url postgres://…`) or in SQLite on
//! one machine (a file, or memory for a console nobody restarts), through
//! sqlx. One set of queries serves both (sqlx's `Any` driver, `$1`
//! parameters, SQL both speak); the tables are made by migrations in each
//! database's own dialect (`migrations/console/`), recorded in a table of
//! their own (`vipps_om_console_migrations`) so that they never meet a
//! merchant's own sqlx migrations in the same database.
//!
//! `sessions`, `failures` and `trail` hold the queries of each table;
//! what they mean (lifetimes, limits, who may see the trail) is decided by
//! the modules that call them.

mod failures;
mod sessions;
mod trail;

pub use failures::Failures;

use std::time::Duration;

use sqlx::AnyPool;

use vipps_order_management_outbox::database::{self, said, Backend};

pub use vipps_order_management_outbox::database::sqlite_file;

pub(crate) use sessions::{digest_hex, hex, StoredSession};
pub use trail::{Filter, Page};

/// The table sqlx records the console's migrations in.
const MIGRATIONS_TABLE: &str = "vipps_om_console_migrations";

/// Why the store could not do what was asked: what failed, on which
/// database (its address without a password), and the driver's words.
#[derive(Debug, Clone)]
pub struct StoreError(String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

/// The console's shared store: a pool of connections to one database.
/// Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The database's address as shown in messages: no password.
    shown: std::sync::Arc<str>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("database", &self.shown).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens the store at `url` (`postgres://…`, `sqlite://FILE?mode=rwc`,
    /// `sqlite::memory:`) and makes or updates its tables.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let opened = database::open_pool(url, "the console", 16, Duration::from_secs(5))
            .await
            .map_err(|e| StoreError(e.to_string()))?;
        let store = Store {
            pool: opened.pool,
            backend: opened.backend,
            shown: opened.shown,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// A store in memory, for a console nobody restarts (and for tests).
    pub async fn memory() -> Result<Store, StoreError> {
        Store::open("sqlite::memory:").await
    }

    /// The database's address, without its password.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Makes or updates the tables. Several consoles may start at once:
    /// Postgres serialises them (sqlx takes an advisory lock); on SQLite
    /// the second may find the first's tables half recorded, and tries
    /// again once.
    async fn migrate(&self) -> Result<(), StoreError> {
        let mut migrator = match self.backend {
            Backend::Postgres => sqlx::migrate!("migrations/console/postgres"),
            _ => sqlx::migrate!("migrations/console/sqlite"),
        };
        migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
        // Other tools' migrations may share the database, never this table.
        migrator.set_ignore_missing(true);
        let mut result = migrator.run(&self.pool).await;
        if result.is_err() && self.backend == Backend::Sqlite {
            result = migrator.run(&self.pool).await;
        }
        result.map_err(|e| match e {
            sqlx::migrate::MigrateError::Execute(e) => self.failed("make its tables in", e),
            other => self.failed_because("make its tables in", other),
        })
    }

    /// `Ok` when the database answers within two seconds (a health check
    /// answers in time, whatever the database does).
    pub async fn healthy(&self) -> Result<(), StoreError> {
        match tokio::time::timeout(Duration::from_secs(2), sqlx::query("SELECT 1").execute(&self.pool)).await {
            Ok(done) => done.map(|_| ()).map_err(|e| self.failed("reach", e)),
            Err(_) => Err(StoreError(format!(
                "the console's database {} did not answer within two seconds",
                self.shown
            ))),
        }
    }

    /// The error of a query that failed: `what` the console tried.
    fn failed(&self, what: &str, e: sqlx::Error) -> StoreError {
        self.failed_because(what, said(&e))
    }

    /// The error of something that failed for `why`.
    fn failed_because(&self, what: &str, why: impl std::fmt::Display) -> StoreError {
        StoreError(format!("the console could not {what} its database {}: {why}", self.shown))
    }

    /// Closes the connections (at the end of a graceful stop).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A moment as the store keeps it: Unix milliseconds.
fn millis(at: jiff::Timestamp) -> i64 {
    at.as_millisecond()
}

/// A length of time in milliseconds, saturating.
fn span(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_postgres_and_sqlite() {
        let error = Store::open("mysql://root:pw@localhost/db").await.unwrap_err().to_string();
        assert!(error.contains("neither Postgres") && !error.contains("pw@"), "{error}");
        // A server that is not there is said at once, as what it is.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let refused = Store::open(&format!("postgres://console:s3cret@127.0.0.1:{port}/support"))
            .await
            .unwrap_err()
            .to_string();
        assert!(!refused.contains("s3cret") && !refused.contains("timed out"), "{refused}");
        assert!(
            refused.contains("cannot open its database postgres://console:***@127.0.0.1"),
            "{refused}"
        );
        assert!(refused.contains("Connection refused"), "what is wrong, said: {refused}");
        let store = Store::memory().await.unwrap();
        store.healthy().await.unwrap();
        assert_eq!(store.shown(), "sqlite::memory:");
    }

    #[tokio::test]
    async fn a_store_says_where_it_is_and_what_failed() {
        let store = Store::memory().await.unwrap();
        assert_eq!(format!("{store:?}"), r#"Store { database: "sqlite::memory:", .. }"#);
        store.healthy().await.unwrap();
        // A database's own words, without its server's source position.
        sqlx::query(
            "CREATE TRIGGER full BEFORE INSERT ON vipps_om_console_sessions BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
        )
        .execute(&store.pool)
        .await
        .unwrap();
        let refused = store
            .start_session("kari", "token", "c", jiff::Timestamp::now(), Duration::from_secs(60), 20)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            refused.starts_with("the console could not start a sign-in in its database sqlite::memory:: database or disk is full"),
            "{refused}"
        );
        // Closed (a console stopping): its health says so.
        store.close().await;
        let closed = store.healthy().await.unwrap_err().to_string();
        assert!(closed.contains("could not reach its database"), "{closed}");
    }

    #[tokio::test]
    async fn a_sqlite_file_waits_for_other_writers_and_reaches_the_disk_before_it_answers() {
        let dir = std::env::temp_dir().join(format!("vipps-om-pragmas-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::open(&sqlite_file(&dir.join("console.sqlite3"))).await.unwrap();
        for (pragma, value) in [("journal_mode", "wal"), ("synchronous", "2"), ("busy_timeout", "30000")] {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA {pragma}")))
                .fetch_one(&store.pool)
                .await
                .unwrap();
            let got = sqlx::Row::try_get::<String, _>(&row, 0)
                .or_else(|_| sqlx::Row::try_get::<i64, _>(&row, 0).map(|n| n.to_string()))
                .unwrap();
            assert_eq!(got, value, "{pragma}");
        }
        store.close().await;
        // Several consoles opening one new file at once all start.
        let url = sqlite_file(&dir.join("shared.sqlite3"));
        let opened = futures_util::future::join_all((0..4).map(|_| Store::open(&url))).await;
        for store in opened {
            store.unwrap().close().await;
        }
        // A file named read-only is never made.
        let ro = Store::open(&format!("sqlite://{}?mode=ro", dir.join("none.sqlite3").display()))
            .await
            .unwrap_err();
        assert!(ro.to_string().contains("cannot open its database"), "{ro}");
        assert!(!dir.join("none.sqlite3").exists());
        // A file that cannot be made is said as such.
        let nowhere = Store::open(&sqlite_file(&dir.join("no/such/folder/console.sqlite3")))
            .await
            .unwrap_err()
            .to_string();
        assert!(nowhere.contains("the console cannot make its database"), "{nowhere}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn a_file_is_made_and_its_tables_kept_across_openings() {
        let dir = std::env::temp_dir().join(format!("vipps-om-store-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("console.sqlite3");
        let _ = std::fs::remove_file(&path);
        let url = sqlite_file(&path);
        let first = Store::open(&url).await.unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "the trail is personal data: its owner's only");
        }
        let now = jiff::Timestamp::now();
        let id = first
            .start_session("kari", "token", "credential", now, Duration::from_secs(60), 20)
            .await
            .unwrap();
        first.close().await;
        // Opened again (a restart), named without a mode: the migrations
        // are not run twice, the sign-in is still there.
        let again = Store::open(&format!("sqlite://{}", path.display())).await.unwrap();
        let found = again.find_session(&id, now, Duration::from_secs(60)).await.unwrap();
        assert_eq!(found.map(|s| s.who), Some("kari".to_owned()));
        again.close().await;
        // A new file named without a mode is made, its owner's only.
        let fresh = dir.join("fresh.sqlite3");
        Store::open(&format!("sqlite://{}", fresh.display())).await.unwrap().close().await;
        assert!(fresh.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
