//! The API token never appears in `Debug`, `Display`, errors or logs, with every log at TRACE
//! level captured (the client's own spans and events, and reqwest's and hyper's).

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use monday_api::{ApiToken, ApiVersion, Client, ClientConfig};
use monday_sim::faults::FaultConfig;
use monday_sim::limits::LimitsConfig;
use monday_sim::{generate, GenConfig, Sim, SimConfig};

const SECRET: &str = "tok-SECRET-7f3a9c1e5b2d4680aa";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn token_stays_out_of_everything() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .try_init()
        .expect("the only subscriber in this test binary");
    let _ = rustls::crypto::ring::default_provider().install_default();

    let org = generate(&GenConfig { users: 60, admin_token: SECRET.to_string(), ..GenConfig::default() }).unwrap();
    let limits = LimitsConfig { requests_per_minute: Some(3), window_secs: 1, ..LimitsConfig::unlimited() };
    let faults = FaultConfig { error_rate: 0.3, seed: 2, ..FaultConfig::default() };
    let sim = Sim::new(org, SimConfig { limits, faults, frozen_clock: false, scim_any_user_name: false }).unwrap();
    let sim = monday_sim::spawn(sim, SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();

    let mut cfg = ClientConfig::new(ApiToken::new(SECRET))
        .with_endpoint(sim.graphql_url().parse().unwrap())
        .with_version(ApiVersion::V2026_07);
    cfg.retry.min_backoff = std::time::Duration::from_millis(5);
    let client = Client::new(cfg).unwrap();
    for _ in 0..5 {
        client.account().await.expect("succeeds through 5xx and rate limits");
    }
    assert!(client.metrics().retries > 0, "retries were logged too");
    // A token one character off: an auth error, which must not echo either token.
    let wrong = format!("{SECRET}x");
    let mut cfg = client.config().clone();
    cfg.token = ApiToken::new(wrong.clone());
    let bad = Client::new(cfg).unwrap();
    let err = bad.account().await.unwrap_err();

    let shown = format!("{client:?}\n{bad:?}\n{err}\n{err:?}\n{:?}\n{}", client.config(), client.config().token);
    assert!(!shown.contains(SECRET), "{shown}");
    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("monday_request"), "the client's spans were captured");
    assert!(logs.contains("TRACE") || logs.contains("DEBUG"), "low-level logs were captured");
    assert!(logs.len() > 2_000, "a real amount of logging was captured: {} bytes", logs.len());
    assert!(!logs.contains(SECRET), "the token appears in the logs");
    assert!(!logs.contains(&wrong[..20]), "a token prefix appears in the logs");
}
