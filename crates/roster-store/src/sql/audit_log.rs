//! monday.com's audit log: entries stored once each (by key), read newest first, and each
//! account's read cursor.

use sqlx::Row;

use super::writes::{multi_insert, ROWS_PER_STATEMENT};
use super::SqlStore;
use crate::types::{AuditLogQuery, AuditLogRow};
use crate::{Result, StoreError};

const COLUMNS: [&str; 12] = [
    "account",
    "entry_key",
    "at_ms",
    "event",
    "user_id",
    "ip",
    "user_agent",
    "client_name",
    "os_name",
    "device_type",
    "metadata",
    "id",
];

fn row(r: &sqlx::any::AnyRow) -> Result<AuditLogRow> {
    let q = StoreError::query("read audit log entry");
    Ok(AuditLogRow {
        id: r.try_get("id").map_err(&q)?,
        account: r.try_get("account").map_err(&q)?,
        key: r.try_get("entry_key").map_err(&q)?,
        at_ms: r.try_get("at_ms").map_err(&q)?,
        event: r.try_get("event").map_err(&q)?,
        user_id: r.try_get("user_id").map_err(&q)?,
        ip: r.try_get("ip").map_err(&q)?,
        user_agent: r.try_get("user_agent").map_err(&q)?,
        client_name: r.try_get("client_name").map_err(&q)?,
        os_name: r.try_get("os_name").map_err(&q)?,
        device_type: r.try_get("device_type").map_err(&q)?,
        metadata: r.try_get("metadata").map_err(&q)?,
    })
}

#[async_trait::async_trait]
impl crate::AuditLogStore for SqlStore {
    async fn audit_cursor(&self, account: &str) -> Result<Option<i64>> {
        sqlx::query_scalar("SELECT read_until_ms FROM audit_log_cursors WHERE account = $1")
            .bind(account)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("read audit log cursor"))
    }

    async fn add_audit_entries(&self, account: &str, rows: &[AuditLogRow]) -> Result<u64> {
        let insert_cols = &COLUMNS[..11];
        let mut tx = self.begin_write().await?;
        let mut added = 0;
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let text = multi_insert(
                self.postgres,
                "audit_log",
                insert_cols,
                chunk.len(),
                "ON CONFLICT (account, entry_key) DO NOTHING",
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(text));
            for r in chunk {
                q = q
                    .bind(account)
                    .bind(&r.key)
                    .bind(r.at_ms)
                    .bind(&r.event)
                    .bind(&r.user_id)
                    .bind(&r.ip)
                    .bind(&r.user_agent)
                    .bind(&r.client_name)
                    .bind(&r.os_name)
                    .bind(&r.device_type)
                    .bind(&r.metadata);
            }
            added += q.execute(&mut *tx).await.map_err(StoreError::query("store audit log entries"))?.rows_affected();
        }
        tx.commit().await.map_err(StoreError::query("commit audit log entries"))?;
        Ok(added)
    }

    async fn set_audit_cursor(&self, account: &str, read_until_ms: i64) -> Result<()> {
        // Never backwards: two readers racing leave the later cursor.
        sqlx::query(
            "INSERT INTO audit_log_cursors (account, read_until_ms) VALUES ($1, $2)
             ON CONFLICT (account) DO UPDATE SET read_until_ms = excluded.read_until_ms
             WHERE excluded.read_until_ms > audit_log_cursors.read_until_ms",
        )
        .bind(account)
        .bind(read_until_ms)
        .execute(&self.pool)
        .await
        .map_err(StoreError::query("write audit log cursor"))?;
        Ok(())
    }

    async fn audit_entries(&self, q: &AuditLogQuery) -> Result<Vec<AuditLogRow>> {
        let rows = sqlx::query(sql!(
            "SELECT {} FROM audit_log WHERE account = $1
               AND ($2 IS NULL OR user_id = $3) AND ($4 IS NULL OR event = $5)
               AND ($6 IS NULL OR at_ms >= $7) AND ($8 IS NULL OR at_ms < $9)
             ORDER BY at_ms DESC, id DESC LIMIT $10",
            COLUMNS.join(", ")
        ))
        .bind(&q.account)
        .bind(&q.user_id)
        .bind(&q.user_id)
        .bind(&q.event)
        .bind(&q.event)
        .bind(q.since_ms)
        .bind(q.since_ms)
        .bind(q.until_ms)
        .bind(q.until_ms)
        .bind(i64::from(q.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("read audit log"))?;
        rows.iter().map(row).collect()
    }

    async fn audit_entries_after(&self, account: &str, after_id: i64, limit: u32) -> Result<Vec<AuditLogRow>> {
        let rows = sqlx::query(sql!(
            "SELECT {} FROM audit_log WHERE account = $1 AND id > $2 ORDER BY id LIMIT $3",
            COLUMNS.join(", ")
        ))
        .bind(account)
        .bind(after_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("read audit log"))?;
        rows.iter().map(row).collect()
    }

    async fn last_logins_of(&self, account: &str, user_ids: &[String]) -> Result<Vec<(String, i64)>> {
        let mut out = Vec::new();
        // One range of the (account, user_id, event, at_ms) index per user; the text holds
        // placeholders only, 500 at most a statement.
        for chunk in user_ids.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let text = format!(
                "SELECT user_id, MAX(at_ms) AS last_ms FROM audit_log
                 WHERE account = $1 AND user_id IN ({}) AND event = 'login' GROUP BY user_id",
                marks.join(", ")
            );
            let q = sqlx::query(sqlx::AssertSqlSafe(text)).bind(account);
            let rows = chunk
                .iter()
                .fold(q, |q, id| q.bind(id.as_str()))
                .fetch_all(&self.pool)
                .await
                .map_err(StoreError::query("read last logins"))?;
            let q = StoreError::query("read last logins");
            for r in &rows {
                out.push((r.try_get("user_id").map_err(&q)?, r.try_get("last_ms").map_err(&q)?));
            }
        }
        Ok(out)
    }

    async fn last_logins(&self, account: &str) -> Result<Vec<(String, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT user_id, MAX(at_ms) AS last_ms, COUNT(*) AS logins FROM audit_log
             WHERE account = $1 AND event = 'login' AND user_id IS NOT NULL GROUP BY user_id",
        )
        .bind(account)
        .fetch_all(&self.pool)
        .await
        .map_err(StoreError::query("read last logins"))?;
        let q = StoreError::query("read last logins");
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("user_id").map_err(&q)?,
                    r.try_get("last_ms").map_err(&q)?,
                    r.try_get("logins").map_err(&q)?,
                ))
            })
            .collect()
    }
}
