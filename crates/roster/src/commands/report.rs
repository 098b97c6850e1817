//! `roster report <name>`: governance reports over the last completed snapshot.

use std::io::Write;

use anyhow::Result;
use chrono::Utc;
use clap::Args;
use roster_engine::reports::{report, ReportOptions};

use crate::context::snapshot;
use crate::output::{Format, Listing};
use crate::Cli;

/// Which report, and its options.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// inactive, seats, admins, external, everyone-boards, ownerless, offboarding or sod.
    pub name: String,
    /// inactive: no activity for at least this many days.
    #[arg(long, default_value_t = 90)]
    pub days: i64,
    /// inactive: e-mails never reported (comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    pub exempt: Vec<String>,
    /// external: the company's e-mail domains (comma-separated or repeated).
    #[arg(long = "domain", value_delimiter = ',')]
    pub domains: Vec<String>,
    /// offboarding: the user leaving (id or e-mail).
    #[arg(long)]
    pub user: Option<String>,
}

pub async fn run(cli: &Cli, a: &ReportArgs, out: &mut dyn Write) -> Result<()> {
    let s = snapshot(cli).await?;
    let sod_rules = crate::context::config(cli)?.map(|c| c.sod).unwrap_or_default();
    let o = ReportOptions {
        sod_rules,
        now: Utc::now(),
        inactive_days: a.days,
        exempt: a.exempt.clone(),
        domains: a.domains.clone(),
        user: a.user.clone(),
    };
    let r = report(s.store.as_ref(), s.sync.id, &a.name, &o).await?;
    if cli.output == Format::Table {
        writeln!(out, "{} ({} rows, sync {} of {}):", r.title, r.rows.len(), s.sync.id, s.account)?;
    }
    Listing { columns: r.columns, rows: r.rows }.print(cli.output, out)
}
