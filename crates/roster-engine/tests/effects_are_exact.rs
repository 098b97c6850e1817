//! Invariants of every change, over generated accounts (duplicate team names, deactivated and
//! pending users, guests, team-subscribed boards, boards open to everyone) and random plans,
//! with monday-sim as the oracle:
//! - the effect model predicts exactly the access the next sync shows was lost;
//! - the guard refuses every plan whose effect takes access from more users than it allows,
//!   and a dry run says so without changing anything;
//! - after applying a plan and syncing, the same plan has nothing left to do.

use crate::common;

use std::collections::BTreeSet;

use common::*;
use monday_api::ApiVersion;
use monday_sim::faults::FaultConfig;
use proptest::prelude::*;
use roster_core::effect::lost_by;
use roster_core::{Action, Entitlement, Grant, Guard, Principal, ResourceType, Role, UserStatus};
use roster_engine::{apply_plan, sync_account, ApplyOptions, NoProgress, Status};
use roster_store::prelude::*;
use roster_store::{SqlStore, UserQuery};

/// A plan step chosen by index into what the snapshot holds.
#[derive(Debug, Clone)]
enum Pick {
    Deactivate(usize),
    Demote(usize),
    RevokeDirect(usize),
    LeaveTeam(usize),
    DeleteTeam(usize),
    TeamOffBoard(usize),
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        any::<usize>().prop_map(Pick::Deactivate),
        any::<usize>().prop_map(Pick::Demote),
        any::<usize>().prop_map(Pick::RevokeDirect),
        any::<usize>().prop_map(Pick::LeaveTeam),
        any::<usize>().prop_map(Pick::DeleteTeam),
        any::<usize>().prop_map(Pick::TeamOffBoard),
    ]
}

fn key(user: &str, g: &Grant) -> String {
    format!("{user}|{}|{}", g.entitlement, g.source.as_string())
}

/// The access active users hold in snapshot `sync`: (user, entitlement, source).
async fn access(store: &SqlStore, sync: i64) -> BTreeSet<String> {
    let active =
        store.users(sync, &UserQuery { status: Some(UserStatus::Active), ..Default::default() }).await.unwrap();
    let mut out = BTreeSet::new();
    for u in active {
        for g in store.grants_of(sync, &Principal::user(&u.id)).await.unwrap() {
            out.insert(key(&u.id, &g));
        }
    }
    out
}

/// Concrete actions for the picks, from what snapshot `sync` holds.
/// The token's own user is left out: monday.com refuses to change it (CANNOT_UPDATE_SELF),
/// which the plan records as a failure with that reason.
async fn actions(store: &SqlStore, sync: i64, picks: &[Pick], me: &str) -> Vec<Action> {
    let mut active =
        store.users(sync, &UserQuery { status: Some(UserStatus::Active), ..Default::default() }).await.unwrap();
    active.retain(|u| u.id != me);
    let teams = store.resources(sync, ResourceType::Team).await.unwrap();
    let grants = store.all_grants(sync).await.unwrap();
    let direct_user = |f: &dyn Fn(&Grant) -> bool| -> Vec<Grant> {
        grants
            .iter()
            .filter(|g| {
                g.principal.ptype == roster_core::PrincipalType::User
                    && g.principal.id != me
                    && g.source == roster_core::GrantSource::Direct
                    && f(g)
            })
            .cloned()
            .collect()
    };
    let subs = direct_user(&|g| {
        matches!(
            (g.entitlement.rtype, g.entitlement.slug.as_str()),
            (ResourceType::Board, "subscriber") | (ResourceType::Workspace, "member")
        )
    });
    let memberships = direct_user(&|g| g.entitlement.rtype == ResourceType::Team && g.entitlement.slug == "member");
    let team_on_board: Vec<Grant> = grants
        .iter()
        .filter(|g| {
            g.principal.ptype == roster_core::PrincipalType::Team
                && g.principal.id != "-1"
                && g.entitlement.rtype == ResourceType::Board
                && g.entitlement.slug == "subscriber"
        })
        .cloned()
        .collect();
    let mut out = Vec::new();
    for p in picks {
        let a = match p {
            Pick::Deactivate(i) => {
                active.get(i % active.len().max(1)).map(|u| Action::Deactivate { user: u.id.clone() })
            }
            Pick::Demote(i) => {
                active.iter().filter(|u| matches!(u.role, Role::Admin | Role::Member)).nth(i % active.len().max(1)).map(
                    |u| Action::SetRole {
                        user: u.id.clone(),
                        role: if u.role == Role::Admin { Role::Member } else { Role::Viewer },
                    },
                )
            }
            Pick::RevokeDirect(i) => subs
                .get(i % subs.len().max(1))
                .map(|g| Action::Revoke { entitlement: g.entitlement.clone(), principal: g.principal.clone() }),
            Pick::LeaveTeam(i) => memberships
                .get(i % memberships.len().max(1))
                .map(|g| Action::Revoke { entitlement: g.entitlement.clone(), principal: g.principal.clone() }),
            Pick::DeleteTeam(i) => teams.get(i % teams.len().max(1)).map(|t| Action::DeleteTeam { team: t.id.clone() }),
            Pick::TeamOffBoard(i) => team_on_board
                .get(i % team_on_board.len().max(1))
                .map(|g| Action::Revoke { entitlement: g.entitlement.clone(), principal: g.principal.clone() }),
        };
        if let Some(a) = a {
            if !out.contains(&a) {
                out.push(a);
            }
        }
    }
    out
}

/// What the effect model says the plan takes: every active user's held grants that some
/// action ends.
async fn predicted(store: &SqlStore, sync: i64, plan: &[Action]) -> BTreeSet<String> {
    let active =
        store.users(sync, &UserQuery { status: Some(UserStatus::Active), ..Default::default() }).await.unwrap();
    let mut out = BTreeSet::new();
    for u in active {
        let held = store.grants_of(sync, &Principal::user(&u.id)).await.unwrap();
        for a in plan {
            for g in lost_by(a, &u.id, &held) {
                out.insert(key(&u.id, &g));
            }
        }
    }
    out
}

fn opts(dry_run: bool, allow: bool) -> ApplyOptions {
    ApplyOptions {
        requested_by: "proptest".into(),
        reason: None,
        dry_run,
        allow_mass_change: allow,
        guard: Guard::default(),
        ..ApplyOptions::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed), ..ProptestConfig::default() })]

    #[test]
    fn the_effect_is_what_the_next_sync_shows_and_the_guard_counts_it(
        seed in 1u64..10_000,
        picks in proptest::collection::vec(pick(), 1..6),
    ) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let org = org(160, seed);
            let sim = sim(org, FaultConfig::default()).await;
            let store = SqlStore::in_memory().await.unwrap();
            let c = client(&sim, ApiVersion::V2026_10, 3);
            let first = sync_account(&store, &c, "acme", &ALL, &NoProgress).await.unwrap();
            let me = c.account().await.unwrap().me_id.to_string();
            let plan = actions(&store, first.sync_id, &picks, &me).await;
            prop_assume!(!plan.is_empty());
            let before = access(&store, first.sync_id).await;
            let expected = predicted(&store, first.sync_id, &plan).await;
            let losing: BTreeSet<&str> = expected.iter().map(|k| k.split('|').next().unwrap()).collect();

            // The guard: a dry run always answers, counts exactly the users who lose
            // something, and refuses above the limit.
            let active = store
                .count_users(first.sync_id, &UserQuery { status: Some(UserStatus::Active), ..Default::default() })
                .await
                .unwrap() as usize;
            let dry = match apply_plan(&store, &c, "acme", plan.clone(), &opts(true, false)).await {
                Ok(d) => d,
                // A plan that names a team it deletes earlier is refused whole, up front.
                Err(roster_engine::ProvisionError::Invalid(p)) => {
                    prop_assert!(p.iter().all(|x| x.contains("deleted earlier in this plan")), "{:?}", p);
                    return Ok(());
                }
                Err(e) => return Err(TestCaseError::fail(e.to_string())),
            };
            prop_assert_eq!(dry.users_losing_access, losing.len(), "the guard counts the effect");
            let refused = Guard::default().check(losing.len(), active).is_err();
            prop_assert_eq!(dry.guard_would_refuse.is_some(), refused);
            let unforced = apply_plan(&store, &c, "acme", plan.clone(), &opts(false, false)).await;
            prop_assert_eq!(unforced.is_err(), refused, "refused exactly above the limit");

            // Applied (past the guard), the next sync shows exactly the predicted loss.
            if !refused {
                let r = unforced.unwrap();
                prop_assert!(r.results.iter().all(|x| x.status == Status::Succeeded), "{:?}", r.results);
            } else {
                let r = apply_plan(&store, &c, "acme", plan.clone(), &opts(false, true)).await.unwrap();
                prop_assert!(r.results.iter().all(|x| x.status == Status::Succeeded), "{:?}", r.results);
            }
            let second = sync_account(&store, &c, "acme", &ALL, &NoProgress).await.unwrap();
            let after = access(&store, second.sync_id).await;
            let lost: BTreeSet<String> = before.difference(&after).cloned().collect();
            prop_assert_eq!(&lost, &expected, "plan {:?}", plan);

            // Converged: the same plan has nothing left to take.
            prop_assert!(predicted(&store, second.sync_id, &plan).await.is_empty());
            Ok(())
        })?;
    }
}

#[test]
fn an_entitlement_parses() {
    // Keeps the helper imports honest when proptest runs no case (PROPTEST_CASES=0).
    let _: Entitlement = "board:1:subscriber".parse().unwrap();
}
