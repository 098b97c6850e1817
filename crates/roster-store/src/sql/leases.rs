//! Leases: one holder at a time for a named piece of work, taken over once it expires.

use chrono::{DateTime, Utc};

use super::SqlStore;
use crate::{Result, StoreError};

impl SqlStore {
    pub(super) async fn acquire_lease_impl(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool> {
        // One statement, so two workers racing for an expired lease cannot both win: the row
        // lock (PostgreSQL) or the single writer (SQLite) orders them, and the loser's WHERE
        // then sees the winner's unexpired lease.
        let done = sqlx::query(
            "INSERT INTO leases (name, holder, expires_ms) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_ms = excluded.expires_ms
             WHERE leases.holder = excluded.holder OR leases.expires_ms < $4",
        )
        .bind(name)
        .bind(holder)
        .bind(until.timestamp_millis())
        .bind(now.timestamp_millis())
        .execute(&self.pool)
        .await
        .map_err(StoreError::query("acquire lease"))?;
        Ok(done.rows_affected() == 1)
    }

    pub(super) async fn release_lease_impl(&self, name: &str, holder: &str) -> Result<()> {
        sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(holder)
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("release lease"))?;
        Ok(())
    }

    pub(super) async fn lease_impl(&self, name: &str) -> Result<Option<(String, DateTime<Utc>)>> {
        let row: Option<(String, i64)> = sqlx::query_as("SELECT holder, expires_ms FROM leases WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("read lease"))?;
        row.map(|(holder, ms)| {
            DateTime::from_timestamp_millis(ms)
                .map(|t| (holder, t))
                .ok_or_else(|| StoreError::Corrupt(format!("lease {name:?} expires at {ms} ms, not a time")))
        })
        .transpose()
    }
}

#[async_trait::async_trait]
impl crate::LeaseStore for SqlStore {
    async fn acquire_lease(&self, name: &str, holder: &str, now: DateTime<Utc>, until: DateTime<Utc>) -> Result<bool> {
        self.acquire_lease_impl(name, holder, now, until).await
    }

    async fn release_lease(&self, name: &str, holder: &str) -> Result<()> {
        self.release_lease_impl(name, holder).await
    }

    async fn lease(&self, name: &str) -> Result<Option<(String, DateTime<Utc>)>> {
        self.lease_impl(name).await
    }
}
