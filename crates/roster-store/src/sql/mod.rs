//! The SQL store: SQLite (one file, WAL mode) or PostgreSQL, runtime queries in portable SQL.

/// SQL assembled from this crate's own constants (column lists), never from input: input is
/// always bound as a parameter.
macro_rules! sql {
    ($($t:tt)*) => {
        sqlx::AssertSqlSafe(format!($($t)*))
    };
}

mod audit_log;
mod delta;
mod diff;
mod events;
mod finish;
mod jit;
mod leases;
mod pending;
mod planner;
mod plans;
mod reads;
mod retention;
mod reviews;
mod rows;
mod sessions;
mod syncs;
mod team_access;
#[cfg(test)]
mod upgrade_tests;
mod visible;
mod writes;

use std::path::Path;

use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use sqlx::Executor;

use crate::{Result, StoreError};

/// The store on SQLite (embedded, the default) or PostgreSQL (several workers): one
/// implementation in portable SQL through sqlx's `Any` driver, with a migration folder per
/// database.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    /// The reads a page makes (see [`SqlStore::pages`]); the main pool where there is no
    /// second one.
    page_reads: AnyPool,
    /// The few statements the two databases spell differently look here.
    postgres: bool,
    /// An in-memory store's idle second connection, which keeps its database alive: the pool
    /// closes a connection whose query was cancelled (a sync that fails drops the parts still
    /// writing), and a memory database goes with its last connection.
    _memory_anchor: Option<AnyPool>,
}

static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

const HINT: &str = "If the file is not a Roster store (or is damaged), move it away and run `roster sync` again, or point [store] path elsewhere.";

impl SqlStore {
    /// A transaction that reads and then writes. On SQLite it takes the write lock when it
    /// begins (`BEGIN IMMEDIATE`, waiting its turn): a transaction that read first could not
    /// take the lock once another writer had committed, and would fail as "database is
    /// locked" instead of waiting.
    pub(super) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        let tx = if self.postgres { self.pool.begin().await } else { self.pool.begin_with("BEGIN IMMEDIATE").await };
        tx.map_err(StoreError::query("begin"))
    }

    /// Opens (creating if needed) the SQLite store file at `path` and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<SqlStore> {
        let shown = path.display().to_string();
        Self::connect_sqlite(&format!("sqlite://{shown}?mode=rwc"), &shown, 4).await
    }

    /// A private in-memory SQLite store (tests).
    pub async fn in_memory() -> Result<SqlStore> {
        // A named shared-cache memory database (named by a `file:` URI: a bare name gave each
        // connection a database of its own), so the anchor connection holds the same one. One
        // working connection: shared-cache connections lock each other's tables.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let url = format!("sqlite:file:roster-memory-{}-{n}?mode=memory&cache=shared", std::process::id());
        sqlx::any::install_default_drivers();
        let anchor = AnyPoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect(&url)
            .await
            .map_err(|e| StoreError::Open { path: ":memory:".into(), detail: e.to_string(), hint: HINT })?;
        // One pool: a second would be a second connection, and shared-cache connections lock
        // each other's tables.
        let mut store = Self::connect_sqlite(&url, ":memory:", 1).await?;
        store._memory_anchor = Some(anchor);
        Ok(store)
    }

    /// Connects to PostgreSQL (`postgres://user@host:port/db`) and brings the schema up to date.
    pub async fn connect_postgres(url: &str) -> Result<SqlStore> {
        sqlx::any::install_default_drivers();
        let shown = redact(url);
        let pool = AnyPoolOptions::new().max_connections(8).connect(url).await.map_err(|e| StoreError::Open {
            path: shown.clone(),
            detail: e.to_string(),
            hint: "Check the PostgreSQL URL, that the server runs, and the credentials.",
        })?;
        POSTGRES.run(&pool).await.map_err(|e| StoreError::Migrate(e.to_string()))?;
        Ok(SqlStore { page_reads: pool.clone(), pool, postgres: true, _memory_anchor: None })
    }

    /// Creates database `name` on the PostgreSQL server at `admin_url` (if it does not exist)
    /// and connects a store to it.
    pub async fn create_postgres(admin_url: &str, name: &str) -> Result<SqlStore> {
        let admin = Self::admin_pool(admin_url, name).await?;
        let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
            .bind(name)
            .fetch_optional(&admin)
            .await
            .map_err(StoreError::query("find database"))?;
        if exists.is_none() {
            admin
                .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .map_err(StoreError::query("create database"))?;
        }
        let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
        Self::connect_postgres(&format!("{base}/{name}")).await
    }

    /// One connection to the PostgreSQL server at `admin_url`, to create or drop database
    /// `name` (checked first: the name is written into the statement, so letters, digits and _
    /// only).
    async fn admin_pool(admin_url: &str, name: &str) -> Result<sqlx::AnyPool> {
        sqlx::any::install_default_drivers();
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(StoreError::Open {
                path: name.into(),
                detail: "database names take letters, digits and _".into(),
                hint: "",
            });
        }
        AnyPoolOptions::new().max_connections(1).connect(admin_url).await.map_err(|e| StoreError::Open {
            path: redact(admin_url),
            detail: e.to_string(),
            hint: "Check the PostgreSQL URL.",
        })
    }

    /// Drops database `name` on the PostgreSQL server at `admin_url` (what
    /// [`SqlStore::create_postgres`] made), closing any connection still open to it.
    pub async fn drop_postgres(admin_url: &str, name: &str) -> Result<()> {
        let admin = Self::admin_pool(admin_url, name).await?;
        admin
            .execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .await
            .map_err(StoreError::query("drop database"))?;
        Ok(())
    }

    async fn connect_sqlite(url: &str, shown: &str, connections: u32) -> Result<SqlStore> {
        sqlx::any::install_default_drivers();
        // The write-ahead log is copied into the database every 10,000 pages (40 MB) rather
        // than SQLite's 1,000: a sync's pages change the same index pages over and over, and
        // each copy wrote them again (a first sync at 10,000 users 2.07 s to 2.0 s). A
        // finish's one transaction made the log that large already.
        let pool = AnyPoolOptions::new()
            .max_connections(connections)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 10000").await?;
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(|e| StoreError::Open { path: shown.to_string(), detail: e.to_string(), hint: HINT })?;
        SQLITE.run(&pool).await.map_err(|e| {
            let text = e.to_string();
            if text.contains("not a database") || text.contains("malformed") {
                StoreError::Open {
                    path: shown.to_string(),
                    detail: text,
                    hint:
                        "The file is not a Roster store or is damaged: move it away, or point [store] path elsewhere.",
                }
            } else {
                StoreError::Migrate(text)
            }
        })?;
        planner::pin_sqlite_stats(&pool).await?;
        let page_reads = if connections > 1 { Self::page_pool(url, shown, connections).await? } else { pool.clone() };
        Ok(SqlStore { pool, page_reads, postgres: false, _memory_anchor: None })
    }

    /// A SQLite file's second pool, for the reads pages make: its connections map the file
    /// into memory (`mmap_size`), so a page of the database the OS has cached is read in
    /// place rather than copied in by a system call, and they cannot write (`query_only`).
    /// A search reads a few hundred pages scattered through the users table and its index:
    /// with each connection's own 2 MB cache, copying them was a fifth of a search's time.
    /// The main pool does not map: a sync that walks the whole file would count every page it
    /// touched in the process's resident memory (575 MiB at 100k users instead of 62).
    async fn page_pool(url: &str, shown: &str, connections: u32) -> Result<AnyPool> {
        AnyPoolOptions::new()
            .max_connections(connections)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA busy_timeout = 30000; PRAGMA mmap_size = 268435456; PRAGMA query_only = ON")
                        .await?;
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(|e| StoreError::Open { path: shown.to_string(), detail: e.to_string(), hint: HINT })
    }

    /// The pool for the reads a page makes: a page of users, a search, one user, the names on
    /// a page, a page of review items. Reads of a whole snapshot (a sync's, a report's) use
    /// the main pool.
    fn pages(&self) -> &AnyPool {
        &self.page_reads
    }
}

/// A URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod page_pool_tests {
    use super::*;

    /// A SQLite file's page reads come from connections of their own that map the file and
    /// cannot write; they see at once what the main pool committed.
    #[tokio::test]
    async fn page_reads_map_the_file_and_cannot_write() {
        let dir = std::env::temp_dir().join(format!("roster-page-pool-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = SqlStore::open(&dir.join("roster.db")).await.unwrap();
        let mmap: i64 = sqlx::query_scalar("PRAGMA mmap_size").fetch_one(store.pages()).await.unwrap();
        assert_eq!(mmap, 268_435_456);
        let main: i64 = sqlx::query_scalar("PRAGMA mmap_size").fetch_one(&store.pool).await.unwrap();
        assert_eq!(main, 0, "the main pool (syncs) does not map");
        let refused = store.pages().execute("CREATE TABLE t (x INTEGER)").await.unwrap_err();
        assert!(refused.to_string().contains("readonly"), "{refused}");
        store.pool.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7)").await.unwrap();
        let seen: i64 = sqlx::query_scalar("SELECT x FROM t").fetch_one(store.pages()).await.unwrap();
        assert_eq!(seen, 7);
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
