//! OCSF sinks: a file sink and a Splunk-HEC collector get every identity change and audit log
//! entry once, from cursors in the store: a second round sends nothing, a refused batch is sent
//! again next round and never skipped, and each sink has cursors of its own.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use roster_core::{Event, EventKind};
use roster_server::ocsf_sinks::{deliver_pending, OcsfSink, SinkKind};
use roster_store::prelude::*;
use roster_store::{AuditLogRow, SqlStore};
use serde_json::{json, Value};

#[derive(Default)]
struct Collector {
    refuse_first: usize,
    calls: usize,
    events: Vec<Value>,
    auth_ok: bool,
}

async fn collect(
    axum::extract::State(c): axum::extract::State<Arc<Mutex<Collector>>>,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    let mut c = c.lock().unwrap();
    c.calls += 1;
    if c.calls <= c.refuse_first {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    c.auth_ok = headers.get("authorization").and_then(|v| v.to_str().ok()) == Some("Splunk hec-token-123");
    for line in body.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        c.events.push(v["event"].clone());
    }
    StatusCode::OK
}

#[tokio::test]
async fn file_and_collector_get_each_event_once_from_their_cursors() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let store = SqlStore::in_memory().await.unwrap();
    store.ensure_account("acme", chrono::Utc::now()).await.unwrap();
    let ev = |kind, s: &str, d: Value| Event { kind, subject: s.into(), detail: d };
    store
        .append_events(
            "acme",
            None,
            &[
                ev(
                    EventKind::UserAdded,
                    "user:1",
                    json!({ "email": "a@acme.com", "name": "A", "role": "member", "status": "active" }),
                ),
                ev(EventKind::SyncCompleted, "account", json!({})),
                ev(EventKind::GrantAdded, "board:7:subscriber", json!({ "principal": "user:1", "source": "direct" })),
            ],
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let login = AuditLogRow {
        key: "k1".into(),
        at_ms: 1_700_000_000_000,
        event: "login".into(),
        user_id: Some("1".into()),
        ip: Some("81.64.1.2".into()),
        ..AuditLogRow::default()
    };
    store.add_audit_entries("acme", &[login]).await.unwrap();

    let dir = roster_testkit::Dir::new("ocsf-sink");
    let path = dir.path().join("ocsf.jsonl");
    let file =
        OcsfSink { name: "file".into(), kind: SinkKind::File { path: path.clone(), max_bytes: 1_000_000, keep: 2 } };
    let http = roster_server::webhooks::http_client();
    let accounts = vec!["acme".to_string()];
    assert_eq!(
        deliver_pending(&store, &http, &file, &accounts).await.unwrap(),
        3,
        "two identity changes and a login; the sync is not one"
    );
    assert_eq!(deliver_pending(&store, &http, &file, &accounts).await.unwrap(), 0, "nothing twice");
    let lines: Vec<Value> =
        std::fs::read_to_string(&path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let classes: Vec<u64> = lines.iter().map(|e| e["class_uid"].as_u64().unwrap()).collect();
    assert_eq!(classes, vec![3001, 3005, 3002]);

    // A collector that refuses the first post: the batch is kept and sent next round.
    let state = Arc::new(Mutex::new(Collector { refuse_first: 1, ..Collector::default() }));
    let app = axum::Router::new()
        .route("/services/collector/event", axum::routing::post(collect))
        .with_state(Arc::clone(&state));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/services/collector/event", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let hec = OcsfSink { name: "splunk".into(), kind: SinkKind::Http { url, token: "hec-token-123".into() } };
    assert!(deliver_pending(&store, &http, &hec, &accounts).await.is_err(), "refused: the cursor stays");
    assert_eq!(
        deliver_pending(&store, &http, &hec, &accounts).await.unwrap(),
        3,
        "sent on the next round, not skipped"
    );
    // New events reach both, once each.
    store
        .append_events(
            "acme",
            None,
            &[ev(
                EventKind::UserStatusChanged,
                "user:1",
                json!({ "from": "active", "to": "deactivated", "email": "a@acme.com" }),
            )],
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(deliver_pending(&store, &http, &hec, &accounts).await.unwrap(), 1);
    assert_eq!(deliver_pending(&store, &http, &file, &accounts).await.unwrap(), 1);
    let c = state.lock().unwrap();
    assert!(c.auth_ok, "the token is sent as Splunk HEC wants it");
    let uids: Vec<&str> = c.events.iter().map(|e| e["metadata"]["uid"].as_str().unwrap()).collect();
    assert_eq!(uids.len(), 4);
    assert_eq!(c.events[3]["activity_id"], 5, "a deactivation is Account Change: Disable");
}

fn parquet_files(dir: &std::path::Path) -> Vec<String> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn the_parquet_sink_writes_days_that_are_over_one_file_per_class_and_day() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let store = SqlStore::in_memory().await.unwrap();
    store.ensure_account("acme", chrono::Utc::now()).await.unwrap();
    let now = chrono::Utc::now();
    let yesterday = now - chrono::Duration::days(1);
    let ev = |kind, s: &str, d: Value| Event { kind, subject: s.into(), detail: d };
    let added = json!({ "email": "a@acme.com", "name": "A", "role": "member", "status": "active" });
    let board = json!({ "principal": "user:1", "source": "direct" });
    store
        .append_events(
            "acme",
            None,
            &[
                ev(EventKind::UserAdded, "user:1", added.clone()),
                ev(EventKind::GrantAdded, "board:7:subscriber", board),
            ],
            yesterday,
        )
        .await
        .unwrap();
    store.append_events("acme", None, &[ev(EventKind::UserAdded, "user:2", added)], now).await.unwrap();
    let login = AuditLogRow {
        key: "k1".into(),
        at_ms: 1_700_000_000_000,
        event: "login".into(),
        user_id: Some("1".into()),
        ..AuditLogRow::default()
    };
    store.add_audit_entries("acme", &[login]).await.unwrap();

    let dir = roster_testkit::Dir::new("ocsf-parquet");
    let lake =
        OcsfSink { name: "lake".into(), kind: SinkKind::Parquet { dir: dir.path().to_path_buf(), max_rows: 1000 } };
    let http = roster_server::webhooks::http_client();
    let accounts = vec!["acme".to_string()];
    assert_eq!(deliver_pending(&store, &http, &lake, &accounts).await.unwrap(), 3, "yesterday's two and the login");
    assert_eq!(deliver_pending(&store, &http, &lake, &accounts).await.unwrap(), 0, "today waits for its day to end");
    let day = yesterday.format("%Y%m%d");
    let stem = "roster-acme-events-1-2-audit-1-1.parquet";
    assert_eq!(
        parquet_files(dir.path()),
        vec![
            format!("3001-account-change/eventDay={day}/{stem}"),
            format!("3002-authentication/eventDay=20231114/{stem}"),
            format!("3005-user-access-management/eventDay={day}/{stem}"),
        ]
    );
    // A worker that died after writing and before recording: the batch is written again under
    // the same names, replacing its files, not adding copies.
    store.set_webhook_cursor("ocsf:lake:acme:events", 0).await.unwrap();
    store.set_webhook_cursor("ocsf:lake:acme:audit", 0).await.unwrap();
    assert_eq!(deliver_pending(&store, &http, &lake, &accounts).await.unwrap(), 3);
    assert_eq!(parquet_files(dir.path()).len(), 3);
}
