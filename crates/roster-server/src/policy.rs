//! Who may do what: every API route is one kind of act, and each role's acts are listed here,
//! once, as data. The API enforces it in one middleware before any handler runs (handlers then
//! narrow further: a reviewer decides only their own items, a requester sees only their own
//! requests), and the web UI asks the same table.

use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::keys::Role;
use crate::state::AppState;

/// What a request does, as far as permission goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// Users, teams, workspaces, boards, access, reports.
    ReadInventory,
    /// Syncs, events, a plan's events.
    ReadHistory,
    /// Start a sync.
    Sync,
    /// Change monday.com (plans).
    Change,
    /// Approve or reject a plan waiting for a second admin.
    PlanDecide,
    /// Ask for just-in-time access.
    JitAsk,
    /// See just-in-time requests (a requester sees their own).
    JitSee,
    /// Approve or deny just-in-time requests.
    JitDecide,
    /// See campaigns and items (a reviewer sees their own).
    ReviewSee,
    /// Decide items and sign off (a reviewer, their own).
    ReviewDecide,
    /// Create, launch and close campaigns.
    ReviewManage,
    /// Download the evidence.
    ReviewEvidence,
}

/// The matrix: for each act, the roles that may do it.
pub const MATRIX: &[(Act, &[Role])] = &[
    (Act::ReadInventory, &[Role::Admin, Role::Reader]),
    (Act::ReadHistory, &[Role::Admin, Role::Reader]),
    (Act::Sync, &[Role::Admin]),
    (Act::Change, &[Role::Admin]),
    (Act::PlanDecide, &[Role::Admin]),
    (Act::JitAsk, &[Role::Admin, Role::Requester]),
    (Act::JitSee, &[Role::Admin, Role::Reader, Role::Requester]),
    (Act::JitDecide, &[Role::Admin]),
    (Act::ReviewSee, &[Role::Admin, Role::Reader, Role::Reviewer]),
    (Act::ReviewDecide, &[Role::Admin, Role::Reviewer]),
    (Act::ReviewManage, &[Role::Admin]),
    (Act::ReviewEvidence, &[Role::Admin, Role::Reader]),
];

/// Whether `role` may do `act`.
pub fn may(role: Role, act: Act) -> bool {
    MATRIX.iter().any(|(a, roles)| *a == act && roles.contains(&role))
}

/// Every API route (method, template) and its act: the permission table, and the list the
/// contract test holds the router and the OpenAPI document to.
pub const ROUTES: &[(&str, &str, Act)] = &[
    ("GET", "/api/v1/accounts", Act::ReadInventory),
    ("GET", "/api/v1/accounts/{account}/users", Act::ReadInventory),
    ("GET", "/api/v1/accounts/{account}/teams", Act::ReadInventory),
    ("GET", "/api/v1/accounts/{account}/workspaces", Act::ReadInventory),
    ("GET", "/api/v1/accounts/{account}/boards", Act::ReadInventory),
    ("GET", "/api/v1/accounts/{account}/access/{user}", Act::ReadInventory),
    ("GET", "/api/v1/accounts/{account}/reports/{name}", Act::ReadInventory),
    ("GET", "/api/v1/accounts/{account}/who/{resource_type}/{id}", Act::ReadInventory),
    ("GET", "/api/v1/accounts/{account}/syncs", Act::ReadHistory),
    ("GET", "/api/v1/accounts/{account}/syncs/{id}", Act::ReadHistory),
    ("GET", "/api/v1/accounts/{account}/events", Act::ReadHistory),
    ("GET", "/api/v1/accounts/{account}/audit-log", Act::ReadHistory),
    ("GET", "/api/v1/accounts/{account}/export/c1z", Act::ReadHistory),
    ("GET", "/api/v1/accounts/{account}/plans", Act::ReadHistory),
    ("GET", "/api/v1/accounts/{account}/plans/{plan_id}", Act::ReadHistory),
    ("POST", "/api/v1/accounts/{account}/sync", Act::Sync),
    ("POST", "/api/v1/accounts/{account}/plans", Act::Change),
    ("POST", "/api/v1/accounts/{account}/plans/{plan_id}/approve", Act::PlanDecide),
    ("POST", "/api/v1/accounts/{account}/plans/{plan_id}/reject", Act::PlanDecide),
    ("POST", "/api/v1/accounts/{account}/jit", Act::JitAsk),
    ("GET", "/api/v1/accounts/{account}/jit", Act::JitSee),
    ("POST", "/api/v1/accounts/{account}/jit/{id}/approve", Act::JitDecide),
    ("POST", "/api/v1/accounts/{account}/jit/{id}/deny", Act::JitDecide),
    ("POST", "/api/v1/accounts/{account}/reviews", Act::ReviewManage),
    ("GET", "/api/v1/accounts/{account}/reviews", Act::ReviewSee),
    ("GET", "/api/v1/accounts/{account}/reviews/{id}", Act::ReviewSee),
    ("GET", "/api/v1/accounts/{account}/reviews/{id}/items", Act::ReviewSee),
    ("POST", "/api/v1/accounts/{account}/reviews/{id}/decisions", Act::ReviewDecide),
    ("POST", "/api/v1/accounts/{account}/reviews/{id}/signoff", Act::ReviewDecide),
    ("POST", "/api/v1/accounts/{account}/reviews/{id}/launch", Act::ReviewManage),
    ("POST", "/api/v1/accounts/{account}/reviews/{id}/close", Act::ReviewManage),
    ("GET", "/api/v1/accounts/{account}/reviews/{id}/evidence", Act::ReviewEvidence),
];

/// The act of an API route (by its template, as the router matched it); `None` for a route
/// this table does not know, which is refused to everyone (a new route must be added here).
pub fn act_of(method: &Method, route: &str) -> Option<Act> {
    ROUTES.iter().find(|(m, r, _)| *m == method.as_str() && *r == route).map(|(_, _, act)| *act)
}

/// The one place API permissions are enforced: authenticates the caller (once; handlers find
/// it in the request) and refuses what the matrix does not allow.
pub async fn authorize(
    State(state): State<std::sync::Arc<AppState>>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let route = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string()).unwrap_or_default();
    let act = act_of(req.method(), &route);
    let (mut parts, body) = req.into_parts();
    let caller = <Caller as axum::extract::FromRequestParts<_>>::from_request_parts(&mut parts, &state).await?;
    match act {
        Some(act) if may(caller.role, act) => {}
        Some(act) => {
            return Err(ApiError::Forbidden(format!(
                "key {:?} is a {} key: it may not {}",
                caller.name,
                caller.role.as_str(),
                describe(act)
            )))
        }
        None => return Err(ApiError::Forbidden(format!("route {route} has no permission entry: refused to everyone"))),
    }
    parts.extensions.insert(caller);
    Ok(next.run(Request::from_parts(parts, body)).await)
}

/// What an act is, and who may do it, for refusals.
pub fn describe(act: Act) -> &'static str {
    match act {
        Act::ReadInventory => "read the inventory (admin and reader keys)",
        Act::ReadHistory => "read syncs and events (admin and reader keys)",
        Act::Sync => "start a sync (admin keys)",
        Act::Change => "change monday.com (admin keys)",
        Act::PlanDecide => "approve or reject plans (admin keys)",
        Act::JitAsk => "ask for just-in-time access (admin and requester keys)",
        Act::JitSee => "see just-in-time requests (admin, reader and requester keys)",
        Act::JitDecide => "approve or deny just-in-time requests (admin keys)",
        Act::ReviewSee => "see access reviews (admin, reader and reviewer keys)",
        Act::ReviewDecide => "decide review items (admin and reviewer keys)",
        Act::ReviewManage => "create, launch or close campaigns (admin keys)",
        Act::ReviewEvidence => "download review evidence (admin and reader keys)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_names_every_act_once() {
        for act in [
            Act::ReadInventory,
            Act::ReadHistory,
            Act::Sync,
            Act::Change,
            Act::PlanDecide,
            Act::JitAsk,
            Act::JitSee,
            Act::JitDecide,
            Act::ReviewSee,
            Act::ReviewDecide,
            Act::ReviewManage,
            Act::ReviewEvidence,
        ] {
            assert_eq!(MATRIX.iter().filter(|(a, _)| *a == act).count(), 1, "{act:?}");
        }
        assert!(!may(Role::Reviewer, Act::JitSee) && !may(Role::Reviewer, Act::JitAsk));
        assert_eq!(act_of(&Method::GET, "/api/v1/accounts/{account}/jit"), Some(Act::JitSee));
        assert_eq!(act_of(&Method::DELETE, "/api/v1/accounts/{account}/jit"), None);
    }
}
