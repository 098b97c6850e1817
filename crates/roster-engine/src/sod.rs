//! Separation-of-duties rules evaluated on a completed snapshot; after each sync, new and
//! cleared violations become events (and so webhook notifications).

use chrono::{DateTime, Utc};
use roster_core::sod::{evaluate, violation_events, SodRule, Violation};
use roster_store::{EventQuery, SnapshotStore, Store, StoreError, UserQuery};

/// The violations in snapshot `sync`.
pub async fn violations(
    store: &dyn SnapshotStore,
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

/// The rules' fingerprint: stored results hold only for the rules they were found under.
pub fn fingerprint(rules: &[SodRule]) -> String {
    crate::digest::sha256_hex(serde_json::to_string(rules).unwrap_or_default().as_bytes())
}

/// The violations of snapshot `sync`: as recorded by an earlier call under the same rules, or
/// evaluated (and recorded).
async fn remembered(
    store: &dyn SnapshotStore,
    sync: i64,
    rules: &[SodRule],
    now: DateTime<Utc>,
) -> Result<Vec<Violation>, StoreError> {
    let fp = fingerprint(rules);
    if let Some(v) = store.sod_result(sync, &fp).await?.and_then(|j| serde_json::from_str(&j).ok()) {
        return Ok(v);
    }
    let v = violations(store, sync, rules, now).await?;
    store.put_sod_result(sync, &fp, &serde_json::to_string(&v).unwrap_or_else(|_| "[]".into())).await?;
    Ok(v)
}

/// The key under which the violations announced after a sync are kept (beside each set of
/// rules' own results).
const ANNOUNCED: &str = "announced";

/// After a sync of `account` completed: compares its violations with those announced after
/// the previous completed snapshot and records `sod_violation` / `sod_cleared` events against
/// the new sync (once: a second call for the same sync records nothing). Returns the
/// violations now. Comparing with what was announced, not with the previous snapshot under
/// today's rules, is what makes violations that already existed when a rule was added events
/// too, once. Each snapshot's violations are recorded, so nothing is evaluated twice.
pub async fn after_sync(
    store: &dyn Store,
    account: &str,
    rules: &[SodRule],
    now: DateTime<Utc>,
) -> Result<Vec<Violation>, StoreError> {
    let Some(last) = store.last_completed(account).await? else { return Ok(vec![]) };
    let current = if rules.is_empty() { vec![] } else { remembered(store, last.id, rules, now).await? };
    let done = EventQuery {
        sync_id: Some(last.id),
        kind_prefix: Some("sod_".into()),
        limit: Some(1),
        ..EventQuery::default()
    };
    if !store.events(&done).await?.is_empty() && store.sod_result(last.id, ANNOUNCED).await?.is_some() {
        return Ok(current);
    }
    let previous = store
        .syncs(Some(account), 50)
        .await?
        .into_iter()
        .find(|s| s.id < last.id && s.status == roster_store::SyncStatus::Completed);
    let read = |j: Option<String>| j.and_then(|j| serde_json::from_str::<Vec<Violation>>(&j).ok());
    // What was announced last: after this very sync (the rules changed since), or after the
    // one before; a store from before announcements were kept falls back to the previous
    // snapshot under the same rules, if those rules were in force then.
    let before = match read(store.sod_result(last.id, ANNOUNCED).await?) {
        Some(v) => v,
        None => match previous {
            Some(p) => match read(store.sod_result(p.id, ANNOUNCED).await?) {
                Some(v) => v,
                None => read(store.sod_result(p.id, &fingerprint(rules)).await?).unwrap_or_default(),
            },
            None => vec![],
        },
    };
    let events = violation_events(&before, &current);
    if !events.is_empty() {
        store.append_events(account, Some(last.id), &events, now).await?;
    }
    let announced = serde_json::to_string(&current).unwrap_or_else(|_| "[]".into());
    store.put_sod_result(last.id, ANNOUNCED, &announced).await?;
    Ok(current)
}
