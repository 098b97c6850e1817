//! `roster users|teams|workspaces|boards`: the inventory of the last completed sync.

use std::io::Write;

use anyhow::{Context, Result};
use chrono::Utc;
use clap::Args;
use roster_core::{ResourceType, Role, UserStatus};
use roster_store::UserQuery;

use crate::context::{snapshot, Snapshot};
use crate::output::{when, Listing};
use crate::Cli;

/// Filters of `roster users`.
#[derive(Debug, Args)]
pub struct UsersArgs {
    /// active, pending or deactivated.
    #[arg(long)]
    pub status: Option<String>,
    /// admin, member, viewer or guest.
    #[arg(long)]
    pub role: Option<String>,
    /// Members of this team (id or exact name).
    #[arg(long)]
    pub team: Option<String>,
    /// No activity for at least this many days (never active counts).
    #[arg(long, value_parser = clap::value_parser!(i64).range(1..=roster_core::when::MAX_DAYS))]
    pub inactive_days: Option<i64>,
    /// E-mail contains this (case-insensitive).
    #[arg(long)]
    pub email: Option<String>,
    /// E-mail or name contains this (case-insensitive).
    #[arg(long)]
    pub search: Option<String>,
}

async fn team_id(s: &Snapshot, key: &str) -> Result<String> {
    if key.chars().all(|c| c.is_ascii_digit()) {
        return Ok(key.to_string());
    }
    let teams = s.store.resources(s.sync.id, ResourceType::Team).await?;
    teams
        .into_iter()
        .find(|t| t.name == key)
        .map(|t| t.id)
        .with_context(|| format!("no team named {key:?} in the last sync (see `roster teams`)"))
}

pub async fn users(cli: &Cli, a: &UsersArgs, out: &mut dyn Write) -> Result<()> {
    let s = snapshot(cli).await?;
    let now = Utc::now();
    let q = UserQuery {
        status: a
            .status
            .as_deref()
            .map(|v| {
                UserStatus::parse(v).with_context(|| format!("--status {v:?}: use active, pending or deactivated"))
            })
            .transpose()?,
        role: a
            .role
            .as_deref()
            .map(|v| Role::parse(v).with_context(|| format!("--role {v:?}: use admin, member, viewer or guest")))
            .transpose()?,
        team: match &a.team {
            Some(t) => Some(team_id(&s, t).await?),
            None => None,
        },
        inactive_days: a.inactive_days.map(|d| (d, now)),
        email_contains: a.email.clone(),
        search: a.search.clone(),
        ..UserQuery::default()
    };
    let mut l = Listing::new(&[
        "id",
        "name",
        "email",
        "role",
        "kind",
        "status",
        "last_activity",
        "inactive_days",
        "invitation",
        "department",
    ]);
    // Departments (Enterprise) by name; the id when the snapshot lacks it.
    let departments: std::collections::HashMap<String, String> = s
        .store
        .account_snapshot(s.sync.id)
        .await?
        .map(|a| a.departments.into_iter().map(|d| (d.id, d.name)).collect())
        .unwrap_or_default();
    for u in s.store.users(s.sync.id, &q).await? {
        let department = u.department.as_ref().map(|d| departments.get(d).cloned().unwrap_or_else(|| d.clone()));
        let days = u.inactive_days(now).map(|d| d.to_string()).unwrap_or_default();
        l.row(vec![
            u.id,
            u.name,
            u.email,
            u.role.as_str().into(),
            // monday.com's kind when it is not a person's (service_user, agent_member, ...).
            u.kind.clone().unwrap_or_else(|| "person".into()),
            u.status.as_str().into(),
            when(u.last_activity),
            days,
            u.invitation_method.unwrap_or_default(),
            department.unwrap_or_default(),
        ]);
    }
    l.print(cli.output, out)
}

async fn containers(cli: &Cli, rtype: ResourceType, out: &mut dyn Write) -> Result<()> {
    let s = snapshot(cli).await?;
    let counts = s.store.member_counts(s.sync.id, rtype).await?;
    let member = if rtype == ResourceType::Board { "subscribers" } else { "members" };
    let mut l = Listing::new(&["id", "name", "kind", "state", "parent", member, "owners", "teams", "via_teams"]);
    for r in s.store.resources(s.sync.id, rtype).await? {
        let c = counts.get(&r.id).copied().unwrap_or_default();
        l.row(vec![
            r.id,
            r.name,
            r.kind.unwrap_or_default(),
            r.state.unwrap_or_default(),
            r.parent.unwrap_or_default(),
            c.members.to_string(),
            c.owners.to_string(),
            c.teams.to_string(),
            c.via_teams.to_string(),
        ]);
    }
    l.print(cli.output, out)
}

pub async fn teams(cli: &Cli, out: &mut dyn Write) -> Result<()> {
    containers(cli, ResourceType::Team, out).await
}

pub async fn workspaces(cli: &Cli, out: &mut dyn Write) -> Result<()> {
    containers(cli, ResourceType::Workspace, out).await
}

pub async fn boards(cli: &Cli, out: &mut dyn Write) -> Result<()> {
    containers(cli, ResourceType::Board, out).await
}
