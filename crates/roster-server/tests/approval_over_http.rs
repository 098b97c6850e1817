//! Four-eyes approval over HTTP: a plan held by the policy answers 202 and sends nothing; the
//! planner's key cannot approve it, a reader cannot, a second admin can (once); a stale plan is
//! refused; a rejected plan never runs; each answer's status is the documented one.

use std::time::Duration;

use monday_sim::model::{UserKind, UserStatus};
use roster_core::{ApprovalPolicy, Require};
use serde_json::{json, Value};

use crate::common;

use common::*;

fn members(e: &Env) -> Vec<u64> {
    let w = e.sim.sim.world();
    w.users()
        .iter()
        .filter(|u| u.status == UserStatus::Active && u.kind == UserKind::Member)
        .map(|u| u.id)
        .skip(2)
        .collect()
}

fn status(e: &Env, id: u64) -> UserStatus {
    let w = e.sim.sim.world();
    w.users()[w.user_pos(id).unwrap()].status
}

fn deactivate(id: u64) -> Value {
    json!({ "actions": [{ "action": "deactivate", "user": id.to_string() }], "reason": "left the company" })
}

#[tokio::test]
async fn plans_wait_for_a_second_admin_over_the_api() {
    let e = env(0, Duration::from_secs(3600)).await;
    synced(&e).await;
    e.state.approval.set(ApprovalPolicy { require: Require::Removals, min_users: 1, approvers: vec![] });
    let users = members(&e);
    let (s, b) = post_json(&e, "/api/v1/accounts/acme/plans", ADMIN, deactivate(users[0])).await;
    assert_eq!((s, b["pending_approval"].as_bool()), (202, Some(true)), "{b}");
    let id = b["plan_id"].as_str().unwrap().to_string();
    assert_eq!(status(&e, users[0]), UserStatus::Active, "nothing was sent");
    let (s, list) = call(&e, "GET", "/api/v1/accounts/acme/plans?status=pending_approval", Some(READER)).await;
    assert_eq!(s, 200, "{list}");
    assert_eq!((list[0]["id"].as_str(), list[0]["requested_by"].as_str()), (Some(id.as_str()), Some("ops")));
    assert_eq!(list[0]["summary"]["users_losing_access"], 1);
    let approve = format!("/api/v1/accounts/acme/plans/{id}/approve");
    // The planner's own key, and a reader: refused, with the error body.
    let (s, b) = post_json(&e, &approve, ADMIN, Value::Null).await;
    assert_eq!((s, b["error"]["code"].as_str()), (403, Some("forbidden")), "{b}");
    assert!(b["error"]["message"].as_str().unwrap().contains("second admin"), "{b}");
    let (s, _) = post_json(&e, &approve, READER, Value::Null).await;
    assert_eq!(s, 403);
    assert_eq!(status(&e, users[0]), UserStatus::Active);
    // A second admin: the plan runs, once.
    let (s, b) = post_json(&e, &approve, ADMIN2, Value::Null).await;
    assert_eq!(
        (s, b["plan"]["status"].as_str(), b["plan"]["decided_by"].as_str()),
        (200, Some("applied"), Some("sec")),
        "{b}"
    );
    assert_eq!(b["ran"]["kind"], "actions");
    assert_eq!(status(&e, users[0]), UserStatus::Inactive);
    let (s, b) = post_json(&e, &approve, ADMIN2, Value::Null).await;
    assert_eq!(s, 409, "approved once only: {b}");
    let (_, evs) = call(&e, "GET", &format!("/api/v1/accounts/acme/plans/{id}"), Some(READER)).await;
    let kinds: Vec<&str> = evs.as_array().unwrap().iter().map(|ev| ev["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "plan_pending_approval",
            "plan_approval_refused",
            "plan_approved",
            "action_requested",
            "action_succeeded",
            "plan_approval_refused"
        ]
    );
    // Rejected: never runs; the reason is kept.
    let (_, b) = post_json(&e, "/api/v1/accounts/acme/plans", ADMIN, deactivate(users[1])).await;
    let rejected = b["plan_id"].as_str().unwrap().to_string();
    let (s, b) = post_json(
        &e,
        &format!("/api/v1/accounts/acme/plans/{rejected}/reject"),
        ADMIN2,
        json!({ "reason": "wrong person" }),
    )
    .await;
    assert_eq!((s, b["status"].as_str(), b["note"].as_str()), (200, Some("rejected"), Some("wrong person")), "{b}");
    let (s, _) = post_json(&e, &format!("/api/v1/accounts/acme/plans/{rejected}/approve"), ADMIN2, Value::Null).await;
    assert_eq!(s, 409);
    assert_eq!(status(&e, users[1]), UserStatus::Active);
    // Stale: a sync completed after the plan was made.
    let (_, b) = post_json(&e, "/api/v1/accounts/acme/plans", ADMIN, deactivate(users[2])).await;
    let stale = b["plan_id"].as_str().unwrap().to_string();
    synced(&e).await;
    let (s, b) = post_json(&e, &format!("/api/v1/accounts/acme/plans/{stale}/approve"), ADMIN2, Value::Null).await;
    assert_eq!(s, 409, "{b}");
    assert!(b["error"]["message"].as_str().unwrap().contains("make the plan again"), "{b}");
    assert_eq!(status(&e, users[2]), UserStatus::Active);
    // Unknown plan, bad filter.
    let (s, _) = post_json(&e, "/api/v1/accounts/acme/plans/nope/approve", ADMIN2, Value::Null).await;
    assert_eq!(s, 404);
    let (s, b) = call(&e, "GET", "/api/v1/accounts/acme/plans?status=maybe", Some(READER)).await;
    assert_eq!(s, 400, "{b}");
    let (_, all) = call(&e, "GET", "/api/v1/accounts/acme/plans", Some(READER)).await;
    let states: Vec<&str> = all.as_array().unwrap().iter().map(|p| p["status"].as_str().unwrap()).collect();
    assert_eq!(states, ["applied", "rejected", "pending_approval"]);
}
