//! A campaign's progress comes from counts that triggers keep beside its items: after any
//! sequence of decisions, reassignments, sign-offs, remediations and verifications, the
//! counts read must equal a recount of the items themselves, pages found by seeking (and from
//! seek points) must be the pages found by offset, and the campaign's `items_moved` must
//! count exactly the items that changed reviewer, on both databases.

use std::collections::BTreeMap;

use proptest::prelude::*;
use roster_core::review::{CampaignStatus, Decision, RemediationStatus};
use roster_store::{ItemDecision, ItemsFrom, Remediation, ReviewItem, ReviewTally, Store};

use crate::store_suite::{campaign, review_item, stores};

const REVIEWERS: [&str; 3] = ["a@x", "b@x", "c@x"];

/// One step a campaign can take while it is open.
#[derive(Debug, Clone)]
enum Step {
    /// The item's current reviewer decides it (None with `to`: reassigns it).
    Decide {
        item: usize,
        decision: Option<bool>,
        to: Option<usize>,
    },
    /// Someone who is not the item's reviewer tries to decide it (refused: nothing changes).
    Intrude {
        item: usize,
        who: usize,
    },
    SignOff {
        who: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0..40usize, proptest::option::of(any::<bool>()), 0..3usize).prop_map(|(item, decision, to)| Step::Decide {
            item,
            decision,
            to: decision.is_none().then_some(to)
        }),
        1 => (0..40usize, 0..3usize).prop_map(|(item, who)| Step::Intrude { item, who }),
        1 => (0..3usize).prop_map(|who| Step::SignOff { who }),
    ]
}

type Key = (String, Option<&'static str>, Option<&'static str>, bool, bool);

/// The progress recounted from the items one by one.
async fn recount(s: &dyn Store, id: i64, reviewer: Option<&str>) -> BTreeMap<Key, i64> {
    let mut out = BTreeMap::new();
    for i in s.review_items(id, reviewer).await.unwrap() {
        let key = (
            i.reviewer.clone(),
            i.decision.map(Decision::as_str),
            i.remediation_status.map(RemediationStatus::as_str),
            i.reviewer != i.original_reviewer,
            i.self_review,
        );
        *out.entry(key).or_insert(0) += 1;
    }
    out
}

fn as_map(t: Vec<ReviewTally>) -> BTreeMap<Key, i64> {
    let mut out = BTreeMap::new();
    for r in t {
        assert!(r.items > 0, "a count row of zero items is shown: {r:?}");
        let key = (
            r.reviewer,
            r.decision.map(Decision::as_str),
            r.remediation_status.map(RemediationStatus::as_str),
            r.reassigned,
            r.self_review,
        );
        assert!(out.insert(key, r.items).is_none(), "one row per combination");
    }
    out
}

async fn agree(s: &dyn Store, db: &str, id: i64, after: &str) {
    assert_eq!(as_map(s.review_tally(id, None).await.unwrap()), recount(s, id, None).await, "{db}: after {after}");
    for r in REVIEWERS {
        assert_eq!(
            as_map(s.review_tally(id, Some(r)).await.unwrap()),
            recount(s, id, Some(r)).await,
            "{db}: {r} after {after}"
        );
    }
}

fn item(campaign_id: i64, seq: i64) -> ReviewItem {
    ReviewItem {
        entitlement: format!("board:{seq}:subscriber"),
        self_review: seq % 7 == 0,
        user_last_activity_ms: None,
        ..review_item(campaign_id, seq, REVIEWERS[seq as usize % 3])
    }
}

async fn run(steps: Vec<Step>, outcomes: Vec<u8>) {
    for (db, s) in stores().await {
        let s = s.as_ref();
        let c = campaign("counts");
        let id = s.add_campaign(&c).await.unwrap();
        let items: Vec<ReviewItem> = (1..=40).map(|n| item(id, n)).collect();
        assert!(s.launch_campaign(id, 42, 1_500, 2_000, &items).await.unwrap(), "{db}");
        agree(s, &db, id, "launch").await;
        let ids: Vec<i64> = s.review_items(id, None).await.unwrap().iter().map(|i| i.id).collect();
        let (mut moved, mut seen_moved) = (0, 0);
        for (n, st) in steps.iter().enumerate() {
            match st {
                Step::Decide { item, decision, to } => {
                    let current = s.review_item(ids[*item]).await.unwrap().unwrap();
                    let d = ItemDecision {
                        reviewer: current.reviewer.clone(),
                        decision: decision.map(|c| if c { Decision::Certify } else { Decision::Revoke }),
                        reassign_to: to.map(|t| REVIEWERS[t].to_string()),
                        by: current.reviewer.clone(),
                        justification: Some("because".into()),
                        at_ms: 3_000,
                    };
                    s.decide_item(ids[*item], &d).await.unwrap();
                    let now = s.review_item(ids[*item]).await.unwrap().unwrap();
                    moved += i64::from(now.reviewer != current.reviewer);
                }
                Step::Intrude { item, who } => {
                    let d = ItemDecision {
                        reviewer: REVIEWERS[*who].into(),
                        decision: Some(Decision::Revoke),
                        reassign_to: None,
                        by: REVIEWERS[*who].into(),
                        justification: None,
                        at_ms: 3_000,
                    };
                    s.decide_item(ids[*item], &d).await.unwrap();
                }
                Step::SignOff { who } => {
                    s.sign_off(id, REVIEWERS[*who], 4_000).await.unwrap();
                }
            }
            agree(s, &db, id, &format!("step {n}: {st:?}")).await;
            let c = s.campaign(id).await.unwrap().unwrap();
            assert_eq!(c.items_moved, moved, "{db}: items moved after step {n}: {st:?}");
            if c.items_moved != seen_moved {
                // The inbox remembers seek points per `items_moved`: new ones must be found.
                pages_walk_the_items(s, &db, id).await;
                seen_moved = c.items_moved;
            }
        }
        // The close: each revoked item's remediation, then verification of the applied ones.
        assert!(s
            .transition_campaign(id, CampaignStatus::Launched, CampaignStatus::Closing, 5_000, None)
            .await
            .unwrap());
        let revoked: Vec<ReviewItem> = s
            .review_items(id, None)
            .await
            .unwrap()
            .into_iter()
            .filter(|i| i.decision == Some(Decision::Revoke))
            .collect();
        for (i, o) in revoked.iter().zip(outcomes.iter().cycle()) {
            let status =
                [RemediationStatus::Applied, RemediationStatus::Failed, RemediationStatus::Manual][*o as usize % 3];
            let r = Remediation { action: "revoke".into(), status, note: None, applied_ms: Some(5_100) };
            s.set_remediation(i.id, &r).await.unwrap();
        }
        agree(s, &db, id, "remediation").await;
        for (i, o) in revoked.iter().zip(outcomes.iter().cycle()) {
            if *o % 3 == 0 {
                let v = if o % 2 == 0 { RemediationStatus::Verified } else { RemediationStatus::NotRemoved };
                s.set_verification(i.id, v, Some(6_000)).await.unwrap();
            }
        }
        agree(s, &db, id, "verification").await;
        pages_walk_the_items(s, &db, id).await;
    }
}

/// Walking a reviewer's items page by page with seeks (`After` the last item, `Before` the
/// first) meets every item once, in order, as the offset pages do.
async fn pages_walk_the_items(s: &dyn Store, db: &str, id: i64) {
    for who in REVIEWERS.map(Some).into_iter().chain([None]) {
        for open in [false, true] {
            let want: Vec<i64> = s
                .review_items(id, who)
                .await
                .unwrap()
                .into_iter()
                .filter(|i| !open || i.decision.is_none())
                .map(|i| i.seq)
                .collect();
            let (mut forward, mut from) = (Vec::new(), ItemsFrom::Offset(0));
            loop {
                let page: Vec<i64> =
                    s.review_items_page(id, who, open, from, 3).await.unwrap().iter().map(|i| i.seq).collect();
                let Some(&last) = page.last() else { break };
                let by_offset: Vec<i64> = s
                    .review_items_page(id, who, open, ItemsFrom::Offset(forward.len() as i64), 3)
                    .await
                    .unwrap()
                    .iter()
                    .map(|i| i.seq)
                    .collect();
                assert_eq!(page, by_offset, "{db}: {who:?} open={open} at {}", forward.len());
                forward.extend(page);
                from = ItemsFrom::After(last);
            }
            assert_eq!(forward, want, "{db}: {who:?} open={open}, forward");
            if !open {
                pages_start_at_seek_points(s, db, id, who, &want).await;
            }
            let (mut backward, mut from) = (Vec::new(), ItemsFrom::Before(i64::MAX));
            loop {
                let page: Vec<i64> =
                    s.review_items_page(id, who, open, from, 3).await.unwrap().iter().map(|i| i.seq).collect();
                let Some(&first) = page.first() else { break };
                backward.splice(0..0, page);
                from = ItemsFrom::Before(first);
            }
            assert_eq!(backward, want, "{db}: {who:?} open={open}, backward");
        }
    }
}

/// Seek points are every `stride`th item of the list, and the page at any offset started
/// from the nearest one (as the inbox does for an offset typed by hand) is the offset page.
async fn pages_start_at_seek_points(s: &dyn Store, db: &str, id: i64, who: Option<&str>, want: &[i64]) {
    for stride in [1usize, 3, 7] {
        let anchors = s.review_item_anchors(id, who, stride as i64).await.unwrap();
        let every: Vec<i64> = want.iter().skip(stride - 1).step_by(stride).copied().collect();
        assert_eq!(anchors, every, "{db}: {who:?} seek points every {stride}");
        for offset in 0..=want.len() + 1 {
            let k = (offset / stride).min(anchors.len());
            let from = match k.checked_sub(1) {
                Some(i) => ItemsFrom::AfterSkipping(anchors[i], (offset - k * stride) as i64),
                None => ItemsFrom::Offset(offset as i64),
            };
            let page: Vec<i64> =
                s.review_items_page(id, who, false, from, 3).await.unwrap().iter().map(|i| i.seq).collect();
            let end = (offset + 3).min(want.len());
            assert_eq!(page, want[offset.min(end)..end], "{db}: {who:?} at {offset} from every {stride}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn counts_equal_a_recount_of_the_items(
        steps in proptest::collection::vec(step(), 0..40),
        outcomes in proptest::collection::vec(0u8..6, 1..8),
    ) {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run(steps, outcomes));
    }
}
