//! The effect of an action on a user's access: every grant it takes away, monday.com's
//! couplings included. Removing a board subscriber (or workspace member) also ends their
//! ownership; taking a user out of a team, or deleting the team, ends everything the team gave
//! them; a deactivated user holds nothing. Plans, the guard and review close reason about
//! these grants, never about what an action is called.

use crate::action::Action;
use crate::entitlement::{Grant, GrantSource, PrincipalType, ResourceType};

/// The grants among `held` (all grants of user `user_id` in a snapshot, direct and via teams)
/// that `action` takes away from that user.
pub fn lost_by(action: &Action, user_id: &str, held: &[Grant]) -> Vec<Grant> {
    let keep = |f: &dyn Fn(&Grant) -> bool| held.iter().filter(|g| f(g)).cloned().collect::<Vec<_>>();
    let via = |g: &Grant, team: &str| matches!(&g.source, GrantSource::Team(t) if t == team);
    match action {
        Action::Deactivate { user } if user == user_id => held.to_vec(),
        // A role changed downwards is a privilege lost; upwards, nothing is lost. Setting a
        // basic role also ends a custom role the user held, whatever its base.
        Action::SetRole { user, role } if user == user_id => keep(&|g| {
            g.entitlement.custom_role().is_some()
                || (g.entitlement.rtype == ResourceType::Role
                    && crate::records::Role::parse(&g.entitlement.rid).is_some_and(|old| old.rank() > role.rank()))
        }),
        // A custom role given ends any other custom role, and the basic role falls to the new
        // role's base: a step down is a privilege lost.
        Action::SetCustomRole { user, role_id, base } if user == user_id => keep(&|g| {
            g.entitlement.custom_role().is_some_and(|id| id != role_id)
                || (g.entitlement.rtype == ResourceType::Role
                    && crate::records::Role::parse(&g.entitlement.rid)
                        .is_some_and(|old| base.is_some_and(|b| old.rank() > b.rank())))
        }),
        Action::DeleteTeam { team } => {
            keep(&|g| (g.entitlement.rtype == ResourceType::Team && &g.entitlement.rid == team) || via(g, team))
        }
        Action::Revoke { entitlement: e, principal: p } => {
            // The slugs that go together: a subscriber or member removed is an owner removed.
            let coupled = |slug: &str| match e.rtype {
                ResourceType::Board if e.slug == "subscriber" => slug == "subscriber" || slug == "owner",
                ResourceType::Workspace | ResourceType::Team if e.slug == "member" => {
                    slug == "member" || slug == "owner"
                }
                _ => slug == e.slug,
            };
            let same = |g: &Grant| g.entitlement.rtype == e.rtype && g.entitlement.rid == e.rid;
            match p.ptype {
                PrincipalType::User if p.id == user_id => keep(&|g| {
                    let direct = same(g) && coupled(&g.entitlement.slug) && g.source == GrantSource::Direct;
                    // Leaving a team ends what the team gives.
                    let through = e.rtype == ResourceType::Team && e.slug == "member" && via(g, &e.rid);
                    direct || through
                }),
                PrincipalType::Team => keep(&|g| same(g) && coupled(&g.entitlement.slug) && via(g, &p.id)),
                PrincipalType::User => vec![],
            }
        }
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entitlement::{Entitlement, Principal};
    use crate::records::Role;

    fn g(e: &str, source: &str) -> Grant {
        Grant {
            entitlement: e.parse::<Entitlement>().unwrap(),
            principal: Principal::user(1),
            source: GrantSource::parse(source).unwrap(),
        }
    }

    fn shown(v: Vec<Grant>) -> Vec<String> {
        v.iter().map(|g| format!("{}|{}", g.entitlement, g.source.as_string())).collect()
    }

    #[test]
    fn couplings() {
        let held = vec![
            g("board:7:subscriber", "direct"),
            g("board:7:owner", "direct"),
            g("board:7:subscriber", "team:5"),
            g("board:8:subscriber", "team:5"),
            g("team:5:member", "direct"),
            g("team:5:owner", "direct"),
            g("role:admin:assigned", "direct"),
        ];
        let revoke_sub =
            Action::Revoke { entitlement: "board:7:subscriber".parse().unwrap(), principal: Principal::user(1) };
        assert_eq!(shown(lost_by(&revoke_sub, "1", &held)), vec!["board:7:subscriber|direct", "board:7:owner|direct"]);
        let leave = Action::Revoke { entitlement: "team:5:member".parse().unwrap(), principal: Principal::user(1) };
        assert_eq!(
            shown(lost_by(&leave, "1", &held)),
            vec![
                "board:7:subscriber|team:5",
                "board:8:subscriber|team:5",
                "team:5:member|direct",
                "team:5:owner|direct"
            ]
        );
        let team_off_board =
            Action::Revoke { entitlement: "board:7:subscriber".parse().unwrap(), principal: Principal::team(5) };
        assert_eq!(shown(lost_by(&team_off_board, "1", &held)), vec!["board:7:subscriber|team:5"]);
        assert_eq!(lost_by(&Action::Deactivate { user: "1".into() }, "1", &held).len(), held.len());
        assert_eq!(lost_by(&Action::Deactivate { user: "2".into() }, "1", &held), vec![]);
        let demote = Action::SetRole { user: "1".into(), role: Role::Member };
        assert_eq!(shown(lost_by(&demote, "1", &held)), vec!["role:admin:assigned|direct"]);
        let member = vec![g("role:member:assigned", "direct")];
        let promote = Action::SetRole { user: "1".into(), role: Role::Admin };
        assert_eq!(lost_by(&promote, "1", &member), vec![], "a promotion takes nothing away");
        let custom = vec![g("role:member:assigned", "direct"), g("role:5:assigned", "direct")];
        let same_base = Action::SetRole { user: "1".into(), role: Role::Member };
        assert_eq!(
            shown(lost_by(&same_base, "1", &custom)),
            vec!["role:5:assigned|direct"],
            "a basic role ends a custom one"
        );
        let admin = vec![g("role:admin:assigned", "direct"), g("role:6:assigned", "direct")];
        let to_custom = Action::SetCustomRole { user: "1".into(), role_id: "5".into(), base: Some(Role::Member) };
        assert_eq!(
            shown(lost_by(&to_custom, "1", &admin)),
            vec!["role:admin:assigned|direct", "role:6:assigned|direct"],
            "a custom role on member ends admin and the other custom role"
        );
        assert_eq!(lost_by(&Action::DeleteTeam { team: "5".into() }, "1", &held).len(), 4);
    }
}
