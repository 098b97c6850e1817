//! Two `roster serve` workers on one PostgreSQL store share an account: it is synced on
//! schedule exactly once per interval, never by both at once; `kill -9` the worker that is
//! syncing, and the other takes its lease over once it expires, resumes the run from its
//! checkpoint and completes it with the same snapshot as a clean sync.
//!
//! Needs a PostgreSQL server: `ROSTER_TEST_POSTGRES` (the test script starts one). Without it
//! the test passes trivially, except under the test script, where it fails.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use monday_sim::faults::FaultConfig;
use monday_sim::{generate, GenConfig, Sim, SimConfig};
use roster_store::prelude::*;
use roster_store::{SqlStore, SyncRun, SyncStatus, UserQuery};

const BIN: &str = env!("CARGO_BIN_EXE_roster");
const INTERVAL: i64 = 8;

fn worker(cfg: &Path, db_url: &str) -> Child {
    Command::new(BIN)
        .arg("--config")
        .arg(cfg)
        .arg("serve")
        .env("ROSTER_TEST_TOKEN", "sim-admin-token")
        .env("ROSTER_TEST_DB", db_url)
        .env_remove("ROSTER_STORE")
        .env_remove("ROSTER_ACCOUNT")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn runs(store: &SqlStore) -> Vec<SyncRun> {
    let mut r = store.syncs(Some("acme"), 100).await.unwrap();
    r.reverse();
    r
}

async fn wait_for<F: Fn(&[SyncRun]) -> bool>(store: &SqlStore, what: &str, secs: u64, done: F) -> Vec<SyncRun> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let r = runs(store).await;
        if done(&r) {
            return r;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}: {r:#?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn snapshot(store: &SqlStore, sync: i64) -> (BTreeSet<String>, Vec<String>) {
    let grants = store.all_grants(sync).await.unwrap().iter().map(|g| g.to_string()).collect();
    let users = store.users(sync, &UserQuery::default()).await.unwrap().iter().map(|u| format!("{u:?}")).collect();
    (grants, users)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_share_one_account_and_survive_kill_9() {
    let Ok(admin_url) = std::env::var("ROSTER_TEST_POSTGRES") else {
        assert!(std::env::var_os("ROSTER_REFEREES").is_none(), "the test script must provide ROSTER_TEST_POSTGRES");
        return;
    };
    let name = format!("roster_workers_{}", std::process::id());
    let store = SqlStore::create_postgres(&admin_url, &name).await.unwrap();
    let db_url = format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0);

    let org =
        generate(&GenConfig { users: 2000, teams: 40, workspaces: 20, boards: 400, seed: 21, ..GenConfig::default() })
            .unwrap();
    let users = org.users.len();
    let faults = FaultConfig { latency_ms: 150, ..FaultConfig::default() };
    let sim = Sim::new(org, SimConfig { faults, ..SimConfig::default() }).unwrap();
    let sim = monday_sim::spawn(sim, SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
    let dir = std::env::temp_dir().join(format!("roster-workers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("roster.toml");
    std::fs::write(
        &cfg,
        format!(
            "[store]\nurl_env = \"ROSTER_TEST_DB\"\n[sync]\nboard_state = \"all\"\n[server]\nlisten = \"127.0.0.1:0\"\nlease_seconds = 2\n\
             [[server.api_keys]]\nname = \"ops\"\nrole = \"admin\"\nhash = \"{}\"\n\
             [[accounts]]\nname = \"acme\"\napi_url = \"{}\"\ntoken_env = \"ROSTER_TEST_TOKEN\"\nmax_concurrency = 2\nsync_interval_seconds = {INTERVAL}\n",
            roster_server::hash_key("two-workers-admin-key-0123456789"),
            sim.graphql_url()
        ),
    )
    .unwrap();
    let mut workers = [worker(&cfg, &db_url), worker(&cfg, &db_url)];

    // On schedule: two completed syncs, an interval apart, never overlapping, none in between.
    let r = wait_for(&store, "two scheduled syncs", 60, |r| {
        r.iter().filter(|s| s.status == SyncStatus::Completed).count() >= 2
    })
    .await;
    let first = r[0].clone();
    assert_eq!(r[1].status, SyncStatus::Completed, "one sync per interval, not one per worker: {r:#?}");
    let gap = (r[1].started_at - r[0].started_at).num_milliseconds();
    assert!(gap >= INTERVAL * 1000, "the second sync started {gap} ms after the first; the interval is {INTERVAL} s");
    assert!(gap < INTERVAL * 1000 * 2, "and not a whole interval late ({gap} ms)");
    assert!(r[1].started_at >= r[0].finished_at.unwrap(), "no overlap: {r:#?}");

    // A later sync: kill -9 whichever worker runs it once it has checkpointed some pages.
    let deadline = Instant::now() + Duration::from_secs(60);
    let (victim_run, holder) = loop {
        assert!(Instant::now() < deadline, "no later sync could be caught running: {:#?}", runs(&store).await);
        let r = runs(&store).await;
        // The newest run after the two checked above; if one finishes before it could be
        // caught, the next scheduled one is.
        if let Some(run) = r.last().filter(|s| s.id > r[1].id && s.status == SyncStatus::Running) {
            let progress = store.progress(run.id).await.unwrap();
            if progress.iter().map(|p| p.pages).sum::<u64>() >= 3 {
                let (holder, _) = store.lease("sync:acme").await.unwrap().expect("a running sync holds its lease");
                break (run.clone(), holder);
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let victim =
        workers.iter().position(|w| holder.contains(&format!("-{}-", w.id()))).expect("the holder is a worker");
    workers[victim].kill().unwrap();
    workers[victim].wait().unwrap();

    // The survivor resumes that very run and completes it.
    let r = wait_for(&store, "the survivor to complete the killed run", 60, |r| {
        r.iter().any(|s| s.id == victim_run.id && s.status == SyncStatus::Completed)
    })
    .await;
    let done = r.iter().find(|s| s.id == victim_run.id).unwrap();
    // Only the survivor is alive to complete it.
    assert!(done.resumed >= 1, "resumed from its checkpoint, not restarted: {done:?}");
    assert_eq!(r.iter().filter(|s| s.id > victim_run.id).count(), 0, "no second run was started: {r:#?}");

    // The resumed snapshot is exactly a clean sync's (nothing changed in monday.com meanwhile).
    let (grants, user_rows) = snapshot(&store, done.id).await;
    let (first_grants, first_users) = snapshot(&store, first.id).await;
    assert_eq!(user_rows.len(), users, "every user of the org");
    assert_eq!(user_rows, first_users);
    assert_eq!(grants, first_grants, "the same grants as the first, uninterrupted sync");
    assert_eq!(store.counts(done.id).await.unwrap(), store.counts(first.id).await.unwrap());

    for w in &mut workers {
        let _ = w.kill();
        let _ = w.wait();
    }
    let _ = std::fs::remove_dir_all(&dir);
}
