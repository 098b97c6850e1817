//! Retention: deleting old snapshots' rows (users, resources, grants, the account record and
//! the checkpoints), keeping their sync runs (marked `pruned_at`) and their events, in one
//! transaction with the event that says so.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use roster_core::{Event, EventKind};
use serde_json::json;
use sqlx::Row;

use super::rows::ts;
use super::{writes, SqlStore};
use crate::types::{AccountStats, StoreStats};
use crate::{Result, StoreError};

/// Deleting a snapshot's own rows: the tables keyed by `sync_id`.
const DELETE_SNAPSHOT: [&str; 3] = [
    "DELETE FROM account_snapshots WHERE sync_id = $1",
    "DELETE FROM sync_progress WHERE sync_id = $1",
    "DELETE FROM sync_seen WHERE sync_id = $1",
];

/// Deleting the rows of users, resources and grants (`{t}`) that no kept snapshot holds: a
/// row that ended (`to_sync` set) and whose span holds no completed, unpruned sync of its
/// account. Rows that still hold belong to the newest snapshot or a running sync, and stay.
const DELETE_UNHELD: &str = "DELETE FROM {t} WHERE account = $1 AND to_sync IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM syncs s WHERE s.account = $1 AND s.status = 'completed'
       AND s.pruned_at IS NULL AND s.id >= {t}.from_sync AND s.id < {t}.to_sync)";

#[async_trait::async_trait]
impl crate::RetentionStore for SqlStore {
    async fn snapshot_refs(&self, account: &str) -> Result<BTreeSet<i64>> {
        let rows = sqlx::query(
            "SELECT sync_id FROM review_campaigns WHERE account = $1 AND sync_id IS NOT NULL
             UNION SELECT sync_id FROM plans WHERE account = $2 AND sync_id IS NOT NULL",
        )
        .bind(account)
        .bind(account)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("read snapshot references"))?;
        rows.iter()
            .map(|r| r.try_get::<i64, _>("sync_id").map_err(StoreError::query("read snapshot references")))
            .collect()
    }

    async fn prune_snapshots(&self, account: &str, ids: &[i64], now: DateTime<Utc>) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let newest: Option<i64> =
            sqlx::query("SELECT MAX(id) AS id FROM syncs WHERE account = $1 AND status = 'completed'")
                .bind(account)
                .fetch_one(&mut *tx)
                .await
                .and_then(|r| r.try_get("id"))
                .map_err(StoreError::query("find the newest snapshot"))?;
        let mut rows = 0u64;
        for id in ids {
            // Checked again here, inside the transaction: only a completed, unpruned snapshot
            // of this account that is not its newest is ever deleted.
            if Some(*id) == newest {
                return Err(StoreError::Query {
                    context: "prune snapshots",
                    detail: format!("sync {id} is the newest snapshot of {account:?}: it is never pruned"),
                });
            }
            let marked = sqlx::query(
                "UPDATE syncs SET pruned_at = $1 WHERE id = $2 AND account = $3 AND status = 'completed' AND pruned_at IS NULL",
            )
            .bind(ts(Some(now)))
            .bind(id)
            .bind(account)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("mark a snapshot pruned"))?;
            if marked.rows_affected() != 1 {
                return Err(StoreError::Query {
                    context: "prune snapshots",
                    detail: format!("sync {id} is not a completed, unpruned sync of {account:?}"),
                });
            }
            for delete in DELETE_SNAPSHOT {
                let done = sqlx::query(delete)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::query("delete a snapshot's rows"))?;
                rows += done.rows_affected();
            }
        }
        for table in ["grants", "resources", "users"] {
            let done = sqlx::query(sql!("{}", DELETE_UNHELD.replace("{t}", table)))
                .bind(account)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("delete rows no kept snapshot holds"))?;
            rows += done.rows_affected();
        }
        let event = Event {
            kind: EventKind::SnapshotsPruned,
            subject: format!("account:{account}"),
            detail: json!({ "syncs": ids, "rows": rows }),
        };
        writes::insert_events(&mut tx, account, None, &[event], now).await?;
        tx.commit().await.map_err(StoreError::query("commit"))?;
        Ok(rows)
    }

    async fn store_stats(&self) -> Result<StoreStats> {
        let q = StoreError::query("read store statistics");
        // SUM is NUMERIC on PostgreSQL, which the Any driver cannot read: cast to BIGINT.
        let per_account = sqlx::query(
            "SELECT a.name AS account,
                    (SELECT COUNT(*) FROM syncs s WHERE s.account = a.name AND s.status = 'completed' AND s.pruned_at IS NULL) AS snapshots,
                    (SELECT COUNT(*) FROM syncs s WHERE s.account = a.name AND s.pruned_at IS NOT NULL) AS pruned,
                    CAST((SELECT COUNT(*) FROM users u WHERE u.account = a.name)
                      + (SELECT COUNT(*) FROM resources r WHERE r.account = a.name)
                      + (SELECT COUNT(*) FROM grants g WHERE g.account = a.name) AS BIGINT) AS rows_kept,
                    (SELECT COUNT(*) FROM events e WHERE e.account = a.name) AS events
             FROM accounts a WHERE EXISTS (SELECT 1 FROM syncs s WHERE s.account = a.name) ORDER BY a.name",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(&q)?;
        let mut accounts = Vec::new();
        for r in &per_account {
            accounts.push(AccountStats {
                account: r.try_get("account").map_err(&q)?,
                snapshots: r.try_get("snapshots").map_err(&q)?,
                pruned: r.try_get("pruned").map_err(&q)?,
                rows: r.try_get("rows_kept").map_err(&q)?,
                events: r.try_get("events").map_err(&q)?,
            });
        }
        let size = if self.postgres {
            "SELECT CAST(pg_database_size(current_database()) AS BIGINT) AS bytes"
        } else {
            "SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()"
        };
        let bytes: i64 = sqlx::query(size).fetch_one(&self.pool).await.and_then(|r| r.try_get("bytes")).map_err(&q)?;
        let user_search = if !self.postgres {
            "FTS5 trigram index".to_string()
        } else {
            let indexed: i64 = sqlx::query(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM pg_indexes WHERE indexname = 'users_search_email'",
            )
            .fetch_one(&self.pool)
            .await
            .and_then(|r| r.try_get("n"))
            .map_err(&q)?;
            if indexed > 0 { "pg_trgm index" } else { "scan (the pg_trgm extension could not be created)" }.to_string()
        };
        Ok(StoreStats { accounts, bytes, user_search })
    }
}
