//! The client's streams return exactly the ground truth of a generated org, on both API
//! versions: every user (all statuses), team, workspace (members paged past 500) and board
//! (team subscribers paged past one page, "everyone" included).

use crate::common;

use common::*;
use monday_api::ApiVersion;
use monday_sim::faults::FaultConfig;
use monday_sim::limits::LimitsConfig;

#[tokio::test]
async fn every_stream_equals_the_dump_on_both_versions() {
    let org = org(1500, 71);
    assert!(org.workspaces.iter().any(|w| w.members.len() > 500), "a workspace needs more than one full page");
    assert!(org.boards.iter().any(|b| b.team_subscribers.len() > 25), "a board needs more than one team page");
    assert!(org.boards.iter().any(|b| b.subscribers.len() == 400));
    let sim = sim(org.clone(), LimitsConfig::default(), FaultConfig::default()).await;
    // Every version, one page at a time and (2026-10) with pages asked ahead: the same lists.
    for (version, look_ahead) in [(ApiVersion::V2026_07, 1), (ApiVersion::V2026_10, 1), (ApiVersion::V2026_10, 4)] {
        let mut cfg = client(&sim, version, ADMIN).config().clone();
        cfg.look_ahead = look_ahead;
        let c = monday_api::Client::new(cfg).unwrap();
        let snap = read_all(&c).await.unwrap_or_else(|e| panic!("{version}: {e}"));
        // A full read of this org fits monday's default budget: no rate limit was ever hit.
        assert_eq!(sim.sim.stats().by_status.get(&429), None, "{version}: {:?}", sim.sim.stats());
        assert_matches(&snap, &org);
        let m = c.metrics();
        assert_eq!(m.failed, 0);
        assert!(m.complexity > 0, "complexity is counted");
    }
    let account = client(&sim, ApiVersion::V2026_07, ADMIN).account().await.unwrap();
    assert_eq!(account.id, org.account.id);
    assert_eq!(account.plan.as_ref().map(|p| p.max_users), Some(org.account.plan.max_users as i64));
    assert_eq!(account.api_version, "2026-07");
    assert_eq!(account.me_id, org.users[0].id);
    // The roles: the four basic ones, then the custom ones, which some users hold.
    let roles = client(&sim, ApiVersion::V2026_07, ADMIN).account_roles().await.unwrap();
    let roles: Vec<(u64, &str, bool)> = roles.iter().map(|r| (r.id, r.name.as_str(), r.custom)).collect();
    let mut want = vec![(1, "admin", false), (2, "member", false), (3, "view_only", false), (4, "guest", false)];
    want.extend(org.custom_roles.iter().map(|r| (r.id, r.name.as_str(), true)));
    assert_eq!(roles, want);
    assert!(org.users.iter().any(|u| u.role_id.is_some()), "some users hold a custom role");
}

#[tokio::test]
async fn page_sizes_stay_under_the_single_query_cap() {
    // With a per-query cap so low that 100 boards do not fit, the client halves its pages
    // and still returns everything.
    let org = org(400, 72);
    let limits = LimitsConfig { max_query_complexity: Some(60_000), ..LimitsConfig::unlimited() };
    let sim = sim(org.clone(), limits, FaultConfig::default()).await;
    let c = client(&sim, ApiVersion::V2026_10, ADMIN);
    let snap = read_all(&c).await.expect("read");
    assert_matches(&snap, &org);
}
