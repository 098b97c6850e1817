//! `roster bench`: syncs generated orgs against monday-sim with monday.com's default budget
//! and prints requests, complexity and budget windows beside their floors (the fewest and the
//! least a complete read of that org needs, `bench_floors`), wall time and peak memory; then syncs each org again unchanged and prints what that
//! stored (rows and store growth: delta storage makes both near zero). Each size runs in two
//! processes of its own: monday-sim with the generated org in one, the sync in the other, so the
//! peak memory printed is the sync's alone.

use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Args;
use monday_api::{ApiToken, Client, ClientConfig, StateFilter};
use monday_sim::faults::FaultConfig;
use monday_sim::limits::LimitsConfig;
use monday_sim::{generate, GenConfig, RunningSim, Sim, SimConfig};
use roster_engine::{sync_account, NoProgress, SyncOptions};
use roster_store::SqlStore;
use serde::{Deserialize, Serialize};

/// What to measure.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Org sizes in users (boards = users / 5).
    #[arg(long, value_delimiter = ',', default_value = "1000,10000,100000", value_parser = super::demo::size(3, 1_000_000))]
    pub sizes: Vec<usize>,
    /// Latency monday-sim adds to each request, in milliseconds (0 to 10,000).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=10_000))]
    pub latency_ms: u64,
    /// Pages of one list asked at once (1 to 16; as [[accounts]] look_ahead).
    #[arg(long, default_value_t = 1, value_parser = super::demo::size(1, 16))]
    pub look_ahead: usize,
    /// Complexity budget per minute (monday.com: 10,000,000).
    #[arg(long, default_value_t = 10_000_000)]
    pub budget: u64,
    /// Sync into a new database on this PostgreSQL server (`postgres://user@host:port/db`, the
    /// database is where Roster creates `roster_bench_<pid>_<size>`) instead of a SQLite file.
    #[arg(long, value_name = "URL")]
    pub postgres: Option<String>,
    /// Run one size's sync in this process against --sim-url and print its figures as JSON
    /// (used by the parent run).
    #[arg(long, hide = true)]
    pub single: bool,
    /// Serve one size's generated org, print its URL and floors as JSON, and serve until
    /// standard input closes (used by the parent run).
    #[arg(long, hide = true)]
    pub sim_only: bool,
    /// With --single: the monday-sim to sync from.
    #[arg(long, hide = true)]
    pub sim_url: Option<String>,
    /// Instead: load the read API and web UI of `roster serve` (users pages, searches, access,
    /// a reviewer's inbox) on a store synced from the first size (SQLite, or PostgreSQL with
    /// --postgres), and print requests per second and latency percentiles.
    #[arg(long)]
    pub api: bool,
    /// With --api: seconds of load per route (1 to 3600).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub seconds: u64,
    /// With --api: requests in flight at once (1 to 1024).
    #[arg(long, default_value_t = 32, value_parser = super::demo::size(1, 1024))]
    pub concurrency: usize,
}

/// The org `roster bench` generates for `users` users.
fn gen_config(users: usize) -> GenConfig {
    GenConfig {
        users,
        teams: (users / 50).max(3),
        workspaces: (users / 100).max(3),
        boards: (users / 5).max(5),
        seed: 42,
        ..GenConfig::default()
    }
}

/// What an unchanged re-sync cost: its wall time, the rows it stored, and the store's growth.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Resync {
    wall_seconds: f64,
    requests: u64,
    complexity: u64,
    rows_added: i64,
    rows_removed: i64,
    first_sync_rows: i64,
    store_mib_after_first: f64,
    growth_kib: f64,
}

/// monday-sim serving `org` on a loopback port with this budget and latency.
pub(super) async fn spawn_sim(org: monday_sim::Org, budget: u64, latency_ms: u64) -> Result<RunningSim> {
    let limits = LimitsConfig { complexity_per_minute: Some(budget), ..LimitsConfig::default() };
    let faults = FaultConfig { latency_ms, ..FaultConfig::default() };
    let sim = Sim::new(org, SimConfig { limits, faults, frozen_clock: false, scim_any_user_name: false })?;
    Ok(monday_sim::spawn(sim, SocketAddr::from(([127, 0, 0, 1], 0))).await?)
}

/// Syncs the org monday-sim serves at `url` into `store`, and with `resync` syncs it again
/// unchanged.
pub(super) async fn synced_store(
    url: &str,
    look_ahead: usize,
    store: SqlStore,
    resync: bool,
) -> Result<(SqlStore, roster_engine::SyncReport, f64, Option<Resync>)> {
    let mut config = ClientConfig::new(ApiToken::new(monday_sim::generator::DEFAULT_ADMIN_TOKEN))
        .with_endpoint(url.parse().context("the bench's monday-sim URL does not parse")?);
    config.look_ahead = look_ahead;
    let client = Client::new(config)?;
    let started = Instant::now();
    let opts = SyncOptions { board_state: StateFilter::All, workspace_state: StateFilter::All };
    let report = sync_account(&store, &client, "bench", &opts, &NoProgress).await?;
    let wall = started.elapsed().as_secs_f64();
    if !resync {
        return Ok((store, report, wall, None));
    }
    use roster_store::prelude::*;
    let bytes_before = store.store_stats().await?.bytes;
    let started = Instant::now();
    let again = sync_account(&store, &client, "bench", &opts, &NoProgress).await?;
    let wall_again = started.elapsed().as_secs_f64();
    let (first, second) = (store.sync_changes(report.sync_id).await?, store.sync_changes(again.sync_id).await?);
    let resync = Resync {
        wall_seconds: wall_again,
        requests: again.requests,
        complexity: again.complexity,
        rows_added: second.added,
        rows_removed: second.removed,
        first_sync_rows: first.added,
        store_mib_after_first: bytes_before as f64 / 1_048_576.0,
        growth_kib: (store.store_stats().await?.bytes - bytes_before) as f64 / 1024.0,
    };
    Ok((store, report, wall, Some(resync)))
}

#[derive(Debug, Serialize, Deserialize)]
struct Figures {
    users: usize,
    requests: u64,
    complexity: u64,
    budget: u64,
    budget_minutes: f64,
    wall_seconds: f64,
    rss_before_mib: f64,
    peak_rss_mib: f64,
    grants: i64,
    resync: Option<Resync>,
}

fn proc_status(key: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// What the monday-sim process of one size prints: where it serves, and the org's floors.
#[derive(Debug, Serialize, Deserialize)]
struct Served {
    url: String,
    boards: usize,
    floors: super::bench_floors::Floors,
}

/// `--sim-only`: generates one size's org, prints where it is served, and serves it until the
/// parent closes standard input.
async fn serve_sim(users: usize, a: &BenchArgs) -> Result<()> {
    let cfg = gen_config(users);
    let org = generate(&cfg)?;
    // The floors are priced by monday-sim's cost model, which does not depend on the data: a
    // small org's emulator prices the queries for the real one.
    let pricing = Sim::new(generate(&gen_config(3))?, SimConfig::default())?;
    let floors = super::bench_floors::floors(&pricing, &org)?;
    drop(pricing);
    let sim = spawn_sim(org, a.budget, a.latency_ms).await?;
    println!("{}", serde_json::to_string(&Served { url: sim.graphql_url(), boards: cfg.boards, floors })?);
    // Served until the parent is done with it: its end of the pipe closes (also if it dies).
    tokio::task::spawn_blocking(|| std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink())).await??;
    Ok(())
}

/// `--single`: syncs one size from the monday-sim at `url`, twice, in this process.
async fn one(users: usize, url: &str, a: &BenchArgs) -> Result<Figures> {
    let dir = std::env::temp_dir().join(format!("roster-bench-{}-{users}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let rss_before = proc_status("VmRSS:");
    let pg_name = format!("roster_bench_{}_{users}", std::process::id());
    let store = match &a.postgres {
        Some(url) => {
            SqlStore::create_postgres(url, &pg_name).await.context("cannot create the bench database on PostgreSQL")?
        }
        None => SqlStore::open(&dir.join("bench.db")).await?,
    };
    let synced = synced_store(url, a.look_ahead, store, true).await;
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(url) = &a.postgres {
        // The bench's database goes with its temporary folder: a 100k run leaves a gigabyte.
        SqlStore::drop_postgres(url, &pg_name).await.context("cannot drop the bench database")?;
    }
    let (_, report, wall, resync) = synced?;
    Ok(Figures {
        users,
        requests: report.requests,
        complexity: report.complexity,
        budget: a.budget,
        budget_minutes: report.complexity as f64 / a.budget as f64,
        wall_seconds: wall,
        rss_before_mib: rss_before,
        peak_rss_mib: proc_status("VmHWM:"),
        grants: report.counts.grants,
        resync,
    })
}

/// Runs one size: its monday-sim in one child process, its sync in another.
fn child_size(exe: &std::path::Path, size: usize, a: &BenchArgs) -> Result<(Served, Figures)> {
    use std::io::BufRead;
    let common = [
        "--sizes".to_string(),
        size.to_string(),
        "--latency-ms".into(),
        a.latency_ms.to_string(),
        "--budget".into(),
        a.budget.to_string(),
        "--look-ahead".into(),
        a.look_ahead.to_string(),
    ];
    let mut sim = Command::new(exe)
        .args(["bench", "--sim-only"])
        .args(&common)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start the bench's monday-sim process")?;
    let mut line = String::new();
    if let Some(out) = sim.stdout.take() {
        std::io::BufReader::new(out).read_line(&mut line)?;
    }
    let served: Result<Served> = serde_json::from_str(line.trim()).context("the bench's monday-sim did not start");
    let figures = served.and_then(|served| {
        let out = Command::new(exe)
            .args(["bench", "--single", "--sim-url", &served.url])
            .args(&common)
            .args(a.postgres.iter().flat_map(|_| ["--postgres", "from-env"]))
            // The URL (it may hold a password) goes by environment, not on a command line.
            .envs(a.postgres.iter().map(|url| ("ROSTER_BENCH_POSTGRES", url.as_str())))
            .output()
            .context("cannot run a bench child process")?;
        if !out.status.success() {
            bail!("bench of {size} users failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let f: Figures = serde_json::from_slice(out.stdout.trim_ascii()).context("bench child printed no figures")?;
        Ok((served, f))
    });
    // Closing its standard input ends the monday-sim process.
    drop(sim.stdin.take());
    sim.wait().context("the bench's monday-sim process did not end")?;
    figures
}

pub async fn run(a: &BenchArgs) -> Result<()> {
    if a.api {
        let size = *a.sizes.first().context("--sizes names no size")?;
        let org = generate(&gen_config(size))?;
        return super::bench_api::run(org, a.seconds, a.concurrency, a.postgres.as_deref()).await;
    }
    if a.sim_only {
        let [size] = a.sizes.as_slice() else { bail!("--sim-only takes one size") };
        return serve_sim(*size, a).await;
    }
    if a.single {
        let [size] = a.sizes.as_slice() else { bail!("--single takes one size") };
        let url = a.sim_url.as_deref().context("--single syncs from --sim-url")?;
        let mut a = a.clone();
        if a.postgres.as_deref() == Some("from-env") {
            a.postgres =
                Some(std::env::var("ROSTER_BENCH_POSTGRES").context("the bench parent passes the PostgreSQL URL")?);
        }
        println!("{}", serde_json::to_string(&one(*size, url, &a).await?)?);
        return Ok(());
    }
    let exe = std::env::current_exe().context("cannot find the roster executable to run each size")?;
    println!("users   boards  requests (fewest, ratio)  complexity (least, ratio)     windows (least)  wall-s   rss-before-MiB  peak-RSS-MiB  grants");
    let mut resyncs = Vec::new();
    for size in &a.sizes {
        let (served, f) = child_size(&exe, *size, a)?;
        let windows = |points: u64| points.div_ceil(f.budget.max(1));
        println!(
            "{:<7} {:<7} {:<24} {:<29} {:<16} {:<8.1} {:<15.0} {:<13.0} {}",
            f.users,
            served.boards,
            format!(
                "{} ({}, {:.2}x)",
                f.requests,
                served.floors.requests,
                f.requests as f64 / served.floors.requests.max(1) as f64
            ),
            format!(
                "{} ({}, {:.2}x)",
                f.complexity,
                served.floors.complexity,
                f.complexity as f64 / served.floors.complexity.max(1) as f64
            ),
            format!("{} ({})", windows(f.complexity), windows(served.floors.complexity)),
            f.wall_seconds,
            f.rss_before_mib,
            f.peak_rss_mib,
            f.grants
        );
        resyncs.push((f.users, served.floors, f.resync));
    }
    println!("\nthe same org synced again, unchanged:");
    println!("users   wall-s   requests (ratio)  complexity (ratio)    rows-stored  (first sync)  rows-ended  store-MiB  growth-KiB");
    for (users, floors, r) in resyncs.iter().filter_map(|(u, f, r)| r.as_ref().map(|r| (u, f, r))) {
        println!(
            "{:<7} {:<8.2} {:<17} {:<21} {:<12} {:<13} {:<11} {:<10.1} {:.0}",
            users,
            r.wall_seconds,
            format!("{} ({:.2}x)", r.requests, r.requests as f64 / floors.requests.max(1) as f64),
            format!("{} ({:.2}x)", r.complexity, r.complexity as f64 / floors.complexity.max(1) as f64),
            r.rows_added,
            r.first_sync_rows,
            r.rows_removed,
            r.store_mib_after_first,
            r.growth_kib
        );
    }
    println!("(the re-sync knows each list's length from the first: it asks 4 pages of a list at once and none past its end, and sizes nested lists by what it saw)");
    println!("(fewest: requests of a read with every nested list inline; least: each board and workspace charged for its own lists exactly; windows: budget minutes the complexity spans; see bench_floors.rs)");
    println!("(monday-sim runs in a process of its own: the peak RSS is the sync's alone, both syncs; rss-before is at the start)");
    Ok(())
}
