//! What a reviewer is advised to do with an item, and why: reviewers who see only ids and
//! hundreds of boxes certify everything, so each item carries the signal a decision needs.
//! Computed from what the item froze at launch (status, role, last activity, how the access
//! comes), the same for the inbox, the bulk "accept recommendations" and the evidence, which
//! records the reason beside the decision.

use roster_core::review::Decision;
use roster_store::{ReviewItem, Signal};

/// Days without activity after which revoking is advised.
pub const INACTIVE_DAYS: i64 = 90;
/// Days within which an owner's activity counts as recent: certifying is advised.
pub const RECENT_DAYS: i64 = 30;

const DAY_MS: i64 = 86_400_000;

/// Advice on one item.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Recommendation {
    /// certify or revoke.
    pub decision: Decision,
    /// Why, as a person reads it ("deactivated in monday.com").
    pub reason: String,
    /// Which rule gave it (the inbox filters by it).
    pub signal: Signal,
}

impl Recommendation {
    fn revoke(signal: Signal, reason: impl Into<String>) -> Recommendation {
        Recommendation { decision: Decision::Revoke, reason: reason.into(), signal }
    }
}

/// The advice for `item` at `now_ms`, or none when only the reviewer can judge (an active,
/// recently seen member of a resource they do not own).
pub fn recommend(item: &ReviewItem, now_ms: i64) -> Option<Recommendation> {
    if item.user_status == "deactivated" {
        return Some(Recommendation::revoke(Signal::Deactivated, "deactivated in monday.com"));
    }
    let idle_days = item.user_last_activity_ms.map(|t| (now_ms - t).max(0) / DAY_MS);
    if item.user_status == "pending" {
        return Some(Recommendation::revoke(Signal::NeverJoined, "invited but never joined"));
    }
    match idle_days {
        None => return Some(Recommendation::revoke(Signal::Idle, "no activity in monday.com recorded")),
        Some(d) if d >= INACTIVE_DAYS => {
            return Some(Recommendation::revoke(Signal::Idle, format!("no activity for {d} days")))
        }
        _ => {}
    }
    if let Some(rules) = &item.sod_rules {
        return Some(Recommendation::revoke(
            Signal::SodConflict,
            format!("breaks the separation-of-duties rule {rules} with this access"),
        ));
    }
    if let Some(team) = &item.left_team {
        return Some(Recommendation::revoke(
            Signal::LeftTeam,
            format!("left team {team}, which also reaches this; this direct access stayed"),
        ));
    }
    let owner = item.entitlement.ends_with(":owner");
    if item.user_role == "guest" && item.entitlement.starts_with("board:") && !owner {
        // A kind unknown (items frozen before kinds were) counts as private, as it did then.
        let kind = match item.resource_kind.as_deref() {
            Some("public") => None,
            Some("share") => Some("shareable"),
            _ => Some("private"),
        };
        if let Some(kind) = kind {
            let why = format!("a guest (someone outside the company) on a {kind} board");
            return Some(Recommendation::revoke(Signal::GuestOnBoard, why));
        }
    }
    match idle_days {
        Some(d) if owner && d < RECENT_DAYS => Some(Recommendation {
            decision: Decision::Certify,
            reason: if d == 0 { "owner, active today".into() } else { format!("owner, active {d} days ago") },
            signal: Signal::OwnerActive,
        }),
        _ => None,
    }
}

/// The rules of [`recommend`] for `signal` as a filter the store applies in SQL (a page of
/// those items at any depth); a test holds each equal to [`signal_of`].
pub fn advised(now_ms: i64, signal: Signal) -> roster_store::Advised {
    roster_store::Advised {
        idle_before_ms: now_ms - INACTIVE_DAYS * DAY_MS,
        recent_after_ms: now_ms - RECENT_DAYS * DAY_MS,
        signal,
    }
}

/// Whether `item` at `now_ms` is one the `signal` filter shows: its recommendation's signal,
/// any revoke for [`Signal::Revoke`], none for [`Signal::Judgement`].
pub fn signal_of(item: &ReviewItem, now_ms: i64, signal: Signal) -> bool {
    match (recommend(item, now_ms), signal) {
        (None, Signal::Judgement) => true,
        (Some(r), Signal::Revoke) => r.decision == Decision::Revoke,
        (Some(r), s) => r.signal == s,
        (None, _) => false,
    }
}

/// Decides `items` (the caller's, undecided) as their recommendations say, each with
/// `justification` and its own reason ("still needed (recommended: owner, active today)"), so the
/// evidence row carries why beside what. Items without a recommendation, or decided already,
/// are left as they are. Returns how many were decided. All or none: every item is checked,
/// then the decisions and their events are written in one transaction.
pub async fn accept(
    store: &dyn roster_store::Store,
    account: &str,
    campaign: i64,
    items: &[i64],
    who: &str,
    justification: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<usize, super::ReviewError> {
    let why = justification.map(str::trim).filter(|j| !j.is_empty()).ok_or_else(|| {
        super::ReviewError::Invalid("accepting recommendations needs one justification for them all".into())
    })?;
    if items.len() > super::MAX_ITEMS_A_DECISION {
        let n = items.len();
        return Err(super::ReviewError::Invalid(format!(
            "{n} items in one acceptance: send at most {}",
            super::MAX_ITEMS_A_DECISION
        )));
    }
    let mut acts = Vec::new();
    for &id in items {
        let item = super::item_of(store, campaign, id).await?;
        if item.decision.is_some() {
            continue;
        }
        if let Some(r) = recommend(&item, now.timestamp_millis()) {
            let text = format!("{why} (recommended: {})", r.reason);
            acts.push((item, super::Act::Decide(r.decision), Some(text)));
        }
    }
    if acts.is_empty() {
        return Ok(0);
    }
    super::decide_each(store, account, campaign, acts, who, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;

    fn item(status: &str, role: &str, entitlement: &str, idle_days: Option<i64>) -> ReviewItem {
        ReviewItem {
            id: 1,
            campaign_id: 1,
            seq: 1,
            user_id: "7".into(),
            user_email: "ana@acme.test".into(),
            user_name: "Ana".into(),
            user_status: status.into(),
            user_role: role.into(),
            user_last_activity_ms: idle_days.map(|d| NOW - d * DAY_MS - 1),
            entitlement: entitlement.into(),
            resource_name: "Payroll".into(),
            source: "direct".into(),
            reviewer: "rita@acme.test".into(),
            original_reviewer: "rita@acme.test".into(),
            ..ReviewItem::default()
        }
    }

    fn advice(i: &ReviewItem) -> Option<(Decision, String)> {
        recommend(i, NOW).map(|r| (r.decision, r.reason))
    }

    #[test]
    fn deactivated_idle_and_never_joined_users_are_advised_revoke() {
        let revoke = |i: ReviewItem| advice(&i).map(|(d, _)| d);
        assert_eq!(revoke(item("deactivated", "member", "board:1:owner", Some(0))), Some(Decision::Revoke));
        assert_eq!(revoke(item("pending", "member", "board:1:subscriber", None)), Some(Decision::Revoke));
        assert_eq!(revoke(item("active", "member", "board:1:subscriber", None)), Some(Decision::Revoke));
        let (d, why) = advice(&item("active", "member", "team:3:member", Some(120))).unwrap();
        assert_eq!((d, why.as_str()), (Decision::Revoke, "no activity for 120 days"));
        assert_eq!(advice(&item("active", "member", "team:3:member", Some(89))), None, "89 days is not idle");
    }

    #[test]
    fn guests_on_boards_are_advised_revoke_and_recent_owners_certify() {
        let (d, _) = advice(&item("active", "guest", "board:1:subscriber", Some(2))).unwrap();
        assert_eq!(d, Decision::Revoke);
        let on = |kind: &str| ReviewItem {
            resource_kind: Some(kind.into()),
            ..item("active", "guest", "board:1:subscriber", Some(2))
        };
        assert_eq!(
            advice(&on("share")).map(|(_, w)| w).as_deref(),
            Some("a guest (someone outside the company) on a shareable board")
        );
        assert_eq!(advice(&on("private")).map(|(d, _)| d), Some(Decision::Revoke));
        assert_eq!(advice(&on("public")), None, "a public board is open to the company anyway");
        let (d, why) = advice(&item("active", "member", "board:1:owner", Some(3))).unwrap();
        assert_eq!((d, why.as_str()), (Decision::Certify, "owner, active 3 days ago"));
        assert_eq!(advice(&item("active", "member", "board:1:owner", Some(45))), None, "an owner seen 45 days ago");
        assert_eq!(advice(&item("active", "member", "board:1:subscriber", Some(1))), None, "the reviewer judges");
    }

    #[test]
    fn conflicts_and_access_left_behind_are_advised_revoke_after_the_user_state() {
        let conflict =
            ReviewItem { sod_rules: Some("payments".into()), ..item("active", "member", "board:1:owner", Some(1)) };
        let r = recommend(&conflict, NOW).unwrap();
        assert_eq!((r.decision, r.signal), (Decision::Revoke, Signal::SodConflict));
        assert!(r.reason.contains("payments"), "{}", r.reason);
        let left =
            ReviewItem { left_team: Some("Finance".into()), ..item("active", "member", "board:1:subscriber", Some(1)) };
        let r = recommend(&left, NOW).unwrap();
        assert_eq!(
            (r.signal, r.reason.as_str()),
            (Signal::LeftTeam, "left team Finance, which also reaches this; this direct access stayed")
        );
        // Both: the conflict is named first; a deactivated user is named for that first.
        let both = ReviewItem { left_team: Some("Finance".into()), ..conflict.clone() };
        assert_eq!(recommend(&both, NOW).unwrap().signal, Signal::SodConflict);
        let gone = ReviewItem { user_status: "deactivated".into(), ..both };
        assert_eq!(recommend(&gone, NOW).unwrap().signal, Signal::Deactivated);
    }
}
