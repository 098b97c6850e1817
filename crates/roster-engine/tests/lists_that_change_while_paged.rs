//! Offset paging over a list that changes while it is read: boards and workspaces archived (or
//! deleted) at every page boundary shift the rest of the list, so a page can start past one
//! that was never read. Every one that existed throughout the sync must be in its snapshot.

use crate::common;

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use monday_api::{ApiVersion, StateFilter};
use monday_sim::faults::FaultConfig;
use monday_sim::model::State;
use roster_core::ResourceType;
use roster_engine::{sync_account, NoProgress, SyncOptions};
use roster_store::prelude::*;
use roster_store::SqlStore;

/// Runs a sync while, after every boards page monday-sim answers, `change` edits the org;
/// returns the boards present before and after (those that existed throughout) and the
/// snapshot's boards.
async fn sync_while_changing(
    opts: SyncOptions,
    change: fn(&mut monday_sim::model::Org) -> Option<u64>,
) -> (BTreeSet<String>, BTreeSet<String>, usize) {
    let org = org(1500, 71);
    let sim = sim(org.clone(), FaultConfig { latency_ms: 15, ..FaultConfig::default() }).await;
    let store = SqlStore::in_memory().await.unwrap();
    let c = client(&sim, ApiVersion::V2026_10, 3);
    let visible = |o: &monday_sim::model::Org| -> BTreeSet<String> {
        o.boards
            .iter()
            .filter(|b| opts.board_state == StateFilter::All || b.state == State::Active)
            .map(|b| b.id.to_string())
            .collect()
    };
    let before = visible(&org);
    let stop = Arc::new(AtomicBool::new(false));
    let changer = {
        let (sim, stop) = (sim.sim.clone(), Arc::clone(&stop));
        tokio::spawn(async move {
            let mut seen = 0;
            let mut changed = 0;
            while !stop.load(Ordering::SeqCst) {
                let pages = sim.stats().root_fields.get("boards").copied().unwrap_or(0);
                if pages > seen {
                    seen = pages;
                    let mut o = sim.world().org().clone();
                    if change(&mut o).is_some() {
                        sim.replace(o).unwrap();
                        changed += 1;
                    }
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            changed
        })
    };
    sync_account(&store, &c, "acme", &opts, &NoProgress).await.unwrap();
    stop.store(true, Ordering::SeqCst);
    let changed = changer.await.unwrap();
    let after = visible(sim.sim.world().org());
    let throughout: BTreeSet<String> = before.intersection(&after).cloned().collect();
    let snap = store.last_completed("acme").await.unwrap().unwrap();
    let got: BTreeSet<String> =
        store.resources(snap.id, ResourceType::Board).await.unwrap().into_iter().map(|r| r.id).collect();
    (throughout, got, changed)
}

fn archive_first_active(o: &mut monday_sim::model::Org) -> Option<u64> {
    let b = o.boards.iter_mut().find(|b| b.state == State::Active)?;
    b.state = State::Archived;
    Some(b.id)
}

fn delete_first(o: &mut monday_sim::model::Org) -> Option<u64> {
    if o.boards.len() < 2 {
        return None;
    }
    Some(o.boards.remove(0).id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boards_archived_at_every_page_boundary_lose_no_other_board() {
    let (throughout, got, changed) = sync_while_changing(SyncOptions::default(), archive_first_active).await;
    assert!(changed >= 5, "the list changed at {changed} page boundaries");
    let lost: Vec<&String> = throughout.difference(&got).collect();
    assert!(lost.is_empty(), "{} boards that existed throughout are missing: {lost:?}", lost.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boards_deleted_at_every_page_boundary_lose_no_other_board() {
    let (throughout, got, changed) = sync_while_changing(ALL, delete_first).await;
    assert!(changed >= 5, "the list changed at {changed} page boundaries");
    let lost: Vec<&String> = throughout.difference(&got).collect();
    assert!(lost.is_empty(), "{} boards that existed throughout are missing: {lost:?}", lost.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspaces_archived_at_every_page_boundary_lose_no_other_workspace() {
    let org = org(3000, 72);
    let sim = sim(org.clone(), FaultConfig { latency_ms: 15, ..FaultConfig::default() }).await;
    let store = SqlStore::in_memory().await.unwrap();
    let mut c = client(&sim, ApiVersion::V2026_10, 3).config().clone();
    c.workspaces_page = 5;
    let c = monday_api::Client::new(c).unwrap();
    let active = |o: &monday_sim::model::Org| -> BTreeSet<String> {
        o.workspaces.iter().filter(|w| w.state == State::Active).map(|w| w.id.to_string()).collect()
    };
    let before = active(&org);
    let stop = Arc::new(AtomicBool::new(false));
    let changer = {
        let (sim, stop) = (sim.sim.clone(), Arc::clone(&stop));
        tokio::spawn(async move {
            let (mut seen, mut changed) = (0, 0);
            while !stop.load(Ordering::SeqCst) {
                let pages = sim.stats().root_fields.get("workspaces").copied().unwrap_or(0);
                if pages > seen {
                    seen = pages;
                    let mut o = sim.world().org().clone();
                    if let Some(w) = o.workspaces.iter_mut().find(|w| w.state == State::Active) {
                        w.state = State::Archived;
                        sim.replace(o).unwrap();
                        changed += 1;
                    }
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            changed
        })
    };
    sync_account(&store, &c, "acme", &SyncOptions::default(), &NoProgress).await.unwrap();
    stop.store(true, Ordering::SeqCst);
    let changed = changer.await.unwrap();
    let throughout: BTreeSet<String> = before.intersection(&active(sim.sim.world().org())).cloned().collect();
    let snap = store.last_completed("acme").await.unwrap().unwrap();
    let got: BTreeSet<String> =
        store.resources(snap.id, ResourceType::Workspace).await.unwrap().into_iter().map(|r| r.id).collect();
    assert!(changed >= 5, "the list changed at {changed} page boundaries");
    let lost: Vec<&String> = throughout.difference(&got).collect();
    assert!(lost.is_empty(), "{} workspaces that existed throughout are missing: {lost:?}", lost.len());
}
