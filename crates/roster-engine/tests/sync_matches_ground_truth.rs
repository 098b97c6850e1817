//! After a sync of a generated org, every grant in the store (users, teams, workspaces, boards,
//! roles, and access through teams) equals the ground truth computed from monday-sim's state,
//! exactly, as sets; and a failed sync never replaces the last completed snapshot but resumes.

use crate::common;

use std::time::Duration;

use common::*;
use monday_api::ApiVersion;
use monday_sim::faults::FaultConfig;
use roster_engine::{sync_account, NoProgress};
use roster_store::prelude::*;
use roster_store::{SqlStore, SyncStatus};

#[tokio::test]
async fn grants_equal_the_ground_truth_on_both_versions() {
    let org = org(1000, 91);
    let sim = sim(org.clone(), FaultConfig::default()).await;
    let want = truth(&org);
    for version in ApiVersion::ALL {
        let store = SqlStore::in_memory().await.unwrap();
        let report = sync_account(&store, &client(&sim, version, 3), "acme", &ALL, &NoProgress).await.unwrap();
        assert_eq!(report.counts.users as usize, org.users.len());
        assert_eq!(report.counts.boards as usize, org.boards.len());
        let got = stored(&store, report.sync_id).await;
        let missing: Vec<_> = want.difference(&got).take(5).collect();
        let extra: Vec<_> = got.difference(&want).take(5).collect();
        assert!(missing.is_empty() && extra.is_empty(), "{version}: missing {missing:?}, extra {extra:?}");
        assert!(
            got.iter().any(|g| g.split('|').nth(2).is_some_and(|s| s.starts_with("team:"))),
            "team-expanded grants exist"
        );
        let run = store.last_completed("acme").await.unwrap().unwrap();
        assert_eq!(run.status, SyncStatus::Completed);
        assert!(run.requests > 0 && run.complexity > 0);
    }
}

/// A sync that waits for monday.com's budget writes access through teams page by page (one
/// that never waits leaves it to the finish): exact too, and the same as a sync that never
/// waited, on an org that needs two of monday.com's windows (800k points, 500k a window of three
/// seconds: short enough for a test, long enough that a slow machine still runs out).
#[tokio::test]
async fn a_sync_that_waits_for_the_budget_is_exact() {
    let org = org(1000, 94);
    let limits = monday_sim::limits::LimitsConfig {
        complexity_per_minute: Some(500_000),
        window_secs: 3,
        ..monday_sim::limits::LimitsConfig::unlimited()
    };
    let sim = roster_testkit::start_with(org.clone(), monday_sim::SimConfig { limits, ..Default::default() }).await;
    let store = SqlStore::in_memory().await.unwrap();
    // Retries: a window's first answers tell the client the budget; until then a request
    // can find it spent.
    let c = client(&sim, ApiVersion::V2026_10, 12);
    let report = sync_account(&store, &c, "acme", &ALL, &NoProgress).await.unwrap();
    assert!(c.budget_pauses() > 0, "the sync waited for the budget");
    assert_eq!(stored(&store, report.sync_id).await, truth(&org));
}

#[tokio::test]
async fn exact_under_injected_faults() {
    let org = org(600, 92);
    let sim =
        sim(org.clone(), FaultConfig { error_rate: 0.1, drop_rate: 0.1, seed: 5, ..FaultConfig::default() }).await;
    let store = SqlStore::in_memory().await.unwrap();
    let c = client(&sim, ApiVersion::V2026_10, 12);
    let report = sync_account(&store, &c, "acme", &ALL, &NoProgress).await.unwrap();
    assert_eq!(stored(&store, report.sync_id).await, truth(&org));
    assert!(c.metrics().retries > 0);
}

#[tokio::test]
async fn a_failed_sync_keeps_the_last_snapshot_and_resumes() {
    let org = org(1000, 93);
    let sim = sim(org.clone(), FaultConfig::default()).await;
    let store = SqlStore::in_memory().await.unwrap();
    let first = sync_account(&store, &client(&sim, ApiVersion::V2026_10, 3), "acme", &ALL, &NoProgress).await.unwrap();
    let fresh_requests = sim.sim.stats().requests;

    // The next sync dies part-way: after a few pages, monday.com answers only 503. Each answer
    // takes 200 ms, so the watcher turns the errors on long before the sync could finish, even
    // on a loaded machine (without it the sync sometimes completed first, and the test failed;
    // since a sync that knows each list's length asks four pages at once, 40 ms was too little).
    sim.sim.faults().set(FaultConfig { latency_ms: 200, ..FaultConfig::default() });
    let c = client(&sim, ApiVersion::V2026_10, 1);
    let stop_after = fresh_requests / 2;
    let sim_ref = sim.sim.clone();
    let watcher = tokio::spawn(async move {
        loop {
            if sim_ref.stats().requests >= fresh_requests + stop_after {
                sim_ref.faults().set(FaultConfig { error_rate: 1.0, latency_ms: 200, ..FaultConfig::default() });
                break;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    });
    let err = sync_account(&store, &c, "acme", &ALL, &NoProgress).await.unwrap_err();
    watcher.abort();
    let first_attempt = c.metrics().requests;
    assert!(err.to_string().contains("monday.com"), "{err}");
    let last = store.last_completed("acme").await.unwrap().unwrap();
    assert_eq!(last.id, first.sync_id, "the failed sync did not replace the last good snapshot");
    let interrupted = store.syncs(Some("acme"), 10).await.unwrap();
    assert_eq!(interrupted[0].status, SyncStatus::Interrupted);

    // Resume: fewer requests than a fresh sync, and the exact ground truth.
    sim.sim.faults().set(FaultConfig::default());
    let before = sim.sim.stats().requests;
    let resumed =
        sync_account(&store, &client(&sim, ApiVersion::V2026_10, 3), "acme", &ALL, &NoProgress).await.unwrap();
    let resumed_requests = sim.sim.stats().requests - before;
    assert!(resumed.resumed);
    assert_eq!(resumed.sync_id, interrupted[0].id);
    assert!(
        resumed_requests < fresh_requests,
        "resumed with {resumed_requests} requests; a fresh sync took {fresh_requests}"
    );
    assert_eq!(stored(&store, resumed.sync_id).await, truth(&org));
    assert_eq!(resumed.events, 0, "nothing changed in monday.com between the two syncs");
    // The run's figures count both attempts (the event said only the last one's before).
    let run = store.sync_run(resumed.sync_id).await.unwrap().unwrap();
    assert_eq!(run.requests as u64, first_attempt + resumed.requests, "{run:?}");
    let done = store
        .events(&roster_store::EventQuery {
            sync_id: Some(resumed.sync_id),
            kind_prefix: Some("sync_completed".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(done[0].detail["requests"].as_u64(), Some(first_attempt + resumed.requests), "{}", done[0].detail);
}

/// Defect: one team id above i64::MAX failed the whole sync. Ids are kept whole.
#[tokio::test]
async fn a_team_id_above_i64_max_is_kept_whole() {
    let mut org = org(200, 94);
    let big: u64 = i64::MAX as u64 + 7;
    let t = org.teams[0].id;
    for team in org.teams.iter_mut().filter(|x| x.id == t) {
        team.id = big;
    }
    for b in org.boards.iter_mut() {
        for list in [&mut b.team_subscribers, &mut b.team_owners] {
            for id in list.iter_mut().filter(|id| **id == t) {
                *id = big;
            }
        }
    }
    for w in org.workspaces.iter_mut() {
        for list in [&mut w.team_members, &mut w.team_owners] {
            for id in list.iter_mut().filter(|id| **id == t) {
                *id = big;
            }
        }
    }
    let on_a_board = org.boards.iter().any(|b| b.team_subscribers.contains(&big));
    let sim = sim(org.clone(), FaultConfig::default()).await;
    let store = SqlStore::in_memory().await.unwrap();
    let r = sync_account(&store, &client(&sim, ApiVersion::V2026_10, 3), "acme", &ALL, &NoProgress).await.unwrap();
    assert!(store.resource(r.sync_id, roster_core::ResourceType::Team, &big.to_string()).await.unwrap().is_some());
    assert_eq!(stored(&store, r.sync_id).await, truth(&org), "on a board: {on_a_board}");
}

/// A sync that knows each list's length stops its pages there (no page asked only to come back
/// empty) and sizes nested lists by what it saw; boards and workspaces added since, and team
/// lists that grew past their old length, still land whole: the id sweep reads what lies past
/// the old end, and a list that fills its smaller nested page is read again.
#[tokio::test]
async fn a_second_sync_of_a_grown_org_is_exact() {
    let org = org(600, 93);
    let sim = sim(org.clone(), FaultConfig::default()).await;
    let store = SqlStore::in_memory().await.unwrap();
    let c = client(&sim, ApiVersion::V2026_10, 3);
    sync_account(&store, &c, "acme", &ALL, &NoProgress).await.unwrap();
    let grown = grow(&org);
    sim.sim.replace(grown.clone()).unwrap();
    let second = sync_account(&store, &c, "acme", &ALL, &NoProgress).await.unwrap();
    let (got, want) = (stored(&store, second.sync_id).await, truth(&grown));
    let missing: Vec<_> = want.difference(&got).take(5).collect();
    let extra: Vec<_> = got.difference(&want).take(5).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing {missing:?}, extra {extra:?}");
    assert_eq!(second.counts.boards as usize, grown.boards.len());
    assert_eq!(second.counts.workspaces as usize, grown.workspaces.len());
}

/// `org` grown past what a first sync saw: longer team lists on every seventh board, seven
/// boards and two workspaces with ids above every old one.
fn grow(org: &monday_sim::model::Org) -> monday_sim::model::Org {
    let mut grown = org.clone();
    let teams: Vec<u64> = grown.teams.iter().map(|t| t.id).collect();
    for (i, b) in grown.boards.iter_mut().enumerate().filter(|(i, _)| i % 7 == 0) {
        // Team lists longer than any seen before on that board.
        b.team_subscribers.extend(teams.iter().copied().skip(i % 3).take(12));
        b.team_subscribers.sort_unstable();
        b.team_subscribers.dedup();
    }
    let (extra_boards, extra_workspaces) = (grown.boards[..7].to_vec(), grown.workspaces[..2].to_vec());
    for (n, mut b) in extra_boards.into_iter().enumerate() {
        b.id = 1_900_000_001 + n as u64 * 11;
        b.name = format!("Added {n}");
        grown.boards.push(b);
    }
    for (n, mut w) in extra_workspaces.into_iter().enumerate() {
        w.id = 9_900_001 + n as u64 * 3;
        w.name = format!("Added space {n}");
        grown.workspaces.push(w);
    }
    grown
}

/// A second sync of a grown org cut at any request (its pages, its follow-ups, its id sweep),
/// then resumed, lands exactly on the grown org and records the same changes as a second sync
/// that was never cut: the resumed run still sweeps for what lies past the old ends, and no
/// change is recorded twice or lost.
#[tokio::test]
async fn a_grown_org_sync_cut_anywhere_resumes_exact() {
    let org = org(400, 95);
    let grown = grow(&org);
    let second_sync = |cut: Option<u64>| {
        let (org, grown) = (org.clone(), grown.clone());
        async move {
            let sim = sim(org, FaultConfig::default()).await;
            let store = SqlStore::in_memory().await.unwrap();
            let c = client(&sim, ApiVersion::V2026_10, 1);
            sync_account(&store, &c, "acme", &ALL, &NoProgress).await.unwrap();
            sim.sim.replace(grown).unwrap();
            let before = sim.sim.stats().requests;
            if let Some(n) = cut {
                sim.sim.faults().set(FaultConfig { fail_after: Some(n), ..FaultConfig::default() });
                let err = sync_account(&store, &c, "acme", &ALL, &NoProgress).await;
                assert!(err.is_err(), "cut after {n} requests: the sync still completed");
                sim.sim.faults().set(FaultConfig::default());
            }
            let report = sync_account(&store, &c, "acme", &ALL, &NoProgress).await.unwrap();
            assert_eq!(report.resumed, cut.is_some());
            (sim.sim.stats().requests - before, stored(&store, report.sync_id).await, report.events)
        }
    };
    let (whole, got, events) = second_sync(None).await;
    assert_eq!(got, truth(&grown));
    // Every request of the first and last few (where the sweep runs), and a spread between.
    let mut cuts: Vec<u64> =
        (0..4).chain((1..8).map(|k| whole * k / 8)).chain(whole.saturating_sub(4)..whole).collect();
    cuts.sort_unstable();
    cuts.dedup();
    for cut in cuts {
        let (_, got, resumed_events) = second_sync(Some(cut)).await;
        let want = truth(&grown);
        let missing: Vec<_> = want.difference(&got).take(5).collect();
        let extra: Vec<_> = got.difference(&want).take(5).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "cut after {cut} of {whole}: missing {missing:?}, extra {extra:?}"
        );
        assert_eq!(resumed_events, events, "cut after {cut} of {whole}: changes recorded");
    }
}
