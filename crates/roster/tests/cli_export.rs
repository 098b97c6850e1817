//! `roster export c1z` writes a baton c1z file of the newest snapshot (and with
//! `--with-previous` the one before it), and says what it wrote; a bad path or sync says so.

use crate::common;

use common::*;

#[tokio::test]
async fn export_c1z_writes_a_file_baton_reads() {
    let (sim, _org) = sim(120).await;
    let dir = Dir::new("export");
    let cfg = write_config(&dir.0, &sim.graphql_url());
    for _ in 0..2 {
        let o = roster(&cfg, Some("sim-admin-token"), &["sync"]).await;
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let out = dir.0.join("acme.c1z");
    let o = roster(&cfg, None, &["export", "c1z", "--out", out.to_str().unwrap(), "--with-previous"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("sync 1 as") && stdout(&o).contains("sync 2 as"), "{}", stdout(&o));
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[..5], b"C1ZF\0");
    assert!(!dir.0.join("acme.c1z.partial").exists() && !dir.0.join("acme.c1z.building.db").exists(), "no leftovers");

    let o = roster(&cfg, None, &["export", "c1z", "--out", out.to_str().unwrap(), "--sync", "77"]).await;
    assert!(!o.status.success() && stderr(&o).contains("roster syncs"), "{}", stderr(&o));
    let nowhere = dir.0.join("no/such/dir/a.c1z");
    let o = roster(&cfg, None, &["export", "c1z", "--out", nowhere.to_str().unwrap()]).await;
    assert!(!o.status.success() && stderr(&o).contains("no/such/dir"), "{}", stderr(&o));
}

#[tokio::test]
async fn export_ocsf_writes_json_lines_and_says_where_to_continue() {
    let (sim, _org) = sim(120).await;
    let dir = Dir::new("export-ocsf");
    let cfg = write_config(&dir.0, &sim.graphql_url());
    // The generated audit log lies a month before the generator's "now" (2026-11-01).
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, format!("{text}audit_log_days = 365\n")).unwrap();
    let o = roster(&cfg, Some("sim-admin-token"), &["sync"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let o = roster(&cfg, None, &["export", "ocsf"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // A first sync records no changes; the audit log's logins are Authentication events.
    assert!(!lines.is_empty() && lines.iter().all(|e| e["class_uid"] == 3002), "{}", stdout(&o));
    assert!(lines.iter().all(|e| e["metadata"]["version"] == "1.1.0"));
    let hint = stderr(&o);
    let after = |flag: &str| hint.split(flag).nth(1).and_then(|s| s.split_whitespace().next()).unwrap().to_string();
    let (since, audit_since) = (after("--since "), after("--audit-since "));
    // Continuing from there: nothing new.
    let out = dir.0.join("more.jsonl");
    let args = ["export", "ocsf", "--since", &since, "--audit-since", &audit_since, "--out", out.to_str().unwrap()];
    let o = roster(&cfg, None, &args).await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 0, "each event once");
    assert!(stderr(&o).starts_with("0 OCSF event(s)"), "{}", stderr(&o));

    // The same events as Parquet files for Security Lake: one per class and day, listed.
    let lake = dir.0.join("lake");
    let o = roster(&cfg, None, &["export", "ocsf", "--parquet", lake.to_str().unwrap()]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let printed = stdout(&o);
    let listed: Vec<&str> = printed.lines().collect();
    assert!(!listed.is_empty() && listed.iter().all(|l| l.contains("3002-authentication/eventDay=")), "{}", stdout(&o));
    let events: usize =
        listed.iter().filter_map(|l| l.split(" (").nth(1)?.split(' ').next()?.parse::<usize>().ok()).sum();
    assert_eq!(events, lines.len(), "every event in a file: {}", stdout(&o));
    assert!(stderr(&o).contains(&format!("{} OCSF event(s) in {} Parquet file(s)", lines.len(), listed.len())));
    let o = roster(&cfg, None, &["export", "ocsf", "--parquet", "x", "--out", "y"]).await;
    assert!(!o.status.success(), "--parquet and --out are one or the other");
}
