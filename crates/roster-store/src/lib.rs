//! # roster-store
//!
//! Roster's persistence behind narrow traits, one per concern ([`SyncStore`],
//! [`SnapshotStore`], [`DiffStore`], [`PendingStore`], [`PlanStore`], [`LeaseStore`],
//! [`JitStore`], [`ReviewStore`], [`SessionStore`], [`EventStore`], [`AuditLogStore`] for
//! monday.com's audit log), and [`Store`], their sum:
//! accounts, sync runs with their checkpoints, snapshots (account, users, resources, grants)
//! per completed sync, events, and the governance records. Engine code asks for the narrowest
//! trait it needs.
//! [`SqlStore`] implements it once, in portable SQL through sqlx's `Any` driver, on SQLite (the
//! embedded default, one machine) or PostgreSQL (several `roster serve` workers sharing the
//! accounts through leases); each database has its own migration folder.
//!
//! Not for: talking to monday.com (the engine does), or deciding what a change means (core).

mod error;
mod sql;
mod types;

pub use error::StoreError;
pub use sql::SqlStore;
pub use types::*;

/// Every narrow store trait, to call the store's methods on a concrete `SqlStore`
/// (`use roster_store::prelude::*;`). Through `&dyn Store` they need no import.
pub mod prelude {
    pub use crate::{
        AuditLogStore, DiffStore, EventStore, JitStore, LeaseStore, PendingStore, PlanStore, RetentionStore,
        ReviewStore, SessionStore, SnapshotStore, Store, SyncStore,
    };
}

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use roster_core::{AccountRecord, Event, Grant, Principal, ResourceRecord, ResourceType, UserRecord};

/// Result of store calls.
pub type Result<T> = std::result::Result<T, StoreError>;

/// Everything Roster keeps.
/// Everything Roster keeps: the sum of the narrow stores below. Engine code asks for the
/// narrowest store it needs (`&dyn JitStore`, `&dyn SnapshotStore`, ...); a `&dyn Store`
/// gives any of them.
pub trait Store:
    SyncStore
    + SnapshotStore
    + DiffStore
    + PendingStore
    + PlanStore
    + LeaseStore
    + JitStore
    + ReviewStore
    + SessionStore
    + EventStore
    + RetentionStore
    + AuditLogStore
    + std::fmt::Debug
{
}

impl<
        T: SyncStore
            + SnapshotStore
            + DiffStore
            + PendingStore
            + PlanStore
            + LeaseStore
            + JitStore
            + ReviewStore
            + SessionStore
            + EventStore
            + RetentionStore
            + AuditLogStore
            + std::fmt::Debug,
    > Store for T
{
}

/// Sync runs and their checkpoints: begin, write pages, complete, resume.
#[async_trait]
pub trait SyncStore: Send + Sync {
    /// Registers an account name (idempotent).
    async fn ensure_account(&self, name: &str, now: DateTime<Utc>) -> Result<()>;
    /// Starts a sync of `account`, or resumes its unfinished one if it began after the last
    /// completed sync (a sync killed or failed half-way).
    async fn begin_sync(&self, account: &str, api_version: &str, now: DateTime<Utc>) -> Result<SyncRun>;
    /// How far each part of a sync got.
    async fn progress(&self, sync_id: i64) -> Result<Vec<PartProgress>>;
    /// Writes one page of a part and its checkpoint, atomically.
    async fn write_page(&self, sync_id: i64, page: &Page) -> Result<()>;
    /// Finishes a sync's snapshot once every part is written: closes the rows no page saw
    /// (gone since the previous snapshot) and brings each user's access through teams (a
    /// team's grant, for every member of the team) up to date. Returns the rows it changed.
    /// Safe to call again.
    async fn finish_snapshot(&self, sync_id: i64) -> Result<u64>;
    /// The rows a sync added and removed (its snapshot is stored as that change).
    async fn sync_changes(&self, sync_id: i64) -> Result<RowChanges>;
    /// Adds an attempt's requests and complexity to a run (an attempt that stops part-way
    /// counts too: a resumed run's figures are the whole run's).
    async fn add_sync_stats(&self, sync_id: i64, stats: SyncStats) -> Result<()>;
    /// Marks a sync interrupted (resumable) with the reason.
    async fn interrupt_sync(&self, sync_id: i64, error: &str, now: DateTime<Utc>) -> Result<()>;
    /// Records the events and marks the sync completed, atomically.
    async fn complete_sync(&self, sync_id: i64, stats: SyncStats, events: &[Event], now: DateTime<Utc>) -> Result<()>;
    /// The last completed sync of an account.
    async fn last_completed(&self, account: &str) -> Result<Option<SyncRun>>;
    /// One sync.
    async fn sync_run(&self, sync_id: i64) -> Result<Option<SyncRun>>;
    /// Syncs, newest first (of one account, or all).
    async fn syncs(&self, account: Option<&str>, limit: u32) -> Result<Vec<SyncRun>>;
    /// Account names.
    async fn accounts(&self) -> Result<Vec<String>>;
}

/// Reads of one completed snapshot: users, resources, grants, counts, and the separation-of-duties findings kept per snapshot.
#[async_trait]
pub trait SnapshotStore: Send + Sync {
    /// The account as one sync saw it.
    async fn account_snapshot(&self, sync_id: i64) -> Result<Option<AccountRecord>>;
    /// Users of one sync matching `q`, sorted by id.
    async fn users(&self, sync_id: i64, q: &UserQuery) -> Result<Vec<UserRecord>>;
    /// How many users match `q` (its offset and limit aside).
    async fn count_users(&self, sync_id: i64, q: &UserQuery) -> Result<i64>;
    /// [`SnapshotStore::users`] and [`SnapshotStore::count_users`] together, each as those
    /// give it: a search the index serves is looked up once for both, and a first page that is
    /// not full is its own count.
    async fn users_counted(&self, sync_id: i64, q: &UserQuery) -> Result<(Vec<UserRecord>, i64)>;
    /// The ids of the `stride`-th, 2·`stride`-th, … users matching `q` in listing order (its
    /// offset and limit aside): seek points, so page `offset` of a large snapshot starts from
    /// the nearest one (`UserQuery::after`) instead of stepping over every user before it.
    async fn user_anchors(&self, sync_id: i64, q: &UserQuery, stride: u64) -> Result<Vec<String>>;
    /// Per resource of `rtype`: the length of each of its lists of direct holders (user
    /// subscribers, team owners, ...) as monday.com listed them, the empty ones left out: what
    /// the next read sizes its nested lists by.
    async fn list_lengths(&self, sync_id: i64, rtype: ResourceType) -> Result<Vec<ListLength>>;
    /// One user by id or e-mail (case-insensitive).
    async fn find_user(&self, sync_id: i64, id_or_email: &str) -> Result<Option<UserRecord>>;
    /// Resources of one type, sorted by id.
    async fn resources(&self, sync_id: i64, rtype: ResourceType) -> Result<Vec<ResourceRecord>>;
    /// The ids of [`SnapshotStore::resources`] alone, in the same order: what a sync's sweep
    /// compares with a listing (20,000 boards' ids, not their records).
    async fn resource_ids(&self, sync_id: i64, rtype: ResourceType) -> Result<Vec<String>>;
    /// One resource.
    async fn resource(&self, sync_id: i64, rtype: ResourceType, id: &str) -> Result<Option<ResourceRecord>>;
    /// The users among `ids` (those the snapshot has; any order): a page's people in one read.
    async fn users_among(&self, sync_id: i64, ids: &[String]) -> Result<Vec<UserRecord>>;
    /// The resources of `rtype` among `ids` (those the snapshot has; any order): a page's
    /// names in one read instead of one per resource.
    async fn resources_among(&self, sync_id: i64, rtype: ResourceType, ids: &[String]) -> Result<Vec<ResourceRecord>>;
    /// Every grant held by a principal (direct and through teams).
    async fn grants_of(&self, sync_id: i64, principal: &Principal) -> Result<Vec<Grant>>;
    /// Every grant on a resource.
    async fn grants_on(&self, sync_id: i64, rtype: ResourceType, rid: &str) -> Result<Vec<Grant>>;
    /// Every grant of a sync.
    async fn all_grants(&self, sync_id: i64) -> Result<Vec<Grant>>;
    /// The teams users had left by snapshot `sync_id`: (user id, team id) for each direct
    /// membership that ended at or before it and is not held in it, once each, by user then
    /// team. History goes back as far as retention kept it.
    async fn left_teams(&self, sync_id: i64) -> Result<Vec<(String, String)>>;
    /// Row counts of a sync.
    async fn counts(&self, sync_id: i64) -> Result<Counts>;
    /// Per resource of `rtype`: direct user members (or subscribers), owners, and teams.
    async fn member_counts(
        &self,
        sync_id: i64,
        rtype: ResourceType,
    ) -> Result<std::collections::HashMap<String, MemberCounts>>;
    /// The separation-of-duties violations (JSON) found in snapshot `sync_id` under the rules
    /// with fingerprint `rules`, if recorded.
    async fn sod_result(&self, sync_id: i64, rules: &str) -> Result<Option<String>>;
    /// Records them.
    async fn put_sod_result(&self, sync_id: i64, rules: &str, violations: &str) -> Result<()>;
}

/// What changed between two snapshots, computed in the database.
#[async_trait]
pub trait DiffStore: Send + Sync {
    /// Users that differ between two syncs, as (before, after) pairs.
    async fn changed_users(&self, old: i64, new: i64) -> Result<Vec<(Option<UserRecord>, Option<UserRecord>)>>;
    /// Resources that differ between two syncs.
    async fn changed_resources(
        &self,
        old: i64,
        new: i64,
    ) -> Result<Vec<(Option<ResourceRecord>, Option<ResourceRecord>)>>;
    /// Grants of sync `a` that sync `b` does not have.
    async fn grants_missing_from(&self, a: i64, b: i64) -> Result<Vec<Grant>>;
}

/// Changes sent to monday.com: recorded before they are sent, answered, resolved by a later sync.
#[async_trait]
pub trait PendingStore: Send + Sync {
    /// Records changes about to be sent (write-ahead, outcome `requested`) and the events that
    /// say so, in one transaction, to be resolved by a later sync; returns their ids in order.
    async fn add_pending(
        &self,
        account: &str,
        plan_id: &str,
        changes: &[roster_core::Change],
        events: &[Event],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>>;
    /// Records monday.com's answers to changes recorded by `add_pending` and the events that
    /// say so, in one transaction: an answer is never recorded twice, nor lost half-way.
    async fn set_pending_outcomes(
        &self,
        account: &str,
        outcomes: &[(i64, roster_core::Outcome)],
        events: &[Event],
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Changes of an account still waiting for confirmation, oldest first.
    async fn open_pending(&self, account: &str) -> Result<Vec<PendingChange>>;
    /// Marks a pending change as seen (or not) by sync `sync_id`.
    async fn resolve_pending(&self, id: i64, sync_id: i64, confirmed: bool) -> Result<()>;
}

/// Plans waiting for a second admin's approval.
#[async_trait]
pub trait PlanStore: Send + Sync {
    /// Stores a plan that waits for approval, with the events that say so, in one transaction.
    async fn add_plan(&self, p: &StoredPlan, events: &[Event]) -> Result<()>;
    /// One stored plan.
    async fn plan(&self, id: &str) -> Result<Option<StoredPlan>>;
    /// An account's stored plans (of one status, or all), oldest first.
    async fn plans(&self, account: &str, status: Option<roster_core::PlanStatus>) -> Result<Vec<StoredPlan>>;
    /// Moves plan `id` from `t.from` to `t.to` and records `events`, in one transaction; false
    /// (and nothing written) when it is no longer in `t.from`, so of two approvers only one acts.
    async fn transition_plan(&self, id: &str, t: &PlanTransition, events: &[Event]) -> Result<bool>;
}

/// Leases: one holder of a named job at a time, across workers.
#[async_trait]
pub trait LeaseStore: Send + Sync {
    /// Takes lease `name` for `holder` until `until`, or renews it when `holder` has it; false
    /// when another holder's lease has not expired at `now`.
    async fn acquire_lease(&self, name: &str, holder: &str, now: DateTime<Utc>, until: DateTime<Utc>) -> Result<bool>;
    /// Gives lease `name` up, if `holder` has it.
    async fn release_lease(&self, name: &str, holder: &str) -> Result<()>;
    /// Who holds lease `name` and until when (an expired lease is still shown).
    async fn lease(&self, name: &str) -> Result<Option<(String, DateTime<Utc>)>>;
}

/// Just-in-time grants.
#[async_trait]
pub trait JitStore: Send + Sync {
    /// Records a just-in-time access request (status `requested`); returns its id.
    async fn add_jit(&self, g: &JitGrant) -> Result<i64>;
    /// An account's just-in-time grants (of one status, or all), oldest first.
    async fn jits(&self, account: &str, status: Option<roster_core::JitStatus>) -> Result<Vec<JitGrant>>;
    /// One just-in-time grant.
    async fn jit(&self, id: i64) -> Result<Option<JitGrant>>;
    /// Moves grant `id` from `t.from` to `t.to`; false (and no change) when it is no longer in
    /// `t.from`, so of two workers only one acts.
    async fn transition_jit(&self, id: i64, t: &JitTransition) -> Result<bool>;
}

/// Access review campaigns, their items, decisions, sign-offs and remediations.
#[async_trait]
pub trait ReviewStore: Send + Sync {
    /// Records a review campaign (status `draft`); returns its id.
    async fn add_campaign(&self, c: &ReviewCampaign) -> Result<i64>;
    /// One campaign.
    async fn campaign(&self, id: i64) -> Result<Option<ReviewCampaign>>;
    /// An account's campaigns, oldest first.
    async fn campaigns(&self, account: &str) -> Result<Vec<ReviewCampaign>>;
    /// Moves a draft campaign to `launched` with its items frozen from `sync_id`, atomically;
    /// false (and nothing written) when it is no longer a draft.
    async fn launch_campaign(
        &self,
        id: i64,
        sync_id: i64,
        snapshot_ms: i64,
        launched_ms: i64,
        items: &[ReviewItem],
    ) -> Result<bool>;
    /// A campaign's items (of one reviewer, or all), in order.
    async fn review_items(&self, campaign_id: i64, reviewer: Option<&str>) -> Result<Vec<ReviewItem>>;
    /// One page of a campaign's items (of one reviewer, or all), in order (undecided ones
    /// only, if asked).
    async fn review_items_page(
        &self,
        campaign_id: i64,
        reviewer: Option<&str>,
        undecided_only: bool,
        from: ItemsFrom,
        limit: i64,
    ) -> Result<Vec<ReviewItem>>;
    /// Seek points of one reviewer's items (`None`: all the campaign's; undecided and decided
    /// alike, in order): the
    /// `seq` of item number `stride`, `2 × stride`, ... (counting from 1), so a page at any
    /// offset steps over fewer than `stride` items. True while the campaign's
    /// `items_moved` is unchanged.
    async fn review_item_anchors(&self, campaign_id: i64, reviewer: Option<&str>, stride: i64) -> Result<Vec<i64>>;
    /// One page of a reviewer's items that `rule` advises revoking (undecided ones only, if
    /// asked), in order.
    async fn review_items_advised(
        &self,
        campaign_id: i64,
        reviewer: &str,
        rule: Advised,
        undecided_only: bool,
        from: ItemsFrom,
        limit: i64,
    ) -> Result<Vec<ReviewItem>>;
    /// How many of a reviewer's items `rule` advises revoking (undecided ones only, if asked).
    async fn review_items_advised_count(
        &self,
        campaign_id: i64,
        reviewer: &str,
        rule: Advised,
        undecided_only: bool,
    ) -> Result<i64>;
    /// The ids of a reviewer's undecided items on `resource` (`board:7`: its every
    /// entitlement), in order, at most `limit`: "decide all of this board" across pages.
    async fn review_undecided_on(
        &self,
        campaign_id: i64,
        reviewer: &str,
        resource: &str,
        limit: i64,
    ) -> Result<Vec<i64>>;
    /// A campaign's items (of one reviewer, or all) counted by reviewer, decision,
    /// remediation, reassignment and self-review, in SQL (a campaign can hold millions).
    async fn review_tally(&self, campaign_id: i64, reviewer: Option<&str>) -> Result<Vec<ReviewTally>>;
    /// One item.
    async fn review_item(&self, id: i64) -> Result<Option<ReviewItem>>;
    /// Decides or reassigns item `id`; false (no change) when its reviewer is no longer
    /// `d.reviewer`, the reviewer signed off, or the campaign is not launched.
    async fn decide_item(&self, id: i64, d: &ItemDecision) -> Result<bool>;
    /// Several decisions and their events in one transaction, each decision conditional as in
    /// [`ReviewStore::decide_item`]: all are written, or (false) none is, when any item no
    /// longer matches. A kill midway leaves no decision without its event.
    async fn decide_items(
        &self,
        account: &str,
        decisions: &[(i64, ItemDecision)],
        events: &[roster_core::Event],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool>;
    /// Locks `reviewer`'s decisions in a campaign; false when already signed.
    async fn sign_off(&self, campaign_id: i64, reviewer: &str, at_ms: i64) -> Result<bool>;
    /// Who signed off and when (ms).
    async fn signoffs(&self, campaign_id: i64) -> Result<Vec<(String, i64)>>;
    /// Moves a campaign from `from` to `to` (recording the plan; `closed` records the time);
    /// false when it is no longer in `from`.
    async fn transition_campaign(
        &self,
        id: i64,
        from: roster_core::review::CampaignStatus,
        to: roster_core::review::CampaignStatus,
        at_ms: i64,
        plan_id: Option<&str>,
    ) -> Result<bool>;
    /// Records what the close did for an item.
    async fn set_remediation(&self, item_id: i64, r: &Remediation) -> Result<()>;
    /// Records a later sync's check of a remediation (`verified` with the time, or `not_removed`).
    async fn set_verification(
        &self,
        item_id: i64,
        status: roster_core::review::RemediationStatus,
        absent_ms: Option<i64>,
    ) -> Result<()>;
    /// An account's applied or failed remediations not yet seen gone.
    async fn unverified_remediations(&self, account: &str) -> Result<Vec<ReviewItem>>;
}

/// Web UI sessions, shared by every worker.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Records a web session.
    async fn add_session(&self, s: &WebSession) -> Result<()>;
    /// The web session with this token digest.
    async fn web_session(&self, digest: &str) -> Result<Option<WebSession>>;
    /// Marks a web session used at `seen_ms`.
    async fn touch_session(&self, digest: &str, seen_ms: i64) -> Result<()>;
    /// Ends the session `digest` (if given) and every session idle since before
    /// `seen_before_ms` or started before `started_before_ms`; returns how many.
    async fn end_sessions(&self, digest: Option<&str>, seen_before_ms: i64, started_before_ms: i64) -> Result<u64>;
}

/// Retention: which snapshots something still refers to, deleting old snapshots' rows, and
/// what the store holds.
#[async_trait]
pub trait RetentionStore: Send + Sync {
    /// Syncs of the account a review campaign or a plan refers to (never pruned).
    async fn snapshot_refs(&self, account: &str) -> Result<std::collections::BTreeSet<i64>>;
    /// Deletes the rows of these completed snapshots of the account (never its newest),
    /// marks their runs pruned and records a `snapshots_pruned` event, in one transaction;
    /// returns the rows deleted.
    async fn prune_snapshots(&self, account: &str, ids: &[i64], now: DateTime<Utc>) -> Result<u64>;
    /// What the store holds, per account, and its size.
    async fn store_stats(&self) -> Result<StoreStats>;
}

/// monday.com's audit log, read incrementally: entries stored once each, and how far each
/// account's log has been read.
#[async_trait]
pub trait AuditLogStore: Send + Sync {
    /// Up to when (ms) `account`'s audit log has been read; `None`: never.
    async fn audit_cursor(&self, account: &str) -> Result<Option<i64>>;
    /// Stores the entries not stored yet (by `key`) in one transaction; how many were new.
    async fn add_audit_entries(&self, account: &str, rows: &[AuditLogRow]) -> Result<u64>;
    /// Records that `account`'s log has been read up to `read_until_ms`.
    async fn set_audit_cursor(&self, account: &str, read_until_ms: i64) -> Result<()>;
    /// Entries matching `q`, newest first.
    async fn audit_entries(&self, q: &AuditLogQuery) -> Result<Vec<AuditLogRow>>;
    /// `account`'s entries stored after entry `after_id`, in the order they were stored (a
    /// delivery cursor), at most `limit`.
    async fn audit_entries_after(&self, account: &str, after_id: i64, limit: u32) -> Result<Vec<AuditLogRow>>;
    /// Each user's last login (ms) and number of logins stored.
    async fn last_logins(&self, account: &str) -> Result<Vec<(String, i64, i64)>>;
    /// The last login (ms) of each of `user_ids` who has one stored.
    async fn last_logins_of(&self, account: &str, user_ids: &[String]) -> Result<Vec<(String, i64)>>;
}

/// The audit log: events appended outside syncs, read back, and each webhook's delivery cursor.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Appends events outside a sync (actions, decisions).
    async fn append_events(
        &self,
        account: &str,
        sync_id: Option<i64>,
        events: &[Event],
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Events matching `q`, oldest first.
    async fn events(&self, q: &EventQuery) -> Result<Vec<EventRow>>;
    /// The last event id webhook `name` delivered (`None`: a webhook never seen before).
    async fn webhook_cursor(&self, name: &str) -> Result<Option<i64>>;
    /// Records that webhook `name` delivered everything up to `event_id`.
    async fn set_webhook_cursor(&self, name: &str, event_id: i64) -> Result<()>;
}
