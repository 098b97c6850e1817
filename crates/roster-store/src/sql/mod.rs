//! The SQL store: SQLite (one file, WAL mode) or PostgreSQL, runtime queries in portable SQL.

/// SQL assembled from this crate's own constants (column lists), never from input: input is
/// always bound as a parameter.
macro_rules! sql {
    ($($t:tt)*) => {
        sqlx::AssertSqlSafe(format!($($t)*))
    };
}

mod diff;
mod jit;
mod leases;
mod pending;
mod plans;
mod reads;
mod reviews;
mod rows;
mod sessions;
mod syncs;
mod writes;

use std::path::Path;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use roster_core::{AccountRecord, Event, Grant, Principal, ResourceRecord, ResourceType, UserRecord};
use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
use sqlx::Executor;

use crate::types::*;
use crate::{Result, Store, StoreError};

/// The store on SQLite (embedded, the default) or PostgreSQL (several workers): one
/// implementation in portable SQL through sqlx's `Any` driver, with a migration folder per
/// database.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    /// The few statements the two databases spell differently look here.
    postgres: bool,
}

static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

const HINT: &str = "If the file is not a Roster store (or is damaged), move it away and run `roster sync` again, or point [store] path elsewhere.";

impl SqlStore {
    /// Opens (creating if needed) the SQLite store file at `path` and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<SqlStore> {
        let shown = path.display().to_string();
        Self::connect_sqlite(&format!("sqlite://{shown}?mode=rwc"), &shown, 4).await
    }

    /// A private in-memory SQLite store (tests).
    pub async fn in_memory() -> Result<SqlStore> {
        // One connection: each connection to ":memory:" would be a database of its own.
        Self::connect_sqlite("sqlite::memory:", ":memory:", 1).await
    }

    /// Connects to PostgreSQL (`postgres://user@host:port/db`) and brings the schema up to date.
    pub async fn connect_postgres(url: &str) -> Result<SqlStore> {
        sqlx::any::install_default_drivers();
        let shown = redact(url);
        let pool = AnyPoolOptions::new().max_connections(8).connect(url).await.map_err(|e| StoreError::Open {
            path: shown.clone(),
            detail: e.to_string(),
            hint: "Check the PostgreSQL URL, that the server runs, and the credentials.",
        })?;
        POSTGRES.run(&pool).await.map_err(|e| StoreError::Migrate(e.to_string()))?;
        Ok(SqlStore { pool, postgres: true })
    }

    /// Creates database `name` on the PostgreSQL server at `admin_url` (if it does not exist)
    /// and connects a store to it.
    pub async fn create_postgres(admin_url: &str, name: &str) -> Result<SqlStore> {
        sqlx::any::install_default_drivers();
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(StoreError::Open {
                path: name.into(),
                detail: "database names take letters, digits and _".into(),
                hint: "",
            });
        }
        let admin = AnyPoolOptions::new().max_connections(1).connect(admin_url).await.map_err(|e| {
            StoreError::Open { path: redact(admin_url), detail: e.to_string(), hint: "Check the PostgreSQL URL." }
        })?;
        let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
            .bind(name)
            .fetch_optional(&admin)
            .await
            .map_err(StoreError::query("find database"))?;
        if exists.is_none() {
            admin
                .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .await
                .map_err(StoreError::query("create database"))?;
        }
        let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
        Self::connect_postgres(&format!("{base}/{name}")).await
    }

    async fn connect_sqlite(url: &str, shown: &str, connections: u32) -> Result<SqlStore> {
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(connections)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL").await?;
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(|e| StoreError::Open { path: shown.to_string(), detail: e.to_string(), hint: HINT })?;
        SQLITE.run(&pool).await.map_err(|e| {
            let text = e.to_string();
            if text.contains("not a database") || text.contains("malformed") {
                StoreError::Open {
                    path: shown.to_string(),
                    detail: text,
                    hint:
                        "The file is not a Roster store or is damaged: move it away, or point [store] path elsewhere.",
                }
            } else {
                StoreError::Migrate(text)
            }
        })?;
        Ok(SqlStore { pool, postgres: false })
    }
}

/// A URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn ensure_account(&self, name: &str, now: DateTime<Utc>) -> Result<()> {
        self.ensure_account_impl(name, now).await
    }
    async fn begin_sync(&self, account: &str, api_version: &str, now: DateTime<Utc>) -> Result<SyncRun> {
        self.begin_sync_impl(account, api_version, now).await
    }
    async fn progress(&self, sync_id: i64) -> Result<Vec<PartProgress>> {
        self.progress_impl(sync_id).await
    }
    async fn write_page(&self, sync_id: i64, page: &Page) -> Result<()> {
        self.write_page_impl(sync_id, page).await
    }
    async fn expand_team_grants(&self, sync_id: i64) -> Result<u64> {
        self.expand_team_grants_impl(sync_id).await
    }
    async fn add_sync_stats(&self, sync_id: i64, stats: SyncStats) -> Result<()> {
        sqlx::query("UPDATE syncs SET requests = requests + $1, complexity = complexity + $2 WHERE id = $3")
            .bind(stats.requests)
            .bind(stats.complexity)
            .bind(sync_id)
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("add sync figures"))?;
        Ok(())
    }
    async fn interrupt_sync(&self, sync_id: i64, error: &str, now: DateTime<Utc>) -> Result<()> {
        self.interrupt_sync_impl(sync_id, error, now).await
    }
    async fn complete_sync(&self, sync_id: i64, stats: SyncStats, events: &[Event], now: DateTime<Utc>) -> Result<()> {
        self.complete_sync_impl(sync_id, stats, events, now).await
    }
    async fn last_completed(&self, account: &str) -> Result<Option<SyncRun>> {
        self.last_completed_impl(account).await
    }
    async fn sync_run(&self, sync_id: i64) -> Result<Option<SyncRun>> {
        self.sync_run_impl(sync_id).await
    }
    async fn syncs(&self, account: Option<&str>, limit: u32) -> Result<Vec<SyncRun>> {
        self.syncs_impl(account, limit).await
    }
    async fn accounts(&self) -> Result<Vec<String>> {
        self.accounts_impl().await
    }
    async fn changed_users(&self, old: i64, new: i64) -> Result<Vec<(Option<UserRecord>, Option<UserRecord>)>> {
        self.changed_users_impl(old, new).await
    }
    async fn changed_resources(
        &self,
        old: i64,
        new: i64,
    ) -> Result<Vec<(Option<ResourceRecord>, Option<ResourceRecord>)>> {
        self.changed_resources_impl(old, new).await
    }
    async fn grants_missing_from(&self, a: i64, b: i64) -> Result<Vec<Grant>> {
        self.grants_missing_from_impl(a, b).await
    }
    async fn account_snapshot(&self, sync_id: i64) -> Result<Option<AccountRecord>> {
        self.account_snapshot_impl(sync_id).await
    }
    async fn users(&self, sync_id: i64, q: &UserQuery) -> Result<Vec<UserRecord>> {
        self.users_impl(sync_id, q).await
    }
    async fn count_users(&self, sync_id: i64, q: &UserQuery) -> Result<i64> {
        self.count_users_impl(sync_id, q).await
    }
    async fn find_user(&self, sync_id: i64, id_or_email: &str) -> Result<Option<UserRecord>> {
        self.find_user_impl(sync_id, id_or_email).await
    }
    async fn resources(&self, sync_id: i64, rtype: ResourceType) -> Result<Vec<ResourceRecord>> {
        self.resources_impl(sync_id, rtype).await
    }
    async fn resource(&self, sync_id: i64, rtype: ResourceType, id: &str) -> Result<Option<ResourceRecord>> {
        self.resource_impl(sync_id, rtype, id).await
    }
    async fn grants_of(&self, sync_id: i64, principal: &Principal) -> Result<Vec<Grant>> {
        self.grants_of_impl(sync_id, principal).await
    }
    async fn grants_on(&self, sync_id: i64, rtype: ResourceType, rid: &str) -> Result<Vec<Grant>> {
        self.grants_on_impl(sync_id, rtype, rid).await
    }
    async fn all_grants(&self, sync_id: i64) -> Result<Vec<Grant>> {
        self.all_grants_impl(sync_id).await
    }
    async fn counts(&self, sync_id: i64) -> Result<Counts> {
        self.counts_impl(sync_id).await
    }
    async fn member_counts(
        &self,
        sync_id: i64,
        rtype: ResourceType,
    ) -> Result<std::collections::HashMap<String, MemberCounts>> {
        self.member_counts_impl(sync_id, rtype).await
    }
    async fn add_pending(
        &self,
        account: &str,
        plan_id: &str,
        changes: &[roster_core::Change],
        events: &[Event],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        self.add_pending_impl(account, plan_id, changes, events, now).await
    }
    async fn set_pending_outcomes(
        &self,
        account: &str,
        outcomes: &[(i64, roster_core::Outcome)],
        events: &[Event],
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.set_pending_outcomes_impl(account, outcomes, events, now).await
    }
    async fn open_pending(&self, account: &str) -> Result<Vec<PendingChange>> {
        self.open_pending_impl(account).await
    }
    async fn resolve_pending(&self, id: i64, sync_id: i64, confirmed: bool) -> Result<()> {
        sqlx::query("UPDATE pending_changes SET resolved_sync = $1, confirmed = $2 WHERE id = $3")
            .bind(sync_id)
            .bind(confirmed as i64)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("resolve pending change"))?;
        Ok(())
    }
    async fn acquire_lease(&self, name: &str, holder: &str, now: DateTime<Utc>, until: DateTime<Utc>) -> Result<bool> {
        self.acquire_lease_impl(name, holder, now, until).await
    }
    async fn release_lease(&self, name: &str, holder: &str) -> Result<()> {
        self.release_lease_impl(name, holder).await
    }
    async fn lease(&self, name: &str) -> Result<Option<(String, DateTime<Utc>)>> {
        self.lease_impl(name).await
    }
    async fn add_plan(&self, p: &StoredPlan, events: &[Event]) -> Result<()> {
        self.add_plan_impl(p, events).await
    }
    async fn plan(&self, id: &str) -> Result<Option<StoredPlan>> {
        self.plan_impl(id).await
    }
    async fn plans(&self, account: &str, status: Option<roster_core::PlanStatus>) -> Result<Vec<StoredPlan>> {
        self.plans_impl(account, status).await
    }
    async fn transition_plan(&self, id: &str, t: &PlanTransition, events: &[Event]) -> Result<bool> {
        self.transition_plan_impl(id, t, events).await
    }
    async fn add_jit(&self, g: &JitGrant) -> Result<i64> {
        self.add_jit_impl(g).await
    }
    async fn jits(&self, account: &str, status: Option<roster_core::JitStatus>) -> Result<Vec<JitGrant>> {
        self.jits_impl(account, status).await
    }
    async fn jit(&self, id: i64) -> Result<Option<JitGrant>> {
        self.jit_impl(id).await
    }
    async fn transition_jit(&self, id: i64, t: &JitTransition) -> Result<bool> {
        self.transition_jit_impl(id, t).await
    }
    async fn add_campaign(&self, c: &ReviewCampaign) -> Result<i64> {
        self.add_campaign_impl(c).await
    }
    async fn campaign(&self, id: i64) -> Result<Option<ReviewCampaign>> {
        self.campaign_impl(id).await
    }
    async fn campaigns(&self, account: &str) -> Result<Vec<ReviewCampaign>> {
        self.campaigns_impl(account).await
    }
    async fn launch_campaign(
        &self,
        id: i64,
        sync_id: i64,
        snapshot_ms: i64,
        launched_ms: i64,
        items: &[ReviewItem],
    ) -> Result<bool> {
        self.launch_campaign_impl(id, sync_id, snapshot_ms, launched_ms, items).await
    }
    async fn review_items(&self, campaign_id: i64, reviewer: Option<&str>) -> Result<Vec<ReviewItem>> {
        self.review_items_impl(campaign_id, reviewer).await
    }
    async fn review_items_page(
        &self,
        campaign_id: i64,
        reviewer: Option<&str>,
        undecided_only: bool,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<ReviewItem>> {
        self.review_items_page_impl(campaign_id, reviewer, undecided_only, offset, limit).await
    }
    async fn review_tally(&self, campaign_id: i64, reviewer: Option<&str>) -> Result<Vec<ReviewTally>> {
        self.review_tally_impl(campaign_id, reviewer).await
    }
    async fn review_item(&self, id: i64) -> Result<Option<ReviewItem>> {
        self.review_item_impl(id).await
    }
    async fn decide_item(&self, id: i64, d: &ItemDecision) -> Result<bool> {
        self.decide_item_impl(id, d).await
    }
    async fn sign_off(&self, campaign_id: i64, reviewer: &str, at_ms: i64) -> Result<bool> {
        self.sign_off_impl(campaign_id, reviewer, at_ms).await
    }
    async fn signoffs(&self, campaign_id: i64) -> Result<Vec<(String, i64)>> {
        self.signoffs_impl(campaign_id).await
    }
    async fn transition_campaign(
        &self,
        id: i64,
        from: roster_core::review::CampaignStatus,
        to: roster_core::review::CampaignStatus,
        at_ms: i64,
        plan_id: Option<&str>,
    ) -> Result<bool> {
        self.transition_campaign_impl(id, from, to, at_ms, plan_id).await
    }
    async fn set_remediation(&self, item_id: i64, r: &Remediation) -> Result<()> {
        self.set_remediation_impl(item_id, r).await
    }
    async fn set_verification(
        &self,
        item_id: i64,
        status: roster_core::review::RemediationStatus,
        absent_ms: Option<i64>,
    ) -> Result<()> {
        self.set_verification_impl(item_id, status, absent_ms).await
    }
    async fn unverified_remediations(&self, account: &str) -> Result<Vec<ReviewItem>> {
        self.unverified_remediations_impl(account).await
    }
    async fn add_session(&self, s: &WebSession) -> Result<()> {
        self.add_session_impl(s).await
    }
    async fn web_session(&self, digest: &str) -> Result<Option<WebSession>> {
        self.web_session_impl(digest).await
    }
    async fn touch_session(&self, digest: &str, seen_ms: i64) -> Result<()> {
        self.touch_session_impl(digest, seen_ms).await
    }
    async fn end_sessions(&self, digest: Option<&str>, seen_before_ms: i64, started_before_ms: i64) -> Result<u64> {
        self.end_sessions_impl(digest, seen_before_ms, started_before_ms).await
    }
    async fn sod_result(&self, sync_id: i64, rules: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT violations FROM sod_results WHERE sync_id = $1 AND rules = $2")
            .bind(sync_id)
            .bind(rules)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("read sod result"))
    }
    async fn put_sod_result(&self, sync_id: i64, rules: &str, violations: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO sod_results (sync_id, rules, violations) VALUES ($1, $2, $3)
             ON CONFLICT (sync_id, rules) DO UPDATE SET violations = excluded.violations",
        )
        .bind(sync_id)
        .bind(rules)
        .bind(violations)
        .execute(&self.pool)
        .await
        .map_err(StoreError::query("record sod result"))?;
        Ok(())
    }
    async fn webhook_cursor(&self, name: &str) -> Result<Option<i64>> {
        sqlx::query_scalar("SELECT last_event_id FROM webhook_cursors WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await
            .map_err(StoreError::query("read webhook cursor"))
    }
    async fn set_webhook_cursor(&self, name: &str, event_id: i64) -> Result<()> {
        sqlx::query("INSERT INTO webhook_cursors (name, last_event_id) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET last_event_id = excluded.last_event_id")
            .bind(name)
            .bind(event_id)
            .execute(&self.pool)
            .await
            .map_err(StoreError::query("write webhook cursor"))?;
        Ok(())
    }
    async fn append_events(
        &self,
        account: &str,
        sync_id: Option<i64>,
        events: &[Event],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(StoreError::query("begin"))?;
        writes::insert_events(&mut tx, account, sync_id, events, now).await?;
        tx.commit().await.map_err(StoreError::query("commit events"))
    }
    async fn events(&self, q: &EventQuery) -> Result<Vec<EventRow>> {
        self.events_impl(q).await
    }
}
