//! Web sessions: signing in with an API key creates a session (a random token in an
//! HttpOnly, SameSite=Strict cookie; the key itself is never kept in the browser), which ends at
//! logout, after 30 idle minutes or 8 hours. Every form carries the session's CSRF token.

use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use roster_store::{Store, StoreError, WebSession};

use crate::keys::Role;
use crate::state::AppState;

/// The session cookie's name.
pub const COOKIE: &str = "roster_session";
const IDLE: Duration = Duration::from_secs(30 * 60);
const LIFETIME: Duration = Duration::from_secs(8 * 3600);

/// One signed-in person.
#[derive(Debug, Clone)]
pub struct Session {
    /// The API key's name (a reviewer's e-mail for reviewer keys).
    pub name: String,
    /// The key's role.
    pub role: Role,
    /// Sent back in every form.
    pub csrf: String,
}

impl Session {
    /// Admin keys change monday.com (the permission matrix says who, for the API too).
    pub fn is_admin(&self) -> bool {
        crate::policy::may(self.role, crate::policy::Act::Change)
    }
    /// Admin and reader keys read the inventory.
    pub fn reads(&self) -> bool {
        crate::policy::may(self.role, crate::policy::Act::ReadInventory)
    }
    /// Refuses what the permission matrix does not allow this session's role.
    pub fn require(&self, act: crate::policy::Act) -> Result<(), super::WebError> {
        if crate::policy::may(self.role, act) {
            Ok(())
        } else {
            Err(super::WebError::forbidden(format!(
                "a {} key may not {}",
                self.role.as_str(),
                crate::policy::describe(act)
            )))
        }
    }
}

/// Sessions live in the store, so every worker behind a load balancer knows them, by the
/// SHA-256 of their token (the database never holds a usable token).
#[derive(Default)]
pub struct Sessions;

fn digest(token: &str) -> String {
    crate::keys::sha256_hex(token.as_bytes())
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Sessions {
    /// Starts a session (and ends the stale ones); returns the cookie's token.
    pub async fn start(&self, store: &dyn Store, name: &str, role: Role) -> Result<String, StoreError> {
        let token = crate::keys::random_hex();
        let now = now_ms();
        store.end_sessions(None, now - IDLE.as_millis() as i64, now - LIFETIME.as_millis() as i64).await?;
        let s = WebSession {
            digest: digest(&token),
            name: name.into(),
            role: role.as_str().into(),
            csrf: crate::keys::random_hex(),
            started_ms: now,
            seen_ms: now,
        };
        store.add_session(&s).await?;
        Ok(token)
    }

    /// The live session of `token`, marked used (at most once a minute, to spare writes).
    pub async fn get(&self, store: &dyn Store, token: &str) -> Result<Option<Session>, StoreError> {
        let key = digest(token);
        let Some(s) = store.web_session(&key).await? else { return Ok(None) };
        let now = now_ms();
        if now - s.seen_ms >= IDLE.as_millis() as i64 || now - s.started_ms >= LIFETIME.as_millis() as i64 {
            store.end_sessions(Some(&key), 0, 0).await?;
            return Ok(None);
        }
        if now - s.seen_ms >= 60_000 {
            store.touch_session(&key, now).await?;
        }
        Ok(Role::from_name(&s.role).map(|role| Session { name: s.name, role, csrf: s.csrf }))
    }

    /// Ends the session of `token`.
    pub async fn end(&self, store: &dyn Store, token: &str) -> Result<(), StoreError> {
        store.end_sessions(Some(&digest(token)), 0, 0).await.map(|_| ())
    }
}

/// The session cookie's token in a request.
pub fn token(parts: &Parts) -> Option<String> {
    cookie_value(&parts.headers, COOKIE)
}

/// The value of cookie `name` in a request's headers.
pub fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The cookie that carries a new session; `Secure` when the browser came over HTTPS (through
/// a TLS-terminating proxy that says so in `X-Forwarded-Proto`).
pub fn cookie(token: &str, https: bool) -> String {
    let secure = if https { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path=/ui; HttpOnly; SameSite=Strict; Max-Age={}{secure}", LIFETIME.as_secs())
}

/// The cookie that ends one.
pub fn expired_cookie() -> String {
    format!("{COOKIE}=; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// A page's signed-in caller; without a session the page redirects to the sign-in form. A
/// session whose key was removed or changed role (configuration reload) has ended.
pub struct Web(pub Session);

impl FromRequestParts<std::sync::Arc<AppState>> for Web {
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut Parts, state: &std::sync::Arc<AppState>) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let to_login = || axum::response::Redirect::to("/ui/login").into_response();
        let Some(t) = token(parts) else { return Err(to_login()) };
        let s = match Sessions.get(state.store.as_ref(), &t).await {
            Ok(Some(s)) => s,
            Ok(None) => return Err(to_login()),
            Err(e) => return Err(super::WebError::internal(e.to_string()).into_response()),
        };
        if !state.api_keys().iter().any(|k| k.name == s.name && k.role == s.role) {
            let _ = Sessions.end(state.store.as_ref(), &t).await;
            return Err(to_login());
        }
        Ok(Web(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roster_store::prelude::*;

    #[tokio::test]
    async fn sessions_start_end_and_tokens_are_not_kept() {
        let store = roster_store::SqlStore::in_memory().await.unwrap();
        let s = Sessions;
        let t = s.start(&store, "ops", Role::Admin).await.unwrap();
        assert_eq!(t.len(), 64);
        let got = s.get(&store, &t).await.unwrap().unwrap();
        assert_eq!((got.name.as_str(), got.role, got.csrf.len()), ("ops", Role::Admin, 64));
        assert!(store.web_session(&t).await.unwrap().is_none(), "stored by digest only");
        s.end(&store, &t).await.unwrap();
        assert!(s.get(&store, &t).await.unwrap().is_none());
        assert!(s.get(&store, "forged").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn idle_sessions_end() {
        let store = roster_store::SqlStore::in_memory().await.unwrap();
        let t = Sessions.start(&store, "ops", Role::Reader).await.unwrap();
        store.touch_session(&digest(&t), now_ms() - IDLE.as_millis() as i64 - 1).await.unwrap();
        assert!(Sessions.get(&store, &t).await.unwrap().is_none(), "30 idle minutes end it");
    }
}
