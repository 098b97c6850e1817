//! Separation-of-duties rules after each sync: a violation introduced in monday.com is reported
//! (event) by the sync that first sees it, once, and cleared by the sync after the fix.

use crate::common;

use chrono::Utc;
use monday_api::ApiVersion;
use monday_sim::faults::FaultConfig;
use monday_sim::model::{UserKind, UserStatus};
use roster_core::sod::SodRule;
use roster_engine::{sod, sync_account, NoProgress};
use roster_store::prelude::*;
use roster_store::{EventQuery, SqlStore};

#[tokio::test]
async fn violations_are_reported_once_and_cleared_after_the_fix() {
    let mut org = common::org(300, 5);
    let sim = common::sim(org.clone(), FaultConfig::default()).await;
    let client = common::client(&sim, ApiVersion::V2026_10, 3);
    let store = SqlStore::in_memory().await.unwrap();
    // A board no admin owns (directly or via a team), and an active member who does not own it.
    let admins: Vec<u64> = org.users.iter().filter(|u| u.kind == UserKind::Admin).map(|u| u.id).collect();
    let b = org
        .boards
        .iter()
        .position(|b| b.team_owners.is_empty() && !b.owners.iter().any(|o| admins.contains(o)))
        .unwrap();
    let board = org.boards[b].id;
    let u = org
        .users
        .iter()
        .position(|u| {
            u.kind == UserKind::Member && u.status == UserStatus::Active && !org.boards[b].owners.contains(&u.id)
        })
        .unwrap();
    let user = org.users[u].id;
    let rules = vec![SodRule {
        name: "admins do not own the budget board".into(),
        entitlements: vec!["role:admin:assigned".into(), format!("board:{board}:owner")],
        exemptions: vec![],
    }];
    rules[0].check().unwrap();
    let sod_events = |sync: i64| {
        let store = &store;
        async move {
            store
                .events(&EventQuery { sync_id: Some(sync), kind_prefix: Some("sod_".into()), ..EventQuery::default() })
                .await
                .unwrap()
        }
    };
    let sync_and_check = || {
        let (store, client, rules) = (&store, &client, &rules);
        async move {
            sync_account(store, client, "acme", &common::ALL, &NoProgress).await.unwrap();
            let v = sod::after_sync(store, "acme", rules, Utc::now()).await.unwrap();
            (store.last_completed("acme").await.unwrap().unwrap().id, v)
        }
    };

    let (s1, v1) = sync_and_check().await;
    assert!(v1.is_empty(), "{v1:?}");
    assert!(sod_events(s1).await.is_empty());

    // The member becomes an admin and an owner of the board.
    org.users[u].kind = UserKind::Admin;
    org.boards[b].owners.push(user);
    if !org.boards[b].subscribers.contains(&user) {
        org.boards[b].subscribers.push(user);
    }
    sim.sim.replace(org.clone()).unwrap();
    let (s2, v2) = sync_and_check().await;
    assert_eq!(v2.len(), 1, "{v2:?}");
    assert_eq!(v2[0].user, user.to_string());
    let ev = sod_events(s2).await;
    assert_eq!((ev.len(), ev[0].kind.as_str(), ev[0].subject.clone()), (1, "sod_violation", format!("user:{user}")));
    // Each snapshot's violations are recorded: the next sync compares against them instead of
    // evaluating this snapshot again.
    let fp = sod::fingerprint(&rules);
    let kept: Vec<roster_core::sod::Violation> =
        serde_json::from_str(&store.sod_result(s2, &fp).await.unwrap().unwrap()).unwrap();
    assert_eq!(kept, v2);
    assert!(store.sod_result(s1, &fp).await.unwrap().is_some(), "the earlier snapshot's too");
    // Checking the same sync again records nothing more.
    sod::after_sync(&store, "acme", &rules, Utc::now()).await.unwrap();
    assert_eq!(sod_events(s2).await.len(), 1);

    // The fix: no longer an owner.
    org.boards[b].owners.retain(|o| *o != user);
    sim.sim.replace(org.clone()).unwrap();
    let (s3, v3) = sync_and_check().await;
    assert!(v3.is_empty(), "{v3:?}");
    let ev = sod_events(s3).await;
    assert_eq!((ev.len(), ev[0].kind.as_str()), (1, "sod_cleared"));
}

/// Defect: violations that already existed when a rule was added never became events. Now the
/// first sync under the new rule announces them, once.
#[tokio::test]
async fn violations_existing_when_a_rule_is_added_are_announced_once() {
    let org = common::org(300, 6);
    let sim = common::sim(org.clone(), FaultConfig::default()).await;
    let client = common::client(&sim, ApiVersion::V2026_10, 3);
    let store = SqlStore::in_memory().await.unwrap();
    // A rule every admin breaks: admin and member of some team.
    let active_admin =
        |id: &u64| org.users.iter().any(|u| u.id == *id && u.kind == UserKind::Admin && u.status == UserStatus::Active);
    let team = org.teams.iter().find(|t| t.members.iter().any(active_admin)).expect("an admin in a team").id;
    let rules = vec![SodRule {
        name: "admins stay out of this team".into(),
        entitlements: vec!["role:admin:assigned".into(), format!("team:{team}:member")],
        exemptions: vec![],
    }];
    // Two syncs without the rule, then the rule is configured.
    for _ in 0..2 {
        sync_account(&store, &client, "acme", &common::ALL, &NoProgress).await.unwrap();
        sod::after_sync(&store, "acme", &[], Utc::now()).await.unwrap();
    }
    let v = sod::after_sync(&store, "acme", &rules, Utc::now()).await.unwrap();
    assert!(!v.is_empty());
    let count = |k: &'static str| {
        let store = &store;
        async move {
            store.events(&EventQuery { kind_prefix: Some(k.into()), ..EventQuery::default() }).await.unwrap().len()
        }
    };
    assert_eq!(count("sod_violation").await, v.len(), "announced when the rule arrived");
    sync_account(&store, &client, "acme", &common::ALL, &NoProgress).await.unwrap();
    sod::after_sync(&store, "acme", &rules, Utc::now()).await.unwrap();
    assert_eq!(count("sod_violation").await, v.len(), "and only once");
    assert_eq!(count("sod_cleared").await, 0);
}

/// A rule may name a custom role (Enterprise): its holders who own any board break it, and
/// only they, as monday-sim's org says.
#[tokio::test]
async fn a_rule_on_a_custom_role_finds_its_holders_who_own_boards() {
    let org = common::org(300, 7);
    let sim = common::sim(org.clone(), FaultConfig::default()).await;
    let client = common::client(&sim, ApiVersion::V2026_10, 3);
    let store = SqlStore::in_memory().await.unwrap();
    sync_account(&store, &client, "acme", &common::ALL, &NoProgress).await.unwrap();
    let sync = store.last_completed("acme").await.unwrap().unwrap().id;
    let mut checked = 0;
    for role in &org.custom_roles {
        let rules = vec![SodRule {
            name: format!("{} owns no boards", role.name),
            entitlements: vec![format!("role:{}:assigned", role.id), "board:*:owner".into()],
            exemptions: vec![],
        }];
        rules[0].check().unwrap();
        let owns = |u: u64| {
            org.boards.iter().any(|b| {
                b.owners.contains(&u)
                    || b.team_owners.iter().any(|t| org.teams.iter().any(|x| x.id == *t && x.members.contains(&u)))
            })
        };
        let mut want: Vec<String> = org
            .users
            .iter()
            .filter(|u| u.role_id == Some(role.id) && u.status != UserStatus::Inactive && owns(u.id))
            .map(|u| u.id.to_string())
            .collect();
        want.sort();
        let mut got: Vec<String> =
            sod::violations(&store, sync, &rules, Utc::now()).await.unwrap().into_iter().map(|v| v.user).collect();
        got.sort();
        assert_eq!(got, want, "{}", role.name);
        checked += want.len();
    }
    assert!(checked > 0, "some custom role holder owns a board in this org");
}
