//! Shared helpers: monday-sim on an ephemeral loopback port (from roster-testkit) and raw
//! HTTP/GraphQL calls to it; what is the emulator's own tests' alone is here.
#![allow(dead_code)]

use monday_sim::faults::FaultConfig;
use monday_sim::limits::LimitsConfig;
use monday_sim::{Org, RunningSim, SimConfig};

pub use roster_testkit::gql::{data, gql, http as client, ids, post_raw};
pub use roster_testkit::{org, start_with, ADMIN, GUEST, MEMBER};

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
