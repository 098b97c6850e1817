//! Just-in-time grants: rows that move forward by conditional updates.

use roster_core::JitStatus;
use sqlx::Row;

use super::SqlStore;
use crate::types::{JitGrant, JitTransition};
use crate::{Result, StoreError};

const JIT_COLUMNS: &str = "id, account, requester, user_id, entitlement, justification, duration_s, status, preexisting, decided_by, created_ms, expires_ms, warned, ended_ms, note, previous";

fn jit_row(r: &sqlx::any::AnyRow) -> Result<JitGrant> {
    let q = StoreError::query("read jit grant");
    Ok(JitGrant {
        id: r.try_get("id").map_err(&q)?,
        account: r.try_get("account").map_err(&q)?,
        requester: r.try_get("requester").map_err(&q)?,
        user_id: r.try_get("user_id").map_err(&q)?,
        entitlement: r.try_get("entitlement").map_err(&q)?,
        justification: r.try_get("justification").map_err(&q)?,
        duration_s: r.try_get("duration_s").map_err(&q)?,
        status: {
            let s: String = r.try_get("status").map_err(&q)?;
            JitStatus::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("jit status {s:?}")))?
        },
        preexisting: r.try_get::<i64, _>("preexisting").map_err(&q)? != 0,
        decided_by: r.try_get("decided_by").map_err(&q)?,
        created_ms: r.try_get("created_ms").map_err(&q)?,
        expires_ms: r.try_get("expires_ms").map_err(&q)?,
        warned: r.try_get::<i64, _>("warned").map_err(&q)? != 0,
        ended_ms: r.try_get("ended_ms").map_err(&q)?,
        note: r.try_get("note").map_err(&q)?,
        previous: r.try_get("previous").map_err(&q)?,
    })
}

impl SqlStore {
    pub(super) async fn add_jit_impl(&self, g: &JitGrant) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO jit_grants (account, requester, user_id, entitlement, justification, duration_s, status, created_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&g.account)
        .bind(&g.requester)
        .bind(&g.user_id)
        .bind(&g.entitlement)
        .bind(&g.justification)
        .bind(g.duration_s)
        .bind(JitStatus::Requested.as_str())
        .bind(g.created_ms)
        .fetch_one(&self.pool)
        .await
        .map_err(StoreError::query("add jit request"))?;
        row.try_get::<i64, _>("id").map_err(StoreError::query("add jit request"))
    }

    pub(super) async fn jits_impl(&self, account: &str, status: Option<JitStatus>) -> Result<Vec<JitGrant>> {
        let status = status.map(JitStatus::as_str);
        let rows = sqlx::query(sql!(
            "SELECT {JIT_COLUMNS} FROM jit_grants WHERE account = $1 AND ($2 IS NULL OR status = $3) ORDER BY id"
        ))
        .bind(account)
        .bind(status)
        .bind(status)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("list jit grants"))?;
        rows.iter().map(jit_row).collect()
    }

    pub(super) async fn jit_impl(&self, id: i64) -> Result<Option<JitGrant>> {
        let row = sqlx::query(sql!("SELECT {JIT_COLUMNS} FROM jit_grants WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("read jit grant"))?;
        row.as_ref().map(jit_row).transpose()
    }

    pub(super) async fn transition_jit_impl(&self, id: i64, t: &JitTransition) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE jit_grants SET status = $1,
                decided_by = COALESCE($2, decided_by), preexisting = COALESCE($3, preexisting),
                expires_ms = COALESCE($4, expires_ms), warned = COALESCE($5, warned),
                ended_ms = COALESCE($6, ended_ms), note = COALESCE($7, note), previous = COALESCE($8, previous)
             WHERE id = $9 AND status = $10",
        )
        .bind(t.to.as_str())
        .bind(t.decided_by.clone())
        .bind(t.preexisting.map(i64::from))
        .bind(t.expires_ms)
        .bind(t.warned.map(i64::from))
        .bind(t.ended_ms)
        .bind(t.note.clone())
        .bind(t.previous.clone())
        .bind(id)
        .bind(t.from.as_str())
        .execute(&self.pool)
        .await
        .map_err(StoreError::query("update jit grant"))?;
        Ok(done.rows_affected() == 1)
    }
}

#[async_trait::async_trait]
impl crate::JitStore for SqlStore {
    async fn add_jit(&self, g: &JitGrant) -> Result<i64> {
        self.add_jit_impl(g).await
    }

    async fn jits(&self, account: &str, status: Option<roster_core::JitStatus>) -> Result<Vec<JitGrant>> {
        self.jits_impl(account, status).await
    }

    async fn jit(&self, id: i64) -> Result<Option<JitGrant>> {
        self.jit_impl(id).await
    }

    async fn transition_jit(&self, id: i64, t: &JitTransition) -> Result<bool> {
        self.transition_jit_impl(id, t).await
    }
}
