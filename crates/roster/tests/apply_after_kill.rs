//! `kill -9` a `roster scim apply`, or a `roster serve` running a plan, part-way, then
//! `roster sync`: every step of the plan has
//! exactly one outcome event (the answer recorded after its call, or, for a step cut off
//! between its call and the record, the sync's `action_confirmed` / `action_not_applied`),
//! what monday-sim holds agrees with those outcomes, and applying the plan again is refused
//! (nothing is applied twice).

use crate::common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use monday_sim::faults::FaultConfig;
use monday_sim::{generate, GenConfig, Sim, SimConfig};
use roster_store::prelude::*;
use roster_store::{EventQuery, SqlStore};

/// monday-sim with a small org whose every answer takes 12 ms, so a kill lands part-way.
async fn slow_sim(seed: u64) -> monday_sim::RunningSim {
    let org =
        generate(&GenConfig { users: 40, teams: 3, workspaces: 2, boards: 6, seed, ..GenConfig::default() }).unwrap();
    let faults = FaultConfig { latency_ms: 12, ..FaultConfig::default() };
    let sim = Sim::new(org, SimConfig { faults, ..SimConfig::default() }).unwrap();
    monday_sim::spawn(sim, SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap()
}

/// A count once it stops moving: a call monday-sim received before the kill still completes.
async fn settled(count: impl Fn() -> usize) -> usize {
    let mut last = count();
    loop {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let now = count();
        if now == last {
            return now;
        }
        last = now;
    }
}

/// Each change recorded as `requested` (by its description) and the outcomes recorded for it:
/// its answer (`answer` reads one) or, for a change cut off between its call and the record,
/// the next sync's `action_confirmed` / `action_not_applied`.
fn outcomes<'a>(
    events: &'a [roster_store::EventRow],
    requested: &str,
    answer: impl Fn(&roster_store::EventRow) -> Option<String>,
) -> BTreeMap<&'a str, Vec<String>> {
    let mut out: BTreeMap<&str, Vec<String>> = events
        .iter()
        .filter(|e| e.kind == requested)
        .map(|e| (e.detail["description"].as_str().unwrap(), vec![]))
        .collect();
    for e in events {
        let Some(list) = e.detail["description"].as_str().and_then(|d| out.get_mut(d)) else { continue };
        let recovered = matches!(e.kind.as_str(), "action_confirmed" | "action_not_applied")
            && e.detail["recorded_outcome"] == "requested";
        if let Some(a) = answer(e) {
            list.push(a);
        } else if recovered {
            list.push(e.kind.clone());
        }
    }
    out
}

fn cmd(cfg: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--config")
        .arg(cfg)
        .args(args)
        .env("ROSTER_TEST_TOKEN", "sim-admin-token")
        .env("ROSTER_TEST_SCIM", "sim-scim-token")
        .env_remove("ROSTER_STORE")
        .env_remove("ROSTER_ACCOUNT");
    c
}

async fn run(cfg: &Path, args: &[&str]) -> std::process::Output {
    let mut c = cmd(cfg, args);
    tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_scim_apply_leaves_one_outcome_per_step() {
    let sim = slow_sim(3).await;
    let dir = Dir::new("scim-kill");
    let cfg = dir.0.join("roster.toml");
    std::fs::write(
        &cfg,
        format!(
            "[store]\npath = \"roster.db\"\n[[accounts]]\nname = \"acme\"\napi_url = \"{}\"\ntoken_env = \"ROSTER_TEST_TOKEN\"\nscim_url = \"{}/scim/v2\"\nscim_token_env = \"ROSTER_TEST_SCIM\"\n",
            sim.graphql_url(),
            sim.url()
        ),
    )
    .unwrap();
    let mut people = String::from("email,first_name,last_name,groups\n");
    for i in 0..300 {
        people.push_str(&format!("hire{i}@acme-example.com,Hire,Number {i},Kill Test\n"));
    }
    let src = dir.0.join("people.csv");
    std::fs::write(&src, people).unwrap();
    let plan = dir.0.join("plan.json");
    let o = run(&cfg, &["scim", "plan", "--source", src.to_str().unwrap(), "--out", plan.to_str().unwrap()]).await;
    assert!(o.status.success(), "{}", stderr(&o));

    let steps = serde_json::from_slice::<serde_json::Value>(&std::fs::read(&plan).unwrap()).unwrap()["steps"]
        .as_array()
        .unwrap()
        .len();
    let hires = |w: &monday_sim::World| w.users().iter().filter(|u| u.email.starts_with("hire")).count();
    // Kill the apply about a third of the way through its calls.
    let mut child = cmd(&cfg, &["scim", "apply", "--plan", plan.to_str().unwrap(), "--allow-mass-change"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while hires(&sim.sim.world()) < 100 {
        assert!(Instant::now() < deadline, "the apply made no progress");
        if child.try_wait().unwrap().is_some() {
            let out = child.wait_with_output().unwrap();
            let (o, e) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            panic!("the apply finished before it could be killed: {o}{e}");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // A call already received when the process died still completes in monday-sim: count once
    // the count is still.
    let applied = settled(|| hires(&sim.sim.world())).await;
    assert!(applied > 0 && applied < 300, "killed part-way: {applied} of 300 created");

    // The next sync resolves what has no answer.
    let o = run(&cfg, &["sync"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let store = SqlStore::open(&dir.0.join("roster.db")).await.unwrap();
    assert!(store.open_pending("acme").await.unwrap().is_empty(), "every step resolved");
    let events = store.events(&EventQuery { limit: Some(100_000), ..EventQuery::default() }).await.unwrap();
    let outcomes = outcomes(&events, "scim.requested", |e| {
        let answered = e.kind.starts_with("scim.") && e.kind != "scim.requested";
        answered.then(|| e.detail["status"].as_str().unwrap_or_default().to_string())
    });
    assert_eq!(outcomes.len(), steps, "every step recorded before the first call");
    let world = sim.sim.world();
    for (desc, list) in &outcomes {
        assert_eq!(list.len(), 1, "{desc}: exactly one outcome, got {list:?}");
        if let Some(email) = desc.strip_prefix("create user ").and_then(|d| d.split(' ').next()) {
            let exists = world.users().iter().any(|u| u.email == email);
            let said = matches!(list[0].as_str(), "succeeded" | "action_confirmed");
            assert_eq!(exists, said, "{desc}: monday-sim and the outcome {list:?} agree");
        }
    }

    // The same plan again is refused: monday.com changed since it was made.
    let o = run(&cfg, &["scim", "apply", "--plan", plan.to_str().unwrap(), "--allow-mass-change"]).await;
    assert!(!o.status.success() && stderr(&o).contains("changed since the plan was made"), "{}", stderr(&o));
    assert_eq!(hires(&sim.sim.world()), applied, "nothing applied twice");
}

/// The first `http://` URL a process prints, waiting for it.
fn first_url(out: &mut impl std::io::BufRead) -> String {
    let mut line = String::new();
    while out.read_line(&mut line).unwrap() > 0 {
        if let Some(at) = line.find("http://") {
            return line[at..].split_whitespace().next().unwrap().to_string();
        }
        line.clear();
    }
    panic!("the server printed no URL");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_served_plan_killed_part_way_leaves_one_outcome_per_action() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = slow_sim(4).await;
    let dir = Dir::new("serve-kill");
    let cfg = dir.0.join("roster.toml");
    let key = "kill-test-admin-key-0123456789";
    std::fs::write(
        &cfg,
        format!(
            "[store]\npath = \"roster.db\"\n[server]\nlisten = \"127.0.0.1:0\"\n[[server.api_keys]]\nname = \"ops\"\nrole = \"admin\"\nhash = \"{}\"\n[[accounts]]\nname = \"acme\"\napi_url = \"{}\"\ntoken_env = \"ROSTER_TEST_TOKEN\"\nsync_interval_seconds = 86400\n",
            roster_server::hash_key(key),
            sim.graphql_url()
        ),
    )
    .unwrap();
    let o = run(&cfg, &["sync"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let mut server = cmd(&cfg, &["serve"]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let base = {
        let mut out = std::io::BufReader::new(server.stdout.take().unwrap());
        first_url(&mut out).trim_end_matches("/api/v1").to_string()
    };
    // 300 teams, one call each: the server is killed about a third of the way through.
    let actions: Vec<serde_json::Value> = (0..300)
        .map(|i| serde_json::json!({ "action": "create_team", "name": format!("Kill Test {i}"), "members": [] }))
        .collect();
    let body = serde_json::json!({ "actions": actions, "reason": "kill test" });
    let url = format!("{base}/api/v1/accounts/acme/plans");
    let mut post = tokio::spawn(async move {
        let r = reqwest::Client::new().post(url).bearer_auth(key).json(&body).send().await?;
        let status = r.status().as_u16();
        r.text().await.map(|t| format!("{status} {t}"))
    });
    let made = |w: &monday_sim::World| w.teams().iter().filter(|t| t.name.starts_with("Kill Test ")).count();
    let deadline = Instant::now() + Duration::from_secs(60);
    while made(&sim.sim.world()) < 100 {
        assert!(Instant::now() < deadline, "the plan made no progress");
        assert!(server.try_wait().unwrap().is_none(), "the server stopped by itself");
        if post.is_finished() {
            panic!("the plan was answered before the kill: {:?}", (&mut post).await.unwrap());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();
    // (Had the plan finished, the client would hold a 200: it must see the connection die.)
    assert!(post.await.unwrap().is_err(), "the client saw the connection die, not an answer");
    let applied = settled(|| made(&sim.sim.world())).await;
    assert!(applied > 0 && applied < 300, "killed part-way: {applied} of 300 created");

    // The next sync resolves every action that has no answer.
    let o = run(&cfg, &["sync"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let store = SqlStore::open(&dir.0.join("roster.db")).await.unwrap();
    assert!(store.open_pending("acme").await.unwrap().is_empty(), "every action resolved");
    let events = store.events(&EventQuery { limit: Some(100_000), ..EventQuery::default() }).await.unwrap();
    let outcomes = outcomes(&events, "action_requested", |e| {
        matches!(e.kind.as_str(), "action_succeeded" | "action_failed").then(|| e.kind.clone())
    });
    assert_eq!(outcomes.len(), 300, "every action recorded before the first call");
    let world = sim.sim.world();
    for (desc, list) in &outcomes {
        assert_eq!(list.len(), 1, "{desc}: exactly one outcome, got {list:?}");
        let name = desc.split('"').nth(1).unwrap();
        let copies = world.teams().iter().filter(|t| t.name == name).count();
        assert!(copies <= 1, "{name}: created {copies} times");
        let said = matches!(list[0].as_str(), "action_succeeded" | "action_confirmed");
        assert_eq!(copies == 1, said, "{desc}: monday-sim and the outcome {list:?} agree");
    }
}
