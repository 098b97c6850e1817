//! SCIM errors: RFC 7644 §3.12 bodies and transport failures, each saying what to do.

use std::time::Duration;

/// Why a SCIM call failed.
#[derive(Debug, thiserror::Error)]
pub enum ScimError {
    #[error("the SCIM server rejected the token (HTTP 401): {detail}. Use the SCIM token (monday.com: Admin > Security > SCIM), not an API token")]
    /// The token was refused (HTTP 401).
    Unauthorized {
        /// What the server said.
        detail: String,
    },
    #[error("the SCIM server refused the request (HTTP 403): {detail}")]
    /// The token may not do this (HTTP 403).
    Forbidden {
        /// What the server said.
        detail: String,
    },
    #[error("not found (HTTP 404): {detail}")]
    /// No such resource (HTTP 404).
    NotFound {
        /// What the server said.
        detail: String,
    },
    #[error("conflict (HTTP 409{}): {detail}", .scim_type.as_deref().map(|t| format!(", {t}")).unwrap_or_default())]
    /// The resource exists or changed meanwhile (HTTP 409).
    Conflict {
        /// RFC 7644's `scimType`, when given.
        scim_type: Option<String>,
        /// What the server said.
        detail: String,
    },
    #[error("the SCIM server refused the request (HTTP {status}{}): {detail}", .scim_type.as_deref().map(|t| format!(", {t}")).unwrap_or_default())]
    /// The request was refused as invalid (HTTP 400 and other 4xx).
    Invalid {
        /// The HTTP status.
        status: u16,
        /// RFC 7644's `scimType`, when given.
        scim_type: Option<String>,
        /// What the server said.
        detail: String,
    },
    #[error("rate limited (HTTP 429); retry in {} s", .retry_after.as_secs())]
    /// Too many requests (HTTP 429).
    RateLimited {
        /// How long to wait before retrying.
        retry_after: Duration,
    },
    #[error("the SCIM server failed (HTTP {status}): {detail}")]
    /// The server failed (5xx).
    Server {
        /// The HTTP status.
        status: u16,
        /// What the server said.
        detail: String,
    },
    #[error("could not reach the SCIM server at {url}: {detail}")]
    /// No answer: connection refused or dropped, DNS, TLS, timeout.
    Transport {
        /// The URL asked.
        url: String,
        /// What the server said.
        detail: String,
        /// No connection was made.
        connect: bool,
    },
    #[error("the SCIM server sent an answer that is not SCIM (HTTP {status}): {detail}")]
    /// An answer that is not SCIM.
    Malformed {
        /// The HTTP status.
        status: u16,
        /// What the server said.
        detail: String,
    },
}

impl ScimError {
    /// Whether repeating the request may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ScimError::RateLimited { .. } | ScimError::Server { .. } | ScimError::Transport { .. })
    }

    /// Whether the server certainly did not act (so even a create may be repeated).
    pub fn not_processed(&self) -> bool {
        matches!(self, ScimError::RateLimited { .. } | ScimError::Transport { connect: true, .. })
    }

    /// Reads an error answer.
    pub fn from_response(status: u16, retry_after: Option<&str>, body: &[u8]) -> ScimError {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap_or(serde_json::Value::Null);
        let detail =
            v.get("detail").and_then(|d| d.as_str()).map(str::to_string).unwrap_or_else(|| {
                String::from_utf8_lossy(body).chars().take(200).collect::<String>().trim().to_string()
            });
        let scim_type = v.get("scimType").and_then(|t| t.as_str()).map(str::to_string);
        match status {
            401 => ScimError::Unauthorized { detail },
            403 => ScimError::Forbidden { detail },
            404 => ScimError::NotFound { detail },
            409 => ScimError::Conflict { scim_type, detail },
            429 => ScimError::RateLimited {
                retry_after: Duration::from_secs(retry_after.and_then(|r| r.trim().parse().ok()).unwrap_or(10)),
            },
            s if s >= 500 => ScimError::Server { status: s, detail },
            s => ScimError::Invalid { status: s, scim_type, detail },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7644_error_bodies() {
        let e = ScimError::from_response(409, None, br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"userName taken"}"#);
        assert!(matches!(&e, ScimError::Conflict { scim_type: Some(t), .. } if t == "uniqueness"));
        assert_eq!(e.to_string(), "conflict (HTTP 409, uniqueness): userName taken");
        let e = ScimError::from_response(400, None, br#"{"status":"400","scimType":"invalidFilter","detail":"bad"}"#);
        assert!(matches!(e, ScimError::Invalid { status: 400, .. }));
        let e = ScimError::from_response(429, Some("7"), b"");
        assert!(e.is_retryable());
        assert!(matches!(e, ScimError::RateLimited { retry_after } if retry_after == Duration::from_secs(7)));
        let e = ScimError::from_response(502, None, b"<html>bad gateway</html>");
        assert!(matches!(&e, ScimError::Server { status: 502, detail } if detail.contains("bad gateway")));
        assert!(ScimError::from_response(401, None, b"").to_string().contains("SCIM token"));
    }
}
