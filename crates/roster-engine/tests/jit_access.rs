//! Just-in-time access on monday-sim with a controllable clock (`now` is passed in): granted on
//! approval, a notice before expiry, revoked at expiry even after a restart (a new store handle
//! on the same file), access held before the request kept, self-approval refused, and two
//! workers expiring at once revoke once.

use crate::common;

use std::time::Duration;

use chrono::Utc;
use monday_api::ApiVersion;
use monday_sim::faults::FaultConfig;
use monday_sim::model::{UserKind, UserStatus};
use roster_core::{Action, Guard, Role};
use roster_engine::jit::{approve, deny, expire_due, request, Decider, JitError, JitPolicy};
use roster_engine::{apply_plan, sync_account, ApplyOptions, NoProgress};
use roster_store::prelude::*;
use roster_store::{EventQuery, SqlStore};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_notice_expiry_restart_and_preexisting_access() {
    let org = common::org(300, 44);
    let sim = common::sim(org.clone(), FaultConfig::default()).await;
    let client = common::client(&sim, ApiVersion::V2026_10, 3);
    let dir = std::env::temp_dir().join(format!("roster-jit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("roster.db");
    let store = SqlStore::open(&db).await.unwrap();
    sync_account(&store, &client, "acme", &common::ALL, &NoProgress).await.unwrap();
    let policy = JitPolicy::default();
    let t0 = Utc::now();

    // A board, a member not subscribed to it, and one who is.
    let b = org.boards.iter().position(|b| b.subscribers.len() >= 2 && b.team_subscribers.is_empty()).unwrap();
    let board = org.boards[b].id;
    let active_member = |u: &&monday_sim::model::User| u.kind == UserKind::Member && u.status == UserStatus::Active;
    let outsider = org.users.iter().filter(active_member).find(|u| !org.boards[b].subscribers.contains(&u.id)).unwrap();
    let insider = org
        .users
        .iter()
        .filter(active_member)
        .find(|u| org.boards[b].subscribers.contains(&u.id) && !org.boards[b].owners.contains(&u.id))
        .unwrap();
    let ent = format!("board:{board}:subscriber");
    let subscribed = |id: u64| {
        let w = sim.sim.world();
        w.boards()[w.board_pos(board).unwrap()].subscribers.contains(&id)
    };

    // Requests are checked against the policy.
    let hour = Duration::from_secs(3600);
    let too_long = request(
        &store,
        "acme",
        "dana",
        &outsider.email,
        &ent,
        Duration::from_secs(48 * 3600),
        "incident 42",
        &policy,
        t0,
    )
    .await;
    assert!(matches!(too_long, Err(JitError::Invalid(ref m)) if m.contains("at most")), "{too_long:?}");

    let id = request(&store, "acme", "dana", &outsider.email, &ent, hour, "incident 42: read the board", &policy, t0)
        .await
        .unwrap();

    // Self-approval is refused: the requester, or the user who gets the access.
    assert!(matches!(
        approve(&store, &client, "acme", id, &Decider::person("DANA"), &policy, t0).await,
        Err(JitError::SelfApproval(_))
    ));
    let own = approve(&store, &client, "acme", id, &Decider::person(&outsider.email), &policy, t0).await;
    assert!(matches!(own, Err(JitError::SelfApproval(_))));
    // Approvers are the account's admins and the board's owners (or named in the policy).
    let bystander = org
        .users
        .iter()
        .filter(active_member)
        .find(|u| u.id != outsider.id && !org.boards[b].owners.contains(&u.id))
        .unwrap();
    let nobody = approve(&store, &client, "acme", id, &Decider::person(&bystander.email), &policy, t0).await;
    assert!(matches!(nobody, Err(JitError::NotApprover { .. })), "{nobody:?}");
    let unknown = approve(&store, &client, "acme", id, &Decider::person("sam-admin"), &policy, t0).await;
    assert!(matches!(unknown, Err(JitError::NotApprover { .. })), "{unknown:?}");
    assert!(!subscribed(outsider.id));
    let admin = org
        .users
        .iter()
        .find(|u| u.kind == UserKind::Admin && u.status == UserStatus::Active && u.id != outsider.id)
        .unwrap();
    let sam = admin.email.as_str();
    let g = approve(&store, &client, "acme", id, &Decider::person(sam), &policy, t0).await.unwrap();
    assert_eq!((g.status.as_str(), g.preexisting), ("active", false));
    assert!(subscribed(outsider.id), "granted in monday.com");
    assert!(approve(&store, &client, "acme", id, &Decider::person(sam), &policy, t0).await.is_err(), "decided once");

    // Pre-existing access: approved, nothing to grant, kept at expiry.
    let kept = request(&store, "acme", "dana", &insider.email, &ent, hour, "already has it, asks anyway", &policy, t0)
        .await
        .unwrap();
    let named = JitPolicy { named_approvers: vec!["Sam-Admin".into()], ..JitPolicy::default() };
    assert!(
        approve(&store, &client, "acme", kept, &Decider::person("sam-admin"), &named, t0).await.unwrap().preexisting
    );
    let denied =
        request(&store, "acme", "dana", &outsider.email, &ent, hour, "a second time", &policy, t0).await.unwrap();
    let owner = org
        .users
        .iter()
        .find(|u| org.boards[b].owners.contains(&u.id) && u.status == UserStatus::Active && u.id != outsider.id)
        .unwrap();
    deny(&store, "acme", denied, &Decider::person(&owner.email), "one is enough", &policy, t0).await.unwrap();

    // Ten minutes before expiry: the notice, once.
    let near = t0 + chrono::Duration::minutes(50);
    assert_eq!(expire_due(&store, &client, "acme", &policy, near).await.unwrap().warned, 2);
    assert_eq!(expire_due(&store, &client, "acme", &policy, near).await.unwrap().warned, 0);
    assert!(subscribed(outsider.id), "not yet expired");

    // A restart: a new store handle on the same file; two workers expire at once.
    drop(store);
    let a = SqlStore::open(&db).await.unwrap();
    let b2 = SqlStore::open(&db).await.unwrap();
    let later = t0 + chrono::Duration::minutes(61);
    let (ra, rb) =
        tokio::join!(expire_due(&a, &client, "acme", &policy, later), expire_due(&b2, &client, "acme", &policy, later));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!((ra.revoked + rb.revoked, ra.kept + rb.kept, ra.failed + rb.failed), (1, 1, 0), "{ra:?} {rb:?}");
    assert!(!subscribed(outsider.id), "revoked at expiry");
    assert!(subscribed(insider.id), "access held before the request is never revoked by the expiry");
    let revokes = a
        .events(&EventQuery { kind_prefix: Some("action_succeeded".into()), ..EventQuery::default() })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.detail.to_string().contains("revoke"))
        .count();
    assert_eq!(revokes, 1, "one revoke sent to monday.com");
    let kinds: Vec<String> = a
        .events(&EventQuery { kind_prefix: Some("jit_".into()), ..EventQuery::default() })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    for k in ["jit_requested", "jit_approved", "jit_denied", "jit_expiring", "jit_expired"] {
        assert!(kinds.iter().any(|x| x == k), "{k} in {kinds:?}");
    }
    assert_eq!(a.jit(id).await.unwrap().unwrap().status.as_str(), "expired");
    assert_eq!(a.jits("acme", Some(roster_core::JitStatus::Active)).await.unwrap().len(), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A role for a while: monday.com has no "remove a role", so approval sets it and remembers the
/// role before, and the expiry sets that one back; a role someone changed meanwhile (seen by a
/// sync after the approval) is left as it is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_for_a_while_is_set_back_at_expiry() {
    let org = common::org(200, 45);
    let sim = common::sim(org.clone(), FaultConfig::default()).await;
    let client = common::client(&sim, ApiVersion::V2026_10, 3);
    let store = SqlStore::in_memory().await.unwrap();
    sync_account(&store, &client, "acme", &common::ALL, &NoProgress).await.unwrap();
    let policy = JitPolicy::default();
    let t0 = Utc::now();
    let active = |k: UserKind| org.users.iter().filter(move |u| u.kind == k && u.status == UserStatus::Active);
    let admin = active(UserKind::Admin).next().unwrap();
    let (first, second) = {
        let mut m = active(UserKind::Member);
        (m.next().unwrap(), m.next().unwrap())
    };
    let kind_of = |id: u64| sim.sim.world().org().users.iter().find(|u| u.id == id).unwrap().kind;
    let hour = Duration::from_secs(3600);
    let too_long =
        request(&store, "acme", "dana", &first.email, "role:admin:assigned", hour * 5, "audit", &policy, t0).await;
    assert!(matches!(too_long, Err(JitError::Invalid(ref m)) if m.contains("at most 240")), "{too_long:?}");
    let ask = |u: &str| {
        let (store, policy) = (&store, &policy);
        let u = u.to_string();
        async move {
            request(store, "acme", "dana", &u, "role:admin:assigned", hour, "quarter-end close", policy, t0)
                .await
                .unwrap()
        }
    };
    let one = ask(&first.email).await;
    let two = ask(&second.email).await;
    let g = approve(&store, &client, "acme", one, &Decider::person(&admin.email), &policy, t0).await.unwrap();
    assert_eq!((g.previous.as_deref(), g.preexisting), (Some("member"), false));
    approve(&store, &client, "acme", two, &Decider::person(&admin.email), &policy, t0).await.unwrap();
    assert_eq!(kind_of(first.id), UserKind::Admin, "admin in monday.com");

    // Someone makes the second user a viewer on purpose; a sync sees it.
    let opts = ApplyOptions {
        requested_by: "it".into(),
        reason: None,
        dry_run: false,
        allow_mass_change: false,
        guard: Guard::default(),
        ..ApplyOptions::default()
    };
    let to_viewer = Action::SetRole { user: second.id.to_string(), role: Role::Viewer };
    apply_plan(&store, &client, "acme", vec![to_viewer], &opts).await.unwrap();
    sync_account(&store, &client, "acme", &common::ALL, &NoProgress).await.unwrap();

    let r = expire_due(&store, &client, "acme", &policy, t0 + chrono::Duration::minutes(61)).await.unwrap();
    assert_eq!((r.revoked, r.kept, r.failed), (1, 1, 0), "{r:?}");
    assert_eq!(kind_of(first.id), UserKind::Member, "the role before is set back");
    assert_eq!(kind_of(second.id), UserKind::Viewer, "a deliberate change is left");
    let note = store.jit(two).await.unwrap().unwrap().note.unwrap();
    assert!(note.contains("changed to viewer"), "{note}");
}

/// A custom role for a while (Enterprise): granted on approval with `update_users_role(role_id:)`,
/// and at expiry the role held before comes back, whether a basic role or another custom one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_role_for_a_while_is_set_back_at_expiry() {
    let org = common::org(300, 46);
    let sim = common::sim(org.clone(), FaultConfig::default()).await;
    let client = common::client(&sim, ApiVersion::V2026_10, 3);
    let store = SqlStore::in_memory().await.unwrap();
    sync_account(&store, &client, "acme", &common::ALL, &NoProgress).await.unwrap();
    let policy = JitPolicy::default();
    let t0 = Utc::now();
    let role = org.custom_roles.iter().find(|r| r.base == UserKind::Member).unwrap();
    let admin = org.users.iter().find(|u| u.kind == UserKind::Admin && u.status == UserStatus::Active).unwrap();
    let plain = org
        .users
        .iter()
        .find(|u| {
            u.kind == UserKind::Member
                && u.status == UserStatus::Active
                && u.role_id.is_none()
                && u.id != org.tokens[1].user_id
        })
        .unwrap();
    let holder =
        |id: u64| sim.sim.world().org().users.iter().find(|u| u.id == id).map(|u| (u.kind, u.role_id)).unwrap();
    let ent = format!("role:{}:assigned", role.id);
    let hour = Duration::from_secs(3600);
    let id = request(&store, "acme", "dana", &plain.email, &ent, hour, "quarter-end close", &policy, t0).await.unwrap();
    let g = approve(&store, &client, "acme", id, &Decider::person(&admin.email), &policy, t0).await.unwrap();
    assert_eq!((g.previous.as_deref(), g.preexisting), (Some("member"), false));
    assert_eq!(holder(plain.id), (UserKind::Member, Some(role.id)), "the custom role is held in monday.com");
    sync_account(&store, &client, "acme", &common::ALL, &NoProgress).await.unwrap();
    let r = expire_due(&store, &client, "acme", &policy, t0 + chrono::Duration::minutes(61)).await.unwrap();
    assert_eq!((r.revoked, r.kept, r.failed), (1, 0, 0), "{r:?}");
    assert_eq!(holder(plain.id), (UserKind::Member, None), "back to the basic role");
    // Someone holding another custom role gets it back.
    let other = org.custom_roles.iter().find(|r| r.base == UserKind::Viewer).unwrap();
    let viewer = org
        .users
        .iter()
        .find(|u| u.kind == UserKind::Viewer && u.status == UserStatus::Active && u.role_id == Some(other.id))
        .unwrap();
    let to_member_role = format!("role:{}:assigned", role.id);
    let id =
        request(&store, "acme", "dana", &viewer.email, &to_member_role, hour, "cover for a colleague", &policy, t0)
            .await
            .unwrap();
    let g = approve(&store, &client, "acme", id, &Decider::person(&admin.email), &policy, t0).await.unwrap();
    assert_eq!(g.previous, Some(format!("custom:{}:viewer", other.id)), "the custom role and its base");
    assert_eq!(holder(viewer.id), (UserKind::Member, Some(role.id)));
    sync_account(&store, &client, "acme", &common::ALL, &NoProgress).await.unwrap();
    let r = expire_due(&store, &client, "acme", &policy, t0 + chrono::Duration::minutes(61)).await.unwrap();
    let why = store.jit(id).await.unwrap().unwrap().note;
    assert_eq!((r.revoked, r.failed), (1, 0), "{r:?} {why:?}");
    assert_eq!(holder(viewer.id), (UserKind::Viewer, Some(other.id)), "the custom role before is back");
}
