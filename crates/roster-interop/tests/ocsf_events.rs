//! Every kind of identity change Roster records, and every audit log event monday-sim logs,
//! becomes an OCSF 1.1 event with the required fields. The events are written to
//! `target/ocsf/events.jsonl`, where the test script validates each against OCSF 1.1's JSON
//! schema with an outside validator (`scripts/ocsf-referee.py`), and as Parquet files in
//! `target/ocsf/parquet/`, which it reads back with pyarrow.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use std::collections::BTreeSet;
use std::path::PathBuf;

use monday_api::UserKind;
use monday_sim::model::{UserKind as K, UserStatus as S};
use roster_engine::audit_log::{read_audit_log, AuditReadOptions};
use roster_engine::{sync_account, NoProgress, SyncOptions};
use roster_interop::ocsf::{batch, CLASSES, IDENTITY_CHANGES};
use roster_store::prelude::*;
use roster_store::{EventQuery, SqlStore};
use serde_json::Value;

const ALL: SyncOptions =
    SyncOptions { board_state: monday_api::StateFilter::All, workspace_state: monday_api::StateFilter::All };

#[tokio::test]
async fn every_identity_change_and_audit_event_is_an_ocsf_event() {
    let org = roster_testkit::org(200, 91);
    let sim = roster_testkit::start(org.clone()).await;
    let c = roster_testkit::client(&sim);
    let store = SqlStore::in_memory().await.unwrap();
    sync_account(&store, &c, "acme", &ALL, &NoProgress).await.unwrap();

    // Changes through the API, each logged by monday-sim and seen by the next sync.
    let tokens: Vec<u64> = org.tokens.iter().map(|t| t.user_id).collect();
    let free = |pred: &dyn Fn(&monday_sim::model::User) -> bool| {
        org.users.iter().filter(|u| !tokens.contains(&u.id) && pred(u)).map(|u| u.id).collect::<Vec<_>>()
    };
    let active = free(&|u| u.status == S::Active && u.kind == K::Member && u.role_id.is_none());
    let inactive = free(&|u| u.status == S::Inactive && u.kind.is_person());
    c.deactivate_users(&[active[0]]).await.unwrap();
    c.activate_users(&[inactive[0]]).await.unwrap();
    c.update_users_role(&[active[1]], &UserKind::Viewer).await.unwrap();
    c.invite_users(&["new.hire@acme-example.com".to_string()], &UserKind::Member).await.unwrap();
    let team = org.teams.iter().find(|t| !t.is_guest && t.members.len() > 2).unwrap();
    c.change_team_members(team.id, &[active[2]], true).await.unwrap();
    c.change_team_members(team.id, &[team.members[1]], false).await.unwrap();
    let created = c.create_team("OCSF auditors", &[active[3]], false).await.unwrap();
    let doomed = org.teams.iter().find(|t| t.id != team.id && !t.is_guest).unwrap().id;
    c.delete_team(doomed).await.unwrap();
    let board = org.boards.iter().find(|b| b.kind != monday_sim::model::BoardKind::Share).unwrap();
    c.change_board_users(board.id, &[active[4]], false, true).await.unwrap();
    c.change_board_teams(board.id, &[i128::from(created)], false, true).await.unwrap();
    // What no mutation does: a board renamed, a user's e-mail and name changed, a user gone.
    let mut changed = sim.sim.world().org().clone();
    changed.boards.iter_mut().find(|b| b.id == board.id).unwrap().name = "Renamed board".into();
    let (renamed, gone) = (active[5], active[6]);
    let u = changed.users.iter_mut().find(|u| u.id == renamed).unwrap();
    u.email = "renamed.person@acme-example.com".into();
    u.name = "Renamed Person".into();
    changed.users.retain(|u| u.id != gone);
    for t in &mut changed.teams {
        t.members.retain(|m| *m != gone);
        t.owners.retain(|m| *m != gone);
    }
    for w in &mut changed.workspaces {
        w.members.retain(|m| *m != gone);
        w.owners.retain(|m| *m != gone);
    }
    for b in &mut changed.boards {
        b.subscribers.retain(|m| *m != gone);
        b.owners.retain(|m| *m != gone);
    }
    for d in &mut changed.departments {
        d.members.retain(|m| *m != gone);
        d.owners.retain(|m| *m != gone);
    }
    sim.sim.replace(changed).unwrap();
    sync_account(&store, &c, "acme", &ALL, &NoProgress).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let o = AuditReadOptions { first_days: 365, lag: chrono::Duration::zero(), ..AuditReadOptions::default() };
    read_audit_log(&store, &c, "acme", chrono::Utc::now(), &o).await.unwrap();

    // Every identity-change kind happened.
    let q = EventQuery { account: Some("acme".into()), limit: Some(1_000_000), ..EventQuery::default() };
    let rows = store.events(&q).await.unwrap();
    let kinds: BTreeSet<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
    for k in IDENTITY_CHANGES {
        assert!(kinds.contains(k.as_str()), "the test makes a {} event", k.as_str());
    }
    let identity = rows.iter().filter(|r| IDENTITY_CHANGES.iter().any(|k| k.as_str() == r.kind)).count();
    let audit = store.audit_entries_after("acme", 0, 1_000_000).await.unwrap();
    let audit_kinds: BTreeSet<&str> = audit.iter().map(|r| r.event.as_str()).collect();
    for k in monday_sim::audit::AuditKind::ALL {
        assert!(audit_kinds.contains(k.as_str()), "the audit log holds a {} entry", k.as_str());
    }

    // All of them, in batches, each once, with the required fields.
    let (mut after_event, mut after_audit, mut events) = (0, 0, Vec::new());
    loop {
        let b = batch(&store, "acme", after_event, after_audit, 700).await.unwrap();
        events.extend(b.events);
        if (b.last_event, b.last_audit) == (after_event, after_audit) {
            break;
        }
        (after_event, after_audit) = (b.last_event, b.last_audit);
    }
    assert_eq!(events.len(), identity + audit.len(), "one OCSF event per identity change and audit entry");
    let uids: BTreeSet<&str> = events.iter().map(|e| e["metadata"]["uid"].as_str().unwrap()).collect();
    assert_eq!(uids.len(), events.len(), "metadata.uid is unique");
    let mut classes = BTreeSet::new();
    for e in &events {
        let (class, activity) = (e["class_uid"].as_u64().unwrap(), e["activity_id"].as_u64().unwrap());
        assert!(CLASSES.contains(&(class as u32)), "{e}");
        assert_eq!(e["type_uid"].as_u64().unwrap(), class * 100 + activity, "{e}");
        assert_eq!(e["category_uid"], 3);
        assert!(e["time"].as_i64().unwrap() > 0 && e["severity_id"].is_u64());
        assert_eq!(e["metadata"]["version"], "1.1.0");
        assert!(e["metadata"]["product"]["vendor_name"].is_string());
        classes.insert(class);
    }
    assert_eq!(classes.len(), CLASSES.len(), "every class is emitted: {classes:?}");
    let failed: Vec<&Value> = events.iter().filter(|e| e["class_uid"] == 3002 && e["status_id"] == 2).collect();
    assert!(
        !failed.is_empty() && failed.iter().all(|e| e["src_endpoint"]["ip"].is_string()),
        "failed logins with their address"
    );

    // For the outside validator.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/ocsf");
    std::fs::create_dir_all(&dir).unwrap();
    let text: String = events.iter().map(|e| format!("{e}\n")).collect();
    std::fs::write(dir.join("events.jsonl"), text).unwrap();
    // The same as Security Lake's Parquet files, one per class and day, which the script reads
    // back with pyarrow and compares with the lines above.
    let lake = dir.join("parquet");
    let _ = std::fs::remove_dir_all(&lake);
    let written = roster_interop::ocsf::parquet::write_partitioned(&lake, "ocsf-events", &events).unwrap();
    assert_eq!(written.iter().map(|w| w.events).sum::<usize>(), events.len());
    let classes_written: BTreeSet<u32> = written.iter().map(|w| w.class).collect();
    assert_eq!(classes_written.len(), CLASSES.len(), "a file of each class");
}
