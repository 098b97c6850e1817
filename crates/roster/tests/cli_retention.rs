//! Retention on the command line: `roster store prune` deletes old snapshots only when told
//! what to keep (flags or `[store] keep_snapshots`), a dry run deletes nothing, the newest
//! snapshot stays and reads as before, `roster syncs` says when each pruned run was pruned, `roster diff`
//! refuses a pruned snapshot instead of comparing with an empty one, and `roster store stats`
//! counts it all.

use crate::common;

use common::*;

#[tokio::test]
async fn prune_keeps_what_it_is_told_and_says_what_it_did() {
    let dir = Dir::new("retention");
    let (sim, _org) = sim(60).await;
    let cfg = write_config(&dir.0, &sim.graphql_url());
    let t = Some("sim-admin-token");
    let ok = |o: &std::process::Output| assert!(o.status.success(), "{}{}", stdout(o), stderr(o));
    for _ in 0..3 {
        ok(&roster(&cfg, t, &["sync"]).await);
    }
    let users_before = stdout(&roster(&cfg, t, &["users"]).await);
    let o = roster(&cfg, t, &["store", "prune"]).await;
    assert!(
        !o.status.success() && stderr(&o).contains("--keep-snapshots"),
        "nothing is deleted unless told: {}",
        stderr(&o)
    );
    let o = roster(&cfg, t, &["-o", "json", "store", "prune", "--keep-snapshots", "1", "--dry-run"]).await;
    ok(&o);
    let dry: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(dry[0]["pruned"], "1 2", "{dry}");
    assert_eq!(dry[0]["rows_deleted"], "0", "{dry}");
    let o = roster(&cfg, t, &["-o", "json", "store", "stats"]).await;
    let stats: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!((stats[0]["snapshots"].as_str(), stats[0]["pruned"].as_str()), (Some("3"), Some("0")), "{stats}");
    // Told by the configuration this time.
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text = text.replace("[store]\n", "[store]\nkeep_snapshots = 1\n");
    std::fs::write(&cfg, text).unwrap();
    let o = roster(&cfg, t, &["store", "prune"]).await;
    ok(&o);
    assert!(stdout(&o).contains("acme"), "{}", stdout(&o));
    let o = roster(&cfg, t, &["-o", "json", "store", "stats"]).await;
    let stats: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!((stats[0]["snapshots"].as_str(), stats[0]["pruned"].as_str()), (Some("1"), Some("2")), "{stats}");
    assert_eq!(stdout(&roster(&cfg, t, &["users"]).await), users_before, "the newest snapshot reads as before");
    let o = roster(&cfg, t, &["-o", "json", "syncs"]).await;
    let syncs: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let pruned: Vec<&str> = syncs
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["pruned"].is_string())
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(pruned, vec!["2", "1"], "{syncs}");
    let o = roster(&cfg, t, &["diff", "1", "3"]).await;
    assert!(!o.status.success() && stderr(&o).contains("pruned"), "{}", stderr(&o));
    // The next sync still diffs against the kept snapshot: nothing changed, no changes reported.
    ok(&roster(&cfg, t, &["sync"]).await);
    let o = roster(&cfg, t, &["diff"]).await;
    ok(&o);
}
