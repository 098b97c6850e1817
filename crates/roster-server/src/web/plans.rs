//! Plans waiting for a second admin, in the browser: the queue with what each plan does and
//! who made it, approve (it then runs) or reject with a reason; recent decisions below. The
//! same engine calls, policy and refusals as the API and the CLI.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use minijinja::context;
use roster_core::PlanStatus;
use roster_engine::approval::{self, Runners};
use roster_store::StoredPlan;

use super::session::Web;
use super::{render, Fields, WebError};
use crate::policy::Act;
use crate::state::AppState;

type S = State<Arc<AppState>>;

fn when(ms: Option<i64>) -> String {
    ms.and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

fn row(p: &StoredPlan, latest: Option<i64>) -> minijinja::Value {
    // What the approver weighs: every grant it takes, the coupled effects marked.
    let effect: Vec<_> = p
        .summary
        .get("effect")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .map(|l| context! { email => l["email"].as_str().unwrap_or_default(), entitlement => l["entitlement"].as_str().unwrap_or_default(), named => l["named"].as_bool().unwrap_or(true) })
                .collect()
        })
        .unwrap_or_default();
    context! {
        effect,
        id => p.id.clone(), kind => p.kind.as_str(), status => p.status.as_str(), by => p.requested_by.clone(),
        reason => p.reason.clone(), created => when(Some(p.created_ms)), steps => p.steps(),
        losing => p.users_losing_access(),
        stale => matches!((p.sync_id, latest), (Some(a), Some(b)) if a != b),
        decided_by => p.decided_by.clone(), decided => when(p.decided_ms), note => p.note.clone(),
    }
}

/// The plans waiting, and the last decisions (admins and readers).
pub async fn plans(State(s): S, Web(me): Web, Path(account): Path<String>) -> Result<Response, WebError> {
    me.require(Act::ReadHistory)?;
    let latest = s.store.last_completed(&account).await?.map(|r| r.id);
    let all = s.store.plans(&account, None).await?;
    let pending: Vec<_> =
        all.iter().filter(|p| p.status == PlanStatus::PendingApproval).map(|p| row(p, latest)).collect();
    let recent: Vec<_> =
        all.iter().rev().filter(|p| p.status != PlanStatus::PendingApproval).take(50).map(|p| row(p, latest)).collect();
    render("plans.html", Some(&me), context! { account, pending, recent })
}

/// Approve (and run) or reject a plan: admins, never their own plan.
pub async fn decide(
    State(s): S,
    Web(me): Web,
    Path((account, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, WebError> {
    let f = Fields::parse(&body);
    f.csrf(&me)?;
    me.require(Act::PlanDecide)?;
    let a = s.served(&account)?;
    let policy = s.approval.get();
    let now = Utc::now();
    match f.one("decision") {
        Some("approve") => {
            let runners = Runners { client: &a.client, scim: a.scim.as_ref() };
            approval::approve(s.store.as_ref(), runners, &policy, &account, &id, &me.name, now).await.map(|_| ())
        }
        Some("reject") => {
            let why = f.one("reason");
            approval::reject(s.store.as_ref(), &policy, &account, &id, &me.name, why, now).await.map(|_| ())
        }
        other => return Err(WebError::bad(format!("{other:?}: approve or reject"))),
    }?;
    Ok(Redirect::to(&format!("/ui/a/{account}/plans")).into_response())
}
