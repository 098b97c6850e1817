//! Plans waiting for approval: rows that move forward by conditional updates, each move
//! written with its events in one transaction.

use chrono::{DateTime, TimeZone, Utc};
use roster_core::{Event, PlanKind, PlanStatus};
use sqlx::Row;

use super::SqlStore;
use crate::types::{PlanTransition, StoredPlan};
use crate::{Result, StoreError};

const PLAN_COLUMNS: &str =
    "id, account, kind, sync_id, body, summary, status, requested_by, reason, created_ms, decided_by, decided_ms, note";

fn plan_row(r: &sqlx::any::AnyRow) -> Result<StoredPlan> {
    let q = StoreError::query("read plan");
    let kind: String = r.try_get("kind").map_err(&q)?;
    let status: String = r.try_get("status").map_err(&q)?;
    let json = |col: &str| -> Result<serde_json::Value> {
        let text: String = r.try_get(col).map_err(StoreError::query("read plan"))?;
        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("plan {col}: {e}")))
    };
    Ok(StoredPlan {
        id: r.try_get("id").map_err(&q)?,
        account: r.try_get("account").map_err(&q)?,
        kind: PlanKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("plan kind {kind:?}")))?,
        sync_id: r.try_get("sync_id").map_err(&q)?,
        body: json("body")?,
        summary: json("summary")?,
        status: PlanStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("plan status {status:?}")))?,
        requested_by: r.try_get("requested_by").map_err(&q)?,
        reason: r.try_get("reason").map_err(&q)?,
        created_ms: r.try_get("created_ms").map_err(&q)?,
        decided_by: r.try_get("decided_by").map_err(&q)?,
        decided_ms: r.try_get("decided_ms").map_err(&q)?,
        note: r.try_get("note").map_err(&q)?,
    })
}

fn at(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_else(Utc::now)
}

impl SqlStore {
    pub(super) async fn add_plan_impl(&self, p: &StoredPlan, events: &[Event]) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(StoreError::query("begin"))?;
        sqlx::query(
            "INSERT INTO plans (id, account, kind, sync_id, body, summary, status, requested_by, reason, created_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&p.id)
        .bind(&p.account)
        .bind(p.kind.as_str())
        .bind(p.sync_id)
        .bind(p.body.to_string())
        .bind(p.summary.to_string())
        .bind(p.status.as_str())
        .bind(&p.requested_by)
        .bind(p.reason.clone())
        .bind(p.created_ms)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query("store a plan"))?;
        super::writes::insert_events(&mut tx, &p.account, None, events, at(p.created_ms)).await?;
        tx.commit().await.map_err(StoreError::query("commit plan"))
    }

    pub(super) async fn plan_impl(&self, id: &str) -> Result<Option<StoredPlan>> {
        let row = sqlx::query(sql!("SELECT {PLAN_COLUMNS} FROM plans WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("read plan"))?;
        row.as_ref().map(plan_row).transpose()
    }

    pub(super) async fn plans_impl(&self, account: &str, status: Option<PlanStatus>) -> Result<Vec<StoredPlan>> {
        let status = status.map(PlanStatus::as_str);
        let rows = sqlx::query(sql!(
            "SELECT {PLAN_COLUMNS} FROM plans WHERE account = $1 AND ($2 IS NULL OR status = $3) ORDER BY created_ms, id"
        ))
        .bind(account)
        .bind(status)
        .bind(status)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("list plans"))?;
        rows.iter().map(plan_row).collect()
    }

    pub(super) async fn transition_plan_impl(&self, id: &str, t: &PlanTransition, events: &[Event]) -> Result<bool> {
        let mut tx = self.pool.begin().await.map_err(StoreError::query("begin"))?;
        let done = sqlx::query(
            "UPDATE plans SET status = $1, decided_by = COALESCE($2, decided_by),
                decided_ms = CASE WHEN $3 IS NULL THEN decided_ms ELSE $4 END, note = COALESCE($5, note)
             WHERE id = $6 AND status = $7",
        )
        .bind(t.to.as_str())
        .bind(t.by.clone())
        .bind(t.by.clone())
        .bind(t.at_ms)
        .bind(t.note.clone())
        .bind(id)
        .bind(t.from.as_str())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query("move a plan on"))?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        let account: String = sqlx::query("SELECT account FROM plans WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::query("read plan"))?
            .try_get("account")
            .map_err(StoreError::query("read plan"))?;
        super::writes::insert_events(&mut tx, &account, None, events, at(t.at_ms)).await?;
        tx.commit().await.map_err(StoreError::query("commit plan"))?;
        Ok(true)
    }
}

#[async_trait::async_trait]
impl crate::PlanStore for SqlStore {
    async fn add_plan(&self, p: &StoredPlan, events: &[Event]) -> Result<()> {
        self.add_plan_impl(p, events).await
    }

    async fn plan(&self, id: &str) -> Result<Option<StoredPlan>> {
        self.plan_impl(id).await
    }

    async fn plans(&self, account: &str, status: Option<roster_core::PlanStatus>) -> Result<Vec<StoredPlan>> {
        self.plans_impl(account, status).await
    }

    async fn transition_plan(&self, id: &str, t: &PlanTransition, events: &[Event]) -> Result<bool> {
        self.transition_plan_impl(id, t, events).await
    }
}
