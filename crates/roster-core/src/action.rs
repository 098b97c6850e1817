//! Actions: the changes Roster can make, a plan of them, and the guard against mass changes.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::entitlement::{Entitlement, Principal, PrincipalType, ResourceType};
use crate::records::Role;

/// One intended change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Invite a user by e-mail with a role.
    Invite {
        /// The e-mail to invite.
        email: String,
        /// The role.
        role: Role,
    },
    /// Change a user's role.
    SetRole {
        /// The user's id.
        user: String,
        /// The role.
        role: Role,
    },
    /// Give a user a custom role (Enterprise). monday.com makes the role's base the user's
    /// basic role: `base` is that role, found by the plan's check from the role's holders in
    /// the snapshot (a role nobody holds has a base Roster cannot know, and is refused).
    SetCustomRole {
        /// The user's id.
        user: String,
        /// The custom role's id (`account_roles`).
        role_id: String,
        /// The basic role it is built on, once known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        base: Option<Role>,
    },
    /// Deactivate a user.
    Deactivate {
        /// The user's id.
        user: String,
    },
    /// Reactivate a user.
    Activate {
        /// The user's id.
        user: String,
    },
    /// Give a user or team an entitlement.
    Grant {
        /// The entitlement.
        entitlement: Entitlement,
        /// The user or team.
        principal: Principal,
    },
    /// Take an entitlement away from a user or team.
    Revoke {
        /// The entitlement.
        entitlement: Entitlement,
        /// The user or team.
        principal: Principal,
    },
    /// Create a team.
    CreateTeam {
        /// The team's name.
        name: String,
        /// User ids of its first members.
        members: Vec<String>,
    },
    /// Delete a team.
    DeleteTeam {
        /// The team's id.
        team: String,
    },
}

/// Why an action cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    #[error("a team cannot be a member or owner of a team ({0})")]
    /// A team given team membership.
    TeamInTeam(String),
    #[error("a role is changed, not granted to a team or revoked: use `roster role USER ROLE` ({0})")]
    /// A role granted or revoked instead of set.
    RoleGrant(String),
    #[error("monday.com's API cannot remove {0} alone: revoke the {1} entitlement to remove the principal (that also ends the ownership)")]
    /// An ownership removed alone, which monday.com's API cannot do.
    OwnerOnly(String, &'static str),
    #[error("team -1 (everyone in the account) can only subscribe to boards ({0})")]
    /// Team -1 (everyone) on something other than a board.
    EveryoneOnlyOnBoards(String),
    #[error("{0:?} is not an e-mail address")]
    /// An invitation to something that is not an e-mail address.
    BadEmail(String),
    #[error("a team needs a name")]
    /// A team without a name.
    EmptyName,
    #[error("a custom role is given with `roster role USER --role-id {0}`, not granted as an entitlement")]
    /// A custom role granted or revoked as an entitlement instead of set.
    CustomRole(String),
    #[error("{0:?} is not a custom role id: ids are numbers (see the role entitlements in `roster access USER`)")]
    /// A custom role id that is not a number.
    BadRoleId(String),
}

fn plausible_email(e: &str) -> bool {
    matches!(e.split_once('@'), Some((l, d)) if !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.') && !e.contains(char::is_whitespace))
}

impl Action {
    /// Checks what can be checked without the account's state.
    pub fn validate(&self) -> Result<(), ActionError> {
        match self {
            Action::Invite { email, .. } if !plausible_email(email) => Err(ActionError::BadEmail(email.clone())),
            Action::CreateTeam { name, .. } if name.trim().is_empty() => Err(ActionError::EmptyName),
            Action::SetCustomRole { role_id, .. } if !crate::entitlement::is_custom_role_id(role_id) => {
                Err(ActionError::BadRoleId(role_id.clone()))
            }
            Action::Grant { entitlement: e, principal: p } | Action::Revoke { entitlement: e, principal: p } => {
                let shown = format!("{p} → {e}");
                if let Some(id) = e.custom_role() {
                    return Err(ActionError::CustomRole(id.to_string()));
                }
                if e.rtype == ResourceType::Role {
                    return match self {
                        Action::Grant { .. } if p.ptype == PrincipalType::User => Ok(()),
                        _ => Err(ActionError::RoleGrant(shown)),
                    };
                }
                if e.rtype == ResourceType::Team && p.ptype == PrincipalType::Team {
                    return Err(ActionError::TeamInTeam(shown));
                }
                if p.ptype == PrincipalType::Team
                    && p.id == "-1"
                    && !(e.rtype == ResourceType::Board && e.slug == "subscriber")
                {
                    return Err(ActionError::EveryoneOnlyOnBoards(shown));
                }
                if matches!(self, Action::Revoke { .. })
                    && e.slug == "owner"
                    && matches!(e.rtype, ResourceType::Board | ResourceType::Workspace)
                {
                    let member = if e.rtype == ResourceType::Board { "subscriber" } else { "member" };
                    return Err(ActionError::OwnerOnly(format!("{} ownership", e.rtype), member));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// What the action is about, for events (`user:1`, `board:7:subscriber`, `team:5`).
    pub fn subject(&self) -> String {
        match self {
            Action::Invite { email, .. } => format!("email:{}", email.to_lowercase()),
            Action::SetRole { user, .. }
            | Action::SetCustomRole { user, .. }
            | Action::Deactivate { user }
            | Action::Activate { user } => format!("user:{user}"),
            Action::Grant { entitlement, .. } | Action::Revoke { entitlement, .. } => entitlement.to_string(),
            Action::CreateTeam { name, .. } => format!("team-name:{name}"),
            Action::DeleteTeam { team } => format!("team:{team}"),
        }
    }

    /// Whether it takes access away (counted by the mass-change guard).
    pub fn is_destructive(&self) -> bool {
        matches!(self, Action::Deactivate { .. } | Action::Revoke { .. } | Action::DeleteTeam { .. })
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Invite { email, role } => write!(f, "invite {email} as {}", role.as_str()),
            Action::SetRole { user, role } => write!(f, "make user {user} {}", role.as_str()),
            Action::SetCustomRole { user, role_id, base } => match base {
                Some(b) => write!(f, "give user {user} custom role {role_id} (built on {})", b.as_str()),
                None => write!(f, "give user {user} custom role {role_id}"),
            },
            Action::Deactivate { user } => write!(f, "deactivate user {user}"),
            Action::Activate { user } => write!(f, "activate user {user}"),
            Action::Grant { entitlement, principal } => write!(f, "grant {entitlement} to {principal}"),
            Action::Revoke { entitlement, principal } => write!(f, "revoke {entitlement} from {principal}"),
            Action::CreateTeam { name, members } => write!(f, "create team {name:?} with {} member(s)", members.len()),
            Action::DeleteTeam { team } => write!(f, "delete team {team}"),
        }
    }
}

/// The mass-change guard: a plan that takes access from more users than this stops before
/// doing anything, unless the operator allows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Guard {
    /// More than this many users (default 10)...
    pub max_users: usize,
    /// ...or more than this fraction of the account's active users (default 5 %).
    pub max_fraction: f64,
}

impl Default for Guard {
    fn default() -> Self {
        Guard { max_users: 10, max_fraction: 0.05 }
    }
}

/// A plan stopped by the guard.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("this plan takes access away from {affected} users, more than the guard allows ({limit} of {active} active users: more than {max_users} or {pct:.0} %); review it with --dry-run and pass --allow-mass-change to apply it", pct = .max_fraction * 100.0)]
pub struct MassChange {
    /// Users who would lose access.
    pub affected: usize,
    /// Active users in the account.
    pub active: usize,
    /// The most the guard allows.
    pub limit: usize,
    /// The configured absolute limit.
    pub max_users: usize,
    /// The configured fraction of active users.
    pub max_fraction: f64,
}

impl Guard {
    /// Refuses when `affected` users lose access out of `active`.
    pub fn check(&self, affected: usize, active: usize) -> Result<(), MassChange> {
        let by_fraction = (self.max_fraction * active as f64).floor() as usize;
        let limit = self.max_users.min(by_fraction.max(1));
        if affected > limit {
            return Err(MassChange {
                affected,
                active,
                limit,
                max_users: self.max_users,
                max_fraction: self.max_fraction,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ent(s: &str) -> Entitlement {
        s.parse().unwrap()
    }

    #[test]
    fn validation_names_the_problem() {
        let revoke_owner = Action::Revoke { entitlement: ent("board:7:owner"), principal: Principal::user(1) };
        assert!(revoke_owner.validate().unwrap_err().to_string().contains("revoke the subscriber entitlement"));
        let team_in_team = Action::Grant { entitlement: ent("team:5:member"), principal: Principal::team(6) };
        assert_eq!(team_in_team.validate(), Err(ActionError::TeamInTeam("team:6 → team:5:member".into())));
        assert!(Action::Grant { entitlement: ent("role:admin:assigned"), principal: Principal::user(1) }
            .validate()
            .is_ok());
        assert!(Action::Revoke { entitlement: ent("role:admin:assigned"), principal: Principal::user(1) }
            .validate()
            .is_err());
        assert!(Action::Grant { entitlement: ent("workspace:9:member"), principal: Principal::team(-1) }
            .validate()
            .is_err());
        assert!(Action::Grant { entitlement: ent("board:9:subscriber"), principal: Principal::team(-1) }
            .validate()
            .is_ok());
        assert!(Action::Invite { email: "no".into(), role: Role::Member }.validate().is_err());
    }

    #[test]
    fn guard_thresholds() {
        let g = Guard::default();
        assert!(g.check(10, 1000).is_ok(), "10 of 1000: at the limit");
        assert!(g.check(11, 1000).is_err(), "more than 10");
        assert!(g.check(5, 100).is_ok());
        assert!(g.check(6, 100).is_err(), "more than 5 % of 100");
        assert!(g.check(1, 3).is_ok(), "a tiny account can still change one user");
        let e = g.check(50, 1000).unwrap_err();
        assert!(e.to_string().contains("--allow-mass-change"));
    }

    #[test]
    fn plans_serialize_readably() {
        let a = Action::Grant { entitlement: ent("board:7:subscriber"), principal: Principal::user(3) };
        let j = serde_json::to_value(&a).unwrap();
        assert_eq!(j["action"], "grant");
        assert_eq!(serde_json::from_value::<Action>(j).unwrap(), a);
        assert_eq!(a.to_string(), "grant board:7:subscriber to user:3");
    }
}
