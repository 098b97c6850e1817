//! Access review campaigns: create, launch (freeze the items of the latest snapshot, refused
//! when it is too old unless forced), decide (certify, revoke with a justification, reassign;
//! a self-review needs a reason), sign off (locks a reviewer's decisions), close (revocations
//! and, by policy, unanswered items become one plan through the provisioner), and after every
//! sync the check that each revoked access is gone (`verified_absent_at`). Evidence export and
//! its verification live in `evidence`; the PDF summary in `pdf`.

mod context;
pub mod evidence;
mod pdf;
pub mod recommend;
mod remediate;

use chrono::{DateTime, Utc};
use roster_core::review::{select_items, CampaignSpec, CampaignStatus, Decision, RemediationStatus};
use roster_core::sod::SodRule;
use roster_core::{Event, EventKind, Grant, ResourceRecord, ResourceType, UserRecord};
use roster_store::{ItemDecision, ReviewCampaign, ReviewItem, Store, StoreError, UserQuery};
use serde_json::json;

use crate::provision::ProvisionError;

pub use remediate::{close, unfinished, verify_after_sync, CloseOptions, CloseReport};

/// Why a campaign step did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("{0}")]
    /// The request is invalid (the message says how).
    Invalid(String),
    #[error("review campaign {0} does not exist in account {1:?}")]
    /// No such campaign in the account.
    NotFound(i64, String),
    #[error("review item {0} does not exist in campaign {1}")]
    /// No such item in the campaign.
    NoItem(i64, i64),
    #[error("review campaign {id} is {status}: {what}")]
    /// The campaign is not in a state that allows this.
    WrongState {
        /// The campaign.
        id: i64,
        /// Its status.
        status: CampaignStatus,
        /// What was asked, and why it cannot be done now.
        what: &'static str,
    },
    #[error(
        "the last sync of {account} completed {age_h} h ago, more than the campaign allows ({max_h} h): run `roster sync` first, or launch with --force"
    )]
    /// The last sync is older than the campaign allows.
    StaleSnapshot {
        /// The account.
        account: String,
        /// Hours since the last sync completed.
        age_h: i64,
        /// The most the campaign allows.
        max_h: i64,
    },
    #[error("{who} is not the reviewer of item {item} (its reviewer is {reviewer})")]
    /// Someone other than the item's reviewer tried to decide it.
    NotReviewer {
        /// Who tried.
        who: String,
        /// The item.
        item: i64,
        /// Its reviewer.
        reviewer: String,
    },
    #[error("{0} signed off: their decisions are locked")]
    /// The reviewer signed off; their decisions are locked.
    SignedOff(String),
    #[error("review campaign {id} is not finished ({why}): finish it, or close with --force (the evidence will then say it is incomplete, and why); --dry-run shows what a close would do")]
    /// The campaign has undecided items or unsigned reviewers.
    Unfinished {
        /// The campaign.
        id: i64,
        /// What is unfinished.
        why: String,
    },
    #[error(transparent)]
    /// Carrying out a revocation failed.
    Provision(#[from] ProvisionError),
    #[error(transparent)]
    /// The store failed.
    Store(#[from] StoreError),
}

pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) async fn record(
    store: &dyn Store,
    account: &str,
    kind: EventKind,
    subject: String,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    store.append_events(account, None, &[Event { kind, subject, detail }], now).await
}

/// The campaign `id` of `account`.
pub async fn load(store: &dyn Store, account: &str, id: i64) -> Result<ReviewCampaign, ReviewError> {
    store.campaign(id).await?.filter(|c| c.account == account).ok_or_else(|| ReviewError::NotFound(id, account.into()))
}

/// The definition stored with a campaign.
pub fn spec_of(c: &ReviewCampaign) -> Result<CampaignSpec, ReviewError> {
    serde_json::from_str(&c.spec)
        .map_err(|e| ReviewError::Invalid(format!("campaign {} has an unreadable definition: {e}", c.id)))
}

/// Records a draft campaign; returns its id.
pub async fn create(
    store: &dyn Store,
    account: &str,
    name: &str,
    spec: &CampaignSpec,
    due: DateTime<Utc>,
    created_by: &str,
    now: DateTime<Utc>,
) -> Result<i64, ReviewError> {
    spec.check().map_err(|e| ReviewError::Invalid(e.to_string()))?;
    if name.trim().is_empty() {
        return Err(ReviewError::Invalid("give the campaign a name".into()));
    }
    if due <= now {
        return Err(ReviewError::Invalid(format!("the due date {due} is not in the future")));
    }
    let spec_json = serde_json::to_string(spec).map_err(|e| ReviewError::Invalid(e.to_string()))?;
    let c = ReviewCampaign {
        id: 0,
        account: account.into(),
        name: name.trim().into(),
        spec: spec_json,
        status: CampaignStatus::Draft,
        created_by: created_by.trim().into(),
        created_ms: ms(now),
        due_ms: ms(due),
        launched_ms: None,
        sync_id: None,
        snapshot_ms: None,
        closed_ms: None,
        plan_id: None,
        items_moved: 0,
    };
    let id = store.add_campaign(&c).await?;
    let detail = json!({ "campaign": id, "name": c.name, "by": c.created_by, "spec": spec });
    record(store, account, EventKind::ReviewCreated, format!("review:{id}"), detail, now).await?;
    Ok(id)
}

/// A snapshot's users, resources (boards, workspaces, teams and roles) and grants: what items
/// are selected from.
async fn snapshot(
    store: &dyn Store,
    sync_id: i64,
) -> Result<(Vec<UserRecord>, Vec<ResourceRecord>, Vec<Grant>), StoreError> {
    let users = store.users(sync_id, &UserQuery::default()).await?;
    let mut resources = Vec::new();
    for t in [ResourceType::Board, ResourceType::Workspace, ResourceType::Team, ResourceType::Role] {
        resources.extend(store.resources(sync_id, t).await?);
    }
    Ok((users, resources, store.all_grants(sync_id).await?))
}

/// The items `spec` yields from snapshot `sync_id`.
pub(crate) async fn items_in_scope(
    store: &dyn Store,
    sync_id: i64,
    spec: &CampaignSpec,
) -> Result<Vec<roster_core::review::ItemDraft>, StoreError> {
    let (users, resources, grants) = snapshot(store, sync_id).await?;
    Ok(select_items(spec, &users, &resources, &grants))
}

/// Freezes the items of the latest completed snapshot into campaign `id`; returns how many.
/// Each item keeps what its recommendation needs: the user's custom role, the resource's kind,
/// the separation-of-duties `rules` in force that the access breaks, and a team the user left
/// that still reaches the resource.
pub async fn launch(
    store: &dyn Store,
    account: &str,
    id: i64,
    force: bool,
    rules: &[SodRule],
    now: DateTime<Utc>,
) -> Result<usize, ReviewError> {
    let c = load(store, account, id).await?;
    if c.status != CampaignStatus::Draft {
        return Err(ReviewError::WrongState { id, status: c.status, what: "only a draft can be launched" });
    }
    let spec = spec_of(&c)?;
    let snap = store.last_completed(account).await?.ok_or_else(|| ProvisionError::NoSnapshot(account.into()))?;
    let taken = snap.finished_at.unwrap_or(snap.started_at);
    let age = now - taken;
    if !force && age.num_seconds() > spec.max_snapshot_age_s {
        return Err(ReviewError::StaleSnapshot {
            account: account.into(),
            age_h: age.num_hours(),
            max_h: spec.max_snapshot_age_s / 3600,
        });
    }
    let (users, resources, grants) = snapshot(store, snap.id).await?;
    let drafts = select_items(&spec, &users, &resources, &grants);
    let context = context::Context::new(&users, &resources, &grants, store.left_teams(snap.id).await?, rules, now);
    let items: Vec<ReviewItem> = drafts
        .into_iter()
        .enumerate()
        .map(|(i, d)| ReviewItem {
            id: 0,
            campaign_id: id,
            seq: i as i64 + 1,
            sod_rules: context.sod_rules(&d),
            left_team: context.left_team(&d),
            user_id: d.user.id.clone(),
            user_email: d.user.email.clone(),
            user_name: d.user.name.clone(),
            user_status: d.user.status.as_str().into(),
            user_role: d.user.role.as_str().into(),
            user_last_activity_ms: d.user.last_activity.map(ms),
            user_custom_role: d.custom_role,
            entitlement: d.entitlement.to_string(),
            resource_name: d.resource_name,
            resource_kind: d.resource_kind,
            source: d.source.as_string(),
            reviewer: d.reviewer.clone(),
            original_reviewer: d.reviewer,
            self_review: d.self_review,
            // Undecided, nothing remediated: the campaign is launched.
            ..ReviewItem::default()
        })
        .collect();
    if !store.launch_campaign(id, snap.id, ms(taken), ms(now), &items).await? {
        return Err(ReviewError::WrongState {
            id,
            status: CampaignStatus::Launched,
            what: "another launch of it won the race",
        });
    }
    let reviewers: std::collections::BTreeSet<&str> = items.iter().map(|i| i.reviewer.as_str()).collect();
    let detail = json!({ "campaign": id, "items": items.len(), "sync": snap.id, "reviewers": reviewers, "forced": force && age.num_seconds() > spec.max_snapshot_age_s });
    record(store, account, EventKind::ReviewLaunched, format!("review:{id}"), detail, now).await?;
    Ok(items.len())
}

/// What a reviewer does with an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    /// Certify or revoke.
    Decide(Decision),
    /// Hand the item to this reviewer.
    Reassign(String),
}

impl Act {
    /// Reads the words the API and the web forms send: `certify`, `revoke`, or `reassign` with
    /// the new reviewer.
    pub fn parse(decision: &str, reassign_to: Option<&str>) -> Result<Act, ReviewError> {
        let decision = decision.trim();
        if let Some(d) = Decision::parse(decision) {
            return Ok(Act::Decide(d));
        }
        match (decision, reassign_to.map(str::trim).filter(|t| !t.is_empty())) {
            ("reassign", Some(to)) => Ok(Act::Reassign(to.to_string())),
            ("reassign", None) => Err(ReviewError::Invalid("reassign: give the new reviewer (an e-mail)".into())),
            (other, _) => Err(ReviewError::Invalid(format!("decision {other:?}: use certify, revoke or reassign"))),
        }
    }
}

/// `who` decides or reassigns item `item` of campaign `id`; returns the item as it now is.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    store: &dyn Store,
    account: &str,
    id: i64,
    item: i64,
    who: &str,
    act: &Act,
    justification: Option<&str>,
    now: DateTime<Utc>,
) -> Result<ReviewItem, ReviewError> {
    let mut done = decide_many(store, account, id, &[item], who, act, justification, now).await?;
    done.pop().ok_or(ReviewError::NoItem(item, id))
}

/// Why `who` cannot take `act` on `it`, if anything.
fn refusal(it: &ReviewItem, who: &str, act: &Act, why: Option<&str>) -> Option<ReviewError> {
    let item = it.id;
    if it.reviewer != who {
        return Some(ReviewError::NotReviewer { who: who.into(), item, reviewer: it.reviewer.clone() });
    }
    let need = |what: &str| Some(ReviewError::Invalid(format!("{what}: give a justification")));
    match act {
        Act::Decide(Decision::Revoke) if why.is_none() => need(&format!("item {item}: revoking access")),
        Act::Decide(_) if it.self_review && why.is_none() => {
            need(&format!("item {item} is {who}'s own access (a self-review)"))
        }
        Act::Reassign(to) => {
            let to = to.trim().to_ascii_lowercase();
            if to.is_empty() || to.contains(char::is_whitespace) {
                Some(ReviewError::Invalid(format!("{to:?} is not a reviewer (give an e-mail)")))
            } else if to == who {
                Some(ReviewError::Invalid(format!("item {item} is already {who}'s")))
            } else if it.user_email.eq_ignore_ascii_case(&to) {
                Some(ReviewError::Invalid(format!(
                    "{to} cannot review their own access (item {item}): reassign to someone else"
                )))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Items one decision (or one bulk acceptance) may name: each is read, then all are written
/// in one transaction, so a form or request is bounded before any of that work.
pub const MAX_ITEMS_A_DECISION: usize = 1000;

/// `who` takes one act on each of `items` of campaign `id` (certify, revoke or reassign), all
/// or none: every item is checked first, then the decisions and their events are written in
/// one transaction. Returns the items as they now are.
#[allow(clippy::too_many_arguments)]
pub async fn decide_many(
    store: &dyn Store,
    account: &str,
    id: i64,
    items: &[i64],
    who: &str,
    act: &Act,
    justification: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<ReviewItem>, ReviewError> {
    if items.len() > MAX_ITEMS_A_DECISION {
        return Err(too_many(items.len()));
    }
    let why = justification.map(str::trim).filter(|j| !j.is_empty()).map(String::from);
    let mut each = Vec::with_capacity(items.len());
    for &item in items {
        each.push((item_of(store, id, item).await?, act.clone(), why.clone()));
    }
    decide_each(store, account, id, each, who, now).await?;
    let mut out = Vec::with_capacity(items.len());
    for &item in items {
        out.push(item_of(store, id, item).await?);
    }
    Ok(out)
}

/// Item `item` of campaign `id`.
pub(crate) async fn item_of(store: &dyn Store, id: i64, item: i64) -> Result<ReviewItem, ReviewError> {
    store.review_item(item).await?.filter(|i| i.campaign_id == id).ok_or(ReviewError::NoItem(item, id))
}

fn too_many(n: usize) -> ReviewError {
    ReviewError::Invalid(format!("{n} items in one decision: send at most {MAX_ITEMS_A_DECISION}"))
}

/// `who` takes its own act, with its own justification, on each item of campaign `id` (as
/// the caller read them): all or none, as [`decide_many`]. Returns how many were decided.
pub(crate) async fn decide_each(
    store: &dyn Store,
    account: &str,
    id: i64,
    acts: Vec<(ReviewItem, Act, Option<String>)>,
    who: &str,
    now: DateTime<Utc>,
) -> Result<usize, ReviewError> {
    let c = load(store, account, id).await?;
    if c.status != CampaignStatus::Launched {
        return Err(ReviewError::WrongState { id, status: c.status, what: "decisions are taken while it is launched" });
    }
    if acts.is_empty() {
        return Err(ReviewError::Invalid("name at least one item".into()));
    }
    if acts.len() > MAX_ITEMS_A_DECISION {
        return Err(too_many(acts.len()));
    }
    let who = who.trim().to_ascii_lowercase();
    if store.signoffs(id).await?.iter().any(|(r, _)| *r == who) {
        return Err(ReviewError::SignedOff(who));
    }
    let (mut decisions, mut events) = (Vec::with_capacity(acts.len()), Vec::with_capacity(acts.len()));
    for (it, act, why) in &acts {
        let why = why.as_deref().map(str::trim).filter(|j| !j.is_empty());
        if let Some(e) = refusal(it, &who, act, why) {
            return Err(e);
        }
        let item = it.id;
        let (decision, reassign_to) = match act {
            Act::Decide(d) => (Some(*d), None),
            Act::Reassign(to) => (None, Some(to.trim().to_ascii_lowercase())),
        };
        let detail = json!({
            "campaign": id, "item": item, "by": who, "decision": decision, "reassigned_to": reassign_to,
            "justification": why, "self_review": it.self_review, "user": it.user_id, "entitlement": it.entitlement,
        });
        events.push(Event { kind: EventKind::ReviewDecided, subject: format!("review:{id}:item:{item}"), detail });
        decisions.push((
            item,
            ItemDecision {
                reviewer: who.clone(),
                decision,
                reassign_to,
                by: who.clone(),
                justification: why.map(String::from),
                at_ms: ms(now),
            },
        ));
    }
    // Conditional on each item's reviewer, sign-off and campaign state at the write: an item
    // read above that changed since is refused there, and then nothing is written.
    if !store.decide_items(account, &decisions, &events, now).await? {
        return Err(ReviewError::Invalid(
            "an item changed meanwhile (reassigned, signed off, or the campaign closed), so none was decided: look again"
                .into(),
        ));
    }
    Ok(acts.len())
}

/// `reviewer` signs off campaign `id`: their decisions are locked. Refused while any of their
/// items is undecided (decide or reassign those first).
pub async fn sign_off(
    store: &dyn Store,
    account: &str,
    id: i64,
    reviewer: &str,
    now: DateTime<Utc>,
) -> Result<(), ReviewError> {
    let c = load(store, account, id).await?;
    if c.status != CampaignStatus::Launched {
        return Err(ReviewError::WrongState { id, status: c.status, what: "sign-off happens while it is launched" });
    }
    let who = reviewer.trim().to_ascii_lowercase();
    let mine = store.review_items(id, Some(&who)).await?;
    if mine.is_empty() {
        return Err(ReviewError::Invalid(format!("{who} has no items in campaign {id}")));
    }
    let open = mine.iter().filter(|i| i.decision.is_none()).count();
    if open > 0 {
        return Err(ReviewError::Invalid(format!(
            "{who} has {open} undecided item(s) in campaign {id}: decide or reassign them before signing off"
        )));
    }
    if !store.sign_off(id, &who, ms(now)).await? {
        return Err(ReviewError::SignedOff(who));
    }
    let detail = json!({ "campaign": id, "reviewer": who, "items": mine.len() });
    record(store, account, EventKind::ReviewSignedOff, format!("review:{id}"), detail, now).await?;
    Ok(())
}

/// Counts over a campaign's items (what the manifest, PDF and progress views state).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Counts {
    /// Items in the campaign.
    pub items: usize,
    /// Items certified.
    pub certified: usize,
    /// Items revoked.
    pub revoked: usize,
    /// Items nobody decided.
    pub undecided: usize,
    /// Items handed to another reviewer.
    pub reassigned: usize,
    /// Items whose reviewer is the user.
    pub self_reviews: usize,
    /// Revocations applied at close.
    pub remediation_applied: usize,
    /// Revocations that failed.
    pub remediation_failed: usize,
    /// Revocations a later sync saw done.
    pub remediation_verified: usize,
    /// Revocations a later sync found still there.
    pub remediation_not_removed: usize,
}

impl Counts {
    /// Adds up the store's tally (of one reviewer, or all).
    pub fn from_tally(rows: &[roster_store::ReviewTally], reviewer: Option<&str>) -> Counts {
        let mut c = Counts::default();
        for r in rows.iter().filter(|r| reviewer.is_none_or(|w| r.reviewer == w)) {
            let n = r.items as usize;
            c.items += n;
            match r.decision {
                Some(Decision::Certify) => c.certified += n,
                Some(Decision::Revoke) => c.revoked += n,
                None => c.undecided += n,
            }
            c.reassigned += if r.reassigned { n } else { 0 };
            c.self_reviews += if r.self_review { n } else { 0 };
            match r.remediation_status {
                Some(RemediationStatus::Applied) => c.remediation_applied += n,
                Some(RemediationStatus::Failed) => c.remediation_failed += n,
                Some(RemediationStatus::Verified) => c.remediation_verified += n,
                Some(RemediationStatus::NotRemoved) => c.remediation_not_removed += n,
                Some(RemediationStatus::Manual) | None => {}
            }
        }
        c
    }

    /// Counts `items` (each counts as a tally row of one: one way of counting for both).
    pub fn of(items: &[ReviewItem]) -> Counts {
        let rows: Vec<roster_store::ReviewTally> = items
            .iter()
            .map(|i| roster_store::ReviewTally {
                reviewer: i.reviewer.clone(),
                decision: i.decision,
                remediation_status: i.remediation_status,
                reassigned: i.reviewer != i.original_reviewer,
                self_review: i.self_review,
                items: 1,
            })
            .collect();
        Counts::from_tally(&rows, None)
    }
}
