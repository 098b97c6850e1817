//! Who calls: the bearer key of a request, checked against the configured keys (by hash, in
//! constant time) and the per-key rate, as the `Caller` and `Reader` extractors.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::error::ApiError;
use crate::keys::{hash_key, same, ApiKey, Role};
use crate::state::AppState;

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The API key's name (a reviewer's e-mail for reviewer keys).
    pub name: String,
    /// Its role.
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
