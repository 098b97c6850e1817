//! The HTTP API over real HTTP: every route, every auth case, paging, filters, errors as JSON;
//! the OpenAPI document lists every route; the scheduler never overlaps syncs of an account.

use std::sync::Arc;
use std::time::Duration;

use roster_server::{app, hash_key, ApiKey, AppState, Role};
use serde_json::Value;

use crate::common;

use common::*;

#[tokio::test]
async fn routes_auth_paging_filters_and_errors() {
    let e = env(0, Duration::from_secs(3600)).await;
    // Auth: none, wrong, reader on a write route.
    let (s, b) = call(&e, "GET", "/api/v1/accounts", None).await;
    assert_eq!((s, b["error"]["code"].as_str()), (401, Some("unauthorized")));
    let (s, _) = call(&e, "GET", "/api/v1/accounts", Some("nope")).await;
    assert_eq!(s, 401);
    let (s, b) = call(&e, "POST", "/api/v1/accounts/acme/sync", Some(READER)).await;
    assert_eq!((s, b["error"]["code"].as_str()), (403, Some("forbidden")));
    // Before any sync: 404 with a reason.
    let (s, b) = call(&e, "GET", "/api/v1/accounts/acme/users", Some(READER)).await;
    assert_eq!(s, 404);
    assert!(b["error"]["message"].as_str().unwrap().contains("no completed sync"));
    // Sync on demand.
    let b = synced(&e).await;
    assert_eq!((b["status"].as_str(), b["users"].as_i64()), (Some("completed"), Some(200)), "{b}");
    let (_, b) = call(&e, "GET", "/api/v1/accounts", Some(READER)).await;
    assert_eq!(b[0]["last_sync"]["status"], "completed");
    // Reports, for readers too; the admins report agrees with the users route.
    let (s, r) = call(&e, "GET", "/api/v1/accounts/acme/reports/admins", Some(READER)).await;
    assert_eq!(s, 200, "{r}");
    let (_, admins) = call(&e, "GET", "/api/v1/accounts/acme/users?role=admin&status=active", Some(READER)).await;
    assert_eq!(r["rows"].as_array().unwrap().len() as u64, admins["total"].as_u64().unwrap());
    assert_eq!(r["rows"][0]["id"], admins["items"][0]["id"]);
    let (s, r) =
        call(&e, "GET", "/api/v1/accounts/acme/reports/external?domain=acme-example.com,corp.example", Some(READER))
            .await;
    assert_eq!((s, r["name"].as_str()), (200, Some("external")), "{r}");
    let (s, b) = call(&e, "GET", "/api/v1/accounts/acme/reports/external", Some(READER)).await;
    assert!(s == 400 && b["error"]["message"].as_str().unwrap().contains("domain"), "{b}");
    let (s, b) = call(&e, "GET", "/api/v1/accounts/acme/reports/nope", Some(READER)).await;
    assert!(s == 404 && b["error"]["message"].as_str().unwrap().contains("seats"), "{b}");
    let (s, _) = call(&e, "GET", "/api/v1/accounts/acme/reports/inactive?days=x", Some(READER)).await;
    assert_eq!(s, 400, "a bad number is a 400");
    // Users: paging and filters.
    let (_, p1) = call(&e, "GET", "/api/v1/accounts/acme/users?limit=50", Some(READER)).await;
    assert_eq!(
        (p1["total"].as_u64(), p1["items"].as_array().unwrap().len(), p1["next"].as_u64()),
        (Some(200), 50, Some(50))
    );
    let (_, p4) = call(&e, "GET", "/api/v1/accounts/acme/users?limit=50&offset=150", Some(READER)).await;
    assert_eq!(p4["next"], Value::Null);
    let (_, admins) = call(&e, "GET", "/api/v1/accounts/acme/users?role=admin&status=active", Some(READER)).await;
    assert!(admins["items"].as_array().unwrap().iter().all(|u| u["role"] == "admin" && u["status"] == "active"));
    let (s, b) = call(&e, "GET", "/api/v1/accounts/acme/users?role=boss", Some(READER)).await;
    assert_eq!((s, b["error"]["code"].as_str()), (400, Some("bad_request")));
    let (s, b) = call(&e, "GET", "/api/v1/accounts/acme/users?limit=many", Some(READER)).await;
    assert_eq!((s, b["error"]["code"].as_str()), (400, Some("bad_request")), "a bad query parameter, answered in JSON");
    // Resources, access, who.
    for r in ["teams", "workspaces", "boards"] {
        let (s, b) = call(&e, "GET", &format!("/api/v1/accounts/acme/{r}?limit=5"), Some(READER)).await;
        assert_eq!(s, 200, "{r}");
        assert!(!b["items"].as_array().unwrap().is_empty(), "{r}");
    }
    let world = e.sim.sim.world();
    let u = &world.users()[0];
    let (s, grants) =
        call(&e, "GET", &format!("/api/v1/accounts/acme/access/{}", u.email.to_uppercase()), Some(READER)).await;
    assert_eq!(s, 200);
    assert!(grants.as_array().unwrap().iter().any(|g| g["entitlement"].as_str().unwrap().starts_with("role:")));
    let board = &world.boards()[0];
    let (s, who) = call(&e, "GET", &format!("/api/v1/accounts/acme/who/board/{}", board.id), Some(READER)).await;
    assert_eq!(s, 200);
    assert!(who.as_array().unwrap().len() >= board.subscribers.len());
    let (s, _) = call(&e, "GET", "/api/v1/accounts/acme/who/role/admin", Some(READER)).await;
    assert_eq!(s, 400);
    let (s, _) = call(&e, "GET", "/api/v1/accounts/acme/who/board/1", Some(READER)).await;
    assert_eq!(s, 404);
    let (s, _) = call(&e, "GET", "/api/v1/accounts/nope/users", Some(READER)).await;
    assert_eq!(s, 404);
    // History: syncs, events with a polling cursor.
    let (_, syncs) = call(&e, "GET", "/api/v1/accounts/acme/syncs", Some(READER)).await;
    assert_eq!(syncs.as_array().unwrap().len(), 1);
    let (_, evs) = call(&e, "GET", "/api/v1/accounts/acme/events", Some(READER)).await;
    let last = evs.as_array().unwrap().last().unwrap()["id"].as_i64().unwrap();
    synced(&e).await;
    let (_, newer) = call(&e, "GET", &format!("/api/v1/accounts/acme/events?since={last}"), Some(READER)).await;
    assert!(newer.as_array().unwrap().iter().all(|ev| ev["id"].as_i64().unwrap() > last));
    assert!(newer.as_array().unwrap().iter().any(|ev| ev["kind"] == "sync_completed"));
    // Health.
    let (s, b) = call(&e, "GET", "/healthz", None).await;
    assert_eq!((s, b["accounts"][0]["last_sync"].as_str()), (200, Some("completed")), "{b}");
    let (s, b) = call(&e, "GET", "/readyz", None).await;
    assert_eq!((s, b["status"].as_str()), (200, Some("ready")));
    // An account whose monday.com fails: the replica stays ready; /healthz says which.
    let run = e.store.begin_sync("acme", "2026-10", chrono::Utc::now()).await.unwrap();
    e.store.interrupt_sync(run.id, "monday.com is unreachable", chrono::Utc::now()).await.unwrap();
    let (s, _) = call(&e, "GET", "/readyz", None).await;
    assert_eq!(s, 200, "one account's failure does not take every replica out of the Service");
    let (s, b) = call(&e, "GET", "/healthz", None).await;
    assert_eq!((s, b["accounts"][0]["last_sync"].as_str()), (200, Some("interrupted")), "{b}");
    assert!(b["accounts"][0]["error"].as_str().unwrap().contains("unreachable"), "{b}");
    let _ = e.store.accounts().await.unwrap();
}

#[tokio::test]
async fn the_openapi_document_lists_every_route() {
    let e = env(0, Duration::from_secs(3600)).await;
    let (s, doc) = call(&e, "GET", "/api/v1/openapi.json", None).await;
    assert_eq!(s, 200);
    let paths: Vec<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    for p in [
        "/api/v1/accounts",
        "/api/v1/accounts/{account}/users",
        "/api/v1/accounts/{account}/teams",
        "/api/v1/accounts/{account}/workspaces",
        "/api/v1/accounts/{account}/boards",
        "/api/v1/accounts/{account}/access/{user}",
        "/api/v1/accounts/{account}/who/{resource_type}/{id}",
        "/api/v1/accounts/{account}/reports/{name}",
        "/api/v1/accounts/{account}/jit",
        "/api/v1/accounts/{account}/jit/{id}/approve",
        "/api/v1/accounts/{account}/jit/{id}/deny",
        "/api/v1/accounts/{account}/syncs",
        "/api/v1/accounts/{account}/events",
        "/api/v1/accounts/{account}/sync",
        "/api/v1/accounts/{account}/plans",
        "/api/v1/accounts/{account}/plans/{plan_id}",
    ] {
        assert!(paths.contains(&p.to_string()), "{p} missing from {paths:?}");
    }
    assert_eq!(doc["paths"].as_object().unwrap().len(), e.doc.paths.paths.len());
    // Written out for the OpenAPI validator the test script runs.
    let out = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/openapi.json");
    std::fs::write(out, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
}

#[tokio::test]
async fn scheduled_syncs_never_overlap() {
    // Slow syncs (latency on every request) on a short interval; requests on demand meanwhile.
    let e = env(40, Duration::from_millis(150)).await;
    let sched = tokio::spawn(roster_server::scheduler::run(Arc::clone(&e.state)));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (s, _) = call(&e, "POST", "/api/v1/accounts/acme/sync", Some(ADMIN)).await;
    assert!(s == 409 || s == 202, "a sync on demand while one runs: 409 ({s})");
    tokio::time::sleep(Duration::from_secs(3)).await;
    sched.abort();
    let mut runs = e.store.syncs(Some("acme"), 100).await.unwrap();
    runs.reverse();
    let done: Vec<_> = runs.iter().filter(|r| r.finished_at.is_some()).collect();
    assert!(done.len() >= 2, "syncs happened on schedule: {}", done.len());
    for w in done.windows(2) {
        assert!(
            w[1].started_at >= w[0].finished_at.unwrap(),
            "sync {} started before sync {} finished",
            w[1].id,
            w[0].id
        );
    }
}

#[tokio::test]
async fn plans_go_through_the_same_path_as_the_cli() {
    let e = env(0, Duration::from_secs(3600)).await;
    synced(&e).await;
    let world = e.sim.sim.world();
    let target = world
        .users()
        .iter()
        .find(|u| {
            u.status == monday_sim::model::UserStatus::Active
                && u.kind == monday_sim::model::UserKind::Member
                && u.id != world.users()[1].id
        })
        .unwrap()
        .id;
    let plan =
        serde_json::json!({ "actions": [{ "action": "deactivate", "user": target.to_string() }], "reason": "left" });
    let (s, _) = post_json(&e, "/api/v1/accounts/acme/plans", READER, plan.clone()).await;
    assert_eq!(s, 403, "readers cannot change access");
    let mut dry = plan.clone();
    dry["dry_run"] = serde_json::json!(true);
    let (s, b) = post_json(&e, "/api/v1/accounts/acme/plans", ADMIN, dry).await;
    assert_eq!((s, b["results"][0]["status"].as_str()), (200, Some("planned")), "{b}");
    let (s, b) = post_json(&e, "/api/v1/accounts/acme/plans", ADMIN, plan).await;
    assert_eq!((s, b["failed"].as_u64()), (200, Some(0)), "{b}");
    let w = e.sim.sim.world();
    assert_eq!(w.users()[w.user_pos(target).unwrap()].status, monday_sim::model::UserStatus::Inactive);
    let plan_id = b["plan_id"].as_str().unwrap();
    let (s, evs) = call(&e, "GET", &format!("/api/v1/accounts/acme/plans/{plan_id}"), Some(READER)).await;
    assert_eq!(s, 200);
    let kinds: Vec<&str> = evs.as_array().unwrap().iter().map(|ev| ev["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["action_requested", "action_succeeded"]);
    assert_eq!(evs[0]["detail"]["by"], "ops");
    // Invalid and mass plans.
    let (s, b) = post_json(
        &e,
        "/api/v1/accounts/acme/plans",
        ADMIN,
        serde_json::json!({ "actions": [{ "action": "deactivate", "user": "nobody@x.io" }] }),
    )
    .await;
    assert_eq!(s, 400, "{b}");
    let many: Vec<Value> = w
        .users()
        .iter()
        .filter(|u| u.status == monday_sim::model::UserStatus::Active)
        .skip(3)
        .take(12)
        .map(|u| serde_json::json!({ "action": "deactivate", "user": u.id.to_string() }))
        .collect();
    let (s, b) = post_json(&e, "/api/v1/accounts/acme/plans", ADMIN, serde_json::json!({ "actions": many })).await;
    assert_eq!(s, 409, "{b}");
    assert!(
        b["error"]["message"].as_str().unwrap().contains("allow_mass_change")
            || b["error"]["message"].as_str().unwrap().contains("--allow-mass-change")
    );
    let (s, b) = post_json(&e, "/api/v1/accounts/acme/plans", ADMIN, serde_json::json!({ "actions": "nope" })).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (422, Some("invalid_body")),
        "a body that is not a plan, answered in JSON"
    );
}

#[tokio::test]
async fn abusive_clients_are_rate_limited_per_key() {
    let e = env(0, Duration::from_secs(3600)).await;
    let state = Arc::new(
        AppState::new(
            Arc::clone(&e.store),
            vec![],
            vec![
                ApiKey { name: "a".into(), role: Role::Reader, hash: hash_key("key-a-0123456789") },
                ApiKey { name: "b".into(), role: Role::Reader, hash: hash_key("key-b-0123456789") },
            ],
            None,
        )
        .with_rate_limit(1, 5),
    );
    let (router, _) = app(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(
            http.get(format!("{base}/api/v1/accounts"))
                .bearer_auth("key-a-0123456789")
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert_eq!(&statuses[..5], &[200; 5]);
    assert!(statuses[5..].contains(&429), "{statuses:?}");
    let other = http.get(format!("{base}/api/v1/accounts")).bearer_auth("key-b-0123456789").send().await.unwrap();
    assert_eq!(other.status(), 200, "another key has its own allowance");
}

#[tokio::test]
async fn syncs_happen_when_due_on_a_controllable_clock() {
    use roster_server::scheduler::{sync_if_due, Outcome};
    use std::sync::atomic::{AtomicI64, Ordering};
    // The scheduler's clock is the wall clock moved on by hand: hours pass in no time.
    let offset = Arc::new(AtomicI64::new(0));
    let clock: roster_server::lease::Clock = {
        let offset = Arc::clone(&offset);
        Arc::new(move || chrono::Utc::now() + chrono::Duration::seconds(offset.load(Ordering::SeqCst)))
    };
    let e = env(0, Duration::from_secs(3600)).await;
    let state = AppState::new(Arc::clone(&e.store), e.state.accounts.clone(), vec![], None)
        .with_leases(Duration::from_secs(30), clock);
    let acme = &state.accounts[0];
    assert!(matches!(sync_if_due(&state, acme).await.unwrap(), Outcome::Synced(_)), "never synced: due");
    let wait = |o: Outcome| match o {
        Outcome::NotDue(d) => d,
        other => panic!("expected to wait, got {other:?}"),
    };
    let d = wait(sync_if_due(&state, acme).await.unwrap());
    assert!(d > Duration::from_secs(3590) && d <= Duration::from_secs(3600), "an hour after it started: {d:?}");
    offset.fetch_add(1800, Ordering::SeqCst);
    let d = wait(sync_if_due(&state, acme).await.unwrap());
    assert!(d > Duration::from_secs(1790) && d <= Duration::from_secs(1800), "half an hour later: {d:?}");
    assert_eq!(e.store.syncs(Some("acme"), 10).await.unwrap().len(), 1, "not due: no sync");
    offset.fetch_add(1800, Ordering::SeqCst);
    assert!(matches!(sync_if_due(&state, acme).await.unwrap(), Outcome::Synced(_)), "due after an hour");
    assert_eq!(e.store.syncs(Some("acme"), 10).await.unwrap().len(), 2);
    // Another worker holding the account's lease: this one neither syncs nor waits for it.
    let now = chrono::Utc::now() + chrono::Duration::seconds(offset.load(Ordering::SeqCst) + 7200);
    offset.fetch_add(7200, Ordering::SeqCst);
    assert!(e
        .store
        .acquire_lease("sync:acme", "other-worker", now, now + chrono::Duration::seconds(30))
        .await
        .unwrap());
    assert!(matches!(sync_if_due(&state, acme).await.unwrap(), Outcome::Busy), "the other worker's turn");
    offset.fetch_add(31, Ordering::SeqCst);
    assert!(matches!(sync_if_due(&state, acme).await.unwrap(), Outcome::Synced(_)), "its lease expired: taken over");
}

#[tokio::test]
async fn just_in_time_access_over_http_with_roles() {
    let e = env(0, Duration::from_secs(3600)).await;
    synced(&e).await;
    let (s, b) = call(&e, "GET", "/api/v1/accounts/acme/users", Some(REQUESTER)).await;
    assert_eq!((s, b["error"]["code"].as_str()), (403, Some("forbidden")), "a requester key reads nothing else");
    let world = e.sim.sim.world();
    let board = world.boards().iter().find(|b| b.team_subscribers.is_empty() && !b.everyone).unwrap().clone();
    let user = world
        .users()
        .iter()
        .find(|u| {
            u.status == monday_sim::model::UserStatus::Active
                && u.kind == monday_sim::model::UserKind::Member
                && !board.subscribers.contains(&u.id)
        })
        .unwrap()
        .clone();
    let ask = serde_json::json!({ "user": user.email, "entitlement": format!("board:{}:subscriber", board.id), "minutes": 60, "justification": "incident 7" });
    let (s, _) = post_json(&e, "/api/v1/accounts/acme/jit", READER, ask.clone()).await;
    assert_eq!(s, 403, "readers do not ask");
    let (s, b) = post_json(&e, "/api/v1/accounts/acme/jit", REQUESTER, ask.clone()).await;
    assert_eq!((s, b["status"].as_str(), b["requester"].as_str()), (200, Some("requested"), Some("dana")), "{b}");
    let id = b["id"].as_i64().unwrap();
    let mut too_long = ask.clone();
    too_long["minutes"] = serde_json::json!(100_000);
    let (s, b) = post_json(&e, "/api/v1/accounts/acme/jit", REQUESTER, too_long).await;
    assert!(s == 400 && b["error"]["message"].as_str().unwrap().contains("at most"), "{b}");
    let (s, _) = post_json(&e, &format!("/api/v1/accounts/acme/jit/{id}/approve"), REQUESTER, Value::Null).await;
    assert_eq!(s, 403, "requesters do not approve");
    let (s, b) = post_json(&e, &format!("/api/v1/accounts/acme/jit/{id}/approve"), ADMIN, Value::Null).await;
    assert_eq!((s, b["status"].as_str()), (200, Some("active")), "{b}");
    let w = e.sim.sim.world();
    assert!(w.boards()[w.board_pos(board.id).unwrap()].subscribers.contains(&user.id), "granted in monday.com");
    let (s, _) = post_json(&e, &format!("/api/v1/accounts/acme/jit/{id}/approve"), ADMIN, Value::Null).await;
    assert_eq!(s, 409, "decided once");
    // The admin's own request, denied; the requester sees only theirs.
    let (_, b) = post_json(&e, "/api/v1/accounts/acme/jit", ADMIN, ask).await;
    let own = b["id"].as_i64().unwrap();
    let (s, _) = post_json(&e, &format!("/api/v1/accounts/acme/jit/{own}/approve"), ADMIN, Value::Null).await;
    assert_eq!(s, 409, "no self-approval");
    let (s, b) = post_json(
        &e,
        &format!("/api/v1/accounts/acme/jit/{own}/deny"),
        ADMIN,
        serde_json::json!({ "reason": "not needed" }),
    )
    .await;
    assert_eq!((s, b["status"].as_str()), (200, Some("denied")), "{b}");
    let (_, mine) = call(&e, "GET", "/api/v1/accounts/acme/jit", Some(REQUESTER)).await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    let (_, all) = call(&e, "GET", "/api/v1/accounts/acme/jit?status=denied", Some(ADMIN)).await;
    assert_eq!(all.as_array().unwrap().len(), 1, "{all}");
}

#[tokio::test]
async fn access_reviews_over_http_with_the_reviewer_role() {
    let e = env(0, Duration::from_secs(3600)).await;
    assert_eq!(synced(&e).await["status"], "completed");
    let def = serde_json::json!({
        "name": "Q4 boards", "due": "2099-01-01", "types": ["board"], "reviewers": "named",
        "named": ["rita@acme.test", "ops"], "fallback": "sec@acme.test",
    });
    let (s, _) = post_json(&e, "/api/v1/accounts/acme/reviews", REVIEWER, def.clone()).await;
    assert_eq!(s, 403, "only admins create campaigns");
    let mut bad = def.clone();
    bad["types"] = serde_json::json!(["boards"]);
    let (s, b) = post_json(&e, "/api/v1/accounts/acme/reviews", ADMIN, bad).await;
    assert!(s == 400 && b["error"]["message"].as_str().unwrap().contains("boards"), "{b}");
    let (s, c) = post_json(&e, "/api/v1/accounts/acme/reviews", ADMIN, def).await;
    assert_eq!((s, c["status"].as_str()), (200, Some("draft")), "{c}");
    let id = c["id"].as_i64().unwrap();
    let base = format!("/api/v1/accounts/acme/reviews/{id}");
    let (s, c) = post_json(&e, &format!("{base}/launch"), ADMIN, serde_json::json!({})).await;
    assert_eq!((s, c["status"].as_str()), (200, Some("launched")), "{c}");
    let total = c["counts"]["items"].as_u64().unwrap();

    // A reviewer key sees its own items only, reads no inventory, and decides as itself.
    let (s, mine) = call(&e, "GET", &format!("{base}/items?reviewer=ops"), Some(REVIEWER)).await;
    assert_eq!(s, 200);
    let mut mine = mine.as_array().unwrap().clone();
    // The item revoked below is a plain subscription: revoking an ownership, or a subscription
    // of an owner, would take certified access with it and is left for a manual step.
    let plain = mine
        .iter()
        .position(|i| {
            let e = i["entitlement"].as_str().unwrap_or_default();
            let owner = e.replace(":subscriber", ":owner");
            e.ends_with(":subscriber")
                && i["source"] == "direct"
                && !mine.iter().any(|o| o["user_id"] == i["user_id"] && o["entitlement"] == owner.as_str())
        })
        .expect("a plain subscription");
    mine.swap(0, plain);
    assert!(!mine.is_empty() && (mine.len() as u64) < total);
    assert!(mine.iter().all(|i| i["reviewer"] == "rita@acme.test"), "the filter is ignored for a reviewer key");
    assert_eq!(call(&e, "GET", "/api/v1/accounts/acme/users", Some(REVIEWER)).await.0, 403);
    let (_, all) = call(&e, "GET", &format!("{base}/items"), Some(READER)).await;
    let theirs = all.as_array().unwrap().iter().find(|i| i["reviewer"] == "ops").unwrap().clone();
    let decisions = format!("{base}/decisions");
    let with = |items: Vec<&Value>, mut body: Value| {
        body["items"] = Value::from(items.iter().map(|i| i["id"].as_i64().unwrap()).collect::<Vec<_>>());
        body
    };
    let certify = serde_json::json!({ "decision": "certify", "justification": "needed" });
    let (s, _) = post_json(&e, &decisions, REVIEWER, with(vec![&mine[1], &theirs], certify.clone())).await;
    assert_eq!(s, 403, "not rita's item");
    let (_, first) = call(&e, "GET", &format!("{base}/items?undecided=true"), Some(REVIEWER)).await;
    assert_eq!(first.as_array().unwrap().len(), mine.len(), "a refused bulk decision decides none");
    let (s, _) = post_json(&e, &decisions, READER, with(vec![&mine[0]], certify.clone())).await;
    assert_eq!(s, 403, "readers do not decide");
    let (s, b) =
        post_json(&e, &decisions, REVIEWER, with(vec![&mine[0]], serde_json::json!({ "decision": "revoke" }))).await;
    assert!(s == 400 && b["error"]["message"].as_str().unwrap().contains("justification"), "{b}");
    let (s, b) =
        post_json(&e, &decisions, REVIEWER, with(vec![&mine[0]], serde_json::json!({ "decision": "maybe" }))).await;
    assert_eq!(s, 400, "{b}");
    let why = serde_json::json!({ "decision": "revoke", "justification": "not on the project" });
    let (s, b) = post_json(&e, &decisions, REVIEWER, with(vec![&mine[0]], why)).await;
    assert_eq!((s, b[0]["decision"].as_str()), (200, Some("revoke")), "{b}");
    let (s, _) = post_json(&e, &format!("{base}/signoff"), REVIEWER, Value::Null).await;
    assert_eq!(s, 400, "undecided items remain");
    let (s, b) = post_json(&e, &decisions, REVIEWER, with(mine[1..].iter().collect(), certify)).await;
    assert_eq!((s, b.as_array().map(Vec::len)), (200, Some(mine.len() - 1)), "bulk certify");
    let (s, b) = post_json(&e, &format!("{base}/signoff"), REVIEWER, Value::Null).await;
    assert_eq!((s, b["signoffs"][0][0].as_str()), (200, Some("rita@acme.test")), "{b}");
    let again = serde_json::json!({ "decision": "certify" });
    assert_eq!(post_json(&e, &decisions, REVIEWER, with(vec![&mine[0]], again)).await.0, 409, "locked by the sign-off");

    // Close (admin), then the evidence as a tar archive for admin and reader keys.
    assert_eq!(post_json(&e, &format!("{base}/close"), REVIEWER, serde_json::json!({})).await.0, 403);
    let (s, r) = post_json(&e, &format!("{base}/close"), ADMIN, serde_json::json!({})).await;
    assert!(s == 409 && r["error"]["message"].as_str().unwrap().contains("not finished"), "{r}");
    let dry = serde_json::json!({ "force": true, "dry_run": true });
    let (s, r) = post_json(&e, &format!("{base}/close"), ADMIN, dry).await;
    assert_eq!((s, r["dry_run"].as_bool(), r["applied"].as_u64()), (200, Some(true), Some(0)), "{r}");
    let (s, r) = post_json(&e, &format!("{base}/close"), ADMIN, serde_json::json!({ "force": true })).await;
    assert_eq!((s, r["applied"].as_u64()), (200, Some(1)), "{r}");
    let resp =
        reqwest::Client::new().get(format!("{}{base}/evidence", e.base)).bearer_auth(READER).send().await.unwrap();
    assert_eq!(resp.headers()["content-type"], "application/x-tar");
    let tar = resp.bytes().await.unwrap();
    let mut archive = tar::Archive::new(&tar[..]);
    let dir = std::env::temp_dir().join(format!("roster-http-evidence-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    archive.unpack(&dir).unwrap();
    let v = roster_engine::review::evidence::verify(&dir).unwrap();
    assert_eq!(v.rows as u64, total);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(call(&e, "GET", &format!("{base}/evidence"), Some(REVIEWER)).await.0, 403);
    let (_, list) = call(&e, "GET", "/api/v1/accounts/acme/reviews", Some(REVIEWER)).await;
    assert_eq!(list[0]["counts"]["items"].as_u64(), Some(mine.len() as u64), "a reviewer's counts are its own");
}

/// With a retention, `roster serve` prunes old snapshots after each sync: the pruned run stays
/// with `pruned_at` and no counts (never a snapshot of 0 users), the newest keeps its counts.
#[tokio::test]
async fn served_syncs_prune_old_snapshots_when_told() {
    let e = env(0, Duration::from_secs(3600)).await;
    e.state.retention.set(Some(roster_core::retention::Retention::new(1, None).unwrap()));
    let first = synced(&e).await;
    let second = synced(&e).await;
    assert_eq!((first["status"].as_str(), second["status"].as_str()), (Some("completed"), Some("completed")));
    let (s, old) = call(&e, "GET", &format!("/api/v1/accounts/acme/syncs/{}", first["id"]), Some(READER)).await;
    assert_eq!(s, 200, "{old}");
    assert!(old["pruned_at"].is_string() && old.get("users").is_none(), "pruned, without counts: {old}");
    let (_, new) = call(&e, "GET", &format!("/api/v1/accounts/acme/syncs/{}", second["id"]), Some(READER)).await;
    assert!(new.get("pruned_at").is_none() && new["users"].as_i64() > Some(0), "{new}");
    let (_, events) = call(&e, "GET", "/api/v1/accounts/acme/events?kind=snapshots_pruned", Some(READER)).await;
    assert_eq!(events.as_array().map(Vec::len), Some(1), "{events}");
}

#[tokio::test]
async fn the_audit_log_read_after_each_sync_is_served() {
    let o = roster_engine::audit_log::AuditReadOptions {
        first_days: 365,
        lag: chrono::Duration::zero(),
        ..roster_engine::audit_log::AuditReadOptions::default()
    };
    let e = env_with(0, Duration::from_secs(3600), Some(o)).await;
    let (s, b) = call(&e, "GET", "/api/v1/accounts/acme/audit-log", Some(READER)).await;
    assert_eq!(s, 404, "not read yet: {b}");
    assert!(b["error"]["message"].as_str().unwrap_or_default().contains("audit_log_days"), "{b}");
    synced(&e).await;
    // The read follows the sync in the same task: poll until it is stored.
    let want = e.sim.sim.world().audit_log().len();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let path = "/api/v1/accounts/acme/audit-log?days=3650&limit=1000";
    let entries = loop {
        let (s, b) = call(&e, "GET", path, Some(READER)).await;
        if s == 200 {
            break b;
        }
        assert!(std::time::Instant::now() < deadline, "the audit log was never read: {b}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let list = entries.as_array().unwrap();
    assert_eq!(list.len(), want.min(1000));
    let failed = e.sim.sim.world().audit_log().iter().filter(|x| x.event.as_str() == "failed-login").count();
    let (s, b) =
        call(&e, "GET", "/api/v1/accounts/acme/audit-log?days=3650&limit=1000&event=failed-login", Some(READER)).await;
    assert_eq!((s, b.as_array().map(Vec::len)), (200, Some(failed.min(1000))), "{b}");
    let (s, _) = call(&e, "GET", "/api/v1/accounts/acme/audit-log?days=0", Some(READER)).await;
    assert_eq!(s, 400, "days are bounded");
}

#[tokio::test]
async fn the_c1z_export_is_served_to_readers() {
    let e = env(0, Duration::from_secs(3600)).await;
    let get = |key: &'static str, q: &'static str| {
        let url = format!("{}/api/v1/accounts/acme/export/c1z{q}", e.base);
        async move { reqwest::Client::new().get(url).bearer_auth(key).send().await.unwrap() }
    };
    assert_eq!(get(READER, "").await.status().as_u16(), 404, "nothing synced yet");
    synced(&e).await;
    let r = get(READER, "").await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("acme.c1z"));
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..5], b"C1ZF\0");
    let db = roster_interop::c1z::database_of(&bytes, 1 << 30).unwrap();
    assert_eq!(&db[..16], b"SQLite format 3\0", "a SQLite database inside");
    assert_eq!(get(READER, "?sync=0").await.status().as_u16(), 400, "sync ids are bounded");
    assert_eq!(get(REQUESTER, "").await.status().as_u16(), 403, "requesters do not read snapshots");
}

#[tokio::test]
async fn a_configured_source_of_truth_gives_the_unmanaged_report_and_events() {
    let dir = roster_testkit::Dir::new("server-source");
    let hr = dir.path().join("hr.csv");
    std::fs::write(&hr, "email\nnew.hire@acme.test\n").unwrap();
    let e = env_full(0, Duration::from_secs(3600), None, Some(hr)).await;
    let (s, b) = call(&e, "GET", "/api/v1/accounts/acme/reports/unmanaged", Some(READER)).await;
    assert_eq!(s, 404, "no snapshot yet: {b}");
    synced(&e).await;
    let (s, b) = call(&e, "GET", "/api/v1/accounts/acme/reports/unmanaged", Some(READER)).await;
    assert_eq!(s, 200, "{b}");
    let rows = b["rows"].as_array().unwrap();
    let live = e.sim.sim.world().users().iter().filter(|u| u.status != monday_sim::model::UserStatus::Inactive).count();
    assert_eq!(rows.iter().filter(|r| r["finding"] == "not in the source").count(), live);
    // The check after the sync recorded one event per unmanaged account.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let (_, ev) =
            call(&e, "GET", "/api/v1/accounts/acme/events?kind=unmanaged_account&limit=1000", Some(READER)).await;
        if ev.as_array().map(Vec::len) == Some(live) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{ev}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
