//! Four-eyes approval: a plan the policy holds back is stored, pinned to the snapshot (or SCIM
//! state) it was computed on, and waits; a second admin approves it (it then runs, under its
//! own id, through the same path a plan without approval takes) or rejects it. Every step,
//! refusals included, is an event. Nothing here decides *which* plans wait or *who* may
//! decide: that is `roster_core::approval`.

use chrono::{DateTime, Utc};
use monday_api::Client;
use roster_core::{Action, ApprovalPolicy, Event, EventKind, PlanKind, PlanStatus, Refusal};
use roster_store::{PlanStore, PlanTransition, Store, StoreError, StoredPlan, SyncStore};
use scim_client::ScimConfig;
use serde::Serialize;
use serde_json::{json, Value};

use crate::provision::{apply_plan, ApplyOptions, ApplyReport, ProvisionError};
use crate::review::{CloseOptions, CloseReport, ReviewError};
use crate::scim::{ApplyResult, ReconcileError, ScimPlan};

/// A plan a second admin approved, being carried out: its id and the snapshot it was
/// computed on (which must still be the latest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approved {
    /// The plan that ran.
    pub plan_id: String,
    /// The sync that confirmed its changes.
    pub sync_id: i64,
}

/// A plan to store until a second admin decides.
#[derive(Debug)]
pub struct Submission<'a> {
    /// The account the plan changes.
    pub account: &'a str,
    /// The plan's id.
    pub id: &'a str,
    /// What kind of plan.
    pub kind: PlanKind,
    /// The snapshot it was computed on.
    pub sync_id: Option<i64>,
    /// What runs once approved (by kind).
    pub body: Value,
    /// What it does, for the people deciding.
    pub summary: Value,
    /// Who planned it.
    pub by: &'a str,
    /// Why, as the planner said.
    pub reason: Option<&'a str>,
}

/// Stores the plan as `pending_approval`, with its event, in one transaction.
pub async fn submit(store: &dyn Store, s: Submission<'_>, now: DateTime<Utc>) -> Result<(), StoreError> {
    store.ensure_account(s.account, now).await?;
    let event = Event {
        kind: EventKind::PlanPendingApproval,
        subject: format!("plan:{}", s.id),
        detail: json!({ "plan": s.id, "kind": s.kind.as_str(), "sync_id": s.sync_id, "by": s.by, "reason": s.reason, "summary": s.summary }),
    };
    let p = StoredPlan {
        id: s.id.to_string(),
        account: s.account.to_string(),
        kind: s.kind,
        sync_id: s.sync_id,
        body: s.body,
        summary: s.summary,
        status: PlanStatus::PendingApproval,
        requested_by: s.by.to_string(),
        reason: s.reason.map(str::to_string),
        created_ms: now.timestamp_millis(),
        decided_by: None,
        decided_ms: None,
        note: None,
    };
    store.add_plan(&p, &[event]).await
}

/// Why a decision on a stored plan did not happen (or, approved, the plan did not run).
#[derive(Debug, thiserror::Error)]
pub enum ApprovalError {
    #[error("account {account:?} has no plan {id:?}: `roster plan list` shows the plans waiting")]
    /// No such plan in the account.
    NotFound {
        /// The account.
        account: String,
        /// The plan's id.
        id: String,
    },
    #[error("the decision is refused: {0}")]
    /// The decision was refused.
    Refused(#[from] Refusal),
    #[error("plan {0} is a SCIM plan, and this server has no SCIM token for its account: approve it where the account's scim_url and token are configured")]
    /// A SCIM plan where no SCIM token is configured.
    NoScim(String),
    #[error(
        "plan {id} cannot be read back ({why}): it was stored by another version of Roster; reject it and plan again"
    )]
    /// A stored plan this version cannot read.
    Unreadable {
        /// The plan's id.
        id: String,
        /// What is unfinished.
        why: String,
    },
    #[error("approved, but not carried out: {0}")]
    /// Carrying out the approved changes failed.
    Provision(#[from] ProvisionError),
    #[error("approved, but not carried out: {0}")]
    /// Closing the review failed.
    Review(#[from] ReviewError),
    #[error("approved, but not carried out: {0}")]
    /// Running the SCIM plan failed.
    Scim(#[from] ReconcileError),
    #[error("the store failed: {0}")]
    /// The store failed.
    Store(#[from] StoreError),
}

/// What carries approved plans out.
#[derive(Debug, Clone, Copy)]
pub struct Runners<'a> {
    /// The monday.com client for the account.
    pub client: &'a Client,
    /// The account's SCIM configuration, when there is one.
    pub scim: Option<&'a ScimConfig>,
}

/// What an approved plan did.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Ran {
    /// GraphQL changes ran.
    Actions {
        /// What each change did.
        report: ApplyReport,
    },
    /// A SCIM push ran.
    Scim {
        /// Steps that succeeded.
        succeeded: usize,
        /// Steps that failed, each with its reason.
        failed: Vec<String>,
    },
    /// A review's close ran.
    ReviewClose {
        /// What each change did.
        report: CloseReport,
    },
}

impl Ran {
    /// One line for the plan's note.
    pub fn summary(&self) -> String {
        match self {
            Ran::Actions { report } => {
                format!("{} of {} action(s) succeeded", report.results.len() - report.failed(), report.results.len())
            }
            Ran::Scim { succeeded, failed } => format!("{succeeded} SCIM step(s) succeeded, {} failed", failed.len()),
            Ran::ReviewClose { report } => {
                format!("review {} closed: {} applied, {} failed", report.campaign, report.applied, report.failed)
            }
        }
    }

    /// Whether anything failed.
    pub fn failures(&self) -> usize {
        match self {
            Ran::Actions { report } => report.failed(),
            Ran::Scim { failed, .. } => failed.len(),
            Ran::ReviewClose { report } => report.failed,
        }
    }
}

async fn load(store: &dyn PlanStore, account: &str, id: &str) -> Result<StoredPlan, ApprovalError> {
    match store.plan(id).await? {
        Some(p) if p.account == account => Ok(p),
        _ => Err(ApprovalError::NotFound { account: account.to_string(), id: id.to_string() }),
    }
}

fn event(kind: EventKind, p: &StoredPlan, by: &str, extra: Value) -> Event {
    Event {
        kind,
        subject: format!("plan:{}", p.id),
        detail: json!({ "plan": p.id, "kind": p.kind.as_str(), "by": by, "requested_by": p.requested_by, "detail": extra }),
    }
}

/// Checks that `by` may decide `p` now; a refusal is recorded as an event, then returned.
async fn may_decide(
    store: &dyn Store,
    policy: &ApprovalPolicy,
    p: &StoredPlan,
    by: &str,
    approving: bool,
    now: DateTime<Utc>,
) -> Result<(), ApprovalError> {
    let refusal = match policy.may_decide(&p.requested_by, by) {
        Err(r) => Some(r),
        Ok(()) if p.status != PlanStatus::PendingApproval => Some(Refusal::NotPending { status: p.status }),
        Ok(()) if approving => stale(store, p).await?,
        Ok(()) => None,
    };
    match refusal {
        None => Ok(()),
        Some(r) => {
            let e = event(EventKind::PlanApprovalRefused, p, by, json!({ "why": r.to_string() }));
            store.append_events(&p.account, None, &[e], now).await?;
            Err(r.into())
        }
    }
}

/// A plan pinned to a snapshot that is no longer the latest. (A SCIM plan is pinned to the
/// SCIM state instead, which its apply checks.)
async fn stale(store: &dyn SyncStore, p: &StoredPlan) -> Result<Option<Refusal>, StoreError> {
    let Some(planned) = p.sync_id else { return Ok(None) };
    let latest = store.last_completed(&p.account).await?.map(|s| s.id).unwrap_or(planned);
    Ok((latest != planned).then_some(Refusal::Stale { planned, latest }))
}

/// Rejects plan `id`: it will never run.
pub async fn reject(
    store: &dyn Store,
    policy: &ApprovalPolicy,
    account: &str,
    id: &str,
    by: &str,
    why: Option<&str>,
    now: DateTime<Utc>,
) -> Result<StoredPlan, ApprovalError> {
    let p = load(store, account, id).await?;
    may_decide(store, policy, &p, by, false, now).await?;
    let t = PlanTransition {
        from: PlanStatus::PendingApproval,
        to: PlanStatus::Rejected,
        by: Some(by.to_string()),
        at_ms: now.timestamp_millis(),
        note: why.map(str::to_string),
    };
    let e = event(EventKind::PlanRejected, &p, by, json!({ "why": why }));
    if !store.transition_plan(id, &t, &[e]).await? {
        let status = load(store, account, id).await?.status;
        return Err(Refusal::NotPending { status }.into());
    }
    load(store, account, id).await
}

/// Approves plan `id` and carries it out. Refused (and recorded) when `by` made it, is not an
/// approver, it is no longer pending, or a newer snapshot completed since it was computed.
pub async fn approve(
    store: &dyn Store,
    runners: Runners<'_>,
    policy: &ApprovalPolicy,
    account: &str,
    id: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<(StoredPlan, Ran), ApprovalError> {
    let p = load(store, account, id).await?;
    may_decide(store, policy, &p, by, true, now).await?;
    if p.kind == PlanKind::Scim && runners.scim.is_none() {
        return Err(ApprovalError::NoScim(p.id));
    }
    let t = PlanTransition {
        from: PlanStatus::PendingApproval,
        to: PlanStatus::Approved,
        by: Some(by.to_string()),
        at_ms: now.timestamp_millis(),
        note: None,
    };
    if !store.transition_plan(id, &t, &[event(EventKind::PlanApproved, &p, by, json!({}))]).await? {
        let status = load(store, account, id).await?.status;
        return Err(Refusal::NotPending { status }.into());
    }
    let ran = run(store, runners, &p, by, now).await;
    let (to, note) = match &ran {
        Ok(r) => (PlanStatus::Applied, r.summary()),
        Err(e) => (PlanStatus::Failed, e.to_string()),
    };
    let t = PlanTransition {
        from: PlanStatus::Approved,
        to,
        by: None,
        at_ms: Utc::now().timestamp_millis(),
        note: Some(note),
    };
    store.transition_plan(id, &t, &[]).await?;
    let ran = ran?;
    Ok((load(store, account, id).await?, ran))
}

fn field<T: serde::de::DeserializeOwned>(p: &StoredPlan, key: &str) -> Result<T, ApprovalError> {
    serde_json::from_value(p.body.get(key).cloned().unwrap_or(Value::Null))
        .map_err(|e| ApprovalError::Unreadable { id: p.id.clone(), why: format!("{key}: {e}") })
}

/// Carries out an approved plan through the path it would have taken without approval.
async fn run(
    store: &dyn Store,
    runners: Runners<'_>,
    p: &StoredPlan,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Ran, ApprovalError> {
    let allow_mass_change: bool = field(p, "allow_mass_change")?;
    let approved = |sync_id| Approved { plan_id: p.id.clone(), sync_id };
    match p.kind {
        PlanKind::Actions => {
            let actions: Vec<Action> = field(p, "actions")?;
            let sync_id =
                p.sync_id.ok_or_else(|| ApprovalError::Unreadable { id: p.id.clone(), why: "no snapshot".into() })?;
            let opts = ApplyOptions {
                requested_by: p.requested_by.clone(),
                reason: Some(format!("{} (approved by {by})", p.reason.as_deref().unwrap_or("no reason given"))),
                allow_mass_change,
                approved: Some(approved(sync_id)),
                ..ApplyOptions::default()
            };
            let report = apply_plan(store, runners.client, &p.account, actions, &opts).await?;
            Ok(Ran::Actions { report })
        }
        PlanKind::ReviewClose => {
            let campaign: i64 = field(p, "campaign")?;
            let sync_id =
                p.sync_id.ok_or_else(|| ApprovalError::Unreadable { id: p.id.clone(), why: "no snapshot".into() })?;
            let opts = CloseOptions {
                by: p.requested_by.clone(),
                allow_mass_change,
                force: field(p, "force")?,
                approved: Some(approved(sync_id)),
                expect_plan: Some(field(p, "actions")?),
                ..CloseOptions::default()
            };
            let report = crate::review::close(store, runners.client, &p.account, campaign, &opts, now).await?;
            Ok(Ran::ReviewClose { report })
        }
        PlanKind::Scim => {
            let plan: ScimPlan = field(p, "plan")?;
            let cfg = runners.scim.ok_or_else(|| ApprovalError::NoScim(p.id.clone()))?;
            let guard = (!allow_mass_change).then(roster_core::Guard::default);
            let ApplyResult { succeeded, failed } =
                crate::scim::apply_plan(store, &p.account, cfg, &plan, guard).await?;
            Ok(Ran::Scim { succeeded, failed })
        }
    }
}
