//! Webhooks against a local receiver: the signature verifies, 500s are retried, and every
//! matching event arrives exactly once, in order (nothing lost, nothing twice), also after a
//! restart of the notifier.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use roster_core::{Event, EventKind};
use roster_server::webhooks::{deliver_pending, signature, Webhook};
use roster_store::{SqlStore, Store};
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
    let hook = Webhook { name: "slack".into(), url, events: vec!["user_".into()], secret: "s3cret".into() };
    let http = reqwest::Client::new();
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
    let hook =
        Webhook { name: "down".into(), url: "http://127.0.0.1:9/hook".into(), events: vec![], secret: "x".into() };
    assert!(deliver_pending(&store, &reqwest::Client::new(), &hook, 2).await.is_err());
    assert_eq!(store.webhook_cursor("down").await.unwrap(), 0, "the undelivered event stays pending");
}
