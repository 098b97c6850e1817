//! Every route of the OpenAPI document, with every role, no key, a wrong key and `Basic`
//! credentials: each answer agrees with the permission matrix (`roster_server::policy`).
//! A role the matrix refuses gets 403 before any handler runs; a role it allows is never
//! refused for its role (whatever else the handler says of the request).

use crate::common;

use std::time::Duration;

use axum::http::Method;
use common::*;
use roster_server::policy::{act_of, may};
use roster_server::Role;

fn concrete(template: &str) -> String {
    template
        .replace("{account}", "acme")
        .replace("{user}", "1")
        .replace("{name}", "inactive")
        .replace("{resource_type}", "board")
        .replace("{plan_id}", "plan-x")
        .replace("{id}", "1")
}

async fn send(e: &Env, method: &Method, path: &str, auth: Option<String>) -> u16 {
    let r = request(e, method, path, auth).await;
    let h = r.headers();
    assert_eq!(h.get("x-content-type-options").map(|v| v.to_str().unwrap()), Some("nosniff"), "{method} {path}");
    assert_eq!(h.get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"), "{method} {path}");
    r.status().as_u16()
}

async fn request(e: &Env, method: &Method, path: &str, auth: Option<String>) -> reqwest::Response {
    let mut req = reqwest::Client::new().request(method.clone(), format!("{}{path}", e.base));
    if let Some(a) = auth {
        req = req.header("Authorization", a);
    }
    if *method == Method::POST {
        req = req.json(&serde_json::json!({}));
    }
    req.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_with_every_role_follows_the_matrix() {
    let e = env(0, Duration::from_secs(3600)).await;
    let roles =
        [(Role::Admin, ADMIN), (Role::Reader, READER), (Role::Requester, REQUESTER), (Role::Reviewer, REVIEWER)];
    let mut checked = 0;
    for (template, item) in &e.doc.paths.paths {
        for (method, present) in [(Method::GET, item.get.is_some()), (Method::POST, item.post.is_some())] {
            if !present {
                continue;
            }
            let act =
                act_of(&method, template).unwrap_or_else(|| panic!("{method} {template} has no permission entry"));
            let path = concrete(template);
            for auth in [None, Some("Bearer not-a-key".to_string()), Some(format!("Basic {ADMIN}"))] {
                let status = send(&e, &method, &path, auth.clone()).await;
                assert_eq!(status, 401, "{method} {path} with {auth:?}");
            }
            for (role, key) in roles {
                let status = send(&e, &method, &path, Some(format!("Bearer {key}"))).await;
                if may(role, act) {
                    assert!(
                        status != 401 && status != 403,
                        "{method} {path}: {role:?} is allowed ({act:?}) but got {status}"
                    );
                } else {
                    assert_eq!(status, 403, "{method} {path}: {role:?} is refused ({act:?})");
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 25 * 4, "walked {checked} route-role pairs");
}

/// A body above the limit answers 413 (it was 422), a body that is not JSON 415.
#[tokio::test]
async fn oversized_and_non_json_bodies_answer_413_and_415() {
    let e = env(0, Duration::from_secs(3600)).await;
    let big = format!("{{\"actions\": [{}]}}", "\"x\",".repeat(1_000_000));
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/accounts/acme/plans", e.base))
        .bearer_auth(ADMIN)
        .header("Content-Type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_large");
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/accounts/acme/plans", e.base))
        .bearer_auth(ADMIN)
        .body("actions=1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 415);
}
