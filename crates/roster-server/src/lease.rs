//! Work one worker at a time does (an account's sync, webhook delivery) when several
//! `roster serve` processes share a PostgreSQL store: a lease in the store, renewed while the
//! work runs, taken over by another worker once it expires (its holder died).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use roster_store::{Store, StoreError};

/// Where "now" comes from: the wall clock in service, a hand-moved one in tests.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The wall clock.
pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// Why leased work did not finish.
#[derive(Debug, thiserror::Error)]
pub enum LeaseError {
    #[error("another worker holds the lease {0:?}")]
    /// Another worker holds the lease.
    Busy(String),
    #[error("lost the lease {0:?} part-way (another worker took it over after it expired); the work resumes from its checkpoint")]
    /// The lease expired part-way and another worker took it.
    Lost(String),
    #[error(transparent)]
    /// The store failed.
    Store(#[from] StoreError),
}

/// One worker's leases.
#[derive(Clone)]
pub struct Leaser {
    /// Where leases are kept.
    pub store: Arc<dyn Store>,
    /// This worker (host, process id and a random part, so a restarted process is another).
    pub holder: String,
    /// How long a lease lasts without renewal: how long a dead worker's work waits.
    pub ttl: Duration,
    /// The clock leases are measured by.
    pub clock: Clock,
}

impl std::fmt::Debug for Leaser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leaser").field("holder", &self.holder).field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

/// A name for this worker: host, process id, random suffix.
pub fn worker_id() -> String {
    // The engine's form, so a sync lease left by a worker that died on this machine is
    // recognised and taken over at once by `roster sync` too.
    roster_engine::holder_id()
}

impl Leaser {
    /// Takes (or renews) lease `name`; false when another worker holds it.
    pub async fn acquire(&self, name: &str) -> Result<bool, StoreError> {
        let now = (self.clock)();
        let until = now + chrono::Duration::from_std(self.ttl).unwrap_or(chrono::Duration::seconds(60));
        self.store.acquire_lease(name, &self.holder, now, until).await
    }

    /// Gives lease `name` up.
    pub async fn release(&self, name: &str) {
        if let Err(e) = self.store.release_lease(name, &self.holder).await {
            // Not fatal: the lease expires by itself.
            tracing::warn!(lease = name, error = %e, "could not release a lease; it expires by itself");
        }
    }

    /// Runs `work` holding lease `name`, renewed every third of its lifetime. When the lease
    /// cannot be renewed, `work` is dropped (its checkpoints stay) and `Lost` returned.
    pub async fn hold<F: Future>(&self, name: &str, work: F) -> Result<F::Output, LeaseError> {
        if !self.acquire(name).await? {
            return Err(LeaseError::Busy(name.into()));
        }
        let renew = async {
            loop {
                tokio::time::sleep(self.ttl / 3).await;
                match self.acquire(name).await {
                    Ok(true) => {}
                    Ok(false) => return LeaseError::Lost(name.into()),
                    Err(e) => {
                        tracing::warn!(lease = name, error = %e, "could not renew a lease; stopping the work it guards");
                        return LeaseError::Lost(name.into());
                    }
                }
            }
        };
        let out = tokio::select! {
            out = work => Ok(out),
            lost = renew => Err(lost),
        };
        if out.is_ok() {
            self.release(name).await;
        }
        out
    }
}
