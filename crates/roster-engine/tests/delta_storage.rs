//! Delta storage: each snapshot is stored as the change from the one before, and every read of
//! every snapshot equals what a store that holds that snapshot alone (full storage) gives:
//! after random changes to the org between syncs (users added and removed, role, status and
//! name changes, team and board membership changes, boards archived and renamed), after later
//! syncs, and after pruning. Diffs between any two snapshots equal the difference of what they
//! hold. An unchanged re-sync stores no rows.
//! The delta store is SQLite, and PostgreSQL too when `ROSTER_TEST_POSTGRES` names a server.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU32, Ordering};

use monday_api::ApiVersion;
use monday_sim::faults::FaultConfig;
use monday_sim::model::{Org, State, UserKind, UserStatus};
use monday_sim::{generate, GenConfig};
use proptest::prelude::*;
use roster_core::{Grant, ResourceType, UserField, UserRecord};
use roster_engine::{sync_account, NoProgress, SyncOptions};
use roster_store::prelude::*;
use roster_store::{SqlStore, UserQuery};

/// One change to the org; the numbers pick the user, team or board (modulo their count).
#[derive(Debug, Clone)]
enum Change {
    RemoveUser(usize),
    AddUser(usize),
    Role(usize),
    Deactivate(usize),
    Reactivate(usize),
    Rename(usize),
    JoinTeam(usize, usize),
    LeaveTeam(usize, usize),
    Subscribe(usize, usize),
    Unsubscribe(usize, usize),
    TeamOnBoard(usize, usize),
    Archive(usize),
    RenameBoard(usize),
}

fn change() -> impl Strategy<Value = Change> {
    let n = 0usize..10_000;
    prop_oneof![
        n.clone().prop_map(Change::RemoveUser),
        n.clone().prop_map(Change::AddUser),
        n.clone().prop_map(Change::Role),
        n.clone().prop_map(Change::Deactivate),
        n.clone().prop_map(Change::Reactivate),
        n.clone().prop_map(Change::Rename),
        (n.clone(), n.clone()).prop_map(|(a, b)| Change::JoinTeam(a, b)),
        (n.clone(), n.clone()).prop_map(|(a, b)| Change::LeaveTeam(a, b)),
        (n.clone(), n.clone()).prop_map(|(a, b)| Change::Subscribe(a, b)),
        (n.clone(), n.clone()).prop_map(|(a, b)| Change::Unsubscribe(a, b)),
        (n.clone(), n.clone()).prop_map(|(a, b)| Change::TeamOnBoard(a, b)),
        n.clone().prop_map(Change::Archive),
        n.prop_map(Change::RenameBoard),
    ]
}

fn apply(org: &mut Org, change: &Change, next_id: &mut u64) {
    let users = org.users.len();
    // The first users (the admin the client signs in as among them) stay.
    let user = |i: usize| 5 + i % (users - 5);
    let (teams, boards) = (org.teams.len(), org.boards.len());
    match *change {
        Change::RemoveUser(i) if users > 20 => {
            let id = org.users[user(i)].id;
            common::remove_user(org, id);
        }
        Change::RemoveUser(_) => {}
        Change::AddUser(i) => {
            let mut u = org.users[user(i)].clone();
            *next_id += 1;
            u.id = *next_id;
            u.email = format!("new.{}@acme-example.com", u.id);
            org.users.push(u);
        }
        Change::Role(i) => {
            let u = &mut org.users[user(i)];
            u.kind = match u.kind {
                UserKind::Member => UserKind::Viewer,
                UserKind::Viewer => UserKind::Admin,
                UserKind::Admin => UserKind::Member,
                other => other,
            };
            // A custom role is built on one kind: a new kind drops it, as monday.com would.
            u.role_id = None;
        }
        Change::Deactivate(i) => org.users[user(i)].status = UserStatus::Inactive,
        Change::Reactivate(i) => org.users[user(i)].status = UserStatus::Active,
        Change::Rename(i) => org.users[user(i)].name.push_str(" Jr."),
        Change::JoinTeam(t, i) => {
            let id = org.users[user(i)].id;
            let team = &mut org.teams[t % teams];
            if !team.members.contains(&id) {
                team.members.push(id);
            }
        }
        Change::LeaveTeam(t, k) => {
            let team = &mut org.teams[t % teams];
            if !team.members.is_empty() {
                let gone = team.members.remove(k % team.members.len());
                team.owners.retain(|o| *o != gone);
            }
        }
        Change::Subscribe(b, i) => {
            let id = org.users[user(i)].id;
            let board = &mut org.boards[b % boards];
            if !board.subscribers.contains(&id) {
                board.subscribers.push(id);
            }
        }
        Change::Unsubscribe(b, k) => {
            let board = &mut org.boards[b % boards];
            if !board.subscribers.is_empty() {
                let gone = board.subscribers.remove(k % board.subscribers.len());
                board.owners.retain(|o| *o != gone);
            }
        }
        Change::TeamOnBoard(b, t) => {
            let team = org.teams[t % teams].id;
            let board = &mut org.boards[b % boards];
            if !board.team_subscribers.contains(&team) {
                board.team_subscribers.push(team);
            }
        }
        Change::Archive(b) => org.boards[b % boards].state = State::Archived,
        Change::RenameBoard(b) => org.boards[b % boards].name.push_str(" (old)"),
    }
}

/// Everything a snapshot answers, read through the store's snapshot reads.
#[derive(Debug, PartialEq)]
struct View {
    counts: roster_store::Counts,
    users: Vec<UserRecord>,
    resources: Vec<Vec<roster_core::ResourceRecord>>,
    grants: BTreeSet<String>,
    member_counts: Vec<BTreeMap<String, roster_store::MemberCounts>>,
    reach: Vec<Vec<Grant>>,
    on_boards: Vec<Vec<Grant>>,
    found: Vec<Option<UserRecord>>,
    inactive: i64,
}

async fn view(store: &dyn Store, sync: i64) -> View {
    let users = store.users(sync, &UserQuery::default()).await.unwrap();
    let mut resources = Vec::new();
    let mut member_counts = Vec::new();
    for rtype in ResourceType::ALL {
        resources.push(store.resources(sync, rtype).await.unwrap());
        member_counts.push(store.member_counts(sync, rtype).await.unwrap().into_iter().collect());
    }
    let grants = store.all_grants(sync).await.unwrap().iter().map(grant_key).collect();
    let mut reach = Vec::new();
    let mut found = Vec::new();
    for u in users.iter().step_by(7) {
        reach.push(store.grants_of(sync, &roster_core::Principal::user(&u.id)).await.unwrap());
        found.push(store.find_user(sync, &u.email.to_uppercase()).await.unwrap());
    }
    let mut on_boards = Vec::new();
    for b in resources[ResourceType::ALL.iter().position(|t| *t == ResourceType::Board).unwrap()].iter().step_by(3) {
        on_boards.push(store.grants_on(sync, ResourceType::Board, &b.id).await.unwrap());
    }
    let inactive = store
        .count_users(sync, &UserQuery { status: Some(roster_core::UserStatus::Deactivated), ..UserQuery::default() })
        .await
        .unwrap();
    View {
        counts: store.counts(sync).await.unwrap(),
        users,
        resources,
        grants,
        member_counts,
        reach,
        on_boards,
        found,
        inactive,
    }
}

fn grant_key(g: &Grant) -> String {
    format!("{}|{}|{}", g.entitlement, g.principal, g.source.as_string())
}

static NEXT: AtomicU32 = AtomicU32::new(0);

/// The store under test: SQLite, or PostgreSQL when a server is named.
async fn delta_store(postgres: bool) -> Box<dyn Store> {
    match std::env::var("ROSTER_TEST_POSTGRES") {
        Ok(url) if postgres => {
            let name = format!("roster_delta_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
            Box::new(SqlStore::create_postgres(&url, &name).await.unwrap())
        }
        _ => Box::new(SqlStore::in_memory().await.unwrap()),
    }
}

async fn check(seed: u64, steps: Vec<Vec<Change>>, postgres: bool) {
    let mut org =
        generate(&GenConfig { users: 120, teams: 8, workspaces: 4, boards: 24, seed, ..GenConfig::default() }).unwrap();
    let sim = common::sim(org.clone(), FaultConfig::default()).await;
    let client = common::client(&sim, ApiVersion::V2026_10, 0);
    let store = delta_store(postgres).await;
    let opts = SyncOptions::default();
    let mut next_id = 60_000_000;
    let mut syncs = Vec::new();
    let mut views = Vec::new();
    for (n, changes) in std::iter::once(Vec::new()).chain(steps).enumerate() {
        for c in &changes {
            apply(&mut org, c, &mut next_id);
        }
        sim.sim.replace(org.clone()).unwrap();
        let done = sync_account(store.as_ref(), &client, "acme", &opts, &NoProgress).await.unwrap();
        let full = SqlStore::in_memory().await.unwrap();
        let alone = sync_account(&full, &client, "acme", &opts, &NoProgress).await.unwrap();
        let (got, want) = (view(store.as_ref(), done.sync_id).await, view(&full, alone.sync_id).await);
        assert_eq!(got, want, "snapshot {n} after {changes:?}");
        // And what it holds is the org's own (an oracle that shares no code with the store):
        // the active boards and workspaces a default sync reads, access through teams included.
        let mut active = org.clone();
        active.boards.retain(|b| b.state == State::Active);
        active.workspaces.retain(|w| w.state == State::Active);
        assert_eq!(got.grants, common::truth(&active), "snapshot {n}'s grants after {changes:?}");
        syncs.push(done.sync_id);
        views.push(got);
    }

    // An unchanged re-sync stores no rows (the admin's own activity aside).
    let again = sync_account(store.as_ref(), &client, "acme", &opts, &NoProgress).await.unwrap();
    let stored = store.sync_changes(again.sync_id).await.unwrap();
    assert!(stored.added + stored.removed <= 2, "an unchanged re-sync stored {stored:?}");
    assert_eq!(again.events, 0);

    // Every snapshot reads as it did, and every diff is the difference of what they hold.
    for (sync, want) in syncs.iter().zip(&views) {
        assert_eq!(&view(store.as_ref(), *sync).await, want, "snapshot {sync} read after later syncs");
    }
    for (i, a) in syncs.iter().enumerate() {
        for (j, b) in syncs.iter().enumerate() {
            let missing: BTreeSet<String> =
                store.grants_missing_from(*a, *b).await.unwrap().iter().map(grant_key).collect();
            let want: BTreeSet<String> = views[i].grants.difference(&views[j].grants).cloned().collect();
            assert_eq!(missing, want, "grants in {a} and not in {b}");
            let changed: BTreeSet<String> =
                store.changed_users(*a, *b).await.unwrap().into_iter().map(|(x, y)| x.or(y).unwrap().id).collect();
            let by_id = |v: &View| v.users.iter().map(|u| (u.id.clone(), u.clone())).collect::<BTreeMap<_, _>>();
            let (ua, ub) = (by_id(&views[i]), by_id(&views[j]));
            let want: BTreeSet<String> = ua
                .keys()
                .chain(ub.keys())
                .filter(|id| match (ua.get(*id), ub.get(*id)) {
                    (Some(x), Some(y)) => UserField::COMPARED.iter().any(|f| f.differs(x, y)),
                    _ => true,
                })
                .cloned()
                .collect();
            assert_eq!(changed, want, "users changed between {a} and {b}");
        }
    }

    // Pruning every other snapshot leaves the others reading as they did.
    let pruned: Vec<i64> = syncs.iter().step_by(2).copied().collect();
    store.prune_snapshots("acme", &pruned, chrono::Utc::now()).await.unwrap();
    for (sync, want) in syncs.iter().zip(&views).skip(1).step_by(2) {
        assert_eq!(&view(store.as_ref(), *sync).await, want, "snapshot {sync} read after pruning");
    }
    assert_eq!(view(store.as_ref(), again.sync_id).await, views[views.len() - 1], "the newest, after pruning");
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_snapshot_reads_as_full_storage(
        seed in 0u64..1_000,
        steps in proptest::collection::vec(proptest::collection::vec(change(), 1..16), 3),
    ) {
        let _ = rustls::crypto::ring::default_provider().install_default();
        runtime().block_on(check(seed, steps, false));
    }
}

/// The same on PostgreSQL (when the test script provides a server), with fixed changes.
#[test]
fn every_snapshot_reads_as_full_storage_on_postgres() {
    if std::env::var_os("ROSTER_TEST_POSTGRES").is_none() {
        // Outside the test script there may be no server; under it, a missing one fails.
        assert!(std::env::var_os("ROSTER_REFEREES").is_none(), "the test script must provide ROSTER_TEST_POSTGRES");
        return;
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let steps = vec![
        vec![Change::RemoveUser(3), Change::Role(4), Change::JoinTeam(1, 9), Change::Archive(2)],
        vec![Change::AddUser(7), Change::Unsubscribe(5, 1), Change::TeamOnBoard(6, 2), Change::Deactivate(11)],
        vec![Change::LeaveTeam(1, 0), Change::Rename(12), Change::RenameBoard(4), Change::Reactivate(11)],
    ];
    runtime().block_on(check(7, steps, true));
}
