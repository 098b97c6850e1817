//! Departments (Enterprise): each user's department and each department's seats are synced as
//! monday.com shows them, and the departments report puts monday.com's reserved and assigned
//! seats beside the snapshot's members.

use crate::common;

use monday_api::ApiVersion;
use monday_sim::faults::FaultConfig;
use roster_engine::reports::{report, ReportOptions};
use roster_engine::{sync_account, NoProgress};
use roster_store::prelude::*;
use roster_store::SqlStore;

#[tokio::test]
async fn departments_and_their_seats_are_synced_and_reported() {
    let org = common::org(500, 63);
    assert!(org.departments.len() >= 2);
    let sim = common::sim(org.clone(), FaultConfig::default()).await;
    let store = SqlStore::in_memory().await.unwrap();
    let c = common::client(&sim, ApiVersion::V2026_10, 3);
    let r = sync_account(&store, &c, "acme", &common::ALL, &NoProgress).await.unwrap();
    for u in &org.users {
        let got = store.find_user(r.sync_id, &u.id.to_string()).await.unwrap().unwrap();
        let want = org.departments.iter().find(|d| d.members.contains(&u.id)).map(|d| d.id.to_string());
        assert_eq!(got.department, want, "user {}", u.id);
    }
    let account = store.account_snapshot(r.sync_id).await.unwrap().unwrap();
    let seats: Vec<(String, i64)> = account.departments.iter().map(|d| (d.id.clone(), d.reserved_seats)).collect();
    let want: Vec<(String, i64)> =
        org.departments.iter().map(|d| (d.id.to_string(), d.reserved_seats as i64)).collect();
    assert_eq!(seats, want);

    let o = ReportOptions::default();
    let rep = report(&store, r.sync_id, "departments", &o).await.unwrap();
    assert_eq!(rep.rows.len(), org.departments.len() + 1, "one row per department and one for no department");
    for d in &org.departments {
        let row = rep.rows.iter().find(|row| row[1] == d.id.to_string()).unwrap();
        assert_eq!(row[0], d.name);
        assert_eq!(row[5], d.members.len().to_string(), "{row:?}");
        let assigned: i64 = row[3].parse().unwrap();
        assert_eq!(row[4], (assigned - d.reserved_seats as i64).max(0).to_string(), "{row:?}");
    }
    let outside = org.users.iter().filter(|u| !org.departments.iter().any(|d| d.members.contains(&u.id))).count();
    assert_eq!(rep.rows.last().unwrap()[5], outside.to_string());
}
