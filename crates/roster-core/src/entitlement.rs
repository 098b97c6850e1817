//! Resource types, entitlements (`board:123:subscriber`) and grants.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The kinds of resource Roster tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceType {
    /// The account itself (its seats and plan).
    Account,
    /// A user (for roles).
    User,
    /// An account role (admin, member, viewer, guest).
    Role,
    /// A team.
    Team,
    /// A workspace.
    Workspace,
    /// A board.
    Board,
}

impl ResourceType {
    /// Every type.
    pub const ALL: [ResourceType; 6] = [
        ResourceType::Account,
        ResourceType::User,
        ResourceType::Role,
        ResourceType::Team,
        ResourceType::Workspace,
        ResourceType::Board,
    ];

    /// The name used in entitlements and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::Account => "account",
            ResourceType::User => "user",
            ResourceType::Role => "role",
            ResourceType::Team => "team",
            ResourceType::Workspace => "workspace",
            ResourceType::Board => "board",
        }
    }

    /// The entitlement slugs this type has.
    pub fn slugs(self) -> &'static [&'static str] {
        match self {
            ResourceType::Role => &["assigned"],
            ResourceType::Team | ResourceType::Workspace => &["member", "owner"],
            ResourceType::Board => &["subscriber", "owner"],
            ResourceType::Account | ResourceType::User => &[],
        }
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ResourceType {
    type Err = EntitlementError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ResourceType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| EntitlementError::UnknownType(s.to_string()))
    }
}

/// Why an entitlement or principal could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntitlementError {
    #[error(
        "{0:?} is not an entitlement: write it as type:id:slug, for example board:123:subscriber or team:5:member"
    )]
    /// Not written as `type:id:slug`.
    Shape(String),
    #[error("unknown resource type {0:?}: use role, team, workspace or board")]
    /// A resource type Roster does not know.
    UnknownType(String),
    #[error("{rtype} has no entitlement {slug:?}: use {}", .allowed.join(" or "))]
    /// An entitlement the resource type does not have.
    UnknownSlug {
        /// The resource type.
        rtype: ResourceType,
        /// The entitlement asked for.
        slug: String,
        /// The entitlements the type has.
        allowed: Vec<String>,
    },
    #[error("{0:?} is not a valid id: ids are numbers (roles are admin, member, viewer, guest or a custom role's id)")]
    /// An id that is not a number.
    BadId(String),
}

/// Something that can be held: `type:id:slug`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entitlement {
    /// The resource's type.
    pub rtype: ResourceType,
    /// The resource's id (a role's name for roles).
    pub rid: String,
    /// What it grants (`member`, `owner`, `subscriber`, ...).
    pub slug: String,
}

impl Entitlement {
    /// Builds one, checking the slug and the id.
    pub fn new(
        rtype: ResourceType,
        rid: impl Into<String>,
        slug: impl Into<String>,
    ) -> Result<Entitlement, EntitlementError> {
        let (rid, slug) = (rid.into(), slug.into());
        if !rtype.slugs().contains(&slug.as_str()) {
            return Err(EntitlementError::UnknownSlug {
                rtype,
                slug,
                allowed: rtype.slugs().iter().map(|s| s.to_string()).collect(),
            });
        }
        let id_ok = match rtype {
            // A basic role by name, or a custom role (Enterprise) by monday.com's role id.
            ResourceType::Role => Role::parse(&rid).is_some() || is_custom_role_id(&rid),
            _ => !rid.is_empty() && rid.trim_start_matches('-').chars().all(|c| c.is_ascii_digit()),
        };
        if !id_ok {
            return Err(EntitlementError::BadId(rid));
        }
        Ok(Entitlement { rtype, rid, slug })
    }

    /// The role id when this is a custom role's entitlement (`role:<id>:assigned`).
    pub fn custom_role(&self) -> Option<&str> {
        (self.rtype == ResourceType::Role && is_custom_role_id(&self.rid)).then_some(self.rid.as_str())
    }
}

/// Whether `s` can be a monday.com id (a user's, a board's, a role's): a number of at most 20
/// digits.
pub fn is_monday_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 20 && s.chars().all(|c| c.is_ascii_digit())
}

/// Whether `s` can be a custom role's id (see [`is_monday_id`]).
pub fn is_custom_role_id(s: &str) -> bool {
    is_monday_id(s)
}

impl fmt::Display for Entitlement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.rtype, self.rid, self.slug)
    }
}

impl FromStr for Entitlement {
    type Err = EntitlementError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.trim().split(':').collect();
        let [t, id, slug] = parts.as_slice() else { return Err(EntitlementError::Shape(s.to_string())) };
        Entitlement::new(t.parse()?, *id, *slug)
    }
}

use crate::records::Role;

/// Who holds a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrincipalType {
    /// A user.
    User,
    /// A team (its members get the access).
    Team,
}

impl PrincipalType {
    /// The store's name.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::User => "user",
            PrincipalType::Team => "team",
        }
    }
}

/// A user or a team (team `-1` is everyone in the account).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Principal {
    /// A user or a team.
    pub ptype: PrincipalType,
    /// Its id.
    pub id: String,
}

impl Principal {
    /// A user.
    pub fn user(id: impl ToString) -> Principal {
        Principal { ptype: PrincipalType::User, id: id.to_string() }
    }
    /// A team.
    pub fn team(id: impl ToString) -> Principal {
        Principal { ptype: PrincipalType::Team, id: id.to_string() }
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.ptype.as_str(), self.id)
    }
}

/// Why a principal holds an entitlement.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum GrantSource {
    /// Granted to the principal itself.
    Direct,
    /// Inherited as a member of this team.
    Team(String),
}

impl GrantSource {
    /// `direct` or `team:<id>`.
    pub fn as_string(&self) -> String {
        match self {
            GrantSource::Direct => "direct".to_string(),
            GrantSource::Team(t) => format!("team:{t}"),
        }
    }

    /// Reads `direct` or `team:<id>`.
    pub fn parse(s: &str) -> Option<GrantSource> {
        match s {
            "direct" => Some(GrantSource::Direct),
            _ => s.strip_prefix("team:").filter(|t| !t.is_empty()).map(|t| GrantSource::Team(t.to_string())),
        }
    }
}

/// `entitlement` held by `principal`, for `source`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Grant {
    /// What is granted.
    pub entitlement: Entitlement,
    /// To whom.
    pub principal: Principal,
    /// Directly, or through a team.
    pub source: GrantSource,
}

impl Grant {
    /// A direct grant.
    pub fn direct(entitlement: Entitlement, principal: Principal) -> Grant {
        Grant { entitlement, principal, source: GrantSource::Direct }
    }
}

impl fmt::Display for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} → {} ({})", self.principal, self.entitlement, self.source.as_string())
    }
}

/// The direct grants of a container with user and team members and owners, as monday.com
/// lists them (owners are also members).
pub fn membership_grants(
    rtype: ResourceType,
    rid: &str,
    members: &[u64],
    owners: &[u64],
    team_members: &[i128],
    team_owners: &[i128],
) -> Vec<Grant> {
    let member_slug = if rtype == ResourceType::Board { "subscriber" } else { "member" };
    let ent = |slug: &str| Entitlement { rtype, rid: rid.to_string(), slug: slug.to_string() };
    let mut out = Vec::with_capacity(members.len() + owners.len() + team_members.len() + team_owners.len());
    out.extend(members.iter().map(|u| Grant::direct(ent(member_slug), Principal::user(u))));
    out.extend(owners.iter().map(|u| Grant::direct(ent("owner"), Principal::user(u))));
    out.extend(team_members.iter().map(|t| Grant::direct(ent(member_slug), Principal::team(t))));
    out.extend(team_owners.iter().map(|t| Grant::direct(ent("owner"), Principal::team(t))));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entitlements_parse_and_print() {
        let e: Entitlement = "board:123:subscriber".parse().unwrap();
        assert_eq!(e.to_string(), "board:123:subscriber");
        assert_eq!("role:admin:assigned".parse::<Entitlement>().unwrap().rid, "admin");
        assert!(matches!("board:123".parse::<Entitlement>(), Err(EntitlementError::Shape(_))));
        assert!(matches!("boards:1:owner".parse::<Entitlement>(), Err(EntitlementError::UnknownType(_))));
        let e = "team:5:subscriber".parse::<Entitlement>().unwrap_err();
        assert_eq!(e.to_string(), "team has no entitlement \"subscriber\": use member or owner");
        assert!(matches!("board:abc:owner".parse::<Entitlement>(), Err(EntitlementError::BadId(_))));
        assert!(matches!("role:superuser:assigned".parse::<Entitlement>(), Err(EntitlementError::BadId(_))));
    }

    #[test]
    fn sources_round_trip() {
        for s in [GrantSource::Direct, GrantSource::Team("9".into())] {
            assert_eq!(GrantSource::parse(&s.as_string()), Some(s));
        }
        assert_eq!(GrantSource::parse("team:"), None);
    }

    #[test]
    fn memberships_become_grants() {
        let g = membership_grants(ResourceType::Board, "7", &[1, 2], &[1], &[-1, 5], &[]);
        let shown: Vec<String> = g.iter().map(|g| g.to_string()).collect();
        assert_eq!(
            shown,
            vec![
                "user:1 → board:7:subscriber (direct)",
                "user:2 → board:7:subscriber (direct)",
                "user:1 → board:7:owner (direct)",
                "team:-1 → board:7:subscriber (direct)",
                "team:5 → board:7:subscriber (direct)",
            ]
        );
    }
}
