//! `roster export c1z`: one or two of an account's snapshots as a baton c1z file, each a
//! completed sync, so that `baton diff` on a two-sync file reports what `roster diff` does.

mod file;
mod ksuid;
pub mod mapping;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use roster_core::ResourceType;
use roster_store::{Store, StoreError, SyncStatus, UserQuery};

pub use file::{database_of, write, Builder, SyncRun, MAGIC};
pub use ksuid::ksuid;
pub use mapping::{objects, Objects, Snapshot};

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum C1zError {
    #[error("reading the snapshot failed: {0}")]
    /// The store failed.
    Store(#[from] StoreError),
    #[error("sync {0} is not a completed snapshot of this account (`roster syncs` lists them)")]
    /// No such snapshot.
    NoSnapshot(i64),
    #[error("account {0:?} has no completed sync to export: run `roster sync` first")]
    /// Nothing to export.
    NothingYet(String),
    #[error("writing the c1z database failed ({what}): {detail}")]
    /// SQLite failed.
    Sqlite {
        /// The step.
        what: &'static str,
        /// What it said.
        detail: String,
    },
    #[error("writing {}: {detail}", path.display())]
    /// The file system failed.
    Io {
        /// The file.
        path: PathBuf,
        /// What it said.
        detail: String,
    },
    #[error("not a c1z file: it does not start with C1ZF\\0")]
    /// Not a c1z file.
    NotC1z,
    #[error("the c1z file is damaged: {0}")]
    /// A damaged file.
    Corrupt(String),
}

/// What `export` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// The Roster syncs written, oldest first, with their c1z sync ids.
    pub syncs: Vec<(i64, String)>,
    /// Resources, entitlements and grants of the newest.
    pub counts: (usize, usize, usize),
    /// The file's size.
    pub bytes: u64,
}

/// Reads snapshot `sync` of `account` for the export.
pub async fn snapshot(store: &dyn Store, account: &str, sync: i64) -> Result<Snapshot, C1zError> {
    let run = store
        .sync_run(sync)
        .await?
        .filter(|r| r.account == account && r.status == SyncStatus::Completed && r.pruned_at.is_none());
    if run.is_none() {
        return Err(C1zError::NoSnapshot(sync));
    }
    let a = store.account_snapshot(sync).await?;
    let mut resources = Vec::new();
    for t in [ResourceType::Role, ResourceType::Team, ResourceType::Workspace, ResourceType::Board] {
        resources.extend(store.resources(sync, t).await?);
    }
    let last_logins: HashMap<String, i64> =
        store.last_logins(account).await?.into_iter().map(|(u, at, _)| (u, at)).collect();
    Ok(Snapshot {
        account: a.map(|a| (a.monday_id, a.name)).unwrap_or_else(|| (account.to_string(), account.to_string())),
        users: store.users(sync, &UserQuery::default()).await?,
        resources,
        grants: store.all_grants(sync).await?,
        last_logins,
    })
}

/// Writes `account`'s snapshot `sync` (default: the newest completed), and with
/// `with_previous` the completed snapshot before it, to `path`.
pub async fn export(
    store: &dyn Store,
    account: &str,
    sync: Option<i64>,
    with_previous: bool,
    path: &Path,
) -> Result<Exported, C1zError> {
    let completed: Vec<roster_store::SyncRun> = store
        .syncs(Some(account), 100_000)
        .await?
        .into_iter()
        .filter(|r| r.status == SyncStatus::Completed && r.pruned_at.is_none())
        .collect();
    let newest = match sync {
        Some(id) => completed.iter().find(|r| r.id == id).ok_or(C1zError::NoSnapshot(id))?,
        None => completed.first().ok_or_else(|| C1zError::NothingYet(account.into()))?,
    };
    let mut picked = vec![newest.clone()];
    if with_previous {
        if let Some(prev) = completed.iter().filter(|r| r.id < newest.id).max_by_key(|r| r.id) {
            picked.insert(0, prev.clone());
        }
    }
    // One snapshot at a time: its objects are written and dropped before the next is read.
    let mut file = Builder::create(path).await?;
    let (mut sync_ids, mut counts) = (Vec::new(), (0, 0, 0));
    for r in &picked {
        let ended = r.finished_at.unwrap_or(r.started_at);
        let sync_id = ksuid(ended, &format!("{account}/{}", r.id));
        let added = match snapshot(store, account, r.id).await {
            Ok(s) => {
                let run = SyncRun {
                    sync_id: sync_id.clone(),
                    started_at: r.started_at,
                    ended_at: ended,
                    objects: objects(&s),
                };
                drop(s);
                counts = (run.objects.resources.len(), run.objects.entitlements.len(), run.objects.grant_count());
                file.add(&run).await
            }
            Err(e) => Err(e),
        };
        if let Err(e) = added {
            file.abandon().await;
            return Err(e);
        }
        sync_ids.push((r.id, sync_id));
    }
    let bytes = file.finish().await?;
    Ok(Exported { syncs: sync_ids, counts, bytes })
}
