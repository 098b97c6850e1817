//! What one sync stores about users, resources and the account.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A user's role in the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An account admin.
    Admin,
    /// A member.
    Member,
    /// A viewer (read-only).
    Viewer,
    /// A guest from outside the company.
    Guest,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Member, Role::Viewer, Role::Guest];

    /// The name used everywhere.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Member => "member",
            Role::Viewer => "viewer",
            Role::Guest => "guest",
        }
    }

    /// How much the role may do (guest 0 .. admin 3): a change to a lower rank takes
    /// privileges away.
    pub fn rank(self) -> u8 {
        match self {
            Role::Admin => 3,
            Role::Member => 2,
            Role::Viewer => 1,
            Role::Guest => 0,
        }
    }

    /// Reads a role name (`view_only` is monday's older word for viewer).
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            "viewer" | "view_only" => Some(Role::Viewer),
            "guest" => Some(Role::Guest),
            _ => None,
        }
    }
}

/// A user's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    /// Can sign in.
    Active,
    /// Invited, not yet joined.
    Pending,
    /// Deactivated: cannot sign in, keeps no seat.
    Deactivated,
}

impl UserStatus {
    /// The name used everywhere.
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Pending => "pending",
            UserStatus::Deactivated => "deactivated",
        }
    }

    /// Reads a status name.
    pub fn parse(s: &str) -> Option<UserStatus> {
        match s.trim().to_ascii_lowercase().as_str() {
            "active" => Some(UserStatus::Active),
            "pending" => Some(UserStatus::Pending),
            "deactivated" | "inactive" => Some(UserStatus::Deactivated),
            _ => None,
        }
    }
}

/// One user as a sync saw them. Keyed by monday's immutable id, never by e-mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRecord {
    /// monday.com's user id.
    pub id: String,
    /// Full name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Job title.
    pub title: String,
    /// Admin, member, viewer or guest.
    pub role: Role,
    /// Active, pending or deactivated.
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
    /// How the user joined (`user`, `scim`, `sso`, ...).
    pub invitation_method: Option<String>,
    /// monday.com's `User.kind` when it is not one of the four basic ones (`service_user`,
    /// `agent_member`, or one Roster does not know yet), kept as it came; `role` then holds the
    /// access it is treated as. `None`: a person of kind `role`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The id of the department the user is a member of (Enterprise), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

/// The stored columns of a user, in the store's order: the store builds its reads and writes
/// from this list (with `sync_id`, and `email_lower` for the case-free e-mail), so a field
/// added to [`UserRecord`] goes here once.
pub const USER_COLUMNS: [&str; 14] = [
    "id",
    "name",
    "email",
    "title",
    "role",
    "status",
    "is_email_confirmed",
    "created_at",
    "became_active_at",
    "last_activity",
    "time_zone",
    "invitation_method",
    "kind",
    "department",
];

/// A user field whose change between two snapshots is an event. The store's diff compares the
/// same fields in SQL ([`UserField::column`]), the events say what changed
/// ([`crate::events::user_events`]); both read this list, and the store suite fails when they
/// disagree. Activity, title and the rest change too often, or matter too little, to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserField {
    /// The user's status.
    Status,
    /// The user's role.
    Role,
    /// The user's e-mail.
    Email,
    /// The user's name.
    Name,
}

impl UserField {
    /// Every compared field, in the order their events are written.
    pub const COMPARED: [UserField; 4] = [UserField::Status, UserField::Role, UserField::Email, UserField::Name];

    /// The store column the diff compares (the e-mail without regard to case, as monday.com).
    pub fn column(self) -> &'static str {
        match self {
            UserField::Status => "status",
            UserField::Role => "role",
            UserField::Email => "email_lower",
            UserField::Name => "name",
        }
    }

    /// Whether the field differs between two versions of a user.
    pub fn differs(self, a: &UserRecord, b: &UserRecord) -> bool {
        match self {
            UserField::Status => a.status != b.status,
            UserField::Role => a.role != b.role,
            UserField::Email => !a.has_email(&b.email),
            UserField::Name => a.name != b.name,
        }
    }
}

impl UserRecord {
    /// An active member, e-mail confirmed, with nothing else known: what a record starts from
    /// where only some fields matter (`UserRecord { role, ..UserRecord::new(..) }`).
    pub fn new(id: impl Into<String>, name: impl Into<String>, email: impl Into<String>) -> UserRecord {
        UserRecord {
            id: id.into(),
            name: name.into(),
            email: email.into(),
            title: String::new(),
            role: Role::Member,
            status: UserStatus::Active,
            is_email_confirmed: true,
            created_at: None,
            became_active_at: None,
            last_activity: None,
            time_zone: None,
            invitation_method: None,
            kind: None,
            department: None,
        }
    }

    /// Whether `email` is this user's, compared case-insensitively as monday.com does.
    pub fn has_email(&self, email: &str) -> bool {
        self.email.trim().eq_ignore_ascii_case(email.trim())
    }

    /// Whether the user is a person: not a service user, an AI agent or another kind of
    /// account-owned identity (they take no seat and answer no review mail).
    pub fn is_person(&self) -> bool {
        self.kind.is_none()
    }

    /// Whole days since the last activity as of `now` (`None`: never active).
    pub fn inactive_days(&self, now: DateTime<Utc>) -> Option<i64> {
        self.last_activity.map(|t| (now - t).num_days().max(0))
    }
}

/// A team, workspace or board as a sync saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRecord {
    /// Team, workspace or board.
    pub rtype: crate::ResourceType,
    /// monday.com's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The containing resource, e.g. `workspace:9` for a board.
    pub parent: Option<String>,
    /// `kind` (open/closed, public/private/share), `state` (active/archived/deleted), ...
    pub kind: Option<String>,
    /// `active`, `archived` or `deleted`.
    pub state: Option<String>,
}

/// A department and its seats as monday.com counts them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentSeats {
    /// monday.com's department id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Seats reserved for it.
    pub reserved_seats: i64,
    /// Seats its members take.
    pub assigned_seats: i64,
}

/// A service user (an identity API tokens act as, with no person behind it) and when its token
/// was last used, as `service_users` reports them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceUserToken {
    /// monday.com's user id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Enabled (not deactivated).
    pub enabled: bool,
    /// Whether it holds a token.
    pub has_token: bool,
    /// When it was created.
    pub created_at: Option<DateTime<Utc>>,
    /// When its token was last used.
    pub last_token_activity: Option<DateTime<Utc>>,
}

/// The account as a sync saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRecord {
    /// monday.com's account id.
    pub monday_id: String,
    /// The account's name.
    pub name: String,
    /// The account's URL slug.
    pub slug: String,
    /// The account's tier.
    pub tier: Option<String>,
    /// The plan's tier.
    pub plan_tier: Option<String>,
    /// Seats the plan pays for.
    pub max_users: Option<i64>,
    /// Active members, as monday.com counts them.
    pub active_members_count: Option<i64>,
    /// The account's departments and their seats (Enterprise; empty elsewhere).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub departments: Vec<DepartmentSeats>,
    /// The account's service users with their token activity; `None`: not readable with the
    /// sync's token (admins read them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_users: Option<Vec<ServiceUserToken>>,
}
