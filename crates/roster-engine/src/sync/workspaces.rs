//! Workspaces with user and team members and owners.

use monday_api::{Client, ListLengths, StateFilter, WorkspaceList};
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
    defer: &(dyn Fn() -> bool + Sync),
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
        defer,
        progress,
    )
    .await?;
    Ok(Some(listed))
}

/// Which of a workspace's nested lists holds the direct holders of entitlement `slug` (teams
/// if `team`), as [`to_rows`] stores them.
pub(super) fn list_of(team: bool, slug: &str) -> Option<usize> {
    let list = match (team, slug) {
        (false, "owner") => WorkspaceList::Owners,
        (false, "member") => WorkspaceList::Members,
        (true, "owner") => WorkspaceList::TeamOwners,
        (true, "member") => WorkspaceList::TeamMembers,
        _ => return None,
    };
    Some(list as usize)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Each list a workspace's rows store is counted back into the list it came from.
    #[test]
    fn stored_lists_map_back_to_the_lists_read() {
        let ws = monday_api::Workspace {
            id: 3,
            name: "w".into(),
            kind: None,
            state: None,
            description: None,
            created_at: None,
            owners: vec![1],
            members: vec![1, 2, 3, 4],
            team_owners: vec![8],
            team_members: vec![8, 9],
        };
        let mut counted = std::collections::BTreeMap::new();
        for g in to_rows(&[ws]).grants {
            let team = g.principal.ptype == roster_core::PrincipalType::Team;
            *counted.entry(list_of(team, &g.entitlement.slug)).or_insert(0) += 1;
        }
        let want =
            [WorkspaceList::Owners, WorkspaceList::Members, WorkspaceList::TeamOwners, WorkspaceList::TeamMembers]
                .into_iter()
                .zip([1, 4, 1, 2])
                .map(|(l, n)| (Some(l as usize), n));
        assert_eq!(counted, want.collect());
    }
}
