//! `roster serve`: the HTTP API, the scheduler and the webhooks, with the configuration
//! reloaded on SIGHUP; `roster key hash`.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use monday_api::Client;
use roster_server::webhooks::Webhook;
use roster_server::AppState;
use tokio::sync::watch;

use crate::config::Config;
use crate::context;
use crate::Cli;

pub fn hash_from_stdin(out: &mut dyn Write) -> Result<()> {
    let mut key = String::new();
    std::io::stdin().read_to_string(&mut key).context("cannot read the key on standard input")?;
    if key.trim().len() < 16 {
        bail!("the key is shorter than 16 characters: use a long random key (e.g. `openssl rand -hex 32`)");
    }
    writeln!(out, "hash = \"{}\"", roster_server::hash_key(&key))?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::warn!("shutting down: in-flight requests finish; a sync in flight resumes at the next start");
}

fn webhooks(cfg: &Config) -> Result<Vec<Webhook>> {
    cfg.server.webhooks.iter().map(|w| w.read()).collect()
}

/// What a reload can change in place: the API keys, the webhooks, the separation-of-duties
/// rules, the just-in-time and the approval policy, the retention. The rest (store, sync options, listen address, accounts)
/// is named in a warning: it takes a restart.
fn reload(path: &Path, old: &Config, state: &AppState, hooks: &watch::Sender<Vec<Webhook>>) -> Result<Config> {
    let cfg = Config::load(path)?;
    if cfg.server.api_keys.is_empty() {
        bail!("[server] has no api_keys: keeping the keys in force");
    }
    let new_hooks = webhooks(&cfg)?;
    state.set_api_keys(cfg.server.api_keys.clone());
    state.set_sod(cfg.sod.clone());
    state.jit_policy.set(cfg.jit.clone());
    state.approval.set(cfg.approval.clone());
    state.retention.set(cfg.retention);
    hooks.send_replace(new_hooks);
    for (what, changed) in [
        ("[store]", old.store != cfg.store),
        ("[sync]", old.sync != cfg.sync),
        ("[server] listen", old.server.listen != cfg.server.listen),
        ("[[accounts]]", old.accounts != cfg.accounts),
    ] {
        if changed {
            tracing::warn!("{what} changed: that takes a restart of roster serve; the rest is reloaded");
        }
    }
    Ok(cfg)
}

/// Reloads the configuration on every SIGHUP; a configuration with errors is refused whole.
#[cfg(unix)]
async fn reload_on_hangup(
    path: std::path::PathBuf,
    mut cfg: Config,
    state: Arc<AppState>,
    hooks: watch::Sender<Vec<Webhook>>,
) {
    let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else {
        tracing::warn!("cannot listen for SIGHUP: configuration reload is off");
        return;
    };
    while hup.recv().await.is_some() {
        match reload(&path, &cfg, &state, &hooks) {
            Ok(new) => {
                cfg = new;
                tracing::info!(
                    keys = cfg.server.api_keys.len(),
                    webhooks = cfg.server.webhooks.len(),
                    "configuration reloaded"
                );
            }
            Err(e) => tracing::error!(
                error = format!("{e:#}"),
                "configuration reload refused; the previous one stays in force"
            ),
        }
    }
}

pub async fn run(cli: &Cli) -> Result<()> {
    let Some(cfg) = context::config(cli)? else {
        bail!("`roster serve` needs a configuration: create one with `roster init`")
    };
    if cfg.server.api_keys.is_empty() {
        bail!("[server] has no api_keys: add one (`roster key hash` prints its hash) so the API can be used");
    }
    let store = context::open_store(cli, Some(&cfg)).await?;
    let opts = cfg.sync;
    let mut accounts = Vec::new();
    for a in &cfg.accounts {
        let client = Client::new(a.client_config()?).with_context(|| format!("account {:?}", a.name))?;
        accounts.push(roster_server::ServedAccount {
            name: a.name.clone(),
            client: Arc::new(client),
            options: opts,
            interval: a.sync_interval,
            // Approved SCIM plans run with it; without one, they are approved from the CLI.
            scim: a.scim.as_ref().and_then(|_| a.scim_config().ok()),
            audit_log: a.audit_log,
            source: a.source.clone().map(|p| {
                let mut mapping = roster_engine::scim::source::default_mapping();
                mapping.extend(a.scim_mapping.clone());
                (p, mapping)
            }),
        });
    }
    let (hooks_tx, hooks_rx) = watch::channel(webhooks(&cfg)?);
    let metrics = metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder().ok();
    let state = Arc::new(
        AppState::new(store, accounts, cfg.server.api_keys.clone(), metrics)
            .with_leases(cfg.server.lease, roster_server::lease::system_clock())
            .with_jit_policy(cfg.jit.clone())
            .with_approval(cfg.approval.clone())
            .with_retention(cfg.retention),
    );
    state.set_sod(cfg.sod.clone());
    let limits = cfg.server.limits;
    let (router, _) = roster_server::app(Arc::clone(&state));
    let listen = &cfg.server.listen;
    let listener =
        tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    println!(
        "roster serve: http://{}/api/v1 (OpenAPI at /api/v1/openapi.json), {} account(s), worker {}",
        listener.local_addr()?,
        cfg.accounts.len(),
        state.leaser.holder
    );
    let scheduler = tokio::spawn(roster_server::scheduler::run(Arc::clone(&state)));
    let notifier = tokio::spawn(roster_server::webhooks::run(state.leaser.clone(), hooks_rx, Duration::from_secs(2)));
    let sinks = cfg.server.ocsf_sinks.iter().map(|s| s.read()).collect::<Result<Vec<_>>>()?;
    let names: Vec<String> = cfg.accounts.iter().map(|a| a.name.clone()).collect();
    let siem = tokio::spawn(roster_server::ocsf_sinks::run(state.leaser.clone(), sinks, names, Duration::from_secs(5)));
    #[cfg(unix)]
    let reloader = tokio::spawn(reload_on_hangup(cli.config.clone(), cfg, Arc::clone(&state), hooks_tx));
    #[cfg(not(unix))]
    drop((cfg, hooks_tx));
    // Connection limits, timeouts and a shutdown deadline; each request keeps its peer's
    // address (web sign-ins are limited per client).
    roster_server::listen::serve(listener, router, limits, shutdown_signal())
        .await
        .context("the HTTP server stopped")?;
    scheduler.abort();
    notifier.abort();
    siem.abort();
    #[cfg(unix)]
    reloader.abort();
    roster_server::scheduler::release_leases(&state).await;
    Ok(())
}
