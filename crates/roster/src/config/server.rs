//! `[server]` with its `[[server.webhooks]]` and `[[server.ocsf_sinks]]`: listening, keys,
//! limits, where events are pushed.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::{bail, Result};
use roster_server::listen::Limits;
use roster_server::ApiKey;
use serde::Deserialize;

use super::Secret;

/// `[server]` as written: `roster serve`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawServer {
    /// Address to listen on (default 127.0.0.1:8080).
    pub listen: Option<String>,
    /// API keys, stored as hashes (`roster key hash` prints one).
    #[serde(default)]
    pub api_keys: Vec<roster_server::ApiKey>,
    /// Where events are pushed.
    #[serde(default)]
    pub webhooks: Vec<RawWebhook>,
    /// Where OCSF events go (a SIEM).
    #[serde(default)]
    pub ocsf_sinks: Vec<RawOcsfSink>,
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

/// `[server]`, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    /// Address to listen on.
    pub listen: String,
    /// API keys (hashes, checked).
    pub api_keys: Vec<ApiKey>,
    /// Where events are pushed (URLs checked; secrets read when the server starts).
    pub webhooks: Vec<Webhook>,
    /// Where OCSF events go (tokens read when the server starts).
    pub ocsf_sinks: Vec<OcsfSink>,
    /// How long a worker's lease on a sync lasts without renewal.
    pub lease: Duration,
    /// The connection limits.
    pub limits: Limits,
}

impl RawServer {
    /// The server settings: keys well-formed and uniquely named, webhook URLs allowed, every
    /// figure bounded.
    pub fn resolve(&self, base: &std::path::Path) -> Result<Server> {
        let mut names = BTreeSet::new();
        for k in &self.api_keys {
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
        let lease = match self.lease_seconds {
            None => 60,
            Some(s) if (2..=3600).contains(&s) => s,
            Some(_) => bail!("[server] lease_seconds must be between 2 and 3600"),
        };
        Ok(Server {
            listen: self.listen.clone().unwrap_or_else(|| "127.0.0.1:8080".into()),
            api_keys: self.api_keys.clone(),
            webhooks: self.webhooks.iter().map(RawWebhook::resolve).collect::<Result<_>>()?,
            ocsf_sinks: resolve_sinks(&self.ocsf_sinks, base)?,
            lease: Duration::from_secs(lease),
            limits: self.limits()?,
        })
    }

    /// The connection limits, checked: every figure is bounded.
    fn limits(&self) -> Result<Limits> {
        let d = Limits::default();
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
        Ok(Limits {
            header_timeout: secs(self.header_timeout_seconds, "header_timeout_seconds", d.header_timeout)?,
            body_timeout: secs(self.body_timeout_seconds, "body_timeout_seconds", d.body_timeout)?,
            max_connections,
            shutdown_deadline: secs(self.shutdown_seconds, "shutdown_seconds", d.shutdown_deadline)?,
        })
    }
}

/// One `[[server.webhooks]]`, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWebhook {
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

/// One webhook, resolved: its URL checked, its secret's source named.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    pub name: String,
    pub url: String,
    pub events: Vec<String>,
    pub secret: Secret,
    pub backfill: bool,
}

impl Webhook {
    /// The webhook the server runs, its secret read from the environment.
    pub fn read(&self) -> Result<roster_server::webhooks::Webhook> {
        let what = format!("webhook {:?}: the signing secret (secret_env)", self.name);
        let secret = self.secret.read(&what, "export it (at least 16 characters)")?;
        if secret.len() < 16 {
            bail!("webhook {:?}: the secret in {} is shorter than 16 characters", self.name, self.secret.name());
        }
        Ok(roster_server::webhooks::Webhook {
            name: self.name.clone(),
            url: self.url.clone(),
            events: self.events.clone(),
            secret,
            backfill: self.backfill,
        })
    }
}

impl RawWebhook {
    /// The webhook, its URL checked.
    pub fn resolve(&self) -> Result<Webhook> {
        self.check_url()?;
        Ok(Webhook {
            name: self.name.clone(),
            url: self.url.clone(),
            events: self.events.clone(),
            secret: Secret::Env(self.secret_env.clone()),
            backfill: self.backfill,
        })
    }

    /// The URL is http(s) with a host, and not an address inside this machine or network
    /// unless `allow_private_address` says so.
    fn check_url(&self) -> Result<()> {
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

/// One `[[server.ocsf_sinks]]`, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOcsfSink {
    pub name: String,
    /// `file`, `stdout`, `http` (a Splunk HTTP Event Collector, or one that takes its format) or
    /// `parquet` (daily files per OCSF class for AWS Security Lake).
    pub kind: String,
    /// file: the JSON-lines file (relative to the configuration's folder).
    pub path: Option<std::path::PathBuf>,
    /// file: the size at which it rotates (default 100 MB; 1 KB to 100 GB).
    pub max_bytes: Option<u64>,
    /// file: rotated files kept (default 5; 1 to 1000).
    pub keep: Option<u32>,
    /// parquet: the folder (relative to the configuration's folder).
    pub dir: Option<std::path::PathBuf>,
    /// parquet: events at most in one file (default 1000000; 1000 to 10000000).
    pub max_rows: Option<u32>,
    /// http: the collector's URL.
    pub url: Option<String>,
    /// http: the environment variable holding the collector's token.
    pub token_env: Option<String>,
    /// http: the file holding the collector's token.
    pub token_file: Option<std::path::PathBuf>,
}

/// Where one sink's events go, resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum OcsfSinkKind {
    File { path: std::path::PathBuf, max_bytes: u64, keep: u32 },
    Stdout,
    Parquet { dir: std::path::PathBuf, max_rows: u32 },
    Http { url: String, token: Secret },
}

/// One OCSF sink, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct OcsfSink {
    pub name: String,
    pub kind: OcsfSinkKind,
}

fn resolve_sinks(raw: &[RawOcsfSink], base: &std::path::Path) -> Result<Vec<OcsfSink>> {
    let mut names = BTreeSet::new();
    raw.iter()
        .map(|s| {
            let name = &s.name;
            if name.trim().is_empty() || !names.insert(name.as_str()) {
                bail!("[[server.ocsf_sinks]] {name:?}: give each sink a name of its own (its delivery cursor is kept under it)");
            }
            let kind = match s.kind.as_str() {
                "file" => {
                    let Some(path) = &s.path else { bail!("OCSF sink {name:?}: kind = \"file\" needs path") };
                    let max_bytes = s.max_bytes.unwrap_or(100_000_000);
                    if !(1_000..=100_000_000_000).contains(&max_bytes) {
                        bail!("OCSF sink {name:?}: max_bytes is {max_bytes}: use 1000 to 100000000000");
                    }
                    let keep = s.keep.unwrap_or(5);
                    if !(1..=1000).contains(&keep) {
                        bail!("OCSF sink {name:?}: keep is {keep}: use 1 to 1000 rotated files");
                    }
                    let path = if path.is_relative() { base.join(path) } else { path.clone() };
                    OcsfSinkKind::File { path, max_bytes, keep }
                }
                "stdout" => OcsfSinkKind::Stdout,
                "parquet" => {
                    let Some(dir) = &s.dir else { bail!("OCSF sink {name:?}: kind = \"parquet\" needs dir") };
                    let max_rows = s.max_rows.unwrap_or(1_000_000);
                    if !(1_000..=10_000_000).contains(&max_rows) {
                        bail!("OCSF sink {name:?}: max_rows is {max_rows}: use 1000 to 10000000 events a file");
                    }
                    let dir = if dir.is_relative() { base.join(dir) } else { dir.clone() };
                    OcsfSinkKind::Parquet { dir, max_rows }
                }
                "http" => {
                    let Some(url) = &s.url else { bail!("OCSF sink {name:?}: kind = \"http\" needs url") };
                    let u = url::Url::parse(url).map_err(|e| anyhow::anyhow!("OCSF sink {name:?}: url is not a URL ({e})"))?;
                    if !matches!(u.scheme(), "http" | "https") {
                        bail!("OCSF sink {name:?}: url must be http or https");
                    }
                    let file = s.token_file.as_ref().map(|f| if f.is_relative() { base.join(f) } else { f.clone() });
                    let Some(token) = Secret::from_settings(s.token_env.as_ref(), file.as_ref()) else {
                        bail!("OCSF sink {name:?}: set token_env or token_file for the collector's token")
                    };
                    OcsfSinkKind::Http { url: url.clone(), token }
                }
                other => bail!("OCSF sink {name:?}: kind {other:?} is not one of file, stdout, http, parquet"),
            };
            Ok(OcsfSink { name: name.clone(), kind })
        })
        .collect()
}

impl OcsfSink {
    /// The sink the server runs, its token read.
    pub fn read(&self) -> Result<roster_server::ocsf_sinks::OcsfSink> {
        use roster_server::ocsf_sinks::SinkKind;
        let kind = match &self.kind {
            OcsfSinkKind::File { path, max_bytes, keep } => {
                SinkKind::File { path: path.clone(), max_bytes: *max_bytes, keep: *keep }
            }
            OcsfSinkKind::Stdout => SinkKind::Stdout,
            OcsfSinkKind::Parquet { dir, max_rows } => SinkKind::Parquet { dir: dir.clone(), max_rows: *max_rows },
            OcsfSinkKind::Http { url, token } => {
                let what = format!("OCSF sink {:?}: the collector's token", self.name);
                SinkKind::Http { url: url.clone(), token: token.read(&what, "export it, or write it to the file")? }
            }
        };
        Ok(roster_server::ocsf_sinks::OcsfSink { name: self.name.clone(), kind })
    }
}
