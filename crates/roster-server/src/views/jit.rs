//! Just-in-time access over HTTP: a request, a denial, the list's filter, one grant.

use roster_store::JitGrant;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A request for temporary access.
#[derive(Debug, Deserialize, ToSchema)]
pub struct JitRequest {
    /// The user who gets it (id or e-mail).
    pub user: String,
    /// board:ID:subscriber|owner, workspace:ID:member|owner, team:ID:member|owner, or a role: role:admin:assigned.
    pub entitlement: String,
    pub minutes: u64,
    pub justification: String,
}

/// Why a request is denied.
#[derive(Debug, Deserialize, ToSchema)]
pub struct JitDenial {
    pub reason: String,
}

/// Filter of the list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JitFilter {
    /// requested, active, expiring, expired, denied or failed
    pub status: Option<String>,
}

/// One just-in-time grant.
#[derive(Debug, Serialize, ToSchema)]
pub struct JitView {
    pub id: i64,
    pub status: String,
    pub user_id: String,
    pub entitlement: String,
    pub requester: String,
    pub justification: String,
    pub minutes: i64,
    pub approver: Option<String>,
    /// The user held it before: the expiry keeps it.
    pub preexisting: bool,
    pub expires_at: Option<String>,
    pub note: Option<String>,
}

impl From<JitGrant> for JitView {
    fn from(g: JitGrant) -> Self {
        JitView {
            id: g.id,
            status: g.status.to_string(),
            user_id: g.user_id,
            entitlement: g.entitlement,
            requester: g.requester,
            justification: g.justification,
            minutes: g.duration_s / 60,
            approver: g.decided_by,
            preexisting: g.preexisting,
            expires_at: g.expires_ms.and_then(chrono::DateTime::from_timestamp_millis).map(|t| t.to_rfc3339()),
            note: g.note,
        }
    }
}
