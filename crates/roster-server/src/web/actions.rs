//! Changes from the user page (admins): the form shows the plan first (checked against the
//! last sync and the mass-change guard, nothing sent), then a confirmation applies it through
//! the same provisioner as the CLI and the API.

use std::sync::Arc;

use axum::extract::{Form, Path, State};
use axum::response::Response;
use minijinja::context;
use roster_core::{Action, Entitlement, Principal, Role};
use roster_engine::{apply_plan, ApplyOptions, ProvisionError};
use serde::Deserialize;

use super::session::Web;
use super::{check_csrf, render, WebError};
use crate::state::AppState;

/// One change, as the forms send it.
#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    csrf: String,
    /// role, deactivate, activate, grant or revoke.
    action: String,
    user: String,
    role: Option<String>,
    entitlement: Option<String>,
    reason: Option<String>,
}

fn action(f: &ChangeForm) -> Result<Action, WebError> {
    let user = f.user.trim().to_string();
    let ent = || -> Result<Entitlement, WebError> {
        f.entitlement
            .as_deref()
            .unwrap_or_default()
            .parse()
            .map_err(|e: roster_core::EntitlementError| WebError::bad(e.to_string()))
    };
    Ok(match f.action.as_str() {
        "role" => {
            let r = f.role.as_deref().unwrap_or_default();
            let role =
                Role::parse(r).ok_or_else(|| WebError::bad(format!("role {r:?}: admin, member, viewer or guest")))?;
            Action::SetRole { user, role }
        }
        "deactivate" => Action::Deactivate { user },
        "activate" => Action::Activate { user },
        "grant" => Action::Grant { entitlement: ent()?, principal: Principal::user(user) },
        "revoke" => Action::Revoke { entitlement: ent()?, principal: Principal::user(user) },
        other => return Err(WebError::bad(format!("{other:?} is not a change this page makes"))),
    })
}

async fn run(
    s: &AppState,
    account: &str,
    who: &str,
    f: &ChangeForm,
    dry_run: bool,
) -> Result<roster_engine::ApplyReport, WebError> {
    let a = s.served(account)?;
    let opts = ApplyOptions {
        // The key's name, as on the API: one person is one name to four-eyes approval.
        requested_by: who.to_string(),
        reason: f.reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(String::from),
        dry_run,
        allow_mass_change: false,
        guard: roster_core::Guard::default(),
        approval: (*s.approval.get()).clone(),
        ..ApplyOptions::default()
    };
    apply_plan(s.store.as_ref(), &a.client, account, vec![action(f)?], &opts).await.map_err(|e| match e {
        ProvisionError::Store(e) => WebError::internal(e.to_string()),
        e => WebError::bad(e.to_string()),
    })
}

async fn view(
    s: &AppState,
    account: &str,
    f: &ChangeForm,
    r: &roster_engine::ApplyReport,
    applied: bool,
) -> Result<minijinja::Value, WebError> {
    // Actions and their effect by name, from the snapshot the plan was checked against.
    let mut names = roster_engine::names::Names::new(s.store.as_ref(), r.sync_id);
    let mut rows = Vec::new();
    for x in &r.results {
        let description = names.action(&x.action).await?;
        rows.push(context! { description, id => x.action.to_string(), status => format!("{:?}", x.status).to_lowercase(), note => x.note.clone() });
    }
    names.prefetch_subjects(r.effect.iter().flat_map(|l| [l.entitlement.as_str(), l.source.as_str()])).await?;
    let mut effect = Vec::new();
    for l in &r.effect {
        let label = names.subject(&l.entitlement).await?;
        let via = match l.source.strip_prefix("team:") {
            Some(t) => format!("via {}", names.resource(roster_core::ResourceType::Team, t).await?),
            None => l.source.clone(),
        };
        effect.push(context! { email => l.email.clone(), entitlement => l.entitlement.clone(), label, source => l.source.clone(), via, named => l.named });
    }
    let unnamed = r.effect.iter().filter(|l| !l.named).count();
    Ok(context! {
        account, applied, rows, effect, unnamed, losing => r.users_losing_access,
        guard => r.guard_would_refuse.as_ref().map(ToString::to_string),
        plan_id => r.plan_id.clone(), sync_id => r.sync_id, pending_approval => r.pending_approval,
        form => context! { action => f.action.clone(), user => f.user.clone(), role => f.role.clone(), entitlement => f.entitlement.clone(), reason => f.reason.clone() },
    })
}

/// The plan (dry run), or the applied change; admins only, with the form's CSRF token.
async fn change(
    s: &AppState,
    me: &super::session::Session,
    account: &str,
    f: &ChangeForm,
    apply: bool,
) -> Result<Response, WebError> {
    check_csrf(me, &f.csrf)?;
    if !me.is_admin() {
        return Err(WebError::forbidden("changes need an admin key"));
    }
    let r = run(s, account, &me.name, f, !apply).await?;
    render("plan.html", Some(me), view(s, account, f, &r, apply).await?)
}

/// Shows what the change would do; nothing is sent.
pub async fn plan(
    State(s): State<Arc<AppState>>,
    Web(me): Web,
    Path(account): Path<String>,
    Form(f): Form<ChangeForm>,
) -> Result<Response, WebError> {
    change(&s, &me, &account, &f, false).await
}

/// Applies the confirmed change.
pub async fn apply(
    State(s): State<Arc<AppState>>,
    Web(me): Web,
    Path(account): Path<String>,
    Form(f): Form<ChangeForm>,
) -> Result<Response, WebError> {
    change(&s, &me, &account, &f, true).await
}
