//! Syncs on schedule (each account on its interval, jittered) and on demand, never two syncs of
//! one account at once, even across several workers: the sync runs under the account's lease,
//! and whether a sync is due is decided under that lease from the store's own record of the
//! last run, so a worker that wins the lease just after another finished does not sync again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand::Rng;
use roster_engine::{NoProgress, SyncReport};
use roster_store::{SyncRun, SyncStatus};

use crate::error::ApiError;
use crate::lease::LeaseError;
use crate::state::{AppState, ServedAccount};

/// What the scheduler does next for one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// Sync now (or resume the unfinished run).
    Sync,
    /// The next sync is due after this long.
    Wait(Duration),
}

/// Decides from the account's newest run: none yet, or one left running by a worker that
/// died, means sync now; a completed run means wait until `interval` after it started; an
/// interrupted (failed) run is retried `retry` after it failed.
pub fn next_turn(latest: Option<&SyncRun>, interval: Duration, retry: Duration, now: DateTime<Utc>) -> Turn {
    let due = match latest {
        None => return Turn::Sync,
        Some(r) => match r.status {
            SyncStatus::Running => return Turn::Sync,
            SyncStatus::Completed => r.started_at + interval,
            SyncStatus::Interrupted => r.finished_at.unwrap_or(r.started_at) + retry,
        },
    };
    match (due - now).to_std() {
        Ok(wait) if !wait.is_zero() => Turn::Wait(wait),
        _ => Turn::Sync,
    }
}

/// What one scheduling turn did.
#[derive(Debug)]
pub enum Outcome {
    /// A sync ran.
    Synced(Box<SyncReport>),
    /// Nothing was due; the next sync is this far off.
    NotDue(Duration),
    /// A sync of the account runs (here or on another worker).
    Busy,
}

/// The lease that guards an account's syncs.
fn lease_name(account: &str) -> String {
    format!("sync:{account}")
}

/// Syncs `account` unless a sync of it is running here or on another worker (then `None`).
pub async fn sync_now(state: &AppState, account: &ServedAccount) -> Result<Option<SyncReport>, ApiError> {
    let lock = lock_of(state, account)?;
    let Ok(_guard) = lock.try_lock() else { return Ok(None) };
    match state.leaser.hold(&lease_name(&account.name), run_sync(state, account)).await {
        Ok(r) => r.map(Some),
        Err(LeaseError::Busy(_)) => Ok(None),
        Err(e) => Err(ApiError::Internal(e.to_string())),
    }
}

/// Starts a sync of `account` in the background (an admin's `POST /sync`) and returns its run
/// id as soon as it has one: the caller polls `GET /syncs/{id}`. `None` when a sync of the
/// account is already running, in this worker or another.
pub async fn start_sync(state: Arc<AppState>, account: ServedAccount) -> Result<Option<i64>, ApiError> {
    let lock = Arc::clone(lock_of(&state, &account)?);
    let Ok(guard) = lock.try_lock_owned() else { return Ok(None) };
    let name = lease_name(&account.name);
    if !state.leaser.acquire(&name).await? {
        return Ok(None);
    }
    let t0 = Utc::now();
    let st = Arc::clone(&state);
    let acct = account.clone();
    let task = tokio::spawn(async move {
        let _held = guard;
        match st.leaser.hold(&lease_name(&acct.name), run_sync(&st, &acct)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(account = %acct.name, error = %e, "the sync asked for over HTTP failed"),
            Err(e) => tracing::warn!(account = %acct.name, error = %e, "the sync asked for over HTTP stopped"),
        }
    });
    // Under the lease, the account's running run is this one (a new run, or an interrupted
    // one it resumes); a fast sync may already be finished.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(r) = state.store.syncs(Some(&account.name), 1).await?.into_iter().next() {
            let ours = r.status == SyncStatus::Running || r.finished_at.is_some_and(|f| f >= t0);
            if ours {
                return Ok(Some(r.id));
            }
        }
        if task.is_finished() || tokio::time::Instant::now() > deadline {
            return Err(ApiError::Internal(format!(
                "the sync of {:?} did not start: see the server log and /healthz",
                account.name
            )));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Syncs `account` if it is due (decided under its lease).
pub async fn sync_if_due(state: &AppState, account: &ServedAccount) -> Result<Outcome, ApiError> {
    let lock = lock_of(state, account)?;
    let Ok(_guard) = lock.try_lock() else { return Ok(Outcome::Busy) };
    let work = async {
        let latest = state.store.syncs(Some(&account.name), 1).await?;
        match next_turn(latest.first(), account.interval, retry_delay(account.interval), (state.leaser.clock)()) {
            Turn::Wait(d) => Ok(Outcome::NotDue(d)),
            Turn::Sync => run_sync(state, account).await.map(|r| Outcome::Synced(Box::new(r))),
        }
    };
    match state.leaser.hold(&lease_name(&account.name), work).await {
        Ok(r) => r,
        Err(LeaseError::Busy(_)) => Ok(Outcome::Busy),
        Err(e) => Err(ApiError::Internal(e.to_string())),
    }
}

fn lock_of<'a>(state: &'a AppState, account: &ServedAccount) -> Result<&'a Arc<tokio::sync::Mutex<()>>, ApiError> {
    state
        .sync_locks
        .get(&account.name)
        .ok_or_else(|| ApiError::NotFound(format!("account {:?} is not served", account.name)))
}

/// A failed sync is retried after this long (the interval, at most a minute).
fn retry_delay(interval: Duration) -> Duration {
    interval.min(Duration::from_secs(60))
}

async fn run_sync(state: &AppState, account: &ServedAccount) -> Result<SyncReport, ApiError> {
    let started = Instant::now();
    // The engine takes the same lease as this worker (a renewal), so no other sync of the
    // account can run beside this one, in this process or any other.
    let lease = roster_engine::SyncLease { holder: state.leaser.holder.clone(), ttl: state.leaser.ttl };
    let result = roster_engine::sync_account_as(
        state.store.as_ref(),
        &account.client,
        &account.name,
        &account.options,
        &NoProgress,
        &lease,
    )
    .await;
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
            let rules = state.sod();
            if !rules.is_empty() {
                match roster_engine::sod::after_sync(state.store.as_ref(), &account.name, &rules, Utc::now()).await {
                    Ok(v) => {
                        metrics::gauge!("roster_sod_violations", "account" => account.name.clone()).set(v.len() as f64);
                        state.remember_violations(r.sync_id, v.len());
                    }
                    Err(e) => tracing::warn!(account = %account.name, error = %e, "separation-of-duties check failed"),
                }
            }
            prune_after_sync(state, &account.name).await;
            read_audit_log(state, account).await;
            check_unmanaged(state, account).await;
            metrics::gauge!("roster_grants", "account" => account.name.clone()).set(r.counts.grants as f64);
            metrics::counter!("roster_events_total", "account" => account.name.clone()).increment(r.events as u64 + 1);
            Ok(r)
        }
        Err(e) => {
            tracing::warn!(account = %account.name, error = %e, "sync failed; the next one resumes it");
            Err(ApiError::Internal(e.to_string()))
        }
    }
}

/// Gives up this worker's sync leases (at shutdown), so a restarted worker resumes at once
/// instead of waiting for them to expire.
pub async fn release_leases(state: &AppState) {
    for a in &state.accounts {
        state.leaser.release(&lease_name(&a.name)).await;
        state.leaser.release(&format!("jit:{}", a.name)).await;
    }
    state.leaser.release("webhooks").await;
    state.leaser.release("ocsf-sinks").await;
}

/// Up to a tenth of the interval, so accounts (and workers) do not all wake at once.
fn jitter(interval: Duration) -> Duration {
    let spread = (interval.as_millis() / 10) as u64;
    Duration::from_millis(rand::rng().random_range(0..=spread))
}

/// Revokes expired just-in-time grants of `account` and sends the notices, under the
/// account's `jit` lease (one worker at a time; each grant is also claimed in the store).
pub async fn expire_jit(state: &AppState, account: &ServedAccount) -> Result<(), ApiError> {
    // The configured policy (its notice time), as reloaded: not the defaults.
    let policy = state.jit_policy.get();
    let work = roster_engine::jit::expire_due(
        state.store.as_ref(),
        &account.client,
        &account.name,
        &policy,
        (state.leaser.clock)(),
    );
    match state.leaser.hold(&format!("jit:{}", account.name), work).await {
        Ok(Ok(r)) if r.failed > 0 => {
            tracing::warn!(account = %account.name, failed = r.failed, "some expired just-in-time grants could not be revoked");
            Ok(())
        }
        Ok(Ok(_)) | Err(LeaseError::Busy(_)) => Ok(()),
        Ok(Err(e)) => Err(ApiError::Internal(e.to_string())),
        Err(e) => Err(ApiError::Internal(e.to_string())),
    }
}

/// Prunes the account's old snapshots when a retention is configured. A failure is logged and
/// the next sync tries again: the sync itself succeeded, and nothing is half-deleted (the
/// store prunes in one transaction).
async fn prune_after_sync(state: &AppState, account: &str) {
    let Some(retention) = *state.retention.get() else { return };
    match roster_engine::retention::prune(state.store.as_ref(), account, &retention, Utc::now(), false).await {
        Ok(r) if !r.pruned.is_empty() => {
            tracing::info!(account, pruned = ?r.pruned, rows = r.rows, kept = r.kept, "old snapshots pruned");
            metrics::counter!("roster_snapshots_pruned_total", "account" => account.to_string())
                .increment(r.pruned.len() as u64);
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(account, error = %e, "pruning old snapshots failed; the next sync tries again"),
    }
}

/// Compares the account with its source of truth after a sync, when one is configured, and
/// records an event for each account newly unmanaged. A failure (the file unreadable) is logged
/// and the next sync tries again.
async fn check_unmanaged(state: &AppState, account: &ServedAccount) {
    let people = match account.source_people() {
        Ok(Some(p)) => p,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(account = %account.name, error = %e, "the source of truth could not be read; unmanaged accounts not checked");
            return;
        }
    };
    match roster_engine::unmanaged::after_sync(state.store.as_ref(), &account.name, &people, Utc::now()).await {
        Ok(ids) => {
            metrics::gauge!("roster_unmanaged_accounts", "account" => account.name.clone()).set(ids.len() as f64)
        }
        Err(e) => tracing::warn!(account = %account.name, error = %e, "checking unmanaged accounts failed"),
    }
}

/// Reads the account's audit log after a sync, when configured. A failure is logged and the
/// next sync reads on from the same point: the sync itself succeeded.
async fn read_audit_log(state: &AppState, account: &ServedAccount) {
    let Some(o) = &account.audit_log else { return };
    let now = (state.leaser.clock)();
    match roster_engine::audit_log::read_audit_log(state.store.as_ref(), &account.client, &account.name, now, o).await {
        Ok(roster_engine::audit_log::AuditRead::Read { added, .. }) => {
            metrics::counter!("roster_audit_log_entries_total", "account" => account.name.clone()).increment(added);
        }
        Ok(roster_engine::audit_log::AuditRead::Unavailable(reason)) => {
            tracing::debug!(account = %account.name, reason, "audit log not read")
        }
        Err(e) => {
            tracing::warn!(account = %account.name, error = %e, "reading the audit log failed; the next sync reads on")
        }
    }
}

/// How long a background task that died waits before it starts again.
const RESTART_PAUSE: Duration = Duration::from_secs(5);

/// Runs each account's schedule (syncs, and every minute the just-in-time expiry) until the
/// task is dropped.
pub async fn run(state: Arc<AppState>) {
    let mut tasks = Vec::new();
    for a in state.accounts.clone() {
        let state2 = Arc::clone(&state);
        tasks.push(tokio::spawn(supervise(
            Arc::clone(&state),
            format!("jit-expiry:{}", a.name),
            RESTART_PAUSE,
            move || {
                let (state, a) = (Arc::clone(&state2), a.clone());
                async move {
                    loop {
                        if let Err(e) = expire_jit(&state, &a).await {
                            tracing::warn!(account = %a.name, error = %e, "just-in-time expiry did not run");
                        }
                        tokio::time::sleep(Duration::from_secs(60)).await;
                    }
                }
            },
        )));
    }
    for a in state.accounts.clone() {
        let state2 = Arc::clone(&state);
        tasks.push(tokio::spawn(supervise(Arc::clone(&state), format!("sync:{}", a.name), RESTART_PAUSE, move || {
            let (state, a) = (Arc::clone(&state2), a.clone());
            async move {
                // Another worker's lease is checked again at this pace (a dead worker's sync is
                // resumed within about one lease lifetime).
                let poll = (state.leaser.ttl / 3).max(Duration::from_millis(100));
                loop {
                    let wait = match sync_if_due(&state, &a).await {
                        Ok(Outcome::Synced(_)) => Duration::ZERO,
                        Ok(Outcome::NotDue(d)) => d + jitter(a.interval),
                        Ok(Outcome::Busy) => poll,
                        Err(e) => {
                            tracing::warn!(account = %a.name, error = %e, "scheduled sync did not run");
                            poll
                        }
                    };
                    tokio::time::sleep(wait).await;
                }
            }
        })));
    }
    for t in tasks {
        let _ = t.await;
    }
}

/// Runs a background task for ever: when it dies (a panic), the death is logged, counted
/// (`/healthz`, `roster_task_restarts_total`) and the task started again after a pause, so one
/// bad answer never silently stops an account's syncs.
async fn supervise<F, Fut>(state: Arc<AppState>, name: String, pause: Duration, task: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    loop {
        match tokio::spawn(task()).await {
            Err(e) if e.is_panic() => {
                tracing::error!(task = %name, pause_s = pause.as_secs(), "a background task died; starting it again");
                metrics::counter!("roster_task_restarts_total", "task" => name.clone()).increment(1);
                if let Ok(mut m) = state.task_restarts.lock() {
                    *m.entry(name.clone()).or_default() += 1;
                }
                tokio::time::sleep(pause).await;
            }
            _ => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_task_that_dies_is_counted_and_started_again() {
        let store: Arc<dyn roster_store::Store> = Arc::new(roster_store::SqlStore::in_memory().await.unwrap());
        let state = Arc::new(AppState::new(store, vec![], vec![], None));
        let runs = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = Arc::clone(&runs);
        supervise(Arc::clone(&state), "sync:acme".into(), Duration::from_millis(1), move || {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move {
                if n < 2 {
                    panic!("a bad number from outside");
                }
            }
        })
        .await;
        assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 3, "started again after each death");
        assert_eq!(state.task_restarts.lock().unwrap().get("sync:acme"), Some(&2));
    }

    fn run(status: SyncStatus, started: DateTime<Utc>, finished: Option<DateTime<Utc>>) -> SyncRun {
        SyncRun {
            id: 1,
            account: "acme".into(),
            status,
            started_at: started,
            finished_at: finished,
            error: None,
            api_version: "2026-10".into(),
            resumed: 0,
            requests: 0,
            complexity: 0,
            pruned_at: None,
        }
    }

    #[test]
    fn turns_follow_the_last_run() {
        let t0 = Utc::now();
        let hour = Duration::from_secs(3600);
        let min = Duration::from_secs(60);
        let at = |s: i64| t0 + chrono::Duration::seconds(s);
        assert_eq!(next_turn(None, hour, min, t0), Turn::Sync, "never synced");
        let done = run(SyncStatus::Completed, t0, Some(at(300)));
        assert_eq!(next_turn(Some(&done), hour, min, at(300)), Turn::Wait(Duration::from_secs(3300)));
        assert_eq!(next_turn(Some(&done), hour, min, at(3599)), Turn::Wait(Duration::from_secs(1)));
        assert_eq!(next_turn(Some(&done), hour, min, at(3600)), Turn::Sync, "an interval after it started");
        assert_eq!(next_turn(Some(&done), hour, min, at(9000)), Turn::Sync, "overdue");
        let failed = run(SyncStatus::Interrupted, t0, Some(at(10)));
        assert_eq!(next_turn(Some(&failed), hour, min, at(20)), Turn::Wait(Duration::from_secs(50)), "retried");
        assert_eq!(next_turn(Some(&failed), hour, min, at(70)), Turn::Sync);
        let orphan = run(SyncStatus::Running, t0, None);
        assert_eq!(next_turn(Some(&orphan), hour, min, at(1)), Turn::Sync, "a dead worker's run resumes");
    }

    #[test]
    fn jitter_stays_within_a_tenth() {
        for _ in 0..1000 {
            assert!(jitter(Duration::from_secs(100)) <= Duration::from_secs(10));
        }
    }
}
