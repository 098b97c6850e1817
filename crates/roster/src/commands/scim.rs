//! `roster scim plan|apply|import`: push people and groups from a source of truth into
//! monday.com through SCIM, with a plan to read before anything changes.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use roster_core::scim_plan::ReconcileOptions;
use roster_core::Guard;
use roster_engine::scim::{self, source::default_mapping, ScimPlan};

use crate::output::Listing;
use crate::Cli;

/// `roster scim ...`.
#[derive(Debug, Subcommand)]
pub enum ScimCommand {
    /// Compare a source file (.csv, .json, .yaml) with monday.com and print the plan.
    Plan {
        /// People (and groups) as they should be.
        #[arg(long)]
        source: PathBuf,
        /// Write the plan here, for `roster scim apply`.
        #[arg(long, default_value = "scim-plan.json")]
        out: PathBuf,
        /// Delete users missing from the source (default: deactivate them).
        #[arg(long)]
        delete: bool,
        /// Delete SCIM-provisioned teams the source does not name (default: leave them alone).
        #[arg(long)]
        delete_groups: bool,
    },
    /// Apply a plan written by `roster scim plan` (refused if monday.com changed since).
    Apply {
        #[arg(long, default_value = "scim-plan.json")]
        plan: PathBuf,
        /// Apply a plan that takes access from more than 10 users or 5 % of the active ones.
        #[arg(long)]
        allow_mass_change: bool,
        /// Check the plan (still current? what does the guard say?) and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write monday.com's users and groups in the source format (.csv, .json, .yaml).
    Import {
        #[arg(long)]
        out: PathBuf,
    },
}

fn account(cli: &Cli) -> Result<crate::config::Account> {
    let cfg = crate::context::config(cli)?
        .context("`roster scim` needs a configuration with the account's scim_url and SCIM token")?;
    Ok(cfg.account(cli.account.as_deref())?.clone())
}

pub async fn run(cli: &Cli, cmd: &ScimCommand, out: &mut dyn Write) -> Result<()> {
    let acct = account(cli)?;
    let scim_cfg = acct.scim_config()?;
    let mut mapping = default_mapping();
    mapping.extend(acct.scim_mapping.clone());
    match cmd {
        ScimCommand::Plan { source, out: file, delete, delete_groups } => {
            let opts = ReconcileOptions { delete: *delete, delete_groups: *delete_groups };
            let plan = scim::make_plan(&acct.name, &scim_cfg, source, &mapping, opts).await?;
            let mut l = Listing::new(&["step", "detail"]);
            for s in &plan.steps {
                let v = serde_json::to_value(s)?;
                l.row(vec![v["step"].as_str().unwrap_or_default().to_string(), s.describe()]);
            }
            std::fs::write(file, serde_json::to_vec_pretty(&plan)?)
                .with_context(|| format!("cannot write the plan to {}", file.display()))?;
            if cli.output == crate::output::Format::Table {
                writeln!(
                    out,
                    "{} step(s) to make monday.com match {} (state {}); review, then `roster scim apply --plan {}`",
                    plan.steps.len(),
                    source.display(),
                    plan.state,
                    file.display()
                )?;
            }
            l.print(cli.output, out)
        }
        ScimCommand::Apply { plan, allow_mass_change, dry_run } => {
            let text = std::fs::read(plan).with_context(|| {
                format!("cannot read the plan {}: make one with `roster scim plan`", plan.display())
            })?;
            let plan: ScimPlan = serde_json::from_slice(&text)
                .with_context(|| format!("{} is not a plan written by `roster scim plan`", plan.display()))?;
            let store = crate::context::open_store(cli, crate::context::config(cli)?.as_ref()).await?;
            if *dry_run {
                let check = scim::check_plan(&acct.name, &scim_cfg, &plan, Some(Guard::default())).await?;
                writeln!(
                    out,
                    "dry run, nothing changed: {} step(s); {} of {} active user(s) would lose access",
                    plan.steps.len(),
                    check.losing_access.len(),
                    check.active
                )?;
                for s in &plan.steps {
                    writeln!(out, "  {}", s.describe())?;
                }
                match check.refused {
                    Some(e) if !allow_mass_change => writeln!(out, "the guard would refuse it: {e}")?,
                    Some(_) => writeln!(out, "above the guard's limit; --allow-mass-change lets it through")?,
                    None => writeln!(out, "within the mass-change guard")?,
                }
                return Ok(());
            }
            let policy = crate::context::approval(crate::context::config(cli)?.as_ref())?;
            let by = crate::context::me();
            let applied =
                scim::apply_or_hold(store.as_ref(), &acct.name, &scim_cfg, &plan, *allow_mass_change, &policy, &by)
                    .await?;
            let r = match applied {
                scim::Applied::Done(r) => r,
                scim::Applied::Held(id) => {
                    writeln!(
                        out,
                        "the plan ({} step(s)) waits for a second admin: plan {id}; `roster plan show {id}`, then another admin runs `roster plan approve {id}`",
                        plan.steps.len()
                    )?;
                    return Ok(());
                }
            };
            writeln!(out, "applied {} step(s); {} failed", r.succeeded, r.failed.len())?;
            for f in &r.failed {
                writeln!(out, "  failed: {f}")?;
            }
            if !r.failed.is_empty() {
                bail!("{} step(s) failed; see `roster events --kind scim`", r.failed.len());
            }
            Ok(())
        }
        ScimCommand::Import { out: file } => {
            let n = scim::import::import(&scim_cfg, file).await?;
            writeln!(out, "wrote {n} user(s) to {}", file.display())?;
            Ok(())
        }
    }
}
