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

/// Resolves user keys (id or e-mail) to ids from the last snapshot; unknown keys stay as
/// given, for the plan check to name them.
async fn resolve(snap: &crate::context::Snapshot, actions: Vec<Action>) -> Result<Vec<Action>> {
    let id_of = |key: String| async move {
        Ok::<_, anyhow::Error>(match snap.store.find_user(snap.sync.id, &key).await? {
            Some(u) => u.id,
            None => key,
        })
    };
    let mut out = Vec::with_capacity(actions.len());
    for a in actions {
        out.push(match a {
            Action::SetRole { user, role } => Action::SetRole { user: id_of(user).await?, role },
            Action::Deactivate { user } => Action::Deactivate { user: id_of(user).await? },
            Action::Activate { user } => Action::Activate { user: id_of(user).await? },
            Action::Grant { entitlement, principal } if principal.ptype == roster_core::PrincipalType::User => {
                Action::Grant { entitlement, principal: Principal::user(id_of(principal.id).await?) }
            }
            Action::Revoke { entitlement, principal } if principal.ptype == roster_core::PrincipalType::User => {
                Action::Revoke { entitlement, principal: Principal::user(id_of(principal.id).await?) }
            }
            Action::CreateTeam { name, members } => {
                let mut ids = Vec::new();
                for m in members {
                    ids.push(id_of(m).await?);
                }
                Action::CreateTeam { name, members: ids }
            }
            Action::DeleteTeam { team } if !team.chars().all(|c| c.is_ascii_digit()) => {
                let teams = snap.store.resources(snap.sync.id, roster_core::ResourceType::Team).await?;
                Action::DeleteTeam { team: teams.into_iter().find(|t| t.name == team).map_or(team, |t| t.id) }
            }
            other => other,
        });
    }
    Ok(out)
}

/// Plans, applies and reports `actions`.
pub async fn run(cli: &Cli, actions: Vec<Action>, opts: &ChangeOpts, out: &mut dyn Write) -> Result<()> {
    // A role given as an entitlement (role:admin:assigned) is a role change.
    let actions: Vec<Action> = actions
        .into_iter()
        .map(|a| match a {
            Action::Grant { entitlement, principal } if entitlement.rtype == roster_core::ResourceType::Role => {
                Action::SetRole { user: principal.id, role: Role::parse(&entitlement.rid).unwrap_or(Role::Member) }
            }
            other => other,
        })
        .collect();
    let snap = snapshot(cli).await?;
    let actions = resolve(&snap, actions).await?;
    let cfg =
        crate::context::config(cli)?.context("changes need the configuration that names the account's API token")?;
    let account = cfg.account(Some(&snap.account))?;
    let client = Client::new(account.client_config()?)?;
    let apply = ApplyOptions {
        requested_by: std::env::var("USER").unwrap_or_else(|_| "roster-cli".into()),
        reason: opts.reason.clone(),
        dry_run: opts.dry_run,
        allow_mass_change: opts.allow_mass_change,
        guard: Guard::default(),
    };
    let report = apply_plan(snap.store.as_ref(), &client, &snap.account, actions, &apply).await?;
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

/// Builds the role action.
pub fn set_role(user: &str, r: &str) -> Result<Action> {
    Ok(Action::SetRole { user: user.to_string(), role: role(r)? })
}

/// Builds invite actions.
pub fn invite(emails: &[String], r: &str) -> Result<Vec<Action>> {
    let role = role(r)?;
    Ok(emails.iter().map(|e| Action::Invite { email: e.trim().to_string(), role }).collect())
}
