//! monday-sim's SCIM API with monday.com's quirks, over the same state as GraphQL.

use crate::common;

use common::*;
use monday_sim::model::{InvitationMethod, UserStatus};
use serde_json::{json, Value};

const SCIM: &str = "sim-scim-token";

async fn call(
    sim: &monday_sim::RunningSim,
    method: &str,
    path: &str,
    body: Option<Value>,
    token: &str,
) -> (u16, Value) {
    let url = format!("{}/scim/v2{path}", sim.url());
    let mut req = client().request(method.parse().unwrap(), url).header("Authorization", format!("Bearer {token}"));
    if let Some(b) = body {
        req = req.header("Content-Type", "application/scim+json").body(b.to_string());
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let ct = resp.headers().get("content-type").map(|v| v.to_str().unwrap_or("").to_string());
    let text = resp.text().await.unwrap();
    if !text.is_empty() {
        assert_eq!(ct.as_deref(), Some("application/scim+json"), "{path}");
    }
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn user_body(email: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": email, "name": {"givenName": "Zoë", "familyName": "O'Brien"}, "title": "Engineer", "userType": "viewer", "active": true, "externalId": "idp-1"})
}

fn patch(ops: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

#[tokio::test]
async fn users_through_scim_are_users_in_graphql() {
    let sim = start(org(80, 401)).await;
    let (s, u) = call(&sim, "POST", "/Users", Some(user_body("zoe.obrien@acme-example.com")), SCIM).await;
    assert_eq!(s, 201, "{u}");
    let id = u["id"].as_str().unwrap().to_string();
    assert_eq!(u["userType"], "viewer");
    assert_eq!(u["displayName"], Value::Null, "not sent, not invented");
    // The same person in GraphQL, as a viewer, invited by SCIM.
    let d = data(&sim, &format!("{{ users(ids: [{id}]) {{ name email kind status invitation_method }} }}")).await;
    assert_eq!(
        d["users"][0],
        json!({"name": "Zoë O'Brien", "email": "zoe.obrien@acme-example.com", "kind": "viewer", "status": "ACTIVE", "invitation_method": "SCIM"})
    );

    // Duplicate userName (any case): 409 uniqueness.
    let (s, e) = call(&sim, "POST", "/Users", Some(user_body("ZOE.OBRIEN@acme-example.com")), SCIM).await;
    assert_eq!((s, e["scimType"].as_str()), (409, Some("uniqueness")));
    // A mixed-case userName is kept in lower case, as its GraphQL e-mail is: one person, one
    // spelling on both APIs.
    let (s, u) = call(&sim, "POST", "/Users", Some(user_body("Ana.Silva@Acme-Example.COM")), SCIM).await;
    assert_eq!((s, u["userName"].as_str()), (201, Some("ana.silva@acme-example.com")), "{u}");
    let d = data(&sim, &format!("{{ users(ids: [{}]) {{ email }} }}", u["id"].as_str().unwrap())).await;
    assert_eq!(d["users"][0]["email"], "ana.silva@acme-example.com");
    let (s, l) = call(&sim, "GET", "/Users?filter=userName%20eq%20%22ANA.SILVA@acme-example.com%22", None, SCIM).await;
    assert_eq!((s, l["totalResults"].as_u64()), (200, Some(1)), "found in any case: {l}");
    // userName must be an e-mail address.
    let (s, e) = call(&sim, "POST", "/Users", Some(user_body("not-an-email")), SCIM).await;
    assert_eq!((s, e["scimType"].as_str()), (400, Some("invalidValue")));
    let (s, _) = call(&sim, "POST", "/Users", Some(json!({"userName": "x@y.z", "userType": "owner"})), SCIM).await;
    assert_eq!(s, 400, "unknown userType");

    // PUT cannot change active or userType; PATCH can.
    let mut put = user_body("zoe.obrien@acme-example.com");
    put["userType"] = json!("admin");
    put["active"] = json!(false);
    put["title"] = json!("CTO");
    let (s, u) = call(&sim, "PUT", &format!("/Users/{id}"), Some(put), SCIM).await;
    assert_eq!(s, 200);
    assert_eq!(
        (u["title"].as_str(), u["userType"].as_str(), u["active"].as_bool()),
        (Some("CTO"), Some("viewer"), Some(true))
    );
    let (s, u) = call(&sim, "PATCH", &format!("/Users/{id}"), Some(patch(json!([{"op": "replace", "path": "active", "value": false}, {"op": "replace", "path": "userType", "value": "member"}]))), SCIM).await;
    assert_eq!(s, 200, "{u}");
    assert_eq!((u["active"].as_bool(), u["userType"].as_str()), (Some(false), Some("member")));
    // Visible in GraphQL: INACTIVE on 2026-10, enabled: false on 2026-07.
    let a = gql(
        &sim,
        ADMIN,
        Some("2026-07"),
        &format!("{{ users(ids: [{id}], status: [INACTIVE]) {{ enabled status }} }}"),
        json!({}),
    )
    .await;
    assert_eq!(a.body["data"]["users"][0], json!({"enabled": false, "status": "INACTIVE"}));
    // Deactivating again succeeds.
    let (s, _) = call(
        &sim,
        "PATCH",
        &format!("/Users/{id}"),
        Some(patch(json!([{"op": "replace", "value": {"active": false}}]))),
        SCIM,
    )
    .await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn only_scim_users_can_be_deactivated_here_and_delete_deactivates() {
    let org = org(80, 402);
    let manual = org
        .users
        .iter()
        .find(|u| {
            u.invitation_method != InvitationMethod::Scim && u.status == UserStatus::Active && u.id != org.users[0].id
        })
        .unwrap()
        .id;
    let scim_user = org
        .users
        .iter()
        .find(|u| u.invitation_method == InvitationMethod::Scim && u.status == UserStatus::Active)
        .unwrap()
        .id;
    let sim = start(org).await;
    let (s, e) = call(
        &sim,
        "PATCH",
        &format!("/Users/{manual}"),
        Some(patch(json!([{"op": "replace", "path": "active", "value": false}]))),
        SCIM,
    )
    .await;
    assert_eq!(s, 403, "{e}");
    let w = sim.sim.world();
    assert_eq!(w.users()[w.user_pos(manual).unwrap()].status, UserStatus::Active, "nothing changed");
    let (s, _) = call(&sim, "DELETE", &format!("/Users/{scim_user}"), None, SCIM).await;
    assert_eq!(s, 204);
    let w = sim.sim.world();
    assert_eq!(
        w.users()[w.user_pos(scim_user).unwrap()].status,
        UserStatus::Inactive,
        "DELETE deactivates; monday never deletes users"
    );
    let (s, _) = call(&sim, "GET", "/Users/1", None, SCIM).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn lists_page_from_one_and_filter_like_monday() {
    let org = org(300, 403);
    let scim_users: Vec<&monday_sim::model::User> =
        org.users.iter().filter(|u| u.invitation_method == InvitationMethod::Scim).collect();
    let sim = start(org.clone()).await;
    let (s, l) = call(&sim, "GET", "/Users?startIndex=1&count=10", None, SCIM).await;
    assert_eq!(s, 200);
    assert_eq!(l["totalResults"], scim_users.len(), "only SCIM-provisioned users by default");
    assert_eq!((l["startIndex"].as_u64(), l["itemsPerPage"].as_u64()), (Some(1), Some(10)));
    assert_eq!(l["Resources"][0]["id"], scim_users[0].id.to_string(), "startIndex 1 is the first user");
    let (_, l2) = call(&sim, "GET", "/Users?startIndex=11&count=10", None, SCIM).await;
    assert_eq!(l2["Resources"][0]["id"], scim_users[10].id.to_string());
    let (_, all) = call(&sim, "GET", "/Users?scim_provisioned_only=false&count=500", None, SCIM).await;
    // Every person; service users and AI agents are no SCIM resources.
    assert_eq!(all["totalResults"], org.users.iter().filter(|u| u.kind.is_person()).count());
    // Filters.
    let target = scim_users[3];
    let (_, f) =
        call(&sim, "GET", &format!("/Users?filter=userName%20eq%20%22{}%22", target.email.to_uppercase()), None, SCIM)
            .await;
    assert_eq!(f["totalResults"], 1);
    assert_eq!(f["Resources"][0]["id"], target.id.to_string());
    let (_, f) = call(&sim, "GET", &format!("/Users?filter=emails%20eq%20%22{}%22", target.email), None, SCIM).await;
    assert_eq!(f["totalResults"], 1);
    let (s, e) = call(&sim, "GET", "/Users?filter=title%20co%20%22x%22", None, SCIM).await;
    assert_eq!((s, e["scimType"].as_str()), (400, Some("invalidFilter")));
    // Auth.
    let (s, _) = call(&sim, "GET", "/Users", None, "sim-admin-token").await;
    assert_eq!(s, 401, "the GraphQL token is not the SCIM token");
}

#[tokio::test]
async fn groups_are_teams() {
    let org = org(120, 404);
    let members: Vec<String> = org.users.iter().skip(5).take(3).map(|u| u.id.to_string()).collect();
    let sim = start(org.clone()).await;
    let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Design Guild", "externalId": "g-1", "members": [{"value": members[0]}, {"value": members[1]}]});
    let (s, g) = call(&sim, "POST", "/Groups", Some(body.clone()), SCIM).await;
    assert_eq!(s, 201, "{g}");
    let id = g["id"].as_str().unwrap().to_string();
    assert_eq!(g["internalId"], id.as_str());
    let (s, _) = call(&sim, "POST", "/Groups", Some(body), SCIM).await;
    assert_eq!(s, 409, "one team per name");
    let ops = patch(
        json!([{"op": "add", "path": "members", "value": [{"value": members[2]}]}, {"op": "remove", "path": format!("members[value eq \"{}\"]", members[0])}, {"op": "replace", "path": "displayName", "value": "Design Guild 2027"}]),
    );
    let (s, g) = call(&sim, "PATCH", &format!("/Groups/{id}"), Some(ops), SCIM).await;
    assert_eq!(s, 200, "{g}");
    let d = data(&sim, &format!("{{ teams(ids: [{id}]) {{ name }} }}")).await;
    assert_eq!(d["teams"][0]["name"], "Design Guild 2027");
    // All members, deactivated ones too (GraphQL's `users` leaves those out by default).
    let w = sim.sim.world();
    let got: Vec<String> =
        w.teams()[w.team_pos(id.parse().unwrap()).unwrap()].members.iter().map(u64::to_string).collect();
    assert_eq!(got, vec![members[1].clone(), members[2].clone()]);
    let (_, f) = call(&sim, "GET", "/Groups?filter=displayName%20eq%20%22design%20guild%202027%22", None, SCIM).await;
    assert_eq!(f["totalResults"], 1);
    let (s, e) = call(
        &sim,
        "PATCH",
        &format!("/Groups/{id}"),
        Some(patch(json!([{"op": "add", "path": "members", "value": [{"value": "1"}]}]))),
        SCIM,
    )
    .await;
    assert_eq!(s, 400, "{e}");
    let (s, _) = call(&sim, "DELETE", &format!("/Groups/{id}"), None, SCIM).await;
    assert_eq!(s, 204);
    assert!(sim.sim.world().team_pos(id.parse().unwrap()).is_none());
}
