//! Governance reports over one snapshot: inactive users, seats, admins, users outside the
//! company's domains, boards open to the whole account, resources without an active owner,
//! and the offboarding plan for one user. Each is a table (columns and rows of text) so the
//! CLI prints it as a table, JSON or CSV, and the API serves it as JSON.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use roster_core::{GrantSource, PrincipalType, ResourceType, Role, UserRecord, UserStatus};
use roster_store::{SnapshotStore, StoreError, UserQuery};
use serde::Serialize;

/// The report names, in the order `roster report --help` lists them.
pub const NAMES: [&str; 13] = [
    "inactive",
    "seats",
    "service-users",
    "departments",
    "admins",
    "external",
    "everyone-boards",
    "ownerless",
    "offboarding",
    "sod",
    "unmanaged",
    "logins",
    "login-signals",
];

/// Options some reports take.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// The time the report is as of.
    pub now: DateTime<Utc>,
    /// `inactive`: no activity for this many days (default 90).
    pub inactive_days: i64,
    /// `inactive`: e-mails never reported.
    pub exempt: Vec<String>,
    /// `external`: the company's e-mail domains.
    pub domains: Vec<String>,
    /// `offboarding`: the user leaving (id or e-mail).
    pub user: Option<String>,
    /// `sod`: the separation-of-duties rules.
    pub sod_rules: Vec<roster_core::sod::SodRule>,
    /// `unmanaged`: the people of the source of truth (an HR or IdP export, read like a SCIM
    /// source).
    pub source: Option<Vec<roster_core::scim_plan::DesiredUser>>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            now: Utc::now(),
            inactive_days: 90,
            exempt: vec![],
            domains: vec![],
            user: None,
            sod_rules: vec![],
            source: None,
        }
    }
}

/// One report: a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The report's name (`inactive`, `seats`, ...).
    pub name: String,
    /// Its title.
    pub title: String,
    /// Column headings.
    pub columns: Vec<&'static str>,
    /// The rows.
    pub rows: Vec<Vec<String>>,
}

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("no report {0:?}: the reports are {list}", list = NAMES.join(", "))]
    /// No report of that name.
    Unknown(String),
    #[error("report {report}: {problem}")]
    /// The report's options are invalid.
    Options {
        /// The report.
        report: &'static str,
        /// What is wrong.
        problem: String,
    },
    #[error(transparent)]
    /// The store failed.
    Store(#[from] StoreError),
}

impl Report {
    pub(crate) fn new(name: &str, title: String, columns: &[&'static str]) -> Report {
        Report { name: name.into(), title, columns: columns.to_vec(), rows: vec![] }
    }
}

pub(crate) fn day(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "never".into())
}

/// Makes report `name` from snapshot `sync` (and, for the login reports, the account's audit
/// log).
pub async fn report(
    store: &dyn roster_store::Store,
    sync: i64,
    name: &str,
    o: &ReportOptions,
) -> Result<Report, ReportError> {
    match name {
        "inactive" => inactive(store, sync, o).await,
        "seats" => seats(store, sync, o).await,
        "service-users" => service_users(store, sync, o).await,
        "departments" => departments(store, sync).await,
        "admins" => admins(store, sync).await,
        "external" => external(store, sync, o).await,
        "everyone-boards" => everyone_boards(store, sync).await,
        "ownerless" => ownerless(store, sync).await,
        "offboarding" => offboarding(store, sync, o).await,
        "sod" => sod(store, sync, o).await,
        "unmanaged" => super::unmanaged::report(store, sync, o).await,
        "logins" => super::logins::last_logins(store, sync, o).await,
        "login-signals" => super::logins::signals(store, sync, o).await,
        other => Err(ReportError::Unknown(other.into())),
    }
}

async fn inactive(store: &dyn SnapshotStore, sync: i64, o: &ReportOptions) -> Result<Report, ReportError> {
    if let Err(problem) = roster_core::when::check_days("--days", o.inactive_days) {
        return Err(ReportError::Options { report: "inactive", problem });
    }
    let exempt: HashSet<String> = o.exempt.iter().map(|e| e.trim().to_lowercase()).collect();
    let q = UserQuery {
        status: Some(UserStatus::Active),
        inactive_days: Some((o.inactive_days, o.now)),
        ..UserQuery::default()
    };
    let mut r = Report::new(
        "inactive",
        format!("Active users with no activity for {} days or more", o.inactive_days),
        &["id", "email", "role", "last_activity", "days_idle"],
    );
    for u in store.users(sync, &q).await? {
        if exempt.contains(&u.email.to_lowercase()) {
            continue;
        }
        let idle = match (u.last_activity, u.became_active_at.or(u.created_at)) {
            (Some(t), _) => (o.now - t).num_days().to_string(),
            (None, Some(since)) => format!("never active (since {})", day(Some(since))),
            (None, None) => "never active".into(),
        };
        r.rows.push(vec![u.id, u.email, u.role.as_str().into(), day(u.last_activity), idle]);
    }
    Ok(r)
}

/// The ids of the snapshot's active users.
async fn active_ids(store: &dyn SnapshotStore, sync: i64) -> Result<HashSet<String>, StoreError> {
    let q = UserQuery { status: Some(UserStatus::Active), ..UserQuery::default() };
    Ok(store.users(sync, &q).await?.into_iter().map(|u| u.id).collect())
}

/// Who owns what (direct or via a team), from the snapshot's owner grants.
async fn owners(
    store: &dyn SnapshotStore,
    sync: i64,
) -> Result<BTreeMap<(ResourceType, String), Vec<String>>, StoreError> {
    let mut map: BTreeMap<(ResourceType, String), Vec<String>> = BTreeMap::new();
    for g in store.all_grants(sync).await? {
        if g.entitlement.slug == "owner" && g.principal.ptype == PrincipalType::User {
            map.entry((g.entitlement.rtype, g.entitlement.rid.clone())).or_default().push(g.principal.id.clone());
        }
    }
    Ok(map)
}

async fn seats(store: &dyn SnapshotStore, sync: i64, o: &ReportOptions) -> Result<Report, ReportError> {
    let account = store.account_snapshot(sync).await?;
    let users = store.users(sync, &UserQuery::default()).await?;
    let count = |f: &dyn Fn(&UserRecord) -> bool| users.iter().filter(|u| f(u)).count();
    let active = |role: Role| count(&|u| u.status == UserStatus::Active && u.role == role && u.is_person());
    // monday.com bills admins and members; guests, viewers, service users and AI agents take
    // no paid seat [INF for the last two].
    let billable = active(Role::Admin) + active(Role::Member);
    let non_people = count(&|u| u.status == UserStatus::Active && !u.is_person());
    let pending: Vec<&UserRecord> = users.iter().filter(|u| u.status == UserStatus::Pending).collect();
    let oldest = pending.iter().filter_map(|u| u.created_at).min().map(|t| (o.now - t).num_days());
    let deactivated: HashSet<&str> =
        users.iter().filter(|u| u.status == UserStatus::Deactivated).map(|u| u.id.as_str()).collect();
    let owning = owners(store, sync)
        .await?
        .iter()
        .filter(|((t, _), _)| *t == ResourceType::Board)
        .flat_map(|(_, ids)| ids.iter().filter(|id| deactivated.contains(id.as_str())))
        .collect::<HashSet<_>>()
        .len();
    let max = account.as_ref().and_then(|a| a.max_users);
    let mut r = Report::new("seats", "Seats: what the plan pays for and who takes it".into(), &["metric", "value"]);
    let mut row = |k: &str, v: String| r.rows.push(vec![k.into(), v]);
    row("max_users (plan seats)", max.map_or("unknown".into(), |m| m.to_string()));
    row("billable (active admins and members)", billable.to_string());
    row("free seats", max.map_or("unknown".into(), |m| (m - billable as i64).to_string()));
    row("active guests", active(Role::Guest).to_string());
    row("active viewers", active(Role::Viewer).to_string());
    row("active service users, agents and other non-people (no seat)", non_people.to_string());
    row("pending invitations", pending.len().to_string());
    row("oldest pending invitation (days)", oldest.map_or("-".into(), |d| d.to_string()));
    row("deactivated users still owning boards", owning.to_string());
    Ok(r)
}

/// Service users and their tokens: a token unused for `--days` is a credential nobody needs
/// that still opens the account.
async fn service_users(store: &dyn SnapshotStore, sync: i64, o: &ReportOptions) -> Result<Report, ReportError> {
    if let Err(problem) = roster_core::when::check_days("--days", o.inactive_days) {
        return Err(ReportError::Options { report: "service-users", problem });
    }
    let Some(list) = store.account_snapshot(sync).await?.and_then(|a| a.service_users) else {
        return Err(ReportError::Options {
            report: "service-users",
            problem:
                "the snapshot has no service users: the sync's token could not read them (an admin's token reads them)"
                    .into(),
        });
    };
    let mut r = Report::new(
        "service-users",
        format!("Service users and their tokens (unused for {} days or more: stale)", o.inactive_days),
        &["id", "name", "enabled", "has_token", "created", "last_token_activity", "days_unused", "finding"],
    );
    let mut list = list;
    list.sort_by_key(|u| (u.last_token_activity, u.id.clone()));
    for u in list {
        let idle = u.last_token_activity.map(|t| (o.now - t).num_days());
        let finding = match (u.enabled, u.has_token, idle) {
            (true, true, None) => "token never used",
            (true, true, Some(d)) if d >= o.inactive_days => "stale token",
            (false, true, _) => "deactivated, still holds a token",
            _ => "",
        };
        r.rows.push(vec![
            u.id,
            u.name,
            u.enabled.to_string(),
            u.has_token.to_string(),
            day(u.created_at),
            day(u.last_token_activity),
            idle.map_or("-".into(), |d| d.to_string()),
            finding.into(),
        ]);
    }
    Ok(r)
}

/// Seats by department (Enterprise): what monday.com reserved and counts as assigned, beside
/// who the snapshot shows in each, and the seats taken outside every department.
async fn departments(store: &dyn SnapshotStore, sync: i64) -> Result<Report, ReportError> {
    let deps = store.account_snapshot(sync).await?.map(|a| a.departments).unwrap_or_default();
    let users = store.users(sync, &UserQuery::default()).await?;
    let paid = |u: &UserRecord| {
        u.status == UserStatus::Active && u.is_person() && matches!(u.role, Role::Admin | Role::Member)
    };
    let mut r = Report::new(
        "departments",
        "Seats by department: reserved and assigned (monday.com) beside the snapshot's members".into(),
        &[
            "department",
            "id",
            "reserved_seats",
            "assigned_seats",
            "over_reserved_by",
            "members",
            "active_admins_and_members",
        ],
    );
    // Members and paid members per department id (`None`: in no department), in one pass.
    let mut tally: HashMap<Option<&str>, (usize, usize)> = HashMap::new();
    for u in &users {
        let t = tally.entry(u.department.as_deref()).or_default();
        t.0 += 1;
        t.1 += usize::from(paid(u));
    }
    let counts = |id: Option<&str>| tally.get(&id).copied().unwrap_or_default();
    for d in &deps {
        let (members, paid) = counts(Some(d.id.as_str()));
        r.rows.push(vec![
            d.name.clone(),
            d.id.clone(),
            d.reserved_seats.to_string(),
            d.assigned_seats.to_string(),
            (d.assigned_seats - d.reserved_seats).max(0).to_string(),
            members.to_string(),
            paid.to_string(),
        ]);
    }
    if !deps.is_empty() {
        let (members, paid) = counts(None);
        let mut row = vec!["(no department)".to_string()];
        row.extend(["-"; 4].map(String::from));
        row.extend([members.to_string(), paid.to_string()]);
        r.rows.push(row);
    }
    Ok(r)
}

async fn admins(store: &dyn SnapshotStore, sync: i64) -> Result<Report, ReportError> {
    let q = UserQuery { status: Some(UserStatus::Active), role: Some(Role::Admin), ..UserQuery::default() };
    let mut r = Report::new("admins", "Active admins".into(), &["id", "email", "name", "last_activity"]);
    for u in store.users(sync, &q).await? {
        r.rows.push(vec![u.id, u.email, u.name, day(u.last_activity)]);
    }
    Ok(r)
}

async fn external(store: &dyn SnapshotStore, sync: i64, o: &ReportOptions) -> Result<Report, ReportError> {
    let domains: HashSet<String> =
        o.domains.iter().map(|d| d.trim().trim_start_matches('@').to_lowercase()).filter(|d| !d.is_empty()).collect();
    if domains.is_empty() {
        return Err(ReportError::Options {
            report: "external",
            problem: "name the company's e-mail domains (--domain example.com, repeatable)".into(),
        });
    }
    let mut r = Report::new(
        "external",
        format!("Users outside {}", domains.iter().cloned().collect::<Vec<_>>().join(", ")),
        &["id", "email", "role", "status"],
    );
    for u in store.users(sync, &UserQuery::default()).await? {
        let domain = u.email.rsplit_once('@').map(|(_, d)| d.to_lowercase()).unwrap_or_default();
        if u.status != UserStatus::Deactivated && !domains.contains(&domain) {
            r.rows.push(vec![u.id, u.email, u.role.as_str().into(), u.status.as_str().into()]);
        }
    }
    Ok(r)
}

async fn everyone_boards(store: &dyn SnapshotStore, sync: i64) -> Result<Report, ReportError> {
    let names: HashMap<String, String> =
        store.resources(sync, ResourceType::Board).await?.into_iter().map(|b| (b.id, b.name)).collect();
    let mut r = Report::new(
        "everyone-boards",
        "Boards open to everyone in the account (team -1)".into(),
        &["board", "name", "entitlement"],
    );
    for g in store.all_grants(sync).await? {
        if g.entitlement.rtype == ResourceType::Board && g.principal.id == "-1" && g.source == GrantSource::Direct {
            let name = names.get(&g.entitlement.rid).cloned().unwrap_or_default();
            r.rows.push(vec![g.entitlement.rid.clone(), name, g.entitlement.to_string()]);
        }
    }
    Ok(r)
}

async fn ownerless(store: &dyn SnapshotStore, sync: i64) -> Result<Report, ReportError> {
    let active = active_ids(store, sync).await?;
    let owners = owners(store, sync).await?;
    let mut r = Report::new(
        "ownerless",
        "Boards, workspaces and teams without an active owner".into(),
        &["type", "id", "name", "inactive_owners"],
    );
    for rtype in [ResourceType::Board, ResourceType::Workspace, ResourceType::Team] {
        for res in store.resources(sync, rtype).await? {
            let held = owners.get(&(rtype, res.id.clone())).cloned().unwrap_or_default();
            if !held.iter().any(|id| active.contains(id)) {
                r.rows.push(vec![rtype.as_str().into(), res.id, res.name, held.len().to_string()]);
            }
        }
    }
    Ok(r)
}

async fn offboarding(store: &dyn SnapshotStore, sync: i64, o: &ReportOptions) -> Result<Report, ReportError> {
    let key = o.user.as_deref().ok_or_else(|| ReportError::Options {
        report: "offboarding",
        problem: "name the user leaving (--user ID or e-mail)".into(),
    })?;
    let user = store.find_user(sync, key).await?.ok_or_else(|| ReportError::Options {
        report: "offboarding",
        problem: format!("no user {key:?} in the last sync"),
    })?;
    let active = active_ids(store, sync).await?;
    let owners = owners(store, sync).await?;
    let mut r = Report::new(
        "offboarding",
        format!(
            "Offboarding {}: move ownership before deactivating (monday.com turns off a deactivated user's automations and integrations)",
            user.email
        ),
        &["type", "id", "name", "other_active_owners", "step"],
    );
    for rtype in [ResourceType::Board, ResourceType::Workspace, ResourceType::Team] {
        for res in store.resources(sync, rtype).await? {
            let held = owners.get(&(rtype, res.id.clone())).cloned().unwrap_or_default();
            if !held.contains(&user.id) {
                continue;
            }
            let others = held.iter().filter(|id| **id != user.id && active.contains(*id)).count();
            let step = if others == 0 { "transfer ownership first (sole active owner)" } else { "remove as owner" };
            r.rows.push(vec![rtype.as_str().into(), res.id, res.name, others.to_string(), step.into()]);
        }
    }
    r.rows.push(vec!["user".into(), user.id, user.email, "-".into(), "then deactivate".into()]);
    Ok(r)
}

async fn sod(store: &dyn SnapshotStore, sync: i64, o: &ReportOptions) -> Result<Report, ReportError> {
    if o.sod_rules.is_empty() {
        return Err(ReportError::Options {
            report: "sod",
            problem: "no separation-of-duties rules are configured ([[sod]] in roster.toml)".into(),
        });
    }
    let mut r = Report::new(
        "sod",
        format!("Separation-of-duties violations ({} rules)", o.sod_rules.len()),
        &["rule", "user", "email", "held"],
    );
    for v in crate::sod::violations(store, sync, &o.sod_rules, o.now).await? {
        r.rows.push(vec![v.rule, v.user, v.email, v.held.join(" + ")]);
    }
    Ok(r)
}
