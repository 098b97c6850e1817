//! `roster invite|role|deactivate|activate|grant|revoke|team`: changes, through one path —
//! a plan checked against the last snapshot, guarded, recorded, applied, reported.

use std::io::Write;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use monday_api::Client;
use roster_core::{Action, Entitlement, Guard, Principal, Role};
use roster_engine::{apply_plan, ApplyOptions, Status};

use crate::context::snapshot;
use crate::output::Listing;
use crate::Cli;

/// Options every change takes.
#[derive(Debug, Args, Clone)]
pub struct ChangeOpts {
    /// Print the plan; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Why (stored with the events).
    #[arg(long)]
    pub reason: Option<String>,
    /// Apply a plan that takes access from many users (more than 10, or 5 % of active users).
    #[arg(long)]
    pub allow_mass_change: bool,
    /// List every grant the plan takes, marking the effects no action names.
    #[arg(long)]
    pub effect: bool,
}

/// `roster team ...`.
#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Create a team (with --member USER, repeatable).
    Create {
        name: String,
        #[arg(long = "member")]
        members: Vec<String>,
        #[command(flatten)]
        opts: ChangeOpts,
    },
    /// Delete a team (by id or exact name).
    Delete {
        team: String,
        #[command(flatten)]
        opts: ChangeOpts,
    },
}

fn role(s: &str) -> Result<Role> {
    Role::parse(s).with_context(|| format!("{s:?} is not a role: use admin, member, viewer or guest"))
}

/// Reads `team:5`, `-1`/`everyone`, or a user id / e-mail.
fn principal(s: &str) -> Principal {
    match s.strip_prefix("team:") {
        Some(t) => Principal::team(t),
        None if s == "everyone" => Principal::team(-1),
        None => Principal::user(s),
    }
}

/// Plans, applies and reports `actions`.
pub async fn run(cli: &Cli, actions: Vec<Action>, opts: &ChangeOpts, out: &mut dyn Write) -> Result<()> {
    // A role given as an entitlement (role:admin:assigned) is a role change.
    let actions: Vec<Action> = actions
        .into_iter()
        .map(|a| match a {
            Action::Grant { entitlement, principal } if entitlement.rtype == roster_core::ResourceType::Role => {
                match (Role::parse(&entitlement.rid), entitlement.custom_role()) {
                    (Some(role), _) => Action::SetRole { user: principal.id, role },
                    (None, Some(id)) => {
                        Action::SetCustomRole { user: principal.id, role_id: id.to_string(), base: None }
                    }
                    // Neither: the plan's check names the entitlement.
                    (None, None) => Action::Grant { entitlement, principal },
                }
            }
            other => other,
        })
        .collect();
    let snap = snapshot(cli).await?;
    let cfg =
        crate::context::config(cli)?.context("changes need the configuration that names the account's API token")?;
    let account = cfg.account(Some(&snap.account))?;
    let client = Client::new(account.client_config()?)?;
    let apply = ApplyOptions {
        requested_by: crate::context::me(),
        reason: opts.reason.clone(),
        dry_run: opts.dry_run,
        allow_mass_change: opts.allow_mass_change,
        guard: Guard::default(),
        approval: crate::context::approval(Some(&cfg))?,
        ..ApplyOptions::default()
    };
    let report = apply_plan(snap.store.as_ref(), &client, &snap.account, actions, &apply).await?;
    if report.pending_approval {
        return crate::commands::plan::print_pending(cli, &report, out);
    }
    let mut l = Listing::new(&["action", "status", "note"]);
    for r in &report.results {
        let status = match r.status {
            Status::Planned => "planned",
            Status::Succeeded => "succeeded",
            Status::Failed => "failed",
        };
        l.row(vec![r.action.to_string(), status.into(), r.note.clone().unwrap_or_default()]);
    }
    if cli.output == crate::output::Format::Table {
        let what = if opts.dry_run { "dry run, nothing changed" } else { "applied" };
        writeln!(out, "plan {} ({what}; checked against sync {}):", report.plan_id, report.sync_id)?;
    }
    l.print(cli.output, out)?;
    if cli.output == crate::output::Format::Table {
        let unnamed = report.effect.iter().filter(|l| !l.named).count();
        writeln!(
            out,
            "this plan takes {} grant(s) from {} user(s); {unnamed} of them no action names (coupled effects){}",
            report.effect.len(),
            report.users_losing_access,
            if opts.effect || report.effect.is_empty() { "" } else { ": --effect lists them" }
        )?;
        if opts.effect {
            for l in &report.effect {
                let mark = if l.named { "" } else { "  (not named: an effect of the plan)" };
                writeln!(out, "  - {} loses {} via {}{mark}", l.email, l.entitlement, l.source)?;
            }
        }
        if let Some(refusal) = &report.guard_would_refuse {
            writeln!(out, "applied without --dry-run, the guard would refuse it: {refusal}")?;
        }
    }
    if report.failed() > 0 {
        bail!(
            "{} of {} action(s) failed; see the notes above and `roster events --kind action_`",
            report.failed(),
            report.results.len()
        );
    }
    Ok(())
}

/// Builds grant/revoke actions.
pub fn grant(principal_key: &str, entitlement: &str, add: bool) -> Result<Action> {
    let entitlement: Entitlement = entitlement.parse()?;
    let principal = principal(principal_key);
    Ok(if add { Action::Grant { entitlement, principal } } else { Action::Revoke { entitlement, principal } })
}

/// Builds the role action: a basic role by name, or a custom role by id.
pub fn set_role(user: &str, r: Option<&str>, role_id: Option<&str>) -> Result<Action> {
    let user = user.to_string();
    Ok(match (r, role_id) {
        (_, Some(id)) => Action::SetCustomRole { user, role_id: id.trim().to_string(), base: None },
        (Some(r), None) => Action::SetRole { user, role: role(r)? },
        (None, None) => {
            anyhow::bail!("name the role: admin, member, viewer or guest, or --role-id ID for a custom role")
        }
    })
}

/// Builds invite actions.
pub fn invite(emails: &[String], r: &str) -> Result<Vec<Action>> {
    let role = role(r)?;
    Ok(emails.iter().map(|e| Action::Invite { email: e.trim().to_string(), role }).collect())
}
