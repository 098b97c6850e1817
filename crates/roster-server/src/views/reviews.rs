//! Access reviews over HTTP: what a campaign is created, launched, decided and closed with,
//! and what campaigns and items look like.

use roster_engine::review::Counts;
use roster_store::ReviewItem;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A campaign to create (a draft until launched).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignCreate {
    pub name: String,
    /// Last day (2026-12-31) or an RFC 3339 time.
    pub due: String,
    /// board, workspace, team, role (empty: all four).
    #[serde(default)]
    pub types: Vec<String>,
    pub workspace: Option<String>,
    /// admin, member, viewer, guest (empty: every role).
    #[serde(default)]
    pub roles: Vec<String>,
    pub via_team: Option<String>,
    /// owners (default) or named.
    #[serde(default = "owners")]
    pub reviewers: String,
    #[serde(default)]
    pub named: Vec<String>,
    pub fallback: String,
    /// keep (default) or revoke.
    #[serde(default = "keep")]
    pub unanswered: String,
    #[serde(default = "day")]
    pub max_snapshot_age_hours: i64,
}

fn owners() -> String {
    "owners".into()
}
fn keep() -> String {
    "keep".into()
}
fn day() -> i64 {
    24
}

/// Launch options.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LaunchOptions {
    /// Launch even when the last sync is older than the campaign allows.
    #[serde(default)]
    pub force: bool,
}

/// Close options.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    #[serde(default)]
    pub allow_mass_change: bool,
    /// Close although items are undecided or reviewers have not signed off.
    #[serde(default)]
    pub force: bool,
    /// Answer with the plan and its effect; change nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// A reviewer's decision on one or more items (all or none are decided).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// Item ids (at most 1000).
    pub items: Vec<i64>,
    /// certify, revoke or reassign.
    pub decision: String,
    /// With reassign: the new reviewer's e-mail.
    pub reassign_to: Option<String>,
    /// Required to revoke, and for a self-review.
    pub justification: Option<String>,
}

/// Which items.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemFilter {
    /// One reviewer's items (a reviewer key always sees its own only).
    pub reviewer: Option<String>,
    /// Only items without a decision.
    pub undecided: Option<bool>,
    /// Items to skip (in order; at most 10,000,000).
    pub offset: Option<i64>,
    /// Only items after the one with this `seq` (the last `seq` of the previous page: a
    /// cursor, as fast at any depth; `offset` then is ignored).
    pub after: Option<i64>,
    /// At most this many (default 1000; 1 to 1000).
    pub limit: Option<i64>,
}

/// A campaign and its progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignView {
    pub id: i64,
    pub name: String,
    pub status: String,
    pub created_by: String,
    pub due: Option<String>,
    pub launched_at: Option<String>,
    pub closed_at: Option<String>,
    pub snapshot_sync_id: Option<i64>,
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
    #[schema(value_type = Object)]
    pub counts: Counts,
    /// (reviewer, signed at)
    pub signoffs: Vec<(String, String)>,
}

/// One item to review.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemView {
    pub id: i64,
    /// The item's place in the campaign's order: the `after` cursor of the next page.
    pub seq: i64,
    pub user_id: String,
    pub user_email: String,
    pub user_name: String,
    pub user_role: String,
    /// active, pending or deactivated, at launch.
    pub user_status: String,
    /// The user's last activity in monday.com at launch, when known.
    pub user_last_activity_at: Option<String>,
    /// The name of the user's custom role at launch (Enterprise), if any.
    pub user_custom_role: Option<String>,
    /// A guest: someone outside the company.
    pub external: bool,
    pub entitlement: String,
    pub resource_name: String,
    /// The resource's kind at launch: public, private or share (boards), open or closed
    /// (workspaces).
    pub resource_kind: Option<String>,
    pub source: String,
    /// On a direct item: the team(s) the user had left by launch that still reach the
    /// resource (access left behind).
    pub left_team: Option<String>,
    /// The separation-of-duties rules the user broke at launch with this access.
    pub sod_rules: Option<String>,
    pub reviewer: String,
    pub original_reviewer: String,
    pub self_review: bool,
    pub decision: Option<String>,
    pub decided_at: Option<String>,
    pub justification: Option<String>,
    pub remediation_status: Option<String>,
    pub verified_absent_at: Option<String>,
    /// What the reviewer is advised, and why (as of this answer); none when only the reviewer
    /// can judge.
    pub recommendation: Option<RecommendationView>,
}

/// A recommendation on an item.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecommendationView {
    /// certify or revoke.
    pub decision: String,
    /// Why ("deactivated in monday.com", "no activity for 120 days", "owner, active today").
    pub reason: String,
    /// The rule that gave it, as the inbox filters by it: deactivated, never_joined, idle,
    /// sod_conflict, left_team, guest_on_board or owner_active.
    pub signal: String,
}

pub(crate) fn at(ms: Option<i64>) -> Option<String> {
    ms.and_then(chrono::DateTime::from_timestamp_millis).map(|t| t.to_rfc3339())
}

impl From<ReviewItem> for ItemView {
    fn from(i: ReviewItem) -> Self {
        let recommendation = roster_engine::review::recommend::recommend(&i, chrono::Utc::now().timestamp_millis())
            .map(|r| RecommendationView {
                decision: r.decision.as_str().to_string(),
                reason: r.reason,
                signal: r.signal.as_str().to_string(),
            });
        ItemView {
            recommendation,
            id: i.id,
            seq: i.seq,
            user_id: i.user_id,
            user_email: i.user_email,
            user_name: i.user_name,
            external: i.user_role == "guest",
            user_role: i.user_role,
            user_status: i.user_status,
            user_last_activity_at: at(i.user_last_activity_ms),
            user_custom_role: i.user_custom_role,
            entitlement: i.entitlement,
            resource_name: i.resource_name,
            resource_kind: i.resource_kind,
            source: i.source,
            left_team: i.left_team,
            sod_rules: i.sod_rules,
            reviewer: i.reviewer,
            original_reviewer: i.original_reviewer,
            self_review: i.self_review,
            decision: i.decision.map(|d| d.as_str().to_string()),
            decided_at: at(i.decided_ms),
            justification: i.justification,
            remediation_status: i.remediation_status.map(|r| r.as_str().to_string()),
            verified_absent_at: at(i.verified_absent_ms),
        }
    }
}
