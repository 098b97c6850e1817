//! Plans stored for approval over HTTP: the list's filter, one plan, a decision, what an
//! approval did.

use roster_engine::approval::Ran;
use roster_store::StoredPlan;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Filter of the list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanFilter {
    /// pending_approval, approved, applied, failed or rejected
    pub status: Option<String>,
}

/// A plan stored for approval.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    pub id: String,
    /// actions, scim or review_close
    pub kind: String,
    /// pending_approval, approved, applied, failed or rejected
    pub status: String,
    /// The snapshot it was computed on (approval is refused once a newer one completed).
    pub sync_id: Option<i64>,
    pub requested_by: String,
    pub reason: Option<String>,
    pub created_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub note: Option<String>,
    /// What it does: its actions or steps, and how many users lose access.
    #[schema(value_type = Object)]
    pub summary: serde_json::Value,
}

fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339()).unwrap_or_default()
}

impl From<StoredPlan> for PlanView {
    fn from(p: StoredPlan) -> Self {
        PlanView {
            id: p.id,
            kind: p.kind.as_str().into(),
            status: p.status.as_str().into(),
            sync_id: p.sync_id,
            requested_by: p.requested_by,
            reason: p.reason,
            created_at: time(p.created_ms),
            decided_by: p.decided_by,
            decided_at: p.decided_ms.map(time),
            note: p.note,
            summary: p.summary,
        }
    }
}

/// A decision's note.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PlanDecision {
    /// Why (kept with a rejection).
    pub reason: Option<String>,
}

/// What an approval did: the plan as it stands now, and what running it did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalResult {
    pub plan: PlanView,
    #[schema(value_type = Object)]
    pub ran: Ran,
}
