//! Just-in-time access: a request names an entitlement, a duration (capped by policy per
//! resource type) and a justification; an approver who is not the requester (nor the user)
//! approves it, Roster grants through the provisioner, and at expiry revokes it, unless the
//! user held the access before the request. State lives in the store and moves forward only by
//! conditional updates, so expiry works across restarts and two workers never revoke twice.

use std::time::Duration;

use chrono::{DateTime, Utc};
use monday_api::Client;
use roster_core::{Action, Entitlement, Event, EventKind, GrantSource, Principal, ResourceType};
use roster_store::{JitGrant, JitTransition, Store, StoreError};
use serde_json::json;

use crate::provision::{apply_plan, ApplyOptions, ProvisionError};

/// The longest grant per resource type.
#[derive(Debug, Clone, PartialEq)]
pub struct JitPolicy {
    pub max_board: Duration,
    pub max_workspace: Duration,
    pub max_team: Duration,
    /// The notice before expiry (a `jit_expiring` event, so a webhook).
    pub warn_before: Duration,
}

impl Default for JitPolicy {
    fn default() -> Self {
        let hours = |h: u64| Duration::from_secs(h * 3600);
        JitPolicy {
            max_board: hours(24),
            max_workspace: hours(8),
            max_team: hours(8),
            warn_before: Duration::from_secs(900),
        }
    }
}

/// Why a request, decision or expiry did not go through.
#[derive(Debug, thiserror::Error)]
pub enum JitError {
    #[error("{0}")]
    Invalid(String),
    #[error("just-in-time grant {0} does not exist in account {1:?}")]
    NotFound(i64, String),
    #[error("just-in-time grant {id} is {status}, not {wanted}")]
    WrongState { id: i64, status: String, wanted: &'static str },
    #[error("{0} cannot approve their own request (or their own access): another approver must")]
    SelfApproval(String),
    #[error(transparent)]
    Provision(#[from] ProvisionError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

async fn event(
    store: &dyn Store,
    account: &str,
    kind: EventKind,
    g: &JitGrant,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut d = json!({ "jit": g.id, "entitlement": g.entitlement, "requester": g.requester });
    if let (Some(o), Some(extra)) = (d.as_object_mut(), detail.as_object()) {
        o.extend(extra.clone());
    }
    store.append_events(account, None, &[Event { kind, subject: format!("user:{}", g.user_id), detail: d }], now).await
}

/// Records a request; returns its id.
#[allow(clippy::too_many_arguments)]
pub async fn request(
    store: &dyn Store,
    account: &str,
    requester: &str,
    user: &str,
    entitlement: &str,
    duration: Duration,
    justification: &str,
    policy: &JitPolicy,
    now: DateTime<Utc>,
) -> Result<i64, JitError> {
    let e: Entitlement =
        entitlement.parse().map_err(|x: roster_core::EntitlementError| JitError::Invalid(x.to_string()))?;
    let cap = match e.rtype {
        ResourceType::Board => policy.max_board,
        ResourceType::Workspace => policy.max_workspace,
        ResourceType::Team => policy.max_team,
        other => {
            return Err(JitError::Invalid(format!(
                "just-in-time access covers boards, workspaces and teams, not {} (role changes: `roster role`)",
                other.as_str()
            )))
        }
    };
    if duration.is_zero() || duration > cap {
        return Err(JitError::Invalid(format!(
            "a {} grant lasts at most {} minutes by policy (asked: {} minutes)",
            e.rtype.as_str(),
            cap.as_secs() / 60,
            duration.as_secs() / 60
        )));
    }
    if justification.trim().len() < 5 {
        return Err(JitError::Invalid("give a justification (why the access is needed)".into()));
    }
    if requester.trim().is_empty() {
        return Err(JitError::Invalid("name the requester".into()));
    }
    let snap = store.last_completed(account).await?.ok_or_else(|| ProvisionError::NoSnapshot(account.into()))?;
    let u = store
        .find_user(snap.id, user)
        .await?
        .ok_or_else(|| JitError::Invalid(format!("no user {user:?} in the last sync of {account}")))?;
    let g = JitGrant {
        id: 0,
        account: account.into(),
        requester: requester.trim().into(),
        user_id: u.id.clone(),
        entitlement: e.to_string(),
        justification: justification.trim().into(),
        duration_s: duration.as_secs() as i64,
        status: "requested".into(),
        preexisting: false,
        decided_by: None,
        created_ms: ms(now),
        expires_ms: None,
        warned: false,
        ended_ms: None,
        note: None,
    };
    let id = store.add_jit(&g).await?;
    event(
        store,
        account,
        EventKind::JitRequested,
        &JitGrant { id, ..g },
        json!({ "justification": justification, "minutes": duration.as_secs() / 60 }),
        now,
    )
    .await?;
    Ok(id)
}

async fn load(store: &dyn Store, account: &str, id: i64, wanted: &'static str) -> Result<JitGrant, JitError> {
    let g =
        store.jit(id).await?.filter(|g| g.account == account).ok_or_else(|| JitError::NotFound(id, account.into()))?;
    if g.status != wanted {
        return Err(JitError::WrongState { id, status: g.status, wanted });
    }
    Ok(g)
}

fn action(g: &JitGrant, grant: bool) -> Result<Action, JitError> {
    let entitlement: Entitlement =
        g.entitlement.parse().map_err(|x: roster_core::EntitlementError| JitError::Invalid(x.to_string()))?;
    let principal = Principal::user(&g.user_id);
    Ok(if grant { Action::Grant { entitlement, principal } } else { Action::Revoke { entitlement, principal } })
}

async fn provision(
    store: &dyn Store,
    client: &Client,
    g: &JitGrant,
    grant: bool,
    by: &str,
) -> Result<Option<String>, JitError> {
    let opts = ApplyOptions {
        requested_by: format!("jit:{} ({by})", g.id),
        reason: Some(g.justification.clone()),
        dry_run: false,
        allow_mass_change: false,
        guard: roster_core::Guard::default(),
    };
    let report = apply_plan(store, client, &g.account, vec![action(g, grant)?], &opts).await?;
    Ok(report
        .results
        .iter()
        .find(|r| r.status == crate::Status::Failed)
        .map(|r| r.note.clone().unwrap_or_else(|| "refused".into())))
}

/// Approves request `id` and grants the access (unless the user already has it directly).
pub async fn approve(
    store: &dyn Store,
    client: &Client,
    account: &str,
    id: i64,
    approver: &str,
    now: DateTime<Utc>,
) -> Result<JitGrant, JitError> {
    let g = load(store, account, id, "requested").await?;
    let snap = store.last_completed(account).await?.ok_or_else(|| ProvisionError::NoSnapshot(account.into()))?;
    let user = store.find_user(snap.id, &g.user_id).await?;
    let who = approver.trim();
    if who.is_empty()
        || who.eq_ignore_ascii_case(&g.requester)
        || user.as_ref().is_some_and(|u| u.has_email(who) || u.id == who)
    {
        return Err(JitError::SelfApproval(who.to_string()));
    }
    let held = store.grants_of(snap.id, &Principal::user(&g.user_id)).await?;
    let preexisting =
        held.iter().any(|h| h.entitlement.to_string() == g.entitlement && h.source == GrantSource::Direct);
    let expires = now + chrono::Duration::seconds(g.duration_s);
    let claim = JitTransition {
        from: "requested".into(),
        to: "active".into(),
        decided_by: Some(who.into()),
        preexisting: Some(preexisting),
        expires_ms: Some(ms(expires)),
        ..JitTransition::default()
    };
    if !store.transition_jit(id, &claim).await? {
        return Err(JitError::WrongState { id, status: "decided meanwhile".into(), wanted: "requested" });
    }
    if !preexisting {
        // A refusal and an error end the same way: the grant failed, nothing was given.
        let refused = provision(store, client, &g, true, who).await.unwrap_or_else(|e| Some(e.to_string()));
        if let Some(why) = refused {
            store
                .transition_jit(
                    id,
                    &JitTransition {
                        from: "active".into(),
                        to: "failed".into(),
                        ended_ms: Some(ms(now)),
                        note: Some(why.clone()),
                        ..JitTransition::default()
                    },
                )
                .await?;
            event(store, account, EventKind::JitFailed, &g, json!({ "error": why }), now).await?;
            return Err(JitError::Invalid(format!("monday.com refused the grant: {why}")));
        }
    }
    event(
        store,
        account,
        EventKind::JitApproved,
        &g,
        json!({ "approver": who, "expires_at": expires.to_rfc3339(), "preexisting": preexisting }),
        now,
    )
    .await?;
    store.jit(id).await?.ok_or(JitError::NotFound(id, account.into()))
}

/// Denies request `id`.
pub async fn deny(
    store: &dyn Store,
    account: &str,
    id: i64,
    approver: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), JitError> {
    let g = load(store, account, id, "requested").await?;
    let t = JitTransition {
        from: "requested".into(),
        to: "denied".into(),
        decided_by: Some(approver.trim().into()),
        ended_ms: Some(ms(now)),
        note: Some(reason.trim().into()),
        ..JitTransition::default()
    };
    if store.transition_jit(id, &t).await? {
        event(store, account, EventKind::JitDenied, &g, json!({ "approver": approver, "reason": reason }), now).await?;
    }
    Ok(())
}

/// What one expiry pass did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ExpiryReport {
    pub warned: usize,
    pub revoked: usize,
    pub kept: usize,
    pub failed: usize,
}

/// Revokes every grant past its expiry (keeping access held before the request) and sends the
/// before-expiry notices. Safe to run on several workers at once: each grant is claimed first.
pub async fn expire_due(
    store: &dyn Store,
    client: &Client,
    account: &str,
    policy: &JitPolicy,
    now: DateTime<Utc>,
) -> Result<ExpiryReport, JitError> {
    let mut r = ExpiryReport::default();
    for g in store.jits(account, Some("active")).await? {
        let Some(expires) = g.expires_ms else { continue };
        if expires > ms(now) {
            if !g.warned && expires - ms(now) <= policy.warn_before.as_millis() as i64 {
                let t = JitTransition {
                    from: "active".into(),
                    to: "active".into(),
                    warned: Some(true),
                    ..JitTransition::default()
                };
                if store.transition_jit(g.id, &t).await? {
                    event(
                        store,
                        account,
                        EventKind::JitExpiring,
                        &g,
                        json!({ "minutes_left": (expires - ms(now)) / 60_000 }),
                        now,
                    )
                    .await?;
                    r.warned += 1;
                }
            }
            continue;
        }
        // Claim it: of two workers, one moves it to `expiring` and revokes.
        if !store
            .transition_jit(
                g.id,
                &JitTransition { from: "active".into(), to: "expiring".into(), ..JitTransition::default() },
            )
            .await?
        {
            continue;
        }
        let outcome = if g.preexisting { Ok(None) } else { provision(store, client, &g, false, "expiry").await };
        let (to, kind, note) = match outcome {
            Ok(None) if g.preexisting => {
                r.kept += 1;
                ("expired", EventKind::JitExpired, "kept: the user held it before the request".to_string())
            }
            Ok(None) => {
                r.revoked += 1;
                ("expired", EventKind::JitExpired, "revoked".to_string())
            }
            Ok(Some(why)) => {
                r.failed += 1;
                ("failed", EventKind::JitFailed, why)
            }
            Err(e) => {
                r.failed += 1;
                ("failed", EventKind::JitFailed, e.to_string())
            }
        };
        store
            .transition_jit(
                g.id,
                &JitTransition {
                    from: "expiring".into(),
                    to: to.into(),
                    ended_ms: Some(ms(now)),
                    note: Some(note.clone()),
                    ..JitTransition::default()
                },
            )
            .await?;
        event(store, account, kind, &g, json!({ "note": note }), now).await?;
    }
    Ok(r)
}
