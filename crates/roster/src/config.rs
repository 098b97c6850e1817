//! `roster.toml`: accounts (API URL, version, where the token comes from), the store, and sync
//! options. Tokens are read from an environment variable or a file the config names, never
//! from the config itself or the command line.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use monday_api::{ApiToken, ApiVersion, ClientConfig, StateFilter};
use serde::Deserialize;

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

/// `[approval]`: which plans wait for a second admin, and who may approve them.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalConfig {
    /// `never` (default), `removals` (plans that take access from at least `min_users`
    /// users) or `all`.
    pub require: Option<String>,
    pub min_users: Option<u64>,
    /// CLI user names and API key names allowed to approve; empty: any admin but the planner.
    #[serde(default)]
    pub approvers: Vec<String>,
}

impl ApprovalConfig {
    /// The policy, checked: an unknown `require`, a `min_users` out of 1..=1,000,000 or an
    /// empty approver name is an error that names it.
    pub fn policy(&self) -> Result<roster_core::ApprovalPolicy> {
        let require = match self.require.as_deref() {
            None => roster_core::Require::Never,
            Some(r) => roster_core::Require::parse(r)
                .with_context(|| format!("[approval] require = {r:?}: use \"never\", \"removals\" or \"all\""))?,
        };
        let min_users = match self.min_users {
            None => 1,
            Some(n @ 1..=1_000_000) => n as usize,
            Some(n) => bail!("[approval] min_users = {n}: use a number of users between 1 and 1000000"),
        };
        if self.approvers.iter().any(|n| n.trim().is_empty()) {
            bail!("[approval] approvers: an empty name");
        }
        Ok(roster_core::ApprovalPolicy { require, min_users, approvers: self.approvers.clone() })
    }
}

/// `[jit]`: the longest grant per resource type, and the notice before expiry, in minutes.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JitConfig {
    pub max_board_minutes: Option<u64>,
    pub max_workspace_minutes: Option<u64>,
    pub max_team_minutes: Option<u64>,
    pub max_role_minutes: Option<u64>,
    pub warn_minutes: Option<u64>,
    /// Who may approve: `admins_or_owners` (default: the account's admins and the resource's
    /// owners) or `anyone` (anyone but the requester and the user).
    pub approvers: Option<String>,
    /// Approvers allowed whatever the rule (e-mails); admin API keys always are.
    #[serde(default)]
    pub approver_names: Vec<String>,
}

impl JitConfig {
    /// The policy: these values over the defaults (boards 24 h, workspaces and teams 8 h,
    /// notice 15 minutes).
    pub fn policy(&self) -> roster_engine::jit::JitPolicy {
        let d = roster_engine::jit::JitPolicy::default();
        let m = |v: Option<u64>, default: std::time::Duration| {
            v.map_or(default, |x| std::time::Duration::from_secs(x * 60))
        };
        roster_engine::jit::JitPolicy {
            max_board: m(self.max_board_minutes, d.max_board),
            max_workspace: m(self.max_workspace_minutes, d.max_workspace),
            max_team: m(self.max_team_minutes, d.max_team),
            max_role: m(self.max_role_minutes, d.max_role),
            warn_before: m(self.warn_minutes, d.warn_before),
            approvers: match self.approvers.as_deref() {
                Some("anyone") => roster_engine::jit::Approvers::Anyone,
                _ => roster_engine::jit::Approvers::AdminsOrOwners,
            },
            named_approvers: self.approver_names.clone(),
        }
    }
}

/// `[server]`: `roster serve`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on (default 127.0.0.1:8080).
    pub listen: Option<String>,
    /// API keys, stored as hashes (`roster key hash` prints one).
    #[serde(default)]
    pub api_keys: Vec<roster_server::ApiKey>,
    /// Where events are pushed.
    #[serde(default)]
    pub webhooks: Vec<WebhookConfig>,
    /// Seconds a worker's lease on a sync lasts without renewal (default 60): with several
    /// workers on PostgreSQL, how soon another one resumes the sync of a worker that died.
    pub lease_seconds: Option<u64>,
    /// Connections open at once (default 512); more wait in the listen queue.
    pub max_connections: Option<usize>,
    /// Seconds a request's headers may take (default 10); idle connections close after it.
    pub header_timeout_seconds: Option<u64>,
    /// Seconds a request's body may take (default 30).
    pub body_timeout_seconds: Option<u64>,
    /// Seconds requests in flight get at shutdown before the process exits anyway (default 10).
    pub shutdown_seconds: Option<u64>,
}

impl ServerConfig {
    /// The connection limits, checked: every figure is bounded.
    pub fn limits(&self) -> Result<roster_server::listen::Limits> {
        let d = roster_server::listen::Limits::default();
        let secs = |v: Option<u64>, name: &str, default: std::time::Duration| -> Result<std::time::Duration> {
            match v {
                None => Ok(default),
                Some(s) if (1..=3600).contains(&s) => Ok(std::time::Duration::from_secs(s)),
                Some(s) => bail!("[server] {name} is {s}: use 1 to 3600 seconds"),
            }
        };
        let max_connections = match self.max_connections {
            None => d.max_connections,
            Some(n) if (1..=100_000).contains(&n) => n,
            Some(n) => bail!("[server] max_connections is {n}: use 1 to 100000"),
        };
        Ok(roster_server::listen::Limits {
            header_timeout: secs(self.header_timeout_seconds, "header_timeout_seconds", d.header_timeout)?,
            body_timeout: secs(self.body_timeout_seconds, "body_timeout_seconds", d.body_timeout)?,
            max_connections,
            shutdown_deadline: secs(self.shutdown_seconds, "shutdown_seconds", d.shutdown_deadline)?,
        })
    }
}

/// One `[[server.webhooks]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub name: String,
    pub url: String,
    /// Event kinds or prefixes (`user_`, `grant_added`, `action_failed`); empty: all.
    #[serde(default)]
    pub events: Vec<String>,
    /// Environment variable holding the HMAC-SHA256 signing secret.
    pub secret_env: String,
    /// A new webhook starts at the newest event; `backfill = true` sends every stored event first.
    #[serde(default)]
    pub backfill: bool,
    /// Allow a receiver on a loopback, private, link-local or cloud-metadata address (off: such
    /// a URL is refused at load, so a configuration cannot aim signed events inside the host).
    #[serde(default)]
    pub allow_private_address: bool,
}

impl WebhookConfig {
    /// The webhook with its secret read from the environment.
    pub fn resolve(&self) -> Result<roster_server::webhooks::Webhook> {
        let secret = std::env::var(&self.secret_env).with_context(|| {
            format!("webhook {:?}: the environment variable {} (secret_env) is not set", self.name, self.secret_env)
        })?;
        if secret.trim().len() < 16 {
            bail!("webhook {:?}: the secret in {} is shorter than 16 characters", self.name, self.secret_env);
        }
        self.check_url()?;
        Ok(roster_server::webhooks::Webhook {
            name: self.name.clone(),
            url: self.url.clone(),
            events: self.events.clone(),
            secret: secret.trim().to_string(),
            backfill: self.backfill,
        })
    }

    /// The URL is http(s) with a host, and not an address inside this machine or network
    /// unless `allow_private_address` says so.
    pub fn check_url(&self) -> Result<()> {
        let u = url::Url::parse(&self.url)
            .map_err(|e| anyhow::anyhow!("webhook {:?}: url is not a URL ({e})", self.name))?;
        if !matches!(u.scheme(), "http" | "https") {
            bail!("webhook {:?}: url must be http or https, not {:?}", self.name, u.scheme());
        }
        let private = match u.host() {
            None => bail!("webhook {:?}: url has no host", self.name),
            Some(url::Host::Domain(d)) => {
                let d = d.trim_end_matches('.').to_ascii_lowercase();
                d == "localhost" || d.ends_with(".localhost") || d == "metadata.google.internal"
            }
            Some(url::Host::Ipv4(ip)) => {
                ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified() || ip.is_broadcast()
            }
            Some(url::Host::Ipv6(ip)) => {
                ip.is_loopback()
                    || ip.is_unspecified()
                    || (ip.segments()[0] & 0xfe00) == 0xfc00
                    || (ip.segments()[0] & 0xffc0) == 0xfe80
                    || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback() || v4.is_private() || v4.is_link_local())
            }
        };
        if private && !self.allow_private_address {
            bail!(
                "webhook {:?}: {} is a loopback, private, link-local or metadata address; set allow_private_address = true if that receiver is meant",
                self.name,
                u.host_str().unwrap_or_default()
            );
        }
        Ok(())
    }
}

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
        let url = std::env::var(var).with_context(|| {
            format!("[store] url_env: the environment variable {var} is not set: export the PostgreSQL URL in it")
        })?;
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

/// One `[[accounts]]` entry.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
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

fn default_url() -> String {
    monday_api::config::DEFAULT_ENDPOINT.into()
}

fn default_version() -> String {
    "2026-10".into()
}

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

impl AccountConfig {
    /// Reads the token from where the configuration says.
    pub fn token(&self) -> Result<ApiToken> {
        let token = match (&self.token_env, &self.token_file) {
            (Some(var), _) => std::env::var(var).with_context(|| format!("account {:?}: the environment variable {var} (token_env) is not set: export it with the monday.com API token", self.name))?,
            (_, Some(file)) => std::fs::read_to_string(file).with_context(|| format!("account {:?}: cannot read the token file {} (token_file)", self.name, file.display()))?,
            (None, None) => bail!("account {:?} has no token source", self.name),
        };
        let token = ApiToken::new(token);
        if token.is_empty() {
            bail!("account {:?}: the API token is empty", self.name);
        }
        Ok(token)
    }

    /// The SCIM client configuration for this account.
    pub fn scim_config(&self) -> Result<scim_client::ScimConfig> {
        let url = self.scim_url.as_deref().with_context(|| {
            format!("account {:?} has no scim_url: set it to https://<account>.monday.com/scim/v2", self.name)
        })?;
        let token = match (&self.scim_token_env, &self.scim_token_file) {
            (Some(var), _) => std::env::var(var).with_context(|| format!("account {:?}: the environment variable {var} (scim_token_env) is not set: export the SCIM token (Admin > Security > SCIM)", self.name))?,
            (_, Some(file)) => std::fs::read_to_string(file).with_context(|| format!("account {:?}: cannot read the SCIM token file {}", self.name, file.display()))?,
            (None, None) => bail!("account {:?}: set scim_token_env or scim_token_file for the SCIM token (separate from the API token)", self.name),
        };
        let url = url.parse().with_context(|| format!("account {:?}: scim_url {url:?} is not a URL", self.name))?;
        Ok(scim_client::ScimConfig::new(url, scim_client::ScimToken::new(token)))
    }

    /// The client configuration for this account.
    pub fn client_config(&self) -> Result<ClientConfig> {
        let mut cfg = ClientConfig::new(self.token()?)
            .with_endpoint(self.api_url.parse().with_context(|| format!("account {:?}: bad api_url", self.name))?)
            .with_version(self.api_version.parse().map_err(anyhow::Error::msg)?);
        if let Some(n) = self.max_concurrency {
            cfg.max_concurrency = n;
        }
        if let Some(n) = self.max_retries {
            cfg.retry.max_retries = n;
        }
        Ok(cfg)
    }
}

/// The example `roster init` writes (the [server] part).
pub const EXAMPLE_SERVER: &str = r#"
# `roster serve`: the HTTP API and the sync scheduler.
[server]
listen = "127.0.0.1:8080"
# Keys are stored hashed: `echo -n "$KEY" | roster key hash` prints the line to paste.
# [[server.api_keys]]
# name = "ops"
# role = "admin"        # or "reader", "requester" (just-in-time requests only),
#                       # or "reviewer" (its own review items; name it with the reviewer's e-mail)
# hash = "sha256:..."
# Events pushed as signed JSON (X-Roster-Signature: sha256=HMAC), with a Slack-ready "text".
# [[server.webhooks]]
# name = "security-slack"
# url = "https://hooks.slack.com/services/..."
# events = ["user_role_changed", "user_status_changed", "grant_added", "action_failed"]
# secret_env = "ROSTER_WEBHOOK_SECRET"
# backfill = false              # a new webhook starts at the newest event (true: every stored one)
# allow_private_address = false # receivers on loopback, private or metadata addresses are refused
# Redirects are never followed: a 3xx answer is a failed delivery, retried later.
# With several workers on one PostgreSQL store: seconds before a dead worker's sync is taken over.
# lease_seconds = 60
# Connection limits: slow or silent clients are closed, and a shutdown does not wait for ever.
# max_connections = 512
# header_timeout_seconds = 10
# body_timeout_seconds = 30
# shutdown_seconds = 10
# `kill -HUP <pid>` reloads api_keys and webhooks without dropping requests in flight.

# Just-in-time access (`roster jit`): the longest grant per type and the notice before expiry.
# [jit]
# max_board_minutes = 1440
# max_workspace_minutes = 480
# max_team_minutes = 480
# max_role_minutes = 240             # role:admin:assigned: the role is set, and restored at expiry
# warn_minutes = 15
# approvers = "admins_or_owners"   # the account's admins and the resource's owners; or "anyone"
# approver_names = ["secops@acme.com"]   # also allowed, whatever the rule (admin API keys always are)

# Four-eyes approval: plans that wait for a second admin (`roster plan list|approve|reject`,
# the API's /plans, the web UI's Plans page). Review closes and SCIM applies wait too.
# [approval]
# require = "removals"   # "never" (default), "removals" (takes access from >= min_users users), "all"
# min_users = 1
# approvers = ["alice", "secops-key"]   # CLI user names / API key names; empty: any admin but the planner

# Separation of duties: entitlements nobody may hold together, checked after every sync
# (violations become sod_violation events; `roster sod check` lists them).
# [[sod]]
# name = "admins do not own finance boards"
# entitlements = ["role:admin:assigned", "board:123:owner"]   # board:*:owner = any board
# [[sod.exemptions]]
# user = "cfo@acme.com"
# reason = "CFO owns the budget board; approved by the audit committee"
# expires = "2027-03-31"
"#;

/// The example `roster init` writes.
pub const EXAMPLE: &str = r#"# Roster configuration. Paths are relative to this file.

[store]
# The embedded SQLite database (created on first sync).
path = "roster.db"
# Or PostgreSQL, for several `roster serve` workers: the URL comes from this variable.
# url_env = "ROSTER_DATABASE_URL"

[sync]
# Which boards and workspaces to include: active (monday.com's default), archived, deleted or all.
board_state = "active"
workspace_state = "active"

# One entry per monday.com account.
[[accounts]]
name = "acme"
api_url = "https://api.monday.com/v2"
# 2026-10 (current) or 2026-07 (maintenance).
api_version = "2026-10"
# The API token comes from an environment variable ...
token_env = "MONDAY_TOKEN"
# ... or from a file (use one of the two, never the token itself):
# token_file = "/run/secrets/monday-token"
# Requests in flight at once (default 8).
# max_concurrency = 8
# Retries of a failed request (rate limits, 5xx, network) before giving up (default 10).
# max_retries = 10
# SCIM provisioning (`roster scim ...`; Enterprise plan): its own URL and token.
# scim_url = "https://acme.monday.com/scim/v2"
# scim_token_env = "MONDAY_SCIM_TOKEN"
# Source columns with other names: source field = SCIM attribute.
# [accounts.scim_mapping]
# mail = "userName"
# job = "title"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        let cfg: Config = from_toml(text).map_err(anyhow::Error::msg)?;
        cfg.check()?;
        Ok(cfg)
    }

    #[test]
    fn the_example_is_valid() {
        let cfg = parse(EXAMPLE).unwrap();
        assert_eq!(cfg.accounts[0].name, "acme");
        assert_eq!(cfg.account(None).unwrap().token_env.as_deref(), Some("MONDAY_TOKEN"));
    }

    #[test]
    fn mistakes_are_named() {
        let err = |t: &str| format!("{:#}", parse(t).unwrap_err());
        assert!(err("[[accounts]]\nname = \"a\"\n").contains("token_env"));
        assert!(err("[[accounts]]\nname = \"a\"\ntoken_env = \"X\"\ntoken_file = \"f\"\n").contains("not both"));
        assert!(err("[[accounts]]\nname = \"a\"\ntoken_env = \"X\"\napi_version = \"2024-01\"\n").contains("2026-10"));
        assert!(err("[[accounts]]\nname = \"a\"\ntoken_env = \"X\"\napi_url = \"ftp://x\"\n").contains("http"));
        assert!(err("[[accounts]]\nname = \"a\"\ntoken_env = \"X\"\n[[accounts]]\nname = \"a\"\ntoken_env = \"Y\"\n")
            .contains("twice"));
        assert!(err("[sync]\nboard_state = \"gone\"\n").contains("board_state"));
        assert!(err("[store]\npth = \"x\"\n").contains("unknown field"));
        let pasted = err("[[accounts]]\nname = \"a\"\ntoken = \"SECRET-abc123\"\n");
        assert!(
            pasted.contains("unknown field") && pasted.contains("line 3"),
            "a token in the file is refused: {pasted}"
        );
        assert!(!pasted.contains("SECRET"), "the error never quotes the file: {pasted}");
        let bad_value = err("[[accounts]]\nname = \"a\"\ntoken_env = 7\nsync_interval_seconds = \"SECRET\"\n");
        assert!(!bad_value.contains("SECRET") && bad_value.contains("line 4"), "{bad_value}");
        let hook = |url: &str, extra: &str| {
            format!("[[server.webhooks]]\nname = \"h\"\nurl = \"{url}\"\nsecret_env = \"S\"\n{extra}")
        };
        for (url, named) in [
            ("http://169.254.169.254/latest", "169.254.169.254"),
            ("http://127.0.0.1:9/x", "127.0.0.1"),
            ("http://localhost/x", "localhost"),
            ("http://[::1]/x", "::1"),
            ("http://10.0.0.8/x", "10.0.0.8"),
            ("ftp://example.com/x", "http or https"),
            ("not a url", "not a URL"),
        ] {
            let e = err(&hook(url, ""));
            assert!(e.contains(named), "{url}: {e}");
        }
        assert!(parse(&hook("http://127.0.0.1:9/x", "allow_private_address = true\n")).is_ok());
        assert!(err("[server]\nmax_connections = 0\n").contains("max_connections"));
        let key = |hash: &str| format!("[[server.api_keys]]\nname = \"ops\"\nrole = \"admin\"\nhash = \"{hash}\"\n");
        let pasted = err(&key("my-actual-SECRET-key"));
        assert!(pasted.contains("64 hex digits") && !pasted.contains("SECRET"), "{pasted}");
        let good = format!("sha256:{}", "ab".repeat(32));
        assert!(parse(&key(&good)).is_ok());
        assert!(err(&format!("{}{}", key(&good), key(&good))).contains("named twice"));
        assert!(err("[server]\nheader_timeout_seconds = 99999999999\n").contains("header_timeout_seconds"));
        assert!(parse("[server]\nmax_connections = 64\nshutdown_seconds = 5\n").is_ok());
        assert!(parse(&hook("https://hooks.slack.com/services/x", "")).is_ok());
        let a = "[[accounts]]\nname = \"a\"\ntoken_env = \"X\"\n";
        for (line, named) in [
            ("sync_interval_seconds = 10000000000000000", "sync_interval_seconds"),
            ("sync_interval_seconds = 0", "sync_interval_seconds"),
            ("max_concurrency = 18446744073709551615", "max_concurrency"),
            ("max_concurrency = 0", "max_concurrency"),
            ("max_retries = 100000", "max_retries"),
        ] {
            let e = err(&format!("{a}{line}\n"));
            assert!(e.contains(named), "{line}: {e}");
        }
    }

    #[test]
    fn approval_policy_from_the_file() {
        let p = parse("[approval]\nrequire = \"removals\"\nmin_users = 3\napprovers = [\"bob\"]\n")
            .unwrap()
            .approval
            .policy()
            .unwrap();
        assert_eq!(
            (p.require, p.min_users, p.approvers.as_slice()),
            (roster_core::Require::Removals, 3, &["bob".to_string()][..])
        );
        assert_eq!(parse("").unwrap().approval.policy().unwrap().require, roster_core::Require::Never);
        for (bad, names) in [
            ("require = \"some\"", "removals"),
            ("min_users = 0", "min_users"),
            ("min_users = 99999999999", "min_users"),
            ("approvers = [\" \"]", "empty name"),
            ("quorum = 2", "unknown field"),
        ] {
            let e = format!("{:#}", parse(&format!("[approval]\n{bad}\n")).unwrap_err());
            assert!(e.contains(names), "{bad}: {e}");
        }
    }

    #[test]
    fn jit_policy_from_the_file() {
        let cfg = parse("[jit]\nmax_board_minutes = 30\nwarn_minutes = 5\n").unwrap();
        let p = cfg.jit.policy();
        assert_eq!((p.max_board.as_secs(), p.warn_before.as_secs(), p.max_team.as_secs()), (1800, 300, 8 * 3600));
        assert!(format!("{:#}", parse("[jit]\nmax_team_minutes = 0\n").unwrap_err()).contains("max_team_minutes"));
        assert!(format!("{:#}", parse("[jit]\nmax_users = 3\n").unwrap_err()).contains("unknown field"));
        assert!(format!("{:#}", parse("[jit]\napprovers = \"everyone\"\n").unwrap_err()).contains("admins_or_owners"));
        let named = parse("[jit]\napprovers = \"anyone\"\napprover_names = [\"ops\"]\n").unwrap().jit.policy();
        assert_eq!(
            (named.approvers, named.named_approvers),
            (roster_engine::jit::Approvers::Anyone, vec!["ops".to_string()])
        );
    }

    #[test]
    fn the_deploy_example_is_valid() {
        let cfg = parse(include_str!("../../../deploy/roster.toml")).unwrap();
        assert_eq!(cfg.server.listen.as_deref(), Some("0.0.0.0:8080"));
        assert_eq!(cfg.accounts[0].sync_interval_seconds, Some(3600));
        assert_eq!(cfg.store.url_env.as_deref(), Some("ROSTER_DATABASE_URL"), "the containers share PostgreSQL");
        // The Kubernetes ConfigMap carries the same file.
        let manifest = include_str!("../../../deploy/kubernetes/roster.yaml");
        let (_, after) = manifest.split_once("  roster.toml: |\n").unwrap();
        let embedded: String = after
            .lines()
            .take_while(|l| !l.starts_with("---"))
            .map(|l| format!("{}\n", l.strip_prefix("    ").unwrap_or(l)))
            .collect();
        assert_eq!(embedded, include_str!("../../../deploy/roster.toml"), "the ConfigMap is deploy/roster.toml");
        let full = format!("{EXAMPLE}{EXAMPLE_SERVER}");
        assert!(parse(&full).is_ok(), "what `roster init` writes parses");
        let bad = "[server]\n[[server.api_keys]]\nname = \"x\"\nrole = \"admin\"\nhash = \"plain-key\"\n";
        assert!(format!("{:#}", parse(bad).unwrap_err()).contains("roster key hash"));
    }

    #[test]
    fn missing_token_variable_says_what_to_do() {
        let cfg = parse("[[accounts]]\nname = \"a\"\ntoken_env = \"ROSTER_TEST_SURELY_UNSET\"\n").unwrap();
        let e = format!("{:#}", cfg.accounts[0].token().unwrap_err());
        assert!(e.contains("ROSTER_TEST_SURELY_UNSET") && e.contains("export"), "{e}");
    }
}

#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: fuzz_input::cases(800), failure_persistence: None, rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed), ..ProptestConfig::default() })]

        /// Any configuration file is read or refused with a message that names the line and
        /// never quotes a value; checking it never panics.
        #[test]
        fn any_configuration_is_read_or_refused(text in fuzz_input::text(fuzz_input::corpus("config"))) {
            match super::from_toml(&text) {
                Ok(cfg) => {
                    if let Err(e) = cfg.check() {
                        let shown = format!("{e:#}");
                        prop_assert!(!shown.is_empty());
                    }
                }
                Err(e) => prop_assert!(!e.is_empty()),
            }
        }
    }
}
