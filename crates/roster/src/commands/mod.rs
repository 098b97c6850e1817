//! One module per group of commands; `run` dispatches.

pub mod access;
pub mod bench;
mod bench_api;
mod bench_floors;
pub mod change;
pub mod demo;
pub mod export;
pub mod history;
pub mod inventory;
pub mod jit;
pub mod logins;
pub mod plan;
pub mod report;
pub mod review;
pub mod scim;
pub mod serve;
pub mod sod;
pub mod store;
pub mod sync;

use anyhow::{bail, Result};

use crate::{config, Cli, Command, KeyCommand, SodCommand};

/// Runs the command `cli` names.
pub async fn run(cli: Cli) -> Result<()> {
    let out = &mut std::io::stdout().lock();
    match &cli.command {
        Command::Init { force } => init(&cli, *force),
        Command::Demo(args) => demo::run(args, &cli).await,
        Command::Sync => sync::run(&cli).await,
        Command::Users(args) => inventory::users(&cli, args, out).await,
        Command::Teams => inventory::teams(&cli, out).await,
        Command::Workspaces => inventory::workspaces(&cli, out).await,
        Command::Boards => inventory::boards(&cli, out).await,
        Command::Access { user } => access::access(&cli, user, out).await,
        Command::Who { resource } => access::who(&cli, resource, out).await,
        Command::Diff { from, to } => history::diff(&cli, *from, *to, out).await,
        Command::Events(args) => history::events(&cli, args, out).await,
        Command::Logins(args) => logins::run(&cli, args, out).await,
        Command::Syncs { limit } => history::syncs(&cli, *limit, out).await,
        Command::Bench(args) => bench::run(args).await,
        Command::Report(args) => report::run(&cli, args, out).await,
        Command::Sod(SodCommand::Check) => sod::check(&cli, out).await,
        Command::Jit(cmd) => jit::run(&cli, cmd, out).await,
        Command::Store(cmd) => store::run(&cli, cmd, out).await,
        Command::Export(cmd) => export::run(&cli, cmd, out).await,
        Command::Review(cmd) => review::run(&cli, cmd, out).await,
        Command::Plan(cmd) => plan::run(&cli, cmd, out).await,
        Command::Scim(cmd) => scim::run(&cli, cmd, out).await,
        Command::Serve => serve::run(&cli).await,
        Command::Key(KeyCommand::Hash) => serve::hash_from_stdin(out),
        Command::Invite { emails, role, opts } => change::run(&cli, change::invite(emails, role)?, opts, out).await,
        Command::Role { user, role, role_id, opts } => {
            change::run(&cli, vec![change::set_role(user, role.as_deref(), role_id.as_deref())?], opts, out).await
        }
        Command::Deactivate { users, opts } => {
            change::run(
                &cli,
                users.iter().map(|u| roster_core::Action::Deactivate { user: u.clone() }).collect(),
                opts,
                out,
            )
            .await
        }
        Command::Activate { users, opts } => {
            change::run(
                &cli,
                users.iter().map(|u| roster_core::Action::Activate { user: u.clone() }).collect(),
                opts,
                out,
            )
            .await
        }
        Command::Grant { principal, entitlement, opts } => {
            change::run(&cli, vec![change::grant(principal, entitlement, true)?], opts, out).await
        }
        Command::Revoke { principal, entitlement, opts } => {
            change::run(&cli, vec![change::grant(principal, entitlement, false)?], opts, out).await
        }
        Command::Team(change::TeamCommand::Create { name, members, opts }) => {
            change::run(
                &cli,
                vec![roster_core::Action::CreateTeam { name: name.clone(), members: members.clone() }],
                opts,
                out,
            )
            .await
        }
        Command::Team(change::TeamCommand::Delete { team, opts }) => {
            change::run(&cli, vec![roster_core::Action::DeleteTeam { team: team.clone() }], opts, out).await
        }
    }
}

fn init(cli: &Cli, force: bool) -> Result<()> {
    if cli.config.exists() && !force {
        bail!("{} already exists: pass --force to overwrite it", cli.config.display());
    }
    std::fs::write(&cli.config, config::EXAMPLE)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", cli.config.display()))?;
    println!("wrote {}: set MONDAY_TOKEN (or token_file), then run `roster sync`", cli.config.display());
    Ok(())
}
