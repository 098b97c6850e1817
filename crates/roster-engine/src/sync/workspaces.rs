//! Workspaces with user and team members and owners.

use monday_api::{Client, ListLengths, StateFilter};
use roster_core::entitlement::membership_grants;
use roster_core::{ResourceRecord, ResourceType};
use roster_store::{PartProgress, Store};

use super::{paged_part, start_of, Rows, SyncProgress};
use crate::error::SyncError;

/// Team ids as the grant builder takes them (i128 holds every u64 and the `-1` of boards; a
/// cast to i64 turned ids above i64::MAX negative).
fn teams(ids: &[u64]) -> Vec<i128> {
    ids.iter().map(|&t| i128::from(t)).collect()
}

pub(crate) async fn sync(
    store: &dyn Store,
    client: &Client,
    sync_id: i64,
    parts: &[PartProgress],
    (state, members, known, listed): (StateFilter, ListLengths, Option<u64>, Option<Vec<u64>>),
    progress: &dyn SyncProgress,
) -> Result<Option<Vec<u64>>, SyncError> {
    let (offset, done) = start_of(parts, "workspaces");
    if done {
        return Ok(None);
    }
    // The ids first, as for boards (see there).
    let listed = match listed {
        Some(l) => l,
        None => {
            client.workspace_ids(state, known).await.map_err(|source| SyncError::Api { part: "workspaces", source })?
        }
    };
    let expected = Some(listed.len() as u64);
    paged_part(
        store,
        sync_id,
        "workspaces",
        offset,
        client.workspaces_from(state, offset, expected, members),
        to_rows,
        progress,
    )
    .await?;
    Ok(Some(listed))
}

/// The rows of a page of workspaces.
fn to_rows(page: &[monday_api::Workspace]) -> Rows {
    {
        let mut rows = Rows::default();
        for w in page {
            let id = w.id.to_string();
            rows.resources.push(ResourceRecord {
                rtype: ResourceType::Workspace,
                id: id.clone(),
                name: w.name.clone(),
                parent: None,
                kind: w.kind.clone(),
                state: w.state.clone(),
            });
            rows.grants.extend(membership_grants(
                ResourceType::Workspace,
                &id,
                &w.members,
                &w.owners,
                &teams(&w.team_members),
                &teams(&w.team_owners),
            ));
        }
        rows
    }
}

/// Workspaces the pages missed while the list changed, read by id (see [`super::sweep_part`]).
pub(crate) async fn sweep(
    store: &dyn Store,
    client: &Client,
    sync_id: i64,
    state: StateFilter,
    listed: Option<Vec<u64>>,
    progress: &dyn SyncProgress,
) -> Result<usize, SyncError> {
    let hint = listed.as_ref().map(|l| l.len() as u64);
    let list = || client.workspace_ids(state, hint);
    let read =
        |ids: Vec<u64>| async move { client.workspaces_by_ids(state, &ids).await.map(|w| (to_rows(&w), w.len())) };
    super::sweep_part(store, sync_id, (ResourceType::Workspace, "workspaces"), listed, list, read, progress).await
}
