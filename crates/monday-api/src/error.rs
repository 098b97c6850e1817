//! One error type for every way a monday.com call can fail, and the parser that turns
//! monday.com's answers into it. It reads every shape monday.com has used: GraphQL `errors[]`
//! with `extensions.code` (2025-01 and later, HTTP 200 for application errors), the older
//! top-level `error_code` / `error_message` / `status_code` (up to 2024-07; 2024-10 sent both),
//! bare string errors (`{"errors": ["Not Authenticated"]}`), and non-JSON bodies.

use std::time::Duration;

use serde_json::{Map, Value};

/// What went wrong with a monday.com call. Every variant says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The token is missing, wrong or its user is deactivated (HTTP 401).
    #[error("monday.com rejected the API token: {message}. Check the token and that its user is still active{}", rid(.request_id))]
    Unauthorized {
        /// What monday.com said.
        message: String,
        /// monday.com's request id, to quote to its support.
        request_id: Option<String>,
    },
    /// The token's user may not do this (HTTP 403, `USER_UNAUTHORIZED`, `USER_ACCESS_DENIED`).
    #[error("monday.com denied the request ({code}): {message}. Use a token of a user with the needed rights (usually an admin){}", rid(.request_id))]
    Forbidden {
        /// monday.com's error code.
        code: String,
        /// What monday.com said.
        message: String,
        /// monday.com's request id, to quote to its support.
        request_id: Option<String>,
    },
    /// monday.com refused the query itself (syntax or schema): a bug in the query document.
    #[error("monday.com rejected the query as invalid ({code}): {message}. The query does not match API version {version}; check the configured API version{}", rid(.request_id))]
    InvalidQuery {
        /// monday.com's error code.
        code: String,
        /// What monday.com said.
        message: String,
        /// The API version the query was sent for.
        version: String,
        /// monday.com's request id, to quote to its support.
        request_id: Option<String>,
    },
    /// An argument was refused (bad id, limit too large, unknown version, bad JSON).
    #[error("monday.com refused an argument ({code}): {message}{}", rid(.request_id))]
    InvalidArgument {
        /// monday.com's error code.
        code: String,
        /// What monday.com said.
        message: String,
        /// monday.com's request id, to quote to its support.
        request_id: Option<String>,
    },
    /// A rate limit: complexity budget, requests per minute, concurrency or daily calls.
    #[error("monday.com rate limit ({code}); retry in {} s{}", .retry_after.as_secs(), rid(.request_id))]
    RateLimited {
        /// monday.com's error code.
        code: String,
        /// How long to wait before retrying.
        retry_after: Duration,
        /// monday.com's request id, to quote to its support.
        request_id: Option<String>,
    },
    /// One query costs more than monday.com allows for a single query; smaller pages help.
    #[error("the query costs {} complexity points, more than monday.com allows in one query ({}); ask for smaller pages{}", opt(.complexity), opt(.limit), rid(.request_id))]
    QueryTooComplex {
        /// What the query costs, when monday.com said.
        complexity: Option<u64>,
        /// The most one query may cost, when monday.com said.
        limit: Option<u64>,
        /// monday.com's request id, to quote to its support.
        request_id: Option<String>,
    },
    /// monday.com failed (5xx, or 423 locked).
    #[error("monday.com answered HTTP {status}: {message}{}", rid(.request_id))]
    Server {
        /// The HTTP status.
        status: u16,
        /// What monday.com said.
        message: String,
        /// monday.com's request id, to quote to its support.
        request_id: Option<String>,
    },
    /// No answer: connection refused or dropped, DNS, TLS, timeout.
    #[error("could not get an answer from {url}: {detail}. Check the endpoint URL and the network")]
    Transport {
        /// The URL asked.
        url: String,
        /// What went wrong.
        detail: String,
        /// The request timed out.
        timeout: bool,
        /// No connection was made.
        connect: bool,
    },
    /// An answer that is not what monday.com sends.
    #[error("monday.com sent an answer Roster cannot read (HTTP {status}): {detail}{}", rid(.request_id))]
    MalformedResponse {
        /// The HTTP status.
        status: u16,
        /// What went wrong.
        detail: String,
        /// monday.com's request id, to quote to its support.
        request_id: Option<String>,
    },
    /// Any other application error monday.com reported.
    #[error("monday.com returned an error ({code}): {message}{}", rid(.request_id))]
    Application {
        /// monday.com's error code.
        code: String,
        /// What monday.com said.
        message: String,
        /// monday.com's request id, to quote to its support.
        request_id: Option<String>,
    },
    /// Retries did not help.
    #[error("gave up after {attempts} attempts in {} s; last error: {last}", .elapsed.as_secs())]
    RetriesExhausted {
        /// Attempts made.
        attempts: u32,
        /// Time spent on them.
        elapsed: Duration,
        /// The last attempt's error.
        last: Box<Error>,
    },
}

fn rid(request_id: &Option<String>) -> String {
    request_id.as_ref().map(|r| format!(" (request id {r})")).unwrap_or_default()
}

fn opt(v: &Option<u64>) -> String {
    v.map_or_else(|| "?".to_string(), |v| v.to_string())
}

impl Error {
    /// Whether trying the same request again may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::RateLimited { .. } | Error::Server { .. } | Error::Transport { .. })
    }

    /// Whether monday.com certainly did not act on the request, so that even a change that is
    /// not idempotent can be sent again: it was refused by a rate limit, or never left this
    /// machine (connection refused). After a 5xx, a timeout or a dropped connection the change
    /// may have happened.
    pub fn not_processed(&self) -> bool {
        matches!(self, Error::RateLimited { .. } | Error::Transport { connect: true, .. })
    }

    /// How long monday.com asked us to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }

    /// The request id monday.com gave, if any.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Unauthorized { request_id, .. }
            | Error::Forbidden { request_id, .. }
            | Error::InvalidQuery { request_id, .. }
            | Error::InvalidArgument { request_id, .. }
            | Error::RateLimited { request_id, .. }
            | Error::QueryTooComplex { request_id, .. }
            | Error::Server { request_id, .. }
            | Error::MalformedResponse { request_id, .. }
            | Error::Application { request_id, .. } => request_id.as_deref(),
            Error::Transport { .. } => None,
            Error::RetriesExhausted { last, .. } => last.request_id(),
        }
    }

    /// A short name of the kind of error, for metrics and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Unauthorized { .. } => "unauthorized",
            Error::Forbidden { .. } => "forbidden",
            Error::InvalidQuery { .. } => "invalid_query",
            Error::InvalidArgument { .. } => "invalid_argument",
            Error::RateLimited { .. } => "rate_limited",
            Error::QueryTooComplex { .. } => "query_too_complex",
            Error::Server { .. } => "server",
            Error::Transport { .. } => "transport",
            Error::MalformedResponse { .. } => "malformed",
            Error::Application { .. } => "application",
            Error::RetriesExhausted { .. } => "retries_exhausted",
        }
    }
}

/// One error entry, whatever shape it came in.
#[derive(Debug, Default, Clone, PartialEq)]
struct RawError {
    message: String,
    code: Option<String>,
    status_code: Option<u16>,
    retry_in_seconds: Option<u64>,
    complexity: Option<u64>,
    complexity_limit: Option<u64>,
}

const RATE_CODES: &[&str] = &[
    "COMPLEXITY_BUDGET_EXHAUSTED",
    "ComplexityException",
    "MINUTE_RATE_LIMIT_EXCEEDED",
    "RateLimitExceeded",
    "Rate Limit Exceeded",
    "MAX_CONCURRENCY_EXCEEDED",
    "maxConcurrencyExceeded",
    "DAILY_LIMIT_EXCEEDED",
    "IP_RATE_LIMIT_EXCEEDED",
    "FIELD_LIMIT_EXCEEDED",
];
const VALIDATION_CODES: &[&str] = &[
    "undefinedField",
    "argumentNotAccepted",
    "argumentLiteralsIncompatible",
    "missingRequiredArguments",
    "selectionMismatch",
    "variableMismatch",
    "variableNotDefined",
    "variableNotUsed",
    "variableRequiresValidType",
    "undefinedType",
    "useAndDefineFragment",
    "fragmentSpreadTypeMismatch",
    "maxDepthExceeded",
    "GRAPHQL_VALIDATION_FAILED",
    "GRAPHQL_PARSE_FAILED",
];
const ARGUMENT_CODES: &[&str] = &[
    "InvalidArgumentException",
    "InvalidUserIdException",
    "InvalidBoardIdException",
    "InvalidWorkspaceIdException",
    "InvalidTeamIdException",
    "ResourceNotFoundException",
    "InvalidVersionException",
    "JsonParseException",
    "RecordInvalidException",
    "BAD_REQUEST",
    "INVALID_ARGUMENT",
];
const AUTH_CODES: &[&str] = &["UNAUTHENTICATED", "Unauthorized", "NOT_AUTHENTICATED"];
const FORBIDDEN_CODES: &[&str] = &["USER_UNAUTHORIZED", "UserUnauthorizedException", "USER_ACCESS_DENIED", "FORBIDDEN"];

/// The longest wait an answer can ask for (a day): larger hints are cut to this, so no figure
/// from the network can overflow a clock or stall a client for ever.
pub(crate) const MAX_WAIT_SECS: u64 = 86_400;

fn num(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().map(|f| f.max(0.0).ceil() as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// "... reset in 13 seconds" (older complexity messages).
fn seconds_in_message(message: &str) -> Option<u64> {
    let lower = message.to_ascii_lowercase();
    let at = lower.find("reset in ").map(|i| i + 9).or_else(|| lower.find("retry in ").map(|i| i + 9))?;
    lower[at..].split_whitespace().next()?.parse::<u64>().ok().map(|s| s.min(MAX_WAIT_SECS))
}

fn from_extensions(message: String, ext: &Map<String, Value>) -> RawError {
    let data = ext.get("error_data").and_then(Value::as_object);
    let pick = |k: &str| num(ext.get(k)).or_else(|| data.and_then(|d| num(d.get(k))));
    RawError {
        code: string(ext.get("code")),
        status_code: pick("status_code").map(|s| s as u16),
        retry_in_seconds: pick("retry_in_seconds").map(|s| s.min(MAX_WAIT_SECS)),
        complexity: pick("complexity"),
        complexity_limit: pick("max_complexity").or_else(|| pick("complexity_limit")),
        message,
    }
}

fn raw_errors(body: &Map<String, Value>) -> Vec<RawError> {
    let mut out = Vec::new();
    if let Some(Value::Array(errors)) = body.get("errors") {
        for e in errors {
            match e {
                Value::String(s) => out.push(RawError { message: s.clone(), ..RawError::default() }),
                Value::Object(o) => {
                    let message = string(o.get("message")).unwrap_or_else(|| "(no message)".to_string());
                    let ext = o.get("extensions").and_then(Value::as_object).cloned().unwrap_or_default();
                    out.push(from_extensions(message, &ext));
                }
                other => out.push(RawError { message: other.to_string(), ..RawError::default() }),
            }
        }
    }
    // The pre-2024-10 shape: top-level error_code / error_message / status_code / error_data.
    if out.is_empty() && (body.contains_key("error_code") || body.contains_key("error_message")) {
        let message = string(body.get("error_message")).unwrap_or_else(|| "(no message)".to_string());
        let mut ext = Map::new();
        for k in ["status_code", "error_data"] {
            if let Some(v) = body.get(k) {
                ext.insert(k.to_string(), v.clone());
            }
        }
        if let Some(code) = body.get("error_code") {
            ext.insert("code".to_string(), code.clone());
        }
        out.push(from_extensions(message, &ext));
    }
    out
}

fn request_id_of(body: &Map<String, Value>, header: Option<&str>) -> Option<String> {
    body.get("extensions")
        .and_then(|e| e.get("request_id"))
        .and_then(Value::as_str)
        .or_else(|| body.get("request_id").and_then(Value::as_str))
        .map(str::to_string)
        .or_else(|| header.map(str::to_string))
}

fn classify_entry(
    e: &RawError,
    http: u16,
    retry_header: Option<Duration>,
    request_id: Option<String>,
    version: &str,
) -> Error {
    let code = e.code.clone().unwrap_or_default();
    let message = e.message.clone();
    let is = |list: &[&str]| list.iter().any(|c| c.eq_ignore_ascii_case(&code));
    let lower = message.to_ascii_lowercase();
    let complexity_code = code.eq_ignore_ascii_case("COMPLEXITY_BUDGET_EXHAUSTED") || code == "ComplexityException";
    if complexity_code
        && e.retry_in_seconds.is_none()
        && retry_header.is_none()
        && (lower.contains("max complexity") || lower.contains("exceeds max") || lower.contains("single query"))
    {
        return Error::QueryTooComplex { complexity: e.complexity, limit: e.complexity_limit, request_id };
    }
    if is(RATE_CODES) || http == 429 || lower.contains("rate limit exceeded") {
        let default = if complexity_code { 60 } else { 10 };
        let secs = e
            .retry_in_seconds
            .map(Duration::from_secs)
            .or(retry_header)
            .or_else(|| seconds_in_message(&message).map(Duration::from_secs));
        let code = if code.is_empty() { "RATE_LIMITED".to_string() } else { code };
        return Error::RateLimited { code, retry_after: secs.unwrap_or(Duration::from_secs(default)), request_id };
    }
    if http == 401 || is(AUTH_CODES) || lower.starts_with("not authenticated") {
        return Error::Unauthorized { message, request_id };
    }
    if http == 403 || is(FORBIDDEN_CODES) || e.status_code == Some(403) {
        let code = if code.is_empty() { "FORBIDDEN".to_string() } else { code };
        return Error::Forbidden { code, message, request_id };
    }
    if is(VALIDATION_CODES) || (code.is_empty() && lower.starts_with("parse error")) {
        let code = if code.is_empty() { "parseError".to_string() } else { code };
        return Error::InvalidQuery { code, message, version: version.to_string(), request_id };
    }
    if is(ARGUMENT_CODES) {
        return Error::InvalidArgument { code, message, request_id };
    }
    let status = e.status_code.filter(|s| *s >= 500).unwrap_or(http);
    if status >= 500 || http == 423 || code.eq_ignore_ascii_case("INTERNAL_SERVER_ERROR") {
        return Error::Server { status: status.max(500).min(if http == 423 { 423 } else { 599 }), message, request_id };
    }
    if (400..500).contains(&http) {
        let code = if code.is_empty() { format!("HTTP_{http}") } else { code };
        return Error::InvalidArgument { code, message, request_id };
    }
    let code = if code.is_empty() { "UNKNOWN".to_string() } else { code };
    Error::Application { code, message, request_id }
}

/// Reads one HTTP answer: the `data` object on success, or the error it carries.
///
/// `retry_after` is the `Retry-After` header, `header_request_id` a request id header if any,
/// `version` the API version asked for (named in query errors).
pub fn parse_response(
    status: u16,
    retry_after: Option<&str>,
    header_request_id: Option<&str>,
    body: &[u8],
    version: &str,
) -> Result<Map<String, Value>, Error> {
    let retry_header =
        retry_after.and_then(|v| v.trim().parse::<u64>().ok()).map(|s| Duration::from_secs(s.min(MAX_WAIT_SECS)));
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let Some(Value::Object(obj)) = parsed else {
        let text: String = String::from_utf8_lossy(body).chars().take(200).collect();
        let request_id = header_request_id.map(str::to_string);
        return Err(match status {
            401 => Error::Unauthorized { message: text.trim().to_string(), request_id },
            403 => Error::Forbidden { code: "HTTP_403".to_string(), message: text.trim().to_string(), request_id },
            429 => Error::RateLimited {
                code: "HTTP_429".to_string(),
                retry_after: retry_header.unwrap_or(Duration::from_secs(10)),
                request_id,
            },
            s if s >= 500 || s == 423 => Error::Server { status: s, message: text.trim().to_string(), request_id },
            s => Error::MalformedResponse {
                status: s,
                detail: format!("not a JSON object: {:?}", text.trim()),
                request_id,
            },
        });
    };
    let request_id = request_id_of(&obj, header_request_id);
    let errors = raw_errors(&obj);
    if let Some(first) = errors.first() {
        // A rate limit anywhere wins: the whole request has to wait.
        let pick = errors
            .iter()
            .find(|e| e.code.as_deref().is_some_and(|c| RATE_CODES.iter().any(|r| r.eq_ignore_ascii_case(c))))
            .unwrap_or(first);
        return Err(classify_entry(pick, status, retry_header, request_id, version));
    }
    if !(200..400).contains(&status) {
        let e = RawError { message: format!("HTTP {status} without an error message"), ..RawError::default() };
        return Err(classify_entry(&e, status, retry_header, request_id, version));
    }
    let mut obj = obj;
    match obj.remove("data") {
        Some(Value::Object(data)) => Ok(data),
        Some(other) => {
            Err(Error::MalformedResponse { status, detail: format!("'data' is not an object but {other}"), request_id })
        }
        None => Err(Error::MalformedResponse { status, detail: "no 'data' and no 'errors'".to_string(), request_id }),
    }
}
