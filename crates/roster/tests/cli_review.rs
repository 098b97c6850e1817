//! `roster review` from the command line on monday-sim: create, launch, show (JSON), bulk
//! certify, revoke with a justification, sign-off, close (the revocation reaches monday.com),
//! sync (verified), export, and `review verify` passing on the export and failing, with exit
//! status 1 naming the file and row, after a one-byte change.

use crate::common;

use common::*;
use serde_json::Value;

#[tokio::test]
async fn a_campaign_from_the_command_line() {
    let (sim, _org) = sim(120).await;
    let dir = Dir::new("review");
    let cfg = write_config(&dir.0, &sim.graphql_url());
    let tok = Some("sim-admin-token");
    assert!(roster(&cfg, tok, &["sync"]).await.status.success());

    let o = roster(&cfg, None, &["review", "create", "--name", "Q4", "--due", "2099-01-01", "--types", "boards"]).await;
    assert!(!o.status.success() && stderr(&o).contains("--fallback"), "clap names the missing option: {}", stderr(&o));
    let create = ["review", "create", "--name", "Q4 boards", "--due", "2099-01-01", "--types", "board"];
    let o = roster(&cfg, None, &[&create[..], &["--types", "boards", "--fallback", "sec@acme.test"]].concat()).await;
    assert!(!o.status.success() && stderr(&o).contains("unknown resource type"), "{}", stderr(&o));
    let o = roster(&cfg, None, &[&create[..], &["--fallback", "sec@acme.test"]].concat()).await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("campaign 1 created"), "{}", stdout(&o));
    let o = roster(&cfg, None, &["review", "launch", "1"]).await;
    assert!(o.status.success() && stdout(&o).contains("launched with"), "{}", stderr(&o));

    let o = roster(&cfg, None, &["review", "show", "1", "-o", "json"]).await;
    let items: Vec<Value> = serde_json::from_str(&stdout(&o)).unwrap();
    let revoke = items
        .iter()
        .find(|i| {
            let e = i["entitlement"].as_str().unwrap();
            // Not also an owner: removing the subscription would end a certified ownership.
            let owns =
                items.iter().any(|o| o["user"] == i["user"] && o["entitlement"] == e.replace(":subscriber", ":owner"));
            i["self"].is_null() && i["source"] == "direct" && e.ends_with(":subscriber") && !owns
        })
        .expect("a plain subscription to revoke");
    let reviewer = revoke["reviewer"].as_str().unwrap().to_string();
    let mine: Vec<&Value> = items.iter().filter(|i| i["reviewer"] == reviewer.as_str()).collect();
    let rest: Vec<String> =
        mine.iter().filter(|i| i["item"] != revoke["item"]).map(|i| i["item"].as_str().unwrap().to_string()).collect();

    // Bulk certify (self-reviews need a reason, so give one to all), revoke one with a reason.
    let mut certify = vec!["review", "decide", "1"];
    certify.extend(rest.iter().map(String::as_str));
    certify.extend(["--as", reviewer.as_str(), "--certify", "--justification", "I own these boards"]);
    let o = roster(&cfg, None, &certify).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let item = revoke["item"].as_str().unwrap();
    let o = roster(&cfg, None, &["review", "decide", "1", item, "--as", &reviewer, "--revoke"]).await;
    assert!(!o.status.success() && stderr(&o).contains("justification"), "{}", stderr(&o));
    let o = roster(
        &cfg,
        None,
        &["review", "decide", "1", item, "--as", &reviewer, "--revoke", "--justification", "moved teams"],
    )
    .await;
    assert!(o.status.success(), "{}", stderr(&o));
    let o = roster(&cfg, None, &["review", "signoff", "1", "--as", &reviewer]).await;
    assert!(o.status.success(), "{}", stderr(&o));

    // Close without a token says what is missing; with one, the revocation reaches monday.com.
    let o = roster(&cfg, None, &["review", "close", "1"]).await;
    assert!(!o.status.success(), "closing needs the token");
    // Other reviewers have not finished: close refuses, a dry run shows the plan, --force closes.
    let o = roster(&cfg, tok, &["review", "close", "1"]).await;
    assert!(!o.status.success() && stderr(&o).contains("--force"), "{}{}", stdout(&o), stderr(&o));
    let o = roster(&cfg, tok, &["review", "close", "1", "--force", "--dry-run"]).await;
    assert!(o.status.success() && stdout(&o).contains("dry run, nothing changed"), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("incomplete:") && stdout(&o).contains("revoke board:"), "{}", stdout(&o));
    let o = roster(&cfg, tok, &["review", "close", "1", "--force"]).await;
    assert!(o.status.success() && stdout(&o).contains("1 applied"), "{}{}", stdout(&o), stderr(&o));
    let board: u64 = revoke["entitlement"].as_str().unwrap().split(':').nth(1).unwrap().parse().unwrap();
    let user: String = revoke["user"].as_str().unwrap().to_string();
    let w = sim.sim.world();
    let subscribed = w.boards()[w.board_pos(board).unwrap()]
        .subscribers
        .iter()
        .any(|id| w.org().users.iter().any(|u| u.id == *id && u.email == user));
    assert!(!subscribed, "unsubscribed in monday.com");
    assert!(roster(&cfg, tok, &["sync"]).await.status.success());
    let o = roster(&cfg, None, &["review", "show", "1", "-o", "json"]).await;
    let after: Vec<Value> = serde_json::from_str(&stdout(&o)).unwrap();
    let done = after.iter().find(|i| i["item"] == revoke["item"]).unwrap();
    assert_eq!(done["remediation"], "verified");

    // Evidence, verified; then one byte changed in a row.
    let ev = dir.0.join("evidence");
    let o = roster(&cfg, None, &["review", "export", "1", ev.to_str().unwrap()]).await;
    assert!(o.status.success() && stdout(&o).contains("complete: NO"), "{}{}", stdout(&o), stderr(&o));
    let o = roster(&cfg, None, &["review", "verify", ev.to_str().unwrap()]).await;
    assert!(o.status.success() && stdout(&o).contains("intact"), "{}", stderr(&o));
    assert!(stdout(&o).contains("recorded in the audit log as event"), "{}", stdout(&o));
    let csv = ev.join("items.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, text.replacen("moved teams", "moved teamz", 1)).unwrap();
    let o = std::process::Command::new(BIN).args(["review", "verify", ev.to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("items.csv row "), "{}", stderr(&o));
}
