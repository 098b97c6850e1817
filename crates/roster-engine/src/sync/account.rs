//! The account: plan, tier, seats.

use monday_api::Client;
use roster_core::AccountRecord;
use roster_store::{Page, PartProgress, Store};

use super::{start_of, store_page, SyncProgress};
use crate::error::SyncError;

pub(crate) async fn sync(
    store: &dyn Store,
    client: &Client,
    sync_id: i64,
    parts: &[PartProgress],
    progress: &dyn SyncProgress,
) -> Result<(), SyncError> {
    if start_of(parts, "account").1 {
        return Ok(());
    }
    let a = client.account().await.map_err(|source| SyncError::Api { part: "the account", source })?;
    let record = AccountRecord {
        monday_id: a.id.to_string(),
        name: a.name,
        slug: a.slug,
        tier: a.tier,
        plan_tier: a.plan.as_ref().and_then(|p| p.tier.clone()),
        max_users: a.plan.as_ref().map(|p| p.max_users),
        active_members_count: a.active_members_count,
    };
    let page = Page { part: "account".into(), account: Some(record), next_offset: 1, done: true, ..Page::default() };
    store_page(store, sync_id, page, 1, progress).await
}
