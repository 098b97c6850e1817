//! After a sync: each pending change is confirmed (or not) by the new snapshot.

use chrono::Utc;
use roster_core::{Action, Event, EventKind, GrantSource, Principal, ResourceType, UserStatus};
use roster_store::{Store, StoreError, SyncRun};
use serde_json::json;

async fn seen(store: &dyn Store, sync: i64, a: &Action) -> Result<bool, StoreError> {
    Ok(match a {
        Action::Invite { email, .. } => store.find_user(sync, email).await?.is_some(),
        Action::SetRole { user, role } => store.find_user(sync, user).await?.is_some_and(|u| u.role == *role),
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

/// Resolves the account's pending changes made before `run` started; returns how many were
/// confirmed and how many were not.
pub async fn confirm_pending(store: &dyn Store, run: &SyncRun) -> Result<(usize, usize), StoreError> {
    let mut events = Vec::new();
    let (mut yes, mut no) = (0, 0);
    for p in store.open_pending(&run.account).await? {
        if p.created_at > run.started_at {
            continue;
        }
        let ok = seen(store, run.id, &p.action).await?;
        store.resolve_pending(p.id, run.id, ok).await?;
        if ok {
            yes += 1;
        } else {
            no += 1;
        }
        let kind = if ok { EventKind::ActionConfirmed } else { EventKind::ActionNotConfirmed };
        events.push(Event {
            kind,
            subject: p.action.subject(),
            detail: json!({ "plan": p.plan_id, "description": p.action.to_string(), "sync": run.id }),
        });
    }
    if !events.is_empty() {
        store.append_events(&run.account, Some(run.id), &events, Utc::now()).await?;
    }
    Ok((yes, no))
}
