//! Enterprise account data. Custom roles: `account_roles` lists the four basic roles
//! (monday.com's documented ids and names) and the account's custom ones,
//! `User.user_config.role_id` says which one each user holds, and `update_users_role(role_id:)`
//! assigns one, its base becoming the user's kind. Departments: their seats and members.

use crate::common;

use common::*;
use monday_sim::model::UserKind;
use serde_json::json;

async fn q(sim: &monday_sim::RunningSim, query: &str) -> serde_json::Value {
    let a = gql(sim, ADMIN, None, query, json!({})).await;
    assert_eq!(a.status, 200, "{}", a.body);
    a.body
}

#[tokio::test]
async fn roles_are_listed_held_and_assigned() {
    let org = org(300, 7);
    assert!(
        !org.custom_roles.is_empty() && org.users.iter().any(|u| u.role_id.is_some()),
        "the generator assigns some"
    );
    let sim = start(org.clone()).await;

    let b = q(&sim, "{ account_roles { id name roleType } }").await;
    let roles = b["data"]["account_roles"].as_array().unwrap();
    let basic: Vec<(&str, &str)> = roles
        .iter()
        .filter(|r| r["roleType"] == "basic_role")
        .map(|r| (r["id"].as_str().unwrap(), r["name"].as_str().unwrap()))
        .collect();
    assert_eq!(basic, [("1", "admin"), ("2", "member"), ("3", "view_only"), ("4", "guest")]);
    let custom: Vec<String> =
        roles.iter().filter(|r| r["roleType"] != "basic_role").map(|r| r["id"].to_string()).collect();
    let want: Vec<String> = org.custom_roles.iter().map(|r| json!(r.id.to_string()).to_string()).collect();
    assert_eq!(custom, want);

    // Every user's role_id: their custom role, or their kind's basic role.
    let b = q(&sim, "{ users(limit: 1000) { id kind user_config { kind role_id } } }").await;
    for u in b["data"]["users"].as_array().unwrap() {
        let id: u64 = u["id"].as_str().unwrap().parse().unwrap();
        let truth = org.users.iter().find(|x| x.id == id).unwrap();
        let want = truth.role_id.unwrap_or(truth.kind.basic_role().0).to_string();
        assert_eq!(u["user_config"]["role_id"], want.as_str(), "{u}");
        assert_eq!(u["user_config"]["kind"], u["kind"]);
    }

    // Assign a custom role over viewer to a member: they become a viewer holding it.
    let auditor = org.custom_roles.iter().find(|r| r.base == UserKind::Viewer).unwrap();
    let target = org.users.iter().skip(3).find(|u| u.kind == UserKind::Member && u.role_id.is_none()).unwrap().id;
    let b = q(&sim, &format!(r#"mutation {{ update_users_role(user_ids: [{target}], role_id: "{}") {{ updated_users {{ id kind user_config {{ role_id }} }} errors {{ code }} }} }}"#, auditor.id)).await;
    let done = &b["data"]["update_users_role"]["updated_users"][0];
    assert_eq!(
        (done["kind"].as_str(), done["user_config"]["role_id"].as_str()),
        (Some("viewer"), Some(auditor.id.to_string().as_str())),
        "{b}"
    );
    // A basic role by name drops the custom one.
    let b = q(&sim, &format!("mutation {{ update_users_role(user_ids: [{target}], new_role: MEMBER) {{ updated_users {{ kind user_config {{ role_id }} }} }} }}")).await;
    assert_eq!(b["data"]["update_users_role"]["updated_users"][0]["user_config"]["role_id"], "2", "{b}");
    // A basic role by id works too.
    let b = q(
        &sim,
        &format!(
            r#"mutation {{ update_users_role(user_ids: [{target}], role_id: "4") {{ updated_users {{ kind }} }} }}"#
        ),
    )
    .await;
    assert_eq!(b["data"]["update_users_role"]["updated_users"][0]["kind"], "guest", "{b}");

    // An unknown role, and both arguments at once, are refused with what to do.
    for bad in [r#"role_id: "999""#, r#"role_id: "5", new_role: ADMIN"#, ""] {
        let b = q(
            &sim,
            &format!("mutation {{ update_users_role(user_ids: [{target}], {bad}) {{ updated_users {{ id }} }} }}"),
        )
        .await;
        let msg = b["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(msg.contains("Role 999 does not exist") || msg.contains("exactly one of"), "{bad}: {b}");
    }
}

#[test]
fn an_org_with_an_impossible_custom_role_is_refused() {
    use monday_sim::model::{CustomRole, OrgError, World};
    let mut o = org(20, 8);
    o.custom_roles.push(CustomRole { id: 50, name: "Sub-admin".into(), base: UserKind::Admin });
    assert!(matches!(World::new(o).unwrap_err(), OrgError::BadCustomRole { id: 50, .. }));
    let mut o = org(20, 8);
    let viewer_role = o.custom_roles.iter().find(|r| r.base == UserKind::Viewer).unwrap().id;
    let member = o.users.iter_mut().find(|u| u.kind == UserKind::Member).unwrap();
    member.role_id = Some(viewer_role);
    let err = World::new(o).unwrap_err();
    assert!(err.to_string().contains("is based on viewer"), "{err}");
    let mut o = org(20, 8);
    o.users[4].role_id = Some(77);
    assert!(matches!(World::new(o).unwrap_err(), OrgError::Dangling { kind: "custom role", id: 77, .. }));
}

/// Departments: each with its reserved seats, the seats its members take, its members; each
/// user's department the one listing them.
#[tokio::test]
async fn departments_list_their_seats_and_members() {
    let org = org(300, 9);
    assert!(org.departments.len() >= 2);
    let sim = start(org.clone()).await;
    let b = q(&sim, "{ departments { id name reserved_seats assigned_seats members { id } owners { id } } }").await;
    let got = b["data"]["departments"].as_array().unwrap();
    assert_eq!(got.len(), org.departments.len());
    for (g, d) in got.iter().zip(&org.departments) {
        assert_eq!(g["id"], d.id.to_string().as_str());
        assert_eq!(g["reserved_seats"], d.reserved_seats);
        let members: Vec<u64> =
            g["members"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap().parse().unwrap()).collect();
        assert_eq!(members, d.members);
        let seats = d
            .members
            .iter()
            .filter(|id| org.users.iter().any(|u| u.id == **id && monday_sim::model::World::takes_seat(u)))
            .count();
        assert_eq!(g["assigned_seats"], seats);
    }
    let b = q(&sim, "{ users(limit: 1000) { id department { id } } }").await;
    for u in b["data"]["users"].as_array().unwrap() {
        let id: u64 = u["id"].as_str().unwrap().parse().unwrap();
        let want = org.departments.iter().find(|d| d.members.contains(&id)).map(|d| d.id.to_string());
        assert_eq!(u["department"]["id"].as_str().map(str::to_string), want, "{u}");
    }
    let one = org.departments[1].id;
    let b = q(&sim, &format!("{{ departments(ids: [{one}]) {{ id }} }}")).await;
    assert_eq!(b["data"]["departments"], json!([{"id": one.to_string()}]));
}
