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
    /// inactive, seats, service-users, departments, admins, external, everyone-boards, ownerless, offboarding, sod, unmanaged, logins or login-signals.
    pub name: String,
    /// inactive: no activity for at least this many days; service-users: a token unused this long is stale; login-signals: the days looked at.
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
    /// unmanaged, login-signals: the source of truth (CSV, JSON or YAML, as `roster scim plan` reads it, with
    /// the account's scim_mapping; an e-mail column is enough).
    #[arg(long)]
    pub source: Option<std::path::PathBuf>,
}

pub async fn run(cli: &Cli, a: &ReportArgs, out: &mut dyn Write) -> Result<()> {
    let s = snapshot(cli).await?;
    let cfg = crate::context::config(cli)?;
    let source = match &a.source {
        // Without --source, the account's configured source of truth ([accounts.source]).
        None if a.name == "unmanaged" || a.name == "login-signals" => {
            match cfg.as_ref().and_then(|c| c.account(Some(&s.account)).ok()) {
                Some(acct) => acct.source_people()?,
                None => None,
            }
        }
        None => None,
        Some(path) => {
            let mut mapping = roster_engine::scim::source::default_mapping();
            if let Some(acct) = cfg.as_ref().and_then(|c| c.account(Some(&s.account)).ok()) {
                mapping.extend(acct.scim_mapping.clone());
            }
            Some(roster_engine::scim::source::read(path, &mapping)?.users)
        }
    };
    let sod_rules = cfg.map(|c| c.sod).unwrap_or_default();
    let o = ReportOptions {
        sod_rules,
        now: Utc::now(),
        inactive_days: a.days,
        exempt: a.exempt.clone(),
        domains: a.domains.clone(),
        user: a.user.clone(),
        source,
    };
    let r = report(s.store.as_ref(), s.sync.id, &a.name, &o).await?;
    if cli.output == Format::Table {
        writeln!(out, "{} ({} rows, sync {} of {}):", r.title, r.rows.len(), s.sync.id, s.account)?;
    }
    Listing { columns: r.columns, rows: r.rows }.print(cli.output, out)
}
