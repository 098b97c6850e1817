//! `roster jit request|approve|deny|list|expire`: just-in-time access. `roster serve` runs the
//! expiry every minute; `roster jit expire` runs it once (for a cron job without the service).

use std::io::Write;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::Utc;
use clap::Subcommand;
use monday_api::Client;
use roster_engine::jit::{self, JitPolicy};

use crate::context::snapshot;
use crate::output::{when, Format, Listing};
use crate::Cli;

use crate::context::me;

/// The longest grant anyone can ask for: 30 days, in minutes (the configuration's limits are
/// bounded the same way).
const MAX_MINUTES: u64 = 43_200;

#[derive(Debug, Subcommand)]
pub enum JitCommand {
    /// Ask for temporary access.
    Request {
        /// The user who gets it (id or e-mail).
        #[arg(long)]
        user: String,
        /// board:ID:subscriber|owner, workspace:ID:member|owner, team:ID:member|owner, or a role: role:admin:assigned.
        #[arg(long)]
        entitlement: String,
        /// How long (1 to 43200, and at most [jit] max_*_minutes: by default 24 h for boards, 8 h for workspaces and teams).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=MAX_MINUTES))]
        minutes: u64,
        /// Why it is needed.
        #[arg(long)]
        justification: String,
        /// Who asks (default: $USER).
        #[arg(long)]
        requester: Option<String>,
    },
    /// Approve a request and grant the access (not your own request).
    Approve {
        id: i64,
        /// Who approves (default: $USER).
        #[arg(long)]
        approver: Option<String>,
    },
    /// Deny a request.
    Deny {
        id: i64,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        approver: Option<String>,
    },
    /// Requests and grants, oldest first (--status requested|active|expired|denied|failed).
    List {
        #[arg(long)]
        status: Option<String>,
    },
    /// Revoke what has expired and send the notices now.
    Expire,
}

async fn client(cli: &Cli, account: &str) -> Result<Client> {
    let cfg = crate::context::config(cli)?
        .context("just-in-time grants need the configuration that names the account's API token")?;
    Ok(Client::new(cfg.account(Some(account))?.client_config()?)?)
}

pub async fn run(cli: &Cli, cmd: &JitCommand, out: &mut dyn Write) -> Result<()> {
    let policy = crate::context::config(cli)?.map(|c| c.jit).unwrap_or_else(JitPolicy::default);
    let s = snapshot(cli).await?;
    let (store, account, now) = (s.store.as_ref(), s.account.as_str(), Utc::now());
    match cmd {
        JitCommand::Request { user, entitlement, minutes, justification, requester } => {
            let who = requester.clone().unwrap_or_else(me);
            let ttl = Duration::from_secs(minutes * 60);
            let id = jit::request(store, account, &who, user, entitlement, ttl, justification, &policy, now).await?;
            writeln!(
                out,
                "request {id}: {entitlement} for {user}, {minutes} minutes; an approver runs `roster jit approve {id}`"
            )?;
        }
        JitCommand::Approve { id, approver } => {
            let c = client(cli, account).await?;
            let who = jit::Decider::person(approver.clone().unwrap_or_else(me));
            let g = jit::approve(store, &c, account, *id, &who, &policy, now).await?;
            writeln!(out, "{}", approved(*id, &g))?;
        }
        JitCommand::Deny { id, reason, approver } => {
            let who = jit::Decider::person(approver.clone().unwrap_or_else(me));
            jit::deny(store, account, *id, &who, reason, &policy, now).await?;
            writeln!(out, "request {id} denied")?;
        }
        JitCommand::List { status } => list(cli, store, account, status.as_deref(), out).await?,
        JitCommand::Expire => {
            let c = client(cli, account).await?;
            let r = jit::expire_due(store, &c, account, &policy, now).await?;
            if cli.output == Format::Table || r.failed > 0 {
                writeln!(
                    out,
                    "revoked {}, kept (held before) {}, notices {}, failed {}",
                    r.revoked, r.kept, r.warned, r.failed
                )?;
            }
        }
    }
    Ok(())
}

/// What an approval did, in one line.
fn approved(id: i64, g: &roster_store::JitGrant) -> String {
    let until = g.expires_ms.and_then(chrono::DateTime::from_timestamp_millis);
    let how =
        if g.preexisting { "already held: nothing granted, and the expiry will not revoke it" } else { "granted" };
    format!("request {id} approved: {} for user {} {how}; expires {}", g.entitlement, g.user_id, when(until))
}

/// `roster jit list`: requests and grants, in a status or all.
async fn list(
    cli: &Cli,
    store: &dyn roster_store::Store,
    account: &str,
    status: Option<&str>,
    out: &mut dyn Write,
) -> Result<()> {
    // An unknown status was silently an empty list: it is an error that names the statuses.
    let status = status
        .map(|v| {
            roster_core::JitStatus::parse(v)
                .with_context(|| format!("--status {v:?}: use requested, active, expiring, expired, denied or failed"))
        })
        .transpose()?;
    let sync = store.last_completed(account).await?.map_or(0, |r| r.id);
    let mut names = roster_engine::names::Names::new(store, sync);
    let mut l = Listing::new(&[
        "id",
        "status",
        "user",
        "who",
        "entitlement",
        "access",
        "requester",
        "approver",
        "expires",
        "note",
    ]);
    for g in store.jits(account, status).await? {
        let who = names.user(&g.user_id).await?;
        let access = names.subject(&g.entitlement).await?;
        l.row(vec![
            g.id.to_string(),
            g.status.to_string(),
            g.user_id,
            who,
            g.entitlement,
            access,
            g.requester,
            g.decided_by.unwrap_or_default(),
            when(g.expires_ms.and_then(chrono::DateTime::from_timestamp_millis)),
            g.note.unwrap_or_default(),
        ]);
    }
    l.print(cli.output, out)?;
    Ok(())
}
