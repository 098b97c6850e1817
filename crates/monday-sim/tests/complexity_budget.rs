//! The complexity budget: each query is charged before it runs, `complexity` tells the truth,
//! an exhausted budget answers 429 with monday's retry hint, and it refills 60 s after the
//! window opened (tested with the emulator's controllable clock).

use crate::common;

use common::*;
use monday_sim::faults::FaultConfig;
use monday_sim::limits::LimitsConfig;
use monday_sim::SimConfig;
use serde_json::json;

async fn advance(sim: &monday_sim::RunningSim, secs: f64) {
    let r = client()
        .post(format!("{}/_sim/clock", sim.url()))
        .json(&json!({"advance_seconds": secs}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn budget_is_charged_reported_and_refilled_on_schedule() {
    let limits = LimitsConfig {
        complexity_per_minute: Some(25_000),
        max_query_complexity: Some(20_000),
        ..LimitsConfig::unlimited()
    };
    let sim = start_with(
        org(100, 41),
        SimConfig { limits, faults: FaultConfig::default(), frozen_clock: true, scim_any_user_name: false },
    )
    .await;
    let q = "{ complexity { before query after reset_in_x_seconds } users(limit: 1000) { id } }";
    // 10 (complexity) + 1000 × 10 (users): monday's published figure.
    let a = gql(&sim, ADMIN, None, q, json!({})).await;
    assert_eq!(
        a.body["data"]["complexity"],
        json!({"before": 25_000, "query": 10_010, "after": 14_990, "reset_in_x_seconds": 60})
    );
    assert_eq!(a.header("ratelimit"), Some("\"complexityMinute\";r=14990;t=60"));
    advance(&sim, 20.0).await;
    let a = gql(&sim, ADMIN, None, q, json!({})).await;
    assert_eq!(
        a.body["data"]["complexity"],
        json!({"before": 14_990, "query": 10_010, "after": 4_980, "reset_in_x_seconds": 40})
    );
    advance(&sim, 5.0).await;
    let a = gql(&sim, ADMIN, None, q, json!({})).await;
    assert_eq!((a.status, a.code()), (429, "COMPLEXITY_BUDGET_EXHAUSTED"));
    assert_eq!(a.header("retry-after"), Some("35"));
    assert_eq!(a.body["errors"][0]["extensions"]["retry_in_seconds"], 35);
    assert_eq!(a.body["errors"][0]["extensions"]["complexity_budget_left"], 4_980);
    // Refused queries are not charged; a cheap one still fits.
    let a = gql(&sim, ADMIN, None, "{ complexity { before query after } me { id } }", json!({})).await;
    assert_eq!(a.body["data"]["complexity"], json!({"before": 4_980, "query": 20, "after": 4_960}));
    advance(&sim, 34.0).await;
    assert_eq!(gql(&sim, ADMIN, None, q, json!({})).await.status, 429, "one second early");
    advance(&sim, 1.0).await;
    let a = gql(&sim, ADMIN, None, q, json!({})).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["data"]["complexity"]["before"], 25_000, "full budget 60 s after the window opened");
}

#[tokio::test]
async fn a_query_over_the_single_query_cap_is_refused_without_a_retry_hint() {
    let sim = start_with(org(100, 42), SimConfig::default()).await;
    // 500 boards × (10 + 100 × 10 subscribers) × ... exceeds 5,000,000.
    let q = "{ boards(limit: 500) { subscribers { teams { id } } } }";
    let a = gql(&sim, ADMIN, None, q, json!({})).await;
    assert_eq!(a.status, 200);
    assert_eq!(a.code(), "COMPLEXITY_BUDGET_EXHAUSTED");
    assert!(a.message().contains("exceeds max complexity of 5000000"), "{}", a.message());
    assert!(a.header("retry-after").is_none());
    assert!(a.body["errors"][0]["extensions"]["complexity"].as_u64().unwrap() > 5_000_000);
    // Nothing was charged.
    let a = gql(&sim, ADMIN, None, "{ complexity { before } }", json!({})).await;
    assert_eq!(a.body["data"]["complexity"]["before"], 10_000_000);
}

#[tokio::test]
async fn invalid_queries_are_not_charged_and_budget_reset_works() {
    let limits = LimitsConfig { complexity_per_minute: Some(1_000), ..LimitsConfig::unlimited() };
    let sim = start_with(
        org(100, 43),
        SimConfig { limits, faults: FaultConfig::default(), frozen_clock: true, scim_any_user_name: false },
    )
    .await;
    let a = gql(&sim, ADMIN, None, "{ users(limit: 50) { id nmae } }", json!({})).await;
    assert_eq!(a.code(), "undefinedField");
    let a = gql(&sim, ADMIN, None, "{ complexity { before } users(limit: 50) { id } }", json!({})).await;
    assert_eq!(a.body["data"]["complexity"]["before"], 1_000);
    assert_eq!(gql(&sim, ADMIN, None, "{ users(limit: 50) { id } }", json!({})).await.status, 429);
    let r = client().post(format!("{}/_sim/budget/reset", sim.url())).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(gql(&sim, ADMIN, None, "{ users(limit: 50) { id } }", json!({})).await.status, 200);
}
