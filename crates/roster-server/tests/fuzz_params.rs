//! Fuzz: the API's query parameters. Any query string on the read routes answers with the
//! documented JSON error or a page, never a 5xx or a dropped connection.

use crate::common;

use std::time::Duration;

use common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn any_query_string_answers_below_500() {
    let e = env(0, Duration::from_secs(3600)).await;
    synced(&e).await;
    let http = reqwest::Client::new();
    let routes = vec!["users", "events", "reports/inactive", "reports/external", "syncs", "teams", "boards", "jit"];
    let strategy = (fuzz_input::text(fuzz_input::corpus("query")), proptest::sample::select(routes));
    let mut runner = TestRunner::new(Config {
        cases: fuzz_input::cases(300),
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed),
        ..Config::default()
    });
    let handle = tokio::runtime::Handle::current();
    runner
        .run(&strategy, |(query, route)| {
            tokio::task::block_in_place(|| {
                handle.block_on(async {
                    let q: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
                    // As the raw query string, and as one mangled value.
                    for path in [
                        format!("/api/v1/accounts/acme/{route}?{query}"),
                        format!("/api/v1/accounts/acme/{route}?email={q}"),
                    ] {
                        let r = http.get(format!("{}{path}", e.base)).bearer_auth(READER).send().await;
                        let status = match r {
                            Ok(r) => r.status().as_u16(),
                            // A request reqwest itself will not build is not the server's answer.
                            Err(e) if e.is_builder() => return Ok(()),
                            Err(e) => {
                                prop_assert!(false, "no answer: {e:?}");
                                0
                            }
                        };
                        prop_assert!(status != 0 && status < 500, "GET {} answered {}", path, status);
                    }
                    Ok(())
                })
            })
        })
        .unwrap();
}
