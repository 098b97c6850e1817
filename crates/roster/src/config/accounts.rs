//! `[[accounts]]`: where each monday.com account is, its API version, where its tokens come
//! from (through `secret`), and its client settings.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use monday_api::{ApiToken, ClientConfig};
use serde::Deserialize;

use super::Secret;

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

impl AccountConfig {
    /// Reads the token from where the configuration says.
    pub fn token(&self) -> Result<ApiToken> {
        let Some(source) = Secret::from_settings(self.token_env.as_ref(), self.token_file.as_ref()) else {
            bail!("account {:?} has no token source: set token_env or token_file", self.name)
        };
        let what = format!("account {:?}: the monday.com API token (token_env / token_file)", self.name);
        Ok(ApiToken::new(source.read(&what, "export it, or write it to the file (Admin > Developers > API token)")?))
    }

    /// The SCIM client configuration for this account.
    pub fn scim_config(&self) -> Result<scim_client::ScimConfig> {
        let url = self.scim_url.as_deref().with_context(|| {
            format!("account {:?} has no scim_url: set it to https://<account>.monday.com/scim/v2", self.name)
        })?;
        let Some(source) = Secret::from_settings(self.scim_token_env.as_ref(), self.scim_token_file.as_ref()) else {
            bail!(
                "account {:?}: set scim_token_env or scim_token_file for the SCIM token (separate from the API token)",
                self.name
            )
        };
        let what = format!("account {:?}: the SCIM token (scim_token_env / scim_token_file)", self.name);
        let token = source.read(&what, "export the SCIM token (Admin > Security > SCIM), or write it to the file")?;
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

fn default_url() -> String {
    monday_api::config::DEFAULT_ENDPOINT.into()
}

fn default_version() -> String {
    "2026-10".into()
}
