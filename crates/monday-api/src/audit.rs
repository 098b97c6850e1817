//! The account's audit log (`audit_logs`, Enterprise, admins): logins, logouts, failed
//! logins and admin changes, one page at a time over a closed time window.
//!
//! Entries carry no id, and monday.com pages them newest first by page number: a window that
//! is still open would shift under the pages as events arrive. The caller therefore always
//! names both ends of the window (`end` in the past), and this module only reads and
//! validates pages; keeping events once is the caller's (the engine dedupes by content).

use chrono::{DateTime, Utc};

use crate::client::{malformed, parse_id, Client};
use crate::error::Error;
use crate::queries::{audit_logs, AuditLogs};

/// The largest page Roster asks for [INF: unpublished; monday.com's REST audit API served
/// 1,000].
pub const MAX_AUDIT_PAGE: u32 = 1000;
/// The longest text field accepted (a user agent is a few hundred characters).
const MAX_TEXT: usize = 2048;
/// The largest `activity_metadata` accepted, as JSON text.
const MAX_METADATA: usize = 16 * 1024;

/// One audit log entry, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// monday.com's event name (`login`, `failed-login`, ...), as sent: names Roster does
    /// not know are kept.
    pub event: String,
    /// The user who did it, when monday.com names one.
    pub user_id: Option<u64>,
    /// The address it came from.
    pub ip: Option<String>,
    /// The client's user agent.
    pub user_agent: Option<String>,
    /// The browser or app.
    pub client_name: Option<String>,
    /// The operating system.
    pub os_name: Option<String>,
    /// `desktop`, `mobile`, ...
    pub device_type: Option<String>,
    /// What the event was about, as sent (`null` when nothing).
    pub metadata: serde_json::Value,
}

/// One page of the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    /// Its entries, newest first.
    pub entries: Vec<AuditEntry>,
    /// The page after it, if monday.com says there is one.
    pub next_page: Option<u32>,
}

fn text(v: Option<String>, what: &str) -> Result<Option<String>, Error> {
    match v {
        Some(s) if s.len() > MAX_TEXT => {
            Err(malformed("audit log entry", format!("{what} is {} bytes long (at most {MAX_TEXT})", s.len())))
        }
        Some(s) if s.is_empty() => Ok(None),
        other => Ok(other),
    }
}

fn entry(e: audit_logs::AuditLogsAuditLogsLogs) -> Result<AuditEntry, Error> {
    let raw = e.timestamp.ok_or_else(|| malformed("audit log entry", "an entry has no timestamp"))?;
    let at = DateTime::parse_from_rfc3339(raw.trim())
        .map_err(|_| malformed("audit log entry", format!("timestamp {raw:?} is not ISO 8601")))?
        .with_timezone(&Utc);
    let event = e
        .event
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| malformed("audit log entry", "an entry has no event name"))?;
    if event.len() > 100 {
        return Err(malformed("audit log entry", format!("event name of {} bytes (at most 100)", event.len())));
    }
    let metadata = e.activity_metadata.unwrap_or(serde_json::Value::Null);
    let size = metadata.to_string().len();
    if size > MAX_METADATA {
        return Err(malformed(
            "audit log entry",
            format!("activity_metadata of {size} bytes (at most {MAX_METADATA})"),
        ));
    }
    Ok(AuditEntry {
        at,
        event,
        user_id: e.user.map(|u| parse_id(&u.id, "audit log user")).transpose()?,
        ip: text(e.ip_address, "ip_address")?,
        user_agent: text(e.user_agent, "user_agent")?,
        client_name: text(e.client_name, "client_name")?,
        os_name: text(e.os_name, "os_name")?,
        device_type: text(e.device_type, "device_type")?,
        metadata,
    })
}

impl Client {
    /// Page `page` (from 1) of the audit log between `start` and `end` (both inclusive),
    /// `limit` entries a page (1 to [`MAX_AUDIT_PAGE`]).
    pub async fn audit_log_page(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        page: u32,
        limit: u32,
    ) -> Result<AuditPage, Error> {
        let stamp = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let vars = audit_logs::Variables {
            page: i64::from(page.max(1)),
            limit: i64::from(limit.clamp(1, MAX_AUDIT_PAGE)),
            start: Some(stamp(start)),
            end: Some(stamp(end)),
        };
        let d = self.query::<AuditLogs>("AuditLogs", vars).await?;
        let Some(p) = d.audit_logs else { return Ok(AuditPage { entries: vec![], next_page: None }) };
        let logs = p.logs.unwrap_or_default();
        if logs.len() > limit as usize {
            return Err(malformed("audit_logs", format!("{} entries on a page of {limit}", logs.len())));
        }
        let entries = logs.into_iter().map(entry).collect::<Result<Vec<_>, _>>()?;
        let more = p.pagination.as_ref().and_then(|p| p.has_more_pages).unwrap_or(false);
        // The next page is always the one after this: any other number would loop or skip.
        let next_page = match (more, p.pagination.and_then(|p| p.next_page_number)) {
            (false, _) => None,
            (true, Some(n)) if n == i64::from(page) + 1 => Some(page + 1),
            (true, None) => Some(page + 1),
            (true, Some(n)) => {
                return Err(malformed("audit_logs", format!("page {page} says the next page is {n}")));
            }
        };
        Ok(AuditPage { entries, next_page })
    }
}
