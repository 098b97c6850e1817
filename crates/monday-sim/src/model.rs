//! The emulated account: users, teams, workspaces, boards and who belongs to what.
//!
//! `Org` is the serialisable ground truth (what `monday-sim dump` writes and `--state` loads);
//! `World` wraps it with the indexes the API needs and is only built from a validated `Org`.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Most user subscribers one board may have (monday.com: 400).
pub const MAX_BOARD_USER_SUBSCRIBERS: usize = 400;
/// Most team subscribers one board may have (monday.com: 100).
pub const MAX_BOARD_TEAM_SUBSCRIBERS: usize = 100;

/// A user's role in the account, as `User.kind` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserKind {
    /// An account admin.
    Admin,
    /// A member (a paid seat).
    Member,
    /// A viewer (read-only, no seat).
    Viewer,
    /// A guest from outside the company.
    Guest,
    /// A service user: an account-owned identity for API tokens, no person behind it.
    ServiceUser,
    /// An AI agent acting as a member.
    AgentMember,
}

impl UserKind {
    /// The lowercase string monday.com serves in `User.kind` (`service_user` and
    /// `agent_member` follow the `UserKindFilter` names [INF]).
    pub fn as_str(self) -> &'static str {
        match self {
            UserKind::Admin => "admin",
            UserKind::Member => "member",
            UserKind::Viewer => "viewer",
            UserKind::Guest => "guest",
            UserKind::ServiceUser => "service_user",
            UserKind::AgentMember => "agent_member",
        }
    }

    /// The `UserKindFilter` enum value that selects this kind.
    pub fn filter_name(self) -> &'static str {
        match self {
            UserKind::Admin => "ADMIN",
            UserKind::Member => "MEMBER",
            UserKind::Viewer => "VIEW_ONLY",
            UserKind::Guest => "GUEST",
            UserKind::ServiceUser => "SERVICE_USER",
            UserKind::AgentMember => "AGENT_MEMBER",
        }
    }

    /// A person's kind, one of the four a role can be built on: not a service or agent user.
    pub fn is_person(self) -> bool {
        matches!(self, UserKind::Admin | UserKind::Member | UserKind::Viewer | UserKind::Guest)
    }
}

impl UserKind {
    /// The id and name `account_roles` gives this kind's basic role (monday.com's documented
    /// answer: 1 admin, 2 member, 3 view_only, 4 guest, each of `roleType` `basic_role`).
    pub fn basic_role(self) -> (u64, &'static str) {
        match self {
            UserKind::Admin => (1, "admin"),
            UserKind::Member => (2, "member"),
            UserKind::Viewer => (3, "view_only"),
            UserKind::Guest => (4, "guest"),
            // Service and agent users hold member-level access [INF].
            UserKind::ServiceUser | UserKind::AgentMember => (2, "member"),
        }
    }
}

/// The highest id a basic role has; custom role ids are above it.
pub const MAX_BASIC_ROLE_ID: u64 = 4;

/// A custom role (Enterprise): a name over the user type it inherits its permissions from.
/// monday.com lets a custom role start from any type but admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomRole {
    /// The role's id (above [`MAX_BASIC_ROLE_ID`]).
    pub id: u64,
    /// The role's name.
    pub name: String,
    /// The kind whose permissions it starts from: a user holding it has this `User.kind`.
    pub base: UserKind,
}

/// A department (Enterprise): seats are reserved and charged per department in large accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    /// The department's id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Seats reserved for it.
    pub reserved_seats: u32,
    /// Member user ids, sorted; a user is in one department at most.
    pub members: Vec<u64>,
    /// Owner user ids, sorted; every owner is a member.
    pub owners: Vec<u64>,
}

/// A user's account status (`UserStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserStatus {
    /// Joined and enabled.
    Active,
    /// Deactivated.
    Inactive,
    /// Invited, has not accepted yet.
    Pending,
}

impl UserStatus {
    /// The `UserStatus` enum value.
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "ACTIVE",
            UserStatus::Inactive => "INACTIVE",
            UserStatus::Pending => "PENDING",
        }
    }
}

/// How the user came into the account (`InvitationMethod`), the values Roster sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InvitationMethod {
    /// Invited by another user.
    User,
    /// Created through SCIM.
    Scim,
    /// Joined through single sign-on.
    Sso,
    /// Joined from an allowed e-mail domain.
    AuthDomain,
    /// The account's first user.
    FirstUser,
    /// Created through the API.
    ApiUserCreation,
    /// Created by monday.com itself (service users).
    SystemCreation,
    /// Created as an AI agent.
    AgentUserCreation,
}

impl InvitationMethod {
    /// The `InvitationMethod` enum value.
    pub fn as_str(self) -> &'static str {
        match self {
            InvitationMethod::User => "USER",
            InvitationMethod::Scim => "SCIM",
            InvitationMethod::Sso => "SSO",
            InvitationMethod::AuthDomain => "AUTH_DOMAIN",
            InvitationMethod::FirstUser => "FIRST_USER",
            InvitationMethod::ApiUserCreation => "API_USER_CREATION",
            InvitationMethod::SystemCreation => "SYSTEM_CREATION",
            InvitationMethod::AgentUserCreation => "AGENT_USER_CREATION",
        }
    }
}

/// One person in the account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// The user's id.
    pub id: u64,
    /// Full name.
    pub name: String,
    /// E-mail, unique in the org (case-insensitively).
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
    pub created_at: DateTime<Utc>,
    /// When the user first became active.
    pub became_active_at: Option<DateTime<Utc>>,
    /// When the user was last active.
    pub last_activity: Option<DateTime<Utc>>,
    /// IANA time zone name.
    pub time_zone_identifier: Option<String>,
    /// Hours from UTC.
    pub utc_hours_diff: Option<f64>,
    /// How the user joined.
    pub invitation_method: InvitationMethod,
    /// Birthday, as monday.com writes it (`YYYY-MM-DD`).
    pub birthday: Option<String>,
    /// ISO country code.
    pub country_code: Option<String>,
    /// Free-text location.
    pub location: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Mobile phone number.
    pub mobile_phone: Option<String>,
    /// Interface language.
    pub current_language: Option<String>,
    /// Whether the user has a profile photo.
    pub has_photo: bool,
    /// The IdP's id for the user (SCIM `externalId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The custom role the user holds (`user_config.role_id`); `None`: their kind's basic role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_id: Option<u64>,
    /// SCIM attributes monday.com keeps but does not show through GraphQL (name parts,
    /// locale, addresses, phone numbers, ...), as the IdP sent them.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub scim_attributes: serde_json::Map<String, serde_json::Value>,
}

/// A monday.com team (a SCIM group).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    /// The team's id.
    pub id: u64,
    /// The team's name.
    pub name: String,
    /// A team of guests.
    pub is_guest: bool,
    /// When the team was created.
    pub created_at: DateTime<Utc>,
    /// Member user ids, sorted.
    pub members: Vec<u64>,
    /// Owner user ids, sorted; every owner is a member.
    pub owners: Vec<u64>,
    /// Created (and managed) through SCIM.
    #[serde(default)]
    pub scim_provisioned: bool,
    /// The IdP's id for the group (SCIM `externalId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

/// `WorkspaceKind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkspaceKind {
    /// Every member of the account can join.
    Open,
    /// Members join by invitation only.
    Closed,
    /// A template workspace.
    Template,
}

impl WorkspaceKind {
    /// The enum value.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkspaceKind::Open => "open",
            WorkspaceKind::Closed => "closed",
            WorkspaceKind::Template => "template",
        }
    }
}

/// `State` of a board or workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// In use.
    Active,
    /// Archived (kept, hidden).
    Archived,
    /// Deleted (in the trash).
    Deleted,
}

impl State {
    /// The enum value.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Active => "active",
            State::Archived => "archived",
            State::Deleted => "deleted",
        }
    }
}

/// `BoardKind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoardKind {
    /// Every member of the account can see it.
    Public,
    /// Subscribers only.
    Private,
    /// Shareable with guests.
    Share,
}

impl BoardKind {
    /// The enum value.
    pub fn as_str(self) -> &'static str {
        match self {
            BoardKind::Public => "public",
            BoardKind::Private => "private",
            BoardKind::Share => "share",
        }
    }
}

/// A workspace and its members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workspace {
    /// The workspace's id.
    pub id: u64,
    /// The workspace's name.
    pub name: String,
    /// Open, closed or template.
    pub kind: WorkspaceKind,
    /// Active, archived or deleted.
    pub state: State,
    /// Free-text description.
    pub description: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// User subscribers (members), sorted; includes the owners.
    pub members: Vec<u64>,
    /// User owners, sorted.
    pub owners: Vec<u64>,
    /// Team subscribers, sorted; includes the team owners.
    pub team_members: Vec<u64>,
    /// Team owners, sorted.
    pub team_owners: Vec<u64>,
}

/// A board and who can reach it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Board {
    /// The board's id.
    pub id: u64,
    /// The board's name.
    pub name: String,
    /// Public, private or shareable.
    pub kind: BoardKind,
    /// Active, archived or deleted.
    pub state: State,
    /// `None`: the account's main workspace.
    pub workspace_id: Option<u64>,
    /// The user who created it.
    pub creator_id: u64,
    /// Free-text description.
    pub description: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
    /// Who may edit: `everyone`, `collaborators`, `assignee` or `owners`.
    pub permissions: String,
    /// User subscribers, sorted; includes the owners.
    pub subscribers: Vec<u64>,
    /// User owners, sorted.
    pub owners: Vec<u64>,
    /// Team subscribers, sorted; includes the team owners.
    pub team_subscribers: Vec<u64>,
    /// Team owners, sorted.
    pub team_owners: Vec<u64>,
    /// Subscribed to by "everyone in the account" (served as team id `-1`).
    pub everyone: bool,
}

/// The account's plan (`Plan`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Seats the plan includes.
    pub max_users: i32,
    /// Billing period (`monthly`, `yearly`).
    pub period: String,
    /// Plan tier (`enterprise`, `pro`, ...).
    pub tier: String,
    /// Plan version.
    pub version: i32,
}

/// One product of the account (`AccountProduct`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    /// The product's id.
    pub id: u64,
    /// Which product (`core`, `crm`, `software`, ...).
    pub kind: String,
    /// The product's tier.
    pub tier: String,
    /// The product's default workspace.
    pub default_workspace_id: Option<u64>,
}

/// The account itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    /// The account's id.
    pub id: u64,
    /// The account's name.
    pub name: String,
    /// The account's URL slug (`acme` in acme.monday.com).
    pub slug: String,
    /// The account's tier.
    pub tier: String,
    /// The account's plan.
    pub plan: Plan,
    /// The products the account has.
    pub products: Vec<Product>,
    /// ISO country code.
    pub country_code: String,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

/// An API token and the user it acts as.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiToken {
    /// The token text a client sends.
    pub token: String,
    /// The user the token acts as.
    pub user_id: u64,
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiToken").field("token", &"***").field("user_id", &self.user_id).finish()
    }
}

/// The whole emulated account: the ground truth `dump` writes and `--state` loads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Org {
    /// The account.
    pub account: Account,
    /// Every user.
    pub users: Vec<User>,
    /// Every team, with members and owners.
    pub teams: Vec<Team>,
    /// Every workspace, with members and owners.
    pub workspaces: Vec<Workspace>,
    /// Every board, with subscribers and owners.
    pub boards: Vec<Board>,
    /// The API tokens the sim accepts.
    pub tokens: Vec<ApiToken>,
    /// Custom roles (Enterprise accounts), beside the four basic ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_roles: Vec<CustomRole>,
    /// Departments (Enterprise accounts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub departments: Vec<Department>,
    /// The audit log (Enterprise), oldest first (sorted when loaded).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audit_log: Vec<crate::audit::AuditEvent>,
    /// Boards' activity logs, oldest first: the membership changes made through the API.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activity_log: Vec<crate::activity::ActivityEntry>,
    /// The SCIM bearer token (separate from API tokens); `None`: SCIM is off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scim_token: Option<String>,
}

/// Why an `Org` cannot be served.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum OrgError {
    #[error("{kind} id {id} appears more than once")]
    /// Two entities of one kind share an id.
    DuplicateId {
        /// The kind of entity.
        kind: &'static str,
        /// Its id.
        id: u64,
    },
    #[error("email {0:?} is used by more than one user (emails compare case-insensitively)")]
    /// Two users share an e-mail.
    DuplicateEmail(String),
    #[error("{owner} refers to {kind} {id}, which does not exist")]
    /// A reference to an entity that does not exist.
    Dangling {
        /// What refers to it.
        owner: String,
        /// The kind of entity.
        kind: &'static str,
        /// Its id.
        id: u64,
    },
    #[error("{0}: an owner must also be a member/subscriber")]
    /// An owner who is not a member.
    OwnerNotMember(String),
    #[error("board {id} has {count} {what} subscribers; monday.com allows at most {max}")]
    /// A board over monday.com's subscriber limit.
    BoardLimit {
        /// The board.
        id: u64,
        /// Which subscribers (users or teams).
        what: &'static str,
        /// How many it has.
        count: usize,
        /// The most monday.com allows.
        max: usize,
    },
    #[error("token for user {0} is empty")]
    /// A token with no text.
    EmptyToken(u64),
    #[error("user {user} is a member of departments {first} and {second}; a user is in one department at most")]
    /// A user in two departments.
    TwoDepartments {
        /// The user.
        user: u64,
        /// One department.
        first: u64,
        /// The other.
        second: u64,
    },
    #[error("custom role {id} {problem}")]
    /// A custom role that cannot exist, or a user holding one they cannot hold.
    BadCustomRole {
        /// The role's id.
        id: u64,
        /// What is wrong.
        problem: String,
    },
}

/// An `Org` with lookup indexes; the read side of every API call.
#[derive(Debug, Clone)]
pub struct World {
    org: Org,
    user_idx: HashMap<u64, usize>,
    team_idx: HashMap<u64, usize>,
    workspace_idx: HashMap<u64, usize>,
    board_idx: HashMap<u64, usize>,
    /// Teams each user belongs to, sorted.
    user_teams: HashMap<u64, Vec<u64>>,
}

fn index<T>(items: &[T], kind: &'static str, id: impl Fn(&T) -> u64) -> Result<HashMap<u64, usize>, OrgError> {
    let mut map = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if map.insert(id(item), i).is_some() {
            return Err(OrgError::DuplicateId { kind, id: id(item) });
        }
    }
    Ok(map)
}

fn check_refs(owner: &str, kind: &'static str, ids: &[u64], known: &HashMap<u64, usize>) -> Result<(), OrgError> {
    match ids.iter().find(|id| !known.contains_key(id)) {
        Some(&id) => Err(OrgError::Dangling { owner: owner.to_string(), kind, id }),
        None => Ok(()),
    }
}

fn check_subset(owner: &str, owners: &[u64], members: &[u64]) -> Result<(), OrgError> {
    let set: HashSet<&u64> = members.iter().collect();
    if owners.iter().all(|o| set.contains(o)) {
        Ok(())
    } else {
        Err(OrgError::OwnerNotMember(owner.to_string()))
    }
}

fn check_custom_roles(org: &Org) -> Result<(), OrgError> {
    let bad = |id: u64, problem: String| Err(OrgError::BadCustomRole { id, problem });
    let mut bases = HashMap::with_capacity(org.custom_roles.len());
    for r in &org.custom_roles {
        if r.id <= MAX_BASIC_ROLE_ID {
            return bad(r.id, format!("uses an id of a basic role (custom role ids are above {MAX_BASIC_ROLE_ID})"));
        }
        if r.base == UserKind::Admin || !r.base.is_person() {
            return bad(
                r.id,
                format!("is based on {}; monday.com bases custom roles on member, viewer or guest", r.base.as_str()),
            );
        }
        if r.name.trim().is_empty() {
            return bad(r.id, "has no name".into());
        }
        if bases.insert(r.id, r.base).is_some() {
            return Err(OrgError::DuplicateId { kind: "custom role", id: r.id });
        }
    }
    for u in &org.users {
        match u.role_id.map(|id| (id, bases.get(&id))) {
            None => {}
            Some((id, None)) => {
                return Err(OrgError::Dangling { owner: format!("user {}", u.id), kind: "custom role", id })
            }
            Some((id, Some(base))) if *base != u.kind => {
                return bad(
                    id,
                    format!("is based on {}, but user {} holding it is {}", base.as_str(), u.id, u.kind.as_str()),
                )
            }
            Some(_) => {}
        }
    }
    Ok(())
}

impl World {
    /// Checks every invariant of `org` and builds the indexes.
    pub fn new(mut org: Org) -> Result<World, OrgError> {
        org.users.sort_by_key(|u| u.id);
        org.teams.sort_by_key(|t| t.id);
        org.workspaces.sort_by_key(|w| w.id);
        org.boards.sort_by_key(|b| b.id);
        // Stable: events of one instant keep the order they were logged in.
        org.audit_log.sort_by_key(|e| e.at);
        org.activity_log.sort_by_key(|e| e.at);
        let user_idx = index(&org.users, "user", |u| u.id)?;
        let team_idx = index(&org.teams, "team", |t| t.id)?;
        let workspace_idx = index(&org.workspaces, "workspace", |w| w.id)?;
        let board_idx = index(&org.boards, "board", |b| b.id)?;
        let mut emails = HashSet::with_capacity(org.users.len());
        for u in &org.users {
            if !emails.insert(u.email.to_lowercase()) {
                return Err(OrgError::DuplicateEmail(u.email.clone()));
            }
        }
        let mut user_teams: HashMap<u64, Vec<u64>> = HashMap::new();
        for t in &mut org.teams {
            t.members.sort_unstable();
            t.members.dedup();
            t.owners.sort_unstable();
            t.owners.dedup();
            let name = format!("team {}", t.id);
            check_refs(&name, "user", &t.members, &user_idx)?;
            check_subset(&name, &t.owners, &t.members)?;
            for m in &t.members {
                user_teams.entry(*m).or_default().push(t.id);
            }
        }
        for w in &mut org.workspaces {
            for list in [&mut w.members, &mut w.owners, &mut w.team_members, &mut w.team_owners] {
                list.sort_unstable();
                list.dedup();
            }
            let name = format!("workspace {}", w.id);
            check_refs(&name, "user", &w.members, &user_idx)?;
            check_refs(&name, "team", &w.team_members, &team_idx)?;
            check_subset(&name, &w.owners, &w.members)?;
            check_subset(&name, &w.team_owners, &w.team_members)?;
        }
        for b in &mut org.boards {
            for list in [&mut b.subscribers, &mut b.owners, &mut b.team_subscribers, &mut b.team_owners] {
                list.sort_unstable();
                list.dedup();
            }
            let name = format!("board {}", b.id);
            check_refs(&name, "user", &b.subscribers, &user_idx)?;
            check_refs(&name, "user", &[b.creator_id], &user_idx)?;
            check_refs(&name, "team", &b.team_subscribers, &team_idx)?;
            if let Some(ws) = b.workspace_id {
                check_refs(&name, "workspace", &[ws], &workspace_idx)?;
            }
            check_subset(&name, &b.owners, &b.subscribers)?;
            check_subset(&name, &b.team_owners, &b.team_subscribers)?;
            if b.subscribers.len() > MAX_BOARD_USER_SUBSCRIBERS {
                return Err(OrgError::BoardLimit {
                    id: b.id,
                    what: "user",
                    count: b.subscribers.len(),
                    max: MAX_BOARD_USER_SUBSCRIBERS,
                });
            }
            if b.team_subscribers.len() > MAX_BOARD_TEAM_SUBSCRIBERS {
                return Err(OrgError::BoardLimit {
                    id: b.id,
                    what: "team",
                    count: b.team_subscribers.len(),
                    max: MAX_BOARD_TEAM_SUBSCRIBERS,
                });
            }
        }
        for t in &org.tokens {
            if t.token.is_empty() {
                return Err(OrgError::EmptyToken(t.user_id));
            }
            check_refs("a token", "user", &[t.user_id], &user_idx)?;
        }
        check_custom_roles(&org)?;
        let mut department_of = HashMap::new();
        org.departments.sort_by_key(|d| d.id);
        index(&org.departments, "department", |d| d.id)?;
        for d in &mut org.departments {
            d.members.sort_unstable();
            d.members.dedup();
            d.owners.sort_unstable();
            d.owners.dedup();
            let name = format!("department {}", d.id);
            check_refs(&name, "user", &d.members, &user_idx)?;
            check_subset(&name, &d.owners, &d.members)?;
            for m in &d.members {
                if let Some(other) = department_of.insert(*m, d.id) {
                    return Err(OrgError::TwoDepartments { user: *m, first: other, second: d.id });
                }
            }
        }
        for list in user_teams.values_mut() {
            list.sort_unstable();
        }
        Ok(World { org, user_idx, team_idx, workspace_idx, board_idx, user_teams })
    }

    /// The ground truth.
    pub fn org(&self) -> &Org {
        &self.org
    }

    /// Gives the `Org` back (for a mutation that rebuilds the world).
    pub fn into_org(self) -> Org {
        self.org
    }

    /// All users, sorted by id.
    pub fn users(&self) -> &[User] {
        &self.org.users
    }
    /// All teams, sorted by id.
    pub fn teams(&self) -> &[Team] {
        &self.org.teams
    }
    /// All workspaces, sorted by id.
    pub fn workspaces(&self) -> &[Workspace] {
        &self.org.workspaces
    }
    /// All boards, sorted by id.
    pub fn boards(&self) -> &[Board] {
        &self.org.boards
    }
    /// The account.
    pub fn account(&self) -> &Account {
        &self.org.account
    }
    /// The custom roles.
    pub fn custom_roles(&self) -> &[CustomRole] {
        &self.org.custom_roles
    }
    /// The departments, sorted by id.
    pub fn departments(&self) -> &[Department] {
        &self.org.departments
    }

    /// The audit log, oldest first.
    pub fn audit_log(&self) -> &[crate::audit::AuditEvent] {
        &self.org.audit_log
    }

    /// Boards' activity logs, oldest first.
    pub fn activity_log(&self) -> &[crate::activity::ActivityEntry] {
        &self.org.activity_log
    }

    /// Whether the account is on the Enterprise plan (audit log, SCIM, custom roles).
    pub fn is_enterprise(&self) -> bool {
        self.org.account.plan.tier == "enterprise"
    }
    /// Whether a user takes a paid seat: enabled, not a guest, a person [INF].
    pub fn takes_seat(u: &User) -> bool {
        u.status != UserStatus::Inactive && u.kind != UserKind::Guest && u.kind.is_person()
    }

    /// Position of a user in `users()`.
    pub fn user_pos(&self, id: u64) -> Option<usize> {
        self.user_idx.get(&id).copied()
    }
    /// Position of a team in `teams()`.
    pub fn team_pos(&self, id: u64) -> Option<usize> {
        self.team_idx.get(&id).copied()
    }
    /// Position of a workspace in `workspaces()`.
    pub fn workspace_pos(&self, id: u64) -> Option<usize> {
        self.workspace_idx.get(&id).copied()
    }
    /// Position of a board in `boards()`.
    pub fn board_pos(&self, id: u64) -> Option<usize> {
        self.board_idx.get(&id).copied()
    }
    /// The teams a user belongs to.
    pub fn teams_of(&self, user_id: u64) -> &[u64] {
        self.user_teams.get(&user_id).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The user a token acts as.
    pub fn token_user(&self, token: &str) -> Option<&User> {
        let t = self.org.tokens.iter().find(|t| t.token == token)?;
        self.user_pos(t.user_id).map(|i| &self.org.users[i])
    }

    /// Whether `viewer` may see `board` (monday.com shows private and shareable boards only to
    /// their subscribers; admins see every board [INF]; guests only shareable boards they are on).
    pub fn can_see_board(&self, viewer: &User, board: &Board) -> bool {
        let subscribed = board.subscribers.binary_search(&viewer.id).is_ok()
            || board.team_subscribers.iter().any(|t| self.teams_of(viewer.id).binary_search(t).is_ok());
        match viewer.kind {
            UserKind::Admin => true,
            UserKind::Guest => board.kind == BoardKind::Share && subscribed,
            _ => board.kind == BoardKind::Public || subscribed,
        }
    }

    /// Whether `viewer` may see `ws` (closed workspaces only to members; admins all [INF]).
    pub fn can_see_workspace(&self, viewer: &User, ws: &Workspace) -> bool {
        let member = ws.members.binary_search(&viewer.id).is_ok()
            || ws.team_members.iter().any(|t| self.teams_of(viewer.id).binary_search(t).is_ok());
        match viewer.kind {
            UserKind::Admin => true,
            UserKind::Guest => member,
            _ => ws.kind != WorkspaceKind::Closed || member,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::{generate, GenConfig};

    fn org() -> Org {
        generate(&GenConfig { users: 60, teams: 4, workspaces: 3, boards: 10, ..GenConfig::default() }).unwrap()
    }

    #[test]
    fn rejects_broken_states_naming_the_problem() {
        let mut o = org();
        o.users[1].id = o.users[0].id;
        assert_eq!(World::new(o).unwrap_err(), OrgError::DuplicateId { kind: "user", id: 40_000_001 });

        let mut o = org();
        o.users[1].email = o.users[0].email.to_uppercase();
        assert!(matches!(World::new(o).unwrap_err(), OrgError::DuplicateEmail(_)));

        let mut o = org();
        o.boards[0].subscribers.push(1);
        let e = World::new(o).unwrap_err();
        assert!(e.to_string().contains("refers to user 1, which does not exist"), "{e}");

        let mut o = org();
        let outsider = o.users.iter().map(|u| u.id).find(|id| !o.teams[0].members.contains(id)).unwrap();
        o.teams[0].owners.push(outsider);
        assert!(matches!(World::new(o).unwrap_err(), OrgError::OwnerNotMember(_)));

        let mut o = generate(&GenConfig { users: 600, boards: 20, ..GenConfig::default() }).unwrap();
        let extra: Vec<u64> = o.users.iter().map(|u| u.id).filter(|id| !o.boards[0].subscribers.contains(id)).collect();
        let need = 401 - o.boards[0].subscribers.len();
        o.boards[0].subscribers.extend(&extra[..need]);
        assert_eq!(
            World::new(o).unwrap_err().to_string(),
            format!("board {} has 401 user subscribers; monday.com allows at most 400", 1_800_000_001)
        );
    }

    #[test]
    fn token_secrets_stay_out_of_debug() {
        let o = org();
        assert!(!format!("{o:?}").contains("sim-admin-token"));
    }
}
