//! The floors `roster bench` compares a sync with, computed from the generated org: the
//! fewest requests a complete read needs and the least complexity it can be charged, priced
//! by monday-sim's own cost model on the queries Roster sends.
//!
//! - Fewest requests: the account, the teams, a page per 1,000 users and per 100 boards and
//!   workspaces with every nested list inline, and for the lists longer than monday.com's
//!   largest nested page (100 teams of a board, 500 members of a workspace) one more request
//!   per 100 such objects (their next page of members, asked together by id).
//! - Least complexity: the account and the teams as read; users in full pages and a last page
//!   of exactly what is left; each board and workspace charged for each of its lists at
//!   exactly its length (a list's limit is its own: no page can ask less of a list than its
//!   length and still read it whole), plus the per-request `complexity` field of each page.
//!   No read can pay less: a real page charges every board on it for each list's one limit.

use anyhow::{anyhow, Result};
use monday_api::queries::{account, boards, teams, users, workspaces};
use monday_sim::{ApiVersion, Org, Sim};
use serde_json::json;

/// What a complete read of an org cannot go below.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub(super) struct Floors {
    pub requests: u64,
    pub complexity: u64,
}

const USERS_PAGE: u64 = 1_000;
const PAGE: u64 = 100;
/// monday.com's largest nested page, per list kind [INF: what monday-api asks at most].
const BOARD_TEAMS_MAX: usize = 100;
const WORKSPACE_MEMBERS_MAX: usize = 500;

/// The floors of reading `org` (the state filter "all": every board and workspace).
pub(super) fn floors(sim: &Sim, org: &Org) -> Result<Floors> {
    let v = ApiVersion::V2026_10;
    let price = |q: &str, vars: serde_json::Value| sim.query_cost(v, q, vars).map_err(|e| anyhow!("pricing: {e}"));
    let users_n = org.users.len() as u64;
    // The account with its roles, departments and service users; no id listing (a complete
    // read needs none: it is what keeps a snapshot complete while the lists move).
    let mut account_vars = json!({ "roles": true, "departments": true, "serviceUsers": true, "idsLimit": 500 });
    for n in 1..=8 {
        for (page, on) in [("b", "onB"), ("w", "onW")] {
            account_vars[format!("{page}{n}")] = json!(n);
            account_vars[format!("{on}{n}")] = json!(false);
        }
    }
    let mut complexity = price(account::QUERY, account_vars)? + price(teams::QUERY, json!({ "ids": null }))?;
    let mut left = users_n;
    let mut user_pages = 0;
    while left > 0 || user_pages == 0 {
        let limit = left.min(USERS_PAGE);
        complexity += price(users::QUERY, json!({ "limit": limit, "page": 1, "status": null }))?;
        left -= limit;
        user_pages += 1;
    }
    let board = |limit: u64, [owners, subscribers]: [usize; 2]| {
        price(
            boards::QUERY,
            json!({ "limit": limit, "page": 1, "state": "all", "kind": null, "workspaces": null, "ids": null,
                    "teamOwners": owners, "teamSubscribers": subscribers }),
        )
    };
    let board_overhead = board(0, [0, 0])?;
    let board_pages = (org.boards.len() as u64).div_ceil(PAGE).max(1);
    complexity += board_pages * board_overhead;
    let (mut long_boards, mut long_workspaces) = (0u64, 0u64);
    for b in &org.boards {
        let lists = [b.team_owners.len(), b.team_subscribers.len() + usize::from(b.everyone)];
        complexity += board(1, lists)? - board_overhead;
        long_boards += u64::from(lists.iter().any(|&n| n > BOARD_TEAMS_MAX));
    }
    let workspace = |limit: u64, [owners, members, team_owners, teams]: [usize; 4]| {
        price(
            workspaces::QUERY,
            json!({ "limit": limit, "page": 1, "state": "all", "ids": null,
                    "owners": owners, "members": members, "teamOwners": team_owners, "teams": teams }),
        )
    };
    let workspace_overhead = workspace(0, [0; 4])?;
    let workspace_pages = (org.workspaces.len() as u64).div_ceil(PAGE).max(1);
    complexity += workspace_pages * workspace_overhead;
    for w in &org.workspaces {
        let lists = [w.owners.len(), w.members.len(), w.team_owners.len(), w.team_members.len()];
        complexity += workspace(1, lists)? - workspace_overhead;
        long_workspaces += u64::from(lists.iter().any(|&n| n > WORKSPACE_MEMBERS_MAX));
    }
    let extra = long_boards.div_ceil(PAGE) + long_workspaces.div_ceil(PAGE);
    Ok(Floors { requests: 2 + user_pages + board_pages + workspace_pages + extra, complexity })
}
