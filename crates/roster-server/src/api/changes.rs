//! Plans over HTTP: admin keys submit plans (which run at once, or wait for a second admin
//! when the approval policy says so) and approve or reject the ones waiting; admin and reader
//! keys list them and read a plan's events. The planner and the approver are the keys' names.

use std::sync::Arc;

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use roster_core::PlanStatus;
use roster_engine::approval::{self, Runners};
use roster_store::EventQuery;

use crate::auth::{Caller, Reader};
use crate::error::ApiError;
use crate::extract::{Body, Params, Path};
use crate::state::AppState;
use crate::views::*;

type S = State<Arc<AppState>>;

/// Plans' routes: submit, list, read, approve, reject.
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(submit_plan, list_plans))
        .routes(routes!(plan_events))
        .routes(routes!(approve))
        .routes(routes!(reject))
}

/// Applies (or, with `dry_run`, checks) a plan of actions (admin). A plan the approval policy
/// holds back answers `202` with `pending_approval: true`: nothing was sent.
#[utoipa::path(post, path = "/api/v1/accounts/{account}/plans", tag = "operations", params(("account" = String, Path)), request_body = PlanRequest, security(("bearer" = [])), responses((status = 200, body = PlanResult), (status = 202, body = PlanResult, description = "stored to wait for a second admin's approval"), (status = 400), (status = 403), (status = 404), (status = 409, description = "stopped by the mass-change guard")))]
pub async fn submit_plan(
    State(s): S,
    c: Caller,
    Path(account): Path<String>,
    Body(req): Body<PlanRequest>,
) -> Result<Response, ApiError> {
    c.require_admin()?;
    let a = s.served(&account)?;
    if req.actions.is_empty() {
        return Err(ApiError::BadRequest("the plan has no actions".into()));
    }
    let opts = roster_engine::ApplyOptions {
        requested_by: c.name.clone(),
        reason: req.reason,
        dry_run: req.dry_run,
        allow_mass_change: req.allow_mass_change,
        approval: (*s.approval.get()).clone(),
        ..roster_engine::ApplyOptions::default()
    };
    let report = roster_engine::apply_plan(s.store.as_ref(), &a.client, &account, req.actions, &opts).await?;
    let status = if report.pending_approval { StatusCode::ACCEPTED } else { StatusCode::OK };
    Ok((status, Json(PlanResult::from(report))).into_response())
}

/// The plans stored for approval, oldest first (admin and reader keys).
#[utoipa::path(get, path = "/api/v1/accounts/{account}/plans", tag = "operations", params(("account" = String, Path), PlanFilter), security(("bearer" = [])), responses((status = 200, body = [PlanView]), (status = 400), (status = 404)))]
pub async fn list_plans(
    State(s): S,
    _c: Reader,
    Path(account): Path<String>,
    Params(f): Params<PlanFilter>,
) -> Result<Json<Vec<PlanView>>, ApiError> {
    crate::reads::known_account(&s, &account).await?;
    let status = f.status.as_deref().map(|v| crate::bounds::one_of("/plans", "status", v)).transpose()?;
    let status = status.and_then(PlanStatus::parse);
    Ok(Json(s.store.plans(&account, status).await?.into_iter().map(PlanView::from).collect()))
}

/// Approves a plan waiting for approval and runs it (admin keys; never the planner's own).
#[utoipa::path(post, path = "/api/v1/accounts/{account}/plans/{plan_id}/approve", tag = "operations", params(("account" = String, Path), ("plan_id" = String, Path)), security(("bearer" = [])), responses((status = 200, body = ApprovalResult), (status = 403, description = "the planner's own plan, or not an approver"), (status = 404), (status = 409, description = "not pending, or computed on a snapshot that is no longer the latest")))]
pub async fn approve(
    State(s): S,
    c: Caller,
    Path((account, plan_id)): Path<(String, String)>,
) -> Result<Json<ApprovalResult>, ApiError> {
    let a = s.served(&account)?;
    let runners = Runners { client: &a.client, scim: a.scim.as_ref() };
    let policy = s.approval.get();
    let (plan, ran) =
        approval::approve(s.store.as_ref(), runners, &policy, &account, &plan_id, &c.name, Utc::now()).await?;
    Ok(Json(ApprovalResult { plan: plan.into(), ran }))
}

/// Rejects a plan waiting for approval: it never runs (admin keys; never the planner's own).
#[utoipa::path(post, path = "/api/v1/accounts/{account}/plans/{plan_id}/reject", tag = "operations", params(("account" = String, Path), ("plan_id" = String, Path)), request_body = PlanDecision, security(("bearer" = [])), responses((status = 200, body = PlanView), (status = 403, description = "the planner's own plan, or not an approver"), (status = 404), (status = 409, description = "not pending")))]
pub async fn reject(
    State(s): S,
    c: Caller,
    Path((account, plan_id)): Path<(String, String)>,
    Body(d): Body<PlanDecision>,
) -> Result<Json<PlanView>, ApiError> {
    s.served(&account)?;
    let policy = s.approval.get();
    let plan =
        approval::reject(s.store.as_ref(), &policy, &account, &plan_id, &c.name, d.reason.as_deref(), Utc::now())
            .await?;
    Ok(Json(plan.into()))
}

/// The recorded events of a plan: waiting, decided, each action requested, succeeded, failed,
/// confirmed.
#[utoipa::path(get, path = "/api/v1/accounts/{account}/plans/{plan_id}", tag = "operations", params(("account" = String, Path), ("plan_id" = String, Path)), security(("bearer" = [])), responses((status = 200, body = [EventView]), (status = 404)))]
pub async fn plan_events(
    State(s): S,
    _c: Reader,
    Path((account, plan_id)): Path<(String, String)>,
) -> Result<Json<Vec<EventView>>, ApiError> {
    let mut list = Vec::new();
    for prefix in ["plan_", "action_"] {
        let q = EventQuery {
            account: Some(account.clone()),
            kind_prefix: Some(prefix.into()),
            limit: Some(100_000),
            ..EventQuery::default()
        };
        list.extend(s.store.events(&q).await?.into_iter().filter(|e| e.detail["plan"].as_str() == Some(&plan_id)));
    }
    if list.is_empty() {
        return Err(ApiError::NotFound(format!("no plan {plan_id:?}")));
    }
    list.sort_by_key(|e| e.id);
    Ok(Json(list.into_iter().map(EventView::from).collect()))
}
