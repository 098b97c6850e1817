//! Every filter of `users`, `teams`, `workspaces` and `boards` behaves as on monday.com, and
//! each token sees what its role may see.

use crate::common;

use std::collections::BTreeSet;

use common::*;
use monday_sim::model::{BoardKind, State, User, UserKind, UserStatus, WorkspaceKind};
use serde_json::json;

fn set(v: impl IntoIterator<Item = u64>) -> BTreeSet<u64> {
    v.into_iter().collect()
}

fn users_where(org: &monday_sim::Org, f: impl Fn(&User) -> bool) -> BTreeSet<u64> {
    set(org.users.iter().filter(|u| f(u)).map(|u| u.id))
}

async fn user_ids(sim: &monday_sim::RunningSim, args: &str) -> BTreeSet<u64> {
    set(ids(&data(sim, &format!("{{ users(limit: 1000{args}) {{ id }} }}")).await["users"]))
}

#[tokio::test]
async fn users_filters() {
    let org = org(800, 21);
    let sim = start(org.clone()).await;
    let enabled = |u: &User| u.status != UserStatus::Inactive;

    // status, and non_active
    for (arg, want) in [
        (", status: [INACTIVE]", users_where(&org, |u| u.status == UserStatus::Inactive)),
        (", status: [PENDING]", users_where(&org, |u| u.status == UserStatus::Pending)),
        (", status: [ACTIVE, PENDING]", users_where(&org, enabled)),
        (", non_active: true", users_where(&org, |u| u.status == UserStatus::Inactive)),
        (", non_active: false", users_where(&org, enabled)),
        (", status: [INACTIVE, ACTIVE], non_active: true", users_where(&org, |u| u.status == UserStatus::Inactive)),
    ] {
        assert!(!want.is_empty(), "{arg}");
        assert_eq!(user_ids(&sim, arg).await, want, "{arg}");
    }
    // kind (legacy enum) and user_kind (in / not_in)
    for (arg, want) in [
        (", kind: guests", users_where(&org, |u| enabled(u) && u.kind == UserKind::Guest)),
        (", kind: non_guests", users_where(&org, |u| enabled(u) && u.kind != UserKind::Guest)),
        (", kind: non_pending", users_where(&org, |u| u.status == UserStatus::Active)),
        (", kind: all", users_where(&org, enabled)),
        (
            ", user_kind: { in: [ADMIN, VIEW_ONLY] }",
            users_where(&org, |u| enabled(u) && matches!(u.kind, UserKind::Admin | UserKind::Viewer)),
        ),
        (
            ", user_kind: { not_in: [GUEST, MEMBER] }",
            users_where(&org, |u| enabled(u) && !matches!(u.kind, UserKind::Guest | UserKind::Member)),
        ),
        (", user_kind: { in: [SERVICE_USER] }", users_where(&org, |u| enabled(u) && u.kind == UserKind::ServiceUser)),
        (", user_kind: { in: [AGENT_MEMBER] }", users_where(&org, |u| enabled(u) && u.kind == UserKind::AgentMember)),
    ] {
        assert!(!want.is_empty(), "{arg}");
        assert_eq!(user_ids(&sim, arg).await, want, "{arg}");
    }
    // ids, emails (case-insensitive), name (fuzzy, or exact with kind)
    let some: Vec<&User> = org.users.iter().filter(|u| enabled(u)).take(3).collect();
    let id_list = some.iter().map(|u| u.id.to_string()).collect::<Vec<_>>().join(", ");
    assert_eq!(user_ids(&sim, &format!(", ids: [{id_list}]")).await, set(some.iter().map(|u| u.id)));
    let shouted = some[0].email.to_uppercase();
    assert_eq!(user_ids(&sim, &format!(", emails: [\"{shouted}\"]")).await, set([some[0].id]));
    let last_name = some[1].name.split(' ').next_back().unwrap().to_lowercase();
    let want = users_where(&org, |u| enabled(u) && u.name.to_lowercase().contains(&last_name));
    let a =
        gql(&sim, ADMIN, None, "query($n: String) { users(limit: 1000, name: $n) { id } }", json!({"n": last_name}))
            .await;
    assert_eq!(set(ids(&a.body["data"]["users"])), want);
    let a = gql(
        &sim,
        ADMIN,
        None,
        "query($n: String) { users(limit: 1000, name: $n, kind: all) { id } }",
        json!({"n": some[1].name}),
    )
    .await;
    let exact = users_where(&org, |u| enabled(u) && u.name == some[1].name);
    assert_eq!(set(ids(&a.body["data"]["users"])), exact);

    // newest_first and sort
    let d = data(&sim, "{ users(limit: 1000, newest_first: true) { id created_at } }").await;
    let times: Vec<String> =
        d["users"].as_array().unwrap().iter().map(|u| u["created_at"].as_str().unwrap().to_string()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest_first is newest first");
    let d = data(&sim, "{ users(limit: 1000, sort: [{ field: CREATED_AT, direction: ASC }]) { id created_at } }").await;
    let times: Vec<String> =
        d["users"].as_array().unwrap().iter().map(|u| u["created_at"].as_str().unwrap().to_string()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "sort ASC is oldest first");
}

#[tokio::test]
async fn user_fields_on_each_version() {
    let org = org(300, 22);
    let sim = start(org.clone()).await;
    let viewer = org.users.iter().find(|u| u.kind == UserKind::Viewer && u.status == UserStatus::Active).unwrap();
    let q = format!(
        "{{ users(ids: [{}]) {{ id email name title kind status is_email_confirmed created_at became_active_at last_activity invitation_method time_zone_identifier url is_deleted account_id photo_url {{ thumb }} account {{ slug }} }} }}",
        viewer.id
    );
    for v in ["2026-07", "2026-10"] {
        let a = gql(&sim, ADMIN, Some(v), &q, json!({})).await;
        let u = &a.body["data"]["users"][0];
        assert_eq!(u["kind"], "viewer", "{v}");
        assert_eq!(u["status"], "ACTIVE");
        assert_eq!(u["email"], viewer.email.as_str());
        assert_eq!(u["is_deleted"], false);
        assert_eq!(u["account"]["slug"], "acme-example");
    }
    // 2026-07 still serves the legacy booleans, derived from kind and status.
    let legacy = format!(
        "{{ users(ids: [{}]) {{ is_admin is_guest is_view_only is_pending enabled is_verified join_date }} }}",
        viewer.id
    );
    let a = gql(&sim, ADMIN, Some("2026-07"), &legacy, json!({})).await;
    let u = &a.body["data"]["users"][0];
    assert_eq!(
        (u["is_admin"].clone(), u["is_view_only"].clone(), u["enabled"].clone()),
        (json!(false), json!(true), json!(true))
    );
    let a = gql(&sim, ADMIN, Some("2026-10"), &legacy, json!({})).await;
    assert_eq!(a.code(), "undefinedField", "legacy booleans are gone in 2026-10: {}", a.body);
}

#[tokio::test]
async fn board_and_workspace_filters() {
    let org = org(1000, 23);
    let sim = start(org.clone()).await;
    let boards = |f: &dyn Fn(&monday_sim::model::Board) -> bool| set(org.boards.iter().filter(|b| f(b)).map(|b| b.id));
    let board_ids = |args: String| {
        let sim = &sim;
        async move { set(ids(&data(sim, &format!("{{ boards(limit: 500{args}) {{ id }} }}")).await["boards"])) }
    };
    for (kind, k) in [("public", BoardKind::Public), ("private", BoardKind::Private), ("share", BoardKind::Share)] {
        let want = boards(&|b| b.kind == k && b.state == State::Active);
        assert!(!want.is_empty());
        assert_eq!(board_ids(format!(", board_kind: {kind}")).await, want, "{kind}");
    }
    for (state, s) in [("archived", State::Archived), ("deleted", State::Deleted), ("active", State::Active)] {
        assert_eq!(board_ids(format!(", state: {state}")).await, boards(&|b| b.state == s), "{state}");
    }
    let ws = org.workspaces[1].id;
    assert_eq!(
        board_ids(format!(", workspace_ids: [{ws}], state: all")).await,
        boards(&|b| b.workspace_id == Some(ws))
    );
    assert_eq!(board_ids(", hierarchy_types: [multi_level]".to_string()).await, BTreeSet::new());
    let two: Vec<u64> = org.boards.iter().take(2).map(|b| b.id).collect();
    assert_eq!(board_ids(format!(", ids: [{}, {}], state: all", two[0], two[1])).await, set(two));
    let d = data(&sim, "{ boards(limit: 500, order_by: created_at) { created_at } }").await;
    let t: Vec<&str> = d["boards"].as_array().unwrap().iter().map(|b| b["created_at"].as_str().unwrap()).collect();
    assert!(t.windows(2).all(|w| w[0] >= w[1]), "order_by created_at is newest first");

    let wss =
        |f: &dyn Fn(&monday_sim::model::Workspace) -> bool| set(org.workspaces.iter().filter(|w| f(w)).map(|w| w.id));
    let d = data(&sim, "{ workspaces(limit: 500, kind: closed, state: all) { id } }").await;
    assert_eq!(set(ids(&d["workspaces"])), wss(&|w| w.kind == WorkspaceKind::Closed));
    let d = data(&sim, "{ workspaces(limit: 500) { id } }").await;
    assert_eq!(set(ids(&d["workspaces"])), wss(&|w| w.state == State::Active));
    let admin = org.users[0].id;
    let d = data(&sim, "{ workspaces(limit: 500, membership_kind: member, state: all) { id } }").await;
    let teams: BTreeSet<u64> = org.teams.iter().filter(|t| t.members.contains(&admin)).map(|t| t.id).collect();
    assert_eq!(
        set(ids(&d["workspaces"])),
        wss(&|w| w.members.contains(&admin) || w.team_members.iter().any(|t| teams.contains(t)))
    );
}

#[tokio::test]
async fn members_and_guests_see_less_than_admins() {
    let org = org(600, 24);
    let sim = start(org.clone()).await;
    let member = org.users[1].id;
    let guest = org.users[2].id;
    let q = "{ boards(limit: 500, state: all) { id board_kind subscribers { id } team_subscribers { id } } }";
    let all = gql(&sim, ADMIN, None, q, json!({})).await.body["data"]["boards"].as_array().unwrap().len();
    assert_eq!(all, org.boards.len());
    let member_teams: BTreeSet<u64> = org.teams.iter().filter(|t| t.members.contains(&member)).map(|t| t.id).collect();
    let a = gql(&sim, MEMBER, None, q, json!({})).await;
    let member_boards = set(ids(&a.body["data"]["boards"]));
    let want = set(org
        .boards
        .iter()
        .filter(|b| {
            b.kind == BoardKind::Public
                || b.subscribers.contains(&member)
                || b.team_subscribers.iter().any(|t| member_teams.contains(t))
        })
        .map(|b| b.id));
    assert_eq!(member_boards, want, "members see public boards and the boards they are on");
    let a = gql(&sim, GUEST, None, q, json!({})).await;
    for b in a.body["data"]["boards"].as_array().unwrap() {
        assert_eq!(b["board_kind"], "share", "guests only see shareable boards");
    }
    let a = gql(&sim, GUEST, None, "{ users(limit: 1000) { id } }", json!({})).await;
    let seen = set(ids(&a.body["data"]["users"]));
    assert!(seen.contains(&guest) && seen.len() < org.users.len(), "guests see a part of the directory");
    let a = gql(&sim, MEMBER, None, "{ me { id kind } }", json!({})).await;
    assert_eq!(a.body["data"]["me"]["id"], member.to_string());
    assert_eq!(a.body["data"]["me"]["kind"], "member");
}

#[tokio::test]
async fn account_plan_and_version() {
    let org = org(200, 25);
    let sim = start(org.clone()).await;
    let d = data(&sim, "{ account { id name slug tier active_members_count plan { max_users tier period version } products { id kind tier } } version { value kind display_name } }").await;
    // Seats: enabled people who are not guests (service and agent users take none).
    let billable = org
        .users
        .iter()
        .filter(|u| u.status != UserStatus::Inactive && u.kind != UserKind::Guest && u.kind.is_person())
        .count();
    assert_eq!(d["account"]["active_members_count"], billable);
    assert_eq!(d["account"]["plan"]["max_users"], org.account.plan.max_users);
    assert!(org.account.plan.max_users as usize >= billable);
    assert_eq!(d["version"], json!({"value": "2026-10", "kind": "current", "display_name": "Current"}));
    let a = gql(&sim, ADMIN, Some("2026-07"), "{ version { value kind } }", json!({})).await;
    assert_eq!(a.body["data"]["version"], json!({"value": "2026-07", "kind": "maintenance"}));
}
