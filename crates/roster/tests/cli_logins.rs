//! `roster sync` reads monday.com's audit log (Enterprise) after each sync, `roster logins`
//! lists it, and the login reports read it; a plan without one, or a bad setting, says so.

use serde_json::Value;

use crate::common;

use common::*;

fn with_audit_days(cfg: &std::path::Path, days: &str) {
    let text = std::fs::read_to_string(cfg).unwrap();
    std::fs::write(cfg, format!("{text}audit_log_days = {days}\n")).unwrap();
}

#[tokio::test]
async fn sync_reads_the_audit_log_and_logins_lists_it() {
    let (sim, org) = sim(200).await;
    let dir = Dir::new("logins");
    let cfg = write_config(&dir.0, &sim.graphql_url());
    // The generated history lies a month before the generator's "now" (2026-11-01).
    with_audit_days(&cfg, "365");
    let o = roster(&cfg, None, &["logins"]).await;
    assert!(!o.status.success(), "nothing read yet");
    let o = roster(&cfg, Some("sim-admin-token"), &["sync"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let want = format!("audit log of acme: {} new entries", org.audit_log.len());
    assert!(stdout(&o).contains(&want), "{}", stdout(&o));

    let o = roster(&cfg, None, &["logins", "--days", "3650", "--limit", "100000", "-o", "json"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<Value> = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(rows.len(), org.audit_log.len());
    let ats: Vec<i64> = rows.iter().map(|r| r["at_ms"].as_i64().unwrap()).collect();
    assert!(ats.windows(2).all(|w| w[0] >= w[1]), "newest first");

    let someone = org.audit_log.iter().find(|e| e.event == monday_sim::audit::AuditKind::Login).unwrap().user_id;
    let email = &org.users.iter().find(|u| u.id == someone).unwrap().email;
    let theirs = org.audit_log.iter().filter(|e| e.user_id == someone).count();
    let o = roster(&cfg, None, &["logins", "--user", email, "--days", "3650", "-o", "csv"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), theirs + 1, "{}", stdout(&o));
    assert!(stdout(&o).contains(email.as_str()), "entries show the e-mail beside the id");

    let o = roster(&cfg, None, &["report", "login-signals", "--days", "400", "-o", "csv"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("failed-login burst"), "{}", stdout(&o));

    // The next sync reads on from where this one ended: nothing new.
    let o = roster(&cfg, Some("sim-admin-token"), &["sync"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("audit log of acme: 0 new entries"), "{}", stdout(&o));
}

#[tokio::test]
async fn other_plans_and_bad_settings_say_so() {
    let (mut org, dir) = (roster_testkit::org(80, 9), Dir::new("logins-pro"));
    org.account.plan.tier = "pro".into();
    org.account.tier = "pro".into();
    let sim = roster_testkit::start(org).await;
    let cfg = write_config(&dir.0, &sim.graphql_url());
    let o = roster(&cfg, Some("sim-admin-token"), &["sync"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("not read") && stdout(&o).contains("Enterprise"), "{}", stdout(&o));

    with_audit_days(&cfg, "400");
    let o = roster(&cfg, Some("sim-admin-token"), &["sync"]).await;
    assert!(!o.status.success());
    assert!(stderr(&o).contains("audit_log_days is 400"), "{}", stderr(&o));
}
