//! Each error a client can meet is answered with monday.com's status, `extensions.code` and
//! shape: authentication, validation, parse, version, transport and limits.

use crate::common;

use common::*;
use monday_sim::faults::FaultConfig;
use monday_sim::limits::LimitsConfig;
use monday_sim::SimConfig;
use serde_json::json;

#[tokio::test]
async fn authentication() {
    let sim = start(org(50, 31)).await;
    let q = json!({"query": "{ me { id } }"}).to_string();
    let a = post_raw(&sim.graphql_url(), &[("Content-Type", "application/json")], q.clone()).await;
    assert_eq!((a.status, a.code()), (401, "UNAUTHENTICATED"));
    assert!(a.message().contains("Authorization"), "says what to send: {}", a.message());
    let a = post_raw(&sim.graphql_url(), &[("Content-Type", "application/json"), ("Authorization", "nope")], q.clone())
        .await;
    assert_eq!((a.status, a.code()), (401, "UNAUTHENTICATED"));
    assert!(a.body["extensions"]["request_id"].is_string());
    // monday.com takes the raw token; a Bearer prefix works too.
    let a = post_raw(
        &sim.graphql_url(),
        &[("Content-Type", "application/json"), ("Authorization", "Bearer sim-admin-token")],
        q,
    )
    .await;
    assert_eq!(a.status, 200);
}

#[tokio::test]
async fn validation_errors_read_like_mondays() {
    let sim = start(org(50, 32)).await;
    let a = gql(&sim, ADMIN, None, "{ users { id nmae } }", json!({})).await;
    assert_eq!(a.status, 200);
    assert!(a.body.get("data").is_none(), "no data on a validation error: {}", a.body);
    assert_eq!(a.message(), "Field 'nmae' doesn't exist on type 'User'");
    assert_eq!(
        a.body["errors"][0]["extensions"],
        json!({"code": "undefinedField", "typeName": "User", "fieldName": "nmae"})
    );
    assert_eq!(a.body["errors"][0]["locations"], json!([{"line": 1, "column": 14}]));
    // graphql-ruby's path: the operation, then each field down to the one at fault.
    assert_eq!(a.body["errors"][0]["path"], json!(["query", "users", "nmae"]));

    let a = gql(&sim, ADMIN, None, "{ users(lmit: 5) { id } }", json!({})).await;
    assert_eq!(a.code(), "argumentNotAccepted");
    assert_eq!(a.message(), "Field 'users' doesn't accept argument 'lmit'");
    assert_eq!(a.body["errors"][0]["path"], json!(["query", "users"]));

    // An inline fragment on a type that does not exist is monday.com's undefinedType.
    let a = gql(&sim, ADMIN, None, "query Q { me { ... on Nope { id } } }", json!({})).await;
    assert_eq!(a.code(), "undefinedType", "{}", a.body);
    assert_eq!(a.message(), "No such type Nope, so it can't be a fragment condition");
    assert_eq!(a.body["errors"][0]["path"], json!(["query Q", "me", "... on Nope"]));

    let a = gql(&sim, ADMIN, None, "{ users(limit: \"five\") { id } }", json!({})).await;
    assert_eq!(a.code(), "argumentLiteralsIncompatible", "{}", a.body);

    let a = gql(&sim, ADMIN, None, "{ users }", json!({})).await;
    assert_eq!(a.code(), "selectionMismatch");

    let a = gql(&sim, ADMIN, None, "query($n: Int) { users(limit: $n) { id } }", json!({"n": "x"})).await;
    assert_eq!(a.status, 200);
    assert!(a.body["errors"][0]["message"].is_string(), "{}", a.body);
    assert!(a.body.get("data").is_none());

    let a = gql(&sim, ADMIN, None, "{ me { id ", json!({})).await;
    assert_eq!(a.status, 200);
    assert!(a.message().starts_with("Parse error at [1, 11]"), "{}", a.message());
    assert_eq!(a.body["errors"][0]["locations"], json!([{"line": 1, "column": 11}]));

    // me { teams { users { teams { ... { id } } } } }, nested past the depth limit.
    let mut deep = "id".to_string();
    for i in 0..16 {
        deep = format!("{} {{ {deep} }}", if i % 2 == 0 { "teams" } else { "users" });
    }
    let deep = format!("{{ me {{ {deep} }} }}");
    let a = gql(&sim, ADMIN, None, &deep, json!({})).await;
    assert_eq!(a.code(), "maxDepthExceeded", "{}", a.body);
}

#[tokio::test]
async fn application_errors_keep_partial_data() {
    let sim = start(org(50, 33)).await;
    let a = gql(&sim, ADMIN, None, "{ me { id } users(limit: 5000) { id } }", json!({})).await;
    assert_eq!(a.status, 200);
    assert!(a.body["data"]["me"]["id"].is_string());
    assert_eq!(a.body["data"]["users"], json!(null));
    assert_eq!(a.message(), "Limit exceeds the maximum allowed value of 1000.");
    assert_eq!(a.body["errors"][0]["path"], json!(["users"]));
    assert_eq!(a.body["errors"][0]["extensions"]["status_code"], 400);
    let a = gql(&sim, ADMIN, None, "{ boards(limit: 501) { id } }", json!({})).await;
    assert_eq!(a.message(), "Limit exceeds the maximum allowed value of 500.");
    let a = gql(&sim, ADMIN, None, "{ boards(page: 0) { id } }", json!({})).await;
    assert!(a.message().contains("pages start at 1"), "{}", a.message());
    let a = gql(&sim, ADMIN, None, "{ boards(ids: [\"x1\"]) { id } }", json!({})).await;
    assert_eq!(a.code(), "InvalidArgumentException");
}

#[tokio::test]
async fn versions_are_chosen_like_mondays() {
    let sim = start(org(50, 34)).await;
    for (sent, served) in
        [(None, "2026-10"), (Some("2026-07"), "2026-07"), (Some("2025-01"), "2026-07"), (Some("2031-04"), "2026-10")]
    {
        let a = gql(&sim, ADMIN, sent, "{ version { value } }", json!({})).await;
        assert_eq!(a.header("api-version"), Some(served), "{sent:?}");
        assert_eq!(a.body["data"]["version"]["value"], served, "{sent:?}");
    }
    let a = gql(&sim, ADMIN, Some("v2"), "{ version { value } }", json!({})).await;
    assert_eq!((a.status, a.code()), (400, "InvalidVersionException"));
}

#[tokio::test]
async fn transport_errors() {
    let sim = start(org(50, 35)).await;
    let url = sim.graphql_url();
    let auth = ("Authorization", ADMIN);
    let a = post_raw(&url, &[auth, ("Content-Type", "application/json")], "{\"query\": ").await;
    assert_eq!((a.status, a.code()), (400, "JsonParseException"));
    let a =
        post_raw(&url, &[auth, ("Content-Type", "application/json")], r#"{"query":"{ me { id } }","variables":"{}"}"#)
            .await;
    assert_eq!(a.status, 400);
    assert!(a.message().contains("'variables' must be a JSON object"), "{}", a.message());
    let a = post_raw(&url, &[auth, ("Content-Type", "text/plain")], "{ me { id } }").await;
    assert_eq!(a.status, 400);
    assert!(a.message().contains("application/json"));
    let a = post_raw(&url, &[auth, ("Content-Type", "application/json")], "{}").await;
    assert_eq!(a.status, 400);
    assert!(a.message().contains("No query string"));
    let huge = format!("{{\"query\": \"{{ me {{ id }} }}\", \"pad\": \"{}\"}}", "x".repeat(2 << 20));
    let a = post_raw(&url, &[auth, ("Content-Type", "application/json")], huge).await;
    assert_eq!((a.status, a.code()), (413, "PAYLOAD_TOO_LARGE"));
    // GET works as on monday.com, with URL-encoded query and variables.
    let resp = client()
        .get(format!(
            "{url}?query=query%28%24n%3AInt%29%7Busers%28limit%3A%24n%29%7Bid%7D%7D&variables=%7B%22n%22%3A2%7D"
        ))
        .header("Authorization", ADMIN)
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["data"]["users"].as_array().map(Vec::len), Some(2), "{body}");
    let a = post_raw(&format!("{}/nope", sim.url()), &[], "").await;
    assert_eq!(a.status, 404);
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after() {
    let limits = LimitsConfig { requests_per_minute: Some(3), ..LimitsConfig::unlimited() };
    let sim = start_with(
        org(50, 36),
        SimConfig { limits, faults: FaultConfig::default(), frozen_clock: true, scim_any_user_name: false },
    )
    .await;
    for _ in 0..3 {
        assert_eq!(gql(&sim, ADMIN, None, "{ me { id } }", json!({})).await.status, 200);
    }
    let a = gql(&sim, ADMIN, None, "{ me { id } }", json!({})).await;
    assert_eq!((a.status, a.code()), (429, "MINUTE_RATE_LIMIT_EXCEEDED"));
    assert_eq!(a.header("retry-after"), Some("60"));
    assert_eq!(a.body["errors"][0]["extensions"]["retry_in_seconds"], 60);
    // Another token has its own allowance.
    assert_eq!(gql(&sim, MEMBER, None, "{ me { id } }", json!({})).await.status, 200);
}
