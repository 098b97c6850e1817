//! Webhooks against a local receiver: the signature verifies, 500s are retried, and every
//! matching event arrives exactly once, in order (nothing lost, nothing twice), also after a
//! restart of the notifier.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use roster_core::{Event, EventKind};
use roster_server::webhooks::{deliver_pending, signature, Webhook};
use roster_store::prelude::*;
use roster_store::SqlStore;
use serde_json::json;

#[derive(Default)]
struct Receiver {
    calls: usize,
    fail_first: usize,
    got: Vec<(i64, String, bool)>,
}

async fn receive(State(r): State<Arc<Mutex<Receiver>>>, headers: HeaderMap, body: axum::body::Bytes) -> StatusCode {
    let mut r = r.lock().unwrap();
    r.calls += 1;
    if r.calls <= r.fail_first {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let sig = headers.get("x-roster-signature").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let ok = sig == signature("s3cret", &body);
    r.got.push((v["id"].as_i64().unwrap(), v["kind"].as_str().unwrap().to_string(), ok && v["text"].is_string()));
    StatusCode::OK
}

#[tokio::test]
async fn signed_retried_in_order_nothing_lost() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let state = Arc::new(Mutex::new(Receiver { fail_first: 3, ..Receiver::default() }));
    let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(Arc::clone(&state));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let store = SqlStore::in_memory().await.unwrap();
    store.ensure_account("acme", chrono::Utc::now()).await.unwrap();
    let ev = |kind, n: i32| Event { kind, subject: format!("user:{n}"), detail: json!({ "n": n }) };
    store
        .append_events(
            "acme",
            None,
            &[ev(EventKind::UserAdded, 1), ev(EventKind::GrantAdded, 2), ev(EventKind::UserStatusChanged, 3)],
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let hook =
        Webhook { name: "slack".into(), url, events: vec!["user_".into()], secret: "s3cret".into(), backfill: true };
    let http = roster_server::webhooks::http_client();
    // Three 500s, then success: retried within the round.
    let sent = deliver_pending(&store, &http, &hook, 5).await.unwrap();
    assert_eq!(sent, 2, "only user_ events");
    // A second round, and new events after a "restart": only the new one is sent.
    assert_eq!(deliver_pending(&store, &http, &hook, 5).await.unwrap(), 0);
    store.append_events("acme", None, &[ev(EventKind::UserRoleChanged, 4)], chrono::Utc::now()).await.unwrap();
    assert_eq!(deliver_pending(&store, &http, &hook, 5).await.unwrap(), 1);
    let r = state.lock().unwrap();
    let kinds: Vec<&str> = r.got.iter().map(|(_, k, _)| k.as_str()).collect();
    assert_eq!(kinds, vec!["user_added", "user_status_changed", "user_role_changed"]);
    assert!(r.got.iter().all(|(_, _, ok)| *ok), "every signature verifies");
    assert!(r.got.windows(2).all(|w| w[0].0 < w[1].0), "in order");
    assert_eq!(r.calls, 3 + 3, "three failures, three deliveries");
}

#[tokio::test]
async fn a_receiver_that_stays_down_loses_nothing() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let store = SqlStore::in_memory().await.unwrap();
    store.ensure_account("acme", chrono::Utc::now()).await.unwrap();
    store
        .append_events(
            "acme",
            None,
            &[Event { kind: EventKind::UserAdded, subject: "user:1".into(), detail: json!({}) }],
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let hook = Webhook {
        name: "down".into(),
        url: "http://127.0.0.1:9/hook".into(),
        events: vec![],
        secret: "x".into(),
        backfill: true,
    };
    assert!(deliver_pending(&store, &roster_server::webhooks::http_client(), &hook, 2).await.is_err());
    assert_eq!(store.webhook_cursor("down").await.unwrap(), Some(0), "the undelivered event stays pending");
}

/// A receiver that answers 307 never gets the signed body re-sent elsewhere; a new webhook
/// starts at the newest event (378 old ones were replayed before); the text reads as a
/// sentence.
#[tokio::test]
async fn redirects_are_not_followed_and_a_new_webhook_starts_now() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let elsewhere = Arc::new(Mutex::new(Receiver::default()));
    let target = axum::Router::new().route("/steal", axum::routing::post(receive)).with_state(Arc::clone(&elsewhere));
    let l2 = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let steal = format!("http://{}/steal", l2.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(l2, target).await;
    });
    let redirect = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let to = steal.clone();
            async move { (StatusCode::TEMPORARY_REDIRECT, [("location", to)]) }
        }),
    );
    let l1 = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", l1.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(l1, redirect).await;
    });
    let store = SqlStore::in_memory().await.unwrap();
    store.ensure_account("acme", chrono::Utc::now()).await.unwrap();
    let ev = |n: i32| Event {
        kind: EventKind::UserRoleChanged,
        subject: format!("user:{n}"),
        detail: json!({ "from": "member", "to": "admin", "email": format!("u{n}@acme.test") }),
    };
    let old: Vec<Event> = (0..378).map(ev).collect();
    store.append_events("acme", None, &old, chrono::Utc::now()).await.unwrap();
    let hook = Webhook { name: "new".into(), url, events: vec![], secret: "s3cret".into(), backfill: false };
    let http = roster_server::webhooks::http_client();
    assert_eq!(deliver_pending(&store, &http, &hook, 1).await.unwrap(), 0, "old events are not replayed");
    store.append_events("acme", None, &[ev(1000)], chrono::Utc::now()).await.unwrap();
    let e = deliver_pending(&store, &http, &hook, 1).await.unwrap_err();
    assert!(e.contains("307") && e.contains("redirects are not followed"), "{e}");
    assert_eq!(elsewhere.lock().unwrap().calls, 0, "the signed body never reached the redirect's target");
    let rows = store
        .events(&roster_store::EventQuery { newest_first: true, limit: Some(1), ..Default::default() })
        .await
        .unwrap();
    let text = roster_server::webhooks::text(&rows[0]);
    assert_eq!(text, "[acme] user role changed: user:1000 (member → admin; email u1000@acme.test)");
}
