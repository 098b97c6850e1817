//! Shared helpers for the HTTP tests: monday-sim with a generated org, a store, the app on a
//! loopback port with one key per role, and request helpers.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use monday_api::StateFilter;
use monday_sim::faults::FaultConfig;
use monday_sim::{generate, GenConfig, RunningSim, SimConfig};
use roster_engine::SyncOptions;
use roster_server::{app, hash_key, ApiKey, AppState, Role, ServedAccount};
use roster_store::{SqlStore, Store};
use serde_json::Value;

pub const ADMIN: &str = "admin-key-123";
pub const READER: &str = "reader-key-456";
pub const REQUESTER: &str = "requester-key-789";
pub const REVIEWER: &str = "reviewer-key-246";
/// A second admin (four-eyes approval).
pub const ADMIN2: &str = "second-admin-key-357";

pub struct Env {
    pub sim: RunningSim,
    pub base: String,
    pub store: Arc<dyn Store>,
    pub _server: tokio::task::JoinHandle<()>,
    pub doc: utoipa::openapi::OpenApi,
    pub state: Arc<AppState>,
}

pub async fn env(latency_ms: u64, interval: Duration) -> Env {
    env_with(latency_ms, interval, None).await
}

/// The same, reading the audit log as `audit_log` says and comparing with the source of truth
/// at `source` after each sync.
pub async fn env_full(
    latency_ms: u64,
    interval: Duration,
    audit_log: Option<roster_engine::audit_log::AuditReadOptions>,
    source: Option<std::path::PathBuf>,
) -> Env {
    env_inner(latency_ms, interval, audit_log, source).await
}

/// The same, reading the audit log after each sync as `audit_log` says.
pub async fn env_with(
    latency_ms: u64,
    interval: Duration,
    audit_log: Option<roster_engine::audit_log::AuditReadOptions>,
) -> Env {
    env_inner(latency_ms, interval, audit_log, None).await
}

async fn env_inner(
    latency_ms: u64,
    interval: Duration,
    audit_log: Option<roster_engine::audit_log::AuditReadOptions>,
    source: Option<std::path::PathBuf>,
) -> Env {
    let org =
        generate(&GenConfig { users: 200, teams: 10, workspaces: 5, boards: 40, ..GenConfig::default() }).unwrap();
    let faults = FaultConfig { latency_ms, ..FaultConfig::default() };
    let sim = roster_testkit::start_with(org, SimConfig { faults, ..SimConfig::default() }).await;
    let client = roster_testkit::client(&sim);
    let store: Arc<dyn Store> = Arc::new(SqlStore::in_memory().await.unwrap());
    let accounts = vec![ServedAccount {
        name: "acme".into(),
        client: Arc::new(client),
        options: SyncOptions { board_state: StateFilter::All, workspace_state: StateFilter::All },
        interval,
        scim: None,
        audit_log,
        source: source.map(|p| (p, roster_engine::scim::source::default_mapping())),
    }];
    let keys = vec![
        ApiKey { name: "ops".into(), role: Role::Admin, hash: hash_key(ADMIN) },
        ApiKey { name: "sec".into(), role: Role::Admin, hash: hash_key(ADMIN2) },
        ApiKey { name: "auditor".into(), role: Role::Reader, hash: hash_key(READER) },
        ApiKey { name: "dana".into(), role: Role::Requester, hash: hash_key(REQUESTER) },
        ApiKey { name: "Rita@acme.test".into(), role: Role::Reviewer, hash: hash_key(REVIEWER) },
    ];
    let state = Arc::new(AppState::new(Arc::clone(&store), accounts, keys, None));
    let (router, doc) = app(Arc::clone(&state));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Env { sim, base, store, _server: server, doc, state }
}

pub async fn call(e: &Env, method: &str, path: &str, key: Option<&str>) -> (u16, Value) {
    let mut req = reqwest::Client::new().request(method.parse().unwrap(), format!("{}{path}", e.base));
    if let Some(k) = key {
        req = req.header("Authorization", format!("Bearer {k}"));
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub async fn post_json(e: &Env, path: &str, key: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new().post(format!("{}{path}", e.base)).bearer_auth(key).json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// `POST /sync` (202 at once, with where to poll), then polls the run until it ends; returns
/// the run as `GET /syncs/{id}` shows it.
pub async fn synced(e: &Env) -> Value {
    // A sync that just completed may still hold the account for its after-sync work
    // (retention, checks): 409 until it is done, as a client would retry.
    let wait = std::time::Instant::now() + Duration::from_secs(60);
    let (s, started) = loop {
        let (s, started) = post_json(e, "/api/v1/accounts/acme/sync", ADMIN, Value::Null).await;
        if s != 409 || std::time::Instant::now() > wait {
            break (s, started);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(s, 202, "{started}");
    let poll = started["poll"].as_str().expect("where to poll").to_string();
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let (s, run) = call(e, "GET", &poll, Some(READER)).await;
        assert_eq!(s, 200, "{run}");
        if run["status"] != "running" {
            return run;
        }
        assert!(std::time::Instant::now() < deadline, "the sync did not end: {run}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Reads monday.com's audit log (a year back) into the store, as `roster serve` does after a
/// sync.
pub async fn read_audit_log(e: &Env) {
    let o = roster_engine::audit_log::AuditReadOptions { first_days: 365, ..Default::default() };
    roster_engine::audit_log::read_audit_log(
        e.store.as_ref(),
        &e.state.accounts[0].client,
        "acme",
        chrono::Utc::now(),
        &o,
    )
    .await
    .unwrap();
}
