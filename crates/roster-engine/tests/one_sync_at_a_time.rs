//! One sync per account at a time, everywhere: a second sync started while one runs (in this
//! process, or holding another lease as another process would) is refused naming the holder,
//! never adopting the live run; the events of the change are recorded once. A lease left by a
//! process that died on this machine is taken over at once; a live one elsewhere is not.

use crate::common;

use std::time::Duration;

use chrono::Utc;
use common::*;
use monday_api::ApiVersion;
use monday_sim::faults::FaultConfig;
use roster_engine::{sync_account, sync_account_as, NoProgress, SyncError, SyncLease};
use roster_store::prelude::*;
use roster_store::{EventQuery, SqlStore};

fn lease(holder: &str) -> SyncLease {
    SyncLease { holder: holder.into(), ttl: Duration::from_secs(30) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_syncs_at_once_record_each_change_once() {
    let org = org(300, 61);
    let sim = sim(org.clone(), FaultConfig { latency_ms: 20, ..FaultConfig::default() }).await;
    let store = SqlStore::in_memory().await.unwrap();
    let c = client(&sim, ApiVersion::V2026_10, 3);
    sync_account(&store, &c, "acme", &ALL, &NoProgress).await.unwrap();
    // A change in monday.com, then two syncs at once: as two processes would (two holders),
    // and twice from this process.
    let mut changed = org.clone();
    for u in changed.users.iter_mut().filter(|u| u.kind == monday_sim::model::UserKind::Member).take(7) {
        u.title = "Changed".into();
    }
    sim.sim.replace(changed).unwrap();
    let (la, lb) = (lease("host-a-1-aaaaaa"), lease("host-b-2-bbbbbb"));
    let (a, b) = tokio::join!(
        sync_account_as(&store, &c, "acme", &ALL, &NoProgress, &la),
        sync_account_as(&store, &c, "acme", &ALL, &NoProgress, &lb),
    );
    let (ok, refused) = match (a, b) {
        (Ok(r), Err(e)) | (Err(e), Ok(r)) => (r, e),
        other => panic!("exactly one sync runs: {other:?}"),
    };
    assert!(matches!(&refused, SyncError::Busy { holder, .. } if holder.starts_with("host-")), "{refused}");
    assert!(refused.to_string().contains("already running"), "{refused}");
    assert!(!ok.resumed);
    let (x, y) = tokio::join!(
        sync_account(&store, &c, "acme", &ALL, &NoProgress),
        sync_account(&store, &c, "acme", &ALL, &NoProgress)
    );
    assert!(x.is_ok() != y.is_ok(), "one of two syncs from one process runs: {x:?} {y:?}");
    let events = store.events(&EventQuery { limit: Some(10_000), ..EventQuery::default() }).await.unwrap();
    let completed = events.iter().filter(|e| e.kind == "sync_completed").count();
    assert_eq!(completed, 3, "three syncs completed, each recorded once");
    let runs = store.syncs(Some("acme"), 10).await.unwrap();
    assert_eq!(runs.len(), 3, "no fourth run was started or adopted: {runs:?}");
}

#[tokio::test]
async fn a_dead_local_holder_is_taken_over_and_a_live_one_is_named() {
    let sim = sim(org(60, 62), FaultConfig::default()).await;
    let store = SqlStore::in_memory().await.unwrap();
    let c = client(&sim, ApiVersion::V2026_10, 3);
    let now = Utc::now();
    let later = now + chrono::Duration::minutes(10);
    store.acquire_lease("sync:acme", "elsewhere.example-7-abcdef", now, later).await.unwrap();
    let e = sync_account(&store, &c, "acme", &ALL, &NoProgress).await.unwrap_err();
    assert!(e.to_string().contains("elsewhere.example-7-abcdef"), "names the holder: {e}");
    store.release_lease("sync:acme", "elsewhere.example-7-abcdef").await.unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let host = host.trim();
    if host.is_empty() {
        return;
    }
    let dead = format!("{host}-4000000000-abcdef");
    store.acquire_lease("sync:acme", &dead, now, later).await.unwrap();
    let r = sync_account(&store, &c, "acme", &ALL, &NoProgress).await.unwrap();
    assert!(r.sync_id > 0);
    assert!(store.lease("sync:acme").await.unwrap().is_none(), "released when done");
}
