//! The audit log outside syncs: events appended and read back, webhook cursors.

use super::writes;
use crate::types::*;
use crate::Result;
use crate::StoreError;
use chrono::DateTime;
use chrono::Utc;
use roster_core::Event;

use super::SqlStore;

#[async_trait::async_trait]
impl crate::EventStore for SqlStore {
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

    async fn webhook_cursor(&self, name: &str) -> Result<Option<i64>> {
        sqlx::query_scalar("SELECT last_event_id FROM webhook_cursors WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("read webhook cursor"))
    }

    async fn set_webhook_cursor(&self, name: &str, event_id: i64) -> Result<()> {
        sqlx::query("INSERT INTO webhook_cursors (name, last_event_id) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET last_event_id = excluded.last_event_id")
            .bind(name)
            .bind(event_id)
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("write webhook cursor"))?;
        Ok(())
    }
}
