//! After a sync: each change sent before it started is resolved by the new snapshot. A change
//! with an answer is confirmed (or not); a change whose answer was lost (the apply died after
//! recording it as requested) or was a failure gets its outcome from what monday.com shows:
//! `action_confirmed` (it happened after all) or `action_not_applied`.

use chrono::Utc;
use roster_core::scim_plan::{MemberRef, ScimStep};
use roster_core::{
    Action, Change, Entitlement, Event, EventKind, GrantSource, Outcome, Principal, ResourceType, Role, UserStatus,
};
use roster_store::{SnapshotStore, Store, StoreError, SyncRun};
use serde_json::json;

async fn seen(store: &dyn SnapshotStore, sync: i64, a: &Action) -> Result<bool, StoreError> {
    Ok(match a {
        Action::Invite { email, .. } => store.find_user(sync, email).await?.is_some(),
        // Setting a basic role also ends a custom role: seen when neither is left to do.
        Action::SetRole { user, role } => match store.find_user(sync, user).await? {
            Some(u) if u.role == *role => super::custom_roles_of(store, sync, &u.id).await?.is_empty(),
            _ => false,
        },
        // The custom role held, its base the basic role, and no other custom role.
        Action::SetCustomRole { user, role_id, base } => match store.find_user(sync, user).await? {
            Some(u) if base.is_none_or(|b| u.role == b) => {
                super::custom_roles_of(store, sync, &u.id).await? == [role_id.as_str()]
            }
            _ => false,
        },
        Action::Deactivate { user } => {
            store.find_user(sync, user).await?.is_some_and(|u| u.status == UserStatus::Deactivated)
        }
        Action::Activate { user } => store.find_user(sync, user).await?.is_some_and(|u| u.status == UserStatus::Active),
        Action::Grant { entitlement, principal } | Action::Revoke { entitlement, principal } => {
            let held = if entitlement.rtype == ResourceType::Role {
                let id = store.find_user(sync, &principal.id).await?.map(|u| u.id).unwrap_or_default();
                store.grants_of(sync, &Principal::user(id)).await?.iter().any(|g| g.entitlement == *entitlement)
            } else {
                store
                    .grants_of(sync, principal)
                    .await?
                    .iter()
                    .any(|g| g.entitlement == *entitlement && g.source == GrantSource::Direct)
            };
            held == matches!(a, Action::Grant { .. })
        }
        Action::CreateTeam { name, .. } => {
            store.resources(sync, ResourceType::Team).await?.iter().any(|t| t.name.eq_ignore_ascii_case(name))
        }
        Action::DeleteTeam { team } => store.resource(sync, ResourceType::Team, team).await?.is_none(),
    })
}

/// Whether user `user` (id or e-mail) is a member of team `team` in snapshot `sync`.
async fn member(store: &dyn SnapshotStore, sync: i64, team: &str, user: &str) -> Result<bool, StoreError> {
    let Some(u) = store.find_user(sync, user).await? else { return Ok(false) };
    let e = Entitlement { rtype: ResourceType::Team, rid: team.to_string(), slug: "member".into() };
    Ok(store.grants_of(sync, &Principal::user(u.id)).await?.iter().any(|g| g.entitlement == e))
}

fn key(m: &MemberRef) -> &str {
    match m {
        MemberRef::Id(id) | MemberRef::New(id) => id,
    }
}

/// Whether the snapshot shows a SCIM step's effect, judged by what a GraphQL sync can see
/// (attributes it does not read, such as a phone number, are taken as done when the user is
/// there).
async fn scim_seen(store: &dyn SnapshotStore, sync: i64, s: &ScimStep) -> Result<bool, StoreError> {
    if let Some(a) = as_action(s) {
        return seen(store, sync, &a).await;
    }
    Ok(match s {
        ScimStep::UpdateUser { id, changes, .. } => match store.find_user(sync, id).await? {
            None => false,
            Some(u) => changes.iter().all(|(attr, _, to)| match attr.as_str() {
                "userName" => u.email.eq_ignore_ascii_case(to),
                "title" => u.title == *to,
                "displayName" => u.name == *to,
                "userType" => Role::parse(to).is_none_or(|r| r == u.role),
                _ => true,
            }),
        },
        ScimStep::CreateGroup { name, .. } => {
            store.resources(sync, ResourceType::Team).await?.iter().any(|t| t.name == *name)
        }
        ScimStep::RenameGroup { id, to, .. } => {
            store.resource(sync, ResourceType::Team, id).await?.is_some_and(|t| t.name == *to)
        }
        ScimStep::AddMembers { id, members, .. } => {
            let mut all = true;
            for m in members {
                all &= member(store, sync, id, key(m)).await?;
            }
            all
        }
        ScimStep::RemoveMembers { id, members, .. } => {
            let mut none = true;
            for m in members {
                none &= !member(store, sync, id, m).await?;
            }
            none
        }
        // The rest are judged as the GraphQL action they amount to (above).
        _ => false,
    })
}

/// The GraphQL action a SCIM step amounts to, where there is one: it is confirmed the same way.
fn as_action(s: &ScimStep) -> Option<Action> {
    Some(match s {
        ScimStep::CreateUser { user } => Action::Invite { email: user.user_name.clone(), role: Role::Member },
        ScimStep::Deactivate { id, .. } | ScimStep::DeleteUser { id, .. } => Action::Deactivate { user: id.clone() },
        ScimStep::Reactivate { id, .. } => Action::Activate { user: id.clone() },
        ScimStep::DeleteGroup { id, .. } => Action::DeleteTeam { team: id.clone() },
        _ => return None,
    })
}

/// Resolves the account's pending changes made before `run` started; returns how many were
/// seen and how many were not.
pub async fn confirm_pending(store: &dyn Store, run: &SyncRun) -> Result<(usize, usize), StoreError> {
    let mut events = Vec::new();
    let (mut yes, mut no) = (0, 0);
    for p in store.open_pending(&run.account).await? {
        if p.created_at > run.started_at {
            continue;
        }
        let ok = match &p.action {
            Change::Action(a) => seen(store, run.id, a).await?,
            Change::Scim(s) => scim_seen(store, run.id, s).await?,
        };
        store.resolve_pending(p.id, run.id, ok).await?;
        if ok {
            yes += 1;
        } else {
            no += 1;
        }
        let kind = match (ok, p.outcome) {
            (true, _) => EventKind::ActionConfirmed,
            (false, Outcome::Succeeded) => EventKind::ActionNotConfirmed,
            (false, Outcome::Requested | Outcome::Failed) => EventKind::ActionNotApplied,
        };
        let action = match &p.action {
            Change::Action(a) => Some(a),
            Change::Scim(_) => None,
        };
        events.push(Event {
            kind,
            subject: p.action.subject(),
            detail: json!({
                "plan": p.plan_id,
                "action": action,
                "description": p.action.describe(),
                "sync": run.id,
                // `requested`: the apply died before monday.com's answer was recorded; this
                // event is then the change's only outcome.
                "recorded_outcome": p.outcome.as_str(),
            }),
        });
    }
    if !events.is_empty() {
        store.append_events(&run.account, Some(run.id), &events, Utc::now()).await?;
    }
    Ok((yes, no))
}
