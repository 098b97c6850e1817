//! `kill -9` a `roster sync` part-way: the last completed snapshot stays intact, and the next
//! `roster sync` resumes from the checkpoint, sends fewer requests than a fresh sync, and ends
//! with the same grants.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use monday_sim::faults::FaultConfig;
use monday_sim::{generate, GenConfig, Sim, SimConfig};
use roster_store::prelude::*;
use roster_store::{SqlStore, SyncStatus};

const BIN: &str = env!("CARGO_BIN_EXE_roster");

fn sync_cmd(cfg: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--config")
        .arg(cfg)
        .arg("sync")
        .env("ROSTER_TEST_TOKEN", "sim-admin-token")
        .env_remove("ROSTER_STORE")
        .env_remove("ROSTER_ACCOUNT");
    c
}

async fn grants(db: &Path, sync: i64) -> BTreeSet<String> {
    let store = SqlStore::open(db).await.unwrap();
    store.all_grants(sync).await.unwrap().iter().map(|g| g.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_sync_resumes_from_its_checkpoint() {
    let org =
        generate(&GenConfig { users: 3000, teams: 60, workspaces: 30, boards: 700, seed: 12, ..GenConfig::default() })
            .unwrap();
    let sim = Sim::new(
        org,
        SimConfig { faults: FaultConfig { latency_ms: 120, ..FaultConfig::default() }, ..SimConfig::default() },
    )
    .unwrap();
    let sim = monday_sim::spawn(sim, SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
    let dir = std::env::temp_dir().join(format!("roster-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("roster.toml");
    std::fs::write(&cfg, format!("[sync]\nboard_state = \"all\"\n[[accounts]]\nname = \"acme\"\napi_url = \"{}\"\ntoken_env = \"ROSTER_TEST_TOKEN\"\nmax_concurrency = 2\n", sim.graphql_url())).unwrap();
    let db = dir.join("roster.db");

    // A fresh, complete sync.
    let out = tokio::task::spawn_blocking({
        let cfg = cfg.clone();
        move || sync_cmd(&cfg).output().unwrap()
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let fresh = sim.sim.stats().requests;
    let first = SqlStore::open(&db).await.unwrap().last_completed("acme").await.unwrap().unwrap();
    let first_grants = grants(&db, first.id).await;
    assert!(!first_grants.is_empty());

    // The next sync is killed (SIGKILL) after about half of a fresh sync's requests.
    let mut child = sync_cmd(&cfg).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while sim.sim.stats().requests < fresh + fresh / 2 {
        assert!(Instant::now() < deadline, "the second sync made no progress");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sync finished before it could be killed; make the org larger"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let killed_at = sim.sim.stats().requests - fresh;

    let store = SqlStore::open(&db).await.unwrap();
    let runs = store.syncs(Some("acme"), 10).await.unwrap();
    assert_eq!(runs[0].status, SyncStatus::Running, "killed mid-run: {runs:?}");
    let progress = store.progress(runs[0].id).await.unwrap();
    assert!(progress.iter().any(|p| p.pages > 0), "pages were checkpointed before the kill: {progress:?}");
    assert_eq!(
        store.last_completed("acme").await.unwrap().unwrap().id,
        first.id,
        "the last good snapshot is still the first"
    );
    assert_eq!(grants(&db, first.id).await, first_grants, "and it is intact");
    drop(store);

    // Resume.
    let before = sim.sim.stats().requests;
    let out = tokio::task::spawn_blocking({
        let cfg = cfg.clone();
        move || sync_cmd(&cfg).output().unwrap()
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("resumed from its checkpoint"));
    let resumed_requests = sim.sim.stats().requests - before;
    assert!(
        resumed_requests < fresh,
        "resume sent {resumed_requests} requests (killed after {killed_at}); a fresh sync sends {fresh}"
    );
    let store = SqlStore::open(&db).await.unwrap();
    let done = store.last_completed("acme").await.unwrap().unwrap();
    assert_eq!(done.id, runs[0].id, "the interrupted run was completed, not replaced");
    assert_eq!(grants(&db, done.id).await, first_grants, "nothing changed in monday.com: the same grants");
    let _ = std::fs::remove_dir_all(&dir);
}
