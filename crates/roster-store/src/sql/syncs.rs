//! Accounts and sync runs: begin or resume, interrupt, complete.

use chrono::{DateTime, Utc};
use roster_core::Event;
use sqlx::Row;

use super::rows::{self, ts};
use super::{writes, SqlStore};
use crate::types::*;
use crate::{Result, StoreError};

const SYNC_COLUMNS: &str =
    "id, account, status, started_at, finished_at, error, api_version, resumed, requests, complexity, pruned_at";

/// Rows a sync must change in a snapshot table (beyond a tenth of it) before it analyzes it.
const ANALYZE_AFTER_ROWS: i64 = 1_000;

impl SqlStore {
    pub(super) async fn ensure_account_impl(&self, name: &str, now: DateTime<Utc>) -> Result<()> {
        sqlx::query("INSERT INTO accounts (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(ts(Some(now)))
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("register account"))?;
        Ok(())
    }

    pub(super) async fn begin_sync_impl(
        &self,
        account: &str,
        api_version: &str,
        now: DateTime<Utc>,
    ) -> Result<SyncRun> {
        self.ensure_account_impl(account, now).await?;
        let mut tx = self.pool.begin().await.map_err(StoreError::query("begin"))?;
        // The newest unfinished run after the last completed one is resumed.
        let unfinished = sqlx::query(sql!(
            "SELECT {SYNC_COLUMNS} FROM syncs WHERE account = $1 AND status IN ('running', 'interrupted')
             AND id > COALESCE((SELECT MAX(id) FROM syncs WHERE account = $2 AND status = 'completed'), 0)
             ORDER BY id DESC LIMIT 1"
        ))
        .bind(account)
        .bind(account)
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::query("find unfinished sync"))?;
        let id = match unfinished {
            Some(row) => {
                let run = rows::sync_run(&row)?;
                sqlx::query("UPDATE syncs SET status = 'running', resumed = resumed + 1, error = NULL WHERE id = $1")
                    .bind(run.id)
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::query("resume sync"))?;
                run.id
            }
            None => sqlx::query(
                "INSERT INTO syncs (account, status, started_at, api_version, pages_add_team_access)
                 VALUES ($1, 'running', $2, $3, 1) RETURNING id",
            )
            .bind(account)
            .bind(ts(Some(now)))
            .bind(api_version)
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query("start sync"))?
            .try_get::<i64, _>("id")
            .map_err(StoreError::query("start sync"))?,
        };
        tx.commit().await.map_err(StoreError::query("commit"))?;
        self.sync_run_impl(id).await?.ok_or_else(|| StoreError::NotFound(format!("sync {id} vanished")))
    }

    pub(super) async fn progress_impl(&self, sync_id: i64) -> Result<Vec<PartProgress>> {
        let rows =
            sqlx::query("SELECT part, next_offset, pages, done FROM sync_progress WHERE sync_id = $1 ORDER BY part")
                .bind(sync_id)
                .fetch_all(&self.pool)
                .await
                .map_err(StoreError::query("read progress"))?;
        rows.iter()
            .map(|r| {
                Ok(PartProgress {
                    part: r.try_get("part").map_err(StoreError::query("progress"))?,
                    next_offset: r.try_get::<i64, _>("next_offset").map_err(StoreError::query("progress"))? as u64,
                    pages: r.try_get::<i64, _>("pages").map_err(StoreError::query("progress"))? as u64,
                    done: r.try_get::<i64, _>("done").map_err(StoreError::query("progress"))? != 0,
                })
            })
            .collect()
    }

    pub(super) async fn interrupt_sync_impl(&self, sync_id: i64, error: &str, now: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "UPDATE syncs SET status = 'interrupted', error = $1, finished_at = $2 WHERE id = $3 AND status = 'running'",
        )
        .bind(error)
        .bind(ts(Some(now)))
        .bind(sync_id)
        .execute(&self.pool)
        .await
        .map_err(StoreError::query("interrupt sync"))?;
        Ok(())
    }

    pub(super) async fn complete_sync_impl(
        &self,
        sync_id: i64,
        stats: SyncStats,
        events: &[Event],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let run = self
            .sync_run_impl(sync_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("sync {sync_id} does not exist")))?;
        let mut tx = self.pool.begin().await.map_err(StoreError::query("begin"))?;
        writes::insert_events(&mut tx, &run.account, Some(sync_id), events, now).await?;
        // What the pages saw was needed only to finish the snapshot.
        sqlx::query("DELETE FROM sync_seen WHERE sync_id = $1")
            .bind(sync_id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("complete sync"))?;
        sqlx::query("UPDATE syncs SET status = 'completed', finished_at = $1, error = NULL, requests = requests + $2, complexity = complexity + $3 WHERE id = $4")
            .bind(ts(Some(now)))
            .bind(stats.requests)
            .bind(stats.complexity)
            .bind(sync_id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("complete sync"))?;
        tx.commit().await.map_err(StoreError::query("commit"))?;
        if self.postgres {
            self.refresh_planner_statistics(&run.account, sync_id).await;
        }
        Ok(())
    }

    /// PostgreSQL plans from statistics that autovacuum refreshes in its own time: right after
    /// a first sync of 100,000 users it had none, and a name search scanned every user (60 ms)
    /// instead of taking the trigram index (10 ms). So a sync, when its pages are written (see
    /// `finish.rs`) and again when it completes, that added or ended
    /// more than a tenth of a snapshot table's rows (and at least [`ANALYZE_AFTER_ROWS`]), or
    /// wrote to a table never analyzed, analyzes it at once. Counted from the rows themselves
    /// (indexed by the sync that added and ended them): the statistics views lag behind.
    /// Best effort: the sync is complete either way, and autovacuum still runs.
    pub(super) async fn refresh_planner_statistics(&self, account: &str, sync_id: i64) {
        for table in ["users", "resources", "grants"] {
            // The table's name comes from the fixed list above, never from input.
            let sql = format!(
                "SELECT (SELECT COUNT(*) FROM {table} WHERE account = $1 AND from_sync = $2)
                      + (SELECT COUNT(*) FROM {table} WHERE account = $1 AND to_sync = $2),
                        CAST((SELECT reltuples FROM pg_class WHERE oid = '{table}'::regclass) AS BIGINT)"
            );
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account).bind(sync_id).fetch_one(&self.pool).await;
            let (changed, tuples): (i64, i64) = match row.and_then(|r| Ok((r.try_get(0)?, r.try_get(1)?))) {
                Ok(v) => v,
                Err(e) => {
                    tracing::warn!("could not weigh {table}'s change for the planner (autovacuum will): {e}");
                    continue;
                }
            };
            let stale = (tuples < 0 && changed > 0) || changed > tuples.max(0) / 10 + ANALYZE_AFTER_ROWS;
            if stale {
                if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(format!("ANALYZE {table}"))).execute(&self.pool).await {
                    tracing::warn!("could not analyze {table} after the sync (autovacuum will): {e}");
                }
            }
        }
    }

    /// The account a sync belongs to.
    pub(super) async fn account_of(&self, sync_id: i64) -> Result<String> {
        sqlx::query_scalar("SELECT account FROM syncs WHERE id = $1")
            .bind(sync_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("read sync"))?
            .ok_or_else(|| StoreError::NotFound(format!("sync {sync_id} does not exist")))
    }

    /// Whether the pages of `sync_id` added the rows through teams their grants bring (every
    /// sync begun since `0026_pages_add_team_access`).
    pub(super) async fn pages_add_team_access(&self, sync_id: i64) -> Result<bool> {
        let flag: i64 = sqlx::query_scalar("SELECT pages_add_team_access FROM syncs WHERE id = $1")
            .bind(sync_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("read sync"))?
            .ok_or_else(|| StoreError::NotFound(format!("sync {sync_id} does not exist")))?;
        Ok(flag != 0)
    }

    pub(super) async fn last_completed_impl(&self, account: &str) -> Result<Option<SyncRun>> {
        let row = sqlx::query(sql!(
            "SELECT {SYNC_COLUMNS} FROM syncs WHERE account = $1 AND status = 'completed' ORDER BY id DESC LIMIT 1"
        ))
        .bind(account)
        .fetch_optional(&self.pool)
        .await
        .map_err(StoreError::query("last completed sync"))?;
        row.as_ref().map(rows::sync_run).transpose()
    }

    pub(super) async fn sync_run_impl(&self, sync_id: i64) -> Result<Option<SyncRun>> {
        let row = sqlx::query(sql!("SELECT {SYNC_COLUMNS} FROM syncs WHERE id = $1"))
            .bind(sync_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("read sync"))?;
        row.as_ref().map(rows::sync_run).transpose()
    }

    pub(super) async fn syncs_impl(&self, account: Option<&str>, limit: u32) -> Result<Vec<SyncRun>> {
        let rows = sqlx::query(sql!(
            "SELECT {SYNC_COLUMNS} FROM syncs WHERE ($1 IS NULL OR account = $2) ORDER BY id DESC LIMIT $3"
        ))
        .bind(account)
        .bind(account)
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("list syncs"))?;
        rows.iter().map(rows::sync_run).collect()
    }

    pub(super) async fn accounts_impl(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT name FROM accounts ORDER BY name")
            .fetch_all(&self.pool)
            .await
            .map_err(StoreError::query("list accounts"))?;
        rows.iter().map(|r| r.try_get("name").map_err(StoreError::query("list accounts"))).collect()
    }
}

#[async_trait::async_trait]
impl crate::SyncStore for SqlStore {
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

    async fn finish_snapshot(&self, sync_id: i64) -> Result<u64> {
        self.finish_snapshot_impl(sync_id).await
    }

    async fn sync_changes(&self, sync_id: i64) -> Result<RowChanges> {
        let q = StoreError::query("count a sync's changes");
        // By account and sync: the indexes on (account, from_sync) and (account, to_sync).
        let row = sqlx::query(
            "SELECT CAST((SELECT COUNT(*) FROM users WHERE account = (SELECT account FROM syncs WHERE id = $1) AND from_sync = $1)
                  + (SELECT COUNT(*) FROM resources WHERE account = (SELECT account FROM syncs WHERE id = $1) AND from_sync = $1)
                  + (SELECT COUNT(*) FROM grants WHERE account = (SELECT account FROM syncs WHERE id = $1) AND from_sync = $1) AS BIGINT) AS added,
                    CAST((SELECT COUNT(*) FROM users WHERE account = (SELECT account FROM syncs WHERE id = $1) AND to_sync = $1)
                  + (SELECT COUNT(*) FROM resources WHERE account = (SELECT account FROM syncs WHERE id = $1) AND to_sync = $1)
                  + (SELECT COUNT(*) FROM grants WHERE account = (SELECT account FROM syncs WHERE id = $1) AND to_sync = $1) AS BIGINT) AS removed",
        )
        .bind(sync_id)
        .fetch_one(&self.pool)
        .await
        .map_err(&q)?;
        Ok(RowChanges { added: row.try_get("added").map_err(&q)?, removed: row.try_get("removed").map_err(&q)? })
    }

    async fn add_sync_stats(&self, sync_id: i64, stats: SyncStats) -> Result<()> {
        sqlx::query("UPDATE syncs SET requests = requests + $1, complexity = complexity + $2 WHERE id = $3")
            .bind(stats.requests)
            .bind(stats.complexity)
            .bind(sync_id)
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("add sync figures"))?;
        Ok(())
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Page, SyncStore};
    use roster_core::UserRecord;

    /// A first sync of thousands of users leaves PostgreSQL with statistics for them (before,
    /// the planner had none until autovacuum came, and scanned where an index was there).
    #[tokio::test]
    async fn a_sync_that_changed_much_leaves_postgres_with_statistics() {
        let Ok(url) = std::env::var("ROSTER_TEST_POSTGRES") else {
            assert!(std::env::var_os("ROSTER_REFEREES").is_none(), "the test script must provide ROSTER_TEST_POSTGRES");
            return;
        };
        let name = format!("roster_analyze_{}", std::process::id());
        let store = SqlStore::create_postgres(&url, &name).await.unwrap();
        let tuples = || async {
            let n: f32 = sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE relname = 'users'")
                .fetch_one(&store.pool)
                .await
                .unwrap();
            n
        };
        assert!(tuples().await < 1.0, "a new table has no statistics");
        let users: Vec<UserRecord> =
            (1..=3_000).map(|i| UserRecord::new(i.to_string(), format!("User {i}"), format!("u{i}@x.io"))).collect();
        let run = store.begin_sync("acme", "2026-10", Utc::now()).await.unwrap();
        let page = Page { part: "users".into(), users, next_offset: 1, done: true, ..Page::default() };
        store.write_page(run.id, &page).await.unwrap();
        store.finish_snapshot(run.id).await.unwrap();
        store.complete_sync(run.id, SyncStats::default(), &[], Utc::now()).await.unwrap();
        assert_eq!(tuples().await, 3_000.0, "analyzed when the sync completed");
        drop(store);
        SqlStore::drop_postgres(&url, &name).await.unwrap();
    }
}
