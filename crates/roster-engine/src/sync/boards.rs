//! Boards with user and team subscribers and owners; team `-1` is everyone in the account.

use futures::StreamExt;
use monday_api::{BoardFilter, Client, StateFilter};
use roster_core::entitlement::membership_grants;
use roster_core::{ResourceRecord, ResourceType};
use roster_store::{Page, PartProgress, Store};

use super::{start_of, store_page, SyncProgress};
use crate::error::SyncError;

pub(crate) async fn sync(
    store: &dyn Store,
    client: &Client,
    sync_id: i64,
    parts: &[PartProgress],
    state: StateFilter,
    progress: &dyn SyncProgress,
) -> Result<(), SyncError> {
    let (mut offset, done) = start_of(parts, "boards");
    if done {
        return Ok(());
    }
    let filter = BoardFilter { state, ..BoardFilter::default() };
    let mut pages = std::pin::pin!(client.boards_from(filter, offset));
    while let Some(page) = pages.next().await {
        let page = page.map_err(|source| SyncError::Api { part: "boards", source })?;
        let mut resources = Vec::with_capacity(page.len());
        let mut grants = Vec::new();
        for b in &page {
            let id = b.id.to_string();
            resources.push(ResourceRecord {
                rtype: ResourceType::Board,
                id: id.clone(),
                name: b.name.clone(),
                parent: b.workspace_id.map(|w| format!("workspace:{w}")),
                kind: Some(b.kind.clone()),
                state: Some(b.state.clone()),
            });
            grants.extend(membership_grants(
                ResourceType::Board,
                &id,
                &b.subscribers,
                &b.owners,
                &b.team_subscribers,
                &b.team_owners,
            ));
        }
        offset += page.len() as u64;
        store_page(
            store,
            sync_id,
            Page { part: "boards".into(), resources, grants, next_offset: offset, ..Page::default() },
            page.len(),
            progress,
        )
        .await?;
    }
    store_page(
        store,
        sync_id,
        Page { part: "boards".into(), next_offset: offset, done: true, ..Page::default() },
        0,
        progress,
    )
    .await
}
