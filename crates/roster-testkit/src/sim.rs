//! monday-sim with a generated org, on an ephemeral loopback port.

use std::net::SocketAddr;

use monday_sim::{generate, GenConfig, Org, RunningSim, Sim, SimConfig};

/// The token of the generated org's admin.
pub const ADMIN: &str = "sim-admin-token";
/// The token of a member (not an admin).
pub const MEMBER: &str = "sim-member-token";
/// The token of a guest.
pub const GUEST: &str = "sim-guest-token";

/// A generated org of `users` users, teams, workspaces and boards scaled with it (at least
/// three teams and workspaces and five boards, so a small org still has every kind of grant).
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

/// Starts monday-sim serving `org` with `config` on a free loopback port.
pub async fn start_with(org: Org, config: SimConfig) -> RunningSim {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Sim::new(org, config).expect("sim");
    monday_sim::spawn(sim, SocketAddr::from(([127, 0, 0, 1], 0))).await.expect("spawn")
}

/// Starts monday-sim serving `org` with the default configuration (an Enterprise account's
/// limits, no faults).
pub async fn start(org: Org) -> RunningSim {
    start_with(org, SimConfig::default()).await
}
