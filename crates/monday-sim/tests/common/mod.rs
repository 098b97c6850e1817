//! Shared helpers: start monday-sim on an ephemeral loopback port and talk to it over HTTP.
#![allow(dead_code)]

use std::net::SocketAddr;

use monday_sim::faults::FaultConfig;
use monday_sim::limits::LimitsConfig;
use monday_sim::{generate, GenConfig, Org, RunningSim, Sim, SimConfig};
use serde_json::{json, Value};

pub const ADMIN: &str = "sim-admin-token";
pub const MEMBER: &str = "sim-member-token";
pub const GUEST: &str = "sim-guest-token";

/// A generated org of `users` users (teams, workspaces and boards scaled with it).
pub fn org(users: usize, seed: u64) -> Org {
    generate(&GenConfig {
        users,
        teams: (users / 20).max(3),
        workspaces: (users / 50).max(3),
        boards: (users / 5).max(5),
        seed,
        ..GenConfig::default()
    })
    .expect("generate")
}

/// Starts a sim serving `org` with `config`.
pub async fn start_with(org: Org, config: SimConfig) -> RunningSim {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Sim::new(org, config).expect("sim");
    monday_sim::spawn(sim, SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("spawn")
}

/// Starts a sim with limits off and no faults.
pub async fn start(org: Org) -> RunningSim {
    start_with(
        org,
        SimConfig {
            limits: LimitsConfig::unlimited(),
            faults: FaultConfig::default(),
            frozen_clock: false,
            scim_any_user_name: false,
        },
    )
    .await
}

/// One HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// The first error's `extensions.code`.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"].as_str().unwrap_or("")
    }
    pub fn message(&self) -> &str {
        self.body["errors"][0]["message"].as_str().unwrap_or("")
    }
}

pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// POSTs a raw body.
pub async fn post_raw(url: &str, headers: &[(&str, &str)], body: impl Into<reqwest::Body>) -> Answer {
    let mut req = client().post(url).body(body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.expect("send");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.expect("body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    Answer { status, headers, body }
}

/// POSTs a GraphQL query with `token` and an optional API version.
pub async fn gql(sim: &RunningSim, token: &str, version: Option<&str>, query: &str, variables: Value) -> Answer {
    let mut headers = vec![("Authorization", token), ("Content-Type", "application/json")];
    if let Some(v) = version {
        headers.push(("API-Version", v));
    }
    post_raw(&sim.graphql_url(), &headers, json!({ "query": query, "variables": variables }).to_string()).await
}

/// Runs a query as admin on the current version and returns `data`, failing on any error.
pub async fn data(sim: &RunningSim, query: &str) -> Value {
    let a = gql(sim, ADMIN, None, query, json!({})).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert!(a.body.get("errors").is_none(), "errors: {}", a.body);
    a.body["data"].clone()
}

/// Ids of a JSON list of objects, as numbers.
pub fn ids(list: &Value) -> Vec<u64> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|o| o["id"].as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("bad id in {o}")))
        .collect()
}
