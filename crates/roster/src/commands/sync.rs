//! `roster sync`: a full sync of each configured account.

use anyhow::{bail, Context, Result};
use monday_api::Client;
use roster_engine::{sync_account, SyncReport};

use crate::context;
use crate::progress::Progress;
use crate::Cli;

/// A one-paragraph summary of a sync.
pub fn summary(r: &SyncReport) -> String {
    format!(
        "synced {}: {} users, {} teams, {} workspaces, {} boards, {} grants (sync {}{}); {} change(s) since {}; {} requests, {} complexity points",
        r.account,
        r.counts.users,
        r.counts.teams,
        r.counts.workspaces,
        r.counts.boards,
        r.counts.grants,
        r.sync_id,
        if r.resumed { ", resumed from its checkpoint" } else { "" },
        r.events,
        r.previous.map_or("nothing (first sync)".to_string(), |p| format!("sync {p}")),
        r.requests,
        r.complexity
    )
}

pub async fn run(cli: &Cli) -> Result<()> {
    let Some(cfg) = context::config(cli)? else {
        bail!("`roster sync` needs a configuration: create one with `roster init`")
    };
    let opts = cfg.sync;
    let accounts: Vec<_> = match &cli.account {
        Some(_) => vec![cfg.account(cli.account.as_deref())?.clone()],
        None if cfg.accounts.is_empty() => {
            bail!("no account is configured: add an [[accounts]] entry (see `roster init`)")
        }
        None => cfg.accounts.clone(),
    };
    let store = context::open_store(cli, Some(&cfg)).await?;
    let (mut failed, mut misconfigured, mut audit_failed) = (0, 0, 0);
    for a in &accounts {
        // A configuration problem names the account itself; it is not a failed sync (nothing
        // started, nothing to resume).
        let client =
            match a.client_config().and_then(|c| Client::new(c).with_context(|| format!("account {:?}", a.name))) {
                Ok(c) => c,
                Err(e) => {
                    misconfigured += 1;
                    eprintln!("error: {e:#}");
                    continue;
                }
            };
        let progress = Progress::new(&a.name);
        let sync = sync_account(store.as_ref(), &client, &a.name, &opts, &progress);
        tokio::pin!(sync);
        // Once a second: is the sync waiting for monday.com's budget? Then it says so.
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        let result = loop {
            tokio::select! {
                r = &mut sync => break r,
                _ = tick.tick() => progress.waiting(client.paused_for()),
            }
        };
        match result {
            Ok(report) => {
                println!("{}", summary(&report));
                if !cfg.sod.is_empty() {
                    let v =
                        roster_engine::sod::after_sync(store.as_ref(), &a.name, &cfg.sod, chrono::Utc::now()).await?;
                    println!("separation of duties: {} violation(s) (`roster sod check` lists them)", v.len());
                }
                if let Some(o) = &a.audit_log {
                    if !read_audit_log(store.as_ref(), &client, &a.name, o).await {
                        audit_failed += 1;
                    }
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("error: account {:?}: {e:#}", a.name);
            }
        }
    }
    if misconfigured > 0 && failed == 0 {
        bail!(
            "{misconfigured} of {} account(s) could not be synced: fix the configuration as said above",
            accounts.len()
        );
    }
    if failed > 0 {
        let also = if misconfigured > 0 {
            format!(" ({misconfigured} more could not start: see above)")
        } else {
            String::new()
        };
        bail!("{failed} of {} account(s) failed to sync{also}; the last completed snapshot of each stays in use, and the next `roster sync` resumes", accounts.len());
    }
    if audit_failed > 0 {
        bail!("the audit log of {audit_failed} account(s) could not be read (see above); their snapshots are complete, and the next `roster sync` reads the audit log on from where it stopped");
    }
    Ok(())
}

/// Reads the account's audit log after its sync and says what it did; false when it failed.
pub(crate) async fn read_audit_log(
    store: &dyn roster_store::Store,
    client: &Client,
    account: &str,
    o: &roster_engine::audit_log::AuditReadOptions,
) -> bool {
    use roster_engine::audit_log::{read_audit_log, AuditRead};
    match read_audit_log(store, client, account, chrono::Utc::now(), o).await {
        Ok(AuditRead::Read { from, until, pages, seen, added }) => {
            println!(
                "audit log of {account}: {added} new entr{} ({seen} read in {pages} page(s), {} to {}; `roster logins` lists them)",
                if added == 1 { "y" } else { "ies" },
                from.format("%Y-%m-%d %H:%M:%S UTC"),
                until.format("%Y-%m-%d %H:%M:%S UTC"),
            );
            true
        }
        Ok(AuditRead::Unavailable(reason)) => {
            println!("audit log of {account}: not read: {reason}");
            true
        }
        Err(e) => {
            eprintln!("error: {e}");
            false
        }
    }
}
