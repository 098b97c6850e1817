//! The typed results the client returns, the same for every API version.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::client::malformed;
use crate::error::Error;

/// A user's role (`User.kind`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserKind {
    /// An account admin.
    Admin,
    /// A member.
    Member,
    /// A viewer.
    Viewer,
    /// A guest.
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
    /// Active.
    Active,
    /// `INACTIVE` in monday.com's enum.
    Deactivated,
    /// Invited, not joined.
    Pending,
}

/// One user with every fact Roster stores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// The user's id.
    pub id: u64,
    /// Full name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Job title.
    pub title: String,
    /// Admin, member, viewer or guest.
    pub kind: UserKind,
    /// Active, deactivated or pending.
    pub status: UserStatus,
    /// Whether the e-mail was confirmed.
    pub is_email_confirmed: bool,
    /// When the user was created.
    pub created_at: Option<DateTime<Utc>>,
    /// When the user first became active.
    pub became_active_at: Option<DateTime<Utc>>,
    /// When the user was last active.
    pub last_activity: Option<DateTime<Utc>>,
    /// IANA time zone name.
    pub time_zone: Option<String>,
    /// How the user was invited (`SCIM`, `USER`, `SSO`, ...).
    pub invitation_method: Option<String>,
    /// The role the user holds (`user_config.role_id`): their kind's basic role or a custom
    /// role of `Client::account_roles`.
    pub role_id: Option<u64>,
    /// The department the user is a member of (`User.department`), if any.
    pub department: Option<u64>,
}

/// A team and its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    /// The team's id.
    pub id: u64,
    /// The team's name.
    pub name: String,
    /// A team of guests.
    pub is_guest: bool,
    /// Owner ids, sorted.
    pub owners: Vec<u64>,
    /// Member ids (active, pending and deactivated), sorted.
    pub members: Vec<u64>,
}

/// A workspace and its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    /// The workspace's id.
    pub id: u64,
    /// The workspace's name.
    pub name: String,
    /// `open`, `closed` or `template`.
    pub kind: Option<String>,
    /// `active`, `archived` or `deleted`.
    pub state: Option<String>,
    /// Free-text description.
    pub description: Option<String>,
    /// When it was created.
    pub created_at: Option<DateTime<Utc>>,
    /// Owners' user ids.
    pub owners: Vec<u64>,
    /// Members' user ids.
    pub members: Vec<u64>,
    /// Owning teams' ids.
    pub team_owners: Vec<u64>,
    /// Member teams' ids.
    pub team_members: Vec<u64>,
}

/// A board and who subscribes to and owns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    /// The board's id.
    pub id: u64,
    /// The board's name.
    pub name: String,
    /// `public`, `private` or `share`.
    pub kind: String,
    /// `active`, `archived` or `deleted`.
    pub state: String,
    /// `None`: the main workspace.
    pub workspace_id: Option<u64>,
    /// Who may edit (`everyone`, `owners`, ...).
    pub permissions: String,
    /// The user who created it.
    pub creator_id: u64,
    /// When it was created.
    pub created_at: Option<DateTime<Utc>>,
    /// When it was last changed.
    pub updated_at: Option<DateTime<Utc>>,
    /// Owners' user ids.
    pub owners: Vec<u64>,
    /// Subscribers' user ids.
    pub subscribers: Vec<u64>,
    /// Team ids; `-1` means everyone in the account.
    /// Team ids: `-1` is everyone in the account; the rest are monday.com's ids, which use the
    /// whole u64 range (i128 holds both).
    pub team_owners: Vec<i128>,
    /// Subscribed teams' ids (`-1`: everyone in the account).
    pub team_subscribers: Vec<i128>,
}

/// The account's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Seats.
    pub max_users: i64,
    /// Billing period.
    pub period: Option<String>,
    /// Plan tier.
    pub tier: Option<String>,
}

/// One product of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// The product's id.
    pub id: Option<u64>,
    /// Which product (`core`, `crm`, ...).
    pub kind: Option<String>,
    /// The product's tier.
    pub tier: Option<String>,
}

/// The account, its plan, and who the token acts as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// The account's id.
    pub id: u64,
    /// The account's name.
    pub name: String,
    /// The account's URL slug.
    pub slug: String,
    /// The account's tier.
    pub tier: Option<String>,
    /// Active members, as monday.com counts them.
    pub active_members_count: Option<i64>,
    /// The account's plan.
    pub plan: Option<Plan>,
    /// The products the account has.
    pub products: Vec<Product>,
    /// The token's user.
    pub me_id: u64,
    /// The kind of the user the token acts as.
    pub me_kind: UserKind,
    /// The API version that answered.
    pub api_version: String,
}

/// The account with its roles, departments and service users, as one request reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountOverview {
    /// The account.
    pub account: Account,
    /// Its roles, basic and custom.
    pub roles: Vec<AccountRole>,
    /// Its departments (none outside Enterprise).
    pub departments: Vec<Department>,
    /// Its service users.
    pub service_users: Vec<ServiceUser>,
    /// Every board id the listing asked for selects, if asked.
    pub board_ids: Option<Vec<u64>>,
    /// Every workspace id the listing asked for selects, if asked.
    pub workspace_ids: Option<Vec<u64>>,
}

/// A department (Enterprise) with its seats (its members say so on each `User`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    /// The department's id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Seats reserved for it.
    pub reserved_seats: i64,
    /// Seats its members take, as monday.com counts them.
    pub assigned_seats: i64,
}

/// One role of the account (`account_roles`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRole {
    /// The role's id: what `User.user_config.role_id` refers to.
    pub id: u64,
    /// The role's name (`view_only` for the viewer's basic role).
    pub name: String,
    /// A custom role (any `roleType` but monday.com's `basic_role`).
    pub custom: bool,
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

/// A service user: an identity API tokens act as, with no person behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceUser {
    /// Its user id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Not deactivated.
    pub enabled: bool,
    /// Whether it holds a token.
    pub has_token: bool,
    /// When it was created.
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When its token was last used.
    pub last_token_activity: Option<chrono::DateTime<chrono::Utc>>,
}
