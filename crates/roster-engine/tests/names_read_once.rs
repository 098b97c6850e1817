//! A page that reads its names first (`Names::prefetch_subjects`) names everything as one that
//! reads them one by one, and takes one read per type to do it, none per name.

use crate::common;

use monday_api::ApiVersion;
use monday_sim::faults::FaultConfig;
use roster_core::ResourceType;
use roster_engine::names::Names;
use roster_engine::{sync_account, NoProgress};
use roster_store::prelude::*;
use roster_store::SqlStore;

#[tokio::test]
async fn prefetched_names_equal_names_read_one_by_one() {
    let org = common::org(120, 7);
    let sim = common::sim(org.clone(), FaultConfig::default()).await;
    let store = SqlStore::in_memory().await.unwrap();
    let c = common::client(&sim, ApiVersion::V2026_10, 3);
    let sync = sync_account(&store, &c, "acme", &common::ALL, &NoProgress).await.unwrap().sync_id;

    // Every user, team, workspace and board (as itself and as an entitlement), every grant's
    // principal and source, roles built in and custom, ids the snapshot lacks, and text.
    let mut subjects: Vec<String> = org.users.iter().map(|u| format!("user:{}", u.id)).collect();
    for t in [ResourceType::Team, ResourceType::Workspace, ResourceType::Board, ResourceType::Role] {
        for r in store.resources(sync, t).await.unwrap() {
            subjects.push(format!("{}:{}", t.as_str(), r.id));
        }
    }
    for g in store.all_grants(sync).await.unwrap() {
        subjects.push(g.entitlement.to_string());
        subjects.push(g.principal.to_string());
        if let roster_core::GrantSource::Team(t) = &g.source {
            subjects.push(format!("team:{t}"));
        }
    }
    subjects.extend(
        ["user:999999999", "board:424242:subscriber", "team:-1", "role:admin", "workspace:77777", "direct", "sync"]
            .map(String::from),
    );
    assert!(subjects.iter().any(|s| s.starts_with("role:") && s != "role:admin"), "the org has a custom role");

    let mut one_by_one = Names::new(&store, sync);
    let mut want = Vec::new();
    for s in &subjects {
        want.push(one_by_one.subject(s).await.unwrap());
    }
    assert!(one_by_one.reads() > 100, "naming one by one reads per name ({})", one_by_one.reads());

    let mut first = Names::new(&store, sync);
    first.prefetch_subjects(subjects.iter().map(String::as_str)).await.unwrap();
    // Users, and each of team, workspace, board and custom role.
    assert_eq!(first.reads(), 5, "one read per type");
    let mut got = Vec::new();
    for s in &subjects {
        got.push(first.subject(s).await.unwrap());
    }
    assert_eq!(got, want);
    assert_eq!(first.reads(), 5, "nothing read again once prefetched");
}
