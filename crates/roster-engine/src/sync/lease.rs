//! One sync per account at a time, everywhere: in this process (a set of accounts being
//! synced), and across processes and machines (the `sync:<account>` lease in the store, the
//! one `roster serve` workers take). A second sync never adopts a live run: it is refused,
//! naming who holds the lease and until when. A lease left by a process that died on this
//! machine is taken over at once, so `roster sync` after a kill resumes without waiting.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use roster_store::Store;

use crate::error::SyncError;

/// Who syncs, and how long their lease lasts without renewal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncLease {
    /// `host-pid-random`: a restarted process is another holder.
    pub holder: String,
    /// A holder that stops renewing loses the lease after this long.
    pub ttl: Duration,
}

impl SyncLease {
    /// This process's lease (30 s, renewed every 10 s while the sync runs).
    pub fn process() -> SyncLease {
        static HOLDER: OnceLock<String> = OnceLock::new();
        SyncLease { holder: HOLDER.get_or_init(holder_id).clone(), ttl: Duration::from_secs(30) }
    }
}

/// This machine's name, when it can be known for sure.
fn host() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty() && !h.contains(char::is_whitespace))
}

/// A new holder name: host, process id, random part.
pub fn holder_id() -> String {
    let host = host().unwrap_or_else(|| "roster".into());
    format!("{host}-{}-{:06x}", std::process::id(), rand::random::<u32>() & 0xff_ffff)
}

/// Whether `holder` was a process on this machine that is gone (its lease can be taken over
/// now instead of after it expires). Unknown hosts and machines without /proc say no.
fn died_here(holder: &str) -> bool {
    let Some(host) = host() else { return false };
    let Some(rest) = holder.strip_prefix(&format!("{host}-")) else { return false };
    let Some((pid, _)) = rest.split_once('-') else { return false };
    let Ok(pid) = pid.parse::<u32>() else { return false };
    pid != std::process::id()
        && std::path::Path::new("/proc/self").exists()
        && !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// A sync running in this process: the store (by address), the account and the holder. Two
/// syncs with one holder cannot be told apart by the store's lease, so this set keeps them
/// apart; syncs with different holders are kept apart by the lease.
type Running = (usize, String, String);

fn running() -> &'static Mutex<HashSet<Running>> {
    static RUNNING: OnceLock<Mutex<HashSet<Running>>> = OnceLock::new();
    RUNNING.get_or_init(Default::default)
}

/// Marks an account as syncing in this process until dropped.
struct Here(Running);

impl Drop for Here {
    fn drop(&mut self) {
        if let Ok(mut set) = running().lock() {
            set.remove(&self.0);
        }
    }
}

fn until(lease: &SyncLease, now: DateTime<Utc>) -> DateTime<Utc> {
    now + chrono::Duration::from_std(lease.ttl).unwrap_or(chrono::Duration::seconds(30))
}

/// Runs `work` as the only sync of `account`, holding its lease (renewed every third of its
/// lifetime). A lease this holder already had (a `roster serve` worker that took it to decide
/// the sync was due) is kept, not released, at the end.
pub(crate) async fn exclusive<F: Future<Output = Result<T, SyncError>>, T>(
    store: &dyn Store,
    account: &str,
    lease: &SyncLease,
    work: F,
) -> Result<T, SyncError> {
    let busy =
        |holder: String, until: Option<DateTime<Utc>>| SyncError::Busy { account: account.into(), holder, until };
    let _here = {
        let key = (store as *const dyn Store as *const () as usize, account.to_string(), lease.holder.clone());
        let mut set = running().lock().map_err(|_| busy("this process".into(), None))?;
        if !set.insert(key.clone()) {
            return Err(busy(format!("this process, {}", lease.holder), None));
        }
        Here(key)
    };
    let name = format!("sync:{account}");
    let now = Utc::now();
    let had = matches!(store.lease(&name).await?, Some((h, t)) if h == lease.holder && t > now);
    if !store.acquire_lease(&name, &lease.holder, now, until(lease, now)).await? {
        match store.lease(&name).await? {
            Some((h, _)) if died_here(&h) => {
                tracing::info!(account, dead = %h, "taking over the sync lease of a process that is gone");
                store.release_lease(&name, &h).await?;
                if !store.acquire_lease(&name, &lease.holder, now, until(lease, now)).await? {
                    let (h, t) = store.lease(&name).await?.unzip();
                    return Err(busy(h.unwrap_or_default(), t));
                }
            }
            Some((h, t)) => return Err(busy(h, Some(t))),
            None => return Err(busy("another worker".into(), None)),
        }
    }
    let renew = async {
        loop {
            tokio::time::sleep(lease.ttl / 3).await;
            let now = Utc::now();
            match store.acquire_lease(&name, &lease.holder, now, until(lease, now)).await {
                Ok(true) => {}
                Ok(false) | Err(_) => return SyncError::LeaseLost { account: account.into() },
            }
        }
    };
    let out = tokio::select! {
        out = work => out,
        lost = renew => Err(lost),
    };
    if !had {
        if let Err(e) = store.release_lease(&name, &lease.holder).await {
            tracing::warn!(account, error = %e, "could not release the sync lease; it expires by itself");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_local_holder_is_recognised_and_a_live_or_foreign_one_is_not() {
        let Some(h) = host() else { return };
        assert!(!died_here(&format!("{h}-{}-abc", std::process::id())), "this process is alive");
        assert!(!died_here("elsewhere.example-1-abc"), "another machine's process is never judged from here");
        if std::path::Path::new("/proc/self").exists() {
            assert!(died_here(&format!("{h}-4000000000-abc")), "no such pid");
            assert!(!died_here(&format!("{h}-1-abc")), "pid 1 lives");
        }
    }
}
