//! SCIM reconcile on monday-sim: from an empty account, a drifted one, with renamed groups and
//! users who left; a second plan is empty; the GraphQL view agrees; the guard and stale plans.

use crate::common;

use std::path::PathBuf;

use common::*;
use monday_api::ApiVersion;
use monday_sim::faults::FaultConfig;
use monday_sim::model::{UserKind, UserStatus};
use monday_sim::{generate, GenConfig, RunningSim};
use roster_core::scim_plan::{ReconcileOptions, ScimStep};
use roster_core::Guard;
use roster_engine::scim::{apply_plan, make_plan, source::default_mapping, ReconcileError};
use roster_engine::{sync_account, NoProgress};
use roster_store::prelude::*;
use roster_store::{EventQuery, SqlStore};
use scim_client::{ScimConfig, ScimToken};

fn scim_cfg(sim: &RunningSim) -> ScimConfig {
    ScimConfig::new(format!("{}/scim/v2", sim.url()).parse().unwrap(), ScimToken::new("sim-scim-token"))
}

fn source(name: &str, text: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("roster-scim-{}-{name}", std::process::id()));
    std::fs::write(&p, text).unwrap();
    p
}

fn people(n: usize, leavers: usize) -> String {
    let mut s = String::from("email,first_name,last_name,title,user_type,active,groups,external_id\n");
    for i in leavers..n {
        let group = if i % 2 == 0 { "Engineering" } else { "Sales" };
        let kind = if i == 0 { "admin" } else { "member" };
        s.push_str(&format!(
            "person{i}@acme-example.com,Per,Son {i},Title {i},{kind},true,{group};All Staff,ext-{i}\n"
        ));
    }
    s
}

async fn empty_account() -> RunningSim {
    let org = generate(&GenConfig { users: 3, teams: 0, workspaces: 0, boards: 0, ..GenConfig::default() }).unwrap();
    sim(org, FaultConfig::default()).await
}

#[tokio::test]
async fn from_empty_to_converged_and_graphql_agrees() {
    let sim = empty_account().await;
    let store = SqlStore::in_memory().await.unwrap();
    let cfg = scim_cfg(&sim);
    let src = source("empty.csv", &people(20, 0));
    let plan = make_plan("acme", &cfg, &src, &default_mapping(), ReconcileOptions::default()).await.unwrap();
    let creates = plan.steps.iter().filter(|s| matches!(s, ScimStep::CreateUser { .. })).count();
    let groups = plan.steps.iter().filter(|s| matches!(s, ScimStep::CreateGroup { .. })).count();
    assert_eq!((creates, groups), (20, 3), "{:#?}", plan.steps);
    let r = apply_plan(&store, "acme", &cfg, &plan, Some(Guard::default())).await.unwrap();
    assert!(r.failed.is_empty(), "{:?}", r.failed);
    // Convergence: a second plan is empty.
    let again = make_plan("acme", &cfg, &src, &default_mapping(), ReconcileOptions::default()).await.unwrap();
    assert_eq!(again.steps, vec![], "converged");
    // The GraphQL view agrees.
    let c = client(&sim, ApiVersion::V2026_10, 3);
    sync_account(&store, &c, "acme", &ALL, &NoProgress).await.unwrap();
    let snap = store.last_completed("acme").await.unwrap().unwrap();
    let p0 = store.find_user(snap.id, "person0@acme-example.com").await.unwrap().unwrap();
    assert_eq!((p0.role.as_str(), p0.name.as_str(), p0.title.as_str()), ("admin", "Per Son 0", "Title 0"));
    let teams = store.resources(snap.id, roster_core::ResourceType::Team).await.unwrap();
    let eng = teams.iter().find(|t| t.name == "Engineering").unwrap();
    let members = store.grants_on(snap.id, roster_core::ResourceType::Team, &eng.id).await.unwrap();
    assert_eq!(members.iter().filter(|g| g.entitlement.slug == "member").count(), 10);
    // Each SCIM call is an event with JumpCloud's names.
    let evs = store.events(&EventQuery { kind_prefix: Some("scim".into()), ..EventQuery::default() }).await.unwrap();
    assert_eq!(evs.iter().filter(|e| e.kind == "scim.user_create_provision").count(), 20);
    assert_eq!(evs.iter().filter(|e| e.kind == "scim.group_create_provision").count(), 3);
}

#[tokio::test]
async fn drift_renames_and_leavers() {
    let sim = empty_account().await;
    let store = SqlStore::in_memory().await.unwrap();
    let cfg = scim_cfg(&sim);
    let first = source("first.yaml", "users:\n  - {email: a@acme-example.com, title: Dev, groups: [Engineering]}\n  - {email: b@acme-example.com, title: Dev, groups: [Engineering]}\n  - {email: c@acme-example.com, title: Ops, groups: [Engineering]}\ngroups:\n  - {name: Engineering, external_id: g-eng}\n");
    let plan = make_plan("acme", &cfg, &first, &default_mapping(), ReconcileOptions::default()).await.unwrap();
    apply_plan(&store, "acme", &cfg, &plan, None).await.unwrap();
    // Drift in monday.com: someone changes a title by hand (GraphQL side).
    let mut org = sim.sim.world().org().clone();
    org.users.iter_mut().find(|u| u.email == "a@acme-example.com").unwrap().title = "Changed by hand".into();
    sim.sim.replace(org).unwrap();
    // The source: the group is renamed (same external id), c@ left, a@ is promoted.
    let second = source("second.yaml", "users:\n  - {email: a@acme-example.com, title: Lead, user_type: admin, groups: [Platform]}\n  - {email: b@acme-example.com, title: Dev, groups: [Platform]}\ngroups:\n  - {name: Platform, external_id: g-eng}\n");
    let plan = make_plan("acme", &cfg, &second, &default_mapping(), ReconcileOptions::default()).await.unwrap();
    let shown: Vec<String> = plan.steps.iter().map(ScimStep::describe).collect();
    assert!(
        shown.iter().any(|s| s.starts_with("update user a@acme-example.com")
            && s.contains("title: Changed by hand → Lead")
            && s.contains("userType: member → admin")),
        "{shown:#?}"
    );
    assert!(shown.contains(&"deactivate user c@acme-example.com (not in the source)".to_string()), "{shown:#?}");
    assert!(shown.contains(&"rename group \"Engineering\" to \"Platform\"".to_string()), "{shown:#?}");
    // c@ left the source: it is deactivated and keeps its team (the source no longer speaks for
    // it; a deactivated user reaches nothing either way).
    assert!(!shown.iter().any(|s| s.starts_with("remove")), "{shown:#?}");
    apply_plan(&store, "acme", &cfg, &plan, None).await.unwrap();
    let w = sim.sim.world();
    let by = |e: &str| w.users().iter().find(|u| u.email == e).unwrap().clone();
    assert_eq!(by("c@acme-example.com").status, UserStatus::Inactive, "users who left are deactivated, not deleted");
    assert_eq!(by("a@acme-example.com").kind, UserKind::Admin);
    let team = w.teams().iter().find(|t| t.name == "Platform").unwrap();
    assert_eq!(team.members.len(), 3);
    assert_eq!(
        make_plan("acme", &cfg, &second, &default_mapping(), ReconcileOptions::default()).await.unwrap().steps,
        vec![]
    );
}

#[tokio::test]
async fn existing_users_and_teams_are_adopted_not_duplicated() {
    let org = generate(&GenConfig { users: 40, teams: 3, workspaces: 0, boards: 0, ..GenConfig::default() }).unwrap();
    let manual = org
        .users
        .iter()
        .find(|u| u.status == UserStatus::Active && u.invitation_method != monday_sim::model::InvitationMethod::Scim)
        .unwrap()
        .clone();
    let team = org.teams[1].name.clone();
    let sim = sim(org, FaultConfig::default()).await;
    let cfg = scim_cfg(&sim);
    let src = source("adopt.csv", &format!("email,groups\n{},{team}\n", manual.email.to_uppercase()));
    let plan = make_plan("acme", &cfg, &src, &default_mapping(), ReconcileOptions::default()).await.unwrap();
    assert!(
        !plan.steps.iter().any(|s| matches!(s, ScimStep::CreateUser { .. } | ScimStep::CreateGroup { .. })),
        "{:#?}",
        plan.steps
    );
}

#[tokio::test]
async fn the_guard_and_stale_plans() {
    let sim = empty_account().await;
    let store = SqlStore::in_memory().await.unwrap();
    let cfg = scim_cfg(&sim);
    let all = source("all.csv", &people(30, 0));
    apply_plan(
        &store,
        "acme",
        &cfg,
        &make_plan("acme", &cfg, &all, &default_mapping(), ReconcileOptions::default()).await.unwrap(),
        None,
    )
    .await
    .unwrap();
    // Twelve people left at once: the guard stops it.
    let fewer = source("fewer.csv", &people(30, 12));
    let plan = make_plan("acme", &cfg, &fewer, &default_mapping(), ReconcileOptions::default()).await.unwrap();
    let state = serde_json::to_string(sim.sim.world().org()).unwrap();
    let e = apply_plan(&store, "acme", &cfg, &plan, Some(Guard::default())).await.unwrap_err();
    assert!(matches!(e, ReconcileError::MassChange(_)), "{e}");
    assert_eq!(serde_json::to_string(sim.sim.world().org()).unwrap(), state, "nothing applied");
    // The state changes after the plan was made: apply refuses.
    let mut org = sim.sim.world().org().clone();
    org.users.iter_mut().find(|u| u.email == "person5@acme-example.com").unwrap().title = "Moved".into();
    sim.sim.replace(org).unwrap();
    let e = apply_plan(&store, "acme", &cfg, &plan, None).await.unwrap_err();
    assert!(matches!(e, ReconcileError::Stale { .. }), "{e}");
    assert!(e.to_string().contains("roster scim plan"));
}

#[tokio::test]
async fn bad_source_files_apply_nothing() {
    let sim = empty_account().await;
    let cfg = scim_cfg(&sim);
    let state = serde_json::to_string(sim.sim.world().org()).unwrap();
    let bad = source("bad.csv", "email,user_type\nok@acme-example.com,member\nbroken,member\nok@acme-example.com,member\nz@acme-example.com,boss\n");
    let e =
        make_plan("acme", &cfg, &bad, &default_mapping(), ReconcileOptions::default()).await.unwrap_err().to_string();
    assert!(e.contains("line 3") && e.contains("line 4") && e.contains("line 5"), "{e}");
    assert_eq!(serde_json::to_string(sim.sim.world().org()).unwrap(), state);
}

/// A generated account whose teams share names ("People & Culture" more than once), with
/// deactivated, pending and guest users and SCIM-provisioned teams.
async fn account_with_duplicate_team_names() -> (RunningSim, monday_sim::model::Org) {
    let org =
        generate(&GenConfig { users: 300, teams: 40, workspaces: 4, boards: 30, seed: 5, ..GenConfig::default() })
            .unwrap();
    let mut names = std::collections::BTreeMap::<&str, usize>::new();
    for t in &org.teams {
        *names.entry(t.name.as_str()).or_default() += 1;
    }
    assert!(names.values().any(|n| *n > 1), "the generated org has teams that share a name");
    (sim(org.clone(), FaultConfig::default()).await, org)
}

#[tokio::test]
async fn import_then_plan_is_empty_with_duplicate_team_names() {
    let (sim, _) = account_with_duplicate_team_names().await;
    let cfg = scim_cfg(&sim);
    for ext in ["csv", "json", "yaml"] {
        let path = std::env::temp_dir().join(format!("roster-roundtrip-{}.{ext}", std::process::id()));
        roster_engine::scim::import::import(&cfg, &path).await.unwrap();
        let plan = make_plan("acme", &cfg, &path, &default_mapping(), ReconcileOptions::default()).await.unwrap();
        let shown: Vec<String> = plan.steps.iter().map(ScimStep::describe).collect();
        assert_eq!(shown, Vec::<String>::new(), "import then plan ({ext}) changes nothing");
    }
}

#[tokio::test]
async fn a_blank_groups_column_deletes_no_team_and_removes_no_one() {
    let (sim, org) = account_with_duplicate_team_names().await;
    let cfg = scim_cfg(&sim);
    let path = std::env::temp_dir().join(format!("roster-blank-{}.csv", std::process::id()));
    roster_engine::scim::import::import(&cfg, &path).await.unwrap();
    // Blank the groups column (the last one).
    let text = std::fs::read_to_string(&path).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(r.headers().unwrap()).unwrap();
    for row in r.records() {
        let row = row.unwrap();
        let mut cells: Vec<String> = row.iter().map(str::to_string).collect();
        let last = cells.len() - 1;
        cells[last] = String::new();
        w.write_record(&cells).unwrap();
    }
    std::fs::write(&path, w.into_inner().unwrap()).unwrap();
    let plan = make_plan("acme", &cfg, &path, &default_mapping(), ReconcileOptions::default()).await.unwrap();
    assert!(
        !plan.steps.iter().any(|s| matches!(s, ScimStep::DeleteGroup { .. } | ScimStep::RemoveMembers { .. })),
        "groups the source does not name are left alone: {:#?}",
        plan.steps.iter().map(ScimStep::describe).collect::<Vec<_>>()
    );
    assert_eq!(org.teams.len(), sim.sim.world().teams().len());
}

#[tokio::test]
async fn same_named_groups_with_distinct_external_ids_are_not_merged() {
    let sim = empty_account().await;
    let store = SqlStore::in_memory().await.unwrap();
    let cfg = scim_cfg(&sim);
    let src = source(
        "twins.yaml",
        "users:\n  - {email: a@acme-example.com, groups: ['People & Culture [external_id:hr-1]']}\n  - {email: b@acme-example.com, groups: ['People & Culture [external_id:hr-2]']}\ngroups:\n  - {name: People & Culture, external_id: hr-1}\n  - {name: People & Culture, external_id: hr-2}\n",
    );
    let plan = make_plan("acme", &cfg, &src, &default_mapping(), ReconcileOptions::default()).await.unwrap();
    let creates = plan.steps.iter().filter(|s| matches!(s, ScimStep::CreateGroup { .. })).count();
    assert_eq!(creates, 2, "{:#?}", plan.steps);
    // monday-sim's SCIM refuses a second group of one name (409): that step is reported as
    // failed, and b@ is not put into hr-1's team instead.
    let r = apply_plan(&store, "acme", &cfg, &plan, None).await.unwrap();
    assert_eq!(r.failed.len(), 1, "{:?}", r.failed);
    let mut org = sim.sim.world().org().clone();
    let first = org.teams.iter().find(|t| t.external_id.as_deref() == Some("hr-1")).unwrap().clone();
    let b = org.users.iter().find(|u| u.email == "b@acme-example.com").unwrap().id;
    assert!(!first.members.contains(&b), "the two groups were not merged");
    // The twin made by hand (GraphQL allows two teams of one name): now the source converges.
    org.teams.push(monday_sim::model::Team {
        id: first.id + 1000,
        external_id: Some("hr-2".into()),
        members: vec![b],
        owners: vec![],
        ..first
    });
    sim.sim.replace(org).unwrap();
    let again = make_plan("acme", &cfg, &src, &default_mapping(), ReconcileOptions::default()).await.unwrap();
    assert_eq!(again.steps, vec![], "converged, two teams of one name");
    assert_eq!(sim.sim.world().teams().iter().filter(|t| t.name == "People & Culture").count(), 2);
    // A bare name that matches both is refused, naming the candidates.
    let bare = source("bare.csv", "email,groups\na@acme-example.com,People & Culture\n");
    let e = make_plan("acme", &cfg, &bare, &default_mapping(), ReconcileOptions::default()).await.unwrap_err();
    let e = e.to_string();
    assert!(e.contains("People & Culture") && e.contains("[id:"), "{e}");
}

/// `roster scim import` defuses cells a spreadsheet would run (titles like `=HYPERLINK(...)`,
/// `  +1`, full-width `＝`), and reading the file back restores them: the plan stays empty.
#[tokio::test]
async fn import_defuses_formulas_and_reads_them_back() {
    let mut org =
        generate(&GenConfig { users: 30, teams: 2, workspaces: 0, boards: 0, ..GenConfig::default() }).unwrap();
    let titles = ["=HYPERLINK(\"http://evil.example\")", "  +1+1", "\u{FF1D}SUM(A1)", "@cmd", "-2"];
    let scim: Vec<usize> =
        (0..org.users.len()).filter(|i| org.users[*i].status == UserStatus::Active).take(5).collect();
    for (i, t) in scim.iter().zip(titles) {
        org.users[*i].title = t.to_string();
    }
    let sim = sim(org, FaultConfig::default()).await;
    let cfg = scim_cfg(&sim);
    let path = std::env::temp_dir().join(format!("roster-formulas-{}.csv", std::process::id()));
    roster_engine::scim::import::import(&cfg, &path).await.unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    for row in r.records() {
        for cell in row.unwrap().iter() {
            let t = cell.trim_start();
            assert!(!t.starts_with(['=', '+', '-', '@', '\u{FF1D}']), "a live formula in the file: {cell:?}");
        }
    }
    let plan = make_plan("acme", &cfg, &path, &default_mapping(), ReconcileOptions::default()).await.unwrap();
    assert_eq!(plan.steps, vec![], "read back whole");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 8, failure_persistence: None, rng_seed: proptest::test_runner::RngSeed::Fixed(0x5eed), ..Default::default() })]

    /// For any generated account (teams sharing names, deactivated, pending and guest users,
    /// SCIM-made and hand-made teams), `import` then `plan` is empty in every format.
    #[test]
    fn import_then_plan_is_empty_for_any_account(seed in 1u64..100_000, users in 20usize..120, teams in 2usize..40) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let org = generate(&GenConfig { users, teams, workspaces: 2, boards: 6, seed, ..GenConfig::default() }).unwrap();
            let sim = sim(org, FaultConfig::default()).await;
            let cfg = scim_cfg(&sim);
            for ext in ["csv", "json", "yaml"] {
                let path = std::env::temp_dir().join(format!("roster-prop-{}-{seed}.{ext}", std::process::id()));
                roster_engine::scim::import::import(&cfg, &path).await.unwrap();
                let plan = make_plan("acme", &cfg, &path, &default_mapping(), ReconcileOptions::default()).await.unwrap();
                let shown: Vec<String> = plan.steps.iter().map(ScimStep::describe).collect();
                proptest::prop_assert_eq!(shown, Vec::<String>::new(), "{}", ext);
                let _ = std::fs::remove_file(&path);
            }
            Ok(())
        })?;
    }
}

#[tokio::test]
async fn a_scim_plan_that_takes_access_waits_for_a_second_admin() {
    use roster_core::{ApprovalPolicy, PlanStatus, Require};
    use roster_engine::approval::{self, Ran, Runners};
    use roster_engine::scim::{apply_or_hold, Applied};
    let sim = empty_account().await;
    let store = SqlStore::in_memory().await.unwrap();
    let cfg = scim_cfg(&sim);
    let first = source("held-first.csv", &people(6, 0));
    let plan = make_plan("acme", &cfg, &first, &default_mapping(), ReconcileOptions::default()).await.unwrap();
    let policy = ApprovalPolicy { require: Require::Removals, min_users: 1, approvers: vec![] };
    // Creating people takes nothing from anyone: it runs at once.
    let now = apply_or_hold(&store, "acme", &cfg, &plan, false, &policy, "alice").await.unwrap();
    assert!(matches!(now, Applied::Done(r) if r.failed.is_empty()), "runs at once");
    // Two people leave the source: their deactivation waits.
    let second = source("held-second.csv", &people(6, 2));
    let plan = make_plan("acme", &cfg, &second, &default_mapping(), ReconcileOptions::default()).await.unwrap();
    // (Two of nine is above the guard's 5 %: the planner lets it through, the approver sees that.)
    let Applied::Held(id) = apply_or_hold(&store, "acme", &cfg, &plan, true, &policy, "alice").await.unwrap() else {
        panic!("held")
    };
    let active = |e: &str| sim.sim.world().users().iter().find(|u| u.email == e).unwrap().status == UserStatus::Active;
    assert!(active("person0@acme-example.com"), "nothing was sent");
    let c = client(&sim, ApiVersion::V2026_10, 3);
    let runners = Runners { client: &c, scim: Some(&cfg) };
    assert!(approval::approve(&store, runners, &policy, "acme", &id, "alice", chrono::Utc::now()).await.is_err());
    let without = Runners { client: &c, scim: None };
    let refused = approval::approve(&store, without, &policy, "acme", &id, "bob", chrono::Utc::now()).await;
    assert!(refused.unwrap_err().to_string().contains("no SCIM token"), "a server without the token says so");
    let (p, ran) = approval::approve(&store, runners, &policy, "acme", &id, "bob", chrono::Utc::now()).await.unwrap();
    assert_eq!(p.status, PlanStatus::Applied);
    assert!(matches!(ran, Ran::Scim { failed, .. } if failed.is_empty()));
    assert!(!active("person0@acme-example.com") && !active("person1@acme-example.com"));
    assert!(active("person2@acme-example.com"));
}
