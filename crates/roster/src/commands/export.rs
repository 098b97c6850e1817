//! `roster export`: snapshots in formats other tools read (baton's c1z).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;

use crate::context::snapshot;
use crate::Cli;

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
    }
}
