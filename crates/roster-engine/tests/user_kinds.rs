//! Every kind of user: service users and AI agents are synced with their kind as monday.com
//! sends it, hold member-level access, and a kind Roster has never seen is kept as it came, never
//! a failed sync.

use crate::common;

use monday_api::ApiVersion;
use monday_sim::faults::FaultConfig;
use monday_sim::model::UserKind;
use roster_core::Role;
use roster_engine::{sync_account, NoProgress};
use roster_store::prelude::*;
use roster_store::SqlStore;

#[tokio::test]
async fn service_users_and_agents_keep_their_kind() {
    let org = common::org(400, 62);
    let odd: Vec<_> = org.users.iter().filter(|u| !u.kind.is_person()).collect();
    assert!(odd.iter().any(|u| u.kind == UserKind::ServiceUser) && odd.iter().any(|u| u.kind == UserKind::AgentMember));
    let sim = common::sim(org.clone(), FaultConfig::default()).await;
    for version in ApiVersion::ALL {
        let store = SqlStore::in_memory().await.unwrap();
        let r =
            sync_account(&store, &common::client(&sim, version, 3), "acme", &common::ALL, &NoProgress).await.unwrap();
        for u in &org.users {
            let got = store.find_user(r.sync_id, &u.id.to_string()).await.unwrap().unwrap();
            let want = (!u.kind.is_person()).then(|| u.kind.as_str().to_string());
            assert_eq!(got.kind, want, "{version}: user {}", u.id);
            if want.is_some() {
                assert_eq!(got.role, Role::Member, "{version}: user {}", u.id);
            }
        }
    }
}

#[tokio::test]
async fn service_users_tokens_are_synced_and_stale_ones_reported() {
    use roster_engine::reports::{report, ReportOptions};
    let org = common::org(400, 64);
    let sim = common::sim(org.clone(), FaultConfig::default()).await;
    let store = SqlStore::in_memory().await.unwrap();
    let c = common::client(&sim, ApiVersion::V2026_10, 3);
    let r = sync_account(&store, &c, "acme", &common::ALL, &NoProgress).await.unwrap();
    let admin_account = store.account_snapshot(r.sync_id).await.unwrap().unwrap();
    let got = admin_account.service_users.clone().unwrap();
    let want: Vec<_> = org.users.iter().filter(|u| u.kind == UserKind::ServiceUser).collect();
    assert!(!want.is_empty());
    assert_eq!(got.len(), want.len());
    for w in &want {
        let g = got.iter().find(|g| g.id == w.id.to_string()).unwrap();
        // The sim serves times to the second.
        let secs = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.timestamp());
        assert_eq!(secs(g.last_token_activity), secs(w.last_activity), "user {}", w.id);
        assert!(g.has_token && g.enabled);
    }
    let o = ReportOptions { now: monday_sim::GenConfig::default().now, inactive_days: 30, ..ReportOptions::default() };
    let rep = report(&store, r.sync_id, "service-users", &o).await.unwrap();
    let stale: Vec<String> = want
        .iter()
        .filter(|u| u.last_activity.is_none_or(|t| (o.now - t).num_days() >= 30))
        .map(|u| u.id.to_string())
        .collect();
    let mut flagged: Vec<String> = rep.rows.iter().filter(|row| !row[7].is_empty()).map(|row| row[0].clone()).collect();
    flagged.sort();
    let mut stale = stale;
    stale.sort();
    assert_eq!(flagged, stale);

    // A member's token may not read them: the snapshot says unknown, the report says why.
    let member =
        monday_api::Client::new(roster_testkit::client_config(&sim, ApiVersion::V2026_10, roster_testkit::MEMBER))
            .unwrap();
    let store = SqlStore::in_memory().await.unwrap();
    let r = sync_account(&store, &member, "acme", &common::ALL, &NoProgress).await.unwrap();
    let member_account = store.account_snapshot(r.sync_id).await.unwrap().unwrap();
    assert_eq!(member_account.service_users, None);
    // The refused overview is read part by part: the departments are still read.
    assert!(!admin_account.departments.is_empty());
    assert_eq!(member_account.departments, admin_account.departments);
    let e = report(&store, r.sync_id, "service-users", &o).await.unwrap_err();
    assert!(e.to_string().contains("admin"), "{e}");
}
