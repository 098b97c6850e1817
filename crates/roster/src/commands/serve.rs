//! `roster serve`: the HTTP API and the scheduler; `roster key hash`.

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use monday_api::Client;

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

pub async fn run(cli: &Cli) -> Result<()> {
    let Some(cfg) = context::config(cli)? else {
        bail!("`roster serve` needs a configuration: create one with `roster init`")
    };
    if cfg.server.api_keys.is_empty() {
        bail!("[server] has no api_keys: add one (`roster key hash` prints its hash) so the API can be used");
    }
    let store = context::open_store(cli, Some(&cfg)).await?;
    let opts = super::sync::options(&cfg)?;
    let mut accounts = Vec::new();
    for a in &cfg.accounts {
        let client = Client::new(a.client_config()?).with_context(|| format!("account {:?}", a.name))?;
        let interval = Duration::from_secs(a.sync_interval_seconds.unwrap_or(3600).max(60));
        accounts.push(roster_server::ServedAccount {
            name: a.name.clone(),
            client: Arc::new(client),
            options: opts,
            interval,
        });
    }
    let hooks = cfg.server.webhooks.iter().map(|w| w.resolve()).collect::<Result<Vec<_>>>()?;
    let metrics = metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder().ok();
    let state = Arc::new(roster_server::AppState::new(store, accounts, cfg.server.api_keys.clone(), metrics));
    let (router, _) = roster_server::app(Arc::clone(&state));
    let listen = cfg.server.listen.clone().unwrap_or_else(|| "127.0.0.1:8080".into());
    let listener =
        tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    println!(
        "roster serve: http://{}/api/v1 (OpenAPI at /api/v1/openapi.json), {} account(s)",
        listener.local_addr()?,
        cfg.accounts.len()
    );
    let scheduler = tokio::spawn(roster_server::scheduler::run(Arc::clone(&state)));
    let notifier = tokio::spawn(roster_server::webhooks::run(Arc::clone(&state.store), hooks, Duration::from_secs(2)));
    axum::serve(listener, router).with_graceful_shutdown(shutdown_signal()).await.context("the HTTP server stopped")?;
    scheduler.abort();
    notifier.abort();
    Ok(())
}
