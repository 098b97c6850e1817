//! A monday-api client pointed at a running monday-sim.

use std::time::Duration;

use monday_api::{ApiToken, ApiVersion, Client, ClientConfig};
use monday_sim::RunningSim;

/// A client configuration for `sim` with `token`, retrying fast (milliseconds, not seconds) so
/// fault tests finish quickly.
pub fn client_config(sim: &RunningSim, version: ApiVersion, token: &str) -> ClientConfig {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut cfg = ClientConfig::new(ApiToken::new(token))
        .with_endpoint(sim.graphql_url().parse().expect("url"))
        .with_version(version);
    cfg.retry.min_backoff = Duration::from_millis(5);
    cfg.retry.max_backoff = Duration::from_millis(50);
    cfg
}

/// A client for `sim` as its admin, on the current API version.
pub fn client(sim: &RunningSim) -> Client {
    Client::new(client_config(sim, ApiVersion::default(), super::ADMIN)).expect("client")
}
