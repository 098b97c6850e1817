//! Shared state: the store, the accounts served, the keys, metrics, and one sync lock per
//! account.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use metrics_exporter_prometheus::PrometheusHandle;
use roster_store::Store;
use tokio::sync::Mutex;

use crate::keys::ApiKey;
use crate::lease::{system_clock, worker_id, Leaser};

/// Requests per second per key, and the burst above it [a sane default for an admin API].
pub const RATE_PER_SECOND: u32 = 50;
pub const RATE_BURST: u32 = 200;

/// A completed snapshot and a user filter (its fields' debug form).
pub type ListKey = (i64, String);

/// A launched campaign, a reviewer (`None`: every item) and its `items_moved`.
pub type ItemsKey = (i64, Option<String>, i64);

/// What a worker remembers of one filter's users in a completed snapshot.
#[derive(Debug, Clone, Default)]
pub struct UserList {
    /// How many users match.
    pub total: usize,
    /// The id of every `reads::SEEK_STRIDE`th of them, once a deep page was asked for.
    pub anchors: Option<Arc<Vec<String>>>,
}

/// A per-key limiter: `per_second` requests a second, bursts up to `burst`.
fn limiter(per_second: u32, burst: u32) -> governor::DefaultKeyedRateLimiter<String> {
    let nz = |n: u32| std::num::NonZeroU32::new(n.max(1)).unwrap_or(std::num::NonZeroU32::MIN);
    governor::RateLimiter::keyed(governor::Quota::per_second(nz(per_second)).allow_burst(nz(burst)))
}

/// A value replaced whole on a configuration reload (SIGHUP): readers clone the `Arc`, so a
/// request in flight keeps the value it started with.
pub struct Swap<T>(std::sync::RwLock<Arc<T>>);

impl<T> Swap<T> {
    pub fn new(v: T) -> Swap<T> {
        Swap(std::sync::RwLock::new(Arc::new(v)))
    }

    /// The value now in force.
    pub fn get(&self) -> Arc<T> {
        match self.0.read() {
            Ok(v) => Arc::clone(&v),
            // A panic while swapping cannot leave a half-written Arc: the value is still whole.
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Puts `v` in force.
    pub fn set(&self, v: T) {
        let mut slot = match self.0.write() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        *slot = Arc::new(v);
    }
}

/// One account `roster serve` syncs.
#[derive(Debug, Clone)]
pub struct ServedAccount {
    /// The account's name.
    pub name: String,
    /// Its monday.com client.
    pub client: Arc<monday_api::Client>,
    /// What its syncs read.
    pub options: roster_engine::SyncOptions,
    /// Time between syncs (jittered by up to 10 %).
    pub interval: Duration,
    /// The account's SCIM configuration, when it has one (approved SCIM plans run with it).
    pub scim: Option<scim_client::ScimConfig>,
    /// How its audit log is read after each sync (Enterprise); `None`: it is not.
    pub audit_log: Option<roster_engine::audit_log::AuditReadOptions>,
    /// Its source of truth (file and field mapping) for the unmanaged-accounts check after each
    /// sync and the `unmanaged` report; `None`: not configured.
    pub source: Option<(std::path::PathBuf, std::collections::BTreeMap<String, String>)>,
}

impl ServedAccount {
    /// The source of truth's people, read now; `None` when none is configured.
    pub fn source_people(&self) -> Result<Option<Vec<roster_core::scim_plan::DesiredUser>>, String> {
        let Some((path, mapping)) = &self.source else { return Ok(None) };
        roster_engine::scim::source::read(path, mapping).map(|s| Some(s.users)).map_err(|e| e.to_string())
    }
}

/// Everything handlers share.
pub struct AppState {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The accounts served.
    pub accounts: Vec<ServedAccount>,
    /// Replaced whole on a configuration reload (SIGHUP); requests in flight keep the keys they
    /// were checked with.
    pub keys: Swap<Vec<ApiKey>>,
    /// This worker's leases (syncs, webhook delivery) and its clock.
    pub leaser: Leaser,
    /// The Prometheus exporter, when installed.
    pub metrics: Option<PrometheusHandle>,
    /// Held while an account syncs: a second sync of it never starts meanwhile.
    pub sync_locks: HashMap<String, Arc<Mutex<()>>>,
    /// How many users match a filter in a completed snapshot, and the seek points of its
    /// pages. Snapshots never change once completed, so an entry is never stale; the map is
    /// emptied when it grows large.
    pub user_lists: std::sync::Mutex<HashMap<ListKey, UserList>>,
    /// The filters whose count or seek points one request is finding now (the others wait).
    pub list_fills: std::sync::Mutex<HashMap<ListKey, Arc<Mutex<()>>>>,
    /// Seek points of a reviewer's items (`None`: all of a campaign's) per campaign, reviewer
    /// and `items_moved`: true while that number is, so an entry is never stale; the map is
    /// emptied when it grows large.
    pub item_anchors: std::sync::Mutex<HashMap<ItemsKey, Arc<Vec<i64>>>>,
    /// Just-in-time access policy (replaced on reload).
    pub jit_policy: Swap<roster_engine::jit::JitPolicy>,
    /// Which plans wait for a second admin, and who may decide (replaced on reload).
    pub approval: Swap<roster_core::ApprovalPolicy>,
    /// Which snapshots are kept after each sync (`None`: all; replaced on reload).
    pub retention: Swap<Option<roster_core::retention::Retention>>,
    /// Separation-of-duties rules checked after every sync (replaced on reload).
    pub sod_rules: Swap<Vec<roster_core::sod::SodRule>>,
    /// Row counts per completed snapshot (immutable once completed, so never stale).
    pub snapshot_counts: std::sync::Mutex<HashMap<i64, roster_store::Counts>>,
    /// Separation-of-duties violations per completed snapshot under the rules in force (the
    /// scheduler records them after each sync; a reload of the rules empties it).
    pub sod_counts: std::sync::Mutex<HashMap<i64, usize>>,
    /// Web sign-ins allowed per client address (a burst, then a few a second): someone
    /// hammering the form slows only themselves, never a real admin signing in elsewhere.
    pub login_limiter: governor::DefaultKeyedRateLimiter<std::net::IpAddr>,
    /// Requests allowed per key (a burst, refilled per second).
    pub limiter: governor::DefaultKeyedRateLimiter<String>,
    /// Background tasks (scheduled syncs, expiry) that died and were started again, by name:
    /// shown in `/healthz` and as `roster_task_restarts_total`.
    pub task_restarts: std::sync::Mutex<HashMap<String, u64>>,
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
        let leaser = Leaser {
            store: Arc::clone(&store),
            holder: worker_id(),
            ttl: Duration::from_secs(60),
            clock: system_clock(),
        };
        AppState {
            store,
            accounts,
            keys: Swap::new(keys),
            leaser,
            metrics,
            sync_locks,
            limiter: limiter(RATE_PER_SECOND, RATE_BURST),
            login_limiter: governor::RateLimiter::keyed(
                governor::Quota::per_second(std::num::NonZeroU32::new(2).unwrap_or(std::num::NonZeroU32::MIN))
                    .allow_burst(std::num::NonZeroU32::new(20).unwrap_or(std::num::NonZeroU32::MIN)),
            ),
            user_lists: std::sync::Mutex::new(HashMap::new()),
            list_fills: std::sync::Mutex::new(HashMap::new()),
            item_anchors: std::sync::Mutex::new(HashMap::new()),
            sod_rules: Swap::new(vec![]),
            retention: Swap::new(None),
            jit_policy: Swap::new(roster_engine::jit::JitPolicy::default()),
            approval: Swap::new(roster_core::ApprovalPolicy::default()),
            snapshot_counts: std::sync::Mutex::new(HashMap::new()),
            sod_counts: std::sync::Mutex::new(HashMap::new()),
            task_restarts: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// The same with another rate limit per key (requests per second, burst); the rest stays.
    pub fn with_rate_limit(mut self, per_second: u32, burst: u32) -> AppState {
        self.limiter = limiter(per_second, burst);
        self
    }

    /// The same with another just-in-time policy.
    pub fn with_jit_policy(self, policy: roster_engine::jit::JitPolicy) -> AppState {
        self.jit_policy.set(policy);
        self
    }

    /// The same with a retention (old snapshots pruned after each sync).
    pub fn with_retention(self, retention: Option<roster_core::retention::Retention>) -> AppState {
        self.retention.set(retention);
        self
    }

    /// The same with another approval policy.
    pub fn with_approval(self, policy: roster_core::ApprovalPolicy) -> AppState {
        self.approval.set(policy);
        self
    }

    /// The same with another lease lifetime and clock (several workers; tests).
    pub fn with_leases(mut self, ttl: Duration, clock: crate::lease::Clock) -> AppState {
        self.leaser.ttl = ttl;
        self.leaser.clock = clock;
        self
    }

    /// The separation-of-duties rules now in force.
    pub fn sod(&self) -> Arc<Vec<roster_core::sod::SodRule>> {
        self.sod_rules.get()
    }

    /// Puts separation-of-duties rules in force (start, reload).
    pub fn set_sod(&self, rules: Vec<roster_core::sod::SodRule>) {
        self.sod_rules.set(rules);
        if let Ok(mut m) = self.sod_counts.lock() {
            m.clear();
        }
    }

    /// Records how many violations snapshot `sync` has under the rules in force.
    pub fn remember_violations(&self, sync: i64, n: usize) {
        if let Ok(mut m) = self.sod_counts.lock() {
            m.insert(sync, n);
        }
    }

    /// The violations of snapshot `sync`: remembered, or evaluated once and remembered.
    pub async fn violations(&self, sync: i64) -> Result<usize, roster_store::StoreError> {
        if let Some(n) = self.sod_counts.lock().ok().and_then(|m| m.get(&sync).copied()) {
            return Ok(n);
        }
        let n = roster_engine::sod::violations(self.store.as_ref(), sync, &self.sod(), chrono::Utc::now()).await?.len();
        self.remember_violations(sync, n);
        Ok(n)
    }

    /// The API keys now in force.
    pub fn api_keys(&self) -> Arc<Vec<ApiKey>> {
        self.keys.get()
    }

    /// Puts new API keys in force (configuration reload).
    pub fn set_api_keys(&self, keys: Vec<ApiKey>) {
        self.keys.set(keys)
    }

    /// The row counts of completed snapshot `sync`, counted once.
    pub async fn counts(&self, sync: i64) -> Result<roster_store::Counts, roster_store::StoreError> {
        if let Some(c) = self.snapshot_counts.lock().ok().and_then(|m| m.get(&sync).copied()) {
            return Ok(c);
        }
        let c = self.store.counts(sync).await?;
        if let Ok(mut m) = self.snapshot_counts.lock() {
            if m.len() >= 1_000 {
                m.clear();
            }
            m.insert(sync, c);
        }
        Ok(c)
    }

    /// The served account called `name`, or the API's 404 naming it.
    pub fn served(&self, name: &str) -> Result<&ServedAccount, crate::error::ApiError> {
        self.account(name).ok_or_else(|| crate::error::ApiError::NotFound(format!("account {name:?} is not served")))
    }

    /// The served account called `name`.
    pub fn account(&self, name: &str) -> Option<&ServedAccount> {
        self.accounts.iter().find(|a| a.name == name)
    }
}
