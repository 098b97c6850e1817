//! `[store]` (SQLite or PostgreSQL) and `[sync]` (which boards and workspaces a sync reads).

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use monday_api::StateFilter;
use roster_core::retention::Retention;
use roster_engine::SyncOptions;
use serde::Deserialize;

use super::Secret;

/// `[store]` as written: an SQLite file (one machine), or PostgreSQL (several `roster serve`
/// workers).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStore {
    /// SQLite file, relative to the config file.
    #[serde(default = "default_store")]
    pub path: PathBuf,
    /// Environment variable holding a PostgreSQL URL (`postgres://user:password@host/db`); when
    /// set, the store is there and `path` is not used. An environment variable, because the URL
    /// carries the password.
    pub url_env: Option<String>,
    /// Keep the newest this many snapshots of each account (pruned after each sync in
    /// `roster serve`, and by `roster store prune`); unset with `keep_days` unset: keep all.
    pub keep_snapshots: Option<usize>,
    /// Also keep every snapshot younger than this many days.
    pub keep_days: Option<u32>,
}

/// Where the store is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Store {
    /// An SQLite file (made relative to the configuration's folder).
    Sqlite(PathBuf),
    /// PostgreSQL, its URL in this environment variable (read when the store is opened).
    Postgres(Secret),
}

impl RawStore {
    /// The retention, when `keep_snapshots` or `keep_days` is set (the newest snapshot is
    /// always kept: `keep_days` alone keeps at least one).
    pub fn retention(&self) -> Result<Option<Retention>> {
        if self.keep_snapshots.is_none() && self.keep_days.is_none() {
            return Ok(None);
        }
        Retention::new(self.keep_snapshots.unwrap_or(1), self.keep_days)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("[store] {e}"))
    }

    /// The store: PostgreSQL when `url_env` is set, else the SQLite file.
    pub fn resolve(&self, base: &Path) -> Result<Store> {
        Ok(match &self.url_env {
            Some(var) if var.trim().is_empty() => bail!("[store] url_env is empty: name an environment variable"),
            Some(var) => Store::Postgres(Secret::Env(var.clone())),
            None if self.path.is_relative() => Store::Sqlite(base.join(&self.path)),
            None => Store::Sqlite(self.path.clone()),
        })
    }
}

impl Store {
    /// The SQLite file, when the store is one.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            Store::Sqlite(p) => Some(p),
            Store::Postgres(_) => None,
        }
    }

    /// The PostgreSQL URL, read from its variable, when the store is on PostgreSQL.
    pub fn postgres_url(&self) -> Result<Option<String>> {
        let Store::Postgres(secret) = self else { return Ok(None) };
        let url = secret.read("[store] url_env", "export the PostgreSQL URL in it")?;
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            bail!("[store] url_env: {} must hold a postgres:// URL", secret.name());
        }
        Ok(Some(url))
    }
}

fn default_store() -> PathBuf {
    PathBuf::from("roster.db")
}

impl Default for RawStore {
    fn default() -> Self {
        RawStore { path: default_store(), url_env: None, keep_snapshots: None, keep_days: None }
    }
}

/// `[sync]` as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSync {
    /// Boards in these states: active (default), archived, deleted or all.
    #[serde(default = "active")]
    pub board_state: String,
    /// Workspaces in these states.
    #[serde(default = "active")]
    pub workspace_state: String,
}

impl RawSync {
    /// The sync options.
    pub fn resolve(&self) -> Result<SyncOptions> {
        Ok(SyncOptions {
            board_state: state(&self.board_state, "board_state")?,
            workspace_state: state(&self.workspace_state, "workspace_state")?,
        })
    }
}

/// Reads a state filter.
fn state(s: &str, what: &str) -> Result<StateFilter> {
    Ok(match s {
        "active" => StateFilter::Active,
        "archived" => StateFilter::Archived,
        "deleted" => StateFilter::Deleted,
        "all" => StateFilter::All,
        other => bail!("[sync] {what} = {other:?}: use active, archived, deleted or all"),
    })
}

fn active() -> String {
    "active".into()
}

impl Default for RawSync {
    fn default() -> Self {
        RawSync { board_state: active(), workspace_state: active() }
    }
}
