//! Fuzz: the SCIM source reader (CSV, JSON, YAML) reads any file into people or refuses it with
//! the problems named; it never panics.

use proptest::prelude::*;
use roster_engine::scim::source::{default_mapping, read};

proptest! {
    #![proptest_config(ProptestConfig { cases: fuzz_input::cases(600), failure_persistence: None, rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed), ..ProptestConfig::default() })]

    #[test]
    fn any_source_file_reads_or_names_its_problems(
        (ext, bytes) in prop_oneof![
            fuzz_input::input(fuzz_input::corpus("source-csv")).prop_map(|b| ("csv", b)),
            fuzz_input::input(fuzz_input::corpus("source-json")).prop_map(|b| ("json", b)),
            fuzz_input::input(fuzz_input::corpus("source-yaml")).prop_map(|b| ("yaml", b)),
        ],
        n in any::<u32>(),
    ) {
        let path = std::env::temp_dir().join(format!("roster-fuzz-{}-{n}.{ext}", std::process::id()));
        std::fs::write(&path, &bytes).unwrap();
        let got = read(&path, &default_mapping());
        let _ = std::fs::remove_file(&path);
        if let Err(e) = got {
            prop_assert!(!e.problems.is_empty() && !e.to_string().is_empty());
        }
    }
}
