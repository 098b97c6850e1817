//! monday.com's audit log (Enterprise) read into the store: every entry of the ground truth
//! exactly once, however reads are cut or overlap; changes made through the API appear in the
//! next read; other plans and non-admin tokens are told apart from failures; and the login
//! reports find what the generated history holds.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use monday_api::ApiVersion;
use monday_sim::audit::{AuditEvent, AuditKind};
use monday_sim::faults::FaultConfig;
use monday_sim::model::Org;
use roster_engine::audit_log::{read_audit_log, AuditRead, AuditReadOptions};
use roster_engine::reports::{report, ReportOptions};
use roster_engine::{sync_account, NoProgress};
use roster_store::prelude::*;
use roster_store::{AuditLogQuery, SqlStore};

use crate::common;

/// Small pages, so a read spans many, the whole generated month, and no lag: the sim logs
/// on this machine's clock.
fn options() -> AuditReadOptions {
    AuditReadOptions { first_days: 365, page_size: 40, lag: Duration::zero(), ..AuditReadOptions::default() }
}

/// Each entry's identity as the store and the sim both see it, with how often it occurs.
type Tally = BTreeMap<(i64, String, String, String), usize>;

fn truth(org: &Org) -> Tally {
    let mut t = Tally::new();
    for e in &org.audit_log {
        let k = (e.at.timestamp_millis(), e.event.as_str().to_string(), e.user_id.to_string(), e.ip.to_string());
        *t.entry(k).or_default() += 1;
    }
    t
}

async fn stored(store: &SqlStore) -> Tally {
    let q = AuditLogQuery { account: "acme".into(), limit: 10_000_000, ..AuditLogQuery::default() };
    let mut t = Tally::new();
    for r in store.audit_entries(&q).await.unwrap() {
        let k = (r.at_ms, r.event, r.user_id.unwrap_or_default(), r.ip.unwrap_or_default());
        *t.entry(k).or_default() += 1;
    }
    t
}

/// Now, once a new second has begun: a window ends on a whole second, so an entry logged in
/// this second is read by the next read, and the test waits for it.
async fn later() -> DateTime<Utc> {
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    Utc::now()
}

#[tokio::test]
async fn every_entry_once_and_changes_made_through_the_api_in_the_next_read() {
    let mut org = common::org(300, 71);
    // Two identical entries (same instant, same everything) are two entries.
    let twin = AuditEvent {
        at: org.audit_log[10].at,
        event: AuditKind::Login,
        user_id: org.users[5].id,
        ip: "10.9.8.7".parse().unwrap(),
        device: 1,
        metadata: serde_json::Value::Null,
    };
    org.audit_log.extend([twin.clone(), twin]);
    let sim = common::sim(org.clone(), FaultConfig::default()).await;
    let store = SqlStore::in_memory().await.unwrap();
    let c = common::client(&sim, ApiVersion::V2026_10, 3);
    sync_account(&store, &c, "acme", &common::ALL, &NoProgress).await.unwrap();

    let first = read_audit_log(&store, &c, "acme", later().await, &options()).await.unwrap();
    let AuditRead::Read { pages, added, .. } = first else { panic!("{first:?}") };
    assert!(pages > 5, "small pages: the read spans many ({pages})");
    assert_eq!(added as usize, org.audit_log.len());
    assert_eq!(stored(&store).await, truth(&sim.sim.world().org().clone()));

    // An admin deactivates a user and adds one to a team through the API: logged as they
    // happen, read by the next read, and nothing read before is stored again.
    let victim = org
        .users
        .iter()
        .find(|u| u.status == monday_sim::model::UserStatus::Active && u.id != org.users[0].id)
        .unwrap()
        .id;
    c.deactivate_users(&[victim]).await.unwrap();
    let again = read_audit_log(&store, &c, "acme", later().await, &options()).await.unwrap();
    let AuditRead::Read { added, .. } = again else { panic!("{again:?}") };
    assert_eq!(added, 1, "one new entry: the deactivation");
    let now_truth = truth(sim.sim.world().org());
    assert_eq!(stored(&store).await, now_truth);
    let q = AuditLogQuery {
        account: "acme".into(),
        event: Some("user-deactivated".into()),
        limit: 10,
        ..AuditLogQuery::default()
    };
    let d = store.audit_entries(&q).await.unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].user_id.as_deref(), Some(org.users[0].id.to_string().as_str()), "the admin did it");
    assert!(d[0].metadata.as_deref().unwrap_or_default().contains(&victim.to_string()), "{:?}", d[0].metadata);
}

#[tokio::test]
async fn a_read_cut_anywhere_and_read_again_stores_every_entry_once() {
    let org = common::org(300, 72);
    let sim = common::sim(org.clone(), FaultConfig::default()).await;
    let c = common::client(&sim, ApiVersion::V2026_10, 0);
    let mut pages = 0;
    for cut in [0u64, 1, 3, 7, 12] {
        let store = SqlStore::in_memory().await.unwrap();
        sync_account(&store, &c, "acme", &common::ALL, &NoProgress).await.unwrap();
        let now = Utc::now();
        sim.sim.faults().set(FaultConfig { fail_after: Some(cut), ..FaultConfig::default() });
        let cut_short = read_audit_log(&store, &c, "acme", now, &options()).await;
        sim.sim.faults().set(FaultConfig::default());
        if let Ok(AuditRead::Read { pages: p, .. }) = &cut_short {
            // The cut came after the last page.
            pages = *p;
            continue;
        }
        assert!(cut_short.is_err(), "cut after {cut} requests: {cut_short:?}");
        assert_eq!(store.audit_cursor("acme").await.unwrap(), None, "a cut read does not move the cursor");
        // Read again later: the window is wider, the pages shift, the keys do not.
        let r = read_audit_log(&store, &c, "acme", now + Duration::minutes(3), &options()).await.unwrap();
        assert!(matches!(r, AuditRead::Read { .. }), "{r:?}");
        assert_eq!(stored(&store).await, truth(&org), "cut after {cut} requests");
        // A third read of an overlapping window adds nothing.
        let r = read_audit_log(&store, &c, "acme", now + Duration::minutes(4), &options()).await.unwrap();
        assert!(matches!(r, AuditRead::Read { added: 0, .. }), "{r:?}");
    }
    assert!(pages == 0 || pages > 7, "the cuts fall inside the read");
}

#[tokio::test]
async fn other_plans_and_non_admin_tokens_are_not_failures() {
    let mut org = common::org(120, 73);
    org.account.plan.tier = "pro".into();
    org.account.tier = "pro".into();
    let sim = common::sim(org, FaultConfig::default()).await;
    let store = SqlStore::in_memory().await.unwrap();
    let c = common::client(&sim, ApiVersion::V2026_10, 0);
    sync_account(&store, &c, "acme", &common::ALL, &NoProgress).await.unwrap();
    let before = c.metrics().requests;
    let r = read_audit_log(&store, &c, "acme", later().await, &options()).await.unwrap();
    let AuditRead::Unavailable(why) = r else { panic!("{r:?}") };
    assert!(why.contains("Enterprise"), "{why}");
    assert_eq!(c.metrics().requests, before, "the plan is known from the snapshot: nothing asked");

    // An Enterprise account read with a member's token: monday.com refuses, Roster says why.
    let sim = common::sim(common::org(120, 74), FaultConfig::default()).await;
    let store = SqlStore::in_memory().await.unwrap();
    let member =
        monday_api::Client::new(roster_testkit::client_config(&sim, ApiVersion::V2026_10, roster_testkit::MEMBER))
            .unwrap();
    let r = read_audit_log(&store, &member, "acme", later().await, &options()).await.unwrap();
    let AuditRead::Unavailable(why) = r else { panic!("{r:?}") };
    assert!(why.contains("admin"), "{why}");
    assert_eq!(store.audit_cursor("acme").await.unwrap(), None);
}

#[tokio::test]
async fn login_reports_find_what_the_history_holds() {
    let org = common::org(400, 75);
    let sim = common::sim(org.clone(), FaultConfig::default()).await;
    let store = SqlStore::in_memory().await.unwrap();
    let c = common::client(&sim, ApiVersion::V2026_10, 3);
    let s = sync_account(&store, &c, "acme", &common::ALL, &NoProgress).await.unwrap();
    let o = ReportOptions { now: monday_sim::GenConfig::default().now, inactive_days: 60, ..ReportOptions::default() };
    let refused = report(&store, s.sync_id, "logins", &o).await;
    assert!(refused.is_err(), "no audit log read yet: the report says so");
    read_audit_log(&store, &c, "acme", later().await, &options()).await.unwrap();

    // Last login per user: the latest login of each in the ground truth.
    let r = report(&store, s.sync_id, "logins", &o).await.unwrap();
    assert_eq!(r.rows.len(), org.users.len());
    for u in &org.users {
        let want =
            org.audit_log.iter().filter(|e| e.user_id == u.id && e.event == AuditKind::Login).map(|e| e.at).max();
        let row = r.rows.iter().find(|row| row[0] == u.id.to_string()).unwrap();
        let want = want.map_or("none read".to_string(), |t| t.format("%Y-%m-%d %H:%M UTC").to_string());
        assert_eq!(row[4], want, "user {}", u.id);
    }

    // Failed-login bursts: the users with five or more failures within ten minutes.
    let r = report(&store, s.sync_id, "login-signals", &o).await.unwrap();
    let mut failures: BTreeMap<u64, Vec<DateTime<Utc>>> = BTreeMap::new();
    for e in org.audit_log.iter().filter(|e| e.event == AuditKind::FailedLogin) {
        failures.entry(e.user_id).or_default().push(e.at);
    }
    let want: Vec<String> = failures
        .iter()
        .filter(|(_, at)| at.windows(5).any(|w| w[4] - w[0] <= Duration::minutes(10)))
        .map(|(u, _)| u.to_string())
        .collect();
    let mut got: Vec<String> =
        r.rows.iter().filter(|row| row[0] == "failed-login burst").map(|row| row[1].clone()).collect();
    got.sort();
    assert!(!want.is_empty(), "the generated history has bursts");
    assert_eq!(got, want);

    // New networks: a login from a network the user never logged in from before.
    let mut want = vec![];
    for u in &org.users {
        let logins: Vec<&AuditEvent> =
            org.audit_log.iter().filter(|e| e.user_id == u.id && e.event == AuditKind::Login).collect();
        for (i, e) in logins.iter().enumerate().skip(1) {
            let net = |x: &AuditEvent| x.ip.octets()[..2].to_vec();
            if !logins[..i].iter().any(|p| net(p) == net(e)) {
                want.push(u.id.to_string());
            }
        }
    }
    want.sort();
    let mut got: Vec<String> = r.rows.iter().filter(|row| row[0] == "new network").map(|row| row[1].clone()).collect();
    got.sort();
    assert!(!want.is_empty(), "the generated history has logins from new networks");
    assert_eq!(got, want);
}
