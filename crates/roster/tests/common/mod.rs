//! Shared helpers for the CLI tests: a temp directory, monday-sim, a config and the binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use monday_sim::{generate, GenConfig, RunningSim};

pub const BIN: &str = env!("CARGO_BIN_EXE_roster");

pub use roster_testkit::Dir;

pub async fn sim(users: usize) -> (RunningSim, monday_sim::Org) {
    let org =
        generate(&GenConfig { users, teams: 15, workspaces: 6, boards: users / 5, seed: 8, ..GenConfig::default() })
            .unwrap();
    (roster_testkit::start(org.clone()).await, org)
}

pub fn write_config(dir: &Path, url: &str) -> PathBuf {
    let cfg = dir.join("roster.toml");
    let text = format!(
        "[store]\npath = \"roster.db\"\n\n[sync]\nboard_state = \"all\"\n\n[[accounts]]\nname = \"acme\"\napi_url = \"{url}\"\ntoken_env = \"ROSTER_TEST_TOKEN\"\nmax_retries = 2\n"
    );
    std::fs::write(&cfg, text).unwrap();
    cfg
}

pub async fn roster(cfg: &Path, token: Option<&str>, args: &[&str]) -> Output {
    roster_as(cfg, token, None, args).await
}

/// The same, run by operating-system user `user` (plans and decisions are recorded as theirs).
pub async fn roster_as(cfg: &Path, token: Option<&str>, user: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(BIN);
    if let Some(u) = user {
        c.env("USER", u);
    }
    c.arg("--config")
        .arg(cfg)
        .args(args)
        .env_remove("ROSTER_TEST_TOKEN")
        .env_remove("ROSTER_STORE")
        .env_remove("ROSTER_ACCOUNT");
    if let Some(t) = token {
        c.env("ROSTER_TEST_TOKEN", t);
    }
    tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
