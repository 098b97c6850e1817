//! History: sync runs (and polling one), events with a cursor, and starting a sync, which
//! answers at once with where to poll.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use roster_store::EventQuery;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Caller, Reader};
use crate::error::ApiError;
use crate::extract::{Params, Path};
use crate::state::AppState;
use crate::views::*;

type S = State<Arc<AppState>>;

/// History's routes.
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(syncs))
        .routes(routes!(sync_run))
        .routes(routes!(events))
        .routes(routes!(audit_log))
        .routes(routes!(trigger_sync))
}

/// Sync runs of an account, newest first.
#[utoipa::path(get, path = "/api/v1/accounts/{account}/syncs", tag = "history", params(("account" = String, Path)), security(("bearer" = [])), responses((status = 200, body = [SyncView])))]
pub async fn syncs(State(s): S, _c: Reader, Path(account): Path<String>) -> Result<Json<Vec<SyncView>>, ApiError> {
    Ok(Json(s.store.syncs(Some(&account), 100).await?.into_iter().map(SyncView::from).collect()))
}

/// Events of an account, oldest first; poll with `since` = the last id seen.
#[utoipa::path(get, path = "/api/v1/accounts/{account}/events", tag = "history", params(("account" = String, Path), EventFilters), security(("bearer" = [])), responses((status = 200, body = [EventView])))]
pub async fn events(
    State(s): S,
    _c: Reader,
    Path(account): Path<String>,
    Params(f): Params<EventFilters>,
) -> Result<Json<Vec<EventView>>, ApiError> {
    let person = match f.user_id.as_deref() {
        None => None,
        Some(id) if roster_core::entitlement::is_monday_id(id) => Some(format!("user:{id}")),
        Some(id) => {
            let id = crate::bounds::text("user_id", id)?;
            return Err(ApiError::BadRequest(format!("user_id: {id:?} is not a monday.com user id (digits)")));
        }
    };
    let from = f
        .days
        .map(|d| crate::bounds::DAYS.check("days", d).map(|d| chrono::Utc::now() - chrono::Duration::days(d)))
        .transpose()?;
    let q = EventQuery {
        account: Some(account),
        kind_prefix: f.kind,
        person,
        from,
        sync_id: None,
        after_id: f.since.map(|v| crate::bounds::SINCE.check("since", v)).transpose()?,
        limit: Some(crate::bounds::LIMIT.check("limit", f.limit.unwrap_or(100))?),
        ..EventQuery::default()
    };
    Ok(Json(s.store.events(&q).await?.into_iter().map(EventView::from).collect()))
}

/// monday.com's audit log of an account (Enterprise: logins, failed logins, admin changes), as
/// the syncs read it, newest first. 404 until it has been read once.
#[utoipa::path(get, path = "/api/v1/accounts/{account}/audit-log", tag = "history", params(("account" = String, Path), AuditLogFilters), security(("bearer" = [])), responses((status = 200, body = [AuditEntryView]), (status = 400), (status = 404)))]
pub async fn audit_log(
    State(s): S,
    _c: Reader,
    Path(account): Path<String>,
    Params(f): Params<AuditLogFilters>,
) -> Result<Json<Vec<AuditEntryView>>, ApiError> {
    s.served(&account)?;
    if s.store.audit_cursor(&account).await?.is_none() {
        return Err(ApiError::NotFound(format!(
            "no audit log has been read for {account:?}: the syncs read it on Enterprise plans (audit_log_days in [[accounts]])"
        )));
    }
    let days = crate::bounds::DAYS.check("days", f.days.unwrap_or(30))?;
    let q = roster_store::AuditLogQuery {
        account,
        user_id: f.user_id.as_deref().map(|v| crate::bounds::text("user_id", v).map(str::to_string)).transpose()?,
        event: f.event.as_deref().map(|v| crate::bounds::text("event", v).map(str::to_string)).transpose()?,
        since_ms: Some((chrono::Utc::now() - chrono::Duration::days(days)).timestamp_millis()),
        until_ms: None,
        limit: crate::bounds::LIMIT.check("limit", f.limit.unwrap_or(100))?,
    };
    Ok(Json(s.store.audit_entries(&q).await?.into_iter().map(AuditEntryView::from).collect()))
}

/// Starts a sync of an account now (admin) and answers at once: 202 with the run's id and where
/// to poll it. 409 if a sync of it is already running (here or on another worker).
#[utoipa::path(post, path = "/api/v1/accounts/{account}/sync", tag = "operations", params(("account" = String, Path)), security(("bearer" = [])), responses((status = 202, body = SyncStarted, headers(("Location" = String, description = "the run to poll"))), (status = 403), (status = 404), (status = 409)))]
pub async fn trigger_sync(State(s): S, c: Caller, Path(account): Path<String>) -> Result<Response, ApiError> {
    c.require_admin()?;
    let a = s.served(&account)?.clone();
    let id = crate::scheduler::start_sync(Arc::clone(&s), a)
        .await?
        .ok_or_else(|| {
            ApiError::Conflict(format!(
                "a sync of {account:?} is already running (or finishing its after-sync work: separation of duties, retention, the audit log, unmanaged accounts); try again when it is done"
            ))
        })?;
    let poll = format!("/api/v1/accounts/{account}/syncs/{id}");
    let body = SyncStarted { sync_id: id, status: "running".into(), poll: poll.clone() };
    Ok((StatusCode::ACCEPTED, [(axum::http::header::LOCATION, poll)], Json(body)).into_response())
}

/// One sync run, to poll after `POST /sync`: its status, and its counts once completed.
#[utoipa::path(get, path = "/api/v1/accounts/{account}/syncs/{id}", tag = "history", params(("account" = String, Path), ("id" = i64, Path)), security(("bearer" = [])), responses((status = 200, body = SyncView), (status = 404)))]
pub async fn sync_run(
    State(s): S,
    _c: Reader,
    Path((account, id)): Path<(String, i64)>,
) -> Result<Json<SyncView>, ApiError> {
    let run = s
        .store
        .sync_run(id)
        .await?
        .filter(|r| r.account == account)
        .ok_or_else(|| ApiError::NotFound(format!("account {account:?} has no sync {id}")))?;
    // A pruned snapshot's rows are gone: counting them would say 0 users, which it never had.
    let done = run.status == roster_store::SyncStatus::Completed && run.pruned_at.is_none();
    let mut v = SyncView::from(run);
    if done {
        let c = s.store.counts(id).await?;
        (v.users, v.grants) = (Some(c.users), Some(c.grants));
    }
    Ok(Json(v))
}
