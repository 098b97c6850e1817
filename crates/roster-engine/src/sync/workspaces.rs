//! Workspaces with user and team members and owners.

use futures::StreamExt;
use monday_api::{Client, StateFilter};
use roster_core::entitlement::membership_grants;
use roster_core::{ResourceRecord, ResourceType};
use roster_store::{Page, PartProgress, Store};

use super::{start_of, store_page, SyncProgress};
use crate::error::SyncError;

fn teams(ids: &[u64]) -> Vec<i64> {
    ids.iter().map(|&t| t as i64).collect()
}

pub(crate) async fn sync(
    store: &dyn Store,
    client: &Client,
    sync_id: i64,
    parts: &[PartProgress],
    state: StateFilter,
    progress: &dyn SyncProgress,
) -> Result<(), SyncError> {
    let (mut offset, done) = start_of(parts, "workspaces");
    if done {
        return Ok(());
    }
    let mut pages = std::pin::pin!(client.workspaces_from(state, offset));
    while let Some(page) = pages.next().await {
        let page = page.map_err(|source| SyncError::Api { part: "workspaces", source })?;
        let mut resources = Vec::with_capacity(page.len());
        let mut grants = Vec::new();
        for w in &page {
            let id = w.id.to_string();
            resources.push(ResourceRecord {
                rtype: ResourceType::Workspace,
                id: id.clone(),
                name: w.name.clone(),
                parent: None,
                kind: w.kind.clone(),
                state: w.state.clone(),
            });
            grants.extend(membership_grants(
                ResourceType::Workspace,
                &id,
                &w.members,
                &w.owners,
                &teams(&w.team_members),
                &teams(&w.team_owners),
            ));
        }
        offset += page.len() as u64;
        store_page(
            store,
            sync_id,
            Page { part: "workspaces".into(), resources, grants, next_offset: offset, ..Page::default() },
            page.len(),
            progress,
        )
        .await?;
    }
    store_page(
        store,
        sync_id,
        Page { part: "workspaces".into(), next_offset: offset, done: true, ..Page::default() },
        0,
        progress,
    )
    .await
}
