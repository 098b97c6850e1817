//! `roster diff`, `roster events`, `roster syncs`: what changed, and when.

use std::io::Write;

use anyhow::{bail, Context, Result};
use clap::Args;
use roster_store::{EventQuery, SyncStatus};

use crate::context::{self, snapshot};
use crate::output::{when, Listing};
use crate::Cli;

/// Filters of `roster events`.
#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Kinds starting with this: user_, grant_added, resource_, sync_completed, ...
    #[arg(long)]
    pub kind: Option<String>,
    /// Only this sync's events.
    #[arg(long)]
    pub sync: Option<i64>,
    /// Only events after this id (to poll).
    #[arg(long)]
    pub after: Option<i64>,
    /// At most this many (1 to 100,000).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub limit: u32,
}

pub async fn diff(cli: &Cli, from: Option<i64>, to: Option<i64>, out: &mut dyn Write) -> Result<()> {
    let s = snapshot(cli).await?;
    let completed: Vec<i64> = s
        .store
        .syncs(Some(&s.account), 1000)
        .await?
        .into_iter()
        .filter(|r| r.status == SyncStatus::Completed && r.pruned_at.is_none())
        .map(|r| r.id)
        .collect();
    let (from, to) = match (from, to) {
        (Some(f), Some(t)) => (f, t),
        (Some(f), None) => (f, s.sync.id),
        (None, _) => match completed.as_slice() {
            [newest, older, ..] => (*older, *newest),
            _ => bail!("account {:?} has fewer than two completed syncs: nothing to compare yet", s.account),
        },
    };
    for id in [from, to] {
        let run = s.store.sync_run(id).await?.with_context(|| format!("there is no sync {id} (see `roster syncs`)"))?;
        if run.status != SyncStatus::Completed || run.account != s.account {
            bail!("sync {id} is not a completed sync of {:?} (see `roster syncs`)", s.account);
        }
        if let Some(at) = run.pruned_at {
            bail!(
                "sync {id}'s snapshot was pruned at {} (retention: [store] keep_snapshots / keep_days): compare syncs whose snapshots are kept (`roster syncs` shows which were pruned)",
                when(Some(at))
            );
        }
    }
    let events = roster_engine::events_between(s.store.as_ref(), from, to).await?;
    // Named from the newer snapshot (what the older one had alone is named as gone).
    let mut names = roster_engine::names::Names::new(s.store.as_ref(), to);
    let mut l = Listing::new(&["kind", "subject", "about", "what", "detail"]);
    for e in events {
        let about = names.subject(&e.subject).await?;
        let what = names.sentence(e.kind.as_str(), &e.subject, &e.detail).await?.unwrap_or_default();
        l.row(vec![e.kind.as_str().into(), e.subject, about, what, e.detail.to_string()]);
    }
    if cli.output == crate::output::Format::Table {
        writeln!(out, "changes from sync {from} to sync {to}:")?;
    }
    l.print(cli.output, out)
}

pub async fn events(cli: &Cli, a: &EventsArgs, out: &mut dyn Write) -> Result<()> {
    let cfg = context::config(cli)?;
    let store = context::open_store(cli, cfg.as_ref()).await?;
    let q = EventQuery {
        account: cli.account.clone(),
        kind_prefix: a.kind.clone(),
        sync_id: a.sync,
        after_id: a.after,
        limit: Some(a.limit),
        ..EventQuery::default()
    };
    let events = store.events(&q).await?;
    if cli.output == crate::output::Format::Json {
        // Events keep their structured detail in JSON.
        serde_json::to_writer_pretty(&mut *out, &events)?;
        writeln!(out)?;
        return Ok(());
    }
    // Named from each account's newest snapshot.
    let mut namers = std::collections::HashMap::new();
    let mut l = Listing::new(&["id", "at", "account", "sync", "kind", "subject", "about", "what", "detail"]);
    for e in events {
        if !namers.contains_key(&e.account) {
            let sync = store.last_completed(&e.account).await?.map_or(0, |r| r.id);
            namers.insert(e.account.clone(), roster_engine::names::Names::new(store.as_ref(), sync));
        }
        let names = namers.get_mut(&e.account).context("a namer for the account")?;
        let about = names.subject(&e.subject).await?;
        let what = names.sentence(&e.kind, &e.subject, &e.detail).await?.unwrap_or_default();
        l.row(vec![
            e.id.to_string(),
            when(Some(e.at)),
            e.account,
            e.sync_id.map(|s| s.to_string()).unwrap_or_default(),
            e.kind,
            e.subject,
            about,
            what,
            e.detail.to_string(),
        ]);
    }
    l.print(cli.output, out)
}

pub async fn syncs(cli: &Cli, limit: u32, out: &mut dyn Write) -> Result<()> {
    let cfg = context::config(cli)?;
    let store = context::open_store(cli, cfg.as_ref()).await?;
    let mut l = Listing::new(&[
        "id",
        "account",
        "status",
        "started",
        "finished",
        "resumed",
        "requests",
        "complexity",
        "error",
        "pruned",
    ]);
    for r in store.syncs(cli.account.as_deref(), limit).await? {
        l.row(vec![
            r.id.to_string(),
            r.account,
            r.status.as_str().into(),
            when(Some(r.started_at)),
            when(r.finished_at),
            r.resumed.to_string(),
            r.requests.to_string(),
            r.complexity.to_string(),
            r.error.unwrap_or_default(),
            r.pruned_at.map(|t| when(Some(t))).unwrap_or_default(),
        ]);
    }
    l.print(cli.output, out)
}
