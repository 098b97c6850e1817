//! `roster sod check`: the separation-of-duties rules of the configuration on the last
//! completed snapshot. Exits non-zero when a rule is broken, so it can gate a pipeline.

use std::io::Write;

use anyhow::{bail, Result};
use chrono::Utc;

use crate::context::{self, snapshot};
use crate::output::{Format, Listing};
use crate::Cli;

pub async fn check(cli: &Cli, out: &mut dyn Write) -> Result<()> {
    let rules = match context::config(cli)? {
        Some(c) if !c.sod.is_empty() => c.sod,
        _ => bail!("no separation-of-duties rules: add [[sod]] entries to the configuration (see `roster init`)"),
    };
    let s = snapshot(cli).await?;
    let found = roster_engine::sod::violations(s.store.as_ref(), s.sync.id, &rules, Utc::now()).await?;
    let mut l = Listing::new(&["rule", "user", "email", "held"]);
    for v in &found {
        l.row(vec![v.rule.clone(), v.user.clone(), v.email.clone(), v.held.join(" + ")]);
    }
    if cli.output == Format::Table {
        writeln!(out, "{} rule(s) on sync {} of {}: {} violation(s)", rules.len(), s.sync.id, s.account, found.len())?;
    }
    l.print(cli.output, out)?;
    if !found.is_empty() {
        bail!("{} separation-of-duties violation(s): remove an entitlement, or add an exemption with a reason and an expiry", found.len());
    }
    Ok(())
}
