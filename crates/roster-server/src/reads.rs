//! Reads the API and the web UI share: whether an account is known, its last completed
//! snapshot, user counts and pages per filter (counts and seek points cached: a completed
//! snapshot never changes), and a
//! campaign's evidence as one tar file. Below
//! both; it knows nothing of HTTP routes.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use roster_engine::review::evidence;
use std::sync::Arc;

use roster_core::UserRecord;
use roster_store::UserQuery;

use crate::error::ApiError;
use crate::state::{AppState, ListKey, UserList};

/// Refuses an account neither served nor in the store.
pub async fn known_account(state: &AppState, account: &str) -> Result<(), ApiError> {
    if state.account(account).is_none() && !state.store.accounts().await?.iter().any(|a| a == account) {
        return Err(ApiError::NotFound(format!("no account {account:?}")));
    }
    Ok(())
}

/// The last completed sync of a known account (404 when there is none yet).
pub async fn snapshot(state: &AppState, account: &str) -> Result<i64, ApiError> {
    known_account(state, account).await?;
    state
        .store
        .last_completed(account)
        .await?
        .map(|r| r.id)
        .ok_or_else(|| ApiError::NotFound(format!("account {account:?} has no completed sync yet")))
}

/// Users between two seek points: a page at any offset steps over fewer than this many.
pub const SEEK_STRIDE: u64 = 1_000;
/// Filters remembered per worker before the map is emptied (an entry holds one id per
/// [`SEEK_STRIDE`] users).
const REMEMBERED_LISTS: usize = 1_000;

/// The cache key of `q` in snapshot `sync`; none when the filter carries "now"
/// (`inactive_days`), whose answer changes with time.
fn list_key(sync: i64, q: &UserQuery) -> Option<ListKey> {
    q.inactive_days
        .is_none()
        .then(|| (sync, format!("{:?}", (q.status, q.role, &q.team, &q.email_contains, &q.search))))
}

fn remembered(s: &AppState, key: &Option<ListKey>) -> Option<UserList> {
    let key = key.as_ref()?;
    s.user_lists.lock().ok().and_then(|m| m.get(key).cloned())
}

fn remember(s: &AppState, key: Option<ListKey>, list: UserList) {
    if let (Some(k), Ok(mut m)) = (key, s.user_lists.lock()) {
        if m.len() >= REMEMBERED_LISTS {
            m.clear();
        }
        m.insert(k, list);
    }
}

/// Runs `fill` for `key` once at a time: requests that arrive together for a filter not yet
/// remembered wait for the first one's answer instead of each counting 100,000 users.
async fn one_at_a_time<T>(
    s: &AppState,
    key: &Option<ListKey>,
    fill: impl std::future::Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    let Some(k) = key else { return fill.await };
    let gate = s.list_fills.lock().ok().map(|mut m| Arc::clone(m.entry(k.clone()).or_default()));
    let _turn = match &gate {
        Some(g) => Some(g.lock().await),
        None => None,
    };
    let out = fill.await;
    if let Ok(mut m) = s.list_fills.lock() {
        m.remove(k);
    }
    out
}

/// The number of users matching `q` in snapshot `sync`, counted once per snapshot and filter.
pub async fn user_total(s: &AppState, sync: i64, q: &UserQuery) -> Result<usize, ApiError> {
    let key = list_key(sync, q);
    if let Some(list) = remembered(s, &key) {
        return Ok(list.total);
    }
    one_at_a_time(s, &key, async {
        if let Some(list) = remembered(s, &key) {
            return Ok(list.total);
        }
        let total = s.store.count_users(sync, q).await? as usize;
        remember(s, key.clone(), UserList { total, anchors: None });
        Ok(total)
    })
    .await
}

/// The seek points of `q`'s users in snapshot `sync`, found once per snapshot and filter.
async fn anchors(
    s: &AppState,
    key: &Option<ListKey>,
    sync: i64,
    q: &UserQuery,
    total: usize,
) -> Result<Arc<Vec<String>>, ApiError> {
    if let Some(a) = remembered(s, key).and_then(|l| l.anchors) {
        return Ok(a);
    }
    one_at_a_time(s, key, async {
        if let Some(a) = remembered(s, key).and_then(|l| l.anchors) {
            return Ok(a);
        }
        let a = Arc::new(s.store.user_anchors(sync, q, SEEK_STRIDE).await?);
        remember(s, key.clone(), UserList { total, anchors: Some(Arc::clone(&a)) });
        Ok(a)
    })
    .await
}

/// Page `offset..offset + limit` of the users matching `q` in snapshot `sync`, and how many
/// match. A deep page starts from the nearest seek point (found once per snapshot and
/// filter), so page 900 of a 100,000-user account costs what page 1 does; a first page comes
/// with its count from one read where the store can (`users_counted`).
pub async fn user_page(
    s: &AppState,
    sync: i64,
    q: &UserQuery,
    offset: u64,
    limit: u64,
) -> Result<(Vec<UserRecord>, usize), ApiError> {
    let key = list_key(sync, q);
    let mut page = UserQuery { offset, limit: Some(limit), after: None, ..q.clone() };
    let mut known = remembered(s, &key).map(|l| l.total);
    if offset == 0 && known.is_none() {
        // One at a time, like a count: requests that arrive together for the same unknown
        // filter wait for the first one's total instead of each counting.
        let first = one_at_a_time(s, &key, async {
            if remembered(s, &key).is_some() {
                return Ok(None);
            }
            let (users, total) = s.store.users_counted(sync, &page).await?;
            let total = total.max(0) as usize;
            remember(s, key.clone(), UserList { total, anchors: None });
            Ok(Some((users, total)))
        })
        .await?;
        if let Some(found) = first {
            return Ok(found);
        }
        known = remembered(s, &key).map(|l| l.total);
    }
    let total = match known {
        Some(t) => t,
        None => user_total(s, sync, q).await?,
    };
    if key.is_some() && offset >= SEEK_STRIDE {
        let anchors = anchors(s, &key, sync, q, total).await?;
        let (after, rest) = seek(&anchors, SEEK_STRIDE, offset);
        page.after = after.cloned();
        page.offset = rest;
    }
    Ok((s.store.users(sync, &page).await?, total))
}

/// Where page `offset` starts: after the nearest seek point at or before it (`anchors[i]` is
/// user number `(i + 1) * stride`, counting from 1), and how many users to skip from there.
pub(crate) fn seek<T>(anchors: &[T], stride: u64, offset: u64) -> (Option<&T>, u64) {
    let k = (offset / stride.max(1)).min(anchors.len() as u64);
    match k.checked_sub(1).and_then(|i| anchors.get(i as usize)) {
        Some(a) => (Some(a), offset - k * stride),
        None => (None, offset),
    }
}

/// The evidence of campaign `id` as a tar download (the API and the web UI).
pub async fn evidence_download(s: &AppState, account: &str, id: i64) -> Result<Response, ApiError> {
    let dir = std::env::temp_dir().join(format!("roster-evidence-{id}-{}", crate::keys::random_hex()));
    let out = evidence::export(s.store.as_ref(), account, id, &dir, Utc::now()).await.map_err(ApiError::from);
    let tar = out.and_then(|_| pack(&dir));
    let _ = std::fs::remove_dir_all(&dir);
    let bytes = tar?;
    let name = format!("attachment; filename=\"review-{id}-evidence.tar\"");
    Ok(([(header::CONTENT_TYPE, "application/x-tar".to_string()), (header::CONTENT_DISPOSITION, name)], bytes)
        .into_response())
}

fn pack(dir: &std::path::Path) -> Result<Vec<u8>, ApiError> {
    let mut b = tar::Builder::new(Vec::new());
    b.mode(tar::HeaderMode::Deterministic);
    for f in [evidence::CSV, evidence::JSONL, evidence::PDF, evidence::MANIFEST] {
        b.append_path_with_name(dir.join(f), f).map_err(|e| ApiError::Internal(format!("packing {f}: {e}")))?;
    }
    b.into_inner().map_err(|e| ApiError::Internal(format!("packing the evidence: {e}")))
}

#[cfg(test)]
mod tests {
    use super::seek;
    use proptest::prelude::*;

    proptest! {
        /// Skipping `rest` users after the seek point lands on user number `offset` (from 0),
        /// whatever the list's length, stride and offset, past the end too.
        #[test]
        fn a_seek_lands_on_the_offset(len in 0u64..5_000, stride in 1u64..1_500, offset in 0u64..6_000) {
            let ids: Vec<String> = (0..len).map(|i| i.to_string()).collect();
            let anchors: Vec<String> = ids.iter().skip(stride as usize - 1).step_by(stride as usize).cloned().collect();
            let (after, rest) = seek(&anchors, stride, offset);
            let start = after.map_or(0, |a| a.parse::<u64>().unwrap() + 1);
            prop_assert_eq!(start + rest, offset);
            prop_assert!(rest < stride || after == anchors.last(), "steps over fewer than a stride");
        }
    }
}
