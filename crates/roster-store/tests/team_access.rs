//! Access through teams as pages write it: whatever order a sync's pages arrive in (the teams
//! page before, between or after the boards and workspaces pages), a page written twice (a
//! resumed sync), pages that leave those rows to the finish and pages that write them, a
//! finish run twice, and team grants and memberships added and taken away
//! between syncs, every snapshot holds exactly one row per (team grant, member of that team)
//! and every earlier snapshot still reads as it did; on both databases.

use std::collections::BTreeSet;

use chrono::Utc;
use proptest::prelude::*;
use roster_core::{Entitlement, Grant, Principal, ResourceRecord, ResourceType};
use roster_store::{Page, Store, SyncStats};

use crate::store_suite::stores;

/// One sync's org: team memberships (team, user) and grants on boards and workspaces (type,
/// resource, slug, holder: a team, -1 for everyone, or a user).
#[derive(Debug, Clone)]
struct Org {
    members: BTreeSet<(u8, u8)>,
    grants: BTreeSet<(bool, u8, bool, Holder)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Holder {
    Team(u8),
    Everyone,
    User(u8),
}

fn holder() -> impl Strategy<Value = Holder> {
    prop_oneof![4 => (0u8..4).prop_map(Holder::Team), 1 => Just(Holder::Everyone), 2 => (0u8..6).prop_map(Holder::User)]
}

fn org() -> impl Strategy<Value = Org> {
    (
        proptest::collection::btree_set((0u8..4, 0u8..6), 0..14),
        proptest::collection::btree_set((any::<bool>(), 0u8..5, any::<bool>(), holder()), 0..16),
    )
        .prop_map(|(members, grants)| Org { members, grants })
}

/// How one sync writes its pages: where the teams page goes among the resource pages, how
/// many resource pages, which page is written twice, and whether the finish runs twice.
#[derive(Debug, Clone)]
struct Order {
    teams_at: usize,
    pages: usize,
    repeated: Option<usize>,
    finish_twice: bool,
    /// Bit i: resource page i leaves its rows through teams to the finish.
    deferred: u8,
}

fn order() -> impl Strategy<Value = Order> {
    (0usize..4, 1usize..4, proptest::option::of(0usize..4), any::<bool>(), any::<u8>()).prop_map(
        |(teams_at, pages, repeated, finish_twice, deferred)| Order {
            teams_at,
            pages,
            repeated,
            finish_twice,
            deferred,
        },
    )
}

fn rtype(board: bool) -> ResourceType {
    if board {
        ResourceType::Board
    } else {
        ResourceType::Workspace
    }
}

fn ent(rtype: ResourceType, rid: &str, slug: &str) -> Entitlement {
    Entitlement { rtype, rid: rid.into(), slug: slug.into() }
}

fn slug(owner: bool) -> &'static str {
    if owner {
        "owner"
    } else {
        "subscriber"
    }
}

fn principal(h: Holder) -> Principal {
    match h {
        Holder::Team(t) => Principal::team(t.to_string()),
        Holder::Everyone => Principal::team("-1"),
        Holder::User(u) => Principal::user(u.to_string()),
    }
}

/// The pages of `org`: the teams page and the resources' pages, in `order`.
fn pages(org: &Org, order: &Order) -> Vec<Page> {
    let teams: Vec<ResourceRecord> = (0..4u8)
        .map(|t| ResourceRecord {
            rtype: ResourceType::Team,
            id: t.to_string(),
            name: format!("team {t}"),
            parent: None,
            kind: None,
            state: None,
        })
        .collect();
    let members = org
        .members
        .iter()
        .map(|(t, u)| Grant::direct(ent(ResourceType::Team, &t.to_string(), "member"), Principal::user(u.to_string())))
        .collect();
    let teams_page = Page { part: "teams".into(), resources: teams, grants: members, done: true, ..Page::default() };
    let grants: Vec<Grant> = org
        .grants
        .iter()
        .map(|&(board, rid, owner, h)| Grant::direct(ent(rtype(board), &rid.to_string(), slug(owner)), principal(h)))
        .collect();
    let per = grants.len().div_ceil(order.pages).max(1);
    let mut out: Vec<Page> = grants
        .chunks(per)
        .enumerate()
        .map(|(i, chunk)| Page {
            part: "boards".into(),
            grants: chunk.to_vec(),
            next_offset: i as u64 + 1,
            defer_team_access: order.deferred & (1 << i) != 0,
            ..Page::default()
        })
        .collect();
    out.push(Page { part: "boards".into(), next_offset: out.len() as u64, done: true, ..Page::default() });
    out.insert(order.teams_at.min(out.len()), teams_page);
    if let Some(i) = order.repeated {
        let again = out[i % out.len()].clone();
        out.insert(i % out.len() + 1, again);
    }
    out
}

/// What the snapshot of `org` holds: its grants, and a row for each member of each team
/// holding a grant, sourced from the team.
fn expected(org: &Org) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for &(board, rid, owner, h) in &org.grants {
        let e = ent(rtype(board), &rid.to_string(), slug(owner));
        out.insert(format!("{e}|{}|direct", principal(h)));
        if let Holder::Team(t) = h {
            for (_, u) in org.members.iter().filter(|(m, _)| *m == t) {
                out.insert(format!("{e}|{}|team:{t}", Principal::user(u.to_string())));
            }
        }
    }
    for (t, u) in &org.members {
        out.insert(format!(
            "{}|{}|direct",
            ent(ResourceType::Team, &t.to_string(), "member"),
            Principal::user(u.to_string())
        ));
    }
    out
}

async fn held(s: &dyn Store, sync: i64) -> BTreeSet<String> {
    s.all_grants(sync)
        .await
        .unwrap()
        .iter()
        .map(|g| format!("{}|{}|{}", g.entitlement, g.principal, g.source.as_string()))
        .collect()
}

async fn check(syncs: Vec<(Org, Order)>) {
    for (db, s) in stores().await {
        let s: &dyn Store = s.as_ref();
        let mut done: Vec<(i64, BTreeSet<String>)> = vec![];
        for (n, (org, order)) in syncs.iter().enumerate() {
            let run = s.begin_sync("acme", "2026-10", Utc::now()).await.unwrap();
            for page in pages(org, order) {
                s.write_page(run.id, &page).await.unwrap();
            }
            s.finish_snapshot(run.id).await.unwrap();
            if order.finish_twice {
                s.finish_snapshot(run.id).await.unwrap();
            }
            s.complete_sync(run.id, SyncStats::default(), &[], Utc::now()).await.unwrap();
            let want = expected(org);
            assert_eq!(held(s, run.id).await, want, "{db}: snapshot {n} of {org:?} written {order:?}");
            done.push((run.id, want));
        }
        for (sync, want) in &done {
            assert_eq!(&held(s, *sync).await, want, "{db}: snapshot {sync} read after the later syncs");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_team_grant_reaches_every_member_in_any_page_order(
        syncs in proptest::collection::vec((org(), order()), 1..5),
    ) {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(check(syncs));
    }
}

/// Pages of one sync written at once, as the sync's parts write them (on PostgreSQL each on a
/// connection of its own): a team grant and a membership whose pages are written at the same
/// moment still meet. On PostgreSQL each page's statement once saw only what had committed
/// before it, so two pages written together each missed the other (a 100,000-user sync
/// stored 164,359 fewer rows through teams).
#[test]
fn pages_written_at_once_still_meet() {
    let org = Org {
        members: (0..4u8).flat_map(|t| (0..6u8).map(move |u| (t, u))).collect(),
        grants: (0..5u8).flat_map(|r| (0..4u8).map(move |t| (r % 2 == 0, r, false, Holder::Team(t)))).collect(),
    };
    let order = Order { teams_at: 0, pages: 8, repeated: None, finish_twice: false, deferred: 0 };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
    runtime.block_on(async {
        for (db, s) in stores().await {
            let s: &dyn Store = s.as_ref();
            // Rounds: two transactions meet only when their timing overlaps.
            for round in 0..12 {
                let run = s.begin_sync("acme", "2026-10", Utc::now()).await.unwrap();
                let written_together = pages(&org, &order);
                let writes = written_together.iter().map(|p| s.write_page(run.id, p));
                for written in futures_util::future::join_all(writes).await {
                    written.unwrap();
                }
                s.finish_snapshot(run.id).await.unwrap();
                s.complete_sync(run.id, SyncStats::default(), &[], Utc::now()).await.unwrap();
                assert_eq!(held(s, run.id).await, expected(&org), "{db}: round {round}");
                // The next round starts from nothing, so its pages add every row again.
                let empty = Org { members: BTreeSet::new(), grants: BTreeSet::new() };
                let run = s.begin_sync("acme", "2026-10", Utc::now()).await.unwrap();
                for p in pages(&empty, &order) {
                    s.write_page(run.id, &p).await.unwrap();
                }
                s.finish_snapshot(run.id).await.unwrap();
                s.complete_sync(run.id, SyncStats::default(), &[], Utc::now()).await.unwrap();
            }
        }
    });
}
