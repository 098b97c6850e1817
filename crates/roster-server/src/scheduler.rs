//! Syncs on schedule (each account on its interval, jittered) and on demand, never two syncs of
//! one account at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use roster_engine::{sync_account, NoProgress, SyncReport};

use crate::error::ApiError;
use crate::state::{AppState, ServedAccount};

/// Syncs `account` unless a sync of it is running (then `None`).
pub async fn sync_now(state: &AppState, account: &ServedAccount) -> Result<Option<SyncReport>, ApiError> {
    let Some(lock) = state.sync_locks.get(&account.name) else {
        return Err(ApiError::NotFound(format!("account {:?} is not served", account.name)));
    };
    let Ok(_guard) = lock.try_lock() else { return Ok(None) };
    let started = Instant::now();
    let result =
        sync_account(state.store.as_ref(), &account.client, &account.name, &account.options, &NoProgress).await;
    let outcome = if result.is_ok() { "completed" } else { "failed" };
    metrics::counter!("roster_syncs_total", "account" => account.name.clone(), "result" => outcome).increment(1);
    metrics::histogram!("roster_sync_duration_seconds", "account" => account.name.clone())
        .record(started.elapsed().as_secs_f64());
    let m = account.client.metrics();
    metrics::gauge!("roster_monday_requests", "account" => account.name.clone()).set(m.requests as f64);
    metrics::gauge!("roster_monday_retries", "account" => account.name.clone()).set(m.retries as f64);
    metrics::gauge!("roster_monday_complexity", "account" => account.name.clone()).set(m.complexity as f64);
    match result {
        Ok(r) => {
            metrics::gauge!("roster_grants", "account" => account.name.clone()).set(r.counts.grants as f64);
            metrics::counter!("roster_events_total", "account" => account.name.clone()).increment(r.events as u64 + 1);
            Ok(Some(r))
        }
        Err(e) => {
            tracing::warn!(account = %account.name, error = %e, "sync failed; the next one resumes it");
            Err(ApiError::Internal(e.to_string()))
        }
    }
}

/// The wait before the next sync: the interval, give or take 10 %.
fn jittered(interval: Duration) -> Duration {
    let ms = interval.as_millis() as u64;
    let spread = ms / 10;
    Duration::from_millis(ms - spread + rand::rng().random_range(0..=2 * spread))
}

/// Runs each account's schedule until the task is dropped.
pub async fn run(state: Arc<AppState>) {
    let mut tasks = Vec::new();
    for a in state.accounts.clone() {
        let state = Arc::clone(&state);
        tasks.push(tokio::spawn(async move {
            loop {
                if let Ok(None) = sync_now(&state, &a).await {
                    tracing::info!(account = %a.name, "a sync is already running; skipping this turn");
                }
                tokio::time::sleep(jittered(a.interval)).await;
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
}
