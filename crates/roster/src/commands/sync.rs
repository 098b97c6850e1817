//! `roster sync`: a full sync of each configured account.

use anyhow::{bail, Context, Result};
use monday_api::Client;
use roster_engine::{sync_account, SyncOptions, SyncReport};

use crate::config::{self, Config};
use crate::context;
use crate::progress::Progress;
use crate::Cli;

/// The sync options the configuration asks for.
pub fn options(cfg: &Config) -> Result<SyncOptions> {
    Ok(SyncOptions {
        board_state: config::state(&cfg.sync.board_state, "board_state")?,
        workspace_state: config::state(&cfg.sync.workspace_state, "workspace_state")?,
    })
}

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
    let opts = options(&cfg)?;
    let accounts: Vec<_> = match &cli.account {
        Some(_) => vec![cfg.account(cli.account.as_deref())?.clone()],
        None if cfg.accounts.is_empty() => {
            bail!("no account is configured: add an [[accounts]] entry (see `roster init`)")
        }
        None => cfg.accounts.clone(),
    };
    let store = context::open_store(cli, Some(&cfg)).await?;
    let mut failed = 0;
    for a in &accounts {
        let result = async {
            let client = Client::new(a.client_config()?).with_context(|| format!("account {:?}", a.name))?;
            let report = sync_account(store.as_ref(), &client, &a.name, &opts, &Progress::new(&a.name)).await?;
            anyhow::Ok(report)
        }
        .await;
        match result {
            Ok(report) => {
                println!("{}", summary(&report));
                if !cfg.sod.is_empty() {
                    let v =
                        roster_engine::sod::after_sync(store.as_ref(), &a.name, &cfg.sod, chrono::Utc::now()).await?;
                    println!("separation of duties: {} violation(s) (`roster sod check` lists them)", v.len());
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("error: account {:?}: {e:#}", a.name);
            }
        }
    }
    if failed > 0 {
        bail!("{failed} of {} account(s) failed to sync; the last completed snapshot of each stays in use, and the next `roster sync` resumes", accounts.len());
    }
    Ok(())
}
