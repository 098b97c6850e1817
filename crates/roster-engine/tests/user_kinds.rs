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
