//! `roster store prune|stats`: retention of old snapshots, and what the store holds.

use std::io::Write;

use anyhow::{bail, Result};
use chrono::Utc;
use clap::Subcommand;
use roster_core::retention::{Retention, MAX_KEEP};
use roster_store::Store;

use crate::context;
use crate::output::{Format, Listing};
use crate::Cli;

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Delete old snapshots' rows (their sync runs and events stay), keeping what [store]
    /// keep_snapshots / keep_days say, or what these flags say. The newest snapshot, and any a
    /// review or a plan refers to, always stay.
    Prune {
        /// Keep the newest this many snapshots of each account.
        #[arg(long, value_parser = super::demo::size(1, MAX_KEEP as u64))]
        keep_snapshots: Option<usize>,
        /// Also keep every snapshot younger than this many days.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=36_500))]
        keep_days: Option<u32>,
        /// Say which snapshots would go; delete nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// What the store holds: snapshots kept and pruned, rows and events per account, its size.
    Stats,
}

pub async fn run(cli: &Cli, cmd: &StoreCommand, out: &mut dyn Write) -> Result<()> {
    let cfg = context::config(cli)?;
    let store = context::open_store(cli, cfg.as_ref()).await?;
    match cmd {
        StoreCommand::Prune { keep_snapshots, keep_days, dry_run } => {
            let configured = cfg.as_ref().and_then(|c| c.retention);
            let retention = match (keep_snapshots, keep_days, configured) {
                (None, None, Some(r)) => r,
                (None, None, None) => bail!(
                    "say what to keep: --keep-snapshots N and/or --keep-days D, or [store] keep_snapshots / keep_days in the configuration"
                ),
                (n, d, _) => Retention::new(n.unwrap_or(1), *d).map_err(anyhow::Error::msg)?,
            };
            prune(cli, store.as_ref(), &retention, *dry_run, out).await
        }
        StoreCommand::Stats => stats(cli, store.as_ref(), out).await,
    }
}

async fn prune(cli: &Cli, store: &dyn Store, retention: &Retention, dry_run: bool, out: &mut dyn Write) -> Result<()> {
    let accounts = match &cli.account {
        Some(a) => vec![a.clone()],
        None => store.accounts().await?,
    };
    let mut l = Listing::new(&["account", "pruned", "kept", "rows_deleted"]);
    for account in &accounts {
        let r = roster_engine::retention::prune(store, account, retention, Utc::now(), dry_run).await?;
        let ids: Vec<String> = r.pruned.iter().map(i64::to_string).collect();
        l.row(vec![r.account, ids.join(" "), r.kept.to_string(), r.rows.to_string()]);
    }
    if cli.output == Format::Table && dry_run {
        writeln!(out, "dry run: nothing deleted; these snapshots would be pruned")?;
    }
    l.print(cli.output, out)
}

async fn stats(cli: &Cli, store: &dyn Store, out: &mut dyn Write) -> Result<()> {
    let s = store.store_stats().await?;
    let mut l = Listing::new(&["account", "snapshots", "pruned", "rows", "events"]);
    for a in &s.accounts {
        l.row(vec![
            a.account.clone(),
            a.snapshots.to_string(),
            a.pruned.to_string(),
            a.rows.to_string(),
            a.events.to_string(),
        ]);
    }
    l.print(cli.output, out)?;
    if cli.output == Format::Table {
        writeln!(out, "store size: {:.1} MB", s.bytes as f64 / 1_048_576.0)?;
        writeln!(out, "user search: {}", s.user_search)?;
    }
    Ok(())
}
