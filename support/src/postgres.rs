//! A Postgres for the tests that need the real shared store: the one
//! `VIPPS_OM_TEST_POSTGRES` names (a URL whose user may create
//! databases), else a throwaway cluster started from Debian's
//! `postgresql` package (`initdb` and `pg_ctl` under
//! /usr/lib/postgresql/*/bin; as the `postgres` user when run as root),
//! stopped when the test ends. Without either the test prints one SKIP
//! line and passes nothing; under CI (`CI=true`), which installs
//! Postgres, it fails instead.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A database of its own for one test, on a server that lives as long as
/// this value.
pub struct TestPostgres {
    pub url: String,
    cluster: Option<PathBuf>,
    bin: PathBuf,
    as_postgres: bool,
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        if let Some(dir) = &self.cluster {
            let data = dir.join("data");
            let _ = run(
                &self.bin.join("pg_ctl"),
                self.as_postgres,
                &["-D", &data.display().to_string(), "-m", "immediate", "stop"],
            );
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn run(program: &Path, as_postgres: bool, args: &[&str]) -> std::io::Result<std::process::Output> {
    let mut command = if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    command.args(args).output()
}

/// The newest installed server's binaries.
fn server_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop()
}

fn skip(why: &str) -> Option<TestPostgres> {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("CI installs Postgres, and it is missing: {why}");
    }
    println!("SKIP: {why}: the test on a shared Postgres did not run (apt-get install postgresql, or set VIPPS_OM_TEST_POSTGRES)");
    None
}

/// A fresh database, or `None` (with a SKIP line) where there is no
/// Postgres. A throwaway cluster runs with fsync off: tests claim no
/// durability.
pub async fn database(name: &str) -> Option<TestPostgres> {
    database_with(name, false).await
}

/// The same, with fsync on in a throwaway cluster: for benchmarks whose
/// figures are of commits that reach the disk.
pub async fn database_durable(name: &str) -> Option<TestPostgres> {
    database_with(name, true).await
}

async fn database_with(name: &str, fsync: bool) -> Option<TestPostgres> {
    if let Ok(base) = std::env::var("VIPPS_OM_TEST_POSTGRES") {
        let db = format!("{name}_{}", std::process::id());
        let admin = sqlx::postgres::PgPool::connect(&base).await.expect("VIPPS_OM_TEST_POSTGRES");
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {db}")))
            .execute(&admin)
            .await
            .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
            .execute(&admin)
            .await
            .unwrap();
        let mut url = url::Url::parse(&base).unwrap();
        url.set_path(&db);
        return Some(TestPostgres {
            url: url.to_string(),
            cluster: None,
            bin: PathBuf::new(),
            as_postgres: false,
        });
    }
    let Some(bin) = server_bin() else {
        return skip("no Postgres server is installed (/usr/lib/postgresql/*/bin/initdb)");
    };
    let root = Command::new("id").arg("-u").output().map(|o| o.stdout == b"0\n").unwrap_or(false);
    let dir = std::env::temp_dir().join(format!("vipps-om-pg-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    if root {
        let chown = Command::new("chown").args(["-R", "postgres:postgres"]).arg(&dir).status().unwrap();
        assert!(chown.success(), "chown of {} failed", dir.display());
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let data = dir.join("data").display().to_string();
    let init = run(&bin.join("initdb"), root, &["-D", &data, "-A", "trust", "-U", "postgres"]).unwrap();
    assert!(init.status.success(), "initdb: {}", String::from_utf8_lossy(&init.stderr));
    let fsync = if fsync { "on" } else { "off" };
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync={fsync} -c max_connections=200",
        dir.display()
    );
    let log = dir.join("log").display().to_string();
    let start = run(&bin.join("pg_ctl"), root, &["-D", &data, "-l", &log, "-o", &options, "-w", "start"]).unwrap();
    let cluster = TestPostgres {
        url: format!("postgres://postgres@127.0.0.1:{port}/{name}"),
        cluster: Some(dir.clone()),
        bin: bin.clone(),
        as_postgres: root,
    };
    assert!(
        start.status.success(),
        "pg_ctl start: {}{}",
        String::from_utf8_lossy(&start.stderr),
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    let admin = sqlx::postgres::PgPool::connect(&format!("postgres://postgres@127.0.0.1:{port}/postgres"))
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    Some(cluster)
}
