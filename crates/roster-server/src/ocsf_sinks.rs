//! OCSF sinks: identity changes and monday.com's audit log, as OCSF 1.1 events, pushed to a
//! SIEM: a JSON-lines file (rotated by size), standard output, or an HTTP collector (Splunk's
//! HTTP Event Collector format), or daily Parquet files, one per OCSF class, for AWS Security
//! Lake. Each sink keeps, per account, two cursors in the store (Roster
//! events, audit log entries), moved only after a batch is written or accepted: across restarts
//! and several workers (one delivers at a time, under the `ocsf-sinks` lease) nothing is lost
//! and nothing is sent again, unless a worker dies between sending and recording, when that
//! one batch is sent again (each event's `metadata.uid` tells a receiver it has it).

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use roster_store::Store;
use serde_json::Value;

use crate::lease::{LeaseError, Leaser};

/// Where a sink writes.
#[derive(Clone, PartialEq, Eq)]
pub enum SinkKind {
    /// A JSON-lines file: at `max_bytes` it becomes `path.1` (the older ones `path.2`, ... up
    /// to `keep`) and a new file starts.
    File {
        /// The file.
        path: PathBuf,
        /// Size at which it rotates.
        max_bytes: u64,
        /// Rotated files kept.
        keep: u32,
    },
    /// Standard output, one event a line.
    Stdout,
    /// Parquet files for AWS Security Lake, `dir/<class>/eventDay=YYYYMMDD/<name>.parquet`:
    /// written once a day (UTC) is over, one file per class and day (another part when a day
    /// holds more than `max_rows` events of an account).
    Parquet {
        /// The folder (the custom source's bucket prefix, synced to S3).
        dir: PathBuf,
        /// Events at most in one file.
        max_rows: u32,
    },
    /// An HTTP collector taking Splunk HEC bodies (`{"event": ..., "time": ...}` objects).
    Http {
        /// The collector's URL (`https://splunk:8088/services/collector/event`).
        url: String,
        /// Its token (sent as `Authorization: Splunk <token>`).
        token: String,
    },
}

/// One sink.
#[derive(Clone, PartialEq, Eq)]
pub struct OcsfSink {
    /// Its name (the cursors' key).
    pub name: String,
    /// Where it writes.
    pub kind: SinkKind,
}

impl std::fmt::Debug for OcsfSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.kind {
            SinkKind::File { path, .. } => format!("file {}", path.display()),
            SinkKind::Stdout => "stdout".into(),
            SinkKind::Parquet { dir, .. } => format!("parquet {}", dir.display()),
            SinkKind::Http { url, .. } => format!("http {url}"),
        };
        f.debug_struct("OcsfSink").field("name", &self.name).field("kind", &kind).finish_non_exhaustive()
    }
}

fn cursor_names(sink: &str, account: &str) -> (String, String) {
    (format!("ocsf:{sink}:{account}:events"), format!("ocsf:{sink}:{account}:audit"))
}

/// Appends `lines` to the file, rotating it first when they would take it past `max_bytes`.
fn append(path: &PathBuf, max_bytes: u64, keep: u32, lines: &str) -> std::io::Result<()> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > 0 && size + lines.len() as u64 > max_bytes {
        let numbered = |n: u32| {
            let mut p = path.clone().into_os_string();
            p.push(format!(".{n}"));
            PathBuf::from(p)
        };
        let _ = std::fs::remove_file(numbered(keep.max(1)));
        for n in (1..keep.max(1)).rev() {
            let _ = std::fs::rename(numbered(n), numbered(n + 1));
        }
        std::fs::rename(path, numbered(1))?;
    }
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    f.write_all(lines.as_bytes())?;
    f.sync_data()
}

/// Splunk HEC's body: one `{"time", "sourcetype", "event"}` object per event, concatenated.
pub fn hec_body(events: &[Value]) -> String {
    events
        .iter()
        .map(|e| {
            let secs = e["time"].as_i64().unwrap_or(0) as f64 / 1000.0;
            serde_json::json!({ "time": secs, "sourcetype": "ocsf", "source": "roster", "event": e }).to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A file name for what one batch of an account holds: the account and the cursors' ranges,
/// so a batch written again after a crash replaces its own files instead of adding copies.
fn stem(account: &str, from: (i64, i64), to: (i64, i64)) -> String {
    let account: String =
        account.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    format!("roster-{account}-events-{}-{}-audit-{}-{}", from.0 + 1, to.0, from.1 + 1, to.1)
}

/// The first millisecond of today (UTC): a daily sink writes only what came before it.
fn today_start_ms() -> i64 {
    let now = chrono::Utc::now();
    now.date_naive().and_hms_opt(0, 0, 0).map_or(now.timestamp_millis(), |t| t.and_utc().timestamp_millis())
}

async fn send(http: &reqwest::Client, sink: &OcsfSink, events: &[Value], stem: String) -> Result<(), String> {
    match &sink.kind {
        SinkKind::Parquet { dir, .. } => {
            let (dir, events) = (dir.clone(), events.to_vec());
            tokio::task::spawn_blocking(move || roster_interop::ocsf::parquet::write_partitioned(&dir, &stem, &events))
                .await
                .map_err(|e| e.to_string())?
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
        SinkKind::File { path, max_bytes, keep } => {
            let lines: String = events.iter().map(|e| format!("{e}\n")).collect();
            let (path, max, keep) = (path.clone(), *max_bytes, *keep);
            tokio::task::spawn_blocking(move || append(&path, max, keep, &lines))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("writing the OCSF file: {e}"))
        }
        SinkKind::Stdout => {
            let mut out = std::io::stdout().lock();
            for e in events {
                writeln!(out, "{e}").map_err(|e| e.to_string())?;
            }
            out.flush().map_err(|e| e.to_string())
        }
        SinkKind::Http { url, token } => {
            let r = http
                .post(url)
                .header("Authorization", format!("Splunk {token}"))
                .header("Content-Type", "application/json")
                .body(hec_body(events))
                .send()
                .await
                .map_err(|e| format!("posting to the collector: {}", e.without_url()))?;
            if r.status().is_success() {
                Ok(())
            } else {
                Err(format!("the collector answered HTTP {}", r.status().as_u16()))
            }
        }
    }
}

/// Sends every event of `accounts` the sink has not sent yet, in batches; stops at the first
/// batch that fails (it is tried again on the next round). How many were sent.
pub async fn deliver_pending(
    store: &dyn Store,
    http: &reqwest::Client,
    sink: &OcsfSink,
    accounts: &[String],
) -> Result<usize, String> {
    let mut sent = 0;
    for account in accounts {
        let (ev_name, au_name) = cursor_names(&sink.name, account);
        let mut ev = store.webhook_cursor(&ev_name).await.map_err(|e| e.to_string())?.unwrap_or(0);
        let mut au = store.webhook_cursor(&au_name).await.map_err(|e| e.to_string())?.unwrap_or(0);
        let (limit, before) = match &sink.kind {
            SinkKind::Parquet { max_rows, .. } => ((*max_rows / 2).max(1), Some(today_start_ms())),
            _ => (500, None),
        };
        loop {
            let b = roster_interop::ocsf::batch_before(store, account, ev, au, limit, before)
                .await
                .map_err(|e| e.to_string())?;
            if (b.last_event, b.last_audit) == (ev, au) {
                break;
            }
            if !b.events.is_empty() {
                send(http, sink, &b.events, stem(account, (ev, au), (b.last_event, b.last_audit))).await?;
                sent += b.events.len();
            }
            store.set_webhook_cursor(&ev_name, b.last_event).await.map_err(|e| e.to_string())?;
            store.set_webhook_cursor(&au_name, b.last_audit).await.map_err(|e| e.to_string())?;
            (ev, au) = (b.last_event, b.last_audit);
        }
    }
    Ok(sent)
}

/// Runs the sinks forever, every `every`, under the `ocsf-sinks` lease (one worker at a time).
pub async fn run(leaser: Leaser, sinks: Vec<OcsfSink>, accounts: Vec<String>, every: Duration) {
    if sinks.is_empty() {
        return;
    }
    let http = crate::webhooks::http_client();
    loop {
        let round = async {
            for s in &sinks {
                if let Err(e) = deliver_pending(leaser.store.as_ref(), &http, s, &accounts).await {
                    tracing::warn!(sink = %s.name, error = %e, "OCSF delivery failed; the next round goes on from the cursor");
                }
            }
        };
        match leaser.hold("ocsf-sinks", round).await {
            Ok(()) | Err(LeaseError::Busy(_)) => {}
            Err(e) => tracing::warn!(error = %e, "OCSF delivery stopped; the next round goes on from the cursor"),
        }
        tokio::time::sleep(every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_rotate_at_their_size_and_keep_so_many() {
        let dir = std::env::temp_dir().join(format!("roster-ocsf-rotate-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let path = dir.join("ocsf.jsonl");
        for i in 0..10 {
            append(&path, 25, 2, &format!("{{\"n\":{i:010}}}\n")).unwrap_or_default();
        }
        let read = |p: &str| std::fs::read_to_string(dir.join(p)).unwrap_or_default();
        assert_eq!(read("ocsf.jsonl"), "{\"n\":0000000009}\n", "one 17-byte line a file at 25 bytes");
        assert_eq!(read("ocsf.jsonl.1"), "{\"n\":0000000008}\n");
        assert_eq!(read("ocsf.jsonl.2"), "{\"n\":0000000007}\n");
        assert!(!dir.join("ocsf.jsonl.3").exists(), "two kept");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn hec_bodies_carry_each_event_with_its_time_in_seconds() {
        let body = hec_body(&[serde_json::json!({"time": 1500, "class_uid": 3002})]);
        let v: Value = serde_json::from_str(&body).unwrap_or_default();
        assert_eq!(v["time"], 1.5);
        assert_eq!(v["event"]["class_uid"], 3002);
    }

    #[test]
    fn a_sinks_token_is_not_in_its_debug_output() {
        let s = OcsfSink {
            name: "splunk".into(),
            kind: SinkKind::Http { url: "https://x".into(), token: "s3cret-token".into() },
        };
        assert!(!format!("{s:?}").contains("s3cret"));
    }
}
