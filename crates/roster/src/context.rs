//! What read commands share: the store, the account, and its last completed sync.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use roster_store::{SqlStore, Store, SyncRun};

use crate::config::Config;
use crate::Cli;

/// The configuration, if there is one (reads work from `--store` alone).
pub fn config(cli: &Cli) -> Result<Option<Config>> {
    if cli.config.exists() {
        return Config::load(&cli.config).map(Some);
    }
    if cli.store.is_some() {
        return Ok(None);
    }
    bail!(
        "cannot read the configuration {}: create one with `roster init`, or name a store with --store",
        cli.config.display()
    )
}

/// Where the store is.
pub fn store_path(cli: &Cli, cfg: Option<&Config>) -> PathBuf {
    cli.store
        .clone()
        .or_else(|| cfg.and_then(|c| c.store.sqlite_path().map(PathBuf::from)))
        .unwrap_or_else(|| PathBuf::from("roster.db"))
}

/// The PostgreSQL URL when the store is there (`--store` names an SQLite file and wins).
fn postgres_url(cli: &Cli, cfg: Option<&Config>) -> Result<Option<String>> {
    match cfg {
        Some(c) if cli.store.is_none() => c.store.postgres_url(),
        _ => Ok(None),
    }
}

/// Opens the store.
pub async fn open_store(cli: &Cli, cfg: Option<&Config>) -> Result<Arc<dyn Store>> {
    if let Some(url) = postgres_url(cli, cfg)? {
        return Ok(Arc::new(SqlStore::connect_postgres(&url).await?));
    }
    let path = store_path(cli, cfg);
    Ok(Arc::new(SqlStore::open(&path).await?))
}

/// A store, an account and the snapshot reads use.
pub struct Snapshot {
    pub store: Arc<dyn Store>,
    pub account: String,
    pub sync: SyncRun,
}

/// Opens the store and picks the account's last completed sync.
pub async fn snapshot(cli: &Cli) -> Result<Snapshot> {
    let cfg = config(cli)?;
    let path = store_path(cli, cfg.as_ref());
    if postgres_url(cli, cfg.as_ref())?.is_none() && !path.exists() {
        bail!("there is no store at {} yet: run `roster sync` first (or `roster demo`)", path.display());
    }
    let store = open_store(cli, cfg.as_ref()).await?;
    let account = match &cli.account {
        Some(a) => a.clone(),
        None => {
            let accounts = store.accounts().await?;
            match accounts.as_slice() {
                [one] => one.clone(),
                [] => bail!("the store at {} holds no account yet: run `roster sync`", path.display()),
                many => bail!("the store holds several accounts ({}): choose one with --account", many.join(", ")),
            }
        }
    };
    let sync = store.last_completed(&account).await?.with_context(|| {
        format!("account {account:?} has no completed sync yet: run `roster sync --account {account}`")
    })?;
    Ok(Snapshot { store, account, sync })
}

/// Who runs this command: the operating system's user name ($USER), as recorded with plans,
/// decisions and requests. Four-eyes approval compares it with the planner's name.
pub fn me() -> String {
    std::env::var("USER").ok().filter(|u| !u.trim().is_empty()).unwrap_or_else(|| "roster-cli".into())
}

/// The approval policy of the configuration (none without one).
pub fn approval(cfg: Option<&Config>) -> Result<roster_core::ApprovalPolicy> {
    Ok(cfg.map(|c| c.approval.clone()).unwrap_or_default())
}
