//! Shared helpers: monday-sim and a client pointed at it (from roster-testkit), and what the
//! client reads flattened and compared with the ground truth.
#![allow(dead_code)]

use std::time::Duration;

use futures::TryStreamExt;
use monday_api::{ApiVersion, BoardFilter, Client, StateFilter, UserFilter};
use monday_sim::faults::FaultConfig;
use monday_sim::limits::LimitsConfig;
use monday_sim::{Org, RunningSim, SimConfig};

pub use roster_testkit::{org, ADMIN};

/// monday-sim serving `org` with these limits and faults.
pub async fn sim(org: Org, limits: LimitsConfig, faults: FaultConfig) -> RunningSim {
    roster_testkit::start_with(org, SimConfig { limits, faults, frozen_clock: false, scim_any_user_name: false }).await
}

/// A client with fast retries, enough of them to ride out injected faults.
pub fn client(sim: &RunningSim, version: ApiVersion, token: &str) -> Client {
    let mut cfg = roster_testkit::client_config(sim, version, token);
    cfg.retry.max_retries = 12;
    cfg.retry.total_deadline = Duration::from_secs(120);
    cfg.request_timeout = Duration::from_secs(10);
    Client::new(cfg).expect("client")
}

/// Everything the client can read, flattened.
pub struct Snapshot {
    pub users: Vec<monday_api::User>,
    pub teams: Vec<monday_api::Team>,
    pub workspaces: Vec<monday_api::Workspace>,
    pub boards: Vec<monday_api::Board>,
}

pub async fn read_all(c: &Client) -> Result<Snapshot, monday_api::Error> {
    let users: Vec<Vec<_>> = c.users(UserFilter::default()).try_collect().await?;
    let teams = c.teams(None).await?;
    let workspaces: Vec<Vec<_>> = c.workspaces(StateFilter::All).try_collect().await?;
    let boards: Vec<Vec<_>> =
        c.boards(BoardFilter { state: StateFilter::All, ..BoardFilter::default() }).try_collect().await?;
    Ok(Snapshot { users: users.concat(), teams, workspaces: workspaces.concat(), boards: boards.concat() })
}

/// Asserts that `s` is exactly the ground truth `org`.
pub fn assert_matches(s: &Snapshot, org: &Org) {
    use monday_api::{UserKind, UserStatus};
    use monday_sim::model as m;
    let mut users = s.users.clone();
    users.sort_by_key(|u| u.id);
    assert_eq!(users.len(), org.users.len(), "every user exactly once");
    for (u, t) in users.iter().zip(&org.users) {
        assert_eq!(u.id, t.id);
        assert_eq!(u.email, t.email);
        assert_eq!(u.name, t.name);
        assert_eq!(u.title, t.title);
        let kind = match t.kind {
            m::UserKind::Admin => UserKind::Admin,
            m::UserKind::Member => UserKind::Member,
            m::UserKind::Viewer => UserKind::Viewer,
            m::UserKind::Guest => UserKind::Guest,
            other => UserKind::Other(other.as_str().to_string()),
        };
        assert_eq!(u.kind, kind, "user {}", t.id);
        assert_eq!(u.role_id, Some(t.role_id.unwrap_or(t.kind.basic_role().0)), "user {} role", t.id);
        let department = org.departments.iter().find(|d| d.members.contains(&t.id)).map(|d| d.id);
        assert_eq!(u.department, department, "user {} department", t.id);
        let status = match t.status {
            m::UserStatus::Active => UserStatus::Active,
            m::UserStatus::Inactive => UserStatus::Deactivated,
            m::UserStatus::Pending => UserStatus::Pending,
        };
        assert_eq!(u.status, status, "user {}", t.id);
        assert_eq!(u.is_email_confirmed, t.is_email_confirmed);
        assert_eq!(u.last_activity.map(|x| x.timestamp()), t.last_activity.map(|x| x.timestamp()));
        assert_eq!(u.became_active_at.map(|x| x.timestamp()), t.became_active_at.map(|x| x.timestamp()));
        assert_eq!(u.created_at.map(|x| x.timestamp()), Some(t.created_at.timestamp()));
    }
    assert_eq!(s.teams.len(), org.teams.len());
    for (c, t) in s.teams.iter().zip(&org.teams) {
        assert_eq!((c.id, &c.name, c.is_guest), (t.id, &t.name, t.is_guest));
        assert_eq!(c.members, t.members, "team {} members", t.id);
        assert_eq!(c.owners, t.owners, "team {} owners", t.id);
    }
    let mut wss = s.workspaces.clone();
    wss.sort_by_key(|w| w.id);
    assert_eq!(wss.len(), org.workspaces.len());
    for (c, t) in wss.iter().zip(&org.workspaces) {
        assert_eq!(c.id, t.id);
        assert_eq!(c.members, t.members, "workspace {} members", t.id);
        assert_eq!(c.owners, t.owners, "workspace {} owners", t.id);
        assert_eq!(c.team_members, t.team_members, "workspace {} teams", t.id);
        assert_eq!(c.team_owners, t.team_owners, "workspace {} team owners", t.id);
        assert_eq!(c.state.as_deref(), Some(t.state.as_str()));
        assert_eq!(c.kind.as_deref(), Some(t.kind.as_str()));
    }
    let mut boards = s.boards.clone();
    boards.sort_by_key(|b| b.id);
    assert_eq!(boards.len(), org.boards.len());
    for (c, t) in boards.iter().zip(&org.boards) {
        assert_eq!(c.id, t.id);
        assert_eq!(c.subscribers, t.subscribers, "board {} subscribers", t.id);
        assert_eq!(c.owners, t.owners, "board {} owners", t.id);
        let mut teams: Vec<i128> = t.team_subscribers.iter().map(|&x| i128::from(x)).collect();
        if t.everyone {
            teams.insert(0, -1);
        }
        assert_eq!(c.team_subscribers, teams, "board {} team subscribers", t.id);
        assert_eq!(c.team_owners, t.team_owners.iter().map(|&x| i128::from(x)).collect::<Vec<_>>());
        assert_eq!(c.workspace_id, t.workspace_id);
        assert_eq!(c.creator_id, t.creator_id);
        assert_eq!(c.kind, t.kind.as_str());
        assert_eq!(c.state, t.state.as_str());
    }
}
