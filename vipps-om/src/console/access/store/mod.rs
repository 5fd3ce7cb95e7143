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

use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use sqlx::{Connection as _, Executor as _};

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

/// Which database the store is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Postgres,
    Sqlite,
}

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

/// `url` as it may be shown: without its password, in the user part or in
/// the query (`?password=`, `sslpassword=`).
fn without_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            let secret = |key: &str| key.to_ascii_lowercase().contains("password");
            if parsed.query_pairs().any(|(k, _)| secret(&k)) {
                let pairs: Vec<(String, String)> = parsed
                    .query_pairs()
                    .map(|(k, v)| {
                        let shown = if secret(&k) { "***".to_owned() } else { v.into_owned() };
                        (k.into_owned(), shown)
                    })
                    .collect();
                parsed.query_pairs_mut().clear().extend_pairs(pairs);
            }
            parsed.to_string()
        }
        // Not a URL (it is refused below): shown only up to where a
        // password could start.
        Err(_) => url
            .split(['@', '?'])
            .nth(1)
            .map_or_else(String::new, |rest| rest.split('?').next().unwrap_or_default().to_owned()),
    }
}

/// The driver's error in words for people: a database's own message
/// without its server's source position, else the driver's.
fn said(e: &sqlx::Error) -> String {
    match e.as_database_error() {
        Some(db) => match db.code() {
            Some(code) => format!("{} (code {code})", db.message()),
            None => db.message().to_owned(),
        },
        None => e.to_string(),
    }
}

/// The SQLite URL of a file, made when missing.
pub fn sqlite_file(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// The file a SQLite URL names (`sqlite://FILE?…`, `sqlite:FILE`); `None`
/// for memory.
fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then(|| std::path::PathBuf::from(path))
}

/// Makes the SQLite file at `path`, when missing, readable by its owner
/// only: it holds who looked at which order. SQLite gives its journal
/// files the same permissions.
fn make_private(path: &std::path::Path) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(format!("the console cannot make its database {}: {e}", path.display())),
    }
}

impl Store {
    /// Opens the store at `url` (`postgres://…`, `sqlite://FILE?mode=rwc`,
    /// `sqlite::memory:`) and makes or updates its tables.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let shown: std::sync::Arc<str> = without_password(url).into();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(StoreError(format!(
                "the console's database {shown} is neither Postgres (postgres://user@host/database) nor SQLite (sqlite://FILE or sqlite::memory:)"
            )));
        };
        let memory = backend == Backend::Sqlite && url.contains(":memory:");
        // A SQLite file named without a mode is made when missing, as one
        // named with `mode=rwc` is.
        let url = match backend {
            Backend::Sqlite if !memory && !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_owned(),
        };
        let url = url.as_str();
        if let Some(path) = sqlite_path(url).filter(|_| url.contains("mode=rwc")) {
            make_private(&path).map_err(StoreError)?;
        }
        // One connection first, alone: what is wrong (refused, a wrong
        // password, no such database) is said now, not as a pool's timeout.
        let first = sqlx::AnyConnection::connect(url)
            .await
            .map_err(|e| StoreError(format!("the console cannot open its database {shown}: {}", said(&e))))?;
        let _ = first.close().await;
        let mut options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(5));
        if backend == Backend::Sqlite {
            // A writer waits for another (another console on the same
            // file) rather than failing; each commit reaches the disk
            // before it is acknowledged.
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = FULL").await?;
                    Ok(())
                })
            });
        }
        if memory {
            // Memory is one connection's: one connection, kept for good.
            options = options.max_connections(1).min_connections(1).idle_timeout(None).max_lifetime(None);
        } else {
            options = options.max_connections(16);
        }
        let pool = options
            .connect(url)
            .await
            .map_err(|e| StoreError(format!("the console cannot open its database {shown}: {e}")))?;
        let store = Store { pool, backend, shown };
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
            Backend::Sqlite => sqlx::migrate!("migrations/console/sqlite"),
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

    #[test]
    fn passwords_are_never_shown() {
        assert_eq!(
            without_password("postgres://console:s3cret@db.example:5432/support"),
            "postgres://console:***@db.example:5432/support"
        );
        assert_eq!(without_password("postgres://db.example/support"), "postgres://db.example/support");
        assert_eq!(without_password("sqlite::memory:"), "sqlite::memory:");
        assert!(!without_password("not a url user:s3cret@host").contains("s3cret"));
        let query = without_password("postgres://console@db/support?password=S3cret&sslmode=require&sslpassword=k3y");
        assert!(
            !query.contains("S3cret") && !query.contains("k3y") && query.contains("sslmode=require"),
            "{query}"
        );
        assert_eq!(
            without_password("postgres://db/support?sslmode=require"),
            "postgres://db/support?sslmode=require"
        );
    }

    #[test]
    fn sqlite_files_by_their_urls() {
        assert_eq!(sqlite_path("sqlite://console.db?mode=rwc"), Some("console.db".into()));
        assert_eq!(
            sqlite_path("sqlite:///var/lib/om/console.db"),
            Some("/var/lib/om/console.db".into())
        );
        assert_eq!(sqlite_path("sqlite:console.db"), Some("console.db".into()));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://db/x"), None);
        assert_eq!(sqlite_file(std::path::Path::new("/tmp/a b.db")), "sqlite:///tmp/a b.db?mode=rwc");
    }

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
        for (pragma, value) in [("journal_mode", "wal"), ("synchronous", "2"), ("busy_timeout", "10000")] {
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
        let nowhere = make_private(&dir.join("no/such/folder/console.sqlite3")).unwrap_err();
        assert!(nowhere.contains("cannot make its database"), "{nowhere}");
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
