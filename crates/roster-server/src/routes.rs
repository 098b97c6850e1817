//! The handlers: thin readers of the store, and the sync trigger.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use roster_core::{Principal, ResourceType, Role, UserStatus};
use roster_store::{EventQuery, UserQuery};

use crate::auth::{Caller, Reader};
use crate::error::ApiError;
use crate::extract::{Params, Path};
use crate::state::AppState;
use crate::views::*;

type S = State<Arc<AppState>>;

/// Refuses an account neither served nor in the store.
pub(crate) async fn known_account(state: &AppState, account: &str) -> Result<(), ApiError> {
    if state.account(account).is_none() && !state.store.accounts().await?.iter().any(|a| a == account) {
        return Err(ApiError::NotFound(format!("no account {account:?}")));
    }
    Ok(())
}

pub(crate) async fn snapshot(state: &AppState, account: &str) -> Result<i64, ApiError> {
    known_account(state, account).await?;
    state
        .store
        .last_completed(account)
        .await?
        .map(|r| r.id)
        .ok_or_else(|| ApiError::NotFound(format!("account {account:?} has no completed sync yet")))
}

/// Accounts and their last sync.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "inventory", security(("bearer" = [])), responses((status = 200, body = [AccountView]), (status = 401, description = "no or wrong key")))]
pub async fn accounts(State(s): S, _c: Reader) -> Result<Json<Vec<AccountView>>, ApiError> {
    let mut names: Vec<String> = s.accounts.iter().map(|a| a.name.clone()).collect();
    for a in s.store.accounts().await? {
        if !names.contains(&a) {
            names.push(a);
        }
    }
    let mut out = Vec::new();
    for name in names {
        let last_sync = s.store.syncs(Some(&name), 1).await?.into_iter().next().map(SyncView::from);
        out.push(AccountView { name, last_sync });
    }
    Ok(Json(out))
}

/// Users of the last completed sync.
#[utoipa::path(get, path = "/api/v1/accounts/{account}/users", tag = "inventory", params(("account" = String, Path), UserFilters), security(("bearer" = [])), responses((status = 200, body = Page<UserView>), (status = 400), (status = 404)))]
pub async fn users(
    State(s): S,
    _c: Reader,
    Path(account): Path<String>,
    Params(f): Params<UserFilters>,
) -> Result<Json<Page<UserView>>, ApiError> {
    let sync = snapshot(&s, &account).await?;
    let q = UserQuery {
        status: f
            .status
            .as_deref()
            .map(|v| {
                let v = crate::bounds::one_of("/users", "status", v)?;
                UserStatus::parse(v)
                    .ok_or_else(|| ApiError::BadRequest(format!("status {v:?}: use active, pending or deactivated")))
            })
            .transpose()?,
        role: f
            .role
            .as_deref()
            .map(|v| {
                let v = crate::bounds::one_of("/users", "role", v)?;
                Role::parse(v)
                    .ok_or_else(|| ApiError::BadRequest(format!("role {v:?}: use admin, member, viewer or guest")))
            })
            .transpose()?,
        team: f.team.clone(),
        inactive_days: f
            .inactive_days
            .map(|d| roster_core::when::check_days("inactive_days", d).map_err(ApiError::BadRequest))
            .transpose()?
            .map(|d| (d, chrono::Utc::now())),
        email_contains: f.email.clone(),
        ..UserQuery::default()
    };
    // Paged in the database: a 100,000-user snapshot is never read whole for one page.
    let paging = Paging { offset: f.offset, limit: f.limit };
    let (offset, limit) = paging.window()?;
    let total = user_total(&s, sync, &q).await?;
    let page = UserQuery { offset: offset as u64, limit: Some(limit as u64), ..q };
    let items: Vec<UserView> = s.store.users(sync, &page).await?.into_iter().map(UserView::from).collect();
    let next = (offset + items.len() < total).then_some(offset + items.len());
    Ok(Json(Page { items, total, next }))
}

/// The number of users matching `q` in snapshot `sync`, counted once per snapshot and filter.
pub(crate) async fn user_total(s: &AppState, sync: i64, q: &UserQuery) -> Result<usize, ApiError> {
    // `inactive_days` carries "now", which changes: those counts are not cached.
    let key =
        (q.inactive_days.is_none()).then(|| (sync, format!("{:?}", (q.status, q.role, &q.team, &q.email_contains))));
    let cached = |k: &(i64, String)| s.user_totals.lock().ok().and_then(|m| m.get(k).copied());
    if let Some(total) = key.as_ref().and_then(cached) {
        return Ok(total);
    }
    let total = s.store.count_users(sync, q).await? as usize;
    if let (Some(k), Ok(mut m)) = (key, s.user_totals.lock()) {
        if m.len() >= 10_000 {
            m.clear();
        }
        m.insert(k, total);
    }
    Ok(total)
}

async fn resources(
    s: &AppState,
    account: &str,
    rtype: ResourceType,
    p: Paging,
) -> Result<Json<Page<ResourceView>>, ApiError> {
    let sync = snapshot(s, account).await?;
    let counts = s.store.member_counts(sync, rtype).await?;
    let list: Vec<ResourceView> = s
        .store
        .resources(sync, rtype)
        .await?
        .into_iter()
        .map(|r| {
            let c = counts.get(&r.id).copied().unwrap_or_default();
            ResourceView {
                id: r.id,
                name: r.name,
                kind: r.kind,
                state: r.state,
                parent: r.parent,
                members: c.members,
                owners: c.owners,
                teams: c.teams,
                via_teams: c.via_teams,
            }
        })
        .collect();
    Ok(Json(p.apply(list)?))
}

/// Teams of the last completed sync.
#[utoipa::path(get, path = "/api/v1/accounts/{account}/teams", tag = "inventory", params(("account" = String, Path), Paging), security(("bearer" = [])), responses((status = 200, body = Page<ResourceView>), (status = 404)))]
pub async fn teams(
    State(s): S,
    _c: Reader,
    Path(account): Path<String>,
    Params(p): Params<Paging>,
) -> Result<Json<Page<ResourceView>>, ApiError> {
    resources(&s, &account, ResourceType::Team, p).await
}

/// Workspaces of the last completed sync.
#[utoipa::path(get, path = "/api/v1/accounts/{account}/workspaces", tag = "inventory", params(("account" = String, Path), Paging), security(("bearer" = [])), responses((status = 200, body = Page<ResourceView>), (status = 404)))]
pub async fn workspaces(
    State(s): S,
    _c: Reader,
    Path(account): Path<String>,
    Params(p): Params<Paging>,
) -> Result<Json<Page<ResourceView>>, ApiError> {
    resources(&s, &account, ResourceType::Workspace, p).await
}

/// Boards of the last completed sync.
#[utoipa::path(get, path = "/api/v1/accounts/{account}/boards", tag = "inventory", params(("account" = String, Path), Paging), security(("bearer" = [])), responses((status = 200, body = Page<ResourceView>), (status = 404)))]
pub async fn boards(
    State(s): S,
    _c: Reader,
    Path(account): Path<String>,
    Params(p): Params<Paging>,
) -> Result<Json<Page<ResourceView>>, ApiError> {
    resources(&s, &account, ResourceType::Board, p).await
}

/// Every entitlement of a user (id or e-mail), with its source.
#[utoipa::path(get, path = "/api/v1/accounts/{account}/access/{user}", tag = "inventory", params(("account" = String, Path), ("user" = String, Path, description = "user id or e-mail")), security(("bearer" = [])), responses((status = 200, body = [GrantView]), (status = 404)))]
pub async fn access(
    State(s): S,
    _c: Reader,
    Path((account, user)): Path<(String, String)>,
) -> Result<Json<Vec<GrantView>>, ApiError> {
    let sync = snapshot(&s, &account).await?;
    let u = s
        .store
        .find_user(sync, &user)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no user {user:?} in the last sync")))?;
    Ok(Json(s.store.grants_of(sync, &Principal::user(&u.id)).await?.into_iter().map(GrantView::from).collect()))
}

/// A governance report on the last snapshot: inactive, seats, admins, external,
/// everyone-boards, ownerless or offboarding.
#[utoipa::path(get, path = "/api/v1/accounts/{account}/reports/{name}", tag = "inventory", params(("account" = String, Path), ("name" = String, Path, description = "inactive, seats, admins, external, everyone-boards, ownerless, offboarding or sod"), ReportParams), security(("bearer" = [])), responses((status = 200, body = ReportView), (status = 400), (status = 404)))]
pub async fn report(
    State(s): S,
    _c: Reader,
    Path((account, name)): Path<(String, String)>,
    Params(p): Params<ReportParams>,
) -> Result<Json<ReportView>, ApiError> {
    use roster_engine::reports::{ReportError, ReportOptions};
    let sync = snapshot(&s, &account).await?;
    let list = |v: &Option<String>| -> Vec<String> {
        v.as_deref().map(|x| x.split(',').map(str::to_string).collect()).unwrap_or_default()
    };
    let o = ReportOptions {
        now: chrono::Utc::now(),
        inactive_days: roster_core::when::check_days("days", p.days.unwrap_or(90)).map_err(ApiError::BadRequest)?,
        exempt: list(&p.exempt),
        domains: list(&p.domain),
        user: p.user.clone(),
        sod_rules: s.sod().as_ref().clone(),
    };
    match roster_engine::reports::report(s.store.as_ref(), sync, &name, &o).await {
        Ok(r) => Ok(Json(r.into())),
        Err(e @ ReportError::Unknown(_)) => Err(ApiError::NotFound(e.to_string())),
        Err(e @ ReportError::Options { .. }) => Err(ApiError::BadRequest(e.to_string())),
        Err(ReportError::Store(e)) => Err(e.into()),
    }
}

/// Who has access to a board, workspace or team, and why.
#[utoipa::path(get, path = "/api/v1/accounts/{account}/who/{resource_type}/{id}", tag = "inventory", params(("account" = String, Path), ("resource_type" = String, Path, description = "board, workspace or team"), ("id" = String, Path)), security(("bearer" = [])), responses((status = 200, body = [GrantView]), (status = 400), (status = 404)))]
pub async fn who(
    State(s): S,
    _c: Reader,
    Path((account, rtype, id)): Path<(String, String, String)>,
) -> Result<Json<Vec<GrantView>>, ApiError> {
    let sync = snapshot(&s, &account).await?;
    let rtype: ResourceType =
        rtype.parse().map_err(|e: roster_core::EntitlementError| ApiError::BadRequest(e.to_string()))?;
    if !matches!(rtype, ResourceType::Board | ResourceType::Workspace | ResourceType::Team) {
        return Err(ApiError::BadRequest("who answers for boards, workspaces and teams".into()));
    }
    s.store
        .resource(sync, rtype, &id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no {rtype} {id} in the last sync")))?;
    Ok(Json(s.store.grants_on(sync, rtype, &id).await?.into_iter().map(GrantView::from).collect()))
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
    let q = EventQuery {
        account: Some(account),
        kind_prefix: f.kind,
        sync_id: None,
        after_id: f.since.map(|v| crate::bounds::SINCE.check("since", v)).transpose()?,
        limit: Some(crate::bounds::LIMIT.check("limit", f.limit.unwrap_or(100))?),
        ..EventQuery::default()
    };
    Ok(Json(
        s.store
            .events(&q)
            .await?
            .into_iter()
            .map(|e| EventView {
                id: e.id,
                account: e.account,
                sync_id: e.sync_id,
                at: e.at.to_rfc3339(),
                kind: e.kind,
                subject: e.subject,
                detail: e.detail,
            })
            .collect(),
    ))
}

/// Starts a sync of an account now (admin) and answers at once: 202 with the run's id and where
/// to poll it. 409 if a sync of it is already running (here or on another worker).
#[utoipa::path(post, path = "/api/v1/accounts/{account}/sync", tag = "operations", params(("account" = String, Path)), security(("bearer" = [])), responses((status = 202, body = SyncStarted, headers(("Location" = String, description = "the run to poll"))), (status = 403), (status = 404), (status = 409)))]
pub async fn trigger_sync(State(s): S, c: Caller, Path(account): Path<String>) -> Result<Response, ApiError> {
    c.require_admin()?;
    let a = s.served(&account)?.clone();
    let id = crate::scheduler::start_sync(Arc::clone(&s), a)
        .await?
        .ok_or_else(|| ApiError::Conflict(format!("a sync of {account:?} is already running")))?;
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
    let done = run.status == roster_store::SyncStatus::Completed;
    let mut v = SyncView::from(run);
    if done {
        let c = s.store.counts(id).await?;
        (v.users, v.grants) = (Some(c.users), Some(c.grants));
    }
    Ok(Json(v))
}

/// The process is up.
pub async fn healthz(State(s): S) -> impl IntoResponse {
    // Liveness: the process answers. The details say how each account and background task is
    // doing; an account whose monday.com is unreachable is reported here, not by failing
    // the probe (restarting Roster would not fix it).
    let mut accounts = Vec::new();
    for a in &s.accounts {
        let last = s.store.syncs(Some(&a.name), 1).await.ok().and_then(|r| r.into_iter().next());
        accounts.push(serde_json::json!({
            "account": a.name,
            "last_sync": last.as_ref().map(|r| r.status.as_str()),
            "last_sync_id": last.as_ref().map(|r| r.id),
            "error": last.as_ref().and_then(|r| r.error.clone()),
        }));
    }
    let restarts = s.task_restarts.lock().map(|m| m.clone()).unwrap_or_default();
    Json(serde_json::json!({ "status": "ok", "accounts": accounts, "task_restarts": restarts }))
}

/// Readiness: this process can serve requests (its store answers). One account's failing
/// sync does not take the replica out of a load balancer: see `/healthz` for that.
pub async fn readyz(State(s): S) -> impl IntoResponse {
    match s.store.accounts().await {
        Ok(_) => (StatusCode::OK, Json(serde_json::json!({ "status": "ready" }))),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "not ready", "problems": [format!("store: {e}")] })),
        ),
    }
}

/// Prometheus metrics.
pub async fn metrics(State(s): S) -> impl IntoResponse {
    let body = s.metrics.as_ref().map(|h| h.render()).unwrap_or_default();
    ([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}
