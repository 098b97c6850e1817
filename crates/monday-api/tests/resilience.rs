//! Under injected 5xx and dropped connections, a tiny complexity budget, or a request-rate
//! limit, the client still returns exactly the ground truth; no retryable error reaches the
//! caller, and waits are as long as monday.com says. Errors retrying cannot fix fail fast.

use crate::common;

use std::time::{Duration, Instant};

use common::*;
use futures::TryStreamExt;
use monday_api::{ApiVersion, Error, UserFilter};
use monday_sim::faults::FaultConfig;
use monday_sim::limits::LimitsConfig;

#[tokio::test]
async fn exact_results_through_5xx_and_dropped_connections() {
    let org = org(600, 81);
    let faults = FaultConfig { error_rate: 0.1, drop_rate: 0.1, seed: 4, ..FaultConfig::default() };
    let sim = sim(org.clone(), LimitsConfig::unlimited(), faults).await;
    let mut retries = 0;
    for version in ApiVersion::ALL {
        let mut cfg = client(&sim, version, ADMIN).config().clone();
        // Small pages: many requests, so many chances to meet a fault.
        (cfg.users_page, cfg.boards_page, cfg.workspaces_page) = (50, 10, 5);
        let c = monday_api::Client::new(cfg).unwrap();
        let snap = read_all(&c).await.unwrap_or_else(|e| panic!("{version}: {e}"));
        assert_matches(&snap, &org);
        let m = c.metrics();
        assert_eq!(m.failed, 0);
        retries += m.retries;
    }
    assert!(retries > 10, "faults were met and retried: {retries}");
    let stats = sim.sim.stats();
    assert!(stats.by_status.get(&0).copied().unwrap_or(0) > 0, "connections were dropped: {stats:?}");
    assert!(stats.by_status.keys().any(|s| *s >= 500), "5xx were sent: {stats:?}");
}

#[tokio::test]
async fn a_tiny_budget_pauses_the_client_without_errors() {
    // One page at a time, and four pages of the list asked at once: the pacer keeps both
    // under the wall (with four at once, requests that waited for a window's first answer
    // once reserved a stale estimate of 0 and overran it).
    for look_ahead in [1, 4] {
        tiny_budget(look_ahead).await;
    }
}

async fn tiny_budget(look_ahead: usize) {
    let org = org(1000, 82);
    // A 2-second window holding two pages of users: the client must wait for refills.
    let limits = LimitsConfig { complexity_per_minute: Some(15_000), window_secs: 2, ..LimitsConfig::unlimited() };
    let sim = sim(org.clone(), limits, FaultConfig::default()).await;
    let c = client(&sim, ApiVersion::V2026_10, ADMIN);
    let mut cfg = c.config().clone();
    cfg.users_page = 200; // 6,010 points a page (each user's role and department are objects): two pages per window
    cfg.look_ahead = look_ahead;
    let c = monday_api::Client::new(cfg).unwrap();
    let started = Instant::now();
    let users: Vec<Vec<monday_api::User>> =
        c.users(UserFilter::default()).try_collect().await.expect("no error reaches the caller");
    let users = users.concat();
    assert_eq!(users.len(), org.users.len());
    let m = c.metrics();
    let stats = sim.sim.stats();
    assert_eq!(stats.by_status.get(&429), None, "the pacer waited before the wall: {m:?} {stats:?}");
    assert!(stats.complexity > 30_000, "more than two windows' budget was spent");
    assert!(started.elapsed() >= Duration::from_secs(3), "the client paused for refills: {:?}", started.elapsed());
}

#[tokio::test]
async fn budget_exhausted_by_someone_else_waits_as_long_as_monday_says() {
    let org = org(200, 83);
    let limits = LimitsConfig { complexity_per_minute: Some(3_000), window_secs: 3, ..LimitsConfig::unlimited() };
    let sim = sim(org, limits, FaultConfig::default()).await;
    // Another process with the same token spends the budget first.
    let other = client(&sim, ApiVersion::V2026_10, ADMIN);
    let _ = other.team_ids().await.unwrap();
    let _ = other.team_ids().await.unwrap();
    let c = client(&sim, ApiVersion::V2026_10, ADMIN);
    let started = Instant::now();
    let account = c.account().await.expect("waits, then succeeds");
    assert_eq!(account.slug, "acme-example");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(2) && waited < Duration::from_secs(5), "waited {waited:?} for a 3 s window");
    assert_eq!(c.metrics().rate_limited, 1);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let org = org(200, 84);
    let limits = LimitsConfig { requests_per_minute: Some(2), window_secs: 3, ..LimitsConfig::unlimited() };
    let sim = sim(org, limits, FaultConfig::default()).await;
    let c = client(&sim, ApiVersion::V2026_10, ADMIN);
    let started = Instant::now();
    for _ in 0..3 {
        c.team_ids().await.expect("third call waits for the next window");
    }
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(2) && waited < Duration::from_secs(5), "{waited:?}");
    assert_eq!(c.metrics().rate_limited, 1, "one 429, then the wait it prescribed");
}

#[tokio::test]
async fn auth_and_query_errors_fail_fast() {
    let sim = sim(org(100, 85), LimitsConfig::default(), FaultConfig::default()).await;
    let c = client(&sim, ApiVersion::V2026_10, "wrong-token");
    let started = Instant::now();
    let e = c.account().await.unwrap_err();
    assert!(matches!(e, Error::Unauthorized { .. }), "{e:?}");
    assert!(e.to_string().contains("token"), "{e}");
    assert_eq!(c.metrics().requests, 1, "no retry of an auth error");
    // A 2026-07 document sent as 2026-10: monday.com rejects the legacy fields.
    let c = client(&sim, ApiVersion::V2026_10, ADMIN);
    let vars = monday_api::queries::users_legacy::Variables { limit: 5, page: 1, status: None };
    let e = c.query::<monday_api::queries::UsersLegacy>("UsersLegacy", vars).await.unwrap_err();
    assert!(matches!(&e, Error::InvalidQuery { code, .. } if code == "undefinedField"), "{e:?}");
    assert!(e.to_string().contains("2026-10"));
    assert_eq!(c.metrics().requests, 1);
    assert!(started.elapsed() < Duration::from_secs(2));
    // Nothing listens: a transport error naming the endpoint, after bounded retries.
    let mut cfg = c.config().clone();
    cfg.endpoint = "http://127.0.0.1:9/v2".parse().unwrap();
    cfg.retry.max_retries = 2;
    let e = monday_api::Client::new(cfg).unwrap().account().await.unwrap_err();
    assert!(
        matches!(&e, Error::RetriesExhausted { attempts: 3, last, .. } if matches!(**last, Error::Transport { .. })),
        "{e:?}"
    );
    assert!(e.to_string().contains("127.0.0.1:9"), "{e}");
}

#[tokio::test]
async fn configuration_is_checked() {
    let cfg = monday_api::ClientConfig::new(monday_api::ApiToken::new("  "));
    assert!(matches!(monday_api::Client::new(cfg), Err(monday_api::ConfigError::EmptyToken)));
    let mut cfg = monday_api::ClientConfig::new(monday_api::ApiToken::new("t"));
    cfg.users_page = 5000;
    assert!(monday_api::Client::new(cfg).unwrap_err().to_string().contains("users_page"));
}

/// An endpoint nobody listens on fails in seconds with the cause said once, not after minutes
/// of retries (114 s and 11 attempts before).
#[tokio::test]
async fn an_unreachable_endpoint_fails_fast() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let mut cfg = monday_api::ClientConfig::new(monday_api::ApiToken::new("t"))
        .with_endpoint(format!("http://127.0.0.1:{port}/v2").parse().unwrap());
    cfg.retry.min_backoff = Duration::from_millis(50);
    let c = monday_api::Client::new(cfg).unwrap();
    let started = Instant::now();
    let e = c.account().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(15), "took {:?}", started.elapsed());
    let attempts = match &e {
        Error::RetriesExhausted { attempts, .. } => *attempts,
        _ => 1,
    };
    assert!(attempts <= 4, "{attempts} attempts: {e}");
    let text = e.to_string();
    assert!(text.contains(&port.to_string()), "names where it tried: {text}");
}

/// Pages asked ahead that have come back while their reader is busy completing the pages
/// before them (re-reading long member lists) hold no points, no request slot and no place
/// in the budget's queue: a window that refilled while they sat unread once waited for them
/// to be read, which waited for the re-read, which waited for the window: the sync stood
/// still for good (seen at 100,000 users with monday.com's default budget).
#[tokio::test]
async fn pages_asked_ahead_and_unread_do_not_stall_a_tight_budget() {
    for budget in [6_000, 10_000, 15_000] {
        ahead_under_budget(budget).await;
    }
}

async fn ahead_under_budget(budget: u64) {
    let org = org(2_000, 85);
    let n = org.workspaces.len() as u64;
    // Each window holds a few pages of two workspaces; a re-read of long member lists does not
    // fit what a window has left, so it waits for the refill with pages in flight.
    let limits = LimitsConfig { complexity_per_minute: Some(budget), window_secs: 1, ..LimitsConfig::unlimited() };
    let sim = sim(org.clone(), limits, FaultConfig::default()).await;
    let mut cfg = client(&sim, ApiVersion::V2026_10, ADMIN).config().clone();
    cfg.workspaces_page = 2;
    let c = monday_api::Client::new(cfg).unwrap();
    let read = c.workspaces_from(monday_api::StateFilter::All, 0, Some(n), monday_api::ListLengths::default());
    let pages: Vec<Vec<monday_api::Workspace>> = tokio::time::timeout(Duration::from_secs(60), read.try_collect())
        .await
        .expect("the read ends: no page in flight holds the budget")
        .expect("no error reaches the caller");
    let mut got: Vec<_> = pages.concat();
    got.sort_by_key(|w| w.id);
    let mut want = org.workspaces.clone();
    want.sort_by_key(|w| w.id);
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!((g.id, g.members.len(), g.owners.len()), (w.id, w.members.len(), w.owners.len()));
    }
    assert!(sim.sim.stats().complexity > 2 * budget, "more than two windows were spent");
}
