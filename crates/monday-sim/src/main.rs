//! `monday-sim`: serve the emulator, dump a generated org's ground truth, or print a schema.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use monday_sim::faults::FaultConfig;
use monday_sim::generator::{DEFAULT_GUEST_TOKEN, DEFAULT_MEMBER_TOKEN};
use monday_sim::limits::LimitsConfig;
use monday_sim::{generate, ApiVersion, GenConfig, Org, Sim, SimConfig};

#[derive(Parser)]
#[command(
    name = "monday-sim",
    version,
    about = "An emulator of monday.com's GraphQL API, for tests, demos and benchmarks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve a generated (or loaded) account at http://HOST:PORT/v2.
    Serve(ServeArgs),
    /// Write the ground truth of a generated (or loaded) account as JSON.
    Dump {
        #[command(flatten)]
        org: OrgArgs,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Print the GraphQL schema (SDL) monday-sim serves for an API version.
    Schema {
        /// 2026-07 or 2026-10.
        #[arg(long, default_value = "2026-10")]
        api_version: String,
    },
}

#[derive(Args)]
struct OrgArgs {
    /// Users to generate.
    #[arg(long, default_value_t = 200)]
    users: usize,
    /// Teams to generate.
    #[arg(long, default_value_t = 12)]
    teams: usize,
    /// Workspaces to generate.
    #[arg(long, default_value_t = 8)]
    workspaces: usize,
    /// Boards to generate.
    #[arg(long, default_value_t = 40)]
    boards: usize,
    /// Seed: the same flags and seed always give the same account.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// API token of the generated admin.
    #[arg(long, env = "MONDAY_SIM_TOKEN", default_value = monday_sim::generator::DEFAULT_ADMIN_TOKEN, hide_env_values = true)]
    token: String,
    /// Load this state file (written by `dump`) instead of generating.
    #[arg(long, conflicts_with_all = ["users", "teams", "workspaces", "boards", "seed"])]
    state: Option<PathBuf>,
}

impl OrgArgs {
    fn org(&self) -> Result<Org> {
        if let Some(path) = &self.state {
            let text = std::fs::read(path).with_context(|| format!("cannot read state file {}", path.display()))?;
            let org: Org = serde_json::from_slice(&text).with_context(|| {
                format!("state file {} is not a monday-sim state (write one with `monday-sim dump`)", path.display())
            })?;
            return Ok(org);
        }
        let cfg = GenConfig {
            users: self.users,
            teams: self.teams,
            workspaces: self.workspaces,
            boards: self.boards,
            seed: self.seed,
            admin_token: self.token.clone(),
            ..GenConfig::default()
        };
        Ok(generate(&cfg)?)
    }
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    org: OrgArgs,
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Complexity budget per minute per token (monday.com: 10,000,000).
    #[arg(long)]
    budget: Option<u64>,
    /// Switch every rate and complexity limit off.
    #[arg(long)]
    no_limits: bool,
    /// Latency added to each request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Up to this much extra latency, drawn per request.
    #[arg(long, default_value_t = 0)]
    jitter_ms: u64,
    /// Fraction of requests answered 500/502/503.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Fraction of requests whose connection is dropped.
    #[arg(long, default_value_t = 0.0)]
    drop_rate: f64,
    /// Fraction of responses whose body trickles out over 2 s.
    #[arg(long, default_value_t = 0.0)]
    slow_body_rate: f64,
    /// Seed of the fault sequence.
    #[arg(long, default_value_t = 0)]
    fault_seed: u64,
    /// Start with a clock that only moves through POST /_sim/clock.
    #[arg(long)]
    frozen_clock: bool,
    /// Accept SCIM userNames that are not e-mail addresses (for the RFC referee; monday.com
    /// requires e-mails).
    #[arg(long)]
    scim_any_username: bool,
}

fn rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

async fn serve(args: ServeArgs) -> Result<()> {
    let started = Instant::now();
    let org = args.org.org()?;
    let mut limits = if args.no_limits { LimitsConfig::unlimited() } else { LimitsConfig::default() };
    if let Some(b) = args.budget {
        limits.complexity_per_minute = Some(b);
    }
    let faults = FaultConfig {
        latency_ms: args.latency_ms,
        jitter_ms: args.jitter_ms,
        error_rate: args.error_rate,
        drop_rate: args.drop_rate,
        slow_body_rate: args.slow_body_rate,
        seed: args.fault_seed,
        ..FaultConfig::default()
    };
    let counts = (org.users.len(), org.teams.len(), org.workspaces.len(), org.boards.len());
    let sim = Sim::new(
        org,
        SimConfig { limits, faults, frozen_clock: args.frozen_clock, scim_any_user_name: args.scim_any_username },
    )?;
    let running = monday_sim::spawn(sim, SocketAddr::new(args.host, args.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", args.host, args.port))?;
    let ready = started.elapsed();
    // The URL alone on the first line of stdout, so scripts can read it.
    println!("{}", running.url());
    std::io::stdout().flush()?;
    eprintln!(
        "monday-sim: {} users, {} teams, {} workspaces, {} boards; ready in {:.2} s, RSS {:.0} MiB",
        counts.0,
        counts.1,
        counts.2,
        counts.3,
        ready.as_secs_f64(),
        rss_mib().unwrap_or(0.0)
    );
    eprintln!("GraphQL endpoint: {}  (API-Version 2026-10 or 2026-07)", running.graphql_url());
    eprintln!("Tokens: admin = the --token value, member = {DEFAULT_MEMBER_TOKEN}, guest = {DEFAULT_GUEST_TOKEN}");
    eprintln!("Try:  curl -s {} -H 'Authorization: <admin token>' -H 'Content-Type: application/json' -d '{{\"query\":\"{{ complexity {{ query after }} users(limit: 3) {{ id name email kind status }} }}\"}}'", running.graphql_url());
    tokio::signal::ctrl_c().await.context("cannot wait for Ctrl-C")?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        // Colour only for a person at a terminal: logs collected by a service manager or a
        // file must not carry escape codes.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match Cli::parse().command {
        Command::Serve(args) => serve(args).await,
        Command::Dump { org, out } => {
            let org = org.org()?;
            // Validate before writing, so a dump is always loadable.
            let org = monday_sim::World::new(org)?.into_org();
            let json = serde_json::to_vec_pretty(&org)?;
            match out {
                Some(p) => std::fs::write(&p, json).with_context(|| format!("cannot write {}", p.display()))?,
                None => std::io::stdout().write_all(&json)?,
            }
            Ok(())
        }
        Command::Schema { api_version } => {
            let Some(v) = ApiVersion::parse(&api_version) else {
                bail!("unknown API version {api_version:?}: monday-sim serves 2026-07 and 2026-10")
            };
            print!("{}", monday_sim::schema::build(v).map_err(|e| anyhow::anyhow!("{e}"))?.sdl());
            Ok(())
        }
    }
}
