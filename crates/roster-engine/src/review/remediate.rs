//! Closing a campaign (revocations, and unanswered items when the policy says so, become one
//! plan through the provisioner) and checking after each sync that revoked access is gone.

use chrono::{DateTime, Utc};
use monday_api::Client;
use roster_core::review::{remediation, Unanswered};
use roster_core::{Action, Entitlement, EventKind, GrantSource, Guard, Principal, UserStatus};
use roster_store::{Remediation, ReviewItem, Store, StoreError, SyncRun};
use serde::Serialize;
use serde_json::json;

use super::{load, ms, record, spec_of, ReviewError};
use crate::provision::{apply_plan, ApplyOptions, Status};

/// How to close.
#[derive(Debug, Clone)]
pub struct CloseOptions {
    pub by: String,
    /// Let the remediation plan through the mass-change guard.
    pub allow_mass_change: bool,
    pub guard: Guard,
}

/// What the close did.
#[derive(Debug, Clone, Serialize)]
pub struct CloseReport {
    pub campaign: i64,
    pub plan_id: Option<String>,
    /// Items whose access is taken away (revoked, or unanswered under a revoke policy).
    pub to_remove: usize,
    /// Distinct actions sent (several items can share one: removing a user from a team).
    pub actions: usize,
    pub applied: usize,
    pub failed: usize,
    /// Items whose access was already gone in the last sync.
    pub already_gone: usize,
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
    if c.status != "launched" && c.status != "closing" {
        return Err(ReviewError::WrongState { id, status: c.status, what: "only a launched campaign can be closed" });
    }
    let spec = spec_of(&c)?;
    let snap = store.last_completed(account).await?.ok_or_else(|| crate::ProvisionError::NoSnapshot(account.into()))?;
    let items = store.review_items(id, None).await?;
    let mut remove: Vec<(&ReviewItem, &'static str)> = Vec::new();
    for it in &items {
        match (it.decision.as_deref(), spec.unanswered) {
            (Some("revoke"), _) => remove.push((it, "revoked")),
            (None, Unanswered::Revoke) => remove.push((it, "unanswered (campaign policy: revoke)")),
            _ => {}
        }
    }
    let mut actions: Vec<Action> = Vec::new();
    let mut plan_for: Vec<(&ReviewItem, Option<usize>, &str)> = Vec::new();
    for (it, why) in remove.iter().copied() {
        if it.remediation_status.is_some() {
            continue;
        }
        if !still_held(store, snap.id, it).await? {
            plan_for.push((it, None, why));
            continue;
        }
        let (e, s) = parse_item(it)?;
        let a = remediation(&it.user_id, &e, &s);
        let at = match actions.iter().position(|x| *x == a) {
            Some(i) => i,
            None => {
                actions.push(a);
                actions.len() - 1
            }
        };
        plan_for.push((it, Some(at), why));
    }
    let apply = |dry_run: bool| ApplyOptions {
        requested_by: format!("review:{id} ({})", opts.by),
        reason: Some(format!("access review {:?} closed", c.name)),
        dry_run,
        allow_mass_change: opts.allow_mass_change,
        guard: opts.guard,
    };
    if !actions.is_empty() {
        // Checked and guarded before anything changes; a refusal leaves the campaign launched.
        apply_plan(store, client, account, actions.clone(), &apply(true)).await?;
    }
    if c.status == "launched" && !store.transition_campaign(id, "launched", "closing", ms(now), None).await? {
        return Err(ReviewError::Invalid(format!("campaign {id} is being closed elsewhere")));
    }
    let report = match actions.is_empty() {
        true => None,
        false => Some(apply_plan(store, client, account, actions.clone(), &apply(false)).await?),
    };
    let (mut applied, mut failed, mut gone) = (0, 0, 0);
    for (it, at, why) in &plan_for {
        let r = match (at, &report) {
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
                    status: if ok { "applied" } else { "failed" }.into(),
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
                    status: "applied".into(),
                    note: Some(format!("{why}; already gone in sync {}", snap.id)),
                    applied_ms: Some(ms(now)),
                }
            }
        };
        store.set_remediation(it.id, &r).await?;
    }
    let plan_id = report.as_ref().map(|r| r.plan_id.clone());
    store.transition_campaign(id, "closing", "closed", ms(now), plan_id.as_deref()).await?;
    let out = CloseReport {
        campaign: id,
        plan_id,
        to_remove: plan_for.len(),
        actions: actions.len(),
        applied,
        failed,
        already_gone: gone,
    };
    let detail = json!({ "campaign": id, "by": opts.by, "report": out });
    record(store, account, EventKind::ReviewClosed, format!("review:{id}"), detail, now).await?;
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
            if it.remediation_status.as_deref() == Some("failed") {
                continue;
            }
            ("not_removed", None, EventKind::ReviewRemediationFailed)
        } else {
            yes += 1;
            ("verified", Some(ms(seen_at)), EventKind::ReviewRemediationVerified)
        };
        store.set_verification(it.id, status, at).await?;
        let detail = json!({ "campaign": it.campaign_id, "item": it.id, "user": it.user_id, "entitlement": it.entitlement, "source": it.source, "sync": run.id });
        record(store, &run.account, kind, format!("user:{}", it.user_id), detail, Utc::now()).await?;
    }
    Ok((yes, no))
}
