//! The first stage: the file as written. Every field is what TOML gave (strings, optional
//! numbers), unknown fields are refused, and nothing is interpreted here: [`RawConfig::resolve`]
//! turns it into the typed [`Config`] once, each section checking itself.

use std::collections::HashSet;
use std::path::Path;

use anyhow::{bail, Result};
use serde::Deserialize;

use super::accounts::RawAccount;
use super::policies::{RawApproval, RawJit};
use super::server::RawServer;
use super::storage::{RawStore, RawSync};
use super::Config;

/// The whole file, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub store: RawStore,
    #[serde(default)]
    pub sync: RawSync,
    #[serde(default)]
    pub accounts: Vec<RawAccount>,
    #[serde(default)]
    pub server: RawServer,
    /// Separation-of-duties rules (`[[sod]]`), evaluated after every sync.
    #[serde(default)]
    pub sod: Vec<roster_core::sod::SodRule>,
    /// Just-in-time access policy.
    #[serde(default)]
    pub jit: RawJit,
    /// Four-eyes approval of plans.
    #[serde(default)]
    pub approval: RawApproval,
}

impl RawConfig {
    /// The typed configuration: each section resolves itself (and names itself in its
    /// errors); relative paths are made relative to `base`, the configuration's folder.
    /// Secrets are not read here: only where they are used, so a command that needs no token
    /// runs without one.
    pub fn resolve(&self, base: &Path) -> Result<Config> {
        let mut names = HashSet::new();
        for a in &self.accounts {
            if !names.insert(a.name.as_str()) {
                bail!("account {:?} is configured twice", a.name);
            }
        }
        for r in &self.sod {
            r.check()?;
        }
        Ok(Config {
            store: self.store.resolve(base)?,
            retention: self.store.retention()?,
            sync: self.sync.resolve()?,
            accounts: self.accounts.iter().map(|a| a.resolve(base)).collect::<Result<_>>()?,
            server: self.server.resolve(base)?,
            sod: self.sod.clone(),
            jit: self.jit.resolve()?,
            approval: self.approval.resolve()?,
        })
    }
}

/// Reads the TOML text. The error names the line and what is wrong, and never quotes the
/// file: a line of it may hold a secret someone pasted there (`token = "..."`).
pub(crate) fn from_toml(text: &str) -> std::result::Result<RawConfig, String> {
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
