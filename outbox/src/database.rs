//! The database the outbox lives in: the merchant's Postgres, or SQLite on
//! one machine, opened once, its table made or updated by the migrations
//! the crate ships (`migrations/<database>/`), recorded in a table of
//! their own so they never meet the merchant's own sqlx migrations.
//!
//! Its helpers for database addresses are public: a URL shown without its
//! password, a driver's error in words, a SQLite file made private. The
//! `vipps-om` console's store opens its database with them too.

use std::sync::Arc;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Connection as _, Executor as _};

pub use crate::error::said;
use crate::error::OutboxError;

/// The table sqlx records the outbox's migrations in.
pub const MIGRATIONS_TABLE: &str = "vipps_om_outbox_migrations";

/// The outbox's table.
pub const TABLE: &str = "vipps_om_outbox";

/// Which database the outbox is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Backend {
    /// Postgres: any number of workers on any number of machines.
    Postgres,
    /// SQLite: one machine, one writer at a time.
    Sqlite,
}

impl Backend {
    /// The database a URL names: `postgres://…` (or `postgresql://…`), or
    /// `sqlite:…`.
    #[must_use]
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else {
            None
        }
    }
}

/// The outbox: a pool of connections to the database that keeps it.
/// Cheap to clone.
///
/// Opening it makes or updates its table. Enqueue through it
/// ([`Outbox::enqueue`]) or, to commit a delivery with the order it belongs
/// to, inside your own transaction ([`crate::postgres::enqueue`],
/// [`crate::sqlite::enqueue`]); deliver with a [`crate::Worker`]; see and
/// act on deliveries as staff with [`Outbox::list`], [`Outbox::job`],
/// [`Outbox::retry`] and [`Outbox::discard`].
#[derive(Clone)]
pub struct Outbox {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    shown: Arc<str>,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox")
            .field("database", &self.shown)
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

/// `url` as it may be shown: without its password, in the user part or in
/// the query (`?password=`, `sslpassword=`).
#[must_use]
pub fn without_password(url: &str) -> String {
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
        // Not a URL: shown only up to where a password could start.
        Err(_) => url
            .split(['@', '?'])
            .nth(1)
            .map_or_else(String::new, |rest| rest.split('?').next().unwrap_or_default().to_owned()),
    }
}

/// The file a SQLite URL names (`sqlite://FILE?…`, `sqlite:FILE`); `None`
/// for memory and for other databases.
#[must_use]
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then(|| std::path::PathBuf::from(path))
}

/// Makes the SQLite file at `path`, when missing, readable by its owner
/// only (an outbox holds receipts; a console's store, who looked at
/// which order). SQLite gives its journal files the same permissions.
pub fn make_private(path: &std::path::Path) -> Result<(), std::io::Error> {
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
        Err(e) => Err(e),
    }
}

/// The SQLite URL of a file, made on first use.
#[must_use]
pub fn sqlite_file(path: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", path.display())
}

/// A pool of connections to a database named by its URL.
#[derive(Debug)]
#[non_exhaustive]
pub struct Opened {
    /// The connections.
    pub pool: AnyPool,
    /// Which database it is.
    pub backend: Backend,
    /// Its address, without its password.
    pub shown: Arc<str>,
}

/// Why a database could not be opened, in words that name its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpenError {
    /// The URL names neither Postgres nor SQLite.
    Unsupported(String),
    /// The database refused, is not there, or a SQLite file cannot be made.
    Failed(String),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::Unsupported(why) | OpenError::Failed(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for OpenError {}

/// Opens a pool of at most `connections` on `url` (`postgres://…`,
/// `sqlite://FILE`, `sqlite::memory:`), for `owner` ("the outbox", "the
/// console"), as every database of these crates is opened:
///
/// - a SQLite file named without a mode is made when missing (as one
///   named with `mode=rwc` is), readable by its owner only;
/// - one connection first, alone, so that what is wrong (refused, a wrong
///   password, no such database) is said at once, not as a pool's timeout;
/// - on SQLite, a writer waits up to 30 s for another (another process on
///   the same file) rather than failing, in WAL mode, each commit on disk
///   before it is acknowledged;
/// - memory is one connection's: one connection, kept for good;
/// - a connection is not pinged before each use: one that died fails its
///   query (said, and tried again by the caller), and is replaced.
pub async fn open_pool(url: &str, owner: &str, connections: u32, acquire: Duration) -> Result<Opened, OpenError> {
    sqlx::any::install_default_drivers();
    let shown: Arc<str> = without_password(url).into();
    let Some(backend) = Backend::of_url(url) else {
        return Err(OpenError::Unsupported(format!(
            "{owner}'s database {shown} is neither Postgres (postgres://user@host/database) nor SQLite (sqlite://FILE or sqlite::memory:)"
        )));
    };
    let memory = backend == Backend::Sqlite && url.contains(":memory:");
    let url = match backend {
        Backend::Sqlite if !memory && !url.contains("mode=") => {
            format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
        }
        _ => url.to_owned(),
    };
    if let Some(path) = sqlite_path(&url).filter(|_| url.contains("mode=rwc")) {
        make_private(&path).map_err(|e| OpenError::Failed(format!("{owner} cannot make its database {}: {e}", path.display())))?;
    }
    let cannot = |e: &sqlx::Error| OpenError::Failed(format!("{owner} cannot open its database {shown}: {}", said(e)));
    let first = sqlx::AnyConnection::connect(&url).await.map_err(|e| cannot(&e))?;
    let _ = first.close().await;
    // A connection is not pinged before each use (sqlx's default would
    // double the round trips of a worker): one that died fails its query,
    // which is said and tried again, and the pool replaces it.
    let mut options = AnyPoolOptions::new().acquire_timeout(acquire).test_before_acquire(false);
    if backend == Backend::Sqlite {
        options = options.after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute("PRAGMA busy_timeout = 30000").await?;
                conn.execute("PRAGMA journal_mode = WAL").await?;
                conn.execute("PRAGMA synchronous = FULL").await?;
                Ok(())
            })
        });
    }
    options = if memory {
        options.max_connections(1).min_connections(1).idle_timeout(None).max_lifetime(None)
    } else {
        options.max_connections(connections.max(1))
    };
    let pool = options.connect(&url).await.map_err(|e| cannot(&e))?;
    Ok(Opened { pool, backend, shown })
}

impl Outbox {
    /// Opens the outbox at `url` (`postgres://…`, `sqlite://FILE`,
    /// `sqlite::memory:`) and makes or updates its table. A SQLite file is
    /// made on first use, readable by its owner only.
    pub async fn open(url: &str) -> Result<Outbox, OutboxError> {
        Outbox::open_with(url, 8).await
    }

    /// As [`Outbox::open`], with at most `connections` connections.
    pub async fn open_with(url: &str, connections: u32) -> Result<Outbox, OutboxError> {
        let opened = open_pool(url, "the outbox", connections, Duration::from_secs(10))
            .await
            .map_err(|e| match e {
                OpenError::Unsupported(why) => OutboxError::config(why),
                OpenError::Failed(why) => OutboxError::database_said("open its database", why),
            })?;
        let outbox = Outbox {
            pool: opened.pool,
            backend: opened.backend,
            shown: opened.shown,
        };
        outbox.migrate().await?;
        Ok(outbox)
    }

    /// Opens an outbox that exists: as [`Outbox::open`], except that a
    /// SQLite file that is not there is an error instead of a new, empty
    /// outbox (for what only reads or acts on deliveries: a mistyped path
    /// must not look like an outbox with nothing in it).
    pub async fn open_existing(url: &str) -> Result<Outbox, OutboxError> {
        if let Some(path) = sqlite_path(url).filter(|_| Backend::of_url(url) == Some(Backend::Sqlite)) {
            if !path.exists() {
                return Err(OutboxError::config(format!(
                    "there is no outbox at {}: check the path (an outbox is made by the first delivery added to it, or by a worker)",
                    path.display()
                )));
            }
        }
        Outbox::open(url).await
    }

    /// An outbox in memory (SQLite), for tests: gone when dropped.
    pub async fn memory() -> Result<Outbox, OutboxError> {
        Outbox::open("sqlite::memory:").await
    }

    /// The database's address, without its password.
    #[must_use]
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Which database it is.
    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Makes or updates the table. Several processes may start at once:
    /// Postgres serialises them (sqlx takes an advisory lock); on SQLite the
    /// second may find the first's work half recorded, and tries again once.
    async fn migrate(&self) -> Result<(), OutboxError> {
        let mut migrator = match self.backend {
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
        };
        migrator.dangerous_set_table_name(MIGRATIONS_TABLE);
        // The merchant's own migrations may share the database, never
        // this table.
        migrator.set_ignore_missing(true);
        let mut result = migrator.run(&self.pool).await;
        if result.is_err() && self.backend == Backend::Sqlite {
            result = migrator.run(&self.pool).await;
        }
        result.map_err(|e| {
            let what = format!("make its table in {}", self.shown);
            match e {
                sqlx::migrate::MigrateError::Execute(e) => OutboxError::database(what, &e),
                other => OutboxError::database_said(what, other.to_string()),
            }
        })
    }

    /// The error of a query that failed: `what` the outbox tried.
    pub(crate) fn failed(&self, what: &str, e: &sqlx::Error) -> OutboxError {
        OutboxError::database(format!("{what} (database {})", self.shown), e)
    }

    /// Closes the connections.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_never_shown() {
        assert_eq!(
            without_password("postgres://shop:s3cret@db.example:5432/shop"),
            "postgres://shop:***@db.example:5432/shop"
        );
        assert_eq!(without_password("sqlite::memory:"), "sqlite::memory:");
        assert!(!without_password("not a url user:s3cret@host").contains("s3cret"));
        let query = without_password("postgres://shop@db/shop?password=S3cret&sslmode=require&sslpassword=k3y");
        assert!(
            !query.contains("S3cret") && !query.contains("k3y") && query.contains("sslmode=require"),
            "{query}"
        );
        assert_eq!(
            without_password("postgres://db/shop?sslmode=require"),
            "postgres://db/shop?sslmode=require"
        );
    }

    #[test]
    fn backends_by_their_urls() {
        assert_eq!(Backend::of_url("postgres://db/x"), Some(Backend::Postgres));
        assert_eq!(Backend::of_url("postgresql://db/x"), Some(Backend::Postgres));
        assert_eq!(Backend::of_url("sqlite:outbox.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("mysql://db/x"), None);
        assert_eq!(
            sqlite_path("sqlite://dir/outbox.db?mode=rwc").unwrap(),
            std::path::PathBuf::from("dir/outbox.db")
        );
        assert_eq!(sqlite_path("sqlite:///var/lib/om/outbox.db"), Some("/var/lib/om/outbox.db".into()));
        assert_eq!(sqlite_path("sqlite:outbox.db"), Some("outbox.db".into()));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://db/x"), None);
        assert_eq!(sqlite_file(std::path::Path::new("/tmp/a b.db")), "sqlite:///tmp/a b.db?mode=rwc");
    }
}
