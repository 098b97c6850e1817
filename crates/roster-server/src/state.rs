//! Shared state: the store, the accounts served, the keys, metrics, and one sync lock per
//! account.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use metrics_exporter_prometheus::PrometheusHandle;
use roster_store::Store;
use tokio::sync::Mutex;

use crate::auth::ApiKey;

/// Requests per second per key, and the burst above it [a sane default for an admin API].
pub const RATE_PER_SECOND: u32 = 50;
pub const RATE_BURST: u32 = 200;

/// One account `roster serve` syncs.
#[derive(Debug, Clone)]
pub struct ServedAccount {
    pub name: String,
    pub client: Arc<monday_api::Client>,
    pub options: roster_engine::SyncOptions,
    /// Time between syncs (jittered by up to 10 %).
    pub interval: Duration,
}

/// Everything handlers share.
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub accounts: Vec<ServedAccount>,
    pub keys: Vec<ApiKey>,
    pub metrics: Option<PrometheusHandle>,
    /// Held while an account syncs: a second sync of it never starts meanwhile.
    pub sync_locks: HashMap<String, Arc<Mutex<()>>>,
    /// Requests allowed per key (a burst, refilled per second).
    pub limiter: governor::DefaultKeyedRateLimiter<String>,
}

impl AppState {
    /// State for these accounts and keys.
    pub fn new(
        store: Arc<dyn Store>,
        accounts: Vec<ServedAccount>,
        keys: Vec<ApiKey>,
        metrics: Option<PrometheusHandle>,
    ) -> AppState {
        let sync_locks = accounts.iter().map(|a| (a.name.clone(), Arc::new(Mutex::new(())))).collect();
        AppState::with_rate(store, accounts, keys, metrics, sync_locks, RATE_PER_SECOND, RATE_BURST)
    }

    fn with_rate(
        store: Arc<dyn Store>,
        accounts: Vec<ServedAccount>,
        keys: Vec<ApiKey>,
        metrics: Option<PrometheusHandle>,
        sync_locks: HashMap<String, Arc<Mutex<()>>>,
        per_second: u32,
        burst: u32,
    ) -> AppState {
        let quota = governor::Quota::per_second(
            std::num::NonZeroU32::new(per_second.max(1)).unwrap_or(std::num::NonZeroU32::MIN),
        )
        .allow_burst(std::num::NonZeroU32::new(burst.max(1)).unwrap_or(std::num::NonZeroU32::MIN));
        AppState { store, accounts, keys, metrics, sync_locks, limiter: governor::RateLimiter::keyed(quota) }
    }

    /// The same with another rate limit per key (requests per second, burst).
    pub fn with_rate_limit(self, per_second: u32, burst: u32) -> AppState {
        AppState::with_rate(self.store, self.accounts, self.keys, self.metrics, self.sync_locks, per_second, burst)
    }

    /// The served account called `name`.
    pub fn account(&self, name: &str) -> Option<&ServedAccount> {
        self.accounts.iter().find(|a| a.name == name)
    }
}
