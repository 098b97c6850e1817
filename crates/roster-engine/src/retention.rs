//! Pruning old snapshots of an account, as `[store] keep_snapshots` / `keep_days` say: the
//! choice is `roster_core::retention::to_prune` (the newest snapshot, the recent ones and those
//! a review or a plan refers to always stay); the deletion is one transaction in the store,
//! recorded as a `snapshots_pruned` event.

use chrono::{DateTime, Utc};
use roster_core::retention::{to_prune, Retention, Snapshot};
use roster_store::{RetentionStore, StoreError, SyncStatus, SyncStore};
use serde::Serialize;

/// The most sync runs of one account retention looks at in one pass.
const MAX_RUNS: u32 = 1_000_000;

/// What a prune did (or, dry, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PruneReport {
    /// The account.
    pub account: String,
    /// The syncs whose snapshots were (or would be) pruned, oldest first.
    pub pruned: Vec<i64>,
    /// Completed snapshots that stay.
    pub kept: usize,
    /// Rows deleted (0 in a dry run).
    pub rows: u64,
}

/// Prunes the account's snapshots that `retention` does not keep; with `dry_run`, only says
/// which.
pub async fn prune<S: SyncStore + RetentionStore + ?Sized>(
    store: &S,
    account: &str,
    retention: &Retention,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<PruneReport, StoreError> {
    let completed: Vec<Snapshot> = store
        .syncs(Some(account), MAX_RUNS)
        .await?
        .into_iter()
        .filter(|r| r.status == SyncStatus::Completed && r.pruned_at.is_none())
        .map(|r| Snapshot { id: r.id, completed_at: r.finished_at.unwrap_or(r.started_at) })
        .collect();
    let referenced = store.snapshot_refs(account).await?;
    let pruned = to_prune(&completed, &referenced, retention, now);
    let rows = if dry_run || pruned.is_empty() { 0 } else { store.prune_snapshots(account, &pruned, now).await? };
    Ok(PruneReport { account: account.to_string(), kept: completed.len() - pruned.len(), pruned, rows })
}
