//! A sync that waits for monday.com's complexity budget says so, and for how long, instead of
//! looking stuck (a monday-sim with a frozen clock never refills: the sync waits each minute).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use monday_sim::limits::LimitsConfig;
use monday_sim::SimConfig;

#[tokio::test]
async fn a_sync_paused_for_the_budget_says_how_long() {
    let org =
        monday_sim::generate(&monday_sim::GenConfig { users: 300, boards: 60, seed: 4, ..Default::default() }).unwrap();
    // A budget one users page spends, and a clock that never moves: no refill.
    let limits = LimitsConfig { complexity_per_minute: Some(400_000), ..LimitsConfig::default() };
    let sim = roster_testkit::start_with(org, SimConfig { limits, frozen_clock: true, ..SimConfig::default() }).await;
    let dir = Dir::new("budget-wait");
    let cfg = write_config(dir.path(), &sim.graphql_url());
    let mut child = Command::new(BIN)
        .args(["--config", cfg.to_str().unwrap(), "sync"])
        .env("ROSTER_TEST_TOKEN", "sim-admin-token")
        .env_remove("ROSTER_STORE")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let said = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .take_while(|_| started.elapsed() < Duration::from_secs(60))
            .find(|l| l.contains("waiting"))
    })
    .await
    .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let said = said.expect("the sync said it was waiting");
    assert!(said.contains("[acme] waiting") && said.contains(" s for monday.com's complexity budget"), "{said}");
}
