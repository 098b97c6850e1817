//! The client: sends one GraphQL document, paced by the complexity budget, retried on rate
//! limits, 5xx, timeouts and dropped connections, and never on errors retrying cannot fix.

use std::sync::Arc;
use std::time::Instant;

use backon::BackoffBuilder;
use graphql_client::GraphQLQuery;
use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use tokio::sync::Semaphore;
use tracing::{field, Instrument};

use crate::answer::{complexity_of, parse_answer};
use crate::budget::Budget;
use crate::config::ClientConfig;
use crate::error::Error;
use crate::metrics::{Metrics, MetricsSnapshot};

/// Why a client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the monday.com API token is empty: set it in the environment variable or file your configuration names")]
    /// The token is empty.
    EmptyToken,
    #[error("the endpoint {0} is not an http(s) URL")]
    /// The endpoint is not an http(s) URL.
    BadEndpoint(String),
    #[error("max_concurrency must be at least 1")]
    /// max_concurrency is 0.
    NoConcurrency,
    #[error("page sizes must be between 1 and {max} ({what} is {got})")]
    /// A page size out of bounds.
    PageSize {
        /// Which page size.
        what: &'static str,
        /// Its value.
        got: u32,
        /// The largest allowed.
        max: u32,
    },
    #[error("look_ahead must be between 1 and 16 (it is {0})")]
    /// Pages asked at once out of bounds.
    LookAhead(usize),
    #[error("cannot build the HTTP client: {0}")]
    /// The HTTP client could not be built.
    Http(String),
}

/// What monday.com charged one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ComplexityReport {
    /// Budget left before the query.
    pub before: u64,
    /// What the query cost.
    pub query: u64,
    /// Budget left after it.
    pub after: u64,
    /// Seconds until the budget refills.
    pub reset_in_x_seconds: u64,
}

/// An answer's bytes and what monday.com charged for it.
type Answer = (bytes::Bytes, Option<ComplexityReport>);

/// Whether a call may be repeated after a failure that leaves its outcome unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Reads, and changes whose repetition is harmless: retried on every retryable error.
    Safe,
    /// Changes that must not happen twice: retried only when monday.com certainly did not
    /// act (a rate limit, or a connection that was never made).
    Unsafe,
}

/// A monday.com GraphQL client for one token.
#[derive(Debug)]
pub struct Client {
    wire: Arc<Wire>,
}

/// What an exchange with monday.com needs, shared with the tasks that run them.
#[derive(Debug)]
struct Wire {
    http: reqwest::Client,
    config: ClientConfig,
    budget: Budget,
    slots: Semaphore,
    metrics: Metrics,
}

/// Pages of a list asked at once when its length is expected.
pub const KNOWN_LOOK_AHEAD: usize = 4;

impl Client {
    /// Builds a client; checks the configuration.
    pub fn new(config: ClientConfig) -> Result<Client, ConfigError> {
        if config.token.is_empty() {
            return Err(ConfigError::EmptyToken);
        }
        if !matches!(config.endpoint.scheme(), "http" | "https") {
            return Err(ConfigError::BadEndpoint(config.endpoint.to_string()));
        }
        if config.max_concurrency == 0 {
            return Err(ConfigError::NoConcurrency);
        }
        for (what, got, max) in [
            ("users_page", config.users_page, 1000),
            ("boards_page", config.boards_page, 500),
            ("workspaces_page", config.workspaces_page, 500),
        ] {
            if got == 0 || got > max {
                return Err(ConfigError::PageSize { what, got, max });
            }
        }
        if !(1..=16).contains(&config.look_ahead) {
            return Err(ConfigError::LookAhead(config.look_ahead));
        }
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|e| ConfigError::Http(e.to_string()))?;
        let slots = Semaphore::new(config.max_concurrency);
        let wire = Wire { http, slots, config, budget: Budget::default(), metrics: Metrics::default() };
        Ok(Client { wire: Arc::new(wire) })
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.wire.config
    }

    /// Pages of one list asked at once: the configured look-ahead, within the concurrency.
    /// Pages of a list asked at once: `look_ahead`, or when the list's length is expected (it
    /// was read before), at least [`KNOWN_LOOK_AHEAD`], since then no page past its end is
    /// asked; within `max_concurrency`.
    pub(crate) fn ahead(&self, expected: Option<u64>) -> usize {
        let wanted =
            if expected.is_some() { self.config().look_ahead.max(KNOWN_LOOK_AHEAD) } else { self.config().look_ahead };
        wanted.min(self.config().max_concurrency).max(1)
    }

    /// The counters so far.
    pub fn metrics(&self) -> MetricsSnapshot {
        self.wire.metrics.snapshot()
    }

    /// How much longer this client's requests wait for monday.com's complexity budget to
    /// refill or a rate limit to pass (`None`: not waiting).
    pub fn paused_for(&self) -> Option<std::time::Duration> {
        self.wire.budget.paused_for()
    }

    /// How many times this client's requests paused for monday.com's complexity budget or a
    /// rate limit so far: a sync that never paused is bound by its own work, not the budget.
    pub fn budget_pauses(&self) -> u64 {
        self.wire.budget.pauses()
    }

    /// Runs a read query: paced, retried, typed. `key` names the query and its page size, for
    /// the budget estimate.
    pub async fn query<Q: GraphQLQuery>(&self, key: &str, variables: Q::Variables) -> Result<Q::ResponseData, Error> {
        let (data, _) = self.send(key, encoded(Q::build_query(variables))?, Idempotency::Safe).await?;
        serde_json::from_slice(&data).map_err(|e| Error::MalformedResponse {
            status: 200,
            detail: format!("the answer to {key} does not have the expected shape: {e}"),
            request_id: None,
        })
    }

    /// Runs a mutation; with `Idempotency::Unsafe` it is never repeated when monday.com may
    /// already have applied it (the error then says so, and the next sync tells).
    pub async fn mutate<Q: GraphQLQuery>(
        &self,
        key: &str,
        variables: Q::Variables,
        idempotency: Idempotency,
    ) -> Result<Q::ResponseData, Error> {
        let (data, _) = self.send(key, encoded(Q::build_query(variables))?, idempotency).await?;
        serde_json::from_slice(&data).map_err(|e| Error::MalformedResponse {
            status: 200,
            detail: format!("the answer to {key} does not have the expected shape: {e}"),
            request_id: None,
        })
    }

    /// Sends `body` until it succeeds, fails for good, or retries run out.
    async fn send(&self, key: &str, body: bytes::Bytes, idempotency: Idempotency) -> Result<Answer, Error> {
        let policy = &self.config().retry;
        let mut backoff = backon::ExponentialBuilder::default()
            .with_jitter()
            .with_min_delay(policy.min_backoff)
            .with_max_delay(policy.max_backoff)
            .with_max_times(policy.max_retries)
            .build();
        let started = Instant::now();
        let mut attempt: u32 = 0;
        let mut connect_failures = 0usize;
        loop {
            attempt += 1;
            let err = match self.exchange(key, body.clone(), attempt).await {
                Ok(answer) => return Ok(answer),
                Err(e) => e,
            };
            let retryable = err.is_retryable() && (idempotency == Idempotency::Safe || err.not_processed());
            if !retryable {
                self.wire.metrics.failure();
                tracing::warn!(operation = key, attempt, error = %err, "monday.com call failed");
                return Err(err);
            }
            // Wait exactly as long as monday.com says when it says; otherwise back off.
            let wait = err.retry_after().or_else(|| backoff.next());
            let unreachable = matches!(err, Error::Transport { connect: true, .. });
            if unreachable {
                connect_failures += 1;
            }
            let give_up = match wait {
                None => true,
                Some(w) if unreachable => {
                    connect_failures > policy.max_connect_retries || started.elapsed() + w > policy.connect_deadline
                }
                Some(w) => attempt as usize > policy.max_retries || started.elapsed() + w > policy.total_deadline,
            };
            if give_up {
                self.wire.metrics.failure();
                tracing::warn!(operation = key, attempt, error = %err, "monday.com call failed after retries");
                return Err(Error::RetriesExhausted {
                    attempts: attempt,
                    elapsed: started.elapsed(),
                    last: Box::new(err),
                });
            }
            let wait = wait.unwrap_or_default();
            self.wire.metrics.retry(matches!(err, Error::RateLimited { .. }));
            if matches!(err, Error::RateLimited { .. }) {
                self.wire.budget.pausing(wait);
                tracing::info!(operation = key, attempt, wait_ms = wait.as_millis() as u64, error = %err, "waiting out a monday.com rate limit");
            } else {
                tracing::warn!(operation = key, attempt, wait_ms = wait.as_millis() as u64, error = %err, "retrying monday.com call");
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// One attempt, run on a task of its own ([`Wire::exchange`]): the caller only waits for
    /// its outcome, and stopping the wait (dropping this future) stops the task.
    async fn exchange(&self, key: &str, body: bytes::Bytes, attempt: u32) -> Result<Answer, Error> {
        let wire = Arc::clone(&self.wire);
        let key = key.to_string();
        let task = tokio::spawn(async move { wire.exchange(&key, body, attempt).await }.in_current_span());
        tokio_util::task::AbortOnDropHandle::new(task).await.unwrap_or_else(|e| {
            Err(Error::Transport {
                url: self.config().endpoint.to_string(),
                detail: format!("the request's task ended before its answer: {e}"),
                timeout: false,
                connect: false,
            })
        })
    }
}

impl Wire {
    /// One exchange from start to end: the budget's points and a request slot taken, the
    /// request sent, what the answer said of the budget recorded, the points and the slot
    /// given back. It runs on a task of its own so that all of this happens whether or not
    /// the caller is being polled: a page asked ahead whose answer came back while its reader
    /// completed the pages before it held its points and its slot until read; a window that
    /// refilled meanwhile waited for them (a new window is probed one request at a time), and
    /// the reader waited for the window: the sync stood still for good.
    async fn exchange(&self, key: &str, body: bytes::Bytes, attempt: u32) -> Result<Answer, Error> {
        let reservation = self.budget.acquire_for(key).await;
        let outcome = {
            let _slot = self.slots.acquire().await.map_err(|_| Error::Transport {
                url: self.config.endpoint.to_string(),
                detail: "client is shutting down".into(),
                timeout: false,
                connect: true,
            })?;
            let span = tracing::info_span!(
                "monday_request",
                operation = key,
                attempt,
                api_version = self.config.api_version.as_str(),
                status = field::Empty,
                complexity = field::Empty,
                latency_ms = field::Empty
            );
            self.attempt(body).instrument(span).await
        };
        // The reservation is given back only once the answer's figures are recorded: given
        // back first, a request waiting for points could take them against a figure that
        // does not yet count this query.
        match &outcome {
            Ok((_, complexity)) => {
                if let Some(c) = complexity {
                    self.budget.observe(key, c.query, c.after, c.reset_in_x_seconds);
                }
                self.metrics.success(complexity.map_or(0, |c| c.query));
            }
            Err(err @ Error::RateLimited { code, .. }) if code.to_ascii_uppercase().contains("COMPLEXITY") => {
                if let Some(w) = err.retry_after() {
                    self.budget.exhausted(w);
                }
            }
            Err(_) => {}
        }
        drop(reservation);
        outcome
    }

    /// One HTTP exchange.
    async fn attempt(&self, body: bytes::Bytes) -> Result<Answer, Error> {
        let span = tracing::Span::current();
        let started = Instant::now();
        self.metrics.request();
        let mut auth = HeaderValue::from_str(self.config.token.expose()).map_err(|_| Error::Unauthorized {
            message: "the API token contains characters that cannot be sent in a header".into(),
            request_id: None,
        })?;
        auth.set_sensitive(true);
        let url = self.config.endpoint.to_string();
        let transport = |e: reqwest::Error| Error::Transport {
            url: url.clone(),
            detail: without_url(&e),
            timeout: e.is_timeout(),
            connect: e.is_connect(),
        };
        let resp = self
            .http
            .post(self.config.endpoint.clone())
            .header(AUTHORIZATION, auth)
            .header(CONTENT_TYPE, "application/json")
            .header("API-Version", self.config.api_version.as_str())
            .body(body)
            .send()
            .await
            .map_err(transport)?;
        let status = resp.status().as_u16();
        let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let retry_after = header(RETRY_AFTER.as_str());
        let request_id = header("x-request-id");
        let bytes = resp.bytes().await.map_err(transport)?;
        span.record("status", status);
        span.record("latency_ms", started.elapsed().as_millis() as u64);
        let data = parse_answer(
            status,
            retry_after.as_deref(),
            request_id.as_deref(),
            &bytes,
            self.config.api_version.as_str(),
        )?;
        let complexity = complexity_of(&data);
        if let Some(c) = complexity {
            span.record("complexity", c.query);
        }
        tracing::debug!(status, "monday.com answered");
        Ok((data, complexity))
    }
}

/// A request's body as sent.
fn encoded<T: serde::Serialize>(request: T) -> Result<bytes::Bytes, Error> {
    serde_json::to_vec(&request).map(bytes::Bytes::from).map_err(|e| Error::MalformedResponse {
        status: 0,
        detail: format!("cannot encode the request: {e}"),
        request_id: None,
    })
}

/// reqwest's message without the URL it repeats (the caller names the endpoint once).
fn without_url(e: &reqwest::Error) -> String {
    let mut parts = vec![];
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p: &String| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    let joined = parts.join(": ");
    match e.url() {
        Some(u) => joined.replace(&format!(" ({u})"), "").replace(u.as_str(), "the endpoint"),
        None => joined,
    }
}

/// A failure building one page, with what was being fetched.
pub(crate) fn malformed(what: &str, detail: impl std::fmt::Display) -> Error {
    Error::MalformedResponse { status: 200, detail: format!("{what}: {detail}"), request_id: None }
}

/// Parses a monday.com id.
pub(crate) fn parse_id(raw: &str, what: &str) -> Result<u64, Error> {
    raw.trim().parse().map_err(|_| malformed(what, format!("id {raw:?} is not a number")))
}

/// Parses a team id, which may be `-1` ("everyone").
pub(crate) fn parse_team_id(raw: &str, what: &str) -> Result<i128, Error> {
    let id: i128 = raw.trim().parse().map_err(|_| malformed(what, format!("team id {raw:?} is not a number")))?;
    if id == -1 || (0..=u64::MAX as i128).contains(&id) {
        Ok(id)
    } else {
        Err(malformed(what, format!("team id {raw:?} is out of range")))
    }
}
