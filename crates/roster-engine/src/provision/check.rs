//! Checking a plan against the last snapshot: everything it names must exist; notes for what
//! is already so; and how many users it would take access from.

use std::collections::HashSet;

use roster_core::{Action, GrantSource, Principal, PrincipalType, ResourceType, UserStatus};
use roster_store::SnapshotStore;

use super::ProvisionError;

/// The basic role custom role `role_id` is built on, from its holders in the snapshot (every
/// holder has it as their basic role). A role that does not exist, or that nobody holds, is a
/// problem: its effect could not be shown.
async fn custom_role_base(
    store: &dyn SnapshotStore,
    sync: i64,
    role_id: &str,
    known: Option<roster_core::Role>,
    problems: &mut Vec<String>,
) -> Result<Option<roster_core::Role>, ProvisionError> {
    let Some(role) = store.resource(sync, ResourceType::Role, role_id).await? else {
        problems.push(format!(
            "custom role {role_id}: the last sync saw no such custom role (the role entitlements in `roster access USER` name them)"
        ));
        return Ok(None);
    };
    for g in store.grants_on(sync, ResourceType::Role, role_id).await? {
        if let Some(u) = store.find_user(sync, &g.principal.id).await? {
            return Ok(Some(u.role));
        }
    }
    // Nobody holds it now, but the caller saw its base when someone did (a just-in-time grant
    // restoring the custom role it replaced).
    if known.is_some() {
        return Ok(known);
    }
    problems.push(format!(
        "custom role {role_id} ({}): nobody holds it, so the basic role it is built on, and with it the change's effect, is not known; give it to one user in monday.com first",
        role.name
    ));
    Ok(None)
}

/// Names users by id wherever a plan names them by e-mail, and teams by id wherever by name,
/// from the snapshot `sync`, so that every path (CLI, API, web UI) sends monday.com ids. An
/// unknown key stays as given for `check` to name; a team name that several teams share is a
/// problem listing them.
async fn resolve(
    store: &dyn SnapshotStore,
    sync: i64,
    actions: Vec<Action>,
    problems: &mut Vec<String>,
) -> Result<Vec<Action>, ProvisionError> {
    let mut out = Vec::with_capacity(actions.len());
    for a in actions {
        let id_of = |key: String| async move {
            Ok::<_, ProvisionError>(match store.find_user(sync, &key).await? {
                Some(u) => u.id,
                None => key,
            })
        };
        out.push(match a {
            Action::SetRole { user, role } => Action::SetRole { user: id_of(user).await?, role },
            Action::SetCustomRole { user, role_id, base } => {
                let base = custom_role_base(store, sync, &role_id, base, problems).await?;
                Action::SetCustomRole { user: id_of(user).await?, role_id, base }
            }
            Action::Deactivate { user } => Action::Deactivate { user: id_of(user).await? },
            Action::Activate { user } => Action::Activate { user: id_of(user).await? },
            Action::Grant { entitlement, principal } if principal.ptype == PrincipalType::User => {
                Action::Grant { entitlement, principal: Principal::user(id_of(principal.id).await?) }
            }
            Action::Revoke { entitlement, principal } if principal.ptype == PrincipalType::User => {
                Action::Revoke { entitlement, principal: Principal::user(id_of(principal.id).await?) }
            }
            Action::CreateTeam { name, members } => {
                let mut ids = Vec::with_capacity(members.len());
                for m in members {
                    ids.push(id_of(m).await?);
                }
                Action::CreateTeam { name, members: ids }
            }
            Action::DeleteTeam { team } if !team.bytes().all(|c| c.is_ascii_digit()) => {
                let named: Vec<_> = store
                    .resources(sync, ResourceType::Team)
                    .await?
                    .into_iter()
                    .filter(|t| t.name.eq_ignore_ascii_case(team.trim()))
                    .collect();
                match named.as_slice() {
                    [one] => Action::DeleteTeam { team: one.id.clone() },
                    [] => Action::DeleteTeam { team },
                    many => {
                        let listed: Vec<String> = many.iter().map(|t| format!("{} ({:?})", t.id, t.name)).collect();
                        problems.push(format!(
                            "delete team {team:?}: {} teams have that name: {}; name the one to delete by its id",
                            many.len(),
                            listed.join(", ")
                        ));
                        Action::DeleteTeam { team }
                    }
                }
            }
            other => other,
        });
    }
    Ok(out)
}

/// The plan with users and teams named by id, and one note per action (or `None`), or every
/// problem found.
pub(super) async fn check(
    store: &dyn SnapshotStore,
    sync: i64,
    actions: Vec<Action>,
) -> Result<(Vec<Action>, Vec<Option<String>>), ProvisionError> {
    let mut problems = Vec::new();
    let actions = resolve(store, sync, actions, &mut problems).await?;
    if !problems.is_empty() {
        return Err(ProvisionError::Invalid(problems));
    }
    // An action after a team's deletion in the same plan cannot run (monday.com answers "team
    // not found" half-way through): refused before anything is sent.
    let mut deleted: Vec<&str> = Vec::new();
    for a in &actions {
        let names_team = |t: &str| match a {
            Action::Grant { entitlement: e, principal: p } | Action::Revoke { entitlement: e, principal: p } => {
                (p.ptype == PrincipalType::Team && p.id == t) || (e.rtype == ResourceType::Team && e.rid == t)
            }
            Action::DeleteTeam { team } => team == t,
            _ => false,
        };
        if let Some(t) = deleted.iter().find(|t| names_team(t)) {
            problems.push(format!("{a}: team {t} is deleted earlier in this plan; remove this action or the deletion"));
        }
        if let Action::DeleteTeam { team } = a {
            deleted.push(team);
        }
    }
    if !problems.is_empty() {
        return Err(ProvisionError::Invalid(problems));
    }
    let mut notes = Vec::with_capacity(actions.len());
    for a in &actions {
        if let Err(e) = a.validate() {
            problems.push(format!("{a}: {e}"));
            notes.push(None);
            continue;
        }
        let mut note = None;
        match a {
            Action::Invite { email, .. } => {
                if let Some(u) = store.find_user(sync, email).await? {
                    note = Some(format!("{email} is already user {} ({})", u.id, u.status.as_str()));
                }
            }
            Action::SetCustomRole { user, role_id, .. } => match store.find_user(sync, user).await? {
                None => problems.push(missing_user(user)),
                Some(u) => {
                    if super::custom_roles_of(store, sync, &u.id).await?.contains(role_id) {
                        note = Some(format!("already holds custom role {role_id}"));
                    }
                }
            },
            Action::SetRole { user, role } => match store.find_user(sync, user).await? {
                None => problems.push(missing_user(user)),
                Some(u) => {
                    // Setting a basic role ends a custom role the user holds, whatever its base.
                    let custom = super::custom_roles_of(store, sync, &u.id).await?;
                    if !custom.is_empty() {
                        note = Some(format!("ends custom role {}", custom.join(", ")));
                    } else if u.role == *role {
                        note = Some(format!("already {}", role.as_str()));
                    }
                }
            },
            Action::Deactivate { user } | Action::Activate { user } => match store.find_user(sync, user).await? {
                None => problems.push(missing_user(user)),
                Some(u) => {
                    let want = if matches!(a, Action::Deactivate { .. }) {
                        UserStatus::Deactivated
                    } else {
                        UserStatus::Active
                    };
                    if u.status == want {
                        note = Some(format!("already {}", want.as_str()));
                    } else if u.status == UserStatus::Pending {
                        problems.push(format!("{a}: user {user} has not accepted the invitation; pending users cannot be activated or deactivated"));
                    }
                }
            },
            Action::Grant { entitlement: e, principal: p } | Action::Revoke { entitlement: e, principal: p } => {
                if e.rtype != ResourceType::Role && store.resource(sync, e.rtype, &e.rid).await?.is_none() {
                    problems.push(format!("{a}: there is no {} {} in the last sync", e.rtype, e.rid));
                }
                match p.ptype {
                    PrincipalType::User if store.find_user(sync, &p.id).await?.is_none() => {
                        problems.push(missing_user(&p.id))
                    }
                    PrincipalType::Team
                        if p.id != "-1" && store.resource(sync, ResourceType::Team, &p.id).await?.is_none() =>
                    {
                        problems.push(format!("{a}: there is no team {} in the last sync", p.id))
                    }
                    _ => {}
                }
                let held = store
                    .grants_of(sync, p)
                    .await?
                    .iter()
                    .any(|g| g.entitlement == *e && g.source == GrantSource::Direct);
                match (a, held) {
                    (Action::Grant { .. }, true) => note = Some("already granted".into()),
                    (Action::Revoke { .. }, false) => note = Some("not held directly in the last sync".into()),
                    _ => {}
                }
            }
            Action::CreateTeam { name, members } => {
                for m in members {
                    if store.find_user(sync, m).await?.is_none() {
                        problems.push(missing_user(m));
                    }
                }
                if store.resources(sync, ResourceType::Team).await?.iter().any(|t| t.name.eq_ignore_ascii_case(name)) {
                    problems.push(format!("{a}: a team named {name:?} already exists"));
                }
            }
            Action::DeleteTeam { team } => {
                if store.resource(sync, ResourceType::Team, team).await?.is_none() {
                    problems.push(format!("{a}: there is no team {team} in the last sync"));
                }
            }
        }
        notes.push(note);
    }
    if problems.is_empty() {
        Ok((actions, notes))
    } else {
        Err(ProvisionError::Invalid(problems))
    }
}

fn missing_user(user: &str) -> String {
    format!("there is no user {user:?} in the last sync (ids and e-mails are accepted; run `roster sync` if they were just added)")
}

/// The plan's effect: how many distinct active users it takes any access from, and every grant
/// it takes, by the one effect model
/// ([`roster_core::effect::lost_by`]): for each action, the users it can touch (the user it
/// names; every member of a team it removes or deletes; every active user when "everyone"
/// loses a board), and of those, the ones who would lose a grant they hold.
pub(super) async fn effect(
    store: &dyn SnapshotStore,
    sync: i64,
    actions: &[Action],
) -> Result<(usize, Vec<super::Lost>), ProvisionError> {
    use roster_core::effect::lost_by;
    let mut candidates: HashSet<String> = HashSet::new();
    for a in actions {
        match a {
            Action::Deactivate { user } | Action::SetRole { user, .. } | Action::SetCustomRole { user, .. } => {
                candidates.insert(store.find_user(sync, user).await?.map_or(user.clone(), |u| u.id));
            }
            Action::Revoke { principal, .. } if principal.ptype == PrincipalType::User => {
                candidates.insert(principal.id.clone());
            }
            Action::Revoke { principal, .. } if principal.id == "-1" => {
                let active = roster_store::UserQuery { status: Some(UserStatus::Active), ..Default::default() };
                candidates.extend(store.users(sync, &active).await?.into_iter().map(|u| u.id));
            }
            Action::Revoke { principal, .. } => members_of(store, sync, &principal.id, &mut candidates).await?,
            Action::DeleteTeam { team } => members_of(store, sync, team, &mut candidates).await?,
            _ => {}
        }
    }
    let mut affected = 0;
    let mut lost = Vec::new();
    let mut candidates: Vec<String> = candidates.into_iter().collect();
    candidates.sort();
    // "Everyone" (team -1) reaches active users without a per-user grant row.
    let everyone = actions.iter().any(|a| matches!(a, Action::Revoke { principal, .. } if principal.id == "-1"));
    for user in candidates {
        let Some(u) = store.find_user(sync, &user).await? else { continue };
        if u.status != UserStatus::Active {
            continue; // a deactivated or pending user reaches nothing to lose
        }
        let held = store.grants_of(sync, &Principal::user(&u.id)).await?;
        let mut theirs: Vec<super::Lost> = Vec::new();
        for a in actions {
            for g in lost_by(a, &u.id, &held) {
                if !theirs
                    .iter()
                    .any(|l| l.entitlement == g.entitlement.to_string() && l.source == g.source.as_string())
                {
                    theirs.push(super::Lost {
                        user: u.id.clone(),
                        email: u.email.clone(),
                        named: actions.iter().any(|x| names(x, &u.id, &g)),
                        entitlement: g.entitlement.to_string(),
                        source: g.source.as_string(),
                    });
                }
            }
        }
        if everyone || !theirs.is_empty() {
            affected += 1;
        }
        lost.extend(theirs);
    }
    Ok((affected, lost))
}

/// Whether `a` names the grant `g` of `user` itself (not a coupled effect): the grant it
/// revokes, the role it changes, or everything of the user it deactivates.
fn names(a: &Action, user: &str, g: &roster_core::Grant) -> bool {
    match a {
        Action::Deactivate { user: u } => u == user,
        Action::SetRole { user: u, .. } | Action::SetCustomRole { user: u, .. } => {
            u == user && g.entitlement.rtype == ResourceType::Role
        }
        Action::Revoke { entitlement, principal } => {
            *entitlement == g.entitlement
                && ((principal.ptype == PrincipalType::User && principal.id == user && g.source == GrantSource::Direct)
                    || (principal.ptype == PrincipalType::Team && g.source == GrantSource::Team(principal.id.clone())))
        }
        _ => false,
    }
}

/// Adds the user members of `team` in snapshot `sync` to `into`.
async fn members_of(
    store: &dyn SnapshotStore,
    sync: i64,
    team: &str,
    into: &mut HashSet<String>,
) -> Result<(), ProvisionError> {
    for g in store.grants_on(sync, ResourceType::Team, team).await? {
        if g.entitlement.slug == "member" && g.principal.ptype == PrincipalType::User {
            into.insert(g.principal.id);
        }
    }
    Ok(())
}
