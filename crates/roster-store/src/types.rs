//! The values that go in and out of the store.

use chrono::{DateTime, Utc};
use roster_core::{AccountRecord, Grant, ResourceRecord, Role, UserRecord, UserStatus};
use serde::{Deserialize, Serialize};

/// What the store holds, for `roster store stats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreStats {
    /// Per account.
    pub accounts: Vec<AccountStats>,
    /// The database's size on disk (SQLite: the file's pages, free ones included; PostgreSQL:
    /// the database).
    pub bytes: i64,
    /// How e-mail and name search is served: through a trigram index, or (PostgreSQL without
    /// the pg_trgm extension) by a scan.
    pub user_search: String,
}

/// One account's share of the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountStats {
    /// The account.
    pub account: String,
    /// Completed snapshots kept.
    pub snapshots: i64,
    /// Snapshots retention pruned (their runs and events stay).
    pub pruned: i64,
    /// User, resource and grant rows kept, over all snapshots.
    pub rows: i64,
    /// Events recorded.
    pub events: i64,
}

/// Where a sync run stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncStatus {
    /// Reading monday.com now.
    Running,
    /// Stopped part-way (killed or failed); the next sync of the account resumes it.
    Interrupted,
    /// Finished: its snapshot is complete and reads use it.
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
    /// The run's id, increasing with each sync of any account.
    pub id: i64,
    /// The configured account it synced.
    pub account: String,
    /// Where it stands.
    pub status: SyncStatus,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it completed or stopped, if it has.
    pub finished_at: Option<DateTime<Utc>>,
    /// Why it stopped, when it failed.
    pub error: Option<String>,
    /// The monday.com API version it read with.
    pub api_version: String,
    /// How many times it was resumed.
    pub resumed: i64,
    /// Requests sent to monday.com.
    pub requests: i64,
    /// Complexity points monday.com charged.
    pub complexity: i64,
    /// When retention deleted its snapshot (its run and events stay); reads refuse it.
    pub pruned_at: Option<DateTime<Utc>>,
}

/// Progress of one part (`account`, `users`, `teams`, `workspaces`, `boards`) of a sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartProgress {
    /// The part's name.
    pub part: String,
    /// Items read so far (the next page starts here).
    pub next_offset: u64,
    /// Pages read so far.
    pub pages: u64,
    /// Every page of the part is stored.
    pub done: bool,
}

/// One page of a sync: rows and where the part stands after it.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The part the page belongs to.
    pub part: String,
    /// The account's own record (the `account` part's one page).
    pub account: Option<AccountRecord>,
    /// Users read on this page.
    pub users: Vec<UserRecord>,
    /// Teams, workspaces and boards read on this page.
    pub resources: Vec<ResourceRecord>,
    /// Memberships and ownerships read on this page.
    pub grants: Vec<Grant>,
    /// Where the part's next page starts.
    pub next_offset: u64,
    /// This was the part's last page.
    pub done: bool,
    /// The rows through teams that this page's new team grants bring are left to the finish,
    /// which writes those of every deferring page in one statement: a third less work in all
    /// than a statement per page (random writes to the same index pages, once per page), so a
    /// sync whose writer is its bottleneck defers. A sync that waits for monday.com's budget
    /// has the writer idle between pages and writes them as it goes (the default), leaving the
    /// finish little. New team memberships reach their team's grants as they are written.
    pub defer_team_access: bool,
}

/// What a sync cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStats {
    /// Requests sent so far.
    pub requests: i64,
    /// Complexity points charged so far.
    pub complexity: i64,
}

/// Filters for listing users.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserQuery {
    /// Only users in this status.
    pub status: Option<UserStatus>,
    /// Only users with this role.
    pub role: Option<Role>,
    /// Members of this team (id).
    pub team: Option<String>,
    /// No activity for at least this many days as of `now` (never active counts as inactive).
    pub inactive_days: Option<(i64, DateTime<Utc>)>,
    /// Case-insensitive substring of the e-mail.
    pub email_contains: Option<String>,
    /// Case-insensitive substring of the e-mail or of the name.
    pub search: Option<String>,
    /// Only users after this user id in the listing order (a seek: `offset` then counts from
    /// there, so a deep page costs what the first does).
    pub after: Option<String>,
    /// Matching users to skip (in id order).
    pub offset: u64,
    /// At most this many users (`None`: all).
    pub limit: Option<u64>,
}

/// Row counts of one sync.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Users in the snapshot.
    pub users: i64,
    /// Teams in the snapshot.
    pub teams: i64,
    /// Workspaces in the snapshot.
    pub workspaces: i64,
    /// Boards in the snapshot.
    pub boards: i64,
    /// Grants (memberships and ownerships) in the snapshot.
    pub grants: i64,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRow {
    /// The event's id, increasing in the order events were recorded.
    pub id: i64,
    /// The account it happened in.
    pub account: String,
    /// The sync that saw it, when a sync did.
    pub sync_id: Option<i64>,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// What happened (`user_added`, `grant_removed`, `action_applied`, ...).
    pub kind: String,
    /// Whom or what it is about (`user:12`, `board:7`).
    pub subject: String,
    /// The event's details, as JSON.
    pub detail: serde_json::Value,
}

/// Filters for listing events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventQuery {
    /// Only this account's events.
    pub account: Option<String>,
    /// Kinds starting with this (`user_`, `grant_added`, ...).
    pub kind_prefix: Option<String>,
    /// Events of this sync only.
    pub sync_id: Option<i64>,
    /// Events after this id (a polling cursor).
    pub after_id: Option<i64>,
    /// Events about this subject only (`user:7`).
    pub subject: Option<String>,
    /// Events about this principal (`user:7`): those whose subject it is and the grants it
    /// gained or lost (their subject is the entitlement, the principal in their detail).
    pub person: Option<String>,
    /// Events before this id (paging back from the newest).
    pub before_id: Option<i64>,
    /// Events at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Events before this time.
    pub until: Option<DateTime<Utc>>,
    /// The newest first (the last `limit` events) instead of the oldest.
    pub newest_first: bool,
    /// At most this many events.
    pub limit: Option<u32>,
}

/// One nested list of a resource as monday.com listed it at a sync: the direct holders of one
/// of its entitlements, users or teams (a board's team subscribers, a workspace's owners).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListLength {
    /// The resource's id.
    pub rid: String,
    /// Whether the list holds teams (else users).
    pub team: bool,
    /// The entitlement its holders have (`owner`, `member`, `subscriber`).
    pub slug: String,
    /// How many it held.
    pub n: i64,
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
    /// The change's id.
    pub id: i64,
    /// The account it changes.
    pub account: String,
    /// The plan it belongs to.
    pub plan_id: String,
    /// What it does.
    pub action: roster_core::Change,
    /// When it was written ahead.
    pub created_at: DateTime<Utc>,
    /// Requested until monday.com's answer is recorded.
    pub outcome: roster_core::Outcome,
}

/// A just-in-time access grant, from request to expiry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JitGrant {
    /// The grant's id.
    pub id: i64,
    /// The account it is in.
    pub account: String,
    /// Who asked (a person's name or e-mail, as given to Roster).
    pub requester: String,
    /// The monday.com user who gets the access.
    pub user_id: String,
    /// The access granted (`board:7:subscriber`, `role:admin`, ...).
    pub entitlement: String,
    /// Why the requester needs it.
    pub justification: String,
    /// How long it lasts once approved, in seconds.
    pub duration_s: i64,
    /// requested, denied, active, expiring (being revoked), expired or failed.
    pub status: roster_core::JitStatus,
    /// The user held the access before: the expiry leaves it.
    pub preexisting: bool,
    /// Who approved or denied it.
    pub decided_by: Option<String>,
    /// When it was requested (milliseconds since the epoch).
    pub created_ms: i64,
    /// When it expires, once approved.
    pub expires_ms: Option<i64>,
    /// The before-expiry notice went out.
    pub warned: bool,
    /// When it ended (expired, denied or failed).
    pub ended_ms: Option<i64>,
    /// What happened last, in words (a failure's cause, a denial's reason).
    pub note: Option<String>,
    /// For a role: the role the user had at approval, restored at expiry.
    pub previous: Option<String>,
}

/// A change of a just-in-time grant's status, made only if it is still in `from`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JitTransition {
    /// The status the grant must be in.
    pub from: roster_core::JitStatus,
    /// The status it moves to.
    pub to: roster_core::JitStatus,
    /// Who decided, when this is a decision.
    pub decided_by: Option<String>,
    /// Set whether the user held the access before.
    pub preexisting: Option<bool>,
    /// Set when it expires.
    pub expires_ms: Option<i64>,
    /// Set whether the notice went out.
    pub warned: Option<bool>,
    /// Set when it ended.
    pub ended_ms: Option<i64>,
    /// Set what happened, in words.
    pub note: Option<String>,
    /// Set the role to restore at expiry.
    pub previous: Option<String>,
}

/// An access review campaign. `spec` is the campaign's definition as JSON (the engine's
/// `CampaignSpec`); the store keeps it whole so the evidence shows what was asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewCampaign {
    /// The campaign's id.
    pub id: i64,
    /// The account under review.
    pub account: String,
    /// Its name, as the admin gave it.
    pub name: String,
    /// Its definition (the engine's `CampaignSpec`, as JSON).
    pub spec: String,
    /// Where it stands: draft, launched or closed.
    pub status: roster_core::review::CampaignStatus,
    /// Who created it.
    pub created_by: String,
    /// When it was created (milliseconds since the epoch).
    pub created_ms: i64,
    /// When decisions are due.
    pub due_ms: i64,
    /// When it was launched (its items frozen).
    pub launched_ms: Option<i64>,
    /// The snapshot the items were frozen from, and when it completed.
    pub sync_id: Option<i64>,
    /// When that snapshot completed.
    pub snapshot_ms: Option<i64>,
    /// When it was closed.
    pub closed_ms: Option<i64>,
    /// The remediation plan applied at close.
    pub plan_id: Option<String>,
    /// How many times one of its items has changed reviewer (a trigger counts): a reviewer's
    /// list of items is the same while this is, so seek points found in it stay true.
    #[serde(default)]
    pub items_moved: i64,
}

/// One user's access to review, as frozen at launch, with its decision and remediation.
/// (`Default`: an undecided item with nothing frozen, for builders to fill.)
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    /// The item's id.
    pub id: i64,
    /// The campaign it belongs to.
    pub campaign_id: i64,
    /// Order within the campaign (1-based).
    pub seq: i64,
    /// The monday.com user's id.
    pub user_id: String,
    /// The user's e-mail at launch.
    pub user_email: String,
    /// The user's name at launch.
    pub user_name: String,
    /// The user's status at launch.
    pub user_status: String,
    /// The user's role at launch.
    pub user_role: String,
    /// The user's last activity at launch, when known.
    pub user_last_activity_ms: Option<i64>,
    /// The name of the user's custom role at launch (Enterprise), if they held one.
    pub user_custom_role: Option<String>,
    /// The access under review (`board:7:subscriber`).
    pub entitlement: String,
    /// The resource's name at launch.
    pub resource_name: String,
    /// `direct` or `team:<id>`.
    pub source: String,
    /// The resource's kind at launch: `public`, `private` or `share` for a board, `open` or
    /// `closed` for a workspace; none when monday.com gave none.
    pub resource_kind: Option<String>,
    /// The name of a team the user had left by launch that still reaches the resource, on a
    /// direct item: access left behind when the user moved on.
    pub left_team: Option<String>,
    /// The separation-of-duties rules (names, comma-separated) the user broke at launch with
    /// this access, as announced after the snapshot's sync.
    pub sod_rules: Option<String>,
    /// Who decides it now.
    pub reviewer: String,
    /// The reviewer assigned at launch (differs after a reassignment).
    pub original_reviewer: String,
    /// The reviewer is the user: the decision needs a reason.
    pub self_review: bool,
    /// certify or revoke; none while undecided.
    pub decision: Option<roster_core::review::Decision>,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When it was decided.
    pub decided_ms: Option<i64>,
    /// Why (required to revoke, and for a self-review).
    pub justification: Option<String>,
    /// The action taken at close (`revoke board:1:subscriber from user:2`).
    pub remediation_action: Option<String>,
    /// applied, failed, verified (seen gone by a later sync) or not_removed.
    pub remediation_status: Option<roster_core::review::RemediationStatus>,
    /// What the close saw, in words (a failure's cause).
    pub remediation_note: Option<String>,
    /// When the remediation was applied.
    pub applied_ms: Option<i64>,
    /// When a later sync saw the access gone.
    pub verified_absent_ms: Option<i64>,
}

/// A reviewer's act on one item: a decision, or (with `reassign_to`) handing it to another
/// reviewer, which clears any decision.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemDecision {
    /// The reviewer the item must still have (so a concurrent reassignment wins cleanly).
    pub reviewer: String,
    /// The decision; none when this is a reassignment.
    pub decision: Option<roster_core::review::Decision>,
    /// The reviewer the item goes to instead.
    pub reassign_to: Option<String>,
    /// Who acts.
    pub by: String,
    /// Why.
    pub justification: Option<String>,
    /// When (milliseconds since the epoch).
    pub at_ms: i64,
}

/// What the close did for one revoked item.
#[derive(Debug, Clone, PartialEq)]
pub struct Remediation {
    /// The action taken (`revoke board:1:subscriber from user:2`).
    pub action: String,
    /// How it went.
    pub status: roster_core::review::RemediationStatus,
    /// What happened, in words.
    pub note: Option<String>,
    /// When it was applied.
    pub applied_ms: Option<i64>,
}

/// A web UI session as stored: the digest of its token, never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    /// SHA-256 of the session token.
    pub digest: String,
    /// The API key's name and role it was opened with.
    pub name: String,
    /// The key's role.
    pub role: String,
    /// The session's anti-forgery token for forms.
    pub csrf: String,
    /// When it was opened (milliseconds since the epoch).
    pub started_ms: i64,
    /// When it was last used.
    pub seen_ms: i64,
}

/// Where a page of a campaign's items starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemsFrom {
    /// After skipping this many (a deep offset steps over every item before it).
    Offset(i64),
    /// Just after the item with this `seq` (a seek, whatever the depth: "next page").
    After(i64),
    /// Just before the item with this `seq` ("previous page").
    Before(i64),
    /// After the item with this `seq`, skipping this many more: an offset typed by hand,
    /// started from its nearest seek point ([`ReviewStore::review_item_anchors`]).
    ///
    /// [`ReviewStore::review_item_anchors`]: crate::ReviewStore::review_item_anchors
    AfterSkipping(i64, i64),
}

/// The items the engine advises something for (`roster_engine::review::recommend`), as a
/// filter the store applies in SQL so a page of them is found at any depth. A test in
/// roster-engine holds each signal's filter equal to the engine's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Advised {
    /// Activity at or before this time (milliseconds since the epoch) counts as idle.
    pub idle_before_ms: i64,
    /// Activity after this time counts as recent (an owner's: certifying is advised).
    pub recent_after_ms: i64,
    /// Which advice.
    pub signal: Signal,
}

/// Why an item is advised as it is: the engine's rules, first match wins, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// Any revoke advice (the signals below that advise revoking).
    Revoke,
    /// Revoke: the user is deactivated in monday.com.
    Deactivated,
    /// Revoke: invited, never joined.
    NeverJoined,
    /// Revoke: no activity recorded, or none for the idle time.
    Idle,
    /// Revoke: the access breaks a separation-of-duties rule.
    SodConflict,
    /// Revoke: direct access left behind on a resource a team the user left still reaches.
    LeftTeam,
    /// Revoke: a guest (someone outside the company) on a private or shareable board they do
    /// not own.
    GuestOnBoard,
    /// Certify: an owner active recently.
    OwnerActive,
    /// No advice: the reviewer's judgement.
    Judgement,
}

impl Signal {
    /// Every signal, in the order the filters list them.
    pub const ALL: [Signal; 9] = [
        Signal::Revoke,
        Signal::Deactivated,
        Signal::NeverJoined,
        Signal::Idle,
        Signal::SodConflict,
        Signal::LeftTeam,
        Signal::GuestOnBoard,
        Signal::OwnerActive,
        Signal::Judgement,
    ];

    /// The signal's one string form (URLs, the API).
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Revoke => "revoke",
            Signal::Deactivated => "deactivated",
            Signal::NeverJoined => "never_joined",
            Signal::Idle => "idle",
            Signal::SodConflict => "sod_conflict",
            Signal::LeftTeam => "left_team",
            Signal::GuestOnBoard => "guest_on_board",
            Signal::OwnerActive => "owner_active",
            Signal::Judgement => "judgement",
        }
    }

    /// The signal named `s`, if any.
    pub fn parse(s: &str) -> Option<Signal> {
        Signal::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Items of a campaign counted by reviewer and state (one row per combination).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewTally {
    /// The reviewer the items are with.
    pub reviewer: String,
    /// Their decision; none while undecided.
    pub decision: Option<roster_core::review::Decision>,
    /// Their remediation status after close.
    pub remediation_status: Option<roster_core::review::RemediationStatus>,
    /// The reviewer is not the one assigned at launch.
    pub reassigned: bool,
    /// The items are self-reviews.
    pub self_review: bool,
    /// How many items.
    pub items: i64,
}

/// A plan stored to wait for a second admin's approval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPlan {
    /// The plan's id, as the CLI, the API and its events name it.
    pub id: String,
    /// The account it changes.
    pub account: String,
    /// GraphQL changes or a SCIM push.
    pub kind: roster_core::PlanKind,
    /// The snapshot it was computed on (approval is refused once a newer one completed).
    pub sync_id: Option<i64>,
    /// What it carries out (JSON, by kind).
    pub body: serde_json::Value,
    /// What it does, for people deciding: actions, effect, guard (JSON).
    pub summary: serde_json::Value,
    /// Where it stands.
    pub status: roster_core::PlanStatus,
    /// Who planned it.
    pub requested_by: String,
    /// Why, as the planner said.
    pub reason: Option<String>,
    /// When it was submitted (milliseconds since the epoch).
    pub created_ms: i64,
    /// Who approved or rejected it.
    pub decided_by: Option<String>,
    /// When.
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
    /// The status the plan must be in.
    pub from: roster_core::PlanStatus,
    /// The status it moves to.
    pub to: roster_core::PlanStatus,
    /// The decider (kept when `None`).
    pub by: Option<String>,
    /// When (milliseconds since the epoch).
    pub at_ms: i64,
    /// Why, in words (a rejection's reason).
    pub note: Option<String>,
}

/// What a sync's snapshot stored: the rows it added and the rows it ended, over users,
/// resources and grants. An unchanged re-sync has both near zero.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RowChanges {
    /// Rows added (new or changed users, resources and grants).
    pub added: i64,
    /// Rows ended (gone or changed).
    pub removed: i64,
}

/// One entry of monday.com's audit log (Enterprise) as Roster keeps it: a login, logout, failed
/// login or admin change, with where it came from. Not Roster's own events.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLogRow {
    /// The store's id (0 before it is stored).
    pub id: i64,
    /// The account.
    pub account: String,
    /// What makes it unique: its content digest and its rank among identical entries.
    pub key: String,
    /// When it happened (ms since the epoch).
    pub at_ms: i64,
    /// monday.com's event name (`login`, `failed-login`, ...).
    pub event: String,
    /// The user who did it.
    pub user_id: Option<String>,
    /// The address it came from.
    pub ip: Option<String>,
    /// The client's user agent.
    pub user_agent: Option<String>,
    /// The browser or app.
    pub client_name: Option<String>,
    /// The operating system.
    pub os_name: Option<String>,
    /// `desktop`, `mobile`, ...
    pub device_type: Option<String>,
    /// What it was about (JSON), if anything.
    pub metadata: Option<String>,
}

/// Which audit log entries to read, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditLogQuery {
    /// The account.
    pub account: String,
    /// Entries of this user only.
    pub user_id: Option<String>,
    /// Entries of this event only.
    pub event: Option<String>,
    /// Entries at or after this time (ms).
    pub since_ms: Option<i64>,
    /// Entries before this time (ms).
    pub until_ms: Option<i64>,
    /// At most this many.
    pub limit: u32,
}
