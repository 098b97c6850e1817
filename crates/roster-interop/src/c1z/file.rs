//! A v1 c1z file: the 5 bytes `C1ZF\0`, then one zstd-compressed SQLite database with baton's
//! `v1_*` tables, one completed sync run per Roster snapshot.
//!
//! The database is built in a temporary file beside the output (rollback journal, so nothing is
//! left in a `-wal` file), compressed, and the output written in one rename: a reader never
//! sees half a file.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use prost::Message;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{Connection, SqliteConnection};

use super::mapping::Objects;
use super::C1zError;

/// The magic of a v1 c1z file.
pub const MAGIC: &[u8; 5] = b"C1ZF\0";

/// baton's v1 tables, with the columns and indexes its readers expect.
const SCHEMA: &[&str] = &[
    "create table if not exists v1_resource_types (id integer primary key, external_id text not null, data blob not null, sync_id text not null, discovered_at datetime not null)",
    "create unique index if not exists idx_resource_types_external_sync_v1 on v1_resource_types (external_id, sync_id)",
    "create table if not exists v1_resources (id integer primary key, resource_type_id text not null, external_id text not null, parent_resource_type_id text, parent_resource_id text, data blob not null, sync_id text not null, discovered_at datetime not null)",
    "create index if not exists idx_resources_resource_type_id_v1 on v1_resources (resource_type_id)",
    "create index if not exists idx_resources_parent_resource_id_v1 on v1_resources (parent_resource_type_id, parent_resource_id)",
    "create unique index if not exists idx_resources_external_sync_v1 on v1_resources (external_id, sync_id)",
    "create table if not exists v1_entitlements (id integer primary key, resource_type_id text not null, resource_id text not null, external_id text not null, data blob not null, sync_id text not null, discovered_at datetime not null)",
    "create index if not exists idx_entitlements_resource_id_v1 on v1_entitlements (resource_type_id, resource_id)",
    "create unique index if not exists idx_entitlements_external_sync_v1 on v1_entitlements (external_id, sync_id)",
    "create table if not exists v1_grants (id integer primary key, resource_type_id text not null, resource_id text not null, entitlement_id text not null, principal_resource_type_id text not null, principal_resource_id text not null, external_id text not null, expansion blob, needs_expansion integer not null default 0, data blob not null, sync_id text not null, discovered_at datetime not null)",
    "create index if not exists idx_grants_resource_type_id_resource_id_v1 on v1_grants (resource_type_id, resource_id)",
    "create index if not exists idx_grants_principal_id_v1 on v1_grants (principal_resource_type_id, principal_resource_id)",
    "create index if not exists idx_grants_entitlement_id_principal_id_v1 on v1_grants (entitlement_id, principal_resource_type_id, principal_resource_id)",
    "create unique index if not exists idx_grants_external_sync_v1 on v1_grants (external_id, sync_id)",
    "create table if not exists v1_sync_runs (id integer primary key, sync_id text not null, started_at datetime not null, ended_at datetime, sync_token text not null, sync_type text not null default 'full', parent_sync_id text not null default '', linked_sync_id text not null default '', supports_diff integer not null default 0, grants_backfilled integer not null default 0, is_partial boolean not null default false, stats blob)",
    "create unique index if not exists idx_sync_runs_sync_id_v1 on v1_sync_runs (sync_id)",
    "create table if not exists v1_assets (id integer primary key, external_id text not null, content_type text not null, data blob not null, sync_id text not null, discovered_at datetime not null)",
    "create unique index if not exists idx_assets_external_sync_v1 on v1_assets (external_id, sync_id)",
];

/// One sync run of the file.
#[derive(Debug, Clone)]
pub struct SyncRun {
    /// Its KSUID.
    pub sync_id: String,
    /// When the snapshot's sync started.
    pub started_at: DateTime<Utc>,
    /// When it completed.
    pub ended_at: DateTime<Utc>,
    /// What it holds.
    pub objects: Objects,
}

/// baton's time format (`2006-01-02 15:04:05.999999999`).
fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S%.f").to_string()
}

fn sql_err(what: &'static str) -> impl Fn(sqlx::Error) -> C1zError {
    move |e| C1zError::Sqlite { what, detail: e.to_string() }
}

async fn fill(db: &mut SqliteConnection, run: &SyncRun) -> Result<(), C1zError> {
    let mut tx = db.begin().await.map_err(sql_err("begin"))?;
    {
        let (sync, at) = (&run.sync_id, when(run.ended_at));
        sqlx::query("insert into v1_sync_runs (sync_id, started_at, ended_at, sync_token, sync_type, supports_diff, grants_backfilled) values (?, ?, ?, '', 'full', 1, 1)")
            .bind(sync)
            .bind(when(run.started_at))
            .bind(&at)
            .execute(&mut *tx)
            .await
            .map_err(sql_err("write a sync run"))?;
        for t in &run.objects.resource_types {
            sqlx::query(
                "insert into v1_resource_types (external_id, data, sync_id, discovered_at) values (?, ?, ?, ?)",
            )
            .bind(&t.id)
            .bind(t.encode_to_vec())
            .bind(sync)
            .bind(&at)
            .execute(&mut *tx)
            .await
            .map_err(sql_err("write a resource type"))?;
        }
        for r in &run.objects.resources {
            let id = r.id.clone().unwrap_or_default();
            let parent = r.parent_resource_id.clone();
            sqlx::query("insert into v1_resources (resource_type_id, external_id, parent_resource_type_id, parent_resource_id, data, sync_id, discovered_at) values (?, ?, ?, ?, ?, ?, ?)")
                .bind(&id.resource_type)
                .bind(format!("{}:{}", id.resource_type, id.resource))
                .bind(parent.as_ref().map(|p| p.resource_type.clone()))
                .bind(parent.as_ref().map(|p| p.resource.clone()))
                .bind(r.encode_to_vec())
                .bind(sync)
                .bind(&at)
                .execute(&mut *tx)
                .await
                .map_err(sql_err("write a resource"))?;
        }
        for e in &run.objects.entitlements {
            let id = e.resource.as_ref().and_then(|r| r.id.clone()).unwrap_or_default();
            sqlx::query("insert into v1_entitlements (resource_type_id, resource_id, external_id, data, sync_id, discovered_at) values (?, ?, ?, ?, ?, ?)")
                .bind(&id.resource_type)
                .bind(&id.resource)
                .bind(&e.id)
                .bind(e.encode_to_vec())
                .bind(sync)
                .bind(&at)
                .execute(&mut *tx)
                .await
                .map_err(sql_err("write an entitlement"))?;
        }
        for (g, expandable) in run.objects.grants() {
            let res =
                g.entitlement.as_ref().and_then(|e| e.resource.as_ref()).and_then(|r| r.id.clone()).unwrap_or_default();
            let principal = g.principal.as_ref().and_then(|p| p.id.clone()).unwrap_or_default();
            let eid = g.entitlement.as_ref().map(|e| e.id.clone()).unwrap_or_default();
            // The expansion lives in its own column, not in `data` (as baton stores it).
            sqlx::query("insert into v1_grants (resource_type_id, resource_id, entitlement_id, principal_resource_type_id, principal_resource_id, external_id, expansion, needs_expansion, data, sync_id, discovered_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .bind(&res.resource_type)
                .bind(&res.resource)
                .bind(&eid)
                .bind(&principal.resource_type)
                .bind(&principal.resource)
                .bind(&g.id)
                .bind(expandable.as_ref().map(Message::encode_to_vec))
                .bind(i64::from(expandable.is_some()))
                .bind(g.encode_to_vec())
                .bind(sync)
                .bind(&at)
                .execute(&mut *tx)
                .await
                .map_err(sql_err("write a grant"))?;
        }
    }
    tx.commit().await.map_err(sql_err("commit"))
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

/// A c1z file being written: its database beside the output, one sync run added at a time,
/// so only one snapshot's objects are in memory at once.
pub struct Builder {
    db: SqliteConnection,
    db_path: PathBuf,
    path: PathBuf,
}

impl Builder {
    /// Starts the file that will be at `path`.
    pub async fn create(path: &Path) -> Result<Builder, C1zError> {
        let db_path = sibling(path, ".building.db");
        let _ = tokio::fs::remove_file(&db_path).await;
        let opts = SqliteConnectOptions::new()
            .filename(&db_path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Delete);
        let db = SqliteConnection::connect_with(&opts).await.map_err(|e| C1zError::Io {
            path: path.into(),
            detail: format!("cannot create a file beside it ({e}): check that its folder exists and is writable"),
        })?;
        let mut b = Builder { db, db_path, path: path.into() };
        for s in SCHEMA {
            if let Err(e) = sqlx::query(*s).execute(&mut b.db).await {
                b.abandon().await;
                return Err(sql_err("create the tables")(e));
            }
        }
        Ok(b)
    }

    /// Adds one sync run (oldest first), in one transaction.
    pub async fn add(&mut self, run: &SyncRun) -> Result<(), C1zError> {
        fill(&mut self.db, run).await
    }

    /// Drops what was built (after a failure).
    pub async fn abandon(self) {
        let _ = self.db.close().await;
        let _ = tokio::fs::remove_file(&self.db_path).await;
    }

    /// Compresses the database into the file (streamed: the database is never in memory
    /// whole) and puts it in place in one rename; the file's size.
    pub async fn finish(self) -> Result<u64, C1zError> {
        let Builder { db, db_path, path } = self;
        if let Err(e) = db.close().await {
            let _ = tokio::fs::remove_file(&db_path).await;
            return Err(sql_err("close the database")(e));
        }
        let tmp = sibling(&path, ".partial");
        let (from, to) = (db_path.clone(), tmp.clone());
        let written = tokio::task::spawn_blocking(move || -> std::io::Result<u64> {
            use std::io::Write;
            let input = std::fs::File::open(&from)?;
            let mut out = std::io::BufWriter::new(std::fs::File::create(&to)?);
            out.write_all(MAGIC)?;
            zstd::stream::copy_encode(input, &mut out, 3)?;
            let file = out.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            Ok(file.metadata()?.len())
        })
        .await;
        let _ = tokio::fs::remove_file(&db_path).await;
        let io = |detail: String| C1zError::Io { path: path.clone(), detail };
        let bytes = match written {
            Ok(Ok(n)) => n,
            Ok(Err(e)) => {
                let _ = tokio::fs::remove_file(&tmp).await;
                return Err(io(e.to_string()));
            }
            Err(e) => return Err(io(e.to_string())),
        };
        tokio::fs::rename(&tmp, &path).await.map_err(|e| io(e.to_string()))?;
        Ok(bytes)
    }
}

/// Writes `runs` (oldest first) as a c1z file at `path`; the file's size.
pub async fn write(path: &Path, runs: &[SyncRun]) -> Result<u64, C1zError> {
    let mut b = Builder::create(path).await?;
    for run in runs {
        if let Err(e) = b.add(run).await {
            b.abandon().await;
            return Err(e);
        }
    }
    b.finish().await
}

/// The SQLite database inside a c1z file's bytes, checked: the magic, then zstd (at most
/// `max` bytes decoded, as baton's readers cap it).
pub fn database_of(bytes: &[u8], max: u64) -> Result<Vec<u8>, C1zError> {
    let body = bytes.strip_prefix(MAGIC.as_slice()).ok_or(C1zError::NotC1z)?;
    let mut out = Vec::new();
    let dec = zstd::stream::read::Decoder::new(body).map_err(|e| C1zError::Corrupt(e.to_string()))?;
    let read = std::io::Read::read_to_end(&mut std::io::Read::take(dec, max + 1), &mut out)
        .map_err(|e| C1zError::Corrupt(e.to_string()))?;
    if read as u64 > max {
        return Err(C1zError::Corrupt(format!("the database is larger than {max} bytes")));
    }
    Ok(out)
}
