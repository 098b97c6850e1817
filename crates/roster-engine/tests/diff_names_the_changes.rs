//! Change monday.com between two syncs (users added and removed, a role, an e-mail and a name
//! changed, a board renamed, board subscribers moved) and the events name exactly those changes.

use crate::common;

use std::collections::BTreeSet;

use common::truth;
use monday_api::{ApiToken, Client, ClientConfig, StateFilter};
use monday_sim::faults::FaultConfig;
use monday_sim::limits::LimitsConfig;
use monday_sim::model::{User, UserKind};
use monday_sim::{generate, GenConfig, Sim, SimConfig};
use roster_engine::{sync_account, NoProgress, SyncOptions};
use roster_store::prelude::*;
use roster_store::{EventQuery, SqlStore};

#[tokio::test]
async fn events_are_exactly_the_changes() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut org =
        generate(&GenConfig { users: 400, teams: 20, workspaces: 8, boards: 80, seed: 101, ..GenConfig::default() })
            .unwrap();
    let sim = Sim::new(
        org.clone(),
        SimConfig {
            limits: LimitsConfig::unlimited(),
            faults: FaultConfig::default(),
            frozen_clock: false,
            scim_any_user_name: false,
        },
    )
    .unwrap();
    let sim = monday_sim::spawn(sim, std::net::SocketAddr::from(([127, 0, 0, 1], 0))).await.unwrap();
    let client = Client::new(
        ClientConfig::new(ApiToken::new("sim-admin-token")).with_endpoint(sim.graphql_url().parse().unwrap()),
    )
    .unwrap();
    let store = SqlStore::in_memory().await.unwrap();
    let opts = SyncOptions { board_state: StateFilter::All, workspace_state: StateFilter::All };
    let first = sync_account(&store, &client, "acme", &opts, &NoProgress).await.unwrap();
    let before = truth(&org);

    // The changes.
    let gone = org.users.iter().rposition(|u| u.kind == UserKind::Member).unwrap();
    let gone_id = org.users[gone].id;
    common::remove_user(&mut org, gone_id);
    let mut new_user: User = org.users[10].clone();
    new_user.id = 49_999_999;
    new_user.email = "new.hire@acme-example.com".into();
    org.users.push(new_user);
    let promoted = org.users.iter().position(|u| u.kind == UserKind::Viewer).unwrap();
    org.users[promoted].kind = UserKind::Admin;
    let promoted_id = org.users[promoted].id;
    org.users[20].email = "renamed.person@acme-example.com".into();
    let email_id = org.users[20].id;
    // Only the case of this e-mail changes: not a change.
    org.users[21].email = org.users[21].email.to_uppercase();
    org.boards[3].name = "Renamed board".into();
    let renamed_board = org.boards[3].id;
    let b = org.boards.iter().position(|b| b.subscribers.len() > b.owners.len() + 1).unwrap();
    let moved_out = *org.boards[b].subscribers.iter().find(|s| !org.boards[b].owners.contains(s)).unwrap();
    org.boards[b].subscribers.retain(|s| *s != moved_out);
    let moved_in =
        org.users.iter().map(|u| u.id).find(|id| !org.boards[b].subscribers.contains(id) && *id != 49_999_999).unwrap();
    org.boards[b].subscribers.push(moved_in);
    sim.sim.replace(org.clone()).unwrap();

    let second = sync_account(&store, &client, "acme", &opts, &NoProgress).await.unwrap();
    assert_eq!(second.previous, Some(first.sync_id));
    let events = store.events(&EventQuery { sync_id: Some(second.sync_id), ..EventQuery::default() }).await.unwrap();
    let non_grant: BTreeSet<(String, String)> = events
        .iter()
        .filter(|e| !e.kind.starts_with("grant_") && e.kind != "sync_completed")
        .map(|e| (e.kind.clone(), e.subject.clone()))
        .collect();
    let want: BTreeSet<(String, String)> = [
        ("user_added", "user:49999999".to_string()),
        ("user_removed", format!("user:{gone_id}")),
        ("user_role_changed", format!("user:{promoted_id}")),
        ("user_email_changed", format!("user:{email_id}")),
        ("resource_renamed", format!("board:{renamed_board}")),
    ]
    .into_iter()
    .map(|(k, s)| (k.to_string(), s))
    .collect();
    assert_eq!(non_grant, want);
    let role = events.iter().find(|e| e.kind == "user_role_changed").unwrap();
    assert_eq!((role.detail["from"].as_str(), role.detail["to"].as_str()), (Some("viewer"), Some("admin")));

    // Grant events: exactly the set difference of the two ground truths.
    let after = truth(&org);
    let key = |e: &roster_store::EventRow| {
        format!("{}|{}|{}", e.subject, e.detail["principal"].as_str().unwrap(), e.detail["source"].as_str().unwrap())
    };
    let added: BTreeSet<String> = events.iter().filter(|e| e.kind == "grant_added").map(key).collect();
    let removed: BTreeSet<String> = events.iter().filter(|e| e.kind == "grant_removed").map(key).collect();
    assert_eq!(added, after.difference(&before).cloned().collect());
    assert_eq!(removed, before.difference(&after).cloned().collect());
    assert!(added.contains(&format!("board:{}:subscriber|user:{moved_in}|direct", org.boards[b].id)));
    assert!(removed.contains(&format!("board:{}:subscriber|user:{moved_out}|direct", org.boards[b].id)));
    assert_eq!(events.iter().filter(|e| e.kind == "sync_completed").count(), 1);

    // A third sync with no change: no events but the sync's own.
    let third = sync_account(&store, &client, "acme", &opts, &NoProgress).await.unwrap();
    assert_eq!(third.events, 0);
}
