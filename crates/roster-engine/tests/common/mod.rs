//! Shared helpers: monday-sim on a loopback port, a client, and the ground truth of an org.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::time::Duration;

use monday_api::{ApiVersion, Client, StateFilter};
use monday_sim::faults::FaultConfig;
use monday_sim::model::{Org, UserKind as K};
use monday_sim::{RunningSim, SimConfig};
use roster_engine::SyncOptions;
use roster_store::prelude::*;
use roster_store::SqlStore;

pub use roster_testkit::org;

/// monday-sim serving `org` with an Enterprise account's limits and these faults.
pub async fn sim(org: Org, faults: FaultConfig) -> RunningSim {
    roster_testkit::start_with(org, SimConfig { faults, ..SimConfig::default() }).await
}

/// A client as the org's admin with `retries` fast retries, small pages (so paging is
/// exercised on small orgs) and two pages asked at once.
pub fn client(sim: &RunningSim, version: ApiVersion, retries: usize) -> Client {
    let mut cfg = roster_testkit::client_config(sim, version, roster_testkit::ADMIN);
    cfg.retry.max_retries = retries;
    cfg.retry.min_backoff = Duration::from_millis(2);
    cfg.retry.max_backoff = Duration::from_millis(20);
    cfg.users_page = 100;
    cfg.boards_page = 25;
    // Two pages of each list at once: every sync test also checks paging ahead (order,
    // resume offsets, lists that change while paged, faults) against the ground truth.
    cfg.look_ahead = 2;
    Client::new(cfg).unwrap()
}

pub const ALL: SyncOptions = SyncOptions { board_state: StateFilter::All, workspace_state: StateFilter::All };

/// Every grant the account holds, written independently of the engine's code.
pub fn truth(org: &Org) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut add = |e: String, p: String, s: &str| {
        out.insert(format!("{e}|{p}|{s}"));
    };
    for u in &org.users {
        let role = match u.kind {
            K::Admin => "admin",
            K::Member => "member",
            K::Viewer => "viewer",
            K::Guest => "guest",
            // Service and agent users hold member-level access.
            K::ServiceUser | K::AgentMember => "member",
        };
        add(format!("role:{role}:assigned"), format!("user:{}", u.id), "direct");
        if let Some(custom) = u.role_id {
            add(format!("role:{custom}:assigned"), format!("user:{}", u.id), "direct");
        }
    }
    let members = |team: u64| org.teams.iter().find(|t| t.id == team).map(|t| t.members.clone()).unwrap_or_default();
    for t in &org.teams {
        t.members.iter().for_each(|m| add(format!("team:{}:member", t.id), format!("user:{m}"), "direct"));
        t.owners.iter().for_each(|m| add(format!("team:{}:owner", t.id), format!("user:{m}"), "direct"));
    }
    for w in &org.workspaces {
        for (slug, users, teams) in [("member", &w.members, &w.team_members), ("owner", &w.owners, &w.team_owners)] {
            users.iter().for_each(|u| add(format!("workspace:{}:{slug}", w.id), format!("user:{u}"), "direct"));
            for t in teams {
                add(format!("workspace:{}:{slug}", w.id), format!("team:{t}"), "direct");
                members(*t)
                    .iter()
                    .for_each(|m| add(format!("workspace:{}:{slug}", w.id), format!("user:{m}"), &format!("team:{t}")));
            }
        }
    }
    for b in &org.boards {
        for (slug, users, teams) in
            [("subscriber", &b.subscribers, &b.team_subscribers), ("owner", &b.owners, &b.team_owners)]
        {
            users.iter().for_each(|u| add(format!("board:{}:{slug}", b.id), format!("user:{u}"), "direct"));
            for t in teams {
                add(format!("board:{}:{slug}", b.id), format!("team:{t}"), "direct");
                members(*t)
                    .iter()
                    .for_each(|m| add(format!("board:{}:{slug}", b.id), format!("user:{m}"), &format!("team:{t}")));
            }
        }
        if b.everyone {
            add(format!("board:{}:subscriber", b.id), "team:-1".into(), "direct");
        }
    }
    out
}

pub async fn stored(store: &SqlStore, sync_id: i64) -> BTreeSet<String> {
    store
        .all_grants(sync_id)
        .await
        .unwrap()
        .iter()
        .map(|g| format!("{}|{}|{}", g.entitlement, g.principal, g.source.as_string()))
        .collect()
}

/// Removes user `id` from the org and from every team, workspace, board and department (a
/// board they created passes to the first user).
pub fn remove_user(org: &mut Org, id: u64) {
    org.users.retain(|u| u.id != id);
    let keep = org.users[0].id;
    for d in &mut org.departments {
        d.members.retain(|m| *m != id);
        d.owners.retain(|m| *m != id);
    }
    for t in &mut org.teams {
        t.members.retain(|m| *m != id);
        t.owners.retain(|m| *m != id);
    }
    for w in &mut org.workspaces {
        w.members.retain(|m| *m != id);
        w.owners.retain(|m| *m != id);
    }
    for b in &mut org.boards {
        b.subscribers.retain(|m| *m != id);
        b.owners.retain(|m| *m != id);
        if b.creator_id == id {
            b.creator_id = keep;
        }
    }
}
