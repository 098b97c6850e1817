//! Webhooks: the event stream pushed to HTTP receivers, each POST signed with HMAC-SHA256, with
//! a Slack-compatible `text`. Each webhook delivers in order from a cursor kept in the store;
//! a delivery that fails is retried with backoff and never skipped, so nothing is lost, across
//! restarts too.

use std::time::Duration;

use hmac::{Hmac, Mac};
use roster_store::{EventQuery, EventRow, Store};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::Sha256;

use crate::lease::{LeaseError, Leaser};

/// One webhook target.
#[derive(Clone, Serialize, Deserialize)]
pub struct Webhook {
    /// The webhook's name.
    pub name: String,
    /// Where events are posted.
    pub url: String,
    /// Event kinds (or kind prefixes, e.g. `user_`, `scim.`) to send; empty: all.
    #[serde(default)]
    pub events: Vec<String>,
    /// The signing secret (from the environment or a file; never the configuration itself).
    #[serde(skip)]
    pub secret: String,
    /// A webhook seen for the first time starts at the newest event; with `backfill` it sends
    /// every event the store holds first.
    #[serde(default)]
    pub backfill: bool,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("name", &self.name)
            .field("url", &self.url)
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}

/// `sha256=<hex>` of `body` under `secret`, as sent in `X-Roster-Signature`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(body);
    format!("sha256={}", mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect::<String>())
}

fn wanted(w: &Webhook, kind: &str) -> bool {
    w.events.is_empty() || w.events.iter().any(|e| kind.starts_with(e.as_str()))
}

/// One line a person reads (Slack shows `text`): what happened, to what, and the facts that
/// matter, never a JSON dump.
pub fn text(e: &EventRow) -> String {
    let d = &e.detail;
    let s =
        |k: &str| d.get(k).and_then(|v| v.as_str().map(str::to_string).or_else(|| v.as_i64().map(|n| n.to_string())));
    let what = e.kind.replace(['_', '.'], " ");
    let mut facts = Vec::new();
    if let Some(desc) = s("description") {
        facts.push(desc);
    }
    match (s("from"), s("to")) {
        (Some(f), Some(t)) => facts.push(format!("{f} → {t}")),
        (None, Some(t)) => facts.push(format!("→ {t}")),
        _ => {}
    }
    for k in ["email", "name", "principal", "source", "error", "note", "by", "reason"] {
        if let Some(v) = s(k).filter(|v| !v.is_empty()) {
            facts.push(format!("{k} {v}"));
        }
    }
    if facts.is_empty() {
        format!("[{}] {what}: {}", e.account, e.subject)
    } else {
        format!("[{}] {what}: {} ({})", e.account, e.subject, facts.join("; "))
    }
}

/// The JSON a receiver gets.
pub fn payload(e: &EventRow) -> serde_json::Value {
    let text = text(e);
    json!({ "id": e.id, "account": e.account, "kind": e.kind, "subject": e.subject, "detail": e.detail, "at": e.at.to_rfc3339(), "text": text })
}

async fn deliver(http: &reqwest::Client, w: &Webhook, e: &EventRow) -> Result<(), String> {
    let body = serde_json::to_vec(&payload(e)).map_err(|x| x.to_string())?;
    let r = http
        .post(&w.url)
        .header("Content-Type", "application/json")
        .header("X-Roster-Signature", signature(&w.secret, &body))
        .header("X-Roster-Event", e.kind.as_str())
        .header("X-Roster-Delivery", e.id.to_string())
        .body(body)
        .send()
        .await
        .map_err(|x| x.to_string())?;
    if r.status().is_success() {
        Ok(())
    } else if r.status().is_redirection() {
        // The signed body is never re-sent to where a receiver points: a redirect is a failure.
        Err(format!("HTTP {}: redirects are not followed; configure the final URL", r.status()))
    } else {
        Err(format!("HTTP {}", r.status()))
    }
}

/// The client webhooks are sent with: a timeout, and no redirects followed.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

/// Delivers every pending event of `w` once, in order; stops at the first that keeps failing
/// (it is tried again on the next round).
pub async fn deliver_pending(
    store: &dyn Store,
    http: &reqwest::Client,
    w: &Webhook,
    max_attempts: u32,
) -> Result<usize, String> {
    let mut cursor = match store.webhook_cursor(&w.name).await.map_err(|e| e.to_string())? {
        Some(c) => c,
        // New: from now on, unless asked to send what came before. The start is recorded at
        // once, so a restart does not move it.
        None => {
            let start = if w.backfill {
                0
            } else {
                let newest = store
                    .events(&EventQuery { newest_first: true, limit: Some(1), ..EventQuery::default() })
                    .await
                    .map_err(|e| e.to_string())?;
                newest.first().map_or(0, |e| e.id)
            };
            store.set_webhook_cursor(&w.name, start).await.map_err(|e| e.to_string())?;
            start
        }
    };
    let mut sent = 0;
    loop {
        let batch = store
            .events(&EventQuery { after_id: Some(cursor), limit: Some(500), ..EventQuery::default() })
            .await
            .map_err(|e| e.to_string())?;
        if batch.is_empty() {
            return Ok(sent);
        }
        for e in batch {
            if wanted(w, &e.kind) {
                let mut wait = Duration::from_millis(200);
                let mut attempt = 0;
                loop {
                    attempt += 1;
                    match deliver(http, w, &e).await {
                        Ok(()) => break,
                        Err(err) if attempt >= max_attempts => {
                            tracing::warn!(webhook = %w.name, event = e.id, error = %err, "webhook delivery failed; will retry");
                            return Err(err);
                        }
                        Err(_) => {
                            tokio::time::sleep(wait).await;
                            wait = (wait * 2).min(Duration::from_secs(30));
                        }
                    }
                }
                sent += 1;
            }
            cursor = e.id;
            store.set_webhook_cursor(&w.name, cursor).await.map_err(|e| e.to_string())?;
        }
    }
}

/// Runs the webhooks forever, polling the event stream every `every`. With several workers,
/// one delivers at a time (the `webhooks` lease), so nothing is sent twice. `hooks` follows
/// configuration reloads.
pub async fn run(leaser: Leaser, hooks: tokio::sync::watch::Receiver<Vec<Webhook>>, every: Duration) {
    let http = http_client();
    loop {
        let current = hooks.borrow().clone();
        if !current.is_empty() {
            let round = async {
                for w in &current {
                    let _ = deliver_pending(leaser.store.as_ref(), &http, w, 5).await;
                }
            };
            match leaser.hold("webhooks", round).await {
                Ok(()) | Err(LeaseError::Busy(_)) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "webhook delivery stopped; the next round goes on from the cursor")
                }
            }
        }
        tokio::time::sleep(every).await;
    }
}
