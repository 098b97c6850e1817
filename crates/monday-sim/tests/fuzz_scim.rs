//! Fuzz: monday-sim's SCIM filter and PATCH path parsers, driven over HTTP with mutated real
//! inputs, answer every request with a SCIM status below 500 (never a panic, a dropped
//! connection or a 500), and a refused PATCH changes nothing.

use std::net::SocketAddr;

use monday_sim::{generate, GenConfig, Sim, SimConfig};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const TOKEN: &str = "sim-scim-token";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_filter_and_patch_answers_below_500() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let org = generate(&GenConfig { users: 12, teams: 2, workspaces: 1, boards: 2, ..GenConfig::default() }).unwrap();
    let scim_user = org.users.iter().find(|u| u.invitation_method == monday_sim::model::InvitationMethod::Scim);
    let user = scim_user.map_or(org.users[0].id, |u| u.id);
    let team = org.teams[0].id;
    let sim = monday_sim::spawn(Sim::new(org, SimConfig::default()).unwrap(), SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let base = format!("{}/scim/v2", sim.url());
    let http = reqwest::Client::new();
    let strategy = (
        fuzz_input::text(fuzz_input::corpus("scim-filters")),
        fuzz_input::input(fuzz_input::corpus("scim-patch")),
        any::<bool>(),
    );
    let mut runner = TestRunner::new(Config {
        cases: fuzz_input::cases(400),
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed),
        ..Config::default()
    });
    let handle = tokio::runtime::Handle::current();
    runner
        .run(&strategy, |(filter, patch, on_group)| {
            tokio::task::block_in_place(|| {
                handle.block_on(async {
                    for kind in ["Users", "Groups"] {
                        let q: String = url::form_urlencoded::byte_serialize(filter.as_bytes()).collect();
                        let r = http.get(format!("{base}/{kind}?filter={q}")).bearer_auth(TOKEN).send().await;
                        let status = match r {
                            Ok(r) => r.status().as_u16(),
                            // A request reqwest itself will not build is not the server's answer.
                            Err(e) if e.is_builder() => return Ok(()),
                            Err(e) => {
                                prop_assert!(false, "no answer: {e:?}");
                                0
                            }
                        };
                        prop_assert!(status != 0 && status < 500, "GET {} filter {:?}: {}", kind, filter, status);
                    }
                    let before = serde_json::to_string(sim.sim.world().org()).unwrap();
                    let target =
                        if on_group { format!("{base}/Groups/{team}") } else { format!("{base}/Users/{user}") };
                    let r = http
                        .patch(&target)
                        .bearer_auth(TOKEN)
                        .header("Content-Type", "application/scim+json")
                        .body(patch.clone())
                        .send()
                        .await;
                    let status = match r {
                        Ok(r) => r.status().as_u16(),
                        // A request reqwest itself will not build is not the server's answer.
                        Err(e) if e.is_builder() => return Ok(()),
                        Err(e) => {
                            prop_assert!(false, "no answer: {e:?}");
                            0
                        }
                    };
                    prop_assert!(
                        status != 0 && status < 500,
                        "PATCH {:?}: {}",
                        String::from_utf8_lossy(&patch),
                        status
                    );
                    if status >= 400 {
                        let after = serde_json::to_string(sim.sim.world().org()).unwrap();
                        prop_assert!(after == before, "a refused PATCH changed the state");
                    }
                    Ok(())
                })
            })
        })
        .unwrap();
}
