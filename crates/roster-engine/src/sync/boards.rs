//! Boards with user and team subscribers and owners; team `-1` is everyone in the account.

use monday_api::{BoardFilter, Client, ListLengths, StateFilter};
use roster_core::entitlement::membership_grants;
use roster_core::{ResourceRecord, ResourceType};
use roster_store::{PartProgress, Store};

use super::{paged_part, start_of, Rows, SyncProgress};
use crate::error::SyncError;

pub(crate) async fn sync(
    store: &dyn Store,
    client: &Client,
    sync_id: i64,
    parts: &[PartProgress],
    (state, expected, teams): (StateFilter, Option<u64>, ListLengths),
    progress: &dyn SyncProgress,
) -> Result<(), SyncError> {
    let (offset, done) = start_of(parts, "boards");
    if done {
        return Ok(());
    }
    let filter = BoardFilter { state, ..BoardFilter::default() };
    paged_part(store, sync_id, "boards", offset, client.boards_from(filter, offset, expected, teams), to_rows, progress)
        .await
}

/// The rows of a page of boards.
fn to_rows(page: &[monday_api::Board]) -> Rows {
    {
        let mut rows = Rows::default();
        for b in page {
            let id = b.id.to_string();
            rows.resources.push(ResourceRecord {
                rtype: ResourceType::Board,
                id: id.clone(),
                name: b.name.clone(),
                parent: b.workspace_id.map(|w| format!("workspace:{w}")),
                kind: Some(b.kind.clone()),
                state: Some(b.state.clone()),
            });
            rows.grants.extend(membership_grants(
                ResourceType::Board,
                &id,
                &b.subscribers,
                &b.owners,
                &b.team_subscribers,
                &b.team_owners,
            ));
        }
        rows
    }
}

/// Boards the pages missed while the list changed, read by id (see [`super::sweep_part`]).
pub(crate) async fn sweep(
    store: &dyn Store,
    client: &Client,
    sync_id: i64,
    state: StateFilter,
    progress: &dyn SyncProgress,
) -> Result<usize, SyncError> {
    let filter = BoardFilter { state, ..BoardFilter::default() };
    let list = || client.board_ids(&filter);
    let read = |ids: Vec<u64>| {
        let filter = filter.clone();
        async move { client.boards_by_ids(&filter, &ids).await.map(|b| (to_rows(&b), b.len())) }
    };
    super::sweep_part(store, sync_id, ResourceType::Board, "boards", list, read, progress).await
}
