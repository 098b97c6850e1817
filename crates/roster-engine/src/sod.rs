//! Separation-of-duties rules evaluated on a completed snapshot; after each sync, new and
//! cleared violations become events (and so webhook notifications).

use chrono::{DateTime, Utc};
use roster_core::sod::{evaluate, violation_events, SodRule, Violation};
use roster_store::{EventQuery, Store, StoreError, UserQuery};

/// The violations in snapshot `sync`.
pub async fn violations(
    store: &dyn Store,
    sync: i64,
    rules: &[SodRule],
    now: DateTime<Utc>,
) -> Result<Vec<Violation>, StoreError> {
    if rules.is_empty() {
        return Ok(vec![]);
    }
    let users = store.users(sync, &UserQuery::default()).await?;
    let grants = store.all_grants(sync).await?;
    Ok(evaluate(rules, &users, &grants, now))
}

/// After a sync of `account` completed: compares its violations with the previous completed
/// snapshot's and records `sod_violation` / `sod_cleared` events against the new sync (once:
/// a second call for the same sync records nothing). Returns the violations now.
pub async fn after_sync(
    store: &dyn Store,
    account: &str,
    rules: &[SodRule],
    now: DateTime<Utc>,
) -> Result<Vec<Violation>, StoreError> {
    let Some(last) = store.last_completed(account).await? else { return Ok(vec![]) };
    let current = violations(store, last.id, rules, now).await?;
    let done = EventQuery {
        sync_id: Some(last.id),
        kind_prefix: Some("sod_".into()),
        limit: Some(1),
        ..EventQuery::default()
    };
    if rules.is_empty() || !store.events(&done).await?.is_empty() {
        return Ok(current);
    }
    let previous = store
        .syncs(Some(account), 50)
        .await?
        .into_iter()
        .find(|s| s.id < last.id && s.status == roster_store::SyncStatus::Completed);
    let before = match previous {
        Some(p) => violations(store, p.id, rules, now).await?,
        None => vec![],
    };
    let events = violation_events(&before, &current);
    if !events.is_empty() {
        store.append_events(account, Some(last.id), &events, now).await?;
    }
    Ok(current)
}
