//! Teams, their members and owners (`team:<id>:member`, `team:<id>:owner`).

use monday_api::Client;
use roster_core::{Entitlement, Grant, Principal, ResourceRecord, ResourceType};
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
    if start_of(parts, "teams").1 {
        return Ok(());
    }
    // monday.com does not page teams: one read, one page.
    let teams = client.teams(None).await.map_err(|source| SyncError::Api { part: "teams", source })?;
    let mut resources = Vec::with_capacity(teams.len());
    let mut grants = Vec::new();
    for t in &teams {
        let id = t.id.to_string();
        resources.push(ResourceRecord {
            rtype: ResourceType::Team,
            id: id.clone(),
            name: t.name.clone(),
            parent: None,
            kind: Some(if t.is_guest { "guest" } else { "regular" }.into()),
            state: None,
        });
        let ent = |slug: &str| Entitlement { rtype: ResourceType::Team, rid: id.clone(), slug: slug.into() };
        grants.extend(t.members.iter().map(|m| Grant::direct(ent("member"), Principal::user(m))));
        grants.extend(t.owners.iter().map(|o| Grant::direct(ent("owner"), Principal::user(o))));
    }
    let n = teams.len();
    store_page(
        store,
        sync_id,
        Page { part: "teams".into(), resources, grants, next_offset: n as u64, done: true, ..Page::default() },
        n,
        progress,
    )
    .await
}
