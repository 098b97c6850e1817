//! `roster.toml`: accounts (API URL, version, where the token comes from), the store, and sync
//! options. Tokens are read from an environment variable or a file the config names, never
//! from the config itself or the command line.

use std::collections::HashSet;
use std::path::Path;

use anyhow::{bail, Context, Result};
use monday_api::{ApiVersion, StateFilter};
use serde::Deserialize;

mod accounts;
mod policies;
mod secret;
mod server;
mod storage;

pub use accounts::AccountConfig;
pub use policies::{ApprovalConfig, JitConfig};
pub use secret::Secret;
pub use server::ServerConfig;
pub use storage::{StoreConfig, SyncConfig};

/// The commented example `roster init` writes (a file of its own, included at build time).
pub const EXAMPLE: &str = include_str!("../../roster.example.toml");

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub store: StoreConfig,
    #[serde(default)]
    pub sync: SyncConfig,
    #[serde(default)]
    pub accounts: Vec<AccountConfig>,
    #[serde(default)]
    pub server: ServerConfig,
    /// Separation-of-duties rules (`[[sod]]`), evaluated after every sync.
    #[serde(default)]
    pub sod: Vec<roster_core::sod::SodRule>,
    /// Just-in-time access policy.
    #[serde(default)]
    pub jit: JitConfig,
    /// Four-eyes approval of plans.
    #[serde(default)]
    pub approval: ApprovalConfig,
}

/// Reads the TOML text. The error names the line and what is wrong, and never quotes the
/// file: a line of it may hold a secret someone pasted there (`token = "..."`).
pub(crate) fn from_toml(text: &str) -> std::result::Result<Config, String> {
    toml::from_str(text).map_err(|e: toml::de::Error| {
        let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let what = scrub(e.message().trim());
        match line {
            Some(n) => format!("line {n}: {what}"),
            None => what,
        }
    })
}

/// A parser message without the values it quotes (`invalid type: string "…"`, `unknown
/// variant `…``): field names stay, values go.
fn scrub(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        match (c, quoted) {
            ('"', false) => {
                quoted = true;
                out.push_str("\"…");
            }
            ('"', true) => {
                quoted = false;
                out.push('"');
            }
            (_, true) => {}
            (c, false) => out.push(c),
        }
    }
    match out.split_once("unknown variant `") {
        Some((head, tail)) => {
            let rest = tail.split_once('`').map_or("", |(_, r)| r);
            format!("{head}unknown variant `…`{rest}")
        }
        None => out,
    }
}

/// The longest interval between scheduled syncs: 30 days.
const MAX_INTERVAL_S: u64 = 30 * 86_400;
/// monday.com's limit on concurrent requests per account.
const MAX_CONCURRENCY: usize = 250;
/// More retries than this only hide a broken setup.
const MAX_RETRIES: usize = 100;

/// Reads a state filter.
pub fn state(s: &str, what: &str) -> Result<StateFilter> {
    Ok(match s {
        "active" => StateFilter::Active,
        "archived" => StateFilter::Archived,
        "deleted" => StateFilter::Deleted,
        "all" => StateFilter::All,
        other => bail!("[sync] {what} = {other:?}: use active, archived, deleted or all"),
    })
}

impl Config {
    /// Reads and checks `path`; relative paths in it are made relative to its folder.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!("cannot read the configuration {}: create one with `roster init`", path.display())
        })?;
        let mut cfg: Config = from_toml(&text)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("{} is not a valid Roster configuration", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        if cfg.store.path.is_relative() {
            cfg.store.path = base.join(&cfg.store.path);
        }
        for a in &mut cfg.accounts {
            for f in [&mut a.token_file, &mut a.scim_token_file].into_iter().flatten() {
                if f.is_relative() {
                    *f = base.join(&*f);
                }
            }
        }
        cfg.check().with_context(|| format!("in {}", path.display()))?;
        Ok(cfg)
    }

    pub(crate) fn check(&self) -> Result<()> {
        state(&self.sync.board_state, "board_state")?;
        for w in &self.server.webhooks {
            w.check_url()?;
        }
        let mut names = std::collections::BTreeSet::new();
        for k in &self.server.api_keys {
            let hex = k.hash.strip_prefix("sha256:").unwrap_or_default();
            if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                // Never quote it: someone may have pasted the key itself here.
                bail!(
                    "[[server.api_keys]] {:?}: hash is not \"sha256:\" and 64 hex digits; paste the line `echo -n \"$KEY\" | roster key hash` prints (never the key itself)",
                    k.name
                );
            }
            if !names.insert(k.name.as_str()) {
                bail!("[[server.api_keys]] {:?} is named twice: key names must be unique", k.name);
            }
        }
        self.server.limits()?;
        state(&self.sync.workspace_state, "workspace_state")?;
        if matches!(self.server.lease_seconds, Some(s) if !(2..=3600).contains(&s)) {
            bail!("[server] lease_seconds must be between 2 and 3600");
        }
        for r in &self.sod {
            r.check()?;
        }
        for (name, v) in [
            ("max_board_minutes", self.jit.max_board_minutes),
            ("max_workspace_minutes", self.jit.max_workspace_minutes),
            ("max_team_minutes", self.jit.max_team_minutes),
            ("max_role_minutes", self.jit.max_role_minutes),
        ] {
            if matches!(v, Some(m) if !(1..=43_200).contains(&m)) {
                bail!("[jit] {name} must be between 1 and 43200 (30 days)");
            }
        }
        if let Some(a) = self.jit.approvers.as_deref().filter(|a| !["admins_or_owners", "anyone"].contains(a)) {
            bail!("[jit] approvers = {a:?}: use \"admins_or_owners\" or \"anyone\"");
        }
        if self.jit.approver_names.iter().any(|n| n.trim().is_empty()) {
            bail!("[jit] approver_names: an empty name");
        }
        self.approval.policy()?;
        for k in &self.server.api_keys {
            if !k.hash.starts_with("sha256:") || k.hash.len() != 71 {
                bail!("[server] api key {:?}: hash must be sha256:<64 hex digits>, as `roster key hash` prints it (the key itself never goes in the file)", k.name);
            }
        }
        let mut names = HashSet::new();
        for a in &self.accounts {
            if a.name.trim().is_empty() || !a.name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
                bail!("account name {:?}: use letters, digits, '-', '_' or '.'", a.name);
            }
            if !names.insert(a.name.as_str()) {
                bail!("account {:?} is configured twice", a.name);
            }
            match (&a.token_env, &a.token_file) {
                (Some(_), Some(_)) => bail!("account {:?}: set token_env or token_file, not both", a.name),
                (None, None) => bail!(
                    "account {:?}: set token_env (an environment variable) or token_file (a file) for its API token",
                    a.name
                ),
                _ => {}
            }
            let url = url::Url::parse(&a.api_url)
                .with_context(|| format!("account {:?}: api_url {:?} is not a URL", a.name, a.api_url))?;
            if !matches!(url.scheme(), "http" | "https") {
                bail!("account {:?}: api_url must be http(s), got {:?}", a.name, a.api_url);
            }
            // Numbers are bounded where they are read: a huge interval or concurrency must be
            // refused here, not overflow a clock or a semaphore later in a running service.
            if let Some(n) = a.sync_interval_seconds.filter(|n| !(1..=MAX_INTERVAL_S).contains(n)) {
                bail!(
                    "account {:?}: sync_interval_seconds is {n}: use 1 to {MAX_INTERVAL_S} (30 days; the default is 3600)",
                    a.name
                );
            }
            if let Some(n) = a.max_concurrency.filter(|n| !(1..=MAX_CONCURRENCY).contains(n)) {
                bail!(
                    "account {:?}: max_concurrency is {n}: use 1 to {MAX_CONCURRENCY} (monday.com answers at most that many at once)",
                    a.name
                );
            }
            if let Some(n) = a.max_retries.filter(|n| *n > MAX_RETRIES) {
                bail!("account {:?}: max_retries is {n}: use 0 to {MAX_RETRIES}", a.name);
            }
            a.api_version
                .parse::<ApiVersion>()
                .map_err(anyhow::Error::msg)
                .with_context(|| format!("account {:?}", a.name))?;
        }
        Ok(())
    }

    /// The account called `name`, or the only one.
    pub fn account(&self, name: Option<&str>) -> Result<&AccountConfig> {
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
