//! `roster review create|launch|list|show|decide|signoff|close|export|verify`: access review
//! campaigns, from the definition to evidence an auditor can check.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand, ValueEnum};
use roster_core::review::{CampaignSpec, Decision};
use roster_core::Guard;
use roster_engine::review::{self, evidence, Act, CloseOptions, Counts};

use crate::context::{me, snapshot};
use crate::output::{when, Listing};
use crate::Cli;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Mode {
    /// Each resource's first active owner (the fallback for the rest).
    Owners,
    /// The --reviewer list, one resource to one reviewer in turn.
    Named,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Policy {
    Keep,
    Revoke,
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[arg(long)]
    name: String,
    /// Last day of the campaign (2026-12-31) or an RFC 3339 time.
    #[arg(long)]
    due: String,
    /// Resource types reviewed (board, workspace, team, role); default all four.
    #[arg(long, value_delimiter = ',')]
    types: Vec<String>,
    /// Only boards in this workspace (and the workspace).
    #[arg(long)]
    workspace: Option<String>,
    /// Only users with these roles (admin, member, viewer, guest).
    #[arg(long, value_delimiter = ',')]
    roles: Vec<String>,
    /// Only access held through this team.
    #[arg(long)]
    via_team: Option<String>,
    #[arg(long, value_enum, default_value = "owners")]
    reviewers: Mode,
    /// A named reviewer (repeat; with --reviewers named).
    #[arg(long = "reviewer")]
    named: Vec<String>,
    /// Reviews items without an active owner (and role items).
    #[arg(long)]
    fallback: String,
    /// What happens at close to items nobody decided.
    #[arg(long, value_enum, default_value = "keep")]
    unanswered: Policy,
    /// Launch refuses a last sync older than this, unless --force.
    #[arg(long, default_value_t = 24)]
    max_snapshot_age_hours: i64,
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Define a campaign (a draft until launched).
    Create(CreateArgs),
    /// Freeze the items of the last sync into the campaign and open it to reviewers.
    Launch {
        id: i64,
        /// Launch even when the last sync is older than the campaign allows.
        #[arg(long)]
        force: bool,
    },
    /// Campaigns with their progress.
    List,
    /// A campaign's items (of one reviewer with --reviewer).
    Show {
        id: i64,
        #[arg(long)]
        reviewer: Option<String>,
        /// Only items without a decision.
        #[arg(long)]
        undecided: bool,
    },
    /// Certify, revoke or reassign items (several at once for a bulk decision).
    Decide {
        id: i64,
        #[arg(required = true)]
        items: Vec<i64>,
        /// The reviewer deciding (an item's reviewer only).
        #[arg(long = "as")]
        reviewer: String,
        #[arg(long, conflicts_with_all = ["revoke", "reassign"])]
        certify: bool,
        #[arg(long, conflicts_with = "reassign")]
        revoke: bool,
        /// Hand the items to another reviewer.
        #[arg(long)]
        reassign: Option<String>,
        /// Why (required to revoke, and for a self-review).
        #[arg(long)]
        justification: Option<String>,
    },
    /// Lock a reviewer's decisions (all their items must be decided).
    Signoff {
        id: i64,
        #[arg(long = "as")]
        reviewer: String,
    },
    /// Close: revoke what was revoked (and, by policy, unanswered items) through the provisioner.
    Close {
        id: i64,
        /// Let the remediation plan through the mass-change guard.
        #[arg(long)]
        allow_mass_change: bool,
        /// Close although items are undecided or reviewers have not signed off (the evidence
        /// then says the review is incomplete, and why).
        #[arg(long)]
        force: bool,
        /// Show the remediation plan and its effect; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the evidence (items.csv, items.jsonl, summary.pdf, manifest.json) into a new directory.
    Export { id: i64, dir: PathBuf },
    /// Check an evidence directory has not been altered (exit 1 naming the file and row); with a
    /// store, also that the export is the one recorded in the audit log.
    Verify { dir: PathBuf },
}

fn due(s: &str) -> Result<DateTime<Utc>> {
    roster_core::when::end_of_day_or_time(s)
        .with_context(|| format!("--due {s:?}: give a date (2026-12-31) or an RFC 3339 time"))
}

fn spec(a: &CreateArgs) -> Result<CampaignSpec> {
    let mode = match a.reviewers {
        Mode::Owners => "owners",
        Mode::Named => "named",
    };
    let unanswered = match a.unanswered {
        Policy::Keep => "keep",
        Policy::Revoke => "revoke",
    };
    Ok(CampaignSpec::from_words(
        &a.types,
        a.workspace.clone(),
        &a.roles,
        a.via_team.clone(),
        mode,
        a.named.clone(),
        a.fallback.clone(),
        unanswered,
        a.max_snapshot_age_hours,
    )?)
}

fn ts(ms: Option<i64>) -> String {
    when(ms.and_then(DateTime::from_timestamp_millis))
}

pub async fn run(cli: &Cli, cmd: &ReviewCommand, out: &mut dyn Write) -> Result<()> {
    // Verifying evidence needs no store: an auditor runs it on the files alone.
    if let ReviewCommand::Verify { dir } = cmd {
        return verify(cli, dir, out).await;
    }
    let s = snapshot(cli).await?;
    let store = s.store.as_ref();
    let now = Utc::now();
    match cmd {
        ReviewCommand::Create(a) => {
            let id = review::create(store, &s.account, &a.name, &spec(a)?, due(&a.due)?, &me(), now).await?;
            writeln!(out, "campaign {id} created (draft): launch it with `roster review launch {id}`")?;
        }
        ReviewCommand::Launch { id, force } => {
            // The separation-of-duties rules in force mark the items that break them.
            let rules = crate::context::config(cli)?.map(|c| c.sod).unwrap_or_default();
            let n = review::launch(store, &s.account, *id, *force, &rules, now).await?;
            writeln!(out, "campaign {id} launched with {n} items from sync {}", s.sync.id)?;
        }
        ReviewCommand::List => list(cli, store, &s.account, out).await?,
        ReviewCommand::Show { id, reviewer, undecided } => {
            show(cli, store, &s.account, (*id, reviewer.as_deref(), *undecided), out).await?
        }
        ReviewCommand::Decide { id, items, reviewer, certify, revoke, reassign, justification } => {
            let act = match (certify, revoke, reassign) {
                (true, _, _) => Act::Decide(Decision::Certify),
                (_, true, _) => Act::Decide(Decision::Revoke),
                (_, _, Some(to)) => Act::Reassign(to.clone()),
                _ => bail!("say what to do: --certify, --revoke or --reassign EMAIL"),
            };
            // All or nothing: one refused item (not theirs, no justification) changes none.
            let done =
                review::decide_many(store, &s.account, *id, items, reviewer, &act, justification.as_deref(), now)
                    .await?;
            for it in done {
                let what = it.decision.map_or_else(|| format!("reassigned to {}", it.reviewer), |d| d.to_string());
                writeln!(out, "item {}: {what} ({} {})", it.id, it.user_email, it.entitlement)?;
            }
        }
        ReviewCommand::Signoff { id, reviewer } => {
            review::sign_off(store, &s.account, *id, reviewer, now).await?;
            writeln!(out, "{reviewer} signed off campaign {id}: their decisions are locked")?;
        }
        ReviewCommand::Close { id, allow_mass_change, force, dry_run } => {
            close(cli, &s, (*id, *allow_mass_change, *force, *dry_run), out).await?
        }
        ReviewCommand::Export { id, dir } => {
            let e = evidence::export(store, &s.account, *id, dir, now).await?;
            writeln!(
                out,
                "evidence for campaign {id} in {}: {} rows, complete: {}, chain head {}",
                e.dir,
                e.rows,
                if e.complete { "yes" } else { "NO" },
                e.chain_head
            )?;
        }
        ReviewCommand::Verify { .. } => {}
    }
    Ok(())
}

/// `roster review verify`: needs no store (an auditor runs it on the files alone); with one,
/// the export is also matched against the audit log.
async fn verify(cli: &Cli, dir: &std::path::Path, out: &mut dyn Write) -> Result<()> {
    let v = evidence::verify(dir).map_err(|t| anyhow::anyhow!("the evidence in {} was altered: {t}", dir.display()))?;
    writeln!(
        out,
        "{}: campaign {:?}, {} rows, chain head {}: intact",
        dir.display(),
        v.campaign,
        v.rows,
        v.chain_head
    )?;
    // With a store at hand, the export is also matched against Roster's audit log: a
    // rewritten export with recomputed hashes would be intact but unknown there.
    if let Ok(s) = snapshot(cli).await {
        let q = roster_store::EventQuery {
            kind_prefix: Some("review_exported".into()),
            limit: Some(100_000),
            ..Default::default()
        };
        let recorded = s.store.events(&q).await?;
        match recorded.iter().find(|e| e.detail["manifest_sha256"] == v.manifest_sha256.as_str()) {
            Some(e) => writeln!(out, "recorded in the audit log as event {} at {}", e.id, e.at.to_rfc3339())?,
            None => bail!(
                "the files are consistent, but no export with manifest SHA-256 {} is in this store's audit log: it was not exported by this Roster, or was rewritten",
                v.manifest_sha256
            ),
        }
    }
    Ok(())
}

/// `roster review list`.
async fn list(cli: &Cli, store: &dyn roster_store::Store, account: &str, out: &mut dyn Write) -> Result<()> {
    let mut l =
        Listing::new(&["id", "name", "status", "due", "items", "certified", "revoked", "undecided", "snapshot"]);
    for c in store.campaigns(account).await? {
        let n = Counts::from_tally(&store.review_tally(c.id, None).await?, None);
        l.row(vec![
            c.id.to_string(),
            c.name,
            c.status.to_string(),
            ts(Some(c.due_ms)),
            n.items.to_string(),
            n.certified.to_string(),
            n.revoked.to_string(),
            n.undecided.to_string(),
            c.sync_id.map(|v| v.to_string()).unwrap_or_default(),
        ]);
    }
    l.print(cli.output, out)
}

/// `roster review show`.
async fn show(
    cli: &Cli,
    store: &dyn roster_store::Store,
    account: &str,
    (id, reviewer, undecided): (i64, Option<&str>, bool),
    out: &mut dyn Write,
) -> Result<()> {
    review::load(store, account, id).await?;
    let who = reviewer.map(|r| r.trim().to_ascii_lowercase());
    let mut l = Listing::new(&[
        "item",
        "user",
        "entitlement",
        "resource",
        "source",
        "reviewer",
        "decision",
        "justification",
        "self",
        "remediation",
    ]);
    for i in store.review_items(id, who.as_deref()).await? {
        if undecided && i.decision.is_some() {
            continue;
        }
        l.row(vec![
            i.id.to_string(),
            i.user_email,
            i.entitlement,
            i.resource_name,
            i.source,
            i.reviewer,
            i.decision.map(|d| d.to_string()).unwrap_or_default(),
            i.justification.unwrap_or_default(),
            if i.self_review { "self".into() } else { String::new() },
            i.remediation_status.map(|r| r.to_string()).unwrap_or_default(),
        ]);
    }
    l.print(cli.output, out)
}

/// `roster review close`: through the approval policy, the guard, or as a dry run.
async fn close(
    cli: &Cli,
    s: &crate::context::Snapshot,
    (id, allow_mass_change, force, dry_run): (i64, bool, bool, bool),
    out: &mut dyn Write,
) -> Result<()> {
    let (store, id) = (s.store.as_ref(), &id);
    let now = Utc::now();
    let cfg = crate::context::config(cli)?.context(
        "closing a campaign changes monday.com: it needs the configuration that names the account's API token",
    )?;
    let client = monday_api::Client::new(cfg.account(Some(&s.account))?.client_config()?)?;
    let opts = CloseOptions {
        by: me(),
        allow_mass_change,
        guard: Guard::default(),
        force,
        dry_run,
        approval: crate::context::approval(Some(&cfg))?,
        ..CloseOptions::default()
    };
    let r = review::close(store, &client, &s.account, *id, &opts, now).await?;
    if let Some(plan) = &r.pending_approval {
        writeln!(
                out,
                "campaign {id}'s remediation waits for a second admin ({} action(s), {} user(s) lose access): plan {plan}; `roster plan show {plan}`, then another admin runs `roster plan approve {plan}`",
                r.actions, r.users_losing_access
            )?;
        for a in &r.plan {
            writeln!(out, "  {a}")?;
        }
        return Ok(());
    }
    for why in &r.incomplete {
        writeln!(out, "incomplete: {why}")?;
    }
    if r.dry_run {
        writeln!(
                out,
                "dry run, nothing changed: {} item(s) to remove by {} action(s), {} already gone, {} need a manual step; {} user(s) would lose access",
                r.to_remove, r.actions, r.already_gone, r.manual, r.users_losing_access
            )?;
        for a in &r.plan {
            writeln!(out, "  {a}")?;
        }
        if let Some(g) = &r.guard_would_refuse {
            writeln!(out, "the guard would refuse it: {g}")?;
        }
        return Ok(());
    }
    if r.manual > 0 {
        writeln!(
                out,
                "{} item(s) were not removed: monday.com would take certified access with them; see `roster review show {id}`",
                r.manual
            )?;
    }
    writeln!(
            out,
            "campaign {id} closed: {} item(s) to remove, {} action(s) sent, {} applied, {} failed, {} already gone{}; the next sync verifies each removal",
            r.to_remove,
            r.actions,
            r.applied,
            r.failed,
            r.already_gone,
            r.plan_id.map(|p| format!(" (plan {p})")).unwrap_or_default()
        )?;
    if r.failed > 0 {
        bail!("{} remediation(s) failed: see `roster review show {id}` and `roster events`", r.failed);
    }
    Ok(())
}
