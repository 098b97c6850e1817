//! The typed results the client returns, the same for every API version.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::client::malformed;
use crate::error::Error;

/// A user's role (`User.kind`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserKind {
    Admin,
    Member,
    Viewer,
    Guest,
    /// A kind this client does not know (monday.com adds agent and service kinds).
    Other(String),
}

impl UserKind {
    /// From `User.kind`.
    pub fn parse(s: &str) -> UserKind {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => UserKind::Admin,
            "member" => UserKind::Member,
            "viewer" | "view_only" => UserKind::Viewer,
            "guest" => UserKind::Guest,
            other => UserKind::Other(other.to_string()),
        }
    }
}

/// A user's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Active,
    /// `INACTIVE` in monday.com's enum.
    Deactivated,
    /// Invited, not joined.
    Pending,
}

/// One user with every fact Roster stores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: u64,
    pub name: String,
    pub email: String,
    pub title: String,
    pub kind: UserKind,
    pub status: UserStatus,
    pub is_email_confirmed: bool,
    pub created_at: Option<DateTime<Utc>>,
    pub became_active_at: Option<DateTime<Utc>>,
    pub last_activity: Option<DateTime<Utc>>,
    pub time_zone: Option<String>,
    /// How the user was invited (`SCIM`, `USER`, `SSO`, ...).
    pub invitation_method: Option<String>,
}

/// A team and its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: u64,
    pub name: String,
    pub is_guest: bool,
    /// Owner ids, sorted.
    pub owners: Vec<u64>,
    /// Member ids (active, pending and deactivated), sorted.
    pub members: Vec<u64>,
}

/// A workspace and its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    pub id: u64,
    pub name: String,
    /// `open`, `closed` or `template`.
    pub kind: Option<String>,
    /// `active`, `archived` or `deleted`.
    pub state: Option<String>,
    pub description: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub owners: Vec<u64>,
    pub members: Vec<u64>,
    pub team_owners: Vec<u64>,
    pub team_members: Vec<u64>,
}

/// A board and who subscribes to and owns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub id: u64,
    pub name: String,
    /// `public`, `private` or `share`.
    pub kind: String,
    /// `active`, `archived` or `deleted`.
    pub state: String,
    /// `None`: the main workspace.
    pub workspace_id: Option<u64>,
    pub permissions: String,
    pub creator_id: u64,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    pub owners: Vec<u64>,
    pub subscribers: Vec<u64>,
    /// Team ids; `-1` means everyone in the account.
    /// Team ids: `-1` is everyone in the account; the rest are monday.com's ids, which use the
    /// whole u64 range (i128 holds both).
    pub team_owners: Vec<i128>,
    pub team_subscribers: Vec<i128>,
}

/// The account's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Seats.
    pub max_users: i64,
    pub period: Option<String>,
    pub tier: Option<String>,
}

/// One product of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub id: Option<u64>,
    pub kind: Option<String>,
    pub tier: Option<String>,
}

/// The account, its plan, and who the token acts as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: u64,
    pub name: String,
    pub slug: String,
    pub tier: Option<String>,
    pub active_members_count: Option<i64>,
    pub plan: Option<Plan>,
    pub products: Vec<Product>,
    /// The token's user.
    pub me_id: u64,
    pub me_kind: UserKind,
    /// The API version that answered.
    pub api_version: String,
}

/// Parses an ISO 8601 time or a bare date (midnight UTC).
pub(crate) fn time(raw: Option<&str>, what: &str) -> Result<Option<DateTime<Utc>>, Error> {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(None) };
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    if let Ok(d) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()));
    }
    // monday.com also writes "2024-01-01 12:00:00 UTC".
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(raw.trim_end_matches(" UTC"), "%Y-%m-%d %H:%M:%S") {
        return Ok(Some(t.and_utc()));
    }
    Err(malformed(what, format!("{raw:?} is not a date or time")))
}

/// Sorted, without duplicates.
pub(crate) fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_every_shape() {
        assert_eq!(time(Some("2026-01-02T03:04:05Z"), "t").unwrap().unwrap().to_rfc3339(), "2026-01-02T03:04:05+00:00");
        assert_eq!(time(Some("2026-01-02"), "t").unwrap().unwrap().to_rfc3339(), "2026-01-02T00:00:00+00:00");
        assert_eq!(
            time(Some("2026-01-02 10:00:00 UTC"), "t").unwrap().unwrap().to_rfc3339(),
            "2026-01-02T10:00:00+00:00"
        );
        assert_eq!(time(None, "t").unwrap(), None);
        assert!(time(Some("yesterday"), "user 5 last_activity")
            .unwrap_err()
            .to_string()
            .contains("user 5 last_activity"));
    }

    #[test]
    fn kinds() {
        assert_eq!(UserKind::parse("ADMIN"), UserKind::Admin);
        assert_eq!(UserKind::parse("view_only"), UserKind::Viewer);
        assert_eq!(UserKind::parse("agent"), UserKind::Other("agent".into()));
    }
}
