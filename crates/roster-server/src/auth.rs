//! Bearer API keys, kept as SHA-256 hashes: the configuration never holds a key itself.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything.
    Admin,
    /// Read only.
    Reader,
    /// Asks for just-in-time access and sees their own requests; reads nothing else.
    Requester,
    /// Sees and decides their own access review items (the key's name is their e-mail);
    /// reads nothing else.
    Reviewer,
}

/// One configured key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    pub name: String,
    pub role: Role,
    /// `sha256:<hex>` of the key.
    pub hash: String,
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKey").field("name", &self.name).field("role", &self.role).finish_non_exhaustive()
    }
}

/// The stored form of a key.
pub fn hash_key(key: &str) -> String {
    format!("sha256:{}", sha256_hex(key.trim().as_bytes()))
}

/// The SHA-256 of `bytes`, as hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares without stopping at the first difference, so timing says nothing of the hash.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub name: String,
    pub role: Role,
}

impl Caller {
    /// Refuses callers without the admin role.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self.role {
            Role::Admin => Ok(()),
            Role::Reader | Role::Requester | Role::Reviewer => Err(ApiError::Forbidden(format!(
                "key {:?} is a {} key; this route needs an admin key",
                self.name,
                self.role.as_str()
            ))),
        }
    }
}

impl Role {
    /// Reads a role's name.
    pub fn from_name(s: &str) -> Option<Role> {
        [Role::Admin, Role::Reader, Role::Requester, Role::Reviewer].into_iter().find(|r| r.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reader => "reader",
            Role::Requester => "requester",
            Role::Reviewer => "reviewer",
        }
    }
}

/// A caller allowed to read the inventory and history (admin or reader keys).
#[derive(Debug, Clone)]
pub struct Reader(pub Caller);

impl FromRequestParts<std::sync::Arc<AppState>> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &std::sync::Arc<AppState>) -> Result<Self, Self::Rejection> {
        let c = Caller::from_request_parts(parts, state).await?;
        match c.role {
            Role::Admin | Role::Reader => Ok(Reader(c)),
            Role::Requester => Err(ApiError::Forbidden(format!(
                "key {:?} is a requester key: it asks for just-in-time access (/jit) and reads nothing else",
                c.name
            ))),
            Role::Reviewer => Err(ApiError::Forbidden(format!(
                "key {:?} is a reviewer key: it sees and decides its own review items (/reviews) and reads nothing else",
                c.name
            ))),
        }
    }
}

/// The configured key `key` is, if any (compared by hash, in constant time per key).
pub fn find_key(state: &AppState, key: &str) -> Option<ApiKey> {
    let hashed = hash_key(key);
    state.api_keys().iter().find(|k| same(&k.hash, &hashed)).cloned()
}

impl FromRequestParts<std::sync::Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &std::sync::Arc<AppState>) -> Result<Self, Self::Rejection> {
        // Authenticated once per request (by the permission middleware): not counted twice
        // against the key's rate limit.
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(c.clone());
        }
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        let Some(key) = header.and_then(|h| h.strip_prefix("Bearer ")).map(str::trim).filter(|k| !k.is_empty()) else {
            return Err(ApiError::Unauthorized("send an API key as Authorization: Bearer <key>".into()));
        };
        let hashed = hash_key(key);
        match state.api_keys().iter().find(|k| same(&k.hash, &hashed)) {
            Some(k) => {
                if state.limiter.check_key(&k.name).is_err() {
                    return Err(ApiError::TooManyRequests(format!(
                        "key {:?} sends too many requests; slow down",
                        k.name
                    )));
                }
                Ok(Caller { name: k.name.clone(), role: k.role })
            }
            None => Err(ApiError::Unauthorized("the API key is not valid".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_and_never_prints_keys() {
        assert_eq!(hash_key("k"), hash_key(" k\n"));
        assert!(hash_key("k").starts_with("sha256:") && hash_key("k").len() == 71);
        let k = ApiKey { name: "ops".into(), role: Role::Admin, hash: hash_key("secret") };
        assert!(!format!("{k:?}").contains(&hash_key("secret")));
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
