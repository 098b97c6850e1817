//! Web UI sessions: rows keyed by the digest of the cookie's token.

use sqlx::Row;

use super::SqlStore;
use crate::types::WebSession;
use crate::{Result, StoreError};

impl SqlStore {
    pub(super) async fn add_session_impl(&self, s: &WebSession) -> Result<()> {
        sqlx::query(
            "INSERT INTO web_sessions (digest, name, role, csrf, started_ms, seen_ms) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&s.digest)
        .bind(&s.name)
        .bind(&s.role)
        .bind(&s.csrf)
        .bind(s.started_ms)
        .bind(s.seen_ms)
        .execute(&self.pool)
        .await
        .map_err(StoreError::query("add web session"))?;
        Ok(())
    }

    pub(super) async fn web_session_impl(&self, digest: &str) -> Result<Option<WebSession>> {
        let row =
            sqlx::query("SELECT digest, name, role, csrf, started_ms, seen_ms FROM web_sessions WHERE digest = $1")
                .bind(digest)
                .fetch_optional(&self.pool)
                .await
                .map_err(StoreError::query("read web session"))?;
        let q = StoreError::query("read web session");
        row.map(|r| {
            Ok(WebSession {
                digest: r.try_get("digest").map_err(&q)?,
                name: r.try_get("name").map_err(&q)?,
                role: r.try_get("role").map_err(&q)?,
                csrf: r.try_get("csrf").map_err(&q)?,
                started_ms: r.try_get("started_ms").map_err(&q)?,
                seen_ms: r.try_get("seen_ms").map_err(&q)?,
            })
        })
        .transpose()
    }

    pub(super) async fn touch_session_impl(&self, digest: &str, seen_ms: i64) -> Result<()> {
        sqlx::query("UPDATE web_sessions SET seen_ms = $1 WHERE digest = $2")
            .bind(seen_ms)
            .bind(digest)
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("touch web session"))?;
        Ok(())
    }

    pub(super) async fn end_sessions_impl(
        &self,
        digest: Option<&str>,
        seen_before_ms: i64,
        started_before_ms: i64,
    ) -> Result<u64> {
        let done = sqlx::query("DELETE FROM web_sessions WHERE digest = $1 OR seen_ms < $2 OR started_ms < $3")
            .bind(digest.unwrap_or(""))
            .bind(seen_before_ms)
            .bind(started_before_ms)
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("end web sessions"))?;
        Ok(done.rows_affected())
    }
}

#[async_trait::async_trait]
impl crate::SessionStore for SqlStore {
    async fn add_session(&self, s: &WebSession) -> Result<()> {
        self.add_session_impl(s).await
    }

    async fn web_session(&self, digest: &str) -> Result<Option<WebSession>> {
        self.web_session_impl(digest).await
    }

    async fn touch_session(&self, digest: &str, seen_ms: i64) -> Result<()> {
        self.touch_session_impl(digest, seen_ms).await
    }

    async fn end_sessions(&self, digest: Option<&str>, seen_before_ms: i64, started_before_ms: i64) -> Result<u64> {
        self.end_sessions_impl(digest, seen_before_ms, started_before_ms).await
    }
}
