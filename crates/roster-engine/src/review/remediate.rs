//! Closing a campaign (revocations, and unanswered items when the policy says so, become one
//! plan through the provisioner) and checking after each sync that revoked access is gone.

use chrono::{DateTime, Utc};
use monday_api::Client;
use std::collections::{BTreeMap, BTreeSet};

use roster_core::effect::lost_by;
use roster_core::review::{remediation, CampaignStatus, Decision, RemediationStatus, Unanswered};
use roster_core::{
    Action, ApprovalPolicy, Entitlement, EventKind, GrantSource, Guard, PlanKind, Principal, UserStatus,
};
use roster_store::{Remediation, ReviewItem, Store, StoreError, SyncRun};
use serde::Serialize;
use serde_json::json;

use super::{load, ms, record, spec_of, ReviewError};
use crate::approval::{submit, Approved, Submission};
use crate::provision::{apply_plan, ApplyOptions, Status};

/// How to close.
#[derive(Debug, Clone, Default)]
pub struct CloseOptions {
    /// Who closes it.
    pub by: String,
    /// Let the remediation plan through the mass-change guard.
    pub allow_mass_change: bool,
    /// The mass-change guard.
    pub guard: Guard,
    /// Close although items are undecided or reviewers have not signed off (the evidence then
    /// says the review is incomplete, and why).
    pub force: bool,
    /// Show the plan and its effect; change nothing.
    pub dry_run: bool,
    /// Which remediation plans wait for a second admin (default: none).
    pub approval: ApprovalPolicy,
    /// Carrying out a close a second admin approved, whose remediation must still be
    /// `expect_plan` (the actions, as shown when it was approved).
    pub approved: Option<Approved>,
    /// The approved actions the remediation must still be.
    pub expect_plan: Option<Vec<String>>,
}

/// What the close did.
#[derive(Debug, Clone, Serialize)]
pub struct CloseReport {
    /// The campaign.
    pub campaign: i64,
    /// The remediation plan, when there was one.
    pub plan_id: Option<String>,
    /// Items whose access is taken away (revoked, or unanswered under a revoke policy).
    pub to_remove: usize,
    /// Distinct actions sent (several items can share one: removing a user from a team).
    pub actions: usize,
    /// Actions monday.com carried out.
    pub applied: usize,
    /// Actions monday.com refused.
    pub failed: usize,
    /// Items whose access was already gone in the last sync.
    pub already_gone: usize,
    /// Items not removed because monday.com would take certified access with them: each
    /// needs a manual step (the reason is in the item's remediation note).
    pub manual: usize,
    /// The actions, as sent (or, on a dry run, as they would be).
    pub plan: Vec<String>,
    /// Distinct users the plan takes any access away from.
    pub users_losing_access: usize,
    /// Why the review is incomplete (closed with `force`); empty when complete.
    pub incomplete: Vec<String>,
    /// Nothing was changed: this is what a close would do.
    pub dry_run: bool,
    /// On a dry run: the mass-change guard's refusal, had it been applied.
    pub guard_would_refuse: Option<String>,
    /// The close waits for a second admin's approval of this plan: nothing changed yet.
    pub pending_approval: Option<String>,
}

/// Why a campaign's review is not finished: undecided items and reviewers without sign-off.
pub async fn unfinished(store: &dyn Store, id: i64) -> Result<Vec<String>, StoreError> {
    let items = store.review_items(id, None).await?;
    let signed: BTreeSet<String> = store.signoffs(id).await?.into_iter().map(|(r, _)| r).collect();
    let mut out = Vec::new();
    let undecided = items.iter().filter(|i| i.decision.is_none()).count();
    if undecided > 0 {
        out.push(format!("{undecided} of {} item(s) undecided", items.len()));
    }
    let reviewers: BTreeSet<&str> = items.iter().map(|i| i.reviewer.as_str()).collect();
    let unsigned: Vec<&str> = reviewers.iter().copied().filter(|r| !signed.contains(*r)).collect();
    if !unsigned.is_empty() {
        out.push(format!(
            "{} of {} reviewer(s) have not signed off ({})",
            unsigned.len(),
            reviewers.len(),
            unsigned.join(", ")
        ));
    }
    Ok(out)
}

/// The grant an item is about: (user, entitlement, source), as the snapshot writes it.
fn key(user: &str, e: &Entitlement, s: &GrantSource) -> (String, String, String) {
    (user.to_string(), e.to_string(), s.as_string())
}

fn parse_item(it: &ReviewItem) -> Result<(Entitlement, GrantSource), ReviewError> {
    let e: Entitlement = it
        .entitlement
        .parse()
        .map_err(|e: roster_core::EntitlementError| ReviewError::Invalid(format!("item {}: {e}", it.id)))?;
    let s = GrantSource::parse(&it.source)
        .ok_or_else(|| ReviewError::Invalid(format!("item {}: unreadable source {:?}", it.id, it.source)))?;
    Ok((e, s))
}

/// Whether snapshot `sync_id` still gives the item's user the item's access (by the item's
/// path). A deactivated or removed user holds nothing.
async fn still_held(store: &dyn Store, sync_id: i64, it: &ReviewItem) -> Result<bool, ReviewError> {
    let (e, s) = parse_item(it)?;
    let Some(u) = store.find_user(sync_id, &it.user_id).await? else { return Ok(false) };
    if u.status == UserStatus::Deactivated {
        return Ok(false);
    }
    Ok(store
        .grants_of(sync_id, &Principal::user(&it.user_id))
        .await?
        .iter()
        .any(|g| g.entitlement == e && g.source == s))
}

/// Closes campaign `id`: applies the remediation plan and records each item's outcome. A plan
/// stopped by the mass-change guard or found invalid leaves the campaign launched and changes
/// nothing; a close interrupted after the plan went out can be run again (the campaign is then
/// `closing`, and access already gone is not revoked twice).
pub async fn close(
    store: &dyn Store,
    client: &Client,
    account: &str,
    id: i64,
    opts: &CloseOptions,
    now: DateTime<Utc>,
) -> Result<CloseReport, ReviewError> {
    let c = load(store, account, id).await?;
    if c.status != CampaignStatus::Launched && c.status != CampaignStatus::Closing {
        return Err(ReviewError::WrongState { id, status: c.status, what: "only a launched campaign can be closed" });
    }
    let spec = spec_of(&c)?;
    let incomplete = unfinished(store, id).await?;
    if !incomplete.is_empty() && !opts.force && c.status == CampaignStatus::Launched {
        return Err(ReviewError::Unfinished { id, why: incomplete.join("; ") });
    }
    let snap = store.last_completed(account).await?.ok_or_else(|| crate::ProvisionError::NoSnapshot(account.into()))?;
    let items = store.review_items(id, None).await?;
    let r = remedy(store, snap.id, spec.unanswered, &items).await?;
    let apply = |dry_run: bool| ApplyOptions {
        requested_by: format!("review:{id} ({})", opts.by),
        reason: Some(format!("access review {:?} closed", c.name)),
        dry_run,
        allow_mass_change: opts.allow_mass_change,
        guard: opts.guard,
        approval: ApprovalPolicy::default(),
        approved: opts.approved.clone(),
    };
    let mut out = r.report(id, incomplete);
    if !r.actions.is_empty() {
        // Checked and guarded before anything changes; a refusal leaves the campaign launched.
        // The provisioner's effect is the one the guard counts: its figure is the report's.
        let dry = apply_plan(store, client, account, r.actions.clone(), &apply(true)).await?;
        out.users_losing_access = dry.users_losing_access;
        match dry.guard_would_refuse {
            Some(refusal) if !opts.dry_run => return Err(crate::ProvisionError::MassChange(refusal).into()),
            refusal => out.guard_would_refuse = refusal.map(|r| r.to_string()),
        }
    }
    if opts.dry_run {
        out.dry_run = true;
        return Ok(out);
    }
    out.guard_would_refuse = None;
    if let Some(approved) = &opts.approved {
        if approved.sync_id != snap.id {
            return Err(crate::ProvisionError::Stale { planned: approved.sync_id, latest: snap.id }.into());
        }
        if opts.expect_plan.as_ref() != Some(&out.plan) {
            return Err(ReviewError::Invalid(format!(
                "campaign {id}'s remediation changed since plan {} was approved (decisions or access moved): close it again and have the new plan approved",
                approved.plan_id
            )));
        }
    } else if opts.approval.needs(out.users_losing_access, r.actions.len()) {
        return hold(store, account, &c, opts, snap.id, out, now).await;
    }
    let (launched, closing) = (CampaignStatus::Launched, CampaignStatus::Closing);
    if c.status == launched && !store.transition_campaign(id, launched, closing, ms(now), None).await? {
        return Err(ReviewError::Invalid(format!("campaign {id} is being closed elsewhere")));
    }
    let report = match r.actions.is_empty() {
        true => None,
        false => Some(apply_plan(store, client, account, r.actions.clone(), &apply(false)).await?),
    };
    (out.applied, out.failed, out.already_gone) = r.record(store, report.as_ref(), snap.id, now).await?;
    out.plan_id = report.as_ref().map(|r| r.plan_id.clone());
    store
        .transition_campaign(id, CampaignStatus::Closing, CampaignStatus::Closed, ms(now), out.plan_id.as_deref())
        .await?;
    let detail = json!({ "campaign": id, "by": opts.by, "report": out });
    record(store, account, EventKind::ReviewClosed, format!("review:{id}"), detail, now).await?;
    Ok(out)
}

/// A campaign's remediation: the actions to send, which item each one answers (`None`: its
/// access is already gone), and the items left for a person, with why.
struct Remedy<'a> {
    actions: Vec<Action>,
    plan_for: Vec<(&'a ReviewItem, Option<usize>, &'static str)>,
    manual: Vec<(&'a ReviewItem, String, String)>,
}

/// Works out what a close would remove: revoked items (and unanswered ones under a revoke
/// policy) not yet remediated, one action per distinct removal, never one that would take
/// certified access with it.
async fn remedy<'a>(
    store: &dyn Store,
    sync_id: i64,
    unanswered: Unanswered,
    items: &'a [ReviewItem],
) -> Result<Remedy<'a>, ReviewError> {
    // What reviewers certified is never taken away, not even as a side effect of a removal.
    let mut certified: BTreeMap<(String, String, String), i64> = BTreeMap::new();
    for it in items.iter().filter(|i| i.decision == Some(Decision::Certify)) {
        let (e, s) = parse_item(it)?;
        certified.insert(key(&it.user_id, &e, &s), it.id);
    }
    let mut r = Remedy { actions: Vec::new(), plan_for: Vec::new(), manual: Vec::new() };
    for it in items.iter().filter(|it| it.remediation_status.is_none()) {
        let why = match (it.decision, unanswered) {
            (Some(Decision::Revoke), _) => "revoked",
            (None, Unanswered::Revoke) => "unanswered (campaign policy: revoke)",
            _ => continue,
        };
        if !still_held(store, sync_id, it).await? {
            r.plan_for.push((it, None, why));
            continue;
        }
        let (e, s) = parse_item(it)?;
        let held = store.grants_of(sync_id, &Principal::user(&it.user_id)).await?;
        // The basic role the user holds (a custom role revoked falls back to it).
        let base = held
            .iter()
            .filter(|g| g.entitlement.rtype == roster_core::ResourceType::Role)
            .find_map(|g| roster_core::Role::parse(&g.entitlement.rid));
        let Some(base) = base else {
            // Never a guess: a wrong basic role would demote or promote the user.
            let note = format!("{why}; not removed: the snapshot shows no basic role for user {}, so the role to fall back to is not known; set it by hand", it.user_id);
            r.manual.push((it, format!("set a basic role for user {}", it.user_id), note));
            continue;
        };
        let a = remediation(&it.user_id, &e, &s, base);
        let kept: Vec<String> = lost_by(&a, &it.user_id, &held)
            .iter()
            .filter_map(|g| certified.get(&key(&it.user_id, &g.entitlement, &g.source)))
            .map(|item| format!("item {item}"))
            .collect();
        if !kept.is_empty() {
            let note = format!(
                "{why}; not removed: monday.com would take certified access with it ({a} also ends {}); remove it by hand, or change the certification",
                kept.join(", ")
            );
            r.manual.push((it, a.to_string(), note));
            continue;
        }
        let at = match r.actions.iter().position(|x| *x == a) {
            Some(i) => i,
            None => {
                r.actions.push(a);
                r.actions.len() - 1
            }
        };
        r.plan_for.push((it, Some(at), why));
    }
    Ok(r)
}

impl Remedy<'_> {
    /// The report of a close that has not run yet.
    fn report(&self, campaign: i64, incomplete: Vec<String>) -> CloseReport {
        CloseReport {
            campaign,
            plan_id: None,
            to_remove: self.plan_for.len(),
            actions: self.actions.len(),
            applied: 0,
            failed: 0,
            already_gone: self.plan_for.iter().filter(|(_, at, _)| at.is_none()).count(),
            manual: self.manual.len(),
            plan: self.actions.iter().map(Action::to_string).collect(),
            users_losing_access: 0,
            incomplete,
            dry_run: false,
            guard_would_refuse: None,
            pending_approval: None,
        }
    }

    /// Records each item's remediation from the provisioner's answers; returns (applied,
    /// failed, already gone).
    async fn record(
        &self,
        store: &dyn Store,
        report: Option<&crate::ApplyReport>,
        sync_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(usize, usize, usize), ReviewError> {
        let (mut applied, mut failed, mut gone) = (0, 0, 0);
        for (it, at, why) in &self.plan_for {
            let r = match (at, report) {
                (Some(i), Some(rep)) => {
                    let res = &rep.results[*i];
                    let ok = res.status == Status::Succeeded;
                    if ok {
                        applied += 1
                    } else {
                        failed += 1
                    }
                    Remediation {
                        action: res.action.to_string(),
                        status: if ok { RemediationStatus::Applied } else { RemediationStatus::Failed },
                        note: Some(match &res.note {
                            Some(n) => format!("{why}; {n}"),
                            None => why.to_string(),
                        }),
                        applied_ms: ok.then_some(ms(now)),
                    }
                }
                _ => {
                    gone += 1;
                    Remediation {
                        action: "none".into(),
                        status: RemediationStatus::Applied,
                        note: Some(format!("{why}; already gone in sync {sync_id}")),
                        applied_ms: Some(ms(now)),
                    }
                }
            };
            store.set_remediation(it.id, &r).await?;
        }
        for (it, action, note) in &self.manual {
            let r = Remediation {
                action: action.clone(),
                status: RemediationStatus::Manual,
                note: Some(note.clone()),
                applied_ms: None,
            };
            store.set_remediation(it.id, &r).await?;
        }
        Ok((applied, failed, gone))
    }
}

/// Four eyes: the remediation waits, pinned to this snapshot and these actions; the campaign
/// stays launched until a second admin approves it.
async fn hold(
    store: &dyn Store,
    account: &str,
    c: &roster_store::ReviewCampaign,
    opts: &CloseOptions,
    sync_id: i64,
    mut out: CloseReport,
    now: DateTime<Utc>,
) -> Result<CloseReport, ReviewError> {
    let id = c.id;
    let plan_id = format!("review-{id}-{}", ms(now));
    let summary = json!({ "campaign": id, "name": c.name, "actions": out.plan, "users_losing_access": out.users_losing_access, "incomplete": out.incomplete });
    let body = json!({ "campaign": id, "force": opts.force, "allow_mass_change": opts.allow_mass_change, "actions": out.plan });
    let s = Submission {
        account,
        id: &plan_id,
        kind: PlanKind::ReviewClose,
        sync_id: Some(sync_id),
        body,
        summary,
        by: &opts.by,
        reason: Some("access review close"),
    };
    submit(store, s, now).await?;
    out.plan_id = Some(plan_id.clone());
    out.pending_approval = Some(plan_id);
    Ok(out)
}

/// After sync `run` completed: each remediation made before it started is checked against
/// it; access gone is `verified` with the sync's time (`verified_absent_at`), access still
/// there is a failed remediation (`not_removed`), reported as an event. Returns (verified,
/// not removed).
pub async fn verify_after_sync(store: &dyn Store, run: &SyncRun) -> Result<(usize, usize), StoreError> {
    let (mut yes, mut no) = (0, 0);
    let seen_at = run.finished_at.unwrap_or(run.started_at);
    for it in store.unverified_remediations(&run.account).await? {
        if it.applied_ms.is_some_and(|t| t > ms(run.started_at)) {
            continue;
        }
        let held = match still_held(store, run.id, &it).await {
            Ok(h) => h,
            Err(ReviewError::Store(e)) => return Err(e),
            // An item that cannot be read cannot be verified: say so rather than pass it.
            Err(_) => true,
        };
        let (status, at, kind) = if held {
            no += 1;
            if matches!(it.remediation_status, Some(RemediationStatus::Failed | RemediationStatus::Manual)) {
                continue;
            }
            (RemediationStatus::NotRemoved, None, EventKind::ReviewRemediationFailed)
        } else {
            yes += 1;
            (RemediationStatus::Verified, Some(ms(seen_at)), EventKind::ReviewRemediationVerified)
        };
        store.set_verification(it.id, status, at).await?;
        let detail = json!({ "campaign": it.campaign_id, "item": it.id, "user": it.user_id, "entitlement": it.entitlement, "source": it.source, "sync": run.id });
        record(store, &run.account, kind, format!("user:{}", it.user_id), detail, Utc::now()).await?;
    }
    Ok((yes, no))
}
