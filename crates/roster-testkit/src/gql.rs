//! Raw HTTP and GraphQL calls, for tests of what monday-sim answers byte for byte.

use monday_sim::RunningSim;
use serde_json::{json, Value};

use crate::ADMIN;

/// One HTTP answer.
#[derive(Debug)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body as JSON (a string when it is not JSON).
    pub body: Value,
}

impl Answer {
    /// A header, when it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// The first error's `extensions.code`.
    pub fn code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"].as_str().unwrap_or("")
    }
    /// The first error's message.
    pub fn message(&self) -> &str {
        self.body["errors"][0]["message"].as_str().unwrap_or("")
    }
}

/// An HTTP client (rustls).
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// POSTs a raw body.
pub async fn post_raw(url: &str, headers: &[(&str, &str)], body: impl Into<reqwest::Body>) -> Answer {
    let mut req = http().post(url).body(body);
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
