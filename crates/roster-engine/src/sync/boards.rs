//! Boards with user and team subscribers and owners; team `-1` is everyone in the account.

use monday_api::{BoardFilter, BoardList, Client, ListLengths, StateFilter};
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
    (state, teams, known, listed): (StateFilter, ListLengths, Option<u64>, Option<Vec<u64>>),
    defer: &(dyn Fn() -> bool + Sync),
    progress: &dyn SyncProgress,
) -> Result<Option<Vec<u64>>, SyncError> {
    let (offset, done) = start_of(parts, "boards");
    if done {
        return Ok(None);
    }
    let filter = BoardFilter { state, ..BoardFilter::default() };
    // The ids first (10 points a board): the pages then know where the list ends (no page
    // past it, charged in full for nothing, and pages asked ahead on a first sync too), and
    // the sweep after them compares with this listing instead of listing again.
    let listed = match listed {
        Some(l) => l,
        None => client.board_ids(&filter, known).await.map_err(|source| SyncError::Api { part: "boards", source })?,
    };
    let expected = Some(listed.len() as u64);
    paged_part(
        store,
        sync_id,
        "boards",
        offset,
        client.boards_from(filter, offset, expected, teams),
        to_rows,
        defer,
        progress,
    )
    .await?;
    Ok(Some(listed))
}

/// Which of a board's nested lists holds the direct holders of entitlement `slug` (teams if
/// `team`), as [`to_rows`] stores them; user lists are not paged.
pub(super) fn list_of(team: bool, slug: &str) -> Option<usize> {
    match (team, slug) {
        (true, "owner") => Some(BoardList::TeamOwners as usize),
        (true, "subscriber") => Some(BoardList::TeamSubscribers as usize),
        _ => None,
    }
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
    listed: Option<Vec<u64>>,
    progress: &dyn SyncProgress,
) -> Result<usize, SyncError> {
    let filter = BoardFilter { state, ..BoardFilter::default() };
    let hint = listed.as_ref().map(|l| l.len() as u64);
    let list = || client.board_ids(&filter, hint);
    let read = |ids: Vec<u64>| {
        let filter = filter.clone();
        async move { client.boards_by_ids(&filter, &ids).await.map(|b| (to_rows(&b), b.len())) }
    };
    super::sweep_part(store, sync_id, (ResourceType::Board, "boards"), listed, list, read, progress).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each team list a board's rows store is counted back into the list it came from, and
    /// the user lists (not paged) into none.
    #[test]
    fn stored_lists_map_back_to_the_lists_read() {
        let board = monday_api::Board {
            id: 7,
            name: "b".into(),
            kind: "public".into(),
            state: "active".into(),
            workspace_id: None,
            permissions: "everyone".into(),
            creator_id: 1,
            created_at: None,
            updated_at: None,
            owners: vec![1],
            subscribers: vec![1, 2, 3],
            team_owners: vec![5],
            team_subscribers: vec![-1, 5, 6],
        };
        let mut counted = std::collections::BTreeMap::new();
        for g in to_rows(&[board]).grants {
            let team = g.principal.ptype == roster_core::PrincipalType::Team;
            *counted.entry(list_of(team, &g.entitlement.slug)).or_insert(0) += 1;
        }
        let want =
            [(None, 4), (Some(BoardList::TeamOwners as usize), 1), (Some(BoardList::TeamSubscribers as usize), 3)];
        assert_eq!(counted, want.into_iter().collect());
    }
}
