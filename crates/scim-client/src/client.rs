//! The client: one request at a time, retried on 429/5xx/transport where repeating is safe.

use std::fmt;
use std::time::{Duration, Instant};

use backon::BackoffBuilder;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::ScimError;
use crate::{Group, PatchOperation, User};

const CONTENT: &str = "application/scim+json";
const PATCH_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A SCIM bearer token; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct ScimToken(String);

impl ScimToken {
    /// Wraps a token (surrounding white space removed).
    pub fn new(t: impl Into<String>) -> ScimToken {
        ScimToken(t.into().trim().to_string())
    }
}

impl fmt::Debug for ScimToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ScimToken(***)")
    }
}

/// Where and how to talk SCIM.
#[derive(Debug, Clone)]
pub struct ScimConfig {
    /// The base URL, e.g. `https://acme.monday.com/scim/v2`.
    pub base: url::Url,
    /// The SCIM token (never shown).
    pub token: ScimToken,
    /// How long one request may take.
    pub timeout: Duration,
    /// Retries of a failed request.
    pub max_retries: usize,
    /// The first retry's wait.
    pub min_backoff: Duration,
    /// The longest wait between retries.
    pub max_backoff: Duration,
    /// Items per list page.
    pub page_size: usize,
    /// monday.com's `scim_provisioned_only` list parameter (`None`: not sent).
    pub provisioned_only: Option<bool>,
}

impl ScimConfig {
    /// Defaults for `base` and `token`.
    pub fn new(base: url::Url, token: ScimToken) -> ScimConfig {
        ScimConfig {
            base,
            token,
            timeout: Duration::from_secs(30),
            max_retries: 6,
            min_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            page_size: 100,
            provisioned_only: None,
        }
    }
}

/// A SCIM 2.0 client.
#[derive(Debug)]
pub struct ScimClient {
    http: reqwest::Client,
    cfg: ScimConfig,
}

fn op_json(op: &PatchOperation) -> Result<Value, ScimError> {
    serde_json::to_value(op)
        .map_err(|e| ScimError::Malformed { status: 0, detail: format!("cannot encode a PATCH operation: {e}") })
}

impl ScimClient {
    /// A client for `cfg`.
    pub fn new(cfg: ScimConfig) -> Result<ScimClient, ScimError> {
        let http = reqwest::Client::builder().timeout(cfg.timeout).build().map_err(|e| ScimError::Transport {
            url: cfg.base.to_string(),
            detail: e.to_string(),
            connect: true,
        })?;
        Ok(ScimClient { http, cfg })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.cfg.base.as_str().trim_end_matches('/'))
    }

    /// Sends one request, retrying what retrying can fix; `idempotent: false` repeats only
    /// when the server certainly did not act.
    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        idempotent: bool,
    ) -> Result<(u16, Value), ScimError> {
        let mut backoff = backon::ExponentialBuilder::default()
            .with_jitter()
            .with_min_delay(self.cfg.min_backoff)
            .with_max_delay(self.cfg.max_backoff)
            .with_max_times(self.cfg.max_retries)
            .build();
        let started = Instant::now();
        loop {
            let result = self.once(method.clone(), path, query, body).await;
            let err = match result {
                Ok(ok) => return Ok(ok),
                Err(e) => e,
            };
            let retry = err.is_retryable() && (idempotent || err.not_processed());
            let wait = match &err {
                ScimError::RateLimited { retry_after } => Some(*retry_after),
                _ => backoff.next(),
            };
            match (retry, wait) {
                (true, Some(w)) if started.elapsed() + w < Duration::from_secs(600) => {
                    tracing::warn!(%method, path, wait_ms = w.as_millis() as u64, error = %err, "retrying SCIM call");
                    tokio::time::sleep(w).await;
                }
                _ => return Err(err),
            }
        }
    }

    async fn once(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<(u16, Value), ScimError> {
        let url = self.url(path);
        let mut full = url::Url::parse(&url).map_err(|e| ScimError::Transport {
            url: url.clone(),
            detail: e.to_string(),
            connect: true,
        })?;
        if !query.is_empty() {
            full.query_pairs_mut().extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", self.cfg.token.0)).map_err(|_| {
            ScimError::Unauthorized { detail: "the SCIM token has characters a header cannot carry".into() }
        })?;
        auth.set_sensitive(true);
        let mut req = self.http.request(method, full).header(AUTHORIZATION, auth).header(ACCEPT, CONTENT);
        if let Some(b) = body {
            req = req.header(CONTENT_TYPE, CONTENT).body(b.to_string());
        }
        let transport = |e: reqwest::Error| ScimError::Transport {
            url: self.cfg.base.to_string(),
            detail: e.to_string().replace(&url, "the endpoint"),
            connect: e.is_connect(),
        };
        let resp = req.send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let retry_after = resp.headers().get(RETRY_AFTER).and_then(|v| v.to_str().ok()).map(str::to_string);
        let bytes = resp.bytes().await.map_err(transport)?;
        if !(200..300).contains(&status) {
            return Err(ScimError::from_response(status, retry_after.as_deref(), &bytes));
        }
        if bytes.is_empty() {
            return Ok((status, Value::Null));
        }
        let v = serde_json::from_slice(&bytes)
            .map_err(|e| ScimError::Malformed { status, detail: format!("not JSON: {e}") })?;
        Ok((status, v))
    }

    fn decode<T: DeserializeOwned>(status: u16, v: Value, what: &str) -> Result<T, ScimError> {
        serde_json::from_value(v).map_err(|e| ScimError::Malformed { status, detail: format!("{what}: {e}") })
    }

    fn encode<T: Serialize>(x: &T) -> Result<Value, ScimError> {
        serde_json::to_value(x)
            .map_err(|e| ScimError::Malformed { status: 0, detail: format!("cannot encode the resource: {e}") })
    }

    /// Every resource at `endpoint` (`/Users`, `/Groups`) matching `filter`, page by page from
    /// `startIndex` 1.
    async fn list<T: DeserializeOwned>(&self, endpoint: &str, filter: Option<&str>) -> Result<Vec<T>, ScimError> {
        let mut out = Vec::new();
        let mut start = 1usize;
        loop {
            let mut q = vec![("startIndex", start.to_string()), ("count", self.cfg.page_size.to_string())];
            if let Some(f) = filter {
                q.push(("filter", f.to_string()));
            }
            if let Some(p) = self.cfg.provisioned_only {
                q.push(("scim_provisioned_only", p.to_string()));
            }
            let (status, v) = self.send(Method::GET, endpoint, &q, None, true).await?;
            let total = v
                .get("totalResults")
                .and_then(Value::as_u64)
                .ok_or_else(|| ScimError::Malformed { status, detail: "a list without totalResults".into() })?
                as usize;
            let items = v.get("Resources").and_then(Value::as_array).cloned().unwrap_or_default();
            let n = items.len();
            for item in items {
                out.push(Self::decode(status, item, endpoint)?);
            }
            start += n;
            if n == 0 || out.len() >= total {
                return Ok(out);
            }
        }
    }

    /// Creates a user (repeated only if the server certainly did not act).
    pub async fn create_user(&self, user: &User) -> Result<User, ScimError> {
        let (s, v) = self.send(Method::POST, "/Users", &[], Some(&Self::encode(user)?), false).await?;
        Self::decode(s, v, "created user")
    }

    /// One user.
    pub async fn get_user(&self, id: &str) -> Result<User, ScimError> {
        let (s, v) = self.send(Method::GET, &format!("/Users/{id}"), &[], None, true).await?;
        Self::decode(s, v, "user")
    }

    /// Every user (matching `filter`, e.g. `userName eq "a@b.c"`).
    pub async fn list_users(&self, filter: Option<&str>) -> Result<Vec<User>, ScimError> {
        self.list("/Users", filter).await
    }

    /// Replaces a user (PUT).
    pub async fn replace_user(&self, id: &str, user: &User) -> Result<User, ScimError> {
        let (s, v) = self.send(Method::PUT, &format!("/Users/{id}"), &[], Some(&Self::encode(user)?), true).await?;
        Self::decode(s, v, "replaced user")
    }

    /// Patches a user; the answer may be the user (200) or empty (204).
    pub async fn patch_user(&self, id: &str, ops: &[PatchOperation]) -> Result<Option<User>, ScimError> {
        let body =
            json!({ "schemas": [PATCH_URN], "Operations": ops.iter().map(op_json).collect::<Result<Vec<_>, _>>()? });
        let (s, v) = self.send(Method::PATCH, &format!("/Users/{id}"), &[], Some(&body), true).await?;
        if v.is_null() {
            return Ok(None);
        }
        Self::decode(s, v, "patched user").map(Some)
    }

    /// Deletes a user (monday.com deactivates).
    pub async fn delete_user(&self, id: &str) -> Result<(), ScimError> {
        self.send(Method::DELETE, &format!("/Users/{id}"), &[], None, true).await.map(|_| ())
    }

    /// Creates a group.
    pub async fn create_group(&self, group: &Group) -> Result<Group, ScimError> {
        let (s, v) = self.send(Method::POST, "/Groups", &[], Some(&Self::encode(group)?), false).await?;
        Self::decode(s, v, "created group")
    }

    /// One group.
    pub async fn get_group(&self, id: &str) -> Result<Group, ScimError> {
        let (s, v) = self.send(Method::GET, &format!("/Groups/{id}"), &[], None, true).await?;
        Self::decode(s, v, "group")
    }

    /// Every group (matching `filter`, e.g. `displayName eq "Sales"`).
    pub async fn list_groups(&self, filter: Option<&str>) -> Result<Vec<Group>, ScimError> {
        self.list("/Groups", filter).await
    }

    /// Replaces a group (PUT).
    pub async fn replace_group(&self, id: &str, group: &Group) -> Result<Group, ScimError> {
        let (s, v) = self.send(Method::PUT, &format!("/Groups/{id}"), &[], Some(&Self::encode(group)?), true).await?;
        Self::decode(s, v, "replaced group")
    }

    /// Patches a group (members are changed by explicit add and remove, never by replacing the
    /// whole list, which IdPs have lost members with).
    pub async fn patch_group(&self, id: &str, ops: &[PatchOperation]) -> Result<Option<Group>, ScimError> {
        let body =
            json!({ "schemas": [PATCH_URN], "Operations": ops.iter().map(op_json).collect::<Result<Vec<_>, _>>()? });
        let (s, v) = self.send(Method::PATCH, &format!("/Groups/{id}"), &[], Some(&body), true).await?;
        if v.is_null() {
            return Ok(None);
        }
        Self::decode(s, v, "patched group").map(Some)
    }

    /// Deletes a group.
    pub async fn delete_group(&self, id: &str) -> Result<(), ScimError> {
        self.send(Method::DELETE, &format!("/Groups/{id}"), &[], None, true).await.map(|_| ())
    }
}

/// Builds PATCH operations from text paths.
pub mod ops {
    use scim_v2::filter::PatchPath;
    use serde_json::Value;

    use crate::{OperationTarget, PatchOperation, ScimError};

    fn path(p: &str) -> Result<PatchPath, ScimError> {
        p.parse().map_err(|e| ScimError::Malformed { status: 0, detail: format!("bad SCIM path {p:?}: {e:?}") })
    }

    /// `replace` at `p`.
    pub fn replace(p: &str, value: Value) -> Result<PatchOperation, ScimError> {
        Ok(PatchOperation::Replace(OperationTarget::WithPath { path: path(p)?, value: Some(value) }))
    }

    /// `add` at `p`.
    pub fn add(p: &str, value: Value) -> Result<PatchOperation, ScimError> {
        Ok(PatchOperation::Add(OperationTarget::WithPath { path: path(p)?, value: Some(value) }))
    }

    /// `remove` at `p`.
    pub fn remove(p: &str) -> Result<PatchOperation, ScimError> {
        Ok(PatchOperation::Remove { path: path(p)?, value: None })
    }
}
