//! `roster logins`: monday.com's audit log as `roster sync` read it (Enterprise), newest first.

use std::io::Write;

use anyhow::{bail, Result};
use chrono::{Duration, Utc};
use clap::Args;
use roster_store::AuditLogQuery;

use crate::context::snapshot;
use crate::output::{Format, Listing};
use crate::Cli;

/// Which entries.
#[derive(Debug, Args)]
pub struct LoginsArgs {
    /// Only this user's entries (id or e-mail).
    #[arg(long)]
    pub user: Option<String>,
    /// Only this event: login, logout, failed-login, user-deactivated, ... (default: every event).
    #[arg(long)]
    pub event: Option<String>,
    /// Only the last this many days (1 to 3650).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(i64).range(1..=3650))]
    pub days: i64,
    /// At most this many (1 to 100,000).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub limit: u32,
}

pub async fn run(cli: &Cli, a: &LoginsArgs, out: &mut dyn Write) -> Result<()> {
    let s = snapshot(cli).await?;
    if s.store.audit_cursor(&s.account).await?.is_none() {
        bail!(
            "no audit log has been read for account {:?}: `roster sync` reads it when the account is on an Enterprise plan and audit_log_days is not 0",
            s.account
        );
    }
    let user_id = match &a.user {
        None => None,
        Some(u) => match s.store.find_user(s.sync.id, u).await? {
            Some(found) => Some(found.id),
            // An id of someone no longer in the snapshot still finds their entries.
            None if u.chars().all(|c| c.is_ascii_digit()) => Some(u.clone()),
            None => bail!("no user {u:?} in the last snapshot of {:?}: give an id or an e-mail", s.account),
        },
    };
    let q = AuditLogQuery {
        account: s.account.clone(),
        user_id,
        event: a.event.clone(),
        since_ms: Some((Utc::now() - Duration::days(a.days)).timestamp_millis()),
        until_ms: None,
        limit: a.limit,
    };
    let rows = s.store.audit_entries(&q).await?;
    if cli.output == Format::Json {
        serde_json::to_writer_pretty(&mut *out, &rows)?;
        writeln!(out)?;
        return Ok(());
    }
    let emails: std::collections::HashMap<String, String> = s
        .store
        .users(s.sync.id, &roster_store::UserQuery::default())
        .await?
        .into_iter()
        .map(|u| (u.id, u.email))
        .collect();
    let mut l = Listing::new(&["at", "event", "user_id", "email", "ip", "client", "os", "device", "detail"]);
    for r in rows {
        let at = chrono::DateTime::from_timestamp_millis(r.at_ms)
            .map_or_else(|| r.at_ms.to_string(), |t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string());
        let email = r.user_id.as_ref().and_then(|u| emails.get(u)).cloned().unwrap_or_default();
        l.row(vec![
            at,
            r.event,
            r.user_id.unwrap_or_default(),
            email,
            r.ip.unwrap_or_default(),
            r.client_name.unwrap_or_default(),
            r.os_name.unwrap_or_default(),
            r.device_type.unwrap_or_default(),
            r.metadata.unwrap_or_default(),
        ]);
    }
    l.print(cli.output, out)
}
