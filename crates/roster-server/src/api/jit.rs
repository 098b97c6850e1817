//! Just-in-time access over HTTP: requester (and admin) keys ask; admin keys approve or deny;
//! a requester sees only their own requests. The requester and approver are the key's name.

use std::sync::Arc;

use std::time::Duration;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::extract::State;
use axum::Json;
use roster_engine::jit;
use roster_store::JitGrant;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::extract::{Body, Params, Path};
use crate::keys::Role;
use crate::state::AppState;
use crate::views::*;

type S = State<Arc<AppState>>;

/// Just-in-time access's routes.
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new().routes(routes!(jit_request, jit_list)).routes(routes!(jit_approve)).routes(routes!(jit_deny))
}

/// Ask for temporary access (requester or admin keys).
#[utoipa::path(post, path = "/api/v1/accounts/{account}/jit", tag = "operations", params(("account" = String, Path)), request_body = JitRequest, security(("bearer" = [])), responses((status = 200, body = JitView), (status = 400), (status = 403), (status = 404)))]
pub async fn jit_request(
    State(s): S,
    c: Caller,
    Path(account): Path<String>,
    Body(r): Body<JitRequest>,
) -> Result<Json<JitView>, ApiError> {
    if c.role == Role::Reader {
        return Err(ApiError::Forbidden(format!(
            "key {:?} is a reader key; requests need a requester or admin key",
            c.name
        )));
    }
    s.served(&account)?;
    let d = Duration::from_secs(r.minutes.saturating_mul(60));
    let id = jit::request(
        s.store.as_ref(),
        &account,
        &c.name,
        &r.user,
        &r.entitlement,
        d,
        &r.justification,
        &s.jit_policy.get(),
        chrono::Utc::now(),
    )
    .await?;
    let g = s.store.jit(id).await?.ok_or_else(|| ApiError::Internal(format!("request {id} vanished")))?;
    Ok(Json(g.into()))
}

/// Requests and grants; a requester key sees its own only.
#[utoipa::path(get, path = "/api/v1/accounts/{account}/jit", tag = "operations", params(("account" = String, Path), JitFilter), security(("bearer" = [])), responses((status = 200, body = [JitView])))]
pub async fn jit_list(
    State(s): S,
    c: Caller,
    Path(account): Path<String>,
    Params(f): Params<JitFilter>,
) -> Result<Json<Vec<JitView>>, ApiError> {
    let status = f.status.as_deref().map(|v| crate::bounds::one_of("/jit", "status", v)).transpose()?;
    let status = status.and_then(roster_core::JitStatus::parse);
    let all = s.store.jits(&account, status).await?;
    let mine = |g: &JitGrant| c.role != Role::Requester || g.requester == c.name;
    Ok(Json(all.into_iter().filter(mine).map(JitView::from).collect()))
}

/// Approve a request and grant the access (admin keys; never the requester's own).
#[utoipa::path(post, path = "/api/v1/accounts/{account}/jit/{id}/approve", tag = "operations", params(("account" = String, Path), ("id" = i64, Path)), security(("bearer" = [])), responses((status = 200, body = JitView), (status = 403), (status = 404), (status = 409)))]
pub async fn jit_approve(
    State(s): S,
    c: Caller,
    Path((account, id)): Path<(String, i64)>,
) -> Result<Json<JitView>, ApiError> {
    c.require_admin()?;
    let a = s.served(&account)?;
    let g = jit::approve(
        s.store.as_ref(),
        &a.client,
        &account,
        id,
        &jit::Decider::roster_admin(&c.name),
        &s.jit_policy.get(),
        chrono::Utc::now(),
    )
    .await?;
    Ok(Json(g.into()))
}

/// Deny a request (admin keys).
#[utoipa::path(post, path = "/api/v1/accounts/{account}/jit/{id}/deny", tag = "operations", params(("account" = String, Path), ("id" = i64, Path)), request_body = JitDenial, security(("bearer" = [])), responses((status = 200, body = JitView), (status = 403), (status = 404), (status = 409)))]
pub async fn jit_deny(
    State(s): S,
    c: Caller,
    Path((account, id)): Path<(String, i64)>,
    Body(d): Body<JitDenial>,
) -> Result<Json<JitView>, ApiError> {
    c.require_admin()?;
    jit::deny(
        s.store.as_ref(),
        &account,
        id,
        &jit::Decider::roster_admin(&c.name),
        &d.reason,
        &s.jit_policy.get(),
        chrono::Utc::now(),
    )
    .await?;
    let g = s.store.jit(id).await?.ok_or_else(|| ApiError::NotFound(format!("no request {id}")))?;
    Ok(Json(g.into()))
}
