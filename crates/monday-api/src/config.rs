//! Client configuration: token, endpoint, API version, timeouts, concurrency and retry policy.

use std::fmt;
use std::time::Duration;

/// A monday.com API token. It is never printed: `Debug` and `Display` show `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl ApiToken {
    /// Wraps a token (surrounding white space, as a file or variable may carry, is removed).
    pub fn new(token: impl Into<String>) -> ApiToken {
        ApiToken(token.into().trim().to_string())
    }

    /// The token itself, for the `Authorization` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the token is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiToken(***)")
    }
}

impl fmt::Display for ApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// The API versions this client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum ApiVersion {
    /// Maintenance in November 2026: the user shape also has the legacy booleans.
    V2026_07,
    /// Current in November 2026.
    #[default]
    V2026_10,
}

impl ApiVersion {
    /// Every supported version.
    pub const ALL: [ApiVersion; 2] = [ApiVersion::V2026_07, ApiVersion::V2026_10];

    /// The `API-Version` header value.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V2026_07 => "2026-07",
            ApiVersion::V2026_10 => "2026-10",
        }
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ApiVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ApiVersion::ALL
            .into_iter()
            .find(|v| v.as_str() == s.trim())
            .ok_or_else(|| format!("unsupported monday.com API version {s:?}: use 2026-10 (current) or 2026-07"))
    }
}

/// How failed requests are retried.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (waits that monday.com prescribes count too).
    pub max_retries: usize,
    /// First backoff.
    pub min_backoff: Duration,
    /// Longest backoff between two attempts (a `Retry-After` may be longer).
    pub max_backoff: Duration,
    /// No retry starts after this much time since the first attempt.
    pub total_deadline: Duration,
    /// Retries when no connection could be made at all (refused, no such host): a wrong URL
    /// or a host that is down is said within seconds, not after the full deadline.
    pub max_connect_retries: usize,
    /// ...nor after this much time.
    pub connect_deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 10,
            min_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(20),
            total_deadline: Duration::from_secs(15 * 60),
            max_connect_retries: 3,
            connect_deadline: Duration::from_secs(10),
        }
    }
}

/// Everything the client needs.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The API token (never shown).
    pub token: ApiToken,
    /// GraphQL endpoint, `https://api.monday.com/v2` by default.
    pub endpoint: url::Url,
    /// The API version sent with every request.
    pub api_version: ApiVersion,
    /// Per request; monday.com itself stops at 60 s.
    pub request_timeout: Duration,
    /// How long connecting may take.
    pub connect_timeout: Duration,
    /// Requests in flight at once.
    pub max_concurrency: usize,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// When and how often to retry.
    pub retry: RetryPolicy,
    /// Page sizes: users (≤ 1000), boards and workspaces (≤ 100 is safe everywhere).
    pub users_page: u32,
    /// Boards per page.
    pub boards_page: u32,
    /// Workspaces per page.
    pub workspaces_page: u32,
    /// Pages of a list of unknown length asked at once (1 to 16; within `max_concurrency`):
    /// up to this many round trips overlap, and up to one fewer pages are asked past a list's
    /// end, whose complexity is spent for nothing (the default, 1, asks one page after
    /// another). A read told the list's expected length asks at least
    /// [`crate::KNOWN_LOOK_AHEAD`] and none past its end.
    pub look_ahead: usize,
}

/// The default endpoint.
pub const DEFAULT_ENDPOINT: &str = "https://api.monday.com/v2";

impl ClientConfig {
    /// A configuration with monday.com's endpoint and the defaults.
    pub fn new(token: ApiToken) -> ClientConfig {
        ClientConfig {
            token,
            endpoint: url::Url::parse(DEFAULT_ENDPOINT).unwrap_or_else(|_| unreachable!("constant URL")),
            api_version: ApiVersion::default(),
            request_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            max_concurrency: 8,
            user_agent: format!("roster-monday-api/{}", env!("CARGO_PKG_VERSION")),
            retry: RetryPolicy::default(),
            users_page: 1000,
            boards_page: 100,
            workspaces_page: 100,
            look_ahead: 1,
        }
    }

    /// The same with another endpoint.
    pub fn with_endpoint(mut self, endpoint: url::Url) -> ClientConfig {
        self.endpoint = endpoint;
        self
    }

    /// The same with another API version.
    pub fn with_version(mut self, version: ApiVersion) -> ClientConfig {
        self.api_version = version;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_never_prints() {
        let cfg = ClientConfig::new(ApiToken::new(" secret-abc \n"));
        assert_eq!(cfg.token.expose(), "secret-abc");
        let shown = format!("{cfg:?} {} {:?}", cfg.token, cfg.token);
        assert!(!shown.contains("secret-abc"), "{shown}");
    }

    #[test]
    fn versions_parse() {
        assert_eq!("2026-07".parse(), Ok(ApiVersion::V2026_07));
        assert!("2024-01".parse::<ApiVersion>().unwrap_err().contains("2026-10"));
    }
}
