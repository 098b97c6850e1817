//! API keys and their roles, kept as SHA-256 hashes (the configuration never holds a key),
//! and the random tokens the web UI hands out. A leaf: it imports nothing of this crate.

use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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

impl Role {
    /// Reads a role's name.
    pub fn from_name(s: &str) -> Option<Role> {
        [Role::Admin, Role::Reader, Role::Requester, Role::Reviewer].into_iter().find(|r| r.as_str() == s)
    }

    /// The role's name, as configured and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reader => "reader",
            Role::Requester => "requester",
            Role::Reviewer => "reviewer",
        }
    }
}

/// One configured key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    /// The key's name (a reviewer's e-mail for reviewer keys).
    pub name: String,
    /// What it may do.
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
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares without stopping at the first difference, so timing says nothing of the hash.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// 32 random bytes as hex: session tokens, CSRF tokens.
pub fn random_hex() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
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
        assert_ne!(random_hex(), random_hex());
    }
}
