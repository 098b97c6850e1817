//! `[[accounts]]`: where each monday.com account is, its API version, where its tokens come
//! from (through `secret`), and its client settings.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use monday_api::{ApiToken, ApiVersion, ClientConfig};
use serde::Deserialize;
use url::Url;

use super::Secret;

/// The longest interval between scheduled syncs: 30 days.
const MAX_INTERVAL_S: u64 = 30 * 86_400;
/// monday.com's limit on concurrent requests per account.
const MAX_CONCURRENCY: usize = 250;
/// More retries than this only hide a broken setup.
const MAX_RETRIES: usize = 100;
/// Seconds between scheduled syncs when the file does not say.
const DEFAULT_INTERVAL_S: u64 = 3600;

/// One `[[accounts]]` entry, as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAccount {
    pub name: String,
    #[serde(default = "default_url")]
    pub api_url: String,
    #[serde(default = "default_version")]
    pub api_version: String,
    /// Environment variable holding the API token.
    pub token_env: Option<String>,
    /// File holding the API token (relative to the config file).
    pub token_file: Option<PathBuf>,
    /// Requests in flight at once.
    pub max_concurrency: Option<usize>,
    /// Retries of a failed request before giving up (default 10).
    pub max_retries: Option<usize>,
    /// Pages of one list asked at once (1 to 16, default 1): faster with latency, at the cost
    /// of up to one fewer pages asked past each list's end.
    pub look_ahead: Option<usize>,
    /// Seconds between scheduled syncs in `roster serve` (default 3600).
    pub sync_interval_seconds: Option<u64>,
    /// SCIM base URL (`https://<slug>.monday.com/scim/v2`), for `roster scim`.
    pub scim_url: Option<String>,
    /// Environment variable holding the SCIM token (a token separate from the API token).
    pub scim_token_env: Option<String>,
    /// File holding the SCIM token.
    pub scim_token_file: Option<PathBuf>,
    /// Source field → SCIM attribute, on top of the default mapping (email → userName, ...).
    #[serde(default)]
    pub scim_mapping: std::collections::BTreeMap<String, String>,
    /// Days of monday.com's audit log (Enterprise) read the first time; later reads continue
    /// where the last ended. 0: never read it. Default 30, at most 365.
    pub audit_log_days: Option<u32>,
    /// `[accounts.source]`: the source of truth (an HR or IdP export) the unmanaged-accounts
    /// check compares the account with after every sync in `roster serve`.
    pub source: Option<RawSource>,
}

/// `[accounts.source]`, as written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    /// The file (CSV, JSON or YAML, as `roster scim plan` reads it, with the account's
    /// scim_mapping; an e-mail column is enough), relative to the configuration's folder.
    pub path: PathBuf,
}

/// One account, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub name: String,
    pub api_url: Url,
    pub api_version: ApiVersion,
    /// Where the API token is (read when a client is made).
    pub token: Secret,
    /// Requests in flight at once (the client's default when `None`).
    pub max_concurrency: Option<usize>,
    /// Retries of a failed request (the client's default when `None`).
    pub max_retries: Option<usize>,
    /// Pages of one list asked at once (the client's default when `None`).
    pub look_ahead: Option<usize>,
    /// Time between scheduled syncs in `roster serve`.
    pub sync_interval: Duration,
    /// SCIM provisioning, when configured.
    pub scim: Option<Scim>,
    /// Source field → SCIM attribute, on top of the default mapping.
    pub scim_mapping: std::collections::BTreeMap<String, String>,
    /// How the audit log is read after each sync; `None`: it is not.
    pub audit_log: Option<roster_engine::audit_log::AuditReadOptions>,
    /// The source of truth for the unmanaged-accounts check, when configured.
    pub source: Option<PathBuf>,
}

/// An account's SCIM endpoint and where its token is.
#[derive(Debug, Clone, PartialEq)]
pub struct Scim {
    pub url: Url,
    /// `None`: a URL without a token source, an error when SCIM is used.
    pub token: Option<Secret>,
}

impl RawAccount {
    /// The account, checked: its name, one token source, URLs, version and bounded numbers.
    pub fn resolve(&self, base: &Path) -> Result<Account> {
        let name = &self.name;
        if name.trim().is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
            bail!("account name {name:?}: use letters, digits, '-', '_' or '.'");
        }
        let token = match (&self.token_env, relative(base, &self.token_file)) {
            (Some(_), Some(_)) => bail!("account {name:?}: set token_env or token_file, not both"),
            (None, None) => {
                bail!("account {name:?}: set token_env (an environment variable) or token_file (a file) for its API token")
            }
            (Some(var), None) => Secret::Env(var.clone()),
            (None, Some(file)) => Secret::File(file),
        };
        let api_url = Url::parse(&self.api_url)
            .with_context(|| format!("account {name:?}: api_url {:?} is not a URL", self.api_url))?;
        if !matches!(api_url.scheme(), "http" | "https") {
            bail!("account {name:?}: api_url must be http(s), got {:?}", self.api_url);
        }
        // Numbers are bounded where they are read: a huge interval or concurrency must be
        // refused here, not overflow a clock or a semaphore later in a running service.
        let interval = self.sync_interval_seconds.unwrap_or(DEFAULT_INTERVAL_S);
        if !(1..=MAX_INTERVAL_S).contains(&interval) {
            bail!("account {name:?}: sync_interval_seconds is {interval}: use 1 to {MAX_INTERVAL_S} (30 days; the default is 3600)");
        }
        if let Some(n) = self.max_concurrency.filter(|n| !(1..=MAX_CONCURRENCY).contains(n)) {
            bail!("account {name:?}: max_concurrency is {n}: use 1 to {MAX_CONCURRENCY} (monday.com answers at most that many at once)");
        }
        if let Some(n) = self.look_ahead.filter(|n| !(1..=16).contains(n)) {
            bail!("account {name:?}: look_ahead is {n}: use 1 to 16 pages asked at once");
        }
        if let Some(n) = self.max_retries.filter(|n| *n > MAX_RETRIES) {
            bail!("account {name:?}: max_retries is {n}: use 0 to {MAX_RETRIES}");
        }
        let audit_log = match self.audit_log_days.unwrap_or(30) {
            0 => None,
            d @ 1..=365 => Some(roster_engine::audit_log::AuditReadOptions {
                first_days: d,
                ..roster_engine::audit_log::AuditReadOptions::default()
            }),
            d => bail!("account {name:?}: audit_log_days is {d}: use 1 to 365 (days read the first time), or 0 not to read the audit log"),
        };
        let api_version = self
            .api_version
            .parse::<ApiVersion>()
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("account {name:?}"))?;
        let scim = match &self.scim_url {
            None => None,
            Some(url) => Some(Scim {
                url: url.parse().with_context(|| format!("account {name:?}: scim_url {url:?} is not a URL"))?,
                token: Secret::from_settings(
                    self.scim_token_env.as_ref(),
                    relative(base, &self.scim_token_file).as_ref(),
                ),
            }),
        };
        Ok(Account {
            name: name.clone(),
            api_url,
            api_version,
            token,
            max_concurrency: self.max_concurrency,
            max_retries: self.max_retries,
            look_ahead: self.look_ahead,
            sync_interval: Duration::from_secs(interval),
            scim,
            scim_mapping: self.scim_mapping.clone(),
            audit_log,
            source: self
                .source
                .as_ref()
                .map(|s| if s.path.is_relative() { base.join(&s.path) } else { s.path.clone() }),
        })
    }
}

/// A file setting made relative to the configuration's folder.
fn relative(base: &Path, file: &Option<PathBuf>) -> Option<PathBuf> {
    file.as_ref().map(|f| if f.is_relative() { base.join(f) } else { f.clone() })
}

impl Account {
    /// Reads the token from where the configuration says.
    pub fn token(&self) -> Result<ApiToken> {
        let what = format!("account {:?}: the monday.com API token (token_env / token_file)", self.name);
        Ok(ApiToken::new(
            self.token.read(&what, "export it, or write it to the file (Admin > Developers > API token)")?,
        ))
    }

    /// The SCIM client configuration for this account.
    pub fn scim_config(&self) -> Result<scim_client::ScimConfig> {
        let Some(scim) = &self.scim else {
            bail!("account {:?} has no scim_url: set it to https://<account>.monday.com/scim/v2", self.name)
        };
        let Some(source) = &scim.token else {
            bail!(
                "account {:?}: set scim_token_env or scim_token_file for the SCIM token (separate from the API token)",
                self.name
            )
        };
        let what = format!("account {:?}: the SCIM token (scim_token_env / scim_token_file)", self.name);
        let token = source.read(&what, "export the SCIM token (Admin > Security > SCIM), or write it to the file")?;
        Ok(scim_client::ScimConfig::new(scim.url.clone(), scim_client::ScimToken::new(token)))
    }

    /// The source of truth's people, read with the account's mapping; `None` when no source is
    /// configured.
    pub fn source_people(&self) -> Result<Option<Vec<roster_core::scim_plan::DesiredUser>>> {
        let Some(path) = &self.source else { return Ok(None) };
        let mut mapping = roster_engine::scim::source::default_mapping();
        mapping.extend(self.scim_mapping.clone());
        Ok(Some(roster_engine::scim::source::read(path, &mapping)?.users))
    }

    /// The client configuration for this account.
    pub fn client_config(&self) -> Result<ClientConfig> {
        let mut cfg =
            ClientConfig::new(self.token()?).with_endpoint(self.api_url.clone()).with_version(self.api_version);
        if let Some(n) = self.max_concurrency {
            cfg.max_concurrency = n;
        }
        if let Some(n) = self.max_retries {
            cfg.retry.max_retries = n;
        }
        if let Some(n) = self.look_ahead {
            cfg.look_ahead = n;
        }
        Ok(cfg)
    }
}

fn default_url() -> String {
    monday_api::config::DEFAULT_ENDPOINT.into()
}

fn default_version() -> String {
    "2026-10".into()
}
