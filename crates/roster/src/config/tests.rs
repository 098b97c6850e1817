//! The configuration's tests: the example, every section's checks, and a fuzz of the parser.

use super::*;

fn parse(text: &str) -> Result<Config> {
    Config::parse(text, Path::new("/etc/roster"))
}

#[test]
fn the_example_is_valid() {
    let cfg = parse(EXAMPLE).unwrap();
    assert_eq!(cfg.accounts[0].name, "acme");
    assert_eq!(cfg.account(None).unwrap().token, Secret::Env("MONDAY_TOKEN".into()));
}

#[test]
fn mistakes_are_named() {
    let err = |t: &str| format!("{:#}", parse(t).unwrap_err());
    assert!(err("[[accounts]]\nname = \"a\"\n").contains("token_env"));
    assert!(err("[[accounts]]\nname = \"a\"\ntoken_env = \"X\"\ntoken_file = \"f\"\n").contains("not both"));
    assert!(err("[[accounts]]\nname = \"a\"\ntoken_env = \"X\"\napi_version = \"2024-01\"\n").contains("2026-10"));
    assert!(err("[[accounts]]\nname = \"a\"\ntoken_env = \"X\"\napi_url = \"ftp://x\"\n").contains("http"));
    assert!(err("[[accounts]]\nname = \"a\"\ntoken_env = \"X\"\n[[accounts]]\nname = \"a\"\ntoken_env = \"Y\"\n")
        .contains("twice"));
    assert!(err("[sync]\nboard_state = \"gone\"\n").contains("board_state"));
    assert!(err("[store]\npth = \"x\"\n").contains("unknown field"));
    let pasted = err("[[accounts]]\nname = \"a\"\ntoken = \"SECRET-abc123\"\n");
    assert!(pasted.contains("unknown field") && pasted.contains("line 3"), "a token in the file is refused: {pasted}");
    assert!(!pasted.contains("SECRET"), "the error never quotes the file: {pasted}");
    let bad_value = err("[[accounts]]\nname = \"a\"\ntoken_env = 7\nsync_interval_seconds = \"SECRET\"\n");
    assert!(!bad_value.contains("SECRET") && bad_value.contains("line 4"), "{bad_value}");
    let hook = |url: &str, extra: &str| {
        format!("[[server.webhooks]]\nname = \"h\"\nurl = \"{url}\"\nsecret_env = \"S\"\n{extra}")
    };
    for (url, named) in [
        ("http://169.254.169.254/latest", "169.254.169.254"),
        ("http://127.0.0.1:9/x", "127.0.0.1"),
        ("http://localhost/x", "localhost"),
        ("http://[::1]/x", "::1"),
        ("http://10.0.0.8/x", "10.0.0.8"),
        ("ftp://example.com/x", "http or https"),
        ("not a url", "not a URL"),
    ] {
        let e = err(&hook(url, ""));
        assert!(e.contains(named), "{url}: {e}");
    }
    assert!(parse(&hook("http://127.0.0.1:9/x", "allow_private_address = true\n")).is_ok());
    assert!(err("[server]\nmax_connections = 0\n").contains("max_connections"));
    let key = |hash: &str| format!("[[server.api_keys]]\nname = \"ops\"\nrole = \"admin\"\nhash = \"{hash}\"\n");
    let pasted = err(&key("my-actual-SECRET-key"));
    assert!(pasted.contains("64 hex digits") && !pasted.contains("SECRET"), "{pasted}");
    let good = format!("sha256:{}", "ab".repeat(32));
    assert!(parse(&key(&good)).is_ok());
    assert!(err(&format!("{}{}", key(&good), key(&good))).contains("named twice"));
    assert!(err("[server]\nheader_timeout_seconds = 99999999999\n").contains("header_timeout_seconds"));
    assert!(parse("[server]\nmax_connections = 64\nshutdown_seconds = 5\n").is_ok());
    assert!(parse(&hook("https://hooks.slack.com/services/x", "")).is_ok());
    let a = "[[accounts]]\nname = \"a\"\ntoken_env = \"X\"\n";
    for (line, named) in [
        ("sync_interval_seconds = 10000000000000000", "sync_interval_seconds"),
        ("sync_interval_seconds = 0", "sync_interval_seconds"),
        ("max_concurrency = 18446744073709551615", "max_concurrency"),
        ("max_concurrency = 0", "max_concurrency"),
        ("max_retries = 100000", "max_retries"),
        ("look_ahead = 0", "look_ahead"),
        ("look_ahead = 17", "look_ahead"),
    ] {
        let e = err(&format!("{a}{line}\n"));
        assert!(e.contains(named), "{line}: {e}");
    }
}

#[test]
fn approval_policy_from_the_file() {
    let p = parse("[approval]\nrequire = \"removals\"\nmin_users = 3\napprovers = [\"bob\"]\n").unwrap().approval;
    assert_eq!(
        (p.require, p.min_users, p.approvers.as_slice()),
        (roster_core::Require::Removals, 3, &["bob".to_string()][..])
    );
    assert_eq!(parse("").unwrap().approval.require, roster_core::Require::Never);
    for (bad, names) in [
        ("require = \"some\"", "removals"),
        ("min_users = 0", "min_users"),
        ("min_users = 99999999999", "min_users"),
        ("approvers = [\" \"]", "empty name"),
        ("quorum = 2", "unknown field"),
    ] {
        let e = format!("{:#}", parse(&format!("[approval]\n{bad}\n")).unwrap_err());
        assert!(e.contains(names), "{bad}: {e}");
    }
}

#[test]
fn jit_policy_from_the_file() {
    let cfg = parse("[jit]\nmax_board_minutes = 30\nwarn_minutes = 5\n").unwrap();
    let p = cfg.jit;
    assert_eq!((p.max_board.as_secs(), p.warn_before.as_secs(), p.max_team.as_secs()), (1800, 300, 8 * 3600));
    assert!(format!("{:#}", parse("[jit]\nmax_team_minutes = 0\n").unwrap_err()).contains("max_team_minutes"));
    assert!(format!("{:#}", parse("[jit]\nmax_users = 3\n").unwrap_err()).contains("unknown field"));
    assert!(format!("{:#}", parse("[jit]\napprovers = \"everyone\"\n").unwrap_err()).contains("admins_or_owners"));
    let named = parse("[jit]\napprovers = \"anyone\"\napprover_names = [\"ops\"]\n").unwrap().jit;
    assert_eq!(
        (named.approvers, named.named_approvers),
        (roster_engine::jit::Approvers::Anyone, vec!["ops".to_string()])
    );
}

#[test]
fn the_deploy_example_is_valid() {
    let cfg = parse(include_str!("../../../../deploy/roster.toml")).unwrap();
    assert_eq!(cfg.server.listen, "0.0.0.0:8080");
    assert_eq!(cfg.accounts[0].sync_interval.as_secs(), 3600);
    assert_eq!(
        cfg.store,
        Store::Postgres(Secret::Env("ROSTER_DATABASE_URL".into())),
        "the containers share PostgreSQL"
    );
    // The Kubernetes ConfigMap carries the same file.
    let manifest = include_str!("../../../../deploy/kubernetes/roster.yaml");
    let (_, after) = manifest.split_once("  roster.toml: |\n").unwrap();
    let embedded: String = after
        .lines()
        .take_while(|l| !l.starts_with("---"))
        .map(|l| format!("{}\n", l.strip_prefix("    ").unwrap_or(l)))
        .collect();
    assert_eq!(embedded, include_str!("../../../../deploy/roster.toml"), "the ConfigMap is deploy/roster.toml");
    let full = EXAMPLE.to_string();
    assert!(parse(&full).is_ok(), "what `roster init` writes parses");
    let bad = "[server]\n[[server.api_keys]]\nname = \"x\"\nrole = \"admin\"\nhash = \"plain-key\"\n";
    assert!(format!("{:#}", parse(bad).unwrap_err()).contains("roster key hash"));
}

#[test]
fn missing_token_variable_says_what_to_do() {
    let cfg = parse("[[accounts]]\nname = \"a\"\ntoken_env = \"ROSTER_TEST_SURELY_UNSET\"\n").unwrap();
    let e = format!("{:#}", cfg.accounts[0].token().unwrap_err());
    assert!(e.contains("ROSTER_TEST_SURELY_UNSET") && e.contains("export"), "{e}");
}

mod fuzz {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: fuzz_input::cases(800), failure_persistence: None, rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed), ..ProptestConfig::default() })]

        /// Any configuration file is read or refused with a message that names the line and
        /// never quotes a value; checking it never panics.
        #[test]
        fn any_configuration_is_read_or_refused(text in fuzz_input::text(fuzz_input::corpus("config"))) {
            match super::raw::from_toml(&text) {
                Ok(cfg) => {
                    if let Err(e) = cfg.resolve(std::path::Path::new(".")) {
                        let shown = format!("{e:#}");
                        prop_assert!(!shown.is_empty());
                    }
                }
                Err(e) => prop_assert!(!e.is_empty()),
            }
        }
    }
}

#[test]
fn resolved_once_into_typed_values() {
    let cfg = parse(
        "[store]\npath = \"data/roster.db\"\n[sync]\nboard_state = \"all\"\n\
         [[accounts]]\nname = \"a\"\ntoken_file = \"secrets/token\"\napi_version = \"2026-07\"\n\
         scim_url = \"https://a.monday.com/scim/v2\"\nscim_token_env = \"S\"\n",
    )
    .unwrap();
    assert_eq!(cfg.store, Store::Sqlite("/etc/roster/data/roster.db".into()), "relative to the file's folder");
    assert_eq!(cfg.sync.board_state, monday_api::StateFilter::All);
    assert_eq!(cfg.sync.workspace_state, monday_api::StateFilter::Active);
    let a = cfg.account(Some("a")).unwrap();
    assert_eq!(a.api_version, monday_api::ApiVersion::V2026_07);
    assert_eq!(a.token, Secret::File("/etc/roster/secrets/token".into()));
    assert_eq!(a.sync_interval.as_secs(), 3600, "the default interval");
    assert_eq!(a.scim.as_ref().unwrap().token, Some(Secret::Env("S".into())));
    assert_eq!(cfg.server.lease.as_secs(), 60);
    assert_eq!(cfg.server.listen, "127.0.0.1:8080");
    // A URL without a token source resolves; using SCIM then says what to set.
    let no_token =
        parse("[[accounts]]\nname = \"a\"\ntoken_env = \"X\"\nscim_url = \"https://a.monday.com/scim/v2\"\n");
    let e = format!("{:#}", no_token.unwrap().accounts[0].scim_config().unwrap_err());
    assert!(e.contains("scim_token_env"), "{e}");
    assert!(format!("{:#}", parse("[jit]\nwarn_minutes = 99999999999999999\n").unwrap_err()).contains("warn_minutes"));
    assert!(format!("{:#}", parse("[store]\nurl_env = \" \"\n").unwrap_err()).contains("url_env"));
    assert_eq!(cfg.retention, None, "no retention unless asked: nothing is deleted by default");
    let kept = parse("[store]\nkeep_snapshots = 30\nkeep_days = 90\n").unwrap().retention.unwrap();
    assert_eq!((kept.keep_snapshots, kept.keep_days), (30, Some(90)));
    assert_eq!(parse("[store]\nkeep_days = 7\n").unwrap().retention.unwrap().keep_snapshots, 1);
    for bad in ["keep_snapshots = 0", "keep_snapshots = 99999999999", "keep_days = 0"] {
        let e = format!("{:#}", parse(&format!("[store]\n{bad}\n")).unwrap_err());
        assert!(e.contains(bad.split(' ').next().unwrap()), "{bad}: {e}");
    }
}

#[test]
fn ocsf_sinks_are_checked_and_resolved() {
    let base = "[[accounts]]\nname = \"acme\"\ntoken_env = \"T\"\n\n[server]\n";
    let ok = parse(&format!(
        "{base}[[server.ocsf_sinks]]\nname = \"lake\"\nkind = \"file\"\npath = \"ocsf/events.jsonl\"\nmax_bytes = 5000000\n\n[[server.ocsf_sinks]]\nname = \"splunk\"\nkind = \"http\"\nurl = \"https://splunk.example:8088/services/collector/event\"\ntoken_env = \"HEC\"\n"
    ))
    .unwrap();
    assert_eq!(ok.server.ocsf_sinks.len(), 2);
    assert_eq!(
        ok.server.ocsf_sinks[0].kind,
        super::server::OcsfSinkKind::File {
            path: Path::new("/etc/roster/ocsf/events.jsonl").into(),
            max_bytes: 5_000_000,
            keep: 5
        },
        "relative to the configuration's folder"
    );
    let lake =
        parse(&format!("{base}[[server.ocsf_sinks]]\nname = \"lake\"\nkind = \"parquet\"\ndir = \"lake\"\n")).unwrap();
    assert_eq!(
        lake.server.ocsf_sinks[0].kind,
        super::server::OcsfSinkKind::Parquet { dir: Path::new("/etc/roster/lake").into(), max_rows: 1_000_000 }
    );
    for (sink, says) in [
        ("name = \"x\"\nkind = \"kafka\"", "not one of file, stdout, http, parquet"),
        ("name = \"x\"\nkind = \"parquet\"", "needs dir"),
        ("name = \"x\"\nkind = \"parquet\"\ndir = \"d\"\nmax_rows = 5", "max_rows is 5"),
        ("name = \"x\"\nkind = \"file\"", "needs path"),
        ("name = \"x\"\nkind = \"file\"\npath = \"a\"\nmax_bytes = 1", "max_bytes is 1"),
        ("name = \"x\"\nkind = \"http\"\nurl = \"https://a.example\"", "token_env or token_file"),
        ("name = \"x\"\nkind = \"http\"\nurl = \"ftp://a.example\"\ntoken_env = \"T\"", "http or https"),
    ] {
        let e = parse(&format!("{base}[[server.ocsf_sinks]]\n{sink}\n")).unwrap_err();
        assert!(format!("{e:#}").contains(says), "{sink}: {e:#}");
    }
    let twice = "[[server.ocsf_sinks]]\nname = \"x\"\nkind = \"stdout\"\n";
    let e = parse(&format!("{base}{twice}{twice}")).unwrap_err();
    assert!(format!("{e:#}").contains("a name of its own"), "{e:#}");
}
