//! Fault injection is deterministic under a seed: the same seed and request order give the same
//! 5xx answers and dropped connections; faults are switched on and off at run time.

use crate::common;

use common::*;
use monday_sim::faults::FaultConfig;
use monday_sim::limits::LimitsConfig;
use monday_sim::SimConfig;
use serde_json::json;

/// Status of each of `n` requests; 0 for a dropped connection.
async fn statuses(sim: &monday_sim::RunningSim, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        let resp = client()
            .post(sim.graphql_url())
            .header("Authorization", ADMIN)
            .header("Content-Type", "application/json")
            .body(json!({"query": "{ me { id } }"}).to_string())
            .send()
            .await;
        let status = match resp {
            Ok(r) => {
                let s = r.status().as_u16();
                match r.bytes().await {
                    Ok(_) => s,
                    Err(_) => 0,
                }
            }
            Err(_) => 0,
        };
        out.push(status);
    }
    out
}

fn faulty(seed: u64) -> SimConfig {
    SimConfig {
        limits: LimitsConfig::unlimited(),
        faults: FaultConfig { error_rate: 0.15, drop_rate: 0.1, seed, ..FaultConfig::default() },
        frozen_clock: false,
        scim_any_user_name: false,
    }
}

#[tokio::test]
async fn same_seed_same_faults() {
    let a = start_with(org(30, 51), faulty(9)).await;
    let b = start_with(org(30, 51), faulty(9)).await;
    let sa = statuses(&a, 80).await;
    let sb = statuses(&b, 80).await;
    assert_eq!(sa, sb);
    assert!(sa.contains(&0), "some connections dropped: {sa:?}");
    assert!(sa.iter().any(|&s| s >= 500), "some 5xx: {sa:?}");
    assert!(sa.iter().filter(|&&s| s == 200).count() > 40, "most succeed: {sa:?}");
    let c = start_with(org(30, 51), faulty(10)).await;
    assert_ne!(statuses(&c, 80).await, sa, "another seed, another sequence");
    // The emulator counted what it did.
    let stats = a.sim.stats();
    assert_eq!(stats.requests, 80);
    assert_eq!(stats.by_status.get(&0).copied().unwrap_or(0), sa.iter().filter(|&&s| s == 0).count() as u64);
}

#[tokio::test]
async fn faults_switch_on_and_off_at_run_time() {
    let sim = start(org(30, 52)).await;
    assert!(statuses(&sim, 10).await.iter().all(|&s| s == 200));
    let cfg = json!({"error_rate": 1.0, "seed": 1});
    let r = client().put(format!("{}/_sim/faults", sim.url())).json(&cfg).send().await.unwrap();
    assert_eq!(r.status(), 204);
    let s = statuses(&sim, 10).await;
    assert!(s.iter().all(|&s| [500, 502, 503].contains(&s)), "{s:?}");
    let r = client().put(format!("{}/_sim/faults", sim.url())).json(&json!({"error_rate": 2.0})).send().await.unwrap();
    assert_eq!(r.status(), 400, "rates are checked");
    let r = client().put(format!("{}/_sim/faults", sim.url())).json(&json!({})).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert!(statuses(&sim, 10).await.iter().all(|&s| s == 200));
}

#[tokio::test]
async fn latency_is_added() {
    let cfg = SimConfig {
        limits: LimitsConfig::unlimited(),
        faults: FaultConfig { latency_ms: 150, ..FaultConfig::default() },
        frozen_clock: false,
        scim_any_user_name: false,
    };
    let sim = start_with(org(30, 53), cfg).await;
    let t = std::time::Instant::now();
    assert_eq!(statuses(&sim, 2).await, vec![200, 200]);
    assert!(t.elapsed() >= std::time::Duration::from_millis(300));
}
