//! Provisioning: a plan of actions is checked against the last snapshot, stopped by the
//! mass-change guard if it takes access from too many users, recorded (`action_requested`),
//! carried out through monday.com's mutations in batches, and each action's outcome recorded
//! (`action_succeeded` / `action_failed` with monday.com's reason). Changes made wait as
//! pending until a later sync confirms them (`action_confirmed` / `action_not_confirmed`).

mod check;
mod confirm;
mod execute;

use chrono::Utc;
use monday_api::Client;
use roster_core::{Action, ApprovalPolicy, Change, Event, EventKind, Guard, MassChange, Outcome, PlanKind};
use roster_store::{Store, StoreError};
use serde::Serialize;
use serde_json::json;

pub use confirm::confirm_pending;

/// How to apply a plan.
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    /// Who asked (recorded with each action).
    pub requested_by: String,
    /// Why (recorded with each action).
    pub reason: Option<String>,
    /// Show the plan, change nothing.
    pub dry_run: bool,
    /// Let a plan through the mass-change guard.
    pub allow_mass_change: bool,
    /// The mass-change guard.
    pub guard: Guard,
    /// Which plans wait for a second admin instead of running (default: none).
    pub approval: ApprovalPolicy,
    /// Carrying out a plan a second admin approved (it runs under its own id, and only while
    /// the snapshot it was computed on is still the latest).
    pub approved: Option<crate::approval::Approved>,
}

/// One grant a plan takes from a user: monday.com's couplings and team consequences included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lost {
    /// The user's id.
    pub user: String,
    /// The user's e-mail.
    pub email: String,
    /// The access lost.
    pub entitlement: String,
    /// `direct` or `team:<id>`.
    pub source: String,
    /// An action names this grant itself; `false`: an effect the plan did not name (an
    /// ownership ended with a subscription, access through a team deleted).
    pub named: bool,
}

/// Where one action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Dry run: not sent.
    Planned,
    /// monday.com carried it out (or it was already so).
    Succeeded,
    /// monday.com refused it.
    Failed,
}

/// One action and its outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionResult {
    /// The action.
    pub action: Action,
    /// How it went.
    pub status: Status,
    /// What happened: monday.com's reason for a failure, or a note ("already granted").
    pub note: Option<String>,
}

/// What applying a plan did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApplyReport {
    /// The plan's id.
    pub plan_id: String,
    /// The snapshot the plan was checked against.
    pub sync_id: i64,
    /// Each action's result, in order.
    pub results: Vec<ActionResult>,
    /// Distinct users the plan takes any access away from.
    pub users_losing_access: usize,
    /// Every grant it takes, by user (see [`Lost::named`] for the effects no action names).
    pub effect: Vec<Lost>,
    /// On a dry run: the guard's refusal, had it been applied (`None`: within the guard).
    #[serde(serialize_with = "as_message")]
    pub guard_would_refuse: Option<MassChange>,
    /// The plan was stored to wait for a second admin's approval: nothing was sent.
    pub pending_approval: bool,
}

fn as_message<S: serde::Serializer>(m: &Option<MassChange>, s: S) -> Result<S::Ok, S::Error> {
    match m {
        Some(m) => s.serialize_some(&m.to_string()),
        None => s.serialize_none(),
    }
}

impl ApplyReport {
    /// How many actions failed.
    pub fn failed(&self) -> usize {
        self.results.iter().filter(|r| r.status == Status::Failed).count()
    }
}

/// Why a plan was not applied at all.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("account {0:?} has no completed sync to check the plan against: run `roster sync` first")]
    /// The account has no completed sync.
    NoSnapshot(String),
    #[error("the plan cannot be applied:\n  - {}", .0.join("\n  - "))]
    /// Actions that cannot be applied, each named.
    Invalid(Vec<String>),
    #[error(transparent)]
    /// The mass-change guard stopped the plan.
    MassChange(#[from] MassChange),
    #[error("the plan was approved on sync {planned}, and sync {latest} has completed since: monday.com may have changed, so make the plan again")]
    /// A newer snapshot completed since the plan was approved.
    Stale {
        /// The sync the plan was made on.
        planned: i64,
        /// The latest completed sync.
        latest: i64,
    },
    #[error("the store failed: {0}")]
    /// The store failed.
    Store(#[from] StoreError),
}

/// The custom roles user `user_id` holds in snapshot `sync` (ids): what a role change ends,
/// what its check notes and what its confirmation looks for.
pub(crate) async fn custom_roles_of(
    store: &dyn roster_store::SnapshotStore,
    sync: i64,
    user_id: &str,
) -> Result<Vec<String>, StoreError> {
    let held = store.grants_of(sync, &roster_core::Principal::user(user_id)).await?;
    Ok(held.iter().filter_map(|g| g.entitlement.custom_role().map(str::to_string)).collect())
}

fn plan_id() -> String {
    let now = Utc::now();
    format!(
        "plan-{}-{:06x}",
        now.format("%Y%m%dT%H%M%S"),
        (now.timestamp_subsec_nanos() ^ std::process::id()) & 0xff_ffff
    )
}

/// Actions shown, not sent (a dry run, or a plan waiting for approval).
fn planned(actions: Vec<Action>, notes: Vec<Option<String>>) -> Vec<ActionResult> {
    actions
        .into_iter()
        .zip(notes)
        .map(|(action, note)| ActionResult { action, status: Status::Planned, note })
        .collect()
}

/// The report of a plan shown but not sent.
fn shown(plan_id: String, sync_id: i64, results: Vec<ActionResult>, users: usize, effect: Vec<Lost>) -> ApplyReport {
    ApplyReport {
        plan_id,
        sync_id,
        results,
        users_losing_access: users,
        effect,
        guard_would_refuse: None,
        pending_approval: false,
    }
}

/// Checks, guards, records and carries out `actions` on `account`.
pub async fn apply_plan(
    store: &dyn Store,
    client: &Client,
    account: &str,
    actions: Vec<Action>,
    opts: &ApplyOptions,
) -> Result<ApplyReport, ProvisionError> {
    let snap = store.last_completed(account).await?.ok_or_else(|| ProvisionError::NoSnapshot(account.to_string()))?;
    if let Some(a) = &opts.approved {
        if a.sync_id != snap.id {
            return Err(ProvisionError::Stale { planned: a.sync_id, latest: snap.id });
        }
    }
    let (actions, notes) = check::check(store, snap.id, actions).await?;
    let (affected, effect) = check::effect(store, snap.id, &actions).await?;
    let active = store
        .count_users(
            snap.id,
            &roster_store::UserQuery { status: Some(roster_core::UserStatus::Active), ..Default::default() },
        )
        .await?;
    let verdict = opts.guard.check(affected, usize::try_from(active).unwrap_or(usize::MAX));
    let plan_id = opts.approved.as_ref().map(|a| a.plan_id.clone()).unwrap_or_else(plan_id);
    if opts.dry_run {
        // A dry run always answers, and says what the guard would do.
        let guard_would_refuse = verdict.err().filter(|_| !opts.allow_mass_change);
        return Ok(ApplyReport {
            guard_would_refuse,
            ..shown(plan_id, snap.id, planned(actions, notes), affected, effect)
        });
    }
    if !opts.allow_mass_change {
        verdict?;
    }
    if opts.approved.is_none() && opts.approval.needs(affected, actions.len()) {
        // Four eyes: stored as it was checked, pinned to this snapshot; a second admin runs it.
        let summary = json!({
            "actions": actions.iter().map(Action::to_string).collect::<Vec<_>>(),
            "users_losing_access": affected,
            "effect": effect,
        });
        let body = json!({ "actions": actions, "allow_mass_change": opts.allow_mass_change });
        let stored = crate::approval::Submission {
            account,
            id: &plan_id,
            kind: PlanKind::Actions,
            sync_id: Some(snap.id),
            body,
            summary,
            by: &opts.requested_by,
            reason: opts.reason.as_deref(),
        };
        crate::approval::submit(store, stored, Utc::now()).await?;
        return Ok(ApplyReport {
            pending_approval: true,
            ..shown(plan_id, snap.id, planned(actions, notes), affected, effect)
        });
    }
    let requested: Vec<Event> = actions
        .iter()
        .enumerate()
        .map(|(i, a)| Event {
            kind: EventKind::ActionRequested,
            subject: a.subject(),
            detail: json!({ "plan": plan_id, "index": i, "action": a, "by": opts.requested_by, "reason": opts.reason, "description": a.to_string() }),
        })
        .collect();
    // Write-ahead: every action is recorded as requested, with its plan and place, before any
    // call; if this process dies part-way, the next sync resolves what has no answer.
    let changes: Vec<Change> = actions.iter().cloned().map(Change::Action).collect();
    let ids = store.add_pending(account, &plan_id, &changes, &requested, Utc::now()).await?;
    let outcomes = execute::execute(client, &actions).await;
    let mut results = Vec::with_capacity(actions.len());
    let mut events = Vec::with_capacity(actions.len());
    let mut answers = Vec::with_capacity(actions.len());
    for (i, ((action, (ok, detail)), note)) in actions.into_iter().zip(outcomes).zip(notes).enumerate() {
        let note = match (ok, detail, note) {
            (true, None, note) => note,
            (true, Some(d), None) => Some(d),
            (true, Some(d), Some(n)) => Some(format!("{d}; {n}")),
            (false, d, _) => d,
        };
        let kind = if ok { EventKind::ActionSucceeded } else { EventKind::ActionFailed };
        events.push(Event { kind, subject: action.subject(), detail: json!({ "plan": plan_id, "index": i, "action": action, "description": action.to_string(), "note": note, "by": opts.requested_by }) });
        if let Some(id) = ids.get(i) {
            answers.push((*id, if ok { Outcome::Succeeded } else { Outcome::Failed }));
        }
        results.push(ActionResult { action, status: if ok { Status::Succeeded } else { Status::Failed }, note });
    }
    // The answers and their events together: never one without the other.
    store.set_pending_outcomes(account, &answers, &events, Utc::now()).await?;
    Ok(ApplyReport {
        plan_id,
        sync_id: snap.id,
        results,
        users_losing_access: affected,
        effect,
        guard_would_refuse: None,
        pending_approval: false,
    })
}
