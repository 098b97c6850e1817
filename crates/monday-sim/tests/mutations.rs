//! The user-management mutations change the emulator's state as monday.com would, answer with
//! monday's result types (per-item errors in a successful call), and refuse non-admins, the
//! caller themself, oversized batches and invalid input.

use crate::common;

use common::*;
use monday_sim::model::{BoardKind, UserKind, UserStatus};
use serde_json::json;

async fn m(sim: &monday_sim::RunningSim, token: &str, q: &str) -> serde_json::Value {
    let a = gql(sim, token, None, q, json!({})).await;
    assert_eq!(a.status, 200, "{}", a.body);
    a.body
}

fn user(sim: &monday_sim::RunningSim, id: u64) -> monday_sim::model::User {
    let w = sim.sim.world();
    w.users()[w.user_pos(id).unwrap()].clone()
}

#[tokio::test]
async fn user_lifecycle() {
    let org = org(120, 201);
    let sim = start(org.clone()).await;
    let admin = org.users[0].id;
    let active: Vec<u64> = org
        .users
        .iter()
        .skip(3)
        .filter(|u| u.status == UserStatus::Active && u.kind == UserKind::Member)
        .map(|u| u.id)
        .take(3)
        .collect();
    let pending = org.users.iter().find(|u| u.status == UserStatus::Pending).unwrap().id;

    // invite: one new, one bad address, one already a user.
    let b = m(&sim, ADMIN, &format!(r#"mutation {{ invite_users(emails: ["new.person@acme-example.com", "not-an-email", "{}"], user_role: VIEW_ONLY) {{ invited_users {{ id email kind status }} errors {{ code email message }} }} }}"#, org.users[5].email.to_uppercase())).await;
    let r = &b["data"]["invite_users"];
    assert_eq!(r["invited_users"][0]["email"], "new.person@acme-example.com");
    assert_eq!(r["invited_users"][0]["kind"], "viewer");
    assert_eq!(r["invited_users"][0]["status"], "PENDING");
    assert_eq!(r["errors"].as_array().unwrap().len(), 2);
    assert!(sim
        .sim
        .world()
        .users()
        .iter()
        .any(|u| u.email == "new.person@acme-example.com" && u.status == UserStatus::Pending));

    // deactivate: two users, a pending one, an unknown one, and myself; in one call.
    let b = m(&sim, ADMIN, &format!("mutation {{ deactivate_users(user_ids: [{}, {}, {pending}, 1, {admin}]) {{ deactivated_users {{ id status }} errors {{ code user_id }} }} }}", active[0], active[1])).await;
    let r = &b["data"]["deactivate_users"];
    assert_eq!(ids(&r["deactivated_users"]), vec![active[0], active[1]]);
    assert_eq!(r["deactivated_users"][0]["status"], "INACTIVE", "the answer shows the new state");
    let codes: Vec<&str> = r["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["FAILED", "USER_NOT_FOUND", "CANNOT_UPDATE_SELF"]);
    assert_eq!(user(&sim, active[0]).status, UserStatus::Inactive);
    assert_eq!(user(&sim, pending).status, UserStatus::Pending);
    // Deactivating again succeeds (idempotent); activating brings them back.
    let b = m(
        &sim,
        ADMIN,
        &format!(
            "mutation {{ deactivate_users(user_ids: [{}]) {{ deactivated_users {{ id }} errors {{ code }} }} }}",
            active[0]
        ),
    )
    .await;
    assert_eq!(b["data"]["deactivate_users"]["errors"], json!([]));
    let b = m(
        &sim,
        ADMIN,
        &format!("mutation {{ activate_users(user_ids: [{}]) {{ activated_users {{ id status }} }} }}", active[0]),
    )
    .await;
    assert_eq!(b["data"]["activate_users"]["activated_users"][0]["status"], "ACTIVE");

    // roles
    let b = m(&sim, ADMIN, &format!("mutation {{ update_users_role(user_ids: [{}], new_role: ADMIN) {{ updated_users {{ id kind }} errors {{ code }} }} }}", active[2])).await;
    assert_eq!(b["data"]["update_users_role"]["updated_users"][0]["kind"], "admin");
    assert_eq!(user(&sim, active[2]).kind, UserKind::Admin);
    let b = m(
        &sim,
        ADMIN,
        &format!(
            "mutation {{ update_users_role(user_ids: [{}], new_role: MEMBER) {{ errors {{ code }} }} }}",
            active[1]
        ),
    )
    .await;
    assert_eq!(
        b["data"]["update_users_role"]["errors"][0]["code"], "FAILED",
        "a deactivated user's role is not changed"
    );

    // attributes, with an e-mail already taken
    let q = format!(
        r#"mutation {{ update_multiple_users(user_updates: [{{user_id: {}, user_attribute_updates: {{title: "CTO", name: "Zoë Ünal"}}}}, {{user_id: {}, user_attribute_updates: {{email: "{}"}}}}]) {{ updated_users {{ id title name }} errors {{ code user_id }} }} }}"#,
        active[2], active[0], org.users[0].email
    );
    let b = m(&sim, ADMIN, &q).await;
    assert_eq!(b["data"]["update_multiple_users"]["updated_users"][0]["title"], "CTO");
    assert_eq!(b["data"]["update_multiple_users"]["errors"][0]["code"], "INVALID_FIELD");
    assert_eq!(user(&sim, active[2]).name, "Zoë Ünal");
}

#[tokio::test]
async fn permissions_limits_and_input() {
    let org = org(60, 202);
    let sim = start(org.clone()).await;
    let target = org.users[5].id;
    for token in [MEMBER, GUEST] {
        let b = m(
            &sim,
            token,
            &format!("mutation {{ deactivate_users(user_ids: [{target}]) {{ deactivated_users {{ id }} }} }}"),
        )
        .await;
        assert_eq!(b["errors"][0]["extensions"]["code"], "USER_UNAUTHORIZED", "{token}");
        assert_eq!(b["data"]["deactivate_users"], json!(null));
    }
    let too_many: Vec<String> = (0..201).map(|i| (40_000_000 + i).to_string()).collect();
    let b = m(
        &sim,
        ADMIN,
        &format!(
            "mutation {{ deactivate_users(user_ids: [{}]) {{ deactivated_users {{ id }} errors {{ code user_id }} }} }}",
            too_many.join(",")
        ),
    )
    .await;
    // As monday.com: the mutation's result, every id refused with EXCEEDS_BATCH_LIMIT, no root error.
    assert_eq!(b["errors"], json!(null), "{b}");
    let r = &b["data"]["deactivate_users"];
    assert_eq!(r["deactivated_users"], json!([]));
    let codes = r["errors"].as_array().unwrap();
    assert_eq!(codes.len(), 201);
    assert!(codes.iter().all(|e| e["code"] == "EXCEEDS_BATCH_LIMIT"), "{r}");
    assert_eq!(
        sim.sim.world().users().iter().filter(|u| u.status == UserStatus::Inactive).count(),
        org.users.iter().filter(|u| u.status == UserStatus::Inactive).count(),
        "nothing changed"
    );
    let b = m(&sim, ADMIN, "mutation { deactivate_users(user_ids: [\"abc\"]) { deactivated_users { id } } }").await;
    assert_eq!(b["errors"][0]["extensions"]["code"], "InvalidArgumentException");
    // A mutation costs 30,000 complexity points.
    let b = m(
        &sim,
        ADMIN,
        &format!(
            "mutation {{ complexity {{ query }} activate_users(user_ids: [{target}]) {{ activated_users {{ id }} }} }}"
        ),
    )
    .await;
    assert!(b["data"]["complexity"]["query"].as_u64().unwrap() >= 30_000);
}

#[tokio::test]
async fn teams_and_owners() {
    let org = org(200, 203);
    let sim = start(org.clone()).await;
    let members: Vec<u64> = org
        .users
        .iter()
        .filter(|u| u.kind == UserKind::Member && u.status == UserStatus::Active)
        .map(|u| u.id)
        .take(3)
        .collect();
    let guest = org.users.iter().find(|u| u.kind == UserKind::Guest && u.status == UserStatus::Active).unwrap().id;
    let viewer = org.users.iter().find(|u| u.kind == UserKind::Viewer && u.status == UserStatus::Active).unwrap().id;

    let b = m(&sim, ADMIN, "mutation { create_team(input: {name: \"Empty\"}) { id } }").await;
    assert!(b["errors"][0]["message"].as_str().unwrap().contains("allow_empty_team"));
    let b = m(&sim, ADMIN, &format!("mutation {{ create_team(input: {{name: \"Platform\", subscriber_ids: [{}]}}) {{ id name users {{ id }} }} }}", members[0])).await;
    let team: u64 = b["data"]["create_team"]["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(ids(&b["data"]["create_team"]["users"]), vec![members[0]]);
    let b = m(
        &sim,
        ADMIN,
        "mutation { create_team(input: {name: \"platform\"}, options: {allow_empty_team: true}) { id } }",
    )
    .await;
    assert!(b["errors"][0]["message"].as_str().unwrap().contains("already exists"));

    let b = m(&sim, ADMIN, &format!("mutation {{ add_users_to_team(team_id: {team}, user_ids: [{}, {}, {guest}, 1]) {{ successful_users {{ id }} failed_users {{ id }} }} }}", members[1], viewer)).await;
    let r = &b["data"]["add_users_to_team"];
    assert_eq!(ids(&r["successful_users"]), vec![members[1], viewer]);
    assert_eq!(ids(&r["failed_users"]), vec![guest], "a guest cannot join a regular team");

    let b = m(&sim, ADMIN, &format!("mutation {{ assign_team_owners(team_id: {team}, user_ids: [{}, {viewer}, {}]) {{ team {{ owners {{ id }} }} errors {{ code user_id }} }} }}", members[1], members[2])).await;
    let r = &b["data"]["assign_team_owners"];
    assert_eq!(ids(&r["team"]["owners"]), vec![members[1]]);
    let codes: Vec<&str> = r["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["VIEWERS_OR_GUESTS", "USER_NOT_MEMBER_OF_TEAM"]);

    let b = m(
        &sim,
        ADMIN,
        &format!(
            "mutation {{ remove_users_from_team(team_id: {team}, user_ids: [{}]) {{ successful_users {{ id }} }} }}",
            members[1]
        ),
    )
    .await;
    assert_eq!(ids(&b["data"]["remove_users_from_team"]["successful_users"]), vec![members[1]]);
    let w = sim.sim.world();
    let t = &w.teams()[w.team_pos(team).unwrap()];
    assert!(
        !t.members.contains(&members[1]) && !t.owners.contains(&members[1]),
        "removing a member removes their ownership"
    );

    // A board subscribed by the team loses it when the team is deleted.
    let board = org.boards[0].id;
    m(&sim, ADMIN, &format!("mutation {{ add_teams_to_board(board_id: {board}, team_ids: [{team}]) {{ id }} }}")).await;
    let b = m(&sim, ADMIN, &format!("mutation {{ delete_team(team_id: {team}) {{ id name }} }}")).await;
    assert_eq!(b["data"]["delete_team"]["name"], "Platform");
    let w = sim.sim.world();
    assert!(w.team_pos(team).is_none());
    assert!(!w.boards()[w.board_pos(board).unwrap()].team_subscribers.contains(&team));
    let b = m(&sim, ADMIN, &format!("mutation {{ delete_team(team_id: {team}) {{ id }} }}")).await;
    assert_eq!(b["errors"][0]["extensions"]["code"], "ResourceNotFoundException");
}

#[tokio::test]
async fn workspace_and_board_memberships() {
    let org = org(600, 204);
    let sim = start(org.clone()).await;
    let small = org.workspaces.iter().min_by_key(|w| w.members.len()).unwrap();
    let ws = small.id;
    let board = org.boards.iter().find(|b| b.kind == BoardKind::Public).unwrap();
    let outsider = org
        .users
        .iter()
        .find(|u| u.kind == UserKind::Member && !board.subscribers.contains(&u.id) && !small.members.contains(&u.id))
        .unwrap()
        .id;
    let guest = org.users.iter().find(|u| u.kind == UserKind::Guest).unwrap().id;
    let team = org.teams[0].id;

    let b = m(
        &sim,
        ADMIN,
        &format!(
            "mutation {{ add_users_to_workspace(workspace_id: {ws}, user_ids: [{outsider}], kind: owner) {{ id }} }}"
        ),
    )
    .await;
    assert_eq!(ids(&b["data"]["add_users_to_workspace"]), vec![outsider]);
    let w = sim.sim.world();
    let x = &w.workspaces()[w.workspace_pos(ws).unwrap()];
    assert!(x.members.contains(&outsider) && x.owners.contains(&outsider));
    m(
        &sim,
        ADMIN,
        &format!("mutation {{ delete_users_from_workspace(workspace_id: {ws}, user_ids: [{outsider}]) {{ id }} }}"),
    )
    .await;
    let w = sim.sim.world();
    assert!(!w.workspaces()[w.workspace_pos(ws).unwrap()].members.contains(&outsider));

    m(&sim, ADMIN, &format!("mutation {{ add_teams_to_workspace(workspace_id: {ws}, team_ids: [{team}]) {{ id }} }}"))
        .await;
    let w = sim.sim.world();
    assert!(w.workspaces()[w.workspace_pos(ws).unwrap()].team_members.contains(&team));
    m(
        &sim,
        ADMIN,
        &format!("mutation {{ delete_teams_from_workspace(workspace_id: {ws}, team_ids: [{team}]) {{ id }} }}"),
    )
    .await;

    let b = m(
        &sim,
        ADMIN,
        &format!("mutation {{ add_users_to_board(board_id: {}, user_ids: [{outsider}]) {{ id }} }}", board.id),
    )
    .await;
    assert_eq!(ids(&b["data"]["add_users_to_board"]), vec![outsider]);
    let b = m(
        &sim,
        ADMIN,
        &format!("mutation {{ add_users_to_board(board_id: {}, user_ids: [{guest}]) {{ id }} }}", board.id),
    )
    .await;
    assert!(b["errors"][0]["message"].as_str().unwrap().contains("shareable"), "{b}");
    m(
        &sim,
        ADMIN,
        &format!(
            "mutation {{ delete_subscribers_from_board(board_id: {}, user_ids: [{outsider}]) {{ id }} }}",
            board.id
        ),
    )
    .await;
    let b = m(
        &sim,
        ADMIN,
        &format!("mutation {{ add_teams_to_board(board_id: {}, team_ids: [-1]) {{ id name }} }}", board.id),
    )
    .await;
    assert_eq!(b["data"]["add_teams_to_board"][0]["id"], "-1");
    let w = sim.sim.world();
    let bb = &w.boards()[w.board_pos(board.id).unwrap()];
    assert!(bb.everyone && !bb.subscribers.contains(&outsider));
    let b = m(&sim, ADMIN, "mutation { add_users_to_board(board_id: 1, user_ids: [1]) { id } }").await;
    assert_eq!(b["errors"][0]["extensions"]["code"], "InvalidBoardIdException");

    // The 400-subscriber limit.
    let full = org.boards.iter().find(|b| b.subscribers.len() == 400).unwrap();
    let extra = org.users.iter().find(|u| u.kind == UserKind::Member && !full.subscribers.contains(&u.id)).unwrap().id;
    let b = m(
        &sim,
        ADMIN,
        &format!("mutation {{ add_users_to_board(board_id: {}, user_ids: [{extra}]) {{ id }} }}", full.id),
    )
    .await;
    assert_eq!(b["errors"][0]["extensions"]["code"], "RecordInvalidException");
    // A member who owns no board may not change it.
    let b = m(
        &sim,
        MEMBER,
        &format!(
            "mutation {{ add_users_to_board(board_id: {}, user_ids: [{extra}]) {{ id }} }}",
            org.boards.iter().find(|b| !b.owners.contains(&org.users[1].id)).unwrap().id
        ),
    )
    .await;
    assert_eq!(b["errors"][0]["extensions"]["code"], "USER_UNAUTHORIZED");
}

#[tokio::test]
async fn changes_are_logged_in_the_audit_log_and_the_boards_activity_logs() {
    let org = org(120, 41);
    let sim = start(org.clone()).await;
    let admin = org.tokens[0].user_id;
    let board =
        org.boards.iter().find(|b| b.kind != BoardKind::Share && b.state == monday_sim::model::State::Active).unwrap();
    let outsider = org
        .users
        .iter()
        .find(|u| {
            u.kind == UserKind::Member
                && u.status == UserStatus::Active
                && !board.subscribers.contains(&u.id)
                && !org.tokens.iter().any(|t| t.user_id == u.id)
        })
        .unwrap()
        .id;
    let before = sim.sim.world().audit_log().len();
    m(
        &sim,
        ADMIN,
        &format!("mutation {{ add_users_to_board(board_id: {}, user_ids: [{outsider}]) {{ id }} }}", board.id),
    )
    .await;
    m(
        &sim,
        ADMIN,
        &format!(
            "mutation {{ delete_subscribers_from_board(board_id: {}, user_ids: [{outsider}]) {{ id }} }}",
            board.id
        ),
    )
    .await;
    m(
        &sim,
        ADMIN,
        &format!("mutation {{ deactivate_users(user_ids: [{outsider}]) {{ deactivated_users {{ id }} }} }}"),
    )
    .await;

    let q =
        format!("{{ boards(ids: [{}]) {{ activity_logs {{ id event user_id entity data created_at }} }} }}", board.id);
    let d = data(&sim, &q).await;
    let logs = d["boards"][0]["activity_logs"].as_array().unwrap().clone();
    let events: Vec<&str> = logs.iter().map(|l| l["event"].as_str().unwrap()).collect();
    assert_eq!(events, vec!["unsubscribe", "subscribe"], "newest first: {logs:?}");
    for l in &logs {
        assert_eq!(l["user_id"], admin.to_string());
        assert_eq!(l["entity"], "board");
        let data: serde_json::Value = serde_json::from_str(l["data"].as_str().unwrap()).unwrap();
        assert_eq!(data["user_id"], json!(outsider));
        assert_eq!(l["created_at"].as_str().unwrap().len(), 17, "100-ns units, as monday.com writes them");
    }
    let d = data(
        &sim,
        "{ audit_logs(events: [\"user-deactivated\"], limit: 5) { logs { event user { id } activity_metadata } } }",
    )
    .await;
    let logs = d["audit_logs"]["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert_eq!(logs[0]["user"]["id"], admin.to_string());
    assert_eq!(logs[0]["activity_metadata"]["user_id"], outsider.to_string());
    assert_eq!(sim.sim.world().audit_log().len(), before + 1, "membership changes are board activity, not audit");

    // Only admins of Enterprise accounts read the audit log.
    let a = gql(&sim, MEMBER, None, "{ audit_logs { logs { event } } }", json!({})).await;
    assert_eq!(a.code(), "USER_UNAUTHORIZED", "{}", a.body);
}
