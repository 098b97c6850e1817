//! Boards with user and team subscribers and owners; team `-1` is everyone in the account.

use monday_api::{BoardFilter, Client, StateFilter};
use roster_core::entitlement::membership_grants;
use roster_core::{ResourceRecord, ResourceType};
use roster_store::{Page, PartProgress, Store};

use super::{paged_part, start_of, Rows, SyncProgress};
use crate::error::SyncError;

pub(crate) async fn sync(
    store: &dyn Store,
    client: &Client,
    sync_id: i64,
    parts: &[PartProgress],
    state: StateFilter,
    progress: &dyn SyncProgress,
) -> Result<(), SyncError> {
    let (offset, done) = start_of(parts, "boards");
    if done {
        return Ok(());
    }
    let filter = BoardFilter { state, ..BoardFilter::default() };
    paged_part(store, sync_id, "boards", offset, client.boards_from(filter, offset), to_rows, progress).await
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

/// Offset paging over a list that changes while it is read can skip a board: one archived or
/// deleted before the current page shifts the rest back by one. After the pages, the ids of
/// every board the filter selects are listed (a few small queries) and the boards the pages
/// missed are read by id; repeated (at most three rounds) until a listing finds none missing,
/// so a board that existed throughout the sync is in its snapshot.
pub(crate) async fn sweep(
    store: &dyn Store,
    client: &Client,
    sync_id: i64,
    state: StateFilter,
    progress: &dyn SyncProgress,
) -> Result<usize, SyncError> {
    let filter = BoardFilter { state, ..BoardFilter::default() };
    let mut found = 0;
    for _round in 0..3 {
        let listed = client.board_ids(&filter).await.map_err(|source| SyncError::Api { part: "boards", source })?;
        let stored: std::collections::HashSet<String> =
            store.resources(sync_id, ResourceType::Board).await?.into_iter().map(|r| r.id).collect();
        let missing: Vec<u64> = listed.into_iter().filter(|id| !stored.contains(&id.to_string())).collect();
        if missing.is_empty() {
            break;
        }
        tracing::info!(sync_id, missing = missing.len(), "boards shifted past a page boundary; reading them by id");
        let boards = client
            .boards_by_ids(&filter, &missing)
            .await
            .map_err(|source| SyncError::Api { part: "boards", source })?;
        found += boards.len();
        let Rows { users, resources, grants } = to_rows(&boards);
        let page = Page { part: "boards:sweep".into(), users, resources, grants, done: true, ..Page::default() };
        super::store_page(store, sync_id, page, boards.len(), progress).await?;
    }
    Ok(found)
}
