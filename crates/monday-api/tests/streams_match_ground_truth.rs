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

    // The overview reads all of that, the departments, the service users and the ids of every
    // board and workspace in one request.
    let c = client(&sim, ApiVersion::V2026_10, ADMIN);
    let all = monday_api::BoardFilter { state: monday_api::StateFilter::All, ..Default::default() };
    let listings = monday_api::Listings {
        boards: Some((all.clone(), None)),
        workspaces: Some((monday_api::StateFilter::All, Some(org.workspaces.len() as u64))),
    };
    let o = c.account_overview(&listings).await.unwrap();
    assert_eq!(c.metrics().requests, 1);
    let mut boards: Vec<u64> = org.boards.iter().map(|b| b.id).collect();
    let mut workspaces: Vec<u64> = org.workspaces.iter().map(|w| w.id).collect();
    boards.sort_unstable();
    workspaces.sort_unstable();
    let sorted = |mut v: Vec<u64>| {
        v.sort_unstable();
        v
    };
    assert_eq!(o.board_ids.clone().map(sorted), Some(boards));
    assert_eq!(o.workspace_ids.clone().map(sorted), Some(workspaces));
    let alone = client(&sim, ApiVersion::V2026_10, ADMIN);
    assert_eq!(o.account, alone.account().await.unwrap());
    assert_eq!(o.roles, alone.account_roles().await.unwrap());
    assert_eq!(o.departments, alone.departments().await.unwrap());
    assert!(!o.departments.is_empty());
    assert_eq!(o.service_users, alone.service_users().await.unwrap());
    // A member's token may not read service users: the whole overview is refused, and says so.
    let e = client(&sim, ApiVersion::V2026_10, roster_testkit::MEMBER).account_overview(&listings).await.unwrap_err();
    assert!(matches!(e, monday_api::Error::Forbidden { .. } | monday_api::Error::Application { .. }), "{e:?}");
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

#[tokio::test]
async fn long_nested_lists_are_read_again_together_not_one_object_a_request() {
    use futures::TryStreamExt;
    let org = org(6000, 73);
    // Lists that fill the inline limit of a first read (boards 5, workspaces 25): each such board or workspace was
    // re-read in a request of its own.
    let long_boards =
        org.boards.iter().filter(|b| b.team_subscribers.len() + 1 >= 5 || b.team_owners.len() >= 5).count();
    let long_workspaces = org
        .workspaces
        .iter()
        .filter(|w| {
            [w.members.len(), w.owners.len(), w.team_members.len(), w.team_owners.len()].iter().any(|&n| n >= 25)
        })
        .count();
    let sim = sim(org.clone(), LimitsConfig::default(), FaultConfig::default()).await;
    let c = client(&sim, ApiVersion::V2026_10, ADMIN);
    let asked = |field: &str| sim.sim.stats().root_fields.get(field).copied().unwrap_or(0);
    let boards: Vec<Vec<monday_api::Board>> = c
        .boards(monday_api::BoardFilter { state: monday_api::StateFilter::All, ..Default::default() })
        .try_collect()
        .await
        .unwrap();
    let pages = boards.len() as u64;
    let rereads = asked("boards") - pages;
    // One request per window of 8 pages and limit group, and one more page of teams for
    // the lists longer than that request's limit (100); and an empty page may end the list.
    let windows = pages.div_ceil(8);
    let past_100 = u64::from(org.boards.iter().any(|b| b.team_subscribers.len() >= 100));
    assert!(long_boards as u64 > 2 * windows, "the org has {long_boards} long boards");
    assert!(
        rereads <= windows * (1 + past_100) + 1,
        "{rereads} re-reads for {long_boards} long boards in {pages} pages"
    );
    let workspaces: Vec<Vec<monday_api::Workspace>> =
        c.workspaces(monday_api::StateFilter::All).try_collect().await.unwrap();
    let rereads = asked("workspaces") - workspaces.len() as u64;
    let longest = org.workspaces.iter().map(|w| w.members.len()).max().unwrap_or(0) as u64;
    // Workspaces not seen before are re-read at 100 members, then each round reads as many
    // as all rounds before (while that stays within 500): 100, 100, 200, 400 for 601.
    let mut rounds = 1;
    let (mut read, mut last) = (100u64, 100u64);
    while read <= longest {
        last = if read <= 500 { read } else { last };
        read += last;
        rounds += 1;
    }
    // 4 lists of 100 a workspace: 100 workspaces a request.
    let batches = (long_workspaces as u64).div_ceil(100);
    assert!(long_workspaces > 2, "the org has {long_workspaces} long workspaces");
    assert!(
        rereads <= batches * rounds + 1,
        "{rereads} re-reads for {long_workspaces} long workspaces ({rounds} rounds)"
    );
    // And every list whole, as the ground truth has it.
    assert_matches(&read_all(&c).await.unwrap(), &org);
}
