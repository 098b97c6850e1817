//! The SQLite store: one file, WAL mode, runtime queries in portable SQL.

/// SQL assembled from this crate's own constants (column lists), never from input: input is
/// always bound as a parameter.
macro_rules! sql {
    ($($t:tt)*) => {
        sqlx::AssertSqlSafe(format!($($t)*))
    };
}

mod diff;
mod reads;
mod rows;
mod syncs;
mod writes;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use roster_core::{AccountRecord, Event, Grant, Principal, ResourceRecord, ResourceType, UserRecord};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use crate::types::*;
use crate::{Result, Store, StoreError};

/// The embedded store.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

impl SqliteStore {
    /// Opens (creating if needed) the store file at `path` and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<SqliteStore> {
        let shown = path.display().to_string();
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{shown}"))
            .map_err(|e| StoreError::Open {
                path: shown.clone(),
                detail: e.to_string(),
                hint: "Check the [store] path in roster.toml.",
            })?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        Self::connect(opts, &shown).await
    }

    /// A private in-memory store (tests).
    pub async fn in_memory() -> Result<SqliteStore> {
        let opts = SqliteConnectOptions::from_str("sqlite::memory:")
            .map_err(|e| StoreError::Open { path: ":memory:".into(), detail: e.to_string(), hint: "" })?
            .foreign_keys(true);
        Self::connect(opts, ":memory:").await
    }

    async fn connect(opts: SqliteConnectOptions, shown: &str) -> Result<SqliteStore> {
        let in_memory = shown == ":memory:";
        let pool = SqlitePoolOptions::new()
            // One connection for an in-memory database (each connection would be its own).
            .max_connections(if in_memory { 1 } else { 4 })
            .connect_with(opts)
            .await
            .map_err(|e| StoreError::Open {
                path: shown.to_string(),
                detail: e.to_string(),
                hint: "If the file is not a Roster store (or is damaged), move it away and run `roster sync` again, or point [store] path elsewhere.",
            })?;
        MIGRATOR.run(&pool).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::Execute(sqlx::Error::Database(d)) if d.message().contains("not a database") => StoreError::Open {
                path: shown.to_string(),
                detail: d.message().to_string(),
                hint: "The file is not a Roster store or is damaged: move it away, or point [store] path elsewhere.",
            },
            other => {
                let text = other.to_string();
                if text.contains("not a database") || text.contains("malformed") {
                    StoreError::Open { path: shown.to_string(), detail: text, hint: "The file is not a Roster store or is damaged: move it away, or point [store] path elsewhere." }
                } else {
                    StoreError::Migrate(text)
                }
            }
        })?;
        Ok(SqliteStore { pool })
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn ensure_account(&self, name: &str, now: DateTime<Utc>) -> Result<()> {
        self.ensure_account_impl(name, now).await
    }
    async fn begin_sync(&self, account: &str, api_version: &str, now: DateTime<Utc>) -> Result<SyncRun> {
        self.begin_sync_impl(account, api_version, now).await
    }
    async fn progress(&self, sync_id: i64) -> Result<Vec<PartProgress>> {
        self.progress_impl(sync_id).await
    }
    async fn write_page(&self, sync_id: i64, page: &Page) -> Result<()> {
        self.write_page_impl(sync_id, page).await
    }
    async fn expand_team_grants(&self, sync_id: i64) -> Result<u64> {
        self.expand_team_grants_impl(sync_id).await
    }
    async fn interrupt_sync(&self, sync_id: i64, error: &str, now: DateTime<Utc>) -> Result<()> {
        self.interrupt_sync_impl(sync_id, error, now).await
    }
    async fn complete_sync(&self, sync_id: i64, stats: SyncStats, events: &[Event], now: DateTime<Utc>) -> Result<()> {
        self.complete_sync_impl(sync_id, stats, events, now).await
    }
    async fn last_completed(&self, account: &str) -> Result<Option<SyncRun>> {
        self.last_completed_impl(account).await
    }
    async fn sync_run(&self, sync_id: i64) -> Result<Option<SyncRun>> {
        self.sync_run_impl(sync_id).await
    }
    async fn syncs(&self, account: Option<&str>, limit: u32) -> Result<Vec<SyncRun>> {
        self.syncs_impl(account, limit).await
    }
    async fn accounts(&self) -> Result<Vec<String>> {
        self.accounts_impl().await
    }
    async fn changed_users(&self, old: i64, new: i64) -> Result<Vec<(Option<UserRecord>, Option<UserRecord>)>> {
        self.changed_users_impl(old, new).await
    }
    async fn changed_resources(
        &self,
        old: i64,
        new: i64,
    ) -> Result<Vec<(Option<ResourceRecord>, Option<ResourceRecord>)>> {
        self.changed_resources_impl(old, new).await
    }
    async fn grants_missing_from(&self, a: i64, b: i64) -> Result<Vec<Grant>> {
        self.grants_missing_from_impl(a, b).await
    }
    async fn account_snapshot(&self, sync_id: i64) -> Result<Option<AccountRecord>> {
        self.account_snapshot_impl(sync_id).await
    }
    async fn users(&self, sync_id: i64, q: &UserQuery) -> Result<Vec<UserRecord>> {
        self.users_impl(sync_id, q).await
    }
    async fn find_user(&self, sync_id: i64, id_or_email: &str) -> Result<Option<UserRecord>> {
        self.find_user_impl(sync_id, id_or_email).await
    }
    async fn resources(&self, sync_id: i64, rtype: ResourceType) -> Result<Vec<ResourceRecord>> {
        self.resources_impl(sync_id, rtype).await
    }
    async fn resource(&self, sync_id: i64, rtype: ResourceType, id: &str) -> Result<Option<ResourceRecord>> {
        self.resource_impl(sync_id, rtype, id).await
    }
    async fn grants_of(&self, sync_id: i64, principal: &Principal) -> Result<Vec<Grant>> {
        self.grants_of_impl(sync_id, principal).await
    }
    async fn grants_on(&self, sync_id: i64, rtype: ResourceType, rid: &str) -> Result<Vec<Grant>> {
        self.grants_on_impl(sync_id, rtype, rid).await
    }
    async fn all_grants(&self, sync_id: i64) -> Result<Vec<Grant>> {
        self.all_grants_impl(sync_id).await
    }
    async fn counts(&self, sync_id: i64) -> Result<Counts> {
        self.counts_impl(sync_id).await
    }
    async fn member_counts(
        &self,
        sync_id: i64,
        rtype: ResourceType,
    ) -> Result<std::collections::HashMap<String, MemberCounts>> {
        self.member_counts_impl(sync_id, rtype).await
    }
    async fn add_pending(
        &self,
        account: &str,
        plan_id: &str,
        actions: &[roster_core::Action],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(StoreError::query("begin"))?;
        for a in actions {
            let json = serde_json::to_string(a).map_err(|e| StoreError::Corrupt(format!("action: {e}")))?;
            sqlx::query("INSERT INTO pending_changes (account, plan_id, action, created_at) VALUES (?, ?, ?, ?)")
                .bind(account)
                .bind(plan_id)
                .bind(json)
                .bind(rows::ts(Some(now)))
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("add pending change"))?;
        }
        tx.commit().await.map_err(StoreError::query("commit pending"))
    }
    async fn open_pending(&self, account: &str) -> Result<Vec<PendingChange>> {
        use sqlx::Row;
        let found = sqlx::query("SELECT id, account, plan_id, action, created_at FROM pending_changes WHERE account = ? AND resolved_sync IS NULL ORDER BY id")
            .bind(account)
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::query("open pending changes"))?;
        found
            .iter()
            .map(|r| {
                let action: String = r.try_get("action").map_err(StoreError::query("pending"))?;
                Ok(PendingChange {
                    id: r.try_get("id").map_err(StoreError::query("pending"))?,
                    account: r.try_get("account").map_err(StoreError::query("pending"))?,
                    plan_id: r.try_get("plan_id").map_err(StoreError::query("pending"))?,
                    action: serde_json::from_str(&action)
                        .map_err(|e| StoreError::Corrupt(format!("pending action: {e}")))?,
                    created_at: rows::time(Some(r.try_get("created_at").map_err(StoreError::query("pending"))?))?
                        .ok_or_else(|| StoreError::Corrupt("pending time".into()))?,
                })
            })
            .collect()
    }
    async fn resolve_pending(&self, id: i64, sync_id: i64, confirmed: bool) -> Result<()> {
        sqlx::query("UPDATE pending_changes SET resolved_sync = ?, confirmed = ? WHERE id = ?")
            .bind(sync_id)
            .bind(confirmed as i64)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("resolve pending change"))?;
        Ok(())
    }
    async fn webhook_cursor(&self, name: &str) -> Result<i64> {
        let v: Option<i64> = sqlx::query_scalar("SELECT last_event_id FROM webhook_cursors WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("read webhook cursor"))?;
        Ok(v.unwrap_or(0))
    }
    async fn set_webhook_cursor(&self, name: &str, event_id: i64) -> Result<()> {
        sqlx::query("INSERT INTO webhook_cursors (name, last_event_id) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET last_event_id = excluded.last_event_id")
            .bind(name)
            .bind(event_id)
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("write webhook cursor"))?;
        Ok(())
    }
    async fn append_events(
        &self,
        account: &str,
        sync_id: Option<i64>,
        events: &[Event],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(StoreError::query("begin"))?;
        writes::insert_events(&mut tx, account, sync_id, events, now).await?;
        tx.commit().await.map_err(StoreError::query("commit events"))
    }
    async fn events(&self, q: &EventQuery) -> Result<Vec<EventRow>> {
        self.events_impl(q).await
    }
}
