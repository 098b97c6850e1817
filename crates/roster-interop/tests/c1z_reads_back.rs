//! A c1z export read back through SQLite and the generated decoder, row for row: every
//! resource, entitlement and grant of the snapshot, direct and through teams, with team grants
//! marked for baton's expansion; a two-sync file's difference equals Roster's own diff.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use std::collections::BTreeSet;

use prost::Message;
use roster_core::{GrantSource, PrincipalType, ResourceType, UserStatus};
use roster_engine::{sync_account, NoProgress, SyncOptions};
use roster_interop::c1z::{database_of, export};
use roster_interop::pb;
use roster_store::prelude::*;
use roster_store::{SqlStore, UserQuery};
use sqlx::{Connection, Row, SqliteConnection};

const ALL: SyncOptions =
    SyncOptions { board_state: monday_api::StateFilter::All, workspace_state: monday_api::StateFilter::All };

/// One decoded sync of a file: resources, entitlements, and grants as (entitlement, principal,
/// source) triples the way Roster writes them.
#[derive(Debug, Default)]
struct Read {
    resources: BTreeSet<String>,
    entitlements: BTreeSet<String>,
    grants: BTreeSet<(String, String, String)>,
    expandable: BTreeSet<(String, Vec<String>)>,
    user_emails: BTreeSet<(String, String, i32)>,
}

async fn read(path: &std::path::Path) -> Vec<(String, Read)> {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..5], b"C1ZF\0", "the v1 magic");
    let db = database_of(&bytes, 1 << 30).unwrap();
    let db_path = path.with_extension("read.db");
    std::fs::write(&db_path, db).unwrap();
    let mut c = SqliteConnection::connect(&format!("sqlite://{}", db_path.display())).await.unwrap();
    let runs: Vec<(String, Option<String>)> = sqlx::query("select sync_id, ended_at from v1_sync_runs order by id")
        .fetch_all(&mut c)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let mut out = vec![];
    for (sync, ended) in runs {
        assert!(ended.is_some(), "every sync is completed");
        let mut rd = Read::default();
        for r in sqlx::query("select external_id, data from v1_resources where sync_id = ?")
            .bind(&sync)
            .fetch_all(&mut c)
            .await
            .unwrap()
        {
            let res = pb::Resource::decode(r.get::<Vec<u8>, _>(1).as_slice()).unwrap();
            let id = res.id.clone().unwrap();
            assert_eq!(r.get::<String, _>(0), format!("{}:{}", id.resource_type, id.resource));
            if id.resource_type == "user" {
                let t = res.annotations.iter().find(|a| a.type_url.ends_with("UserTrait")).unwrap();
                let t = pb::UserTrait::decode(t.value.as_slice()).unwrap();
                rd.user_emails.insert((id.resource.clone(), t.emails[0].address.clone(), t.status.unwrap().status));
            }
            rd.resources.insert(format!("{}:{}", id.resource_type, id.resource));
        }
        for r in sqlx::query("select external_id, data from v1_entitlements where sync_id = ?")
            .bind(&sync)
            .fetch_all(&mut c)
            .await
            .unwrap()
        {
            let e = pb::Entitlement::decode(r.get::<Vec<u8>, _>(1).as_slice()).unwrap();
            assert_eq!(r.get::<String, _>(0), e.id);
            rd.entitlements.insert(e.id);
        }
        let q = "select external_id, data, expansion, needs_expansion from v1_grants where sync_id = ?";
        for r in sqlx::query(q).bind(&sync).fetch_all(&mut c).await.unwrap() {
            let g = pb::Grant::decode(r.get::<Vec<u8>, _>(1).as_slice()).unwrap();
            assert_eq!(r.get::<String, _>(0), g.id);
            let eid = g.entitlement.as_ref().unwrap().id.clone();
            let p = g.principal.as_ref().unwrap().id.clone().unwrap();
            let principal = format!("{}:{}", p.resource_type, p.resource);
            assert_eq!(g.id, format!("{eid}:{principal}"), "baton's grant id");
            assert!(g.annotations.is_empty(), "the expansion is not left in data");
            for (key, s) in &g.sources.as_ref().unwrap().sources {
                let source = if s.is_direct {
                    assert_eq!(key, &eid);
                    "direct".to_string()
                } else {
                    key.strip_suffix(":member").unwrap().to_string()
                };
                rd.grants.insert((eid.clone(), principal.clone(), source));
            }
            let expansion: Option<Vec<u8>> = r.get(2);
            assert_eq!(r.get::<i64, _>(3) == 1, expansion.is_some());
            if let Some(x) = expansion {
                let x = pb::GrantExpandable::decode(x.as_slice()).unwrap();
                rd.expandable.insert((principal.clone(), x.entitlement_ids));
            }
        }
        out.push((sync, rd));
    }
    out
}

async fn truth(store: &SqlStore, sync: i64) -> Read {
    let mut t = Read::default();
    for u in store.users(sync, &UserQuery::default()).await.unwrap() {
        t.resources.insert(format!("user:{}", u.id));
        let status = if u.status == UserStatus::Deactivated { 2 } else { 1 };
        t.user_emails.insert((u.id.clone(), u.email.clone(), status));
    }
    for rtype in [ResourceType::Role, ResourceType::Team, ResourceType::Workspace, ResourceType::Board] {
        for r in store.resources(sync, rtype).await.unwrap() {
            t.resources.insert(format!("{rtype}:{}", r.id));
            for slug in rtype.slugs() {
                t.entitlements.insert(format!("{rtype}:{}:{slug}", r.id));
            }
        }
    }
    for role in ["admin", "member", "viewer", "guest"] {
        t.resources.insert(format!("role:{role}"));
        t.entitlements.insert(format!("role:{role}:assigned"));
    }
    let a = store.account_snapshot(sync).await.unwrap().unwrap();
    t.resources.insert(format!("account:{}", a.monday_id));
    for g in store.all_grants(sync).await.unwrap() {
        let principal = format!("{}:{}", g.principal.ptype.as_str(), g.principal.id);
        if g.principal.ptype == PrincipalType::Team {
            t.expandable.insert((principal.clone(), vec![format!("team:{}:member", g.principal.id)]));
            if t.resources.insert(principal.clone()) {
                // A team only grants name (team -1, "everyone") is a resource of the file.
                for slug in ResourceType::Team.slugs() {
                    t.entitlements.insert(format!("{principal}:{slug}"));
                }
            }
        }
        let source = match g.source {
            GrantSource::Direct => "direct".to_string(),
            GrantSource::Team(id) => format!("team:{id}"),
        };
        t.grants.insert((g.entitlement.to_string(), principal, source));
    }
    t
}

fn same(what: &str, got: &Read, want: &Read) {
    assert_eq!(got.resources, want.resources, "{what}: resources");
    assert_eq!(got.entitlements, want.entitlements, "{what}: entitlements");
    assert_eq!(got.grants, want.grants, "{what}: grants");
    assert_eq!(got.expandable, want.expandable, "{what}: team grants marked for expansion");
    assert_eq!(got.user_emails, want.user_emails, "{what}: users' e-mails and status");
}

#[tokio::test]
async fn an_export_reads_back_row_for_row_and_two_syncs_differ_as_roster_diff_says() {
    let org = roster_testkit::org(300, 81);
    let sim = roster_testkit::start(org.clone()).await;
    let client = roster_testkit::client(&sim);
    let store = SqlStore::in_memory().await.unwrap();
    let first = sync_account(&store, &client, "acme", &ALL, &NoProgress).await.unwrap();
    let dir = roster_testkit::Dir::new("c1z");
    let path = dir.path().join("acme.c1z");
    let e = export(&store, "acme", None, false, &path).await.unwrap();
    assert_eq!(e.syncs.len(), 1);
    let file = read(&path).await;
    assert_eq!(file.len(), 1);
    same("one sync", &file[0].1, &truth(&store, first.sync_id).await);
    assert_eq!(file[0].0, e.syncs[0].1, "the sync id written is the one reported");
    assert_eq!(file[0].0.len(), 27, "a KSUID");

    // A change: a member leaves a team and a user is deactivated, then a second sync.
    let team = org.teams.iter().find(|t| t.members.len() > 2 && !t.is_guest).unwrap();
    let leaver = team.members[1];
    client.change_team_members(team.id, &[leaver], false).await.unwrap();
    let victim = org
        .users
        .iter()
        .find(|u| u.status == monday_sim::model::UserStatus::Active && u.id != org.users[0].id && u.id != leaver)
        .unwrap()
        .id;
    client.deactivate_users(&[victim]).await.unwrap();
    let second = sync_account(&store, &client, "acme", &ALL, &NoProgress).await.unwrap();
    let path2 = dir.path().join("acme-2.c1z");
    let e = export(&store, "acme", None, true, &path2).await.unwrap();
    assert_eq!(e.syncs.iter().map(|s| s.0).collect::<Vec<_>>(), vec![first.sync_id, second.sync_id]);
    let file = read(&path2).await;
    assert_eq!(file.len(), 2, "two completed syncs");
    same("older sync", &file[0].1, &truth(&store, first.sync_id).await);
    same("newer sync", &file[1].1, &truth(&store, second.sync_id).await);
    // The file's difference is Roster's diff.
    let key = |g: &roster_core::Grant| {
        let s = match &g.source {
            GrantSource::Direct => "direct".to_string(),
            GrantSource::Team(id) => format!("team:{id}"),
        };
        (g.entitlement.to_string(), format!("{}:{}", g.principal.ptype.as_str(), g.principal.id), s)
    };
    let lost: BTreeSet<_> =
        store.grants_missing_from(first.sync_id, second.sync_id).await.unwrap().iter().map(key).collect();
    let gained: BTreeSet<_> =
        store.grants_missing_from(second.sync_id, first.sync_id).await.unwrap().iter().map(key).collect();
    let file_lost: BTreeSet<_> = file[0].1.grants.difference(&file[1].1.grants).cloned().collect();
    let file_gained: BTreeSet<_> = file[1].1.grants.difference(&file[0].1.grants).cloned().collect();
    assert!(!lost.is_empty(), "the leaver lost access");
    assert_eq!(file_lost, lost);
    assert_eq!(file_gained, gained);
    assert!(file_lost
        .iter()
        .any(|(e, p, _)| e == &format!("team:{}:member", team.id) && p == &format!("user:{leaver}")));

    // Asking for a snapshot that is not there says so.
    let err = export(&store, "acme", Some(999_999), false, &dir.path().join("x.c1z")).await.unwrap_err();
    assert!(err.to_string().contains("roster syncs"), "{err}");
}
