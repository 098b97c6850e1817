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

/// The rules' fingerprint: stored results hold only for the rules they were found under.
pub fn fingerprint(rules: &[SodRule]) -> String {
    crate::digest::sha256_hex(serde_json::to_string(rules).unwrap_or_default().as_bytes())
}

/// The violations of snapshot `sync`: as recorded by an earlier call under the same rules, or
/// evaluated (and recorded).
async fn remembered(
    store: &dyn Store,
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

/// After a sync of `account` completed: compares its violations with the previous completed
/// snapshot's and records `sod_violation` / `sod_cleared` events against the new sync (once:
/// a second call for the same sync records nothing). Returns the violations now. Each
/// snapshot's violations are recorded, so the next sync reads the previous ones instead of
/// evaluating the previous snapshot again (1.5M grants at 100k users).
pub async fn after_sync(
    store: &dyn Store,
    account: &str,
    rules: &[SodRule],
    now: DateTime<Utc>,
) -> Result<Vec<Violation>, StoreError> {
    let Some(last) = store.last_completed(account).await? else { return Ok(vec![]) };
    if rules.is_empty() {
        return Ok(vec![]);
    }
    let current = remembered(store, last.id, rules, now).await?;
    let done = EventQuery {
        sync_id: Some(last.id),
        kind_prefix: Some("sod_".into()),
        limit: Some(1),
        ..EventQuery::default()
    };
    if !store.events(&done).await?.is_empty() {
        return Ok(current);
    }
    let previous = store
        .syncs(Some(account), 50)
        .await?
        .into_iter()
        .find(|s| s.id < last.id && s.status == roster_store::SyncStatus::Completed);
    let before = match previous {
        Some(p) => remembered(store, p.id, rules, now).await?,
        None => vec![],
    };
    let events = violation_events(&before, &current);
    if !events.is_empty() {
        store.append_events(account, Some(last.id), &events, now).await?;
    }
    Ok(current)
}
