//! Fuzz: the GraphQL answer and error parser never panics on any body, status or Retry-After,
//! and every error it makes has a message (see `fuzz-input` for the method and the corpus).

use monday_api::error::parse_response;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: fuzz_input::cases(600), failure_persistence: None, rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed), ..ProptestConfig::default() })]

    #[test]
    fn any_answer_parses_or_fails_with_a_message(
        body in fuzz_input::input(fuzz_input::corpus("graphql-answers")),
        status in proptest::sample::select(vec![200u16, 400, 401, 403, 404, 429, 500, 502, 503, 0, 999]),
        retry in proptest::option::of("[0-9a-z.-]{0,24}"),
        rid in proptest::option::of("[ -~]{0,40}"),
    ) {
        match parse_response(status, retry.as_deref(), rid.as_deref(), &body, "2026-10") {
            Ok(_) => {}
            Err(e) => {
                prop_assert!(!e.to_string().is_empty());
                let _ = (e.is_retryable(), e.retry_after(), e.request_id(), e.kind());
            }
        }
    }
}
