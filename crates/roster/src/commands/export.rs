//! `roster export`: Roster's data in formats other tools read: a snapshot as baton's c1z,
//! identity changes and monday.com's audit log as OCSF 1.1 JSON lines or Parquet files.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;

use crate::context::snapshot;
use crate::Cli;

/// Events at most in one Parquet file of `roster export ocsf --parquet`.
const PARQUET_EVENTS: usize = 200_000;

/// What to export.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// A baton c1z file (ConductorOne's `baton resources`, `baton grants`, `baton diff` read it).
    C1z {
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
        /// The sync to export (default: the newest completed).
        #[arg(long)]
        sync: Option<i64>,
        /// Also the completed sync before it, so `baton diff` shows what changed.
        #[arg(long)]
        with_previous: bool,
    },
    /// OCSF 1.1 events, one JSON object a line: identity changes after Roster event `--since`,
    /// and monday.com audit log entries after `--audit-since` (Enterprise).
    Ocsf {
        /// Roster events after this id (0: from the first).
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(i64).range(0..))]
        since: i64,
        /// Audit log entries after this id (0: from the first).
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(i64).range(0..))]
        audit_since: i64,
        /// Write to this file instead of standard output.
        #[arg(long, conflicts_with = "parquet")]
        out: Option<PathBuf>,
        /// Write Parquet files for AWS Security Lake into this folder instead: one file per
        /// OCSF class and day, `DIR/<class>/eventDay=YYYYMMDD/` (as the `parquet` sink does).
        #[arg(long)]
        parquet: Option<PathBuf>,
    },
}

pub async fn run(cli: &Cli, cmd: &ExportCommand, out: &mut dyn Write) -> Result<()> {
    match cmd {
        ExportCommand::C1z { out: path, sync, with_previous } => {
            let s = snapshot(cli).await?;
            let e = roster_interop::c1z::export(s.store.as_ref(), &s.account, *sync, *with_previous, path)
                .await
                .with_context(|| format!("exporting {} as c1z", s.account))?;
            let syncs: Vec<String> = e.syncs.iter().map(|(id, k)| format!("sync {id} as {k}")).collect();
            writeln!(
                out,
                "wrote {} ({} bytes): {}; the newest holds {} resources, {} entitlements, {} grants",
                path.display(),
                e.bytes,
                syncs.join(", "),
                e.counts.0,
                e.counts.1,
                e.counts.2
            )?;
            Ok(())
        }
        ExportCommand::Ocsf { since, audit_since, parquet: Some(dir), .. } => {
            let s = snapshot(cli).await?;
            let (mut from, mut pending, mut written) = ((*since, *audit_since), Vec::new(), Vec::new());
            let mut at = from;
            loop {
                let b = roster_interop::ocsf::batch(s.store.as_ref(), &s.account, at.0, at.1, 5000).await?;
                let done = (b.last_event, b.last_audit) == at;
                pending.extend(b.events);
                at = (b.last_event, b.last_audit);
                // Files of up to about 200,000 events, so memory stays bounded on a long history.
                if (done && !pending.is_empty()) || pending.len() >= PARQUET_EVENTS {
                    let stem = format!("roster-export-events-{}-{}-audit-{}-{}", from.0 + 1, at.0, from.1 + 1, at.1);
                    written.extend(
                        roster_interop::ocsf::parquet::write_partitioned(dir, &stem, &pending)
                            .with_context(|| format!("writing Parquet files into {}", dir.display()))?,
                    );
                    (from, pending) = (at, Vec::new());
                }
                if done {
                    break;
                }
            }
            for w in &written {
                writeln!(out, "{} ({} events, {} bytes)", w.path.display(), w.events, w.bytes)?;
            }
            eprintln!(
                "{} OCSF event(s) in {} Parquet file(s); to continue later: --since {} --audit-since {}",
                written.iter().map(|w| w.events).sum::<usize>(),
                written.len(),
                at.0,
                at.1
            );
            Ok(())
        }
        ExportCommand::Ocsf { since, audit_since, out: path, .. } => {
            let s = snapshot(cli).await?;
            let mut file = match path {
                Some(p) => Some(std::io::BufWriter::new(
                    std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
                )),
                None => None,
            };
            let (mut after_event, mut after_audit, mut n) = (*since, *audit_since, 0usize);
            loop {
                let b =
                    roster_interop::ocsf::batch(s.store.as_ref(), &s.account, after_event, after_audit, 5000).await?;
                for e in &b.events {
                    let line = serde_json::to_string(e)?;
                    match file.as_mut() {
                        Some(f) => writeln!(f, "{line}")?,
                        None => writeln!(out, "{line}")?,
                    }
                }
                n += b.events.len();
                if (b.last_event, b.last_audit) == (after_event, after_audit) {
                    break;
                }
                (after_event, after_audit) = (b.last_event, b.last_audit);
            }
            if let Some(f) = file.as_mut() {
                f.flush()?;
            }
            eprintln!("{n} OCSF event(s); to continue later: --since {after_event} --audit-since {after_audit}");
            Ok(())
        }
    }
}
