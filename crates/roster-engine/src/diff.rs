//! The events between two snapshots: the store finds what differs, core words it.

use roster_core::events::{account_events, grant_event, resource_events, user_events};
use roster_core::{Event, EventKind};
use roster_store::{Counts, Store};
use serde_json::json;

use crate::error::SyncError;

/// Every change from snapshot `old` to snapshot `new`.
pub async fn events_between(store: &dyn Store, old: i64, new: i64) -> Result<Vec<Event>, SyncError> {
    let mut out = Vec::new();
    if let Some(a) = store.account_snapshot(new).await? {
        out.extend(account_events(store.account_snapshot(old).await?.as_ref(), &a));
    }
    for (before, after) in store.changed_users(old, new).await? {
        out.extend(user_events(before.as_ref(), after.as_ref()));
    }
    for (before, after) in store.changed_resources(old, new).await? {
        out.extend(resource_events(before.as_ref(), after.as_ref()));
    }
    for g in store.grants_missing_from(new, old).await? {
        out.push(grant_event(&g, true));
    }
    for g in store.grants_missing_from(old, new).await? {
        out.push(grant_event(&g, false));
    }
    Ok(out)
}

/// The audit record of the sync itself.
pub(crate) fn sync_completed(
    counts: &Counts,
    previous: Option<i64>,
    resumed: bool,
    run: &roster_store::SyncStats,
) -> Event {
    Event {
        kind: EventKind::SyncCompleted,
        subject: "account".into(),
        detail: json!({ "users": counts.users, "teams": counts.teams, "workspaces": counts.workspaces, "boards": counts.boards, "grants": counts.grants, "previous_sync": previous, "resumed": resumed, "requests": run.requests, "complexity": run.complexity }),
    }
}
