//! Every governance report, on a synced generated org, states what the org itself says:
//! expectations are computed from monday-sim's model, not from the store.

use crate::common;

use std::collections::{BTreeSet, HashSet};

use chrono::Utc;
use monday_api::ApiVersion;
use monday_sim::faults::FaultConfig;
use monday_sim::model::{UserKind, UserStatus};
use roster_engine::reports::{report, ReportError, ReportOptions};
use roster_engine::{sync_account, NoProgress};
use roster_store::prelude::*;
use roster_store::SqlStore;

fn column(r: &roster_engine::reports::Report, name: &str) -> BTreeSet<String> {
    let i = r.columns.iter().position(|c| *c == name).unwrap();
    r.rows.iter().map(|row| row[i].clone()).collect()
}

fn metric(r: &roster_engine::reports::Report, name: &str) -> String {
    r.rows.iter().find(|row| row[0].starts_with(name)).unwrap()[1].clone()
}

#[tokio::test]
async fn reports_state_what_the_org_says() {
    let mut org = common::org(600, 77);
    // One board owned only by a deactivated user, so `ownerless` has something to find.
    let gone = org.users.iter().find(|u| u.status == UserStatus::Inactive).unwrap().id;
    let lonely = org.boards.iter_mut().find(|b| b.team_owners.is_empty()).unwrap();
    lonely.owners = vec![gone];
    if !lonely.subscribers.contains(&gone) {
        lonely.subscribers.push(gone);
    }
    // A user created minutes ago, never active yet: not "inactive for 90 days".
    let fresh = org.users.iter_mut().find(|u| u.status == UserStatus::Active && u.kind == UserKind::Member).unwrap();
    (fresh.created_at, fresh.became_active_at, fresh.last_activity) =
        (Utc::now() - chrono::Duration::minutes(3), None, None);
    let fresh = fresh.id.to_string();
    let sim = common::sim(org.clone(), FaultConfig::default()).await;
    let client = common::client(&sim, ApiVersion::V2026_10, 3);
    let store = SqlStore::in_memory().await.unwrap();
    sync_account(&store, &client, "acme", &common::ALL, &NoProgress).await.unwrap();
    let sync = store.last_completed("acme").await.unwrap().unwrap().id;
    let o = ReportOptions::default();
    let ids = |f: &dyn Fn(&monday_sim::model::User) -> bool| -> BTreeSet<String> {
        org.users.iter().filter(|u| f(u)).map(|u| u.id.to_string()).collect()
    };

    let admins = report(&store, sync, "admins", &o).await.unwrap();
    assert_eq!(column(&admins, "id"), ids(&|u| u.kind == UserKind::Admin && u.status == UserStatus::Active));

    let days = 90;
    let idle = report(&store, sync, "inactive", &o).await.unwrap();
    let cutoff = Utc::now() - chrono::Duration::days(days);
    // Idle since the last sign of life: activity, else becoming active, else being created.
    let expected = ids(&|u| {
        u.status == UserStatus::Active && u.last_activity.or(u.became_active_at).unwrap_or(u.created_at) <= cutoff
    });
    assert_eq!(column(&idle, "id"), expected);
    assert!(!column(&idle, "id").contains(&fresh), "a user created minutes ago is not inactive");
    let exempt = org.users.iter().find(|u| expected.contains(&u.id.to_string())).unwrap().email.to_uppercase();
    let fewer = report(&store, sync, "inactive", &ReportOptions { exempt: vec![exempt], ..o.clone() }).await.unwrap();
    assert_eq!(fewer.rows.len(), expected.len() - 1, "an exempt user (any case) is left out");

    let domain = "acme-example.com";
    let external =
        report(&store, sync, "external", &ReportOptions { domains: vec![format!("@{domain}")], ..o.clone() })
            .await
            .unwrap();
    let outside =
        ids(&|u| u.status != UserStatus::Inactive && !u.email.to_lowercase().ends_with(&format!("@{domain}")));
    assert!(!outside.is_empty());
    assert_eq!(column(&external, "id"), outside);

    let open = report(&store, sync, "everyone-boards", &o).await.unwrap();
    let everyone: BTreeSet<String> = org.boards.iter().filter(|b| b.everyone).map(|b| b.id.to_string()).collect();
    assert!(!everyone.is_empty());
    assert_eq!(column(&open, "board"), everyone);

    let seats = report(&store, sync, "seats", &o).await.unwrap();
    let billable =
        ids(&|u| u.status == UserStatus::Active && matches!(u.kind, UserKind::Admin | UserKind::Member)).len();
    assert_eq!(metric(&seats, "billable"), billable.to_string());
    let non_people = ids(&|u| u.status == UserStatus::Active && !u.kind.is_person()).len();
    assert!(non_people > 0, "the generator makes service users and agents");
    assert_eq!(metric(&seats, "active service users"), non_people.to_string());
    assert_eq!(metric(&seats, "pending invitations"), ids(&|u| u.status == UserStatus::Pending).len().to_string());
    assert_eq!(metric(&seats, "max_users"), org.account.plan.max_users.to_string());

    // Boards without an active owner: no active direct owner and no active member of an owner team.
    let active: HashSet<u64> = org.users.iter().filter(|u| u.status == UserStatus::Active).map(|u| u.id).collect();
    let team_has_active =
        |t: &u64| org.teams.iter().any(|team| team.id == *t && team.members.iter().any(|m| active.contains(m)));
    let ownerless: BTreeSet<String> = org
        .boards
        .iter()
        .filter(|b| !b.owners.iter().any(|o| active.contains(o)) && !b.team_owners.iter().any(team_has_active))
        .map(|b| b.id.to_string())
        .collect();
    assert!(!ownerless.is_empty(), "the org has boards without an active owner to find");
    let r = report(&store, sync, "ownerless", &o).await.unwrap();
    let boards: BTreeSet<String> = r.rows.iter().filter(|row| row[0] == "board").map(|row| row[1].clone()).collect();
    assert_eq!(boards, ownerless);

    // Offboarding the user who owns the most boards alone.
    let leaver = org
        .users
        .iter()
        .filter(|u| u.status == UserStatus::Active)
        .max_by_key(|u| org.boards.iter().filter(|b| b.owners.contains(&u.id)).count())
        .unwrap();
    let plan = report(&store, sync, "offboarding", &ReportOptions { user: Some(leaver.email.clone()), ..o.clone() })
        .await
        .unwrap();
    let owned: BTreeSet<String> =
        org.boards.iter().filter(|b| b.owners.contains(&leaver.id)).map(|b| b.id.to_string()).collect();
    let listed: BTreeSet<String> = plan.rows.iter().filter(|row| row[0] == "board").map(|row| row[1].clone()).collect();
    assert!(!owned.is_empty());
    assert!(owned.is_subset(&listed), "every board the leaver owns is in the plan");
    assert_eq!(plan.rows.last().unwrap()[4], "then deactivate");
    for row in plan.rows.iter().filter(|row| row[0] == "board") {
        let step_alone = row[3] == "0";
        assert_eq!(row[4].starts_with("transfer"), step_alone, "{row:?}");
    }

    // Errors name the problem.
    assert!(matches!(report(&store, sync, "nope", &o).await, Err(ReportError::Unknown(_))));
    let e = report(&store, sync, "external", &o).await.unwrap_err().to_string();
    assert!(e.contains("--domain"), "{e}");
    let e = report(&store, sync, "offboarding", &ReportOptions { user: Some("nobody@x.io".into()), ..o.clone() })
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("nobody@x.io"), "{e}");
}

/// `unmanaged` on a generated org and a generated source of truth: the source drops some
/// people, marks some inactive and adds some monday.com does not have; the report names
/// exactly those, computed from the org, with each account's reach from the org's boards.
#[tokio::test]
async fn unmanaged_names_what_the_source_does_not_know() {
    use roster_core::scim_plan::DesiredUser;
    let org = common::org(300, 91);
    let sim = common::sim(org.clone(), FaultConfig::default()).await;
    let client = common::client(&sim, ApiVersion::V2026_10, 3);
    let store = SqlStore::in_memory().await.unwrap();
    sync_account(&store, &client, "acme", &common::ALL, &NoProgress).await.unwrap();
    let sync = store.last_completed("acme").await.unwrap().unwrap().id;
    let person = |email: &str, active: bool| DesiredUser {
        // The source writes e-mails its own way: case never matters.
        user_name: email.to_uppercase(),
        attributes: Default::default(),
        active,
        groups: vec![],
        origin: "hr.csv".into(),
    };
    let mut source = Vec::new();
    let (mut dropped, mut inactive) = (BTreeSet::new(), BTreeSet::new());
    for (i, u) in org.users.iter().enumerate() {
        match i % 7 {
            0 => {
                dropped.insert(u.id.to_string());
            }
            1 => {
                inactive.insert(u.id.to_string());
                source.push(person(&u.email, false));
            }
            _ => source.push(person(&u.email, true)),
        }
    }
    source.push(person("new.hire@acme.test", true));
    source.push(person("left.long.ago@acme.test", false));
    let o = ReportOptions { source: Some(source), ..ReportOptions::default() };
    let r = report(&store, sync, "unmanaged", &o).await.unwrap();
    let finding =
        |f: &str| -> BTreeSet<String> { r.rows.iter().filter(|row| row[0] == f).map(|row| row[1].clone()).collect() };
    let live = |ids: &BTreeSet<String>| -> BTreeSet<String> {
        org.users
            .iter()
            .filter(|u| ids.contains(&u.id.to_string()) && u.status != UserStatus::Inactive)
            .map(|u| u.id.to_string())
            .collect()
    };
    assert_eq!(finding("not in the source"), live(&dropped));
    assert_eq!(finding("inactive in the source"), live(&inactive));
    let missing: Vec<&str> =
        r.rows.iter().filter(|row| row[0] == "not in monday.com").map(|row| row[2].as_str()).collect();
    assert_eq!(missing, vec!["NEW.HIRE@ACME.TEST"], "only the source's active people are missing");
    // Each account's reach is what the org gives it: boards subscribed or owned, and boards
    // owned, directly or through a team.
    let boards_col = r.columns.iter().position(|c| *c == "boards").unwrap();
    let owned_col = r.columns.iter().position(|c| *c == "boards_owned").unwrap();
    for row in r.rows.iter().filter(|row| !row[1].is_empty()) {
        let id: u64 = row[1].parse().unwrap();
        let teams: BTreeSet<u64> = org.teams.iter().filter(|t| t.members.contains(&id)).map(|t| t.id).collect();
        let reach = org
            .boards
            .iter()
            .filter(|b| {
                b.subscribers.contains(&id)
                    || b.owners.contains(&id)
                    || b.team_subscribers.iter().chain(&b.team_owners).any(|t| teams.contains(t))
            })
            .count();
        let owned = org
            .boards
            .iter()
            .filter(|b| b.owners.contains(&id) || b.team_owners.iter().any(|t| teams.contains(t)))
            .count();
        assert_eq!(
            (row[boards_col].clone(), row[owned_col].clone()),
            (reach.to_string(), owned.to_string()),
            "user {id}"
        );
    }
    let e = report(&store, sync, "unmanaged", &ReportOptions::default()).await.unwrap_err();
    assert!(matches!(e, ReportError::Options { .. }) && e.to_string().contains("--source"), "{e}");

    // After each sync (`roster serve` with [accounts.source]): one event per account newly
    // unmanaged, none twice, and one when an account is managed again.
    let source = o.source.clone().unwrap();
    let now = chrono::Utc::now();
    let found = roster_engine::unmanaged::after_sync(&store, "acme", &source, now).await.unwrap();
    let want: BTreeSet<String> = live(&dropped).union(&live(&inactive)).cloned().collect();
    assert_eq!(found.iter().cloned().collect::<BTreeSet<_>>(), want);
    let events = |kind: &'static str| {
        let store = &store;
        async move {
            let q =
                roster_store::EventQuery { kind_prefix: Some(kind.into()), limit: Some(10_000), ..Default::default() };
            store.events(&q).await.unwrap().into_iter().map(|e| e.subject).collect::<Vec<_>>()
        }
    };
    assert_eq!(events("unmanaged_account").await.len(), want.len(), "one event each");
    roster_engine::unmanaged::after_sync(&store, "acme", &source, now).await.unwrap();
    assert_eq!(events("unmanaged_account").await.len(), want.len(), "nothing announced twice");
    // The HR export catches up with one of them; the next sync says it is resolved.
    let back = want.iter().next().unwrap().clone();
    let email = org.users.iter().find(|u| u.id.to_string() == back).unwrap().email.clone();
    let mut fixed = source.clone();
    fixed.retain(|p| !p.user_name.eq_ignore_ascii_case(&email));
    fixed.push(person(&email, true));
    sync_account(&store, &client, "acme", &common::ALL, &NoProgress).await.unwrap();
    let found = roster_engine::unmanaged::after_sync(&store, "acme", &fixed, now).await.unwrap();
    assert_eq!(found.len(), want.len() - 1);
    assert_eq!(events("unmanaged_account_resolved").await, vec![format!("user:{back}")]);
    assert_eq!(
        events("unmanaged_account").await.len(),
        want.len() + 1,
        "prefix includes the resolved one; no new finding"
    );
}
