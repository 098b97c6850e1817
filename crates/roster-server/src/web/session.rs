//! Web sessions: signing in with an API key creates a session (a random token in an
//! HttpOnly, SameSite=Strict cookie; the key itself is never kept in the browser), which ends at
//! logout, after 30 idle minutes or 8 hours. Every form carries the session's CSRF token.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::auth::Role;
use crate::state::AppState;

pub const COOKIE: &str = "roster_session";
const IDLE: Duration = Duration::from_secs(30 * 60);
const LIFETIME: Duration = Duration::from_secs(8 * 3600);
const MAX_SESSIONS: usize = 10_000;

/// One signed-in person.
#[derive(Debug, Clone)]
pub struct Session {
    /// The API key's name (a reviewer's e-mail for reviewer keys).
    pub name: String,
    pub role: Role,
    /// Sent back in every form.
    pub csrf: String,
    started: Instant,
    seen: Instant,
}

impl Session {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
    /// Admin and reader keys read the inventory.
    pub fn reads(&self) -> bool {
        matches!(self.role, Role::Admin | Role::Reader)
    }
}

/// Sessions of this process, by the SHA-256 of their token (a memory dump shows no usable
/// token). Kept in memory: a restart signs everyone out, which is the safe way to fail.
#[derive(Default)]
pub struct Sessions(Mutex<HashMap<String, Session>>);

/// 32 random bytes as hex: session tokens, CSRF tokens.
pub(crate) fn random_hex() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|x| format!("{x:02x}")).collect()
}

impl Sessions {
    /// Starts a session; returns the cookie's token.
    pub fn start(&self, name: &str, role: Role) -> String {
        let token = random_hex();
        let now = Instant::now();
        let s = Session { name: name.into(), role, csrf: random_hex(), started: now, seen: now };
        if let Ok(mut m) = self.0.lock() {
            m.retain(|_, s| now.duration_since(s.seen) < IDLE && now.duration_since(s.started) < LIFETIME);
            if m.len() >= MAX_SESSIONS {
                m.clear();
            }
            m.insert(digest(&token), s);
        }
        token
    }

    /// The live session of `token`, refreshed.
    pub fn get(&self, token: &str) -> Option<Session> {
        let now = Instant::now();
        let mut m = self.0.lock().ok()?;
        let key = digest(token);
        let s = m.get_mut(&key)?;
        if now.duration_since(s.seen) >= IDLE || now.duration_since(s.started) >= LIFETIME {
            m.remove(&key);
            return None;
        }
        s.seen = now;
        Some(s.clone())
    }

    /// Ends the session of `token`.
    pub fn end(&self, token: &str) {
        if let Ok(mut m) = self.0.lock() {
            m.remove(&digest(token));
        }
    }
}

/// The session cookie's token in a request.
pub fn token(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
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

/// A page's signed-in caller; without a session the page redirects to the sign-in form.
pub struct Web(pub Session);

impl FromRequestParts<std::sync::Arc<AppState>> for Web {
    type Rejection = axum::response::Redirect;

    async fn from_request_parts(parts: &mut Parts, state: &std::sync::Arc<AppState>) -> Result<Self, Self::Rejection> {
        token(parts)
            .and_then(|t| state.sessions.get(&t))
            .map(Web)
            .ok_or_else(|| axum::response::Redirect::to("/ui/login"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_start_end_and_tokens_are_not_kept() {
        let s = Sessions::default();
        let t = s.start("ops", Role::Admin);
        assert_eq!(t.len(), 64);
        let got = s.get(&t).unwrap();
        assert_eq!((got.name.as_str(), got.csrf.len()), ("ops", 64));
        assert!(!s.0.lock().unwrap().contains_key(&t), "stored by digest only");
        s.end(&t);
        assert!(s.get(&t).is_none());
        assert!(s.get("forged").is_none());
    }
}
