//! The values that go in and out of the store.

use chrono::{DateTime, Utc};
use roster_core::{AccountRecord, Grant, ResourceRecord, Role, UserRecord, UserStatus};
use serde::{Deserialize, Serialize};

/// Where a sync run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncStatus {
    Running,
    /// Stopped part-way (killed or failed); the next sync of the account resumes it.
    Interrupted,
    Completed,
}

impl SyncStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncStatus::Running => "running",
            SyncStatus::Interrupted => "interrupted",
            SyncStatus::Completed => "completed",
        }
    }
}

/// One sync run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncRun {
    pub id: i64,
    pub account: String,
    pub status: SyncStatus,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    pub api_version: String,
    /// How many times it was resumed.
    pub resumed: i64,
    pub requests: i64,
    pub complexity: i64,
}

/// Progress of one part (`account`, `users`, `teams`, `workspaces`, `boards`) of a sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartProgress {
    pub part: String,
    /// Items read so far (the next page starts here).
    pub next_offset: u64,
    pub pages: u64,
    pub done: bool,
}

/// One page of a sync: rows and where the part stands after it.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub part: String,
    pub account: Option<AccountRecord>,
    pub users: Vec<UserRecord>,
    pub resources: Vec<ResourceRecord>,
    pub grants: Vec<Grant>,
    pub next_offset: u64,
    pub done: bool,
}

/// What a sync cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStats {
    pub requests: i64,
    pub complexity: i64,
}

/// Filters for listing users.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserQuery {
    pub status: Option<UserStatus>,
    pub role: Option<Role>,
    /// Members of this team (id).
    pub team: Option<String>,
    /// No activity for at least this many days as of `now` (never active counts as inactive).
    pub inactive_days: Option<(i64, DateTime<Utc>)>,
    /// Case-insensitive substring of the e-mail.
    pub email_contains: Option<String>,
    /// Matching users to skip (in id order).
    pub offset: u64,
    /// At most this many users (`None`: all).
    pub limit: Option<u64>,
}

/// Row counts of one sync.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub users: i64,
    pub teams: i64,
    pub workspaces: i64,
    pub boards: i64,
    pub grants: i64,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRow {
    pub id: i64,
    pub account: String,
    pub sync_id: Option<i64>,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub subject: String,
    pub detail: serde_json::Value,
}

/// Filters for listing events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventQuery {
    pub account: Option<String>,
    /// Kinds starting with this (`user_`, `grant_added`, ...).
    pub kind_prefix: Option<String>,
    /// Events of this sync only.
    pub sync_id: Option<i64>,
    /// Events after this id (a polling cursor).
    pub after_id: Option<i64>,
    /// Events about this subject only (`user:7`).
    pub subject: Option<String>,
    /// The newest first (the last `limit` events) instead of the oldest.
    pub newest_first: bool,
    pub limit: Option<u32>,
}

/// Direct holders of one resource's entitlements.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberCounts {
    /// Users holding the member/subscriber entitlement directly.
    pub members: i64,
    /// Users holding the owner entitlement directly.
    pub owners: i64,
    /// Teams holding any entitlement on it.
    pub teams: i64,
    /// Users with access through a team.
    pub via_teams: i64,
}

/// A change Roster made, waiting for a sync to confirm it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingChange {
    pub id: i64,
    pub account: String,
    pub plan_id: String,
    pub action: roster_core::Change,
    pub created_at: DateTime<Utc>,
    /// Requested until monday.com's answer is recorded.
    pub outcome: roster_core::Outcome,
}

/// A just-in-time access grant, from request to expiry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JitGrant {
    pub id: i64,
    pub account: String,
    /// Who asked (a person's name or e-mail, as given to Roster).
    pub requester: String,
    /// The monday.com user who gets the access.
    pub user_id: String,
    pub entitlement: String,
    pub justification: String,
    pub duration_s: i64,
    /// requested, denied, active, expiring (being revoked), expired or failed.
    pub status: roster_core::JitStatus,
    /// The user held the access before: the expiry leaves it.
    pub preexisting: bool,
    pub decided_by: Option<String>,
    pub created_ms: i64,
    pub expires_ms: Option<i64>,
    /// The before-expiry notice went out.
    pub warned: bool,
    pub ended_ms: Option<i64>,
    pub note: Option<String>,
    /// For a role: the role the user had at approval, restored at expiry.
    pub previous: Option<String>,
}

/// A change of a just-in-time grant's status, made only if it is still in `from`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JitTransition {
    pub from: roster_core::JitStatus,
    pub to: roster_core::JitStatus,
    pub decided_by: Option<String>,
    pub preexisting: Option<bool>,
    pub expires_ms: Option<i64>,
    pub warned: Option<bool>,
    pub ended_ms: Option<i64>,
    pub note: Option<String>,
    pub previous: Option<String>,
}

/// An access review campaign. `spec` is the campaign's definition as JSON (the engine's
/// `CampaignSpec`); the store keeps it whole so the evidence shows what was asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewCampaign {
    pub id: i64,
    pub account: String,
    pub name: String,
    pub spec: String,
    pub status: roster_core::review::CampaignStatus,
    pub created_by: String,
    pub created_ms: i64,
    pub due_ms: i64,
    pub launched_ms: Option<i64>,
    /// The snapshot the items were frozen from, and when it completed.
    pub sync_id: Option<i64>,
    pub snapshot_ms: Option<i64>,
    pub closed_ms: Option<i64>,
    /// The remediation plan applied at close.
    pub plan_id: Option<String>,
}

/// One user's access to review, as frozen at launch, with its decision and remediation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub id: i64,
    pub campaign_id: i64,
    /// Order within the campaign (1-based).
    pub seq: i64,
    pub user_id: String,
    pub user_email: String,
    pub user_name: String,
    pub user_status: String,
    pub user_role: String,
    pub user_last_activity_ms: Option<i64>,
    pub entitlement: String,
    pub resource_name: String,
    /// `direct` or `team:<id>`.
    pub source: String,
    pub reviewer: String,
    /// The reviewer assigned at launch (differs after a reassignment).
    pub original_reviewer: String,
    /// The reviewer is the user: the decision needs a reason.
    pub self_review: bool,
    /// certify or revoke; none while undecided.
    pub decision: Option<roster_core::review::Decision>,
    pub decided_by: Option<String>,
    pub decided_ms: Option<i64>,
    pub justification: Option<String>,
    /// The action taken at close (`revoke board:1:subscriber from user:2`).
    pub remediation_action: Option<String>,
    /// applied, failed, verified (seen gone by a later sync) or not_removed.
    pub remediation_status: Option<roster_core::review::RemediationStatus>,
    pub remediation_note: Option<String>,
    pub applied_ms: Option<i64>,
    pub verified_absent_ms: Option<i64>,
}

/// A reviewer's act on one item: a decision, or (with `reassign_to`) handing it to another
/// reviewer, which clears any decision.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemDecision {
    /// The reviewer the item must still have (so a concurrent reassignment wins cleanly).
    pub reviewer: String,
    pub decision: Option<roster_core::review::Decision>,
    pub reassign_to: Option<String>,
    pub by: String,
    pub justification: Option<String>,
    pub at_ms: i64,
}

/// What the close did for one revoked item.
#[derive(Debug, Clone, PartialEq)]
pub struct Remediation {
    pub action: String,
    pub status: roster_core::review::RemediationStatus,
    pub note: Option<String>,
    pub applied_ms: Option<i64>,
}

/// A web UI session as stored: the digest of its token, never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    pub digest: String,
    /// The API key's name and role it was opened with.
    pub name: String,
    pub role: String,
    pub csrf: String,
    pub started_ms: i64,
    pub seen_ms: i64,
}

/// Items of a campaign counted by reviewer and state (one row per combination).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewTally {
    pub reviewer: String,
    pub decision: Option<roster_core::review::Decision>,
    pub remediation_status: Option<roster_core::review::RemediationStatus>,
    /// The reviewer is not the one assigned at launch.
    pub reassigned: bool,
    pub self_review: bool,
    pub items: i64,
}

/// A plan stored to wait for a second admin's approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPlan {
    pub id: String,
    pub account: String,
    pub kind: roster_core::PlanKind,
    /// The snapshot it was computed on (approval is refused once a newer one completed).
    pub sync_id: Option<i64>,
    /// What it carries out (JSON, by kind).
    pub body: serde_json::Value,
    /// What it does, for people deciding: actions, effect, guard (JSON).
    pub summary: serde_json::Value,
    pub status: roster_core::PlanStatus,
    pub requested_by: String,
    pub reason: Option<String>,
    pub created_ms: i64,
    pub decided_by: Option<String>,
    pub decided_ms: Option<i64>,
    /// Why it was rejected, or failed; what it did once applied.
    pub note: Option<String>,
}

impl StoredPlan {
    /// What it does, one line per action or SCIM step (from its summary).
    pub fn steps(&self) -> Vec<String> {
        let list = self.summary.get("actions").or_else(|| self.summary.get("steps"));
        list.and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }

    /// How many users it takes access from (from its summary).
    pub fn users_losing_access(&self) -> u64 {
        self.summary.get("users_losing_access").and_then(|v| v.as_u64()).unwrap_or(0)
    }
}

/// A move of a stored plan from one status to the next, with the events that say so.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanTransition {
    pub from: roster_core::PlanStatus,
    pub to: roster_core::PlanStatus,
    /// The decider (kept when `None`).
    pub by: Option<String>,
    pub at_ms: i64,
    pub note: Option<String>,
}
