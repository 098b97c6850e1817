//! SCIM reconcile: a source of truth → a plan (shown before anything changes, tied to the
//! state it was computed from) → apply (refused if that state changed), each call an event.

mod apply;
pub mod import;
pub mod source;
pub mod state;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use roster_core::scim_plan::{
    plan, users_losing_access, CurrentGroup, CurrentUser, PlanProblems, ReconcileOptions, ScimStep,
};
use roster_core::{Guard, MassChange};
use roster_store::{Store, StoreError};
use scim_client::{ScimClient, ScimConfig, ScimError};
use serde::{Deserialize, Serialize};

/// A reconcile plan, as written to a file by `roster scim plan` and read by `roster scim apply`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScimPlan {
    /// The account the plan is for.
    pub account: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// SHA-256 of the SCIM state the plan was computed from.
    pub state: String,
    /// The steps, in the order they run.
    pub steps: Vec<ScimStep>,
}

/// Why a reconcile could not go on.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error(transparent)]
    /// The source file could not be read.
    Source(#[from] source::SourceError),
    #[error("reading or changing monday.com through SCIM failed: {0}")]
    /// A SCIM call failed.
    Scim(#[from] ScimError),
    #[error(transparent)]
    /// The source asks for something that cannot be planned.
    Problems(#[from] PlanProblems),
    #[error(transparent)]
    /// The mass-change guard stopped the plan.
    MassChange(#[from] MassChange),
    #[error("monday.com's SCIM state changed since the plan was made (it was computed from {planned}, it is now {now}): run `roster scim plan` again and review the new plan")]
    /// monday.com's SCIM state changed since the plan was made.
    Stale {
        /// The hash of the SCIM state the plan was computed from.
        planned: String,
        /// The SCIM state's hash now.
        now: String,
    },
    #[error("the plan is for account {plan:?}, not {account:?}")]
    /// The plan is for another account.
    WrongAccount {
        /// The account the plan is for.
        plan: String,
        /// The account asked.
        account: String,
    },
    #[error("the store failed: {0}")]
    /// The store failed.
    Store(#[from] StoreError),
}

fn fingerprint(users: &[CurrentUser], groups: &[CurrentGroup]) -> String {
    let text = serde_json::to_string(&(users, groups)).unwrap_or_default();
    crate::digest::sha256_hex(text.as_bytes())[..16].to_string()
}

/// Reads the source and the SCIM state and computes the plan.
pub async fn make_plan(
    account: &str,
    cfg: &ScimConfig,
    source_file: &Path,
    mapping: &BTreeMap<String, String>,
    opts: ReconcileOptions,
) -> Result<ScimPlan, ReconcileError> {
    let src = source::read(source_file, mapping)?;
    let (users, groups) = state::read(cfg).await?;
    let steps = plan(&src.users, &src.groups, &users, &groups, opts)?;
    Ok(ScimPlan { account: account.to_string(), created_at: Utc::now(), state: fingerprint(&users, &groups), steps })
}

/// What `apply_plan` did.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplyResult {
    /// Steps that succeeded.
    pub succeeded: usize,
    /// Steps that failed, each with its reason.
    pub failed: Vec<String>,
}

/// What a plan would do to access, checked against monday.com's SCIM state now.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanCheck {
    /// Users (SCIM ids) who would lose any access: deactivated, deleted, or taken out of a team.
    pub losing_access: Vec<String>,
    /// Active users now.
    pub active: usize,
    /// What the mass-change guard says (`None`: no guard, or within it).
    pub refused: Option<MassChange>,
}

/// Checks `plan` without changing anything: still for this account, still computed from the
/// current SCIM state, and what the guard says of its effect.
pub async fn check_plan(
    account: &str,
    cfg: &ScimConfig,
    plan: &ScimPlan,
    guard: Option<Guard>,
) -> Result<PlanCheck, ReconcileError> {
    if plan.account != account {
        return Err(ReconcileError::WrongAccount { plan: plan.account.clone(), account: account.to_string() });
    }
    let (users, groups) = state::read(cfg).await?;
    let now = fingerprint(&users, &groups);
    if now != plan.state {
        return Err(ReconcileError::Stale { planned: plan.state.clone(), now });
    }
    let losing_access: Vec<String> = users_losing_access(&plan.steps, &users, &groups).into_iter().collect();
    let active = users.iter().filter(|u| u.active).count();
    let refused = guard.and_then(|g| g.check(losing_access.len(), active).err());
    Ok(PlanCheck { losing_access, active, refused })
}

/// Applies `plan` if the SCIM state is still the one it was computed from and the guard (if
/// any) lets its effect through.
pub async fn apply_plan(
    store: &dyn Store,
    account: &str,
    cfg: &ScimConfig,
    plan: &ScimPlan,
    guard: Option<Guard>,
) -> Result<ApplyResult, ReconcileError> {
    let check = check_plan(account, cfg, plan, guard).await?;
    if let Some(refused) = check.refused {
        return Err(refused.into());
    }
    apply_checked(store, account, cfg, plan).await
}

/// Applies a plan `check_plan` has just passed.
async fn apply_checked(
    store: &dyn Store,
    account: &str,
    cfg: &ScimConfig,
    plan: &ScimPlan,
) -> Result<ApplyResult, ReconcileError> {
    let client = ScimClient::new(cfg.clone())?;
    store.ensure_account(account, Utc::now()).await?;
    let plan_id = plan_id(plan);
    let events = apply::apply(store, account, &plan_id, &client, &plan.steps).await?;
    let failed: Vec<String> = events
        .iter()
        .filter(|e| e.detail["status"] == "failed")
        .map(|e| format!("{}: {}", e.subject, e.detail["error"].as_str().unwrap_or("")))
        .collect();
    Ok(ApplyResult { succeeded: events.len() - failed.len(), failed })
}

/// A SCIM plan's id: its time and the state it was computed from.
fn plan_id(plan: &ScimPlan) -> String {
    format!("scim-{}-{}", plan.created_at.format("%Y%m%dT%H%M%S"), plan.state)
}

/// What `apply_or_hold` did.
#[derive(Debug, Clone, PartialEq)]
pub enum Applied {
    /// Applied now.
    Done(ApplyResult),
    /// Stored to wait for a second admin's approval, under this plan id: nothing was sent.
    Held(String),
}

/// Checks `plan` once (still current; within the guard unless `allow_mass_change`), then
/// either stores it to wait for a second admin, when `policy` says it must, or applies it.
/// One read of the SCIM state serves both the decision and the apply.
pub async fn apply_or_hold(
    store: &dyn Store,
    account: &str,
    cfg: &ScimConfig,
    plan: &ScimPlan,
    allow_mass_change: bool,
    policy: &roster_core::ApprovalPolicy,
    by: &str,
) -> Result<Applied, ReconcileError> {
    let check = check_plan(account, cfg, plan, (!allow_mass_change).then(Guard::default)).await?;
    if let Some(refused) = check.refused {
        return Err(refused.into());
    }
    if !policy.needs(check.losing_access.len(), plan.steps.len()) {
        return apply_checked(store, account, cfg, plan).await.map(Applied::Done);
    }
    let id = plan_id(plan);
    let summary = serde_json::json!({
        "steps": plan.steps.iter().map(ScimStep::describe).collect::<Vec<_>>(),
        "users_losing_access": check.losing_access.len(),
        "state": plan.state,
    });
    let body = serde_json::json!({ "plan": plan, "allow_mass_change": allow_mass_change });
    let s = crate::approval::Submission {
        account,
        id: &id,
        kind: roster_core::PlanKind::Scim,
        sync_id: None,
        body,
        summary,
        by,
        reason: Some("SCIM plan"),
    };
    crate::approval::submit(store, s, Utc::now()).await?;
    Ok(Applied::Held(id))
}
