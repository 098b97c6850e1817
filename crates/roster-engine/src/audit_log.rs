//! Reads monday.com's audit log (Enterprise) into the store, incrementally: each read covers
//! the closed window from where the last one ended to a minute ago, every entry stored once.
//!
//! monday.com's entries have no id and are paged newest first by page number, so two things
//! keep an entry from being stored twice or lost: the window is closed (its end lies in the
//! past, so pages do not shift while they are read), and each entry's key is its content digest
//! with its rank among identical entries of the read (a re-read of the same instants ranks them
//! the same). The cursor moves only once a whole window is stored: a read cut short is read
//! again from the same start, and its stored entries are skipped by key.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use monday_api::{AuditEntry, Client, MAX_AUDIT_PAGE};
use roster_store::{AuditLogRow, Store, StoreError};
use sha2::{Digest, Sha256};

/// How a read goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditReadOptions {
    /// Days read back on an account's first read (1 to 365).
    pub first_days: u32,
    /// How far behind now a window ends, for entries monday.com logs late [INF].
    pub lag: Duration,
    /// Entries a page (1 to 1,000).
    pub page_size: u32,
    /// Pages one read may take before it stops (the rest is read next time).
    pub max_pages: u32,
}

impl Default for AuditReadOptions {
    fn default() -> Self {
        AuditReadOptions { first_days: 30, lag: Duration::seconds(60), page_size: MAX_AUDIT_PAGE, max_pages: 2000 }
    }
}

/// What a read did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditRead {
    /// The window was read.
    Read {
        /// Its start.
        from: DateTime<Utc>,
        /// Its end.
        until: DateTime<Utc>,
        /// Pages asked.
        pages: u32,
        /// Entries seen.
        seen: u64,
        /// Entries stored (the rest were stored already).
        added: u64,
    },
    /// The account has no audit log Roster may read (not Enterprise, or the token's user is
    /// not an admin with `manage_account_security`): nothing failed, nothing was read.
    Unavailable(String),
}

/// Why a read failed.
#[derive(Debug, thiserror::Error)]
pub enum AuditReadError {
    #[error("reading the audit log of account {account:?} from monday.com failed: {source}; the next read starts where the last complete one ended")]
    /// monday.com failed.
    Api {
        /// The account.
        account: String,
        /// monday.com's error.
        #[source]
        source: monday_api::Error,
    },
    #[error("the audit log window of account {account:?} has more than {pages} pages of {size}: narrow it (a smaller audit_log_days)")]
    /// More pages than a read may take: the window is not recorded as read.
    TooManyPages {
        /// The account.
        account: String,
        /// The pages taken.
        pages: u32,
        /// Entries a page.
        size: u32,
    },
    #[error("storing the audit log failed: {0}")]
    /// The store failed.
    Store(#[from] StoreError),
}

/// The plan reason, when the last snapshot says the account is not on Enterprise.
async fn plan_refusal(store: &dyn Store, account: &str) -> Result<Option<String>, StoreError> {
    let Some(run) = store.last_completed(account).await? else { return Ok(None) };
    let Some(a) = store.account_snapshot(run.id).await? else { return Ok(None) };
    let tier = a.plan_tier.or(a.tier).unwrap_or_default();
    if tier.is_empty() || tier.eq_ignore_ascii_case("enterprise") {
        return Ok(None);
    }
    Ok(Some(format!(
        "account {account:?} is on the {tier:?} plan: monday.com keeps an audit log on Enterprise plans only, so logins are not read"
    )))
}

/// The key of an entry: its content digest, then its rank among identical entries so far.
fn key_of(e: &AuditEntry, ranks: &mut HashMap<String, u32>) -> String {
    let mut h = Sha256::new();
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    for part in [
        e.at.timestamp_millis().to_string(),
        e.event.clone(),
        e.user_id.map(|u| u.to_string()).unwrap_or_default(),
        opt(&e.ip),
        opt(&e.user_agent),
        opt(&e.client_name),
        opt(&e.os_name),
        opt(&e.device_type),
        e.metadata.to_string(),
    ] {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    let digest: String = h.finalize().iter().take(16).map(|b| format!("{b:02x}")).collect();
    let rank = ranks.entry(digest.clone()).or_insert(0);
    *rank += 1;
    format!("{digest}:{rank}")
}

fn row(account: &str, key: String, e: AuditEntry) -> AuditLogRow {
    AuditLogRow {
        id: 0,
        account: account.to_string(),
        key,
        at_ms: e.at.timestamp_millis(),
        event: e.event,
        user_id: e.user_id.map(|u| u.to_string()),
        ip: e.ip,
        user_agent: e.user_agent,
        client_name: e.client_name,
        os_name: e.os_name,
        device_type: e.device_type,
        metadata: (!e.metadata.is_null()).then(|| e.metadata.to_string()),
    }
}

/// Whole seconds: monday.com takes times to the second, and the next window starts exactly
/// where this one ended.
fn to_second(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// Reads `account`'s audit log from its cursor (or `first_days` back) to `now - lag`.
pub async fn read_audit_log(
    store: &dyn Store,
    client: &Client,
    account: &str,
    now: DateTime<Utc>,
    o: &AuditReadOptions,
) -> Result<AuditRead, AuditReadError> {
    if let Some(reason) = plan_refusal(store, account).await? {
        return Ok(AuditRead::Unavailable(reason));
    }
    store.ensure_account(account, now).await?;
    let until = to_second(now - o.lag);
    let from = match store.audit_cursor(account).await? {
        Some(ms) => DateTime::from_timestamp_millis(ms).unwrap_or(until),
        None => to_second(until - Duration::days(i64::from(o.first_days.clamp(1, 365)))),
    };
    if from >= until {
        return Ok(AuditRead::Read { from, until, pages: 0, seen: 0, added: 0 });
    }
    let size = o.page_size.clamp(1, MAX_AUDIT_PAGE);
    let (mut page, mut pages, mut seen, mut added) = (1u32, 0u32, 0u64, 0u64);
    let mut ranks = HashMap::new();
    loop {
        if pages >= o.max_pages {
            return Err(AuditReadError::TooManyPages { account: account.into(), pages, size });
        }
        let p = match client.audit_log_page(from, until, page, size).await {
            Ok(p) => p,
            Err(monday_api::Error::Forbidden { message, .. }) => {
                return Ok(AuditRead::Unavailable(format!(
                    "monday.com refused the audit log of account {account:?} ({message}): it is read with an admin's token on Enterprise plans (manage_account_security)"
                )))
            }
            Err(source) => return Err(AuditReadError::Api { account: account.into(), source }),
        };
        pages += 1;
        seen += p.entries.len() as u64;
        let rows: Vec<AuditLogRow> = p
            .entries
            .into_iter()
            .filter(|e| e.at >= from && e.at <= until + Duration::milliseconds(999))
            .map(|e| {
                let k = key_of(&e, &mut ranks);
                row(account, k, e)
            })
            .collect();
        added += store.add_audit_entries(account, &rows).await?;
        match p.next_page {
            Some(n) => page = n,
            None => break,
        }
    }
    store.set_audit_cursor(account, until.timestamp_millis()).await?;
    Ok(AuditRead::Read { from, until, pages, seen, added })
}
