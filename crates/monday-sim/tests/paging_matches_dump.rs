//! Paging through every user, team, workspace and board returns each exactly once, and the
//! sets equal the ground truth `dump` writes.

use crate::common;

use std::collections::BTreeSet;

use common::*;
use monday_sim::model::{State, UserStatus};

#[tokio::test]
async fn every_user_exactly_once_on_both_versions() {
    let org = org(1000, 11);
    let truth: BTreeSet<u64> = org.users.iter().map(|u| u.id).collect();
    let sim = start(org).await;
    for version in ["2026-07", "2026-10"] {
        let mut seen = Vec::new();
        for page in 1.. {
            let q = format!("{{ users(limit: 100, page: {page}, status: [ACTIVE, INACTIVE, PENDING]) {{ id }} }}");
            let a = gql(&sim, ADMIN, Some(version), &q, serde_json::json!({})).await;
            assert_eq!(a.header("api-version"), Some(version));
            let got = ids(&a.body["data"]["users"]);
            let short = got.len() < 100;
            seen.extend(got);
            if short {
                break;
            }
        }
        let set: BTreeSet<u64> = seen.iter().copied().collect();
        assert_eq!(set.len(), seen.len(), "{version}: a user came back twice");
        assert_eq!(set, truth, "{version}: paged users differ from the dump");
    }
}

#[tokio::test]
async fn default_users_query_leaves_deactivated_users_out() {
    let org = org(300, 12);
    let enabled: BTreeSet<u64> = org.users.iter().filter(|u| u.status != UserStatus::Inactive).map(|u| u.id).collect();
    assert!(enabled.len() < org.users.len(), "the org must have deactivated users");
    let sim = start(org).await;
    let d = data(&sim, "{ users(limit: 1000) { id } }").await;
    assert_eq!(ids(&d["users"]).into_iter().collect::<BTreeSet<_>>(), enabled);
    // The default page is 200.
    let d = data(&sim, "{ users { id } }").await;
    assert_eq!(d["users"].as_array().map(Vec::len), Some(200));
}

#[tokio::test]
async fn boards_and_workspaces_in_all_states_match_the_dump() {
    let org = org(1000, 13);
    let boards: BTreeSet<u64> = org.boards.iter().map(|b| b.id).collect();
    let active: BTreeSet<u64> = org.boards.iter().filter(|b| b.state == State::Active).map(|b| b.id).collect();
    let workspaces: BTreeSet<u64> = org.workspaces.iter().map(|w| w.id).collect();
    let sim = start(org).await;
    let mut seen = Vec::new();
    for page in 1.. {
        let d = data(&sim, &format!("{{ boards(limit: 50, page: {page}, state: all) {{ id }} }}")).await;
        let got = ids(&d["boards"]);
        let short = got.len() < 50;
        seen.extend(got);
        if short {
            break;
        }
    }
    assert_eq!(seen.iter().copied().collect::<BTreeSet<_>>(), boards);
    assert_eq!(seen.len(), boards.len());
    let d = data(&sim, "{ boards(limit: 500) { id } }").await;
    assert_eq!(ids(&d["boards"]).into_iter().collect::<BTreeSet<_>>(), active, "default state is active");
    let d = data(&sim, "{ workspaces(limit: 500, state: all) { id } }").await;
    assert_eq!(ids(&d["workspaces"]).into_iter().collect::<BTreeSet<_>>(), workspaces);
}

#[tokio::test]
async fn board_members_and_nested_pages_match_the_dump() {
    let org = org(1000, 14);
    let sim = start(org.clone()).await;
    // The generator puts boards at the 400-subscriber limit and boards with 60 team subscribers.
    let big = org.boards.iter().find(|b| b.subscribers.len() == 400).expect("a board at the limit");
    let teamy = org.boards.iter().find(|b| b.team_subscribers.len() > 25).expect("a board with many teams");
    let d = data(
        &sim,
        &format!(
            "{{ boards(ids: [{}], state: all) {{ subscribers {{ id }} owners {{ id }} creator {{ id }} }} }}",
            big.id
        ),
    )
    .await;
    assert_eq!(ids(&d["boards"][0]["subscribers"]), big.subscribers);
    assert_eq!(ids(&d["boards"][0]["owners"]), big.owners);
    assert_eq!(ids(&[d["boards"][0]["creator"].clone()].into_iter().collect()), vec![big.creator_id]);
    let mut teams = Vec::new();
    for page in 1.. {
        let q = format!(
            "{{ boards(ids: [{}], state: all) {{ team_subscribers(limit: 25, page: {page}) {{ id }} }} }}",
            teamy.id
        );
        let d = data(&sim, &q).await;
        let got: Vec<i64> = d["boards"][0]["team_subscribers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap().parse().unwrap())
            .collect();
        let short = got.len() < 25;
        teams.extend(got);
        if short {
            break;
        }
    }
    let mut want: Vec<i64> = teamy.team_subscribers.iter().map(|&t| t as i64).collect();
    if teamy.everyone {
        want.insert(0, -1);
    }
    assert_eq!(teams, want);
    // Workspaces: members, owners and teams, paged by 25 by default.
    let ws = org.workspaces.iter().max_by_key(|w| w.members.len()).unwrap();
    assert!(ws.members.len() > 25, "need a workspace with more than one page of members");
    let d =
        data(&sim, &format!("{{ workspaces(ids: [{}], state: all) {{ users_subscribers {{ id }} }} }}", ws.id)).await;
    assert_eq!(ids(&d["workspaces"][0]["users_subscribers"]), ws.members[..25].to_vec());
    let mut members = Vec::new();
    for page in 1.. {
        let q = format!(
            "{{ workspaces(ids: [{}], state: all) {{ users_subscribers(limit: 500, page: {page}) {{ id }} }} }}",
            ws.id
        );
        let got = ids(&data(&sim, &q).await["workspaces"][0]["users_subscribers"]);
        let short = got.len() < 500;
        members.extend(got);
        if short {
            break;
        }
    }
    assert_eq!(members, ws.members);
    let q = format!(
        "{{ workspaces(ids: [{}], state: all) {{ owners_subscribers(limit: 500) {{ id }} teams_subscribers {{ id }} team_owners_subscribers {{ id }} }} }}",
        ws.id
    );
    let d = data(&sim, &q).await;
    let w = &d["workspaces"][0];
    assert_eq!(ids(&w["owners_subscribers"]), ws.owners);
    assert_eq!(ids(&w["teams_subscribers"]), ws.team_members);
    assert_eq!(ids(&w["team_owners_subscribers"]), ws.team_owners);
}

#[tokio::test]
async fn teams_and_memberships_match_the_dump() {
    let org = org(500, 15);
    let sim = start(org.clone()).await;
    let d = data(&sim, "{ teams { id name is_guest owners { id } users(non_active: false) { id } } }").await;
    let teams = d["teams"].as_array().unwrap();
    assert_eq!(teams.len(), org.teams.len());
    let enabled: BTreeSet<u64> = org.users.iter().filter(|u| u.status != UserStatus::Inactive).map(|u| u.id).collect();
    for (t, truth) in teams.iter().zip(&org.teams) {
        assert_eq!(t["name"], truth.name.as_str());
        assert_eq!(ids(&t["owners"]), truth.owners);
        let want: Vec<u64> = truth.members.iter().copied().filter(|m| enabled.contains(m)).collect();
        assert_eq!(ids(&t["users"]), want);
    }
}

#[tokio::test]
async fn state_endpoint_is_the_dump() {
    let org = org(100, 16);
    let sim = start(org.clone()).await;
    let a = client().get(format!("{}/_sim/state", sim.url())).send().await.unwrap();
    let served: monday_sim::Org = a.json().await.unwrap();
    assert_eq!(served, monday_sim::World::new(org).unwrap().into_org());
}
