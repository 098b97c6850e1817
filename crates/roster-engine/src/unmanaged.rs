//! The `unmanaged` report: who is in monday.com that the source of truth does not know
//! ("shadow access"). Compared by e-mail, without case: monday.com users who are active or
//! pending but not in the source, or inactive there, with what they can reach; and the source's
//! active people missing from monday.com.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use roster_core::scim_plan::DesiredUser;
use roster_core::{Event, EventKind, ResourceType, UserRecord, UserStatus};
use roster_store::{SnapshotStore, Store, StoreError, UserQuery};

use crate::reports::{Report, ReportError, ReportOptions};

/// What one user can reach: distinct boards, workspaces and teams, and the boards they own,
/// each directly or through a team.
#[derive(Debug, Default, Clone, Copy)]
struct Reach {
    boards: usize,
    workspaces: usize,
    teams: usize,
    boards_owned: usize,
}

/// Why `u` is unmanaged, if it is: live in monday.com and not in the source, or inactive there.
fn finding(u: &UserRecord, known: &HashMap<String, bool>) -> Option<&'static str> {
    if u.status == UserStatus::Deactivated {
        return None;
    }
    match known.get(&u.email.trim().to_lowercase()) {
        None => Some("not in the source"),
        Some(false) => Some("inactive in the source"),
        Some(true) => None,
    }
}

fn known(source: &[DesiredUser]) -> HashMap<String, bool> {
    source.iter().map(|p| (p.user_name.trim().to_lowercase(), p.active)).collect()
}

/// The key under which the unmanaged accounts announced after a snapshot are kept.
const ANNOUNCED: &str = "unmanaged:announced";

/// After a sync: the unmanaged accounts of the newest snapshot against `source`, and an
/// `unmanaged_account` event for each that was not unmanaged after the previous snapshot (an
/// `unmanaged_account_resolved` for each that no longer is). Run twice for one snapshot, it
/// announces nothing twice. Returns the unmanaged user ids.
pub async fn after_sync(
    store: &dyn Store,
    account: &str,
    source: &[DesiredUser],
    now: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    let Some(last) = store.last_completed(account).await? else { return Ok(vec![]) };
    let known = known(source);
    let users = store.users(last.id, &UserQuery::default()).await?;
    let current: BTreeSet<String> =
        users.iter().filter(|u| finding(u, &known).is_some()).map(|u| u.id.clone()).collect();
    let read = |j: Option<String>| j.and_then(|j| serde_json::from_str::<BTreeSet<String>>(&j).ok());
    if read(store.sod_result(last.id, ANNOUNCED).await?).is_some() {
        return Ok(current.into_iter().collect());
    }
    let previous = store
        .syncs(Some(account), 50)
        .await?
        .into_iter()
        .find(|s| s.id < last.id && s.status == roster_store::SyncStatus::Completed);
    let before = match previous {
        Some(p) => read(store.sod_result(p.id, ANNOUNCED).await?).unwrap_or_default(),
        None => BTreeSet::new(),
    };
    let by_id: HashMap<&str, &UserRecord> = users.iter().map(|u| (u.id.as_str(), u)).collect();
    let mut events = Vec::new();
    for id in current.difference(&before) {
        if let Some(u) = by_id.get(id.as_str()) {
            let why = finding(u, &known).unwrap_or_default();
            events.push(Event {
                kind: EventKind::UnmanagedAccount,
                subject: format!("user:{id}"),
                detail: serde_json::json!({ "email": u.email, "role": u.role.as_str(), "status": u.status.as_str(), "finding": why }),
            });
        }
    }
    for id in before.difference(&current) {
        let email = by_id.get(id.as_str()).map(|u| u.email.clone());
        events.push(Event {
            kind: EventKind::UnmanagedResolved,
            subject: format!("user:{id}"),
            detail: serde_json::json!({ "email": email }),
        });
    }
    if !events.is_empty() {
        store.append_events(account, Some(last.id), &events, now).await?;
    }
    let announced = serde_json::to_string(&current).unwrap_or_else(|_| "[]".into());
    store.put_sod_result(last.id, ANNOUNCED, &announced).await?;
    Ok(current.into_iter().collect())
}

/// Makes the report from snapshot `sync` and `o.source`.
pub(crate) async fn report(store: &dyn Store, sync: i64, o: &ReportOptions) -> Result<Report, ReportError> {
    let Some(source) = &o.source else {
        return Err(ReportError::Options {
            report: "unmanaged",
            problem: "it needs the source of truth: `roster report unmanaged --source people.csv` (CSV, JSON or YAML as `roster scim plan` reads it; an e-mail column is enough)".into(),
        });
    };
    // The source's people by e-mail: active there or not.
    let known = known(source);
    let reach = reach(store, sync).await?;
    // Last logins, when monday.com's audit log has been read (Enterprise).
    let account = store.sync_run(sync).await?.map(|r| r.account).unwrap_or_default();
    let read_log = store.audit_cursor(&account).await?.is_some();
    let logins: HashMap<String, i64> =
        store.last_logins(&account).await?.into_iter().map(|(u, at, _)| (u, at)).collect();
    let mut r = Report::new(
        "unmanaged",
        "Accounts the source of truth does not know, and people it has that monday.com does not".into(),
        &[
            "finding",
            "id",
            "email",
            "role",
            "admin",
            "status",
            "last_activity",
            "last_login",
            "boards",
            "workspaces",
            "teams",
            "boards_owned",
        ],
    );
    let users = store.users(sync, &UserQuery::default()).await?;
    let mut in_monday = BTreeSet::new();
    for u in &users {
        let email = u.email.trim().to_lowercase();
        in_monday.insert(email.clone());
        let Some(finding) = finding(u, &known) else { continue };
        let x = reach.get(&u.id).copied().unwrap_or_default();
        let last_login = match logins.get(&u.id) {
            Some(ms) => super::reports::day(DateTime::from_timestamp_millis(*ms)),
            None if read_log => "none read".into(),
            None => "unknown".into(),
        };
        r.rows.push(vec![
            finding.into(),
            u.id.clone(),
            u.email.clone(),
            u.role.as_str().into(),
            (u.role == roster_core::Role::Admin).to_string(),
            u.status.as_str().into(),
            super::reports::day(u.last_activity),
            last_login,
            x.boards.to_string(),
            x.workspaces.to_string(),
            x.teams.to_string(),
            x.boards_owned.to_string(),
        ]);
    }
    let mut missing: Vec<&roster_core::scim_plan::DesiredUser> =
        source.iter().filter(|p| p.active && !in_monday.contains(&p.user_name.trim().to_lowercase())).collect();
    missing.sort_by_key(|p| p.user_name.to_lowercase());
    for p in missing {
        let mut row = vec!["not in monday.com".to_string(), String::new(), p.user_name.clone()];
        row.extend(std::iter::repeat_n(String::new(), 9));
        r.rows.push(row);
    }
    Ok(r)
}

/// Every user's reach in the snapshot.
async fn reach(store: &dyn SnapshotStore, sync: i64) -> Result<HashMap<String, Reach>, ReportError> {
    let mut seen: HashMap<String, BTreeSet<(ResourceType, String)>> = HashMap::new();
    let mut owned: HashMap<String, BTreeSet<String>> = HashMap::new();
    for g in store.all_grants(sync).await? {
        if g.principal.ptype != roster_core::PrincipalType::User {
            continue;
        }
        let rtype = g.entitlement.rtype;
        if !matches!(rtype, ResourceType::Board | ResourceType::Workspace | ResourceType::Team) {
            continue;
        }
        seen.entry(g.principal.id.clone()).or_default().insert((rtype, g.entitlement.rid.clone()));
        if rtype == ResourceType::Board && g.entitlement.slug == "owner" {
            owned.entry(g.principal.id.clone()).or_default().insert(g.entitlement.rid.clone());
        }
    }
    Ok(seen
        .into_iter()
        .map(|(user, set)| {
            let count = |t: ResourceType| set.iter().filter(|(r, _)| *r == t).count();
            let x = Reach {
                boards: count(ResourceType::Board),
                workspaces: count(ResourceType::Workspace),
                teams: count(ResourceType::Team),
                boards_owned: owned.get(&user).map_or(0, BTreeSet::len),
            };
            (user, x)
        })
        .collect())
}
