//! SCIM reconcile on monday-sim: from an empty account, a drifted one, with renamed groups and
//! users who left; a second plan is empty; the GraphQL view agrees; the guard and stale plans.

mod common;

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
use roster_store::{EventQuery, SqlStore, Store};
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
    assert!(shown.iter().any(|s| s.starts_with("remove 1 member(s) from group \"Platform\"")), "{shown:#?}");
    apply_plan(&store, "acme", &cfg, &plan, None).await.unwrap();
    let w = sim.sim.world();
    let by = |e: &str| w.users().iter().find(|u| u.email == e).unwrap().clone();
    assert_eq!(by("c@acme-example.com").status, UserStatus::Inactive, "users who left are deactivated, not deleted");
    assert_eq!(by("a@acme-example.com").kind, UserKind::Admin);
    let team = w.teams().iter().find(|t| t.name == "Platform").unwrap();
    assert_eq!(team.members.len(), 2);
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
