//! Custom roles (Enterprise): synced as `role:<id>:assigned`, named after the role, beside the
//! basic role the user keeps; a custom role given in monday.com is a change the next sync
//! records; a review that revokes one sets the basic role it was built on (the user is never
//! deactivated for it) and the next sync verifies it; a plan or a just-in-time request that
//! would grant one is refused, saying what to do.

use crate::common;

use std::time::Duration;

use chrono::Utc;
use monday_api::ApiVersion;
use monday_sim::faults::FaultConfig;
use monday_sim::model::{UserKind, UserStatus};
use roster_core::review::{CampaignSpec, Decision, ReviewerMode, Reviewers, Scope, Unanswered};
use roster_core::{Action, Guard, Principal, ResourceType};
use roster_engine::jit::{request, JitPolicy};
use roster_engine::review::{self, Act, CloseOptions};
use roster_engine::{apply_plan, sync_account, ApplyOptions, NoProgress, ProvisionError};
use roster_store::prelude::*;
use roster_store::{EventQuery, SqlStore};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_roles_are_synced_reviewed_and_never_granted_blind() {
    let org = common::org(300, 61);
    let sim = common::sim(org.clone(), FaultConfig::default()).await;
    let client = common::client(&sim, ApiVersion::V2026_10, 3);
    let store = SqlStore::in_memory().await.unwrap();
    let first = sync_account(&store, &client, "acme", &common::ALL, &NoProgress).await.unwrap();

    // Synced: the holder has both role entitlements, and the role is known by its name.
    let holder = org
        .users
        .iter()
        .find(|u| u.role_id.is_some() && u.status == UserStatus::Active && u.kind == UserKind::Member)
        .expect("the generator gives some active member a custom role");
    let role = org.custom_roles.iter().find(|r| Some(r.id) == holder.role_id).unwrap();
    let held: Vec<String> = store
        .grants_of(first.sync_id, &Principal::user(holder.id))
        .await
        .unwrap()
        .iter()
        .filter(|g| g.entitlement.rtype == ResourceType::Role)
        .map(|g| g.entitlement.to_string())
        .collect();
    assert_eq!(held, [format!("role:{}:assigned", role.id), "role:member:assigned".to_string()]);
    let named = store.resource(first.sync_id, ResourceType::Role, &role.id.to_string()).await.unwrap().unwrap();
    assert_eq!(named.name, role.name);

    // Given in monday.com: the next sync records it once, as a grant added.
    let mut org2 = org.clone();
    let newcomer = org2
        .users
        .iter_mut()
        .find(|u| {
            u.role_id.is_none() && u.status == UserStatus::Active && u.kind == UserKind::Member && u.id != holder.id
        })
        .unwrap();
    newcomer.role_id = Some(role.id);
    let newcomer = newcomer.id;
    sim.sim.replace(org2).unwrap();
    let second = sync_account(&store, &client, "acme", &common::ALL, &NoProgress).await.unwrap();
    let added =
        EventQuery { sync_id: Some(second.sync_id), kind_prefix: Some("grant_added".into()), ..EventQuery::default() };
    let events = store.events(&added).await.unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].subject, format!("role:{}:assigned", role.id));
    assert_eq!(events[0].detail["principal"], format!("user:{newcomer}").as_str());

    // A review of roles: the holder's custom role revoked, everything else certified.
    let t0 = Utc::now();
    let roles = Scope { types: vec![ResourceType::Role], ..Scope::default() };
    let spec = CampaignSpec {
        scope: roles,
        reviewers: Reviewers {
            mode: ReviewerMode::Named,
            named: vec!["rita@acme.test".into()],
            fallback: "rita@acme.test".into(),
        },
        unanswered: Unanswered::Keep,
        max_snapshot_age_s: 86_400,
    };
    let id = review::create(&store, "acme", "roles", &spec, t0 + chrono::Duration::days(7), "dana", t0).await.unwrap();
    review::launch(&store, "acme", id, true, &[], t0).await.unwrap();
    let items = store.review_items(id, None).await.unwrap();
    let target = format!("role:{}:assigned", role.id);
    for it in &items {
        let revoke = it.user_id == holder.id.to_string() && it.entitlement == target;
        let (d, why) = if revoke { (Decision::Revoke, "no longer in finance") } else { (Decision::Certify, "fine") };
        review::decide(&store, "acme", id, it.id, "rita@acme.test", &Act::Decide(d), Some(why), t0).await.unwrap();
    }
    let revoked = items.iter().find(|i| i.user_id == holder.id.to_string() && i.entitlement == target).unwrap();
    review::sign_off(&store, "acme", id, "rita@acme.test", t0).await.unwrap();
    let opts = CloseOptions { by: "dana".into(), guard: Guard::default(), ..CloseOptions::default() };
    let rep = review::close(&store, &client, "acme", id, &opts, t0).await.unwrap();
    assert_eq!((rep.actions, rep.applied, rep.failed, rep.manual), (1, 1, 0, 0), "{rep:?}");
    let w = sim.sim.world();
    let after = &w.users()[w.user_pos(holder.id).unwrap()];
    assert_eq!(
        (after.status, after.kind, after.role_id),
        (UserStatus::Active, UserKind::Member, None),
        "the custom role is gone, the basic role and the account stay"
    );
    drop(w);
    sync_account(&store, &client, "acme", &common::ALL, &NoProgress).await.unwrap();
    let verified = store.review_item(revoked.id).await.unwrap().unwrap();
    assert_eq!(verified.remediation_status.map(|r| r.as_str()), Some("verified"));

    // Granted as an entitlement through a plan, or for a while: refused, with what to do instead.
    let grant = Action::Grant { entitlement: target.parse().unwrap(), principal: Principal::user(newcomer) };
    let opts = ApplyOptions { requested_by: "dana".into(), guard: Guard::default(), ..ApplyOptions::default() };
    let err = apply_plan(&store, &client, "acme", vec![grant], &opts).await.unwrap_err();
    assert!(matches!(err, ProvisionError::Invalid(_)) && err.to_string().contains("--role-id"), "{err}");

    // Given as a role: a member given a custom role built on viewer loses member (shown first,
    // counted by the guard), becomes a viewer holding it, and the next sync confirms it.
    let auditor = org.custom_roles.iter().find(|r| r.base == UserKind::Viewer).unwrap();
    let last = store.last_completed("acme").await.unwrap().unwrap().id;
    let mut member = None;
    for u in
        org.users.iter().filter(|u| u.kind == UserKind::Member && u.status == UserStatus::Active && u.role_id.is_none())
    {
        let held = store.grants_of(last, &Principal::user(u.id)).await.unwrap();
        if !held.iter().any(|g| g.entitlement.custom_role().is_some()) && u.id != newcomer {
            member = Some(u.id);
            break;
        }
    }
    let member = member.unwrap();
    let give = Action::SetCustomRole { user: member.to_string(), role_id: auditor.id.to_string(), base: None };
    let dry = ApplyOptions { dry_run: true, ..opts.clone() };
    let shown = apply_plan(&store, &client, "acme", vec![give.clone()], &dry).await.unwrap();
    let lost: Vec<&str> = shown.effect.iter().map(|l| l.entitlement.as_str()).collect();
    assert_eq!(lost, ["role:member:assigned"], "{:?}", shown.effect);
    let done = apply_plan(&store, &client, "acme", vec![give], &opts).await.unwrap();
    assert!(done.results.iter().all(|r| r.status == roster_engine::Status::Succeeded), "{:?}", done.results);
    let w = sim.sim.world();
    let u = &w.users()[w.user_pos(member).unwrap()];
    assert_eq!((u.kind, u.role_id), (UserKind::Viewer, Some(auditor.id)));
    drop(w);
    let third = sync_account(&store, &client, "acme", &common::ALL, &NoProgress).await.unwrap();
    // What the member lost is exactly what the plan showed, and they gained only the role.
    let grants = |sync: i64| {
        let store = &store;
        async move {
            let held = store.grants_of(sync, &Principal::user(member)).await.unwrap();
            held.iter().map(|g| g.entitlement.to_string()).collect::<std::collections::BTreeSet<_>>()
        }
    };
    let (before, after) = (grants(last).await, grants(third.sync_id).await);
    let lost: Vec<&String> = before.difference(&after).collect();
    let gained: Vec<&String> = after.difference(&before).collect();
    assert_eq!(lost, [&"role:member:assigned".to_string()], "the effect shown is the effect had");
    assert_eq!(gained, [&format!("role:{}:assigned", auditor.id), &"role:viewer:assigned".to_string()]);
    let confirmed = EventQuery {
        sync_id: Some(third.sync_id),
        kind_prefix: Some("action_confirmed".into()),
        ..EventQuery::default()
    };
    assert!(
        store.events(&confirmed).await.unwrap().iter().any(|e| e.subject == format!("user:{member}")),
        "the next sync confirms the custom role"
    );

    // A custom role that does not exist is refused, naming it.
    let nothing = Action::SetCustomRole { user: member.to_string(), role_id: "999".into(), base: None };
    let err = apply_plan(&store, &client, "acme", vec![nothing], &opts).await.unwrap_err();
    assert!(err.to_string().contains("custom role 999: the last sync saw no such custom role"), "{err}");
    let hour = Duration::from_secs(3600);
    // Just-in-time access to a custom role is asked for like a basic role's (jit_access.rs
    // follows it through approval and expiry).
    let jit = request(&store, "acme", "dana", &holder.email, &target, hour, "audit", &JitPolicy::default(), t0).await;
    assert!(jit.is_ok(), "{jit:?}");
}
