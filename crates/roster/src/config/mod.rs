//! `roster.toml`: accounts (API URL, version, where the token comes from), the store, sync
//! options, the server and the policies. Tokens are read from an environment variable or a
//! file the config names, never from the config itself or the command line.
//!
//! Two stages, as ripgrep reads its flags: [`raw::RawConfig`] is the file as written (serde, unknown
//! fields refused), and [`Config`] is what the rest of Roster uses: typed values (an
//! [`monday_api::ApiVersion`], a [`monday_api::StateFilter`], the policies, [`Secret`]s),
//! resolved once by each section's `resolve`, so no command parses a setting again.

use std::path::Path;

use anyhow::{bail, Context, Result};
use roster_core::ApprovalPolicy;
use roster_engine::jit::JitPolicy;
use roster_engine::SyncOptions;

mod accounts;
mod policies;
mod raw;
mod secret;
mod server;
mod storage;

pub use accounts::Account;
pub use secret::Secret;
pub use server::Server;
pub use storage::Store;

/// The commented example `roster init` writes (a file of its own, included at build time).
pub const EXAMPLE: &str = include_str!("../../roster.example.toml");

/// The configuration, resolved: typed values only, every number bounded, every name checked.
/// Built once by [`Config::load`] from the [`raw::RawConfig`] the file holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub store: Store,
    /// Which snapshots to keep (`None`: all).
    pub retention: Option<roster_core::retention::Retention>,
    pub sync: SyncOptions,
    pub accounts: Vec<Account>,
    pub server: Server,
    /// Separation-of-duties rules (`[[sod]]`), evaluated after every sync.
    pub sod: Vec<roster_core::sod::SodRule>,
    pub jit: JitPolicy,
    pub approval: ApprovalPolicy,
}

impl Config {
    /// Reads and resolves `path`; relative paths in it are made relative to its folder.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!("cannot read the configuration {}: create one with `roster init`", path.display())
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::parse(&text, base).with_context(|| format!("{} is not a valid Roster configuration", path.display()))
    }

    /// Reads and resolves configuration text (relative paths against `base`).
    pub fn parse(text: &str, base: &Path) -> Result<Config> {
        raw::from_toml(text).map_err(anyhow::Error::msg)?.resolve(base)
    }

    /// The account called `name`, or the only one.
    pub fn account(&self, name: Option<&str>) -> Result<&Account> {
        match name {
            Some(n) => self.accounts.iter().find(|a| a.name == n).with_context(|| {
                let known: Vec<&str> = self.accounts.iter().map(|a| a.name.as_str()).collect();
                format!("no account {n:?} in the configuration (configured: {})", known.join(", "))
            }),
            None => match self.accounts.as_slice() {
                [one] => Ok(one),
                [] => bail!("no account is configured: add an [[accounts]] entry (see `roster init`)"),
                many => bail!(
                    "several accounts are configured ({}): choose one with --account",
                    many.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", ")
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests;
