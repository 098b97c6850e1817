//! Shared state: the store, the accounts served, the keys, metrics, and one sync lock per
//! account.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use metrics_exporter_prometheus::PrometheusHandle;
use roster_store::Store;
use tokio::sync::Mutex;

use crate::auth::ApiKey;

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
        AppState { store, accounts, keys, metrics, sync_locks }
    }

    /// The served account called `name`.
    pub fn account(&self, name: &str) -> Option<&ServedAccount> {
        self.accounts.iter().find(|a| a.name == name)
    }
}
