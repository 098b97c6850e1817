//! Reads the API and the web UI share: whether an account is known, its last completed
//! snapshot, user counts per filter (cached: a completed snapshot never changes), and a
//! campaign's evidence as one tar file. Below
//! both; it knows nothing of HTTP routes.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use roster_engine::review::evidence;
use roster_store::UserQuery;

use crate::error::ApiError;
use crate::state::AppState;

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

/// The number of users matching `q` in snapshot `sync`, counted once per snapshot and filter.
pub async fn user_total(s: &AppState, sync: i64, q: &UserQuery) -> Result<usize, ApiError> {
    // `inactive_days` carries "now", which changes: those counts are not cached.
    let key =
        (q.inactive_days.is_none()).then(|| (sync, format!("{:?}", (q.status, q.role, &q.team, &q.email_contains))));
    let cached = |k: &(i64, String)| s.user_totals.lock().ok().and_then(|m| m.get(k).copied());
    if let Some(total) = key.as_ref().and_then(cached) {
        return Ok(total);
    }
    let total = s.store.count_users(sync, q).await? as usize;
    if let (Some(k), Ok(mut m)) = (key, s.user_totals.lock()) {
        if m.len() >= 10_000 {
            m.clear();
        }
        m.insert(k, total);
    }
    Ok(total)
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
