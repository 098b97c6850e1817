//! The `monday-sim` binary: `serve --port 0` prints its URL on the first line, `dump` writes the
//! same ground truth the server offers at `/_sim/state`, and `--state` serves a dumped file.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::client;

const BIN: &str = env!("CARGO_BIN_EXE_monday-sim");

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(args: &[&str]) -> (Server, String) {
    let mut child = Command::new(BIN)
        .arg("serve")
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn monday-sim");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("read URL line");
    let url = line.trim().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "first line is the URL: {url:?}");
    (Server(child), url)
}

fn dump(args: &[&str]) -> serde_json::Value {
    let out = Command::new(BIN).arg("dump").args(args).output().expect("run dump");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("dump is JSON")
}

async fn state(url: &str) -> serde_json::Value {
    client().get(format!("{url}/_sim/state")).send().await.unwrap().json().await.unwrap()
}

#[tokio::test]
async fn dump_equals_served_state_and_round_trips() {
    let flags = ["--users", "300", "--teams", "10", "--workspaces", "5", "--boards", "60", "--seed", "5"];
    let truth = dump(&flags);
    let (_server, url) = serve(&flags);
    assert_eq!(state(&url).await, truth);

    let dir = std::env::temp_dir().join(format!("monday-sim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("org.json");
    let file_s = file.to_str().unwrap();
    let out = Command::new(BIN).args(["dump", "--out", file_s]).args(flags).status().unwrap();
    assert!(out.success());
    let (_server2, url2) = serve(&["--state", file_s]);
    assert_eq!(state(&url2).await, truth);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_state_files_and_flags_fail_with_a_clear_message() {
    let dir = std::env::temp_dir().join(format!("monday-sim-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.json");
    std::fs::write(&file, "{\"account\": 1}").unwrap();
    let out = Command::new(BIN).args(["serve", "--state", file.to_str().unwrap()]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is not a monday-sim state"), "{err}");
    let out = Command::new(BIN).args(["dump", "--users", "2"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 3 users"));
    let out = Command::new(BIN).args(["schema", "--api-version", "2024-01"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("2026-07 and 2026-10"));
    let out = Command::new(BIN).args(["serve", "--error-rate", "3"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("error_rate must be between 0 and 1"));
    std::fs::remove_dir_all(&dir).ok();
}
