//! The inventory: accounts, users, teams, workspaces, boards, a user's access, who reaches a
//! resource, and the governance reports, all read from the last completed snapshot.

use std::sync::Arc;

use axum::extract::State;
use axum::Json;
use roster_core::{Principal, ResourceType, Role, UserStatus};
use roster_store::UserQuery;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Reader;
use crate::error::ApiError;
use crate::extract::{Params, Path};
use crate::reads::{snapshot, user_page};
use crate::state::AppState;
use crate::views::*;

type S = State<Arc<AppState>>;

/// The inventory's routes.
pub fn router() -> OpenApiRouter<Arc<AppState>> {
    OpenApiRouter::new()
        .routes(routes!(accounts))
        .routes(routes!(users))
        .routes(routes!(teams))
        .routes(routes!(workspaces))
        .routes(routes!(boards))
        .routes(routes!(access))
        .routes(routes!(who))
        .routes(routes!(report))
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
        email_contains: f.email.as_deref().map(|v| crate::bounds::text("email", v)).transpose()?.map(String::from),
        search: f.q.as_deref().map(|v| crate::bounds::text("q", v)).transpose()?.map(String::from),
        ..UserQuery::default()
    };
    // Paged in the database: a 100,000-user snapshot is never read whole for one page.
    let paging = Paging { offset: f.offset, limit: f.limit };
    let (offset, limit) = paging.window()?;
    let (users, total) = user_page(&s, sync, &q, offset as u64, limit as u64).await?;
    let items: Vec<UserView> = users.into_iter().map(UserView::from).collect();
    let next = (offset + items.len() < total).then_some(offset + items.len());
    Ok(Json(Page { items, total, next }))
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
#[utoipa::path(get, path = "/api/v1/accounts/{account}/reports/{name}", tag = "inventory", params(("account" = String, Path), ("name" = String, Path, description = "inactive, seats, service-users, departments, admins, external, everyone-boards, ownerless, offboarding, sod, logins, login-signals or unmanaged (with the account's [accounts.source]; without one it answers 400)"), ReportParams), security(("bearer" = [])), responses((status = 200, body = ReportView), (status = 400), (status = 404)))]
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
        // `unmanaged` compares with the account's configured source of truth ([accounts.source]);
        // without one it answers 400 and says so.
        source: if name == "unmanaged" {
            s.served(&account)?.source_people().map_err(ApiError::Internal)?
        } else {
            None
        },
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
