//! Four-eyes approval: a plan the policy holds back sends nothing and waits, pinned to its
//! snapshot; nobody approves their own plan, only listed approvers decide, a stale plan is
//! refused, an approved plan runs once under its own id, a rejected one never runs; every
//! step is an event. Review closes and SCIM plans wait under the same policy.

use crate::common;

use chrono::Utc;
use common::*;
use monday_api::{ApiVersion, Client};
use monday_sim::faults::FaultConfig;
use monday_sim::model::{Org, UserKind, UserStatus};
use monday_sim::RunningSim;
use roster_core::{Action, ApprovalPolicy, PlanStatus, Refusal, Require};
use roster_engine::approval::{self, ApprovalError, Ran, Runners};
use roster_engine::{apply_plan, sync_account, ApplyOptions, NoProgress};
use roster_store::prelude::*;
use roster_store::{EventQuery, SqlStore};

fn policy() -> ApprovalPolicy {
    ApprovalPolicy { require: Require::Removals, min_users: 1, approvers: vec!["carol".into(), "bob".into()] }
}

fn by(who: &str) -> ApplyOptions {
    ApplyOptions {
        requested_by: who.into(),
        reason: Some("offboarding".into()),
        approval: policy(),
        ..ApplyOptions::default()
    }
}

async fn setup(seed: u64) -> (RunningSim, Org, SqlStore, Client) {
    let org = org(150, seed);
    let sim = sim(org.clone(), FaultConfig::default()).await;
    let store = SqlStore::in_memory().await.unwrap();
    let c = client(&sim, ApiVersion::V2026_10, 8);
    sync_account(&store, &c, "acme", &ALL, &NoProgress).await.unwrap();
    (sim, org, store, c)
}

fn active_members(org: &Org) -> Vec<u64> {
    org.users.iter().filter(|u| u.kind == UserKind::Member && u.status == UserStatus::Active).map(|u| u.id).collect()
}

fn status_in_sim(sim: &RunningSim, id: u64) -> UserStatus {
    let w = sim.sim.world();
    w.users()[w.user_pos(id).unwrap()].status
}

async fn kinds(store: &SqlStore, prefix: &str) -> Vec<String> {
    let q = EventQuery { kind_prefix: Some(prefix.into()), ..EventQuery::default() };
    store.events(&q).await.unwrap().into_iter().map(|e| e.kind).collect()
}

#[tokio::test]
async fn a_held_plan_waits_is_never_self_approved_and_runs_once_when_a_second_admin_approves() {
    let (sim, org, store, c) = setup(1401).await;
    let user = active_members(&org)[2];
    let runners = Runners { client: &c, scim: None };
    let requests_before = sim.sim.stats().requests;
    let report = apply_plan(&store, &c, "acme", vec![Action::Deactivate { user: user.to_string() }], &by("alice"))
        .await
        .unwrap();
    assert!(report.pending_approval, "a removal waits under `removals`");
    assert_eq!(sim.sim.stats().requests, requests_before, "nothing was sent to monday.com");
    assert_eq!(status_in_sim(&sim, user), UserStatus::Active);
    assert!(kinds(&store, "action_").await.is_empty(), "no action is requested before approval");
    let id = report.plan_id.clone();

    // The planner may not approve, nor may someone the policy does not list.
    let own = approval::approve(&store, runners, &policy(), "acme", &id, "Alice", Utc::now()).await;
    assert!(matches!(own, Err(ApprovalError::Refused(Refusal::OwnPlan { .. }))), "{own:?}");
    let stranger = approval::approve(&store, runners, &policy(), "acme", &id, "mallory", Utc::now()).await;
    assert!(matches!(stranger, Err(ApprovalError::Refused(Refusal::NotAnApprover { .. }))), "{stranger:?}");
    assert_eq!(store.plan(&id).await.unwrap().unwrap().status, PlanStatus::PendingApproval);
    assert_eq!(status_in_sim(&sim, user), UserStatus::Active, "a refused approval changes nothing");

    let (plan, ran) = approval::approve(&store, runners, &policy(), "acme", &id, "carol", Utc::now()).await.unwrap();
    assert_eq!((plan.status, plan.decided_by.as_deref()), (PlanStatus::Applied, Some("carol")));
    let Ran::Actions { report } = ran else { panic!("an actions plan") };
    assert_eq!((report.plan_id.as_str(), report.failed()), (id.as_str(), 0), "it ran under its own id");
    assert_eq!(status_in_sim(&sim, user), UserStatus::Inactive);
    // Approved twice: refused, and nothing is sent again.
    let again = approval::approve(&store, runners, &policy(), "acme", &id, "bob", Utc::now()).await;
    assert!(matches!(again, Err(ApprovalError::Refused(Refusal::NotPending { status: PlanStatus::Applied }))));
    assert_eq!(kinds(&store, "action_requested").await.len(), 1, "applied exactly once");
    assert_eq!(
        kinds(&store, "plan_").await,
        [
            "plan_pending_approval",
            "plan_approval_refused",
            "plan_approval_refused",
            "plan_approved",
            "plan_approval_refused"
        ]
    );
    let requested = store
        .events(&EventQuery { kind_prefix: Some("action_requested".into()), ..EventQuery::default() })
        .await
        .unwrap();
    assert_eq!(requested[0].detail["plan"].as_str(), Some(id.as_str()));
    assert_eq!(requested[0].detail["by"].as_str(), Some("alice"), "the planner is kept with the action");
}

#[tokio::test]
async fn a_stale_plan_is_refused_a_rejected_one_never_runs_and_plans_that_take_nothing_run_at_once() {
    let (sim, org, store, c) = setup(1402).await;
    let users = active_members(&org);
    let runners = Runners { client: &c, scim: None };
    let stale = apply_plan(&store, &c, "acme", vec![Action::Deactivate { user: users[1].to_string() }], &by("alice"))
        .await
        .unwrap();
    let rejected =
        apply_plan(&store, &c, "acme", vec![Action::Deactivate { user: users[2].to_string() }], &by("alice"))
            .await
            .unwrap();
    // Rejected first (by an approver, with the reason kept), then approval is refused.
    let r = approval::reject(&store, &policy(), "acme", &rejected.plan_id, "bob", Some("not this one"), Utc::now())
        .await
        .unwrap();
    assert_eq!((r.status, r.note.as_deref()), (PlanStatus::Rejected, Some("not this one")));
    let after = approval::approve(&store, runners, &policy(), "acme", &rejected.plan_id, "carol", Utc::now()).await;
    assert!(matches!(after, Err(ApprovalError::Refused(Refusal::NotPending { status: PlanStatus::Rejected }))));
    // A newer snapshot: the first plan was computed on what may no longer be true.
    sync_account(&store, &c, "acme", &ALL, &NoProgress).await.unwrap();
    let late = approval::approve(&store, runners, &policy(), "acme", &stale.plan_id, "carol", Utc::now()).await;
    assert!(matches!(late, Err(ApprovalError::Refused(Refusal::Stale { .. }))), "{late:?}");
    assert_eq!(store.plan(&stale.plan_id).await.unwrap().unwrap().status, PlanStatus::PendingApproval);
    for u in &users[1..3] {
        assert_eq!(status_in_sim(&sim, *u), UserStatus::Active, "neither plan ran");
    }
    // Another account's plan is not found from this one.
    let other = approval::approve(&store, runners, &policy(), "other", &stale.plan_id, "carol", Utc::now()).await;
    assert!(matches!(other, Err(ApprovalError::NotFound { .. })));
    // A plan that takes no access runs at once under `removals`; every plan waits under `all`.
    let invite = vec![Action::Invite { email: "new@acme-example.com".into(), role: roster_core::Role::Member }];
    let now = apply_plan(&store, &c, "acme", invite.clone(), &by("alice")).await.unwrap();
    assert!(!now.pending_approval && now.failed() == 0);
    let all = ApplyOptions { approval: ApprovalPolicy { require: Require::All, ..policy() }, ..by("alice") };
    let invite = vec![Action::Invite { email: "newer@acme-example.com".into(), role: roster_core::Role::Member }];
    assert!(apply_plan(&store, &c, "acme", invite, &all).await.unwrap().pending_approval);
    // A dry run never waits: it shows the plan.
    let dry = ApplyOptions { dry_run: true, ..by("alice") };
    let shown =
        apply_plan(&store, &c, "acme", vec![Action::Deactivate { user: users[3].to_string() }], &dry).await.unwrap();
    assert!(!shown.pending_approval);
    assert_eq!(store.plans("acme", Some(PlanStatus::PendingApproval)).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_review_close_waits_for_approval_and_runs_the_remediation_it_showed() {
    use roster_core::review::{CampaignSpec, Decision, ReviewerMode, Reviewers, Scope, Unanswered};
    use roster_core::ResourceType;
    use roster_engine::review::{self, Act, CloseOptions};
    let (sim, _org, store, c) = setup(1403).await;
    let t0 = Utc::now();
    let spec = CampaignSpec {
        scope: Scope { types: vec![ResourceType::Board], ..Scope::default() },
        reviewers: Reviewers {
            mode: ReviewerMode::Named,
            named: vec!["rita@acme.test".into()],
            fallback: "rita@acme.test".into(),
        },
        unanswered: Unanswered::Keep,
        max_snapshot_age_s: 86_400,
    };
    let id = review::create(&store, "acme", "q4", &spec, t0 + chrono::Duration::days(7), "alice", t0).await.unwrap();
    review::launch(&store, "acme", id, true, &[], t0).await.unwrap();
    let items = store.review_items(id, None).await.unwrap();
    // A direct subscription of a user who does not own the board: one revoke, one action.
    let target = items
        .iter()
        .find(|i| {
            i.entitlement.ends_with(":subscriber")
                && i.source == "direct"
                && !items
                    .iter()
                    .any(|o| o.user_id == i.user_id && o.entitlement == i.entitlement.replace(":subscriber", ":owner"))
        })
        .expect("a plain subscriber")
        .clone();
    for it in &items {
        let d = if it.id == target.id { Decision::Revoke } else { Decision::Certify };
        review::decide(&store, "acme", id, it.id, "rita@acme.test", &Act::Decide(d), Some("reviewed"), t0)
            .await
            .unwrap();
    }
    review::sign_off(&store, "acme", id, "rita@acme.test", t0).await.unwrap();
    let opts = CloseOptions { by: "alice".into(), approval: policy(), ..CloseOptions::default() };
    let rep = review::close(&store, &c, "acme", id, &opts, t0).await.unwrap();
    let plan_id = rep.pending_approval.clone().expect("the close waits");
    assert_eq!(rep.actions, 1);
    assert_eq!(store.campaign(id).await.unwrap().unwrap().status.as_str(), "launched", "nothing closed yet");
    let board: u64 = target.entitlement.split(':').nth(1).unwrap().parse().unwrap();
    let user: u64 = target.user_id.parse().unwrap();
    let subscribed = || {
        let w = sim.sim.world();
        w.boards()[w.board_pos(board).unwrap()].subscribers.contains(&user)
    };
    assert!(subscribed(), "nothing was sent");
    let runners = Runners { client: &c, scim: None };
    let own = approval::approve(&store, runners, &policy(), "acme", &plan_id, "alice", Utc::now()).await;
    assert!(matches!(own, Err(ApprovalError::Refused(Refusal::OwnPlan { .. }))));
    let (plan, ran) = approval::approve(&store, runners, &policy(), "acme", &plan_id, "bob", Utc::now()).await.unwrap();
    assert_eq!(plan.status, PlanStatus::Applied);
    let Ran::ReviewClose { report } = ran else { panic!("a review close") };
    assert_eq!((report.applied, report.failed, report.plan_id.as_deref()), (1, 0, Some(plan_id.as_str())));
    assert!(!subscribed(), "the revoked subscription is gone");
    assert_eq!(store.campaign(id).await.unwrap().unwrap().status.as_str(), "closed");
}
