//! Changes sent to monday.com, recorded before they are sent (write-ahead), given monday.com's
//! answer after, and resolved by a later sync.

use chrono::{DateTime, Utc};
use roster_core::{Change, Event, Outcome};
use sqlx::Row;

use super::{rows, SqlStore};
use crate::{PendingChange, Result, StoreError};

impl SqlStore {
    pub(super) async fn add_pending_impl(
        &self,
        account: &str,
        plan_id: &str,
        changes: &[Change],
        events: &[Event],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        let mut tx = self.pool.begin().await.map_err(StoreError::query("begin"))?;
        super::writes::insert_events(&mut tx, account, None, events, now).await?;
        let mut ids = Vec::with_capacity(changes.len());
        for (i, c) in changes.iter().enumerate() {
            let json = serde_json::to_string(c).map_err(|e| StoreError::Corrupt(format!("change: {e}")))?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO pending_changes (account, plan_id, action, created_at, outcome, step)
                 VALUES ($1, $2, $3, $4, 'requested', $5) RETURNING id",
            )
            .bind(account)
            .bind(plan_id)
            .bind(json)
            .bind(rows::ts(Some(now)))
            .bind(i as i64)
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query("record a change before it is sent"))?;
            ids.push(id);
        }
        tx.commit().await.map_err(StoreError::query("commit pending"))?;
        Ok(ids)
    }

    pub(super) async fn set_pending_outcomes_impl(
        &self,
        account: &str,
        outcomes: &[(i64, Outcome)],
        events: &[Event],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(StoreError::query("begin"))?;
        super::writes::insert_events(&mut tx, account, None, events, now).await?;
        for (id, o) in outcomes {
            sqlx::query("UPDATE pending_changes SET outcome = $1 WHERE id = $2")
                .bind(o.as_str())
                .bind(*id)
                .execute(&mut *tx)
                .await
                .map_err(StoreError::query("record a change's outcome"))?;
        }
        tx.commit().await.map_err(StoreError::query("commit outcomes"))
    }

    pub(super) async fn open_pending_impl(&self, account: &str) -> Result<Vec<PendingChange>> {
        let found = sqlx::query(
            "SELECT id, account, plan_id, action, created_at, outcome FROM pending_changes
             WHERE account = $1 AND resolved_sync IS NULL ORDER BY id",
        )
        .bind(account)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("open pending changes"))?;
        found
            .iter()
            .map(|r| {
                let action: String = r.try_get("action").map_err(StoreError::query("pending"))?;
                let outcome: Option<String> = r.try_get("outcome").map_err(StoreError::query("pending"))?;
                Ok(PendingChange {
                    id: r.try_get("id").map_err(StoreError::query("pending"))?,
                    account: r.try_get("account").map_err(StoreError::query("pending"))?,
                    plan_id: r.try_get("plan_id").map_err(StoreError::query("pending"))?,
                    action: serde_json::from_str(&action)
                        .map_err(|e| StoreError::Corrupt(format!("pending change: {e}")))?,
                    created_at: rows::time(Some(r.try_get("created_at").map_err(StoreError::query("pending"))?))?
                        .ok_or_else(|| StoreError::Corrupt("pending time".into()))?,
                    // Rows from before write-ahead recorded only changes that succeeded.
                    outcome: match outcome.as_deref() {
                        None => Outcome::Succeeded,
                        Some(o) => {
                            Outcome::parse(o).ok_or_else(|| StoreError::Corrupt(format!("pending outcome {o:?}")))?
                        }
                    },
                })
            })
            .collect()
    }
}

#[async_trait::async_trait]
impl crate::PendingStore for SqlStore {
    async fn add_pending(
        &self,
        account: &str,
        plan_id: &str,
        changes: &[roster_core::Change],
        events: &[Event],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        self.add_pending_impl(account, plan_id, changes, events, now).await
    }

    async fn set_pending_outcomes(
        &self,
        account: &str,
        outcomes: &[(i64, roster_core::Outcome)],
        events: &[Event],
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.set_pending_outcomes_impl(account, outcomes, events, now).await
    }

    async fn open_pending(&self, account: &str) -> Result<Vec<PendingChange>> {
        self.open_pending_impl(account).await
    }

    async fn resolve_pending(&self, id: i64, sync_id: i64, confirmed: bool) -> Result<()> {
        sqlx::query("UPDATE pending_changes SET resolved_sync = $1, confirmed = $2 WHERE id = $3")
            .bind(sync_id)
            .bind(confirmed as i64)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("resolve pending change"))?;
        Ok(())
    }
}
