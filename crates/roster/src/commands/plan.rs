//! `roster plan list|show|approve|reject`: plans that wait for a second admin (four eyes).
//! The planner and the approver are the operating system's user ($USER); nobody decides on
//! their own plan. On a shared server the API's keys make the stronger separation: there,
//! each admin holds their own key.

use std::io::Write;

use anyhow::{bail, Context, Result};
use chrono::Utc;
use clap::Subcommand;
use roster_core::PlanStatus;
use roster_engine::approval::{self, Ran, Runners};
use roster_engine::ApplyReport;

use crate::context::{me, snapshot, Snapshot};
use crate::output::{Format, Listing};
use crate::Cli;

/// `roster plan ...`.
#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Plans stored for approval, oldest first (default: the ones waiting).
    List {
        /// pending_approval, approved, applied, failed, rejected or all.
        #[arg(long, default_value = "pending_approval")]
        status: String,
    },
    /// One plan: what it does, who made it, where it stands.
    Show { id: String },
    /// Approve a plan someone else made, and run it.
    Approve { id: String },
    /// Reject a plan someone else made: it never runs.
    Reject {
        id: String,
        /// Why (kept with the plan and its event).
        #[arg(long)]
        reason: String,
    },
}

fn when(ms: Option<i64>) -> String {
    ms.and_then(chrono::DateTime::from_timestamp_millis)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

pub async fn run(cli: &Cli, cmd: &PlanCommand, out: &mut dyn Write) -> Result<()> {
    let s = snapshot(cli).await?;
    let cfg = crate::context::config(cli)?;
    let policy = crate::context::approval(cfg.as_ref())?;
    match cmd {
        PlanCommand::List { status } => list(cli, &s, status, out).await,
        PlanCommand::Show { id } => show(cli, &s, id, out).await,
        PlanCommand::Approve { id } => {
            let cfg =
                cfg.context("approving runs the plan: it needs the configuration that names the account's API token")?;
            approve(&s, &cfg, &policy, id, out).await
        }
        PlanCommand::Reject { id, reason } => {
            let store = s.store.as_ref();
            let p = approval::reject(store, &policy, &s.account, id, &me(), Some(reason), Utc::now()).await?;
            writeln!(out, "plan {} rejected by {}: it will not run", p.id, me())?;
            Ok(())
        }
    }
}

/// `roster plan list`: the account's plans in a status (or all).
async fn list(cli: &Cli, s: &Snapshot, status: &str, out: &mut dyn Write) -> Result<()> {
    let status = match status {
        "all" => None,
        x => Some(PlanStatus::parse(x).with_context(|| {
            format!("--status {x:?}: use pending_approval, approved, applied, failed, rejected or all")
        })?),
    };
    let mut l = Listing::new(&["id", "kind", "status", "by", "created", "steps", "users_losing_access", "sync"]);
    for p in s.store.plans(&s.account, status).await? {
        l.row(vec![
            p.id.clone(),
            p.kind.as_str().into(),
            p.status.as_str().into(),
            p.requested_by.clone(),
            when(Some(p.created_ms)),
            p.steps().len().to_string(),
            p.users_losing_access().to_string(),
            p.sync_id.map(|i| i.to_string()).unwrap_or_default(),
        ]);
    }
    l.print(cli.output, out)
}

/// `roster plan show`: one plan in full, and whether it can still be approved.
async fn show(cli: &Cli, s: &Snapshot, id: &str, out: &mut dyn Write) -> Result<()> {
    let p = s
        .store
        .plan(id)
        .await?
        .filter(|p| p.account == s.account)
        .with_context(|| format!("account {:?} has no plan {id:?}: `roster plan list --status all`", s.account))?;
    if cli.output != Format::Table {
        writeln!(out, "{}", serde_json::to_string_pretty(&p)?)?;
        return Ok(());
    }
    writeln!(out, "plan {} ({}): {}", p.id, p.kind.as_str(), p.status)?;
    writeln!(
        out,
        "  made by {} at {}{}",
        p.requested_by,
        when(Some(p.created_ms)),
        p.reason.as_deref().map(|r| format!(", because: {r}")).unwrap_or_default()
    )?;
    if let Some(sync) = p.sync_id {
        let latest = s.store.last_completed(&s.account).await?.map(|r| r.id);
        let note = if latest == Some(sync) { "the latest" } else { "NOT the latest: approval will be refused" };
        writeln!(out, "  computed on sync {sync} ({note})")?;
    }
    if let Some(by) = &p.decided_by {
        writeln!(out, "  decided by {by} at {}", when(p.decided_ms))?;
    }
    if let Some(n) = &p.note {
        writeln!(out, "  note: {n}")?;
    }
    writeln!(out, "  takes access from {} user(s); {} step(s):", p.users_losing_access(), p.steps().len())?;
    for l in p.steps() {
        writeln!(out, "    {l}")?;
    }
    Ok(())
}

/// `roster plan approve`: approves a plan and runs it with the account's clients.
async fn approve(
    s: &Snapshot,
    cfg: &crate::config::Config,
    policy: &roster_core::ApprovalPolicy,
    id: &str,
    out: &mut dyn Write,
) -> Result<()> {
    let account = cfg.account(Some(&s.account))?;
    let client = monday_api::Client::new(account.client_config()?)?;
    let scim = account.scim.as_ref().map(|_| account.scim_config()).transpose()?;
    let runners = Runners { client: &client, scim: scim.as_ref() };
    let (p, ran) = approval::approve(s.store.as_ref(), runners, policy, &s.account, id, &me(), Utc::now()).await?;
    writeln!(out, "plan {} approved by {} and run: {}", p.id, me(), ran.summary())?;
    if let Ran::Actions { report } = &ran {
        for r in &report.results {
            let note = r.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default();
            writeln!(out, "  {} {:?}{note}", r.action, r.status)?;
        }
    }
    if ran.failures() > 0 {
        bail!("{} change(s) of plan {} failed: see `roster events`", ran.failures(), p.id);
    }
    Ok(())
}

/// What `roster <change>` prints when its plan waits for approval.
pub fn print_pending(cli: &Cli, report: &ApplyReport, out: &mut dyn Write) -> Result<()> {
    if cli.output != Format::Table {
        writeln!(out, "{}", serde_json::to_string_pretty(report)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "plan {} waits for a second admin's approval (checked against sync {}; nothing was sent):",
        report.plan_id, report.sync_id
    )?;
    for r in &report.results {
        writeln!(out, "  {}", r.action)?;
    }
    writeln!(
        out,
        "it takes {} grant(s) from {} user(s); another admin runs `roster plan approve {}` (or `roster plan reject {} --reason ...`)",
        report.effect.len(),
        report.users_losing_access,
        report.plan_id,
        report.plan_id
    )?;
    Ok(())
}
