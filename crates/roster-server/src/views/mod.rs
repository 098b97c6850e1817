//! What the API takes and returns, with its OpenAPI schema: the inventory and history here,
//! reviews, just-in-time access and plans in their own files. A leaf below the routes and
//! the web UI; it reads only roster-core, the store's types and the bounds.

mod jit;
mod plans;
mod reviews;

pub use jit::*;
pub use plans::*;
pub(crate) use reviews::at as reviews_at;
pub use reviews::*;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An account and its last sync.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub name: String,
    pub last_sync: Option<SyncView>,
}

/// A sync run.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncView {
    pub id: i64,
    pub account: String,
    pub status: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub resumed: i64,
    pub requests: i64,
    pub complexity: i64,
    pub error: Option<String>,
    /// When retention pruned its snapshot (the run and its events stay; its counts are gone).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pruned_at: Option<String>,
    /// Users in the snapshot (a completed run read by id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users: Option<i64>,
    /// Grants in the snapshot (a completed run read by id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grants: Option<i64>,
}

impl From<roster_store::SyncRun> for SyncView {
    fn from(r: roster_store::SyncRun) -> Self {
        SyncView {
            id: r.id,
            account: r.account,
            status: r.status.as_str().into(),
            started_at: r.started_at.to_rfc3339(),
            finished_at: r.finished_at.map(|t| t.to_rfc3339()),
            resumed: r.resumed,
            requests: r.requests,
            complexity: r.complexity,
            error: r.error,
            pruned_at: r.pruned_at.map(|t| t.to_rfc3339()),
            users: None,
            grants: None,
        }
    }
}

/// A user.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: String,
    pub name: String,
    pub email: String,
    pub title: String,
    pub role: String,
    pub status: String,
    pub last_activity: Option<String>,
    pub invitation_method: Option<String>,
    /// monday.com's `User.kind` when it is not a person's (`service_user`, `agent_member`, or
    /// one Roster does not know yet); absent for a person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The id of the user's department (Enterprise), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
}

impl From<roster_core::UserRecord> for UserView {
    fn from(u: roster_core::UserRecord) -> Self {
        UserView {
            id: u.id,
            name: u.name,
            email: u.email,
            title: u.title,
            role: u.role.as_str().into(),
            status: u.status.as_str().into(),
            last_activity: u.last_activity.map(|t| t.to_rfc3339()),
            invitation_method: u.invitation_method,
            kind: u.kind,
            department: u.department,
        }
    }
}

/// A team, workspace or board with its direct member counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceView {
    pub id: String,
    pub name: String,
    pub kind: Option<String>,
    pub state: Option<String>,
    pub parent: Option<String>,
    pub members: i64,
    pub owners: i64,
    pub teams: i64,
    pub via_teams: i64,
}

/// A grant: who holds what, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantView {
    /// `type:id:slug`
    pub entitlement: String,
    /// `user:<id>` or `team:<id>`
    pub principal: String,
    /// `direct` or `team:<id>`
    pub source: String,
}

impl From<roster_core::Grant> for GrantView {
    fn from(g: roster_core::Grant) -> Self {
        GrantView {
            entitlement: g.entitlement.to_string(),
            principal: g.principal.to_string(),
            source: g.source.as_string(),
        }
    }
}

/// An event.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: i64,
    pub account: String,
    pub sync_id: Option<i64>,
    pub at: String,
    pub kind: String,
    pub subject: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl From<roster_store::EventRow> for EventView {
    fn from(e: roster_store::EventRow) -> Self {
        EventView {
            id: e.id,
            account: e.account,
            sync_id: e.sync_id,
            at: e.at.to_rfc3339(),
            kind: e.kind,
            subject: e.subject,
            detail: e.detail,
        }
    }
}

/// A page of items.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Items before paging.
    pub total: usize,
    /// Offset of the next page, if there is one.
    pub next: Option<usize>,
}

/// Paging parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Items to skip (at most 10,000,000).
    pub offset: Option<usize>,
    /// Items per page (default 100; 1 to 1000).
    pub limit: Option<usize>,
}

impl Paging {
    /// The offset and the page size (default 100); out of their bounds, a 400 naming them.
    pub fn window(&self) -> Result<(usize, usize), crate::error::ApiError> {
        let offset = crate::bounds::OFFSET.check("offset", self.offset.unwrap_or(0))?;
        let limit = crate::bounds::LIMIT.check("limit", self.limit.unwrap_or(100))?;
        Ok((offset, limit))
    }

    /// Cuts `items` to this page.
    pub fn apply<T>(&self, items: Vec<T>) -> Result<Page<T>, crate::error::ApiError> {
        let total = items.len();
        let (offset, limit) = self.window()?;
        let items: Vec<T> = items.into_iter().skip(offset).take(limit).collect();
        let next = (offset + items.len() < total).then_some(offset + items.len());
        Ok(Page { items, total, next })
    }
}

/// Filters of the users route (as `roster users`).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilters {
    /// active, pending or deactivated
    pub status: Option<String>,
    /// admin, member, viewer or guest
    pub role: Option<String>,
    /// team id
    pub team: Option<String>,
    /// no activity for at least this many days
    pub inactive_days: Option<i64>,
    /// e-mail contains (case-insensitive; at most 254 characters)
    pub email: Option<String>,
    /// e-mail or name contains (case-insensitive; at most 254 characters)
    pub q: Option<String>,
    pub offset: Option<usize>,
    pub limit: Option<usize>,
}

/// Filters of the events route.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventFilters {
    /// Only events after this id (a polling cursor).
    pub since: Option<i64>,
    /// Kinds starting with this.
    pub kind: Option<String>,
    /// Only the events about this user (their monday.com id), the grants they gained or lost
    /// included.
    pub user_id: Option<String>,
    /// Only the events of the last this many days.
    pub days: Option<i64>,
    /// At most this many (default 100; 1 to 1000).
    pub limit: Option<u32>,
}

/// What the c1z export holds.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct C1zParams {
    /// The sync to export (default: the newest completed).
    pub sync: Option<i64>,
    /// Also the completed sync before it (default false), for `baton diff`.
    pub with_previous: Option<bool>,
}

/// Filters of the audit log route.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditLogFilters {
    /// Only this user's entries (a monday.com user id).
    pub user_id: Option<String>,
    /// Only this event (login, logout, failed-login, user-deactivated, ...).
    pub event: Option<String>,
    /// Only the last this many days (default 30).
    pub days: Option<i64>,
    /// At most this many (default 100; 1 to 1000).
    pub limit: Option<u32>,
}

/// One entry of monday.com's audit log (Enterprise), as read by the syncs.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub at: String,
    pub event: String,
    pub user_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub client_name: Option<String>,
    pub os_name: Option<String>,
    pub device_type: Option<String>,
    /// What the event was about, as monday.com sent it (null when nothing).
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Value>,
}

impl From<roster_store::AuditLogRow> for AuditEntryView {
    fn from(r: roster_store::AuditLogRow) -> Self {
        AuditEntryView {
            at: chrono::DateTime::from_timestamp_millis(r.at_ms).map(|t| t.to_rfc3339()).unwrap_or_default(),
            event: r.event,
            user_id: r.user_id,
            ip: r.ip,
            user_agent: r.user_agent,
            client_name: r.client_name,
            os_name: r.os_name,
            device_type: r.device_type,
            metadata: r.metadata.and_then(|m| serde_json::from_str(&m).ok()),
        }
    }
}

/// The answer to a sync request.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncStarted {
    pub sync_id: i64,
    /// `running` (poll `poll` for the outcome).
    pub status: String,
    /// The run's address.
    pub poll: String,
}

/// A plan of changes: the same actions and guard as the CLI.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PlanRequest {
    /// Actions such as `{"action": "deactivate", "user": "40000123"}` or `{"action": "grant",
    /// "entitlement": {"rtype": "board", "rid": "1", "slug": "subscriber"}, "principal": {"ptype": "user", "id": "7"}}`.
    #[schema(value_type = Vec<Object>)]
    pub actions: Vec<roster_core::Action>,
    /// Check and show, change nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Let a plan through the mass-change guard.
    #[serde(default)]
    pub allow_mass_change: bool,
    /// Why (recorded with each action).
    pub reason: Option<String>,
}

/// What a plan did.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanResult {
    pub plan_id: String,
    pub sync_id: i64,
    pub failed: usize,
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<roster_engine::provision::ActionResult>,
    /// Distinct users the plan takes any access from (what the mass-change guard counts).
    pub users_losing_access: usize,
    /// Every grant it takes; `named: false` marks effects no action named (an ownership ended
    /// with a subscription, access through a deleted team).
    #[schema(value_type = Vec<Object>)]
    pub effect: Vec<roster_engine::Lost>,
    /// On a dry run: the guard's refusal, had it been applied.
    pub guard_would_refuse: Option<String>,
    /// Stored to wait for a second admin's approval: nothing was sent.
    pub pending_approval: bool,
}

impl From<roster_engine::ApplyReport> for PlanResult {
    fn from(report: roster_engine::ApplyReport) -> Self {
        PlanResult {
            failed: report.failed(),
            users_losing_access: report.users_losing_access,
            guard_would_refuse: report.guard_would_refuse.as_ref().map(ToString::to_string),
            pending_approval: report.pending_approval,
            effect: report.effect,
            plan_id: report.plan_id,
            sync_id: report.sync_id,
            results: report.results,
        }
    }
}

/// A governance report: a table.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub name: String,
    pub title: String,
    pub columns: Vec<String>,
    /// One object per row, keyed by column.
    pub rows: Vec<std::collections::BTreeMap<String, String>>,
}

impl From<roster_engine::reports::Report> for ReportView {
    fn from(r: roster_engine::reports::Report) -> Self {
        let rows = r.rows.into_iter().map(|row| r.columns.iter().map(|c| c.to_string()).zip(row).collect()).collect();
        ReportView { name: r.name, title: r.title, columns: r.columns.iter().map(|c| c.to_string()).collect(), rows }
    }
}

/// Options of the reports route (as `roster report`).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// inactive: no activity for at least this many days (default 90)
    pub days: Option<i64>,
    /// inactive: e-mails never reported, comma-separated
    pub exempt: Option<String>,
    /// external: the company's e-mail domains, comma-separated
    pub domain: Option<String>,
    /// offboarding: the user leaving (id or e-mail)
    pub user: Option<String>,
}
