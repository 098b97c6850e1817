//! `[store]` (SQLite or PostgreSQL) and `[sync]` (which boards and workspaces a sync reads).

use std::path::PathBuf;

use anyhow::{bail, Result};
use serde::Deserialize;

use super::Secret;

/// `[store]`: an SQLite file (one machine), or PostgreSQL (several `roster serve` workers).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// SQLite file, relative to the config file.
    #[serde(default = "default_store")]
    pub path: PathBuf,
    /// Environment variable holding a PostgreSQL URL (`postgres://user:password@host/db`); when
    /// set, the store is there and `path` is not used. An environment variable, because the URL
    /// carries the password.
    pub url_env: Option<String>,
}

impl StoreConfig {
    /// The PostgreSQL URL, when the store is on PostgreSQL.
    pub fn postgres_url(&self) -> Result<Option<String>> {
        let Some(var) = &self.url_env else { return Ok(None) };
        let url = Secret::Env(var.clone()).read("[store] url_env", "export the PostgreSQL URL in it")?;
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            bail!("[store] url_env: {var} must hold a postgres:// URL");
        }
        Ok(Some(url))
    }
}

fn default_store() -> PathBuf {
    PathBuf::from("roster.db")
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig { path: default_store(), url_env: None }
    }
}

/// `[sync]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncConfig {
    /// Boards in these states: active (default), archived, deleted or all.
    #[serde(default = "active")]
    pub board_state: String,
    /// Workspaces in these states.
    #[serde(default = "active")]
    pub workspace_state: String,
}

fn active() -> String {
    "active".into()
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig { board_state: active(), workspace_state: active() }
    }
}
