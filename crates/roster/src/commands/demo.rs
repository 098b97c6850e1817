//! `roster demo`: monday-sim in-process with a generated org, synced into a fresh store, then a
//! summary and a few reports. The README's first command.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::{Context, Result};
use chrono::Utc;
use clap::Args;
use monday_api::{ApiToken, Client, ClientConfig, StateFilter};
use monday_sim::{generate, GenConfig, Sim, SimConfig};
use roster_core::{ResourceType, Role, UserStatus};
use roster_engine::{sync_account, SyncOptions};
use roster_store::prelude::*;
use roster_store::{SqlStore, UserQuery};

use crate::output::{Format, Listing};
use crate::progress::Progress;
use crate::Cli;

/// Size of the demo org.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Users (3 to 1,000,000: the org is generated in memory).
    #[arg(long, default_value_t = 1000, value_parser = size(3, 1_000_000))]
    pub users: usize,
    /// Teams (0 to 100,000).
    #[arg(long, default_value_t = 50, value_parser = size(0, 100_000))]
    pub teams: usize,
    /// Workspaces (0 to 100,000).
    #[arg(long, default_value_t = 20, value_parser = size(0, 100_000))]
    pub workspaces: usize,
    /// Boards (0 to 1,000,000).
    #[arg(long, default_value_t = 200, value_parser = size(0, 1_000_000))]
    pub boards: usize,
    /// The random seed: the same seed makes the same org.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

/// A count from the command line, bounded where it is read.
pub(crate) fn size(min: u64, max: u64) -> impl clap::builder::TypedValueParser<Value = usize> {
    use clap::builder::TypedValueParser;
    clap::value_parser!(u64).range(min..=max).map(|n| n as usize)
}

pub async fn run(a: &DemoArgs, cli: &Cli) -> Result<()> {
    let org = generate(&GenConfig {
        users: a.users,
        teams: a.teams,
        workspaces: a.workspaces,
        boards: a.boards,
        seed: a.seed,
        ..GenConfig::default()
    })?;
    let token = org.tokens.first().map(|t| t.token.clone()).context("the generated org has no token")?;
    let sim = monday_sim::spawn(Sim::new(org, SimConfig::default())?, SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .context("cannot start monday-sim on a loopback port")?;
    println!(
        "monday-sim is serving a generated account ({} users, {} teams, {} workspaces, {} boards) at {}",
        a.users,
        a.teams,
        a.workspaces,
        a.boards,
        sim.graphql_url()
    );

    let path = cli
        .store
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("roster-demo-{}.db", std::process::id())));
    if cli.store.is_none() {
        let _ = std::fs::remove_file(&path);
    }
    let store = SqlStore::open(&path).await?;
    let client = Client::new(ClientConfig::new(ApiToken::new(token)).with_endpoint(sim.graphql_url().parse()?))?;
    let opts = SyncOptions { board_state: StateFilter::All, workspace_state: StateFilter::All };
    let started = std::time::Instant::now();
    let report = sync_account(&store, &client, "demo", &opts, &Progress::new("demo")).await?;
    println!("{} in {:.1} s\n", super::sync::summary(&report), started.elapsed().as_secs_f64());
    reports(&store, report.sync_id, &path, cli.output).await
}

async fn reports(store: &SqlStore, sync: i64, path: &Path, format: Format) -> Result<()> {
    let out = &mut std::io::stdout().lock();
    let users = store.users(sync, &UserQuery::default()).await?;
    let mut l = Listing::new(&["role", "active", "pending", "deactivated"]);
    for role in Role::ALL {
        let n = |s: UserStatus| users.iter().filter(|u| u.role == role && u.status == s).count().to_string();
        l.row(vec![role.as_str().into(), n(UserStatus::Active), n(UserStatus::Pending), n(UserStatus::Deactivated)]);
    }
    println!("Users by role and status:");
    l.print(format, out)?;

    let now = Utc::now();
    let inactive = store
        .users(
            sync,
            &UserQuery { status: Some(UserStatus::Active), inactive_days: Some((90, now)), ..UserQuery::default() },
        )
        .await?;
    println!("\nActive users with no activity for 90 days or more: {}", inactive.len());

    let counts = store.member_counts(sync, ResourceType::Board).await?;
    let mut boards = store.resources(sync, ResourceType::Board).await?;
    boards.sort_by_key(|b| {
        let c = counts.get(&b.id).copied().unwrap_or_default();
        std::cmp::Reverse(c.members + c.via_teams)
    });
    let everyone = store.all_grants(sync).await?.iter().filter(|g| g.principal.id == "-1").count();
    let mut l = Listing::new(&["board", "name", "kind", "subscribers", "via_teams"]);
    for b in boards.iter().take(5) {
        let c = counts.get(&b.id).copied().unwrap_or_default();
        l.row(vec![
            b.id.clone(),
            b.name.clone(),
            b.kind.clone().unwrap_or_default(),
            c.members.to_string(),
            c.via_teams.to_string(),
        ]);
    }
    println!("\nBoards open to everyone in the account: {everyone}\n\nThe five boards most people can reach:");
    l.print(format, out)?;
    let example_user = users
        .iter()
        .find(|u| u.status == UserStatus::Active && u.role == Role::Member)
        .map(|u| u.email.clone())
        .unwrap_or_default();
    let example_board = boards.first().map(|b| b.id.clone()).unwrap_or_default();
    println!("\nExplore the snapshot (store: {}):", path.display());
    let store_arg = format!("--store {}", path.display());
    println!("  roster {store_arg} users --role admin");
    println!("  roster {store_arg} access {example_user}");
    println!("  roster {store_arg} who board:{example_board}");
    println!("  roster {store_arg} events --kind sync");
    Ok(())
}
