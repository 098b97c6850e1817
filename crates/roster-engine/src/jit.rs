//! Just-in-time access: a request names an entitlement, a duration (capped by policy per
//! resource type) and a justification; an approver who is not the requester (nor the user)
//! approves it, Roster grants through the provisioner, and at expiry revokes it, unless the
//! user held the access before the request. State lives in the store and moves forward only by
//! conditional updates, so expiry works across restarts and two workers never revoke twice.

use std::time::Duration;

use chrono::{DateTime, Utc};
use monday_api::Client;
use roster_core::{Action, Entitlement, Event, EventKind, GrantSource, JitStatus, Principal, ResourceType};
use roster_store::{JitGrant, JitStore, JitTransition, Store, StoreError};
use serde_json::json;

use crate::provision::{apply_plan, ApplyOptions, ProvisionError};

/// The longest grant per resource type.
#[derive(Debug, Clone, PartialEq)]
pub struct JitPolicy {
    /// The longest board access.
    pub max_board: Duration,
    /// The longest workspace access.
    pub max_workspace: Duration,
    /// The longest team access.
    pub max_team: Duration,
    /// A role (`role:admin:assigned`): the user's role is changed, and restored at expiry.
    pub max_role: Duration,
    /// The notice before expiry (a `jit_expiring` event, so a webhook).
    pub warn_before: Duration,
    /// Who may approve or deny.
    pub approvers: Approvers,
    /// Named approvers allowed whatever the rule (a security team's e-mails).
    pub named_approvers: Vec<String>,
}

/// Who may decide a request (never the requester nor the user who gets the access).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Approvers {
    /// The account's active admins and the resource's active owners (and the named approvers).
    #[default]
    AdminsOrOwners,
    /// Anyone else than the requester and the user.
    Anyone,
}

impl Default for JitPolicy {
    fn default() -> Self {
        let hours = |h: u64| Duration::from_secs(h * 3600);
        JitPolicy {
            max_board: hours(24),
            max_workspace: hours(8),
            max_team: hours(8),
            max_role: hours(4),
            warn_before: Duration::from_secs(900),
            approvers: Approvers::AdminsOrOwners,
            named_approvers: Vec::new(),
        }
    }
}

/// Why a request, decision or expiry did not go through.
#[derive(Debug, thiserror::Error)]
pub enum JitError {
    #[error("{0}")]
    /// The request is invalid (the message says how).
    Invalid(String),
    #[error("just-in-time grant {0} does not exist in account {1:?}")]
    /// No such grant in the account.
    NotFound(i64, String),
    #[error("just-in-time grant {id} is {status}, not {wanted}")]
    /// The grant is not in the state this needs.
    WrongState {
        /// The grant.
        id: i64,
        /// Its status.
        status: String,
        /// The status this needs.
        wanted: &'static str,
    },
    #[error("{0} cannot approve their own request (or their own access): another approver must")]
    /// The requester or the user tried to approve.
    SelfApproval(String),
    #[error("{who} may not decide this request: {why}")]
    /// The decider may not decide this request.
    NotApprover {
        /// Who tried.
        who: String,
        /// Why they may not.
        why: String,
    },
    #[error(transparent)]
    /// Granting or revoking failed.
    Provision(#[from] ProvisionError),
    #[error(transparent)]
    /// The store failed.
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
        ResourceType::Role => policy.max_role,
        other => {
            return Err(JitError::Invalid(format!(
                "just-in-time access covers boards, workspaces, teams and roles, not {}",
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
        status: JitStatus::Requested,
        preexisting: false,
        decided_by: None,
        created_ms: ms(now),
        expires_ms: None,
        warned: false,
        ended_ms: None,
        note: None,
        previous: None,
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

async fn load(store: &dyn JitStore, account: &str, id: i64, wanted: JitStatus) -> Result<JitGrant, JitError> {
    let g =
        store.jit(id).await?.filter(|g| g.account == account).ok_or_else(|| JitError::NotFound(id, account.into()))?;
    if g.status != wanted {
        return Err(JitError::WrongState { id, status: g.status.to_string(), wanted: wanted.as_str() });
    }
    Ok(g)
}

fn action(g: &JitGrant, grant: bool) -> Result<Action, JitError> {
    let entitlement: Entitlement =
        g.entitlement.parse().map_err(|x: roster_core::EntitlementError| JitError::Invalid(x.to_string()))?;
    if entitlement.rtype == ResourceType::Role {
        // monday.com has no "remove a role": the grant sets it, the expiry sets the one before
        // (a basic role by name, or `custom:<id>` for a custom role).
        let name = if grant { Some(entitlement.rid.as_str()) } else { g.previous.as_deref() };
        let user = g.user_id.clone();
        let unknown = || JitError::Invalid(format!("grant {}: the role to restore is not known", g.id));
        let name = name.ok_or_else(unknown)?;
        // `custom:<id>:<base>` names the custom role to restore and the basic role it is built
        // on (known while the user held it; nobody may hold it by the expiry).
        if let Some(rest) = name.strip_prefix("custom:") {
            let (id, base) = rest.split_once(':').map_or((rest, None), |(i, b)| (i, roster_core::Role::parse(b)));
            return Ok(Action::SetCustomRole { user, role_id: id.to_string(), base });
        }
        return Ok(match roster_core::entitlement::is_custom_role_id(name) {
            true => Action::SetCustomRole { user, role_id: name.to_string(), base: None },
            false => Action::SetRole { user, role: roster_core::Role::parse(name).ok_or_else(unknown)? },
        });
    }
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
        ..ApplyOptions::default()
    };
    let report = apply_plan(store, client, &g.account, vec![action(g, grant)?], &opts).await?;
    Ok(report
        .results
        .iter()
        .find(|r| r.status == crate::Status::Failed)
        .map(|r| r.note.clone().unwrap_or_else(|| "refused".into())))
}

/// Who decides a request. A Roster admin (an admin API key) counts among the admins the
/// default rule allows; a person is checked against the account's admins and the resource's
/// owners. Neither may decide their own request or access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decider {
    /// The decider's name (an e-mail or API key name).
    pub name: String,
    /// An admin of Roster (an admin API key): may approve whatever the rule says.
    pub roster_admin: bool,
}

impl Decider {
    /// A person, named as in monday.com (an e-mail) or in `[jit] approver_names`.
    pub fn person(name: impl Into<String>) -> Decider {
        Decider { name: name.into().trim().to_string(), roster_admin: false }
    }
    /// A Roster admin: it could grant the access directly through a plan anyway.
    pub fn roster_admin(name: impl Into<String>) -> Decider {
        Decider { name: name.into().trim().to_string(), roster_admin: true }
    }
}

/// Refuses `who` as the decider of `g`: the requester, the user, or (under the admins-or-owners
/// rule) someone who is neither an active admin of the account, an active owner of the
/// resource, nor a named approver.
async fn may_decide(
    store: &dyn Store,
    sync: i64,
    g: &JitGrant,
    by: &Decider,
    policy: &JitPolicy,
) -> Result<(), JitError> {
    let who = by.name.as_str();
    let user = store.find_user(sync, &g.user_id).await?;
    if who.is_empty()
        || who.eq_ignore_ascii_case(&g.requester)
        || user.as_ref().is_some_and(|u| u.has_email(who) || u.id == who)
    {
        return Err(JitError::SelfApproval(who.to_string()));
    }
    if by.roster_admin
        || policy.approvers == Approvers::Anyone
        || policy.named_approvers.iter().any(|n| n.trim().eq_ignore_ascii_case(who))
    {
        return Ok(());
    }
    let refuse = |why: String| Err(JitError::NotApprover { who: who.to_string(), why });
    let Some(a) = store.find_user(sync, who).await? else {
        return refuse("approvers are the account's admins, the resource's owners and [jit] approvers; this name is none of them (use a monday.com e-mail)".into());
    };
    if a.status != roster_core::UserStatus::Active {
        return refuse(format!("{} is {} in monday.com", a.email, a.status.as_str()));
    }
    if a.role == roster_core::Role::Admin {
        return Ok(());
    }
    let e: Entitlement =
        g.entitlement.parse().map_err(|x: roster_core::EntitlementError| JitError::Invalid(x.to_string()))?;
    let owns = store
        .grants_of(sync, &Principal::user(&a.id))
        .await?
        .iter()
        .any(|h| h.entitlement.rtype == e.rtype && h.entitlement.rid == e.rid && h.entitlement.slug == "owner");
    if owns {
        return Ok(());
    }
    refuse(format!("{} is neither an admin nor an owner of {}:{}", a.email, e.rtype, e.rid))
}

/// Approves request `id` and grants the access (unless the user already has it directly).
pub async fn approve(
    store: &dyn Store,
    client: &Client,
    account: &str,
    id: i64,
    by: &Decider,
    policy: &JitPolicy,
    now: DateTime<Utc>,
) -> Result<JitGrant, JitError> {
    let g = load(store, account, id, JitStatus::Requested).await?;
    let snap = store.last_completed(account).await?.ok_or_else(|| ProvisionError::NoSnapshot(account.into()))?;
    let who = by.name.as_str();
    may_decide(store, snap.id, &g, by, policy).await?;
    let held = store.grants_of(snap.id, &Principal::user(&g.user_id)).await?;
    let preexisting =
        held.iter().any(|h| h.entitlement.to_string() == g.entitlement && h.source == GrantSource::Direct);
    // For a role: the role held now is the one the expiry restores: a custom role when the user
    // holds one (`custom:<id>`), else the basic role.
    let previous = match g.entitlement.starts_with("role:") {
        true => {
            let basic = store.find_user(snap.id, &g.user_id).await?.map(|u| u.role.as_str().to_string());
            match crate::provision::custom_roles_of(store, snap.id, &g.user_id).await?.first() {
                Some(id) => Some(format!("custom:{id}:{}", basic.unwrap_or_default())),
                None => basic,
            }
        }
        false => None,
    };
    let expires = now + chrono::Duration::seconds(g.duration_s);
    let claim = JitTransition {
        from: JitStatus::Requested,
        to: JitStatus::Active,
        decided_by: Some(who.into()),
        preexisting: Some(preexisting),
        expires_ms: Some(ms(expires)),
        previous: previous.clone(),
        ..JitTransition::default()
    };
    if !store.transition_jit(id, &claim).await? {
        return Err(JitError::WrongState {
            id,
            status: "decided meanwhile".into(),
            wanted: JitStatus::Requested.as_str(),
        });
    }
    if !preexisting {
        // A refusal and an error end the same way: the grant failed, nothing was given.
        let g = JitGrant { previous: previous.clone(), ..g.clone() };
        let refused = provision(store, client, &g, true, who).await.unwrap_or_else(|e| Some(e.to_string()));
        if let Some(why) = refused {
            store
                .transition_jit(
                    id,
                    &JitTransition {
                        from: JitStatus::Active,
                        to: JitStatus::Failed,
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
        json!({ "approver": who, "expires_at": expires.to_rfc3339(), "preexisting": preexisting, "previous_role": previous }),
        now,
    )
    .await?;
    store.jit(id).await?.ok_or(JitError::NotFound(id, account.into()))
}

/// Denies request `id` (an approver), or withdraws it (its requester).
pub async fn deny(
    store: &dyn Store,
    account: &str,
    id: i64,
    by: &Decider,
    reason: &str,
    policy: &JitPolicy,
    now: DateTime<Utc>,
) -> Result<(), JitError> {
    let g = load(store, account, id, JitStatus::Requested).await?;
    let snap = store.last_completed(account).await?.ok_or_else(|| ProvisionError::NoSnapshot(account.into()))?;
    let approver = by.name.as_str();
    // Requesters may withdraw their own request; anyone else denying must be an approver.
    if !approver.eq_ignore_ascii_case(&g.requester) {
        may_decide(store, snap.id, &g, by, policy).await?;
    }
    if reason.trim().is_empty() {
        return Err(JitError::Invalid("give the reason for the denial".into()));
    }
    let t = JitTransition {
        from: JitStatus::Requested,
        to: JitStatus::Denied,
        decided_by: Some(approver.into()),
        ended_ms: Some(ms(now)),
        note: Some(reason.trim().into()),
        ..JitTransition::default()
    };
    if store.transition_jit(id, &t).await? {
        event(store, account, EventKind::JitDenied, &g, json!({ "approver": approver, "reason": reason }), now).await?;
    }
    Ok(())
}

/// For a role grant: a sync taken after the approval shows the user with another role than the
/// one granted, so someone changed it on purpose; the expiry leaves it (and says why).
async fn role_changed_meanwhile(store: &dyn Store, account: &str, g: &JitGrant) -> Result<Option<String>, JitError> {
    let Some(target) = g.entitlement.strip_prefix("role:").and_then(|r| r.split(':').next()) else { return Ok(None) };
    let approved_ms = g.expires_ms.unwrap_or_default() - g.duration_s * 1000;
    let Some(snap) = store.last_completed(account).await? else { return Ok(None) };
    if ms(snap.started_at) <= approved_ms {
        return Ok(None);
    }
    let custom = crate::provision::custom_roles_of(store, snap.id, &g.user_id).await?;
    if roster_core::entitlement::is_custom_role_id(target) {
        // A custom role granted: still held, or changed on purpose.
        if custom.iter().any(|c| c == target) {
            return Ok(None);
        }
        let now = match custom.first() {
            Some(c) => format!("custom role {c}"),
            None => store
                .find_user(snap.id, &g.user_id)
                .await?
                .map_or("another role".into(), |u| u.role.as_str().to_string()),
        };
        return Ok(Some(format!("kept: the role was changed to {now} meanwhile (sync {}); left as is", snap.id)));
    }
    Ok(store.find_user(snap.id, &g.user_id).await?.filter(|u| u.role.as_str() != target || !custom.is_empty()).map(
        |u| {
            let now = custom.first().map_or(u.role.as_str().to_string(), |c| format!("custom role {c}"));
            format!("kept: the role was changed to {now} meanwhile (sync {}); left as is", snap.id)
        },
    ))
}

/// What one expiry pass did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ExpiryReport {
    /// Grants whose notice went out.
    pub warned: usize,
    /// Grants revoked at expiry.
    pub revoked: usize,
    /// Grants that expired but stay (the user held the access before).
    pub kept: usize,
    /// Grants whose revocation failed (retried at the next run).
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
    for g in store.jits(account, Some(JitStatus::Active)).await? {
        let Some(expires) = g.expires_ms else { continue };
        if expires > ms(now) {
            if !g.warned && expires - ms(now) <= policy.warn_before.as_millis() as i64 {
                let t = JitTransition {
                    from: JitStatus::Active,
                    to: JitStatus::Active,
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
                &JitTransition { from: JitStatus::Active, to: JitStatus::Expiring, ..JitTransition::default() },
            )
            .await?
        {
            continue;
        }
        let moved_on = role_changed_meanwhile(store, account, &g).await?;
        let outcome = match (g.preexisting, &moved_on) {
            (false, None) => provision(store, client, &g, false, "expiry").await,
            _ => Ok(None),
        };
        let (to, kind, note) = match outcome {
            Ok(None) if g.preexisting => {
                r.kept += 1;
                (JitStatus::Expired, EventKind::JitExpired, "kept: the user held it before the request".to_string())
            }
            Ok(None) if moved_on.is_some() => {
                r.kept += 1;
                (JitStatus::Expired, EventKind::JitExpired, moved_on.unwrap_or_default())
            }
            Ok(None) => {
                r.revoked += 1;
                (JitStatus::Expired, EventKind::JitExpired, "revoked".to_string())
            }
            Ok(Some(why)) => {
                r.failed += 1;
                (JitStatus::Failed, EventKind::JitFailed, why)
            }
            Err(e) => {
                r.failed += 1;
                (JitStatus::Failed, EventKind::JitFailed, e.to_string())
            }
        };
        store
            .transition_jit(
                g.id,
                &JitTransition {
                    from: JitStatus::Expiring,
                    to,
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
