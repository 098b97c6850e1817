//! One suite for every database behind the Store trait: SQLite always, PostgreSQL when
//! `ROSTER_TEST_POSTGRES` names a server (the test script starts one; under the test script a
//! missing server fails the run instead of skipping).

use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{Duration, Utc};
use roster_core::{
    Action, Entitlement, Event, EventKind, Grant, GrantSource, Principal, ResourceRecord, ResourceType, Role,
    UserRecord, UserStatus,
};
use roster_store::{EventQuery, Page, SqlStore, Store, SyncStats, SyncStatus, UserQuery};
use serde_json::json;

static NEXT: AtomicU32 = AtomicU32::new(0);

pub(crate) async fn stores() -> Stores {
    let dir = ScratchDir::new();
    let file = SqlStore::open(&dir.0.join("roster.db")).await.unwrap();
    let mut out: Vec<(String, Box<dyn Store>)> = vec![
        ("sqlite".into(), Box::new(SqlStore::in_memory().await.unwrap())),
        // A file has a second pool for the reads pages make: every read here goes through
        // both, and each sees what the other wrote.
        ("sqlite-file".into(), Box::new(file)),
    ];
    match std::env::var("ROSTER_TEST_POSTGRES") {
        Ok(url) => {
            let name = format!("roster_suite_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst));
            out.push(("postgres".into(), Box::new(SqlStore::create_postgres(&url, &name).await.unwrap())));
        }
        Err(_) => {
            assert!(std::env::var_os("ROSTER_REFEREES").is_none(), "the test script must provide ROSTER_TEST_POSTGRES")
        }
    }
    Stores { list: out.into_iter(), _dir: dir }
}

/// The suite's stores, in a `for` loop: the SQLite file's directory goes when the loop ends.
pub(crate) struct Stores {
    list: std::vec::IntoIter<(String, Box<dyn Store>)>,
    _dir: ScratchDir,
}

impl Iterator for Stores {
    type Item = (String, Box<dyn Store>);
    fn next(&mut self) -> Option<Self::Item> {
        self.list.next()
    }
}

/// A directory of its own under the system's temporary one, removed when dropped.
pub(crate) struct ScratchDir(pub std::path::PathBuf);

impl ScratchDir {
    fn new() -> ScratchDir {
        let dir = std::env::temp_dir().join(format!(
            "roster-suite-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        ScratchDir(dir)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(crate) fn user(id: &str, email: &str, role: Role, status: UserStatus, days_idle: Option<i64>) -> UserRecord {
    UserRecord {
        id: id.into(),
        name: format!("User {id}"),
        email: email.into(),
        title: String::new(),
        role,
        status,
        is_email_confirmed: true,
        created_at: Some(Utc::now() - Duration::days(400)),
        became_active_at: None,
        last_activity: days_idle.map(|d| Utc::now() - Duration::days(d)),
        time_zone: None,
        invitation_method: Some("SCIM".into()),
        kind: None,
        department: None,
    }
}

fn res(rtype: ResourceType, id: &str, name: &str) -> ResourceRecord {
    ResourceRecord { rtype, id: id.into(), name: name.into(), parent: None, kind: None, state: Some("active".into()) }
}

fn g(e: &str, p: Principal) -> Grant {
    Grant::direct(e.parse::<Entitlement>().unwrap(), p)
}

pub(crate) async fn snapshot(
    s: &dyn Store,
    account: &str,
    users: Vec<UserRecord>,
    resources: Vec<ResourceRecord>,
    grants: Vec<Grant>,
) -> i64 {
    let run = s.begin_sync(account, "2026-10", Utc::now()).await.unwrap();
    s.write_page(run.id, &Page { part: "users".into(), users, next_offset: 3, done: true, ..Page::default() })
        .await
        .unwrap();
    s.write_page(
        run.id,
        &Page { part: "boards".into(), resources, grants, next_offset: 2, done: true, ..Page::default() },
    )
    .await
    .unwrap();
    s.finish_snapshot(run.id).await.unwrap();
    s.complete_sync(run.id, SyncStats { requests: 3, complexity: 100 }, &[], Utc::now()).await.unwrap();
    run.id
}

#[tokio::test]
async fn syncs_resume_and_snapshots_stay() {
    for (db, s) in stores().await {
        let s = s.as_ref();
        let first = s.begin_sync("acme", "2026-10", Utc::now()).await.unwrap();
        s.write_page(
            first.id,
            &Page {
                part: "users".into(),
                users: vec![user("1", "a@x.io", Role::Admin, UserStatus::Active, Some(1))],
                next_offset: 1,
                ..Page::default()
            },
        )
        .await
        .unwrap();
        s.interrupt_sync(first.id, "boom", Utc::now()).await.unwrap();
        let again = s.begin_sync("acme", "2026-10", Utc::now()).await.unwrap();
        assert_eq!(
            (again.id, again.resumed, again.status),
            (first.id, 1, SyncStatus::Running),
            "{db}: an interrupted sync resumes"
        );
        let progress = s.progress(again.id).await.unwrap();
        assert_eq!((progress[0].part.as_str(), progress[0].next_offset, progress[0].done), ("users", 1, false), "{db}");
        // A repeated page is harmless (upsert).
        s.write_page(
            again.id,
            &Page {
                part: "users".into(),
                users: vec![user("1", "A@x.io", Role::Admin, UserStatus::Active, Some(1))],
                next_offset: 1,
                done: true,
                ..Page::default()
            },
        )
        .await
        .unwrap();
        assert!(s.last_completed("acme").await.unwrap().is_none(), "{db}: nothing completed yet");
        s.complete_sync(
            again.id,
            SyncStats::default(),
            &[Event { kind: EventKind::SyncCompleted, subject: "account".into(), detail: json!({}) }],
            Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(s.last_completed("acme").await.unwrap().unwrap().id, first.id, "{db}");
        assert_eq!(
            s.find_user(first.id, "a@X.IO").await.unwrap().unwrap().email,
            "A@x.io",
            "{db}: e-mails match without case"
        );
        assert_eq!(s.accounts().await.unwrap(), vec!["acme".to_string()], "{db}");
    }
}

#[tokio::test]
async fn grants_teams_filters_and_diffs() {
    for (db, s) in stores().await {
        let s = s.as_ref();
        let users = vec![
            user("1", "admin@x.io", Role::Admin, UserStatus::Active, Some(2)),
            user("2", "idle@x.io", Role::Member, UserStatus::Active, Some(200)),
            user("3", "gone@x.io", Role::Guest, UserStatus::Deactivated, None),
        ];
        let resources = vec![res(ResourceType::Team, "9", "Eng"), res(ResourceType::Board, "7", "Roadmap")];
        let grants = vec![
            g("team:9:member", Principal::user(1)),
            g("team:9:member", Principal::user(2)),
            g("board:7:subscriber", Principal::team(9)),
            g("board:7:owner", Principal::user(1)),
            g("board:7:subscriber", Principal::user(1)),
            g("board:7:subscriber", Principal::team(-1)),
        ];
        let a = snapshot(s, "acme", users.clone(), resources.clone(), grants.clone()).await;
        // Team access expanded, the team kept as the source; "everyone" stays one grant.
        let on = s.grants_on(a, ResourceType::Board, "7").await.unwrap();
        assert!(
            on.contains(&Grant {
                entitlement: "board:7:subscriber".parse().unwrap(),
                principal: Principal::user(2),
                source: GrantSource::Team("9".into())
            }),
            "{db}"
        );
        assert_eq!(on.iter().filter(|x| x.principal.id == "-1").count(), 1, "{db}");
        assert_eq!(
            s.grants_of(a, &Principal::user(1)).await.unwrap().len(),
            4,
            "{db}: team member, owner, subscriber direct and via team"
        );
        let c = s.counts(a).await.unwrap();
        assert_eq!((c.users, c.teams, c.boards), (3, 1, 1), "{db}");
        let m = s.member_counts(a, ResourceType::Board).await.unwrap();
        let b = m.get("7").unwrap();
        assert_eq!((b.members, b.owners, b.teams, b.via_teams), (1, 1, 2, 2), "{db}");
        // Each list of direct holders as monday.com listed it; access through a team is none.
        let mut lists = s.list_lengths(a, ResourceType::Board).await.unwrap();
        lists.sort_by(|x, y| (x.team, &x.slug).cmp(&(y.team, &y.slug)));
        let lists: Vec<_> = lists.into_iter().map(|l| (l.rid, l.team, l.slug, l.n)).collect();
        let want = [("7", false, "owner", 1), ("7", false, "subscriber", 1), ("7", true, "subscriber", 2)];
        assert_eq!(lists, want.map(|(r, t, s, n)| (r.to_string(), t, s.to_string(), n)), "{db}");
        // Filters.
        let q = |status, role, team: Option<&str>, idle: Option<i64>, email: Option<&str>| UserQuery {
            status,
            role,
            team: team.map(str::to_string),
            inactive_days: idle.map(|d| (d, Utc::now())),
            email_contains: email.map(str::to_string),
            ..UserQuery::default()
        };
        let ids = |v: Vec<UserRecord>| v.into_iter().map(|u| u.id).collect::<Vec<_>>();
        assert_eq!(ids(s.users(a, &q(None, None, None, None, None)).await.unwrap()), vec!["1", "2", "3"], "{db}");
        assert_eq!(
            ids(s.users(a, &q(Some(UserStatus::Active), Some(Role::Member), None, None, None)).await.unwrap()),
            vec!["2"],
            "{db}"
        );
        assert_eq!(ids(s.users(a, &q(None, None, Some("9"), None, None)).await.unwrap()), vec!["1", "2"], "{db}");
        assert_eq!(
            ids(s.users(a, &q(None, None, None, Some(90), None)).await.unwrap()),
            vec!["2", "3"],
            "{db}: never active counts as inactive"
        );
        assert_eq!(ids(s.users(a, &q(None, None, None, None, Some("IDLE"))).await.unwrap()), vec!["2"], "{db}");
        assert!(
            s.users(a, &q(None, None, None, None, Some("%"))).await.unwrap().is_empty(),
            "{db}: wildcards are literal"
        );
        assert_eq!(ids(s.users(a, &q(None, None, None, None, Some("@X.IO"))).await.unwrap()).len(), 3, "{db}");
        // Paging in the database, in id order, with the total beside it.
        let page = UserQuery { offset: 1, limit: Some(1), ..UserQuery::default() };
        assert_eq!(ids(s.users(a, &page).await.unwrap()), vec!["2"], "{db}");
        assert_eq!(s.count_users(a, &page).await.unwrap(), 3, "{db}");
        let active = UserQuery { status: Some(UserStatus::Active), offset: 5, ..UserQuery::default() };
        assert!(s.users(a, &active).await.unwrap().is_empty(), "{db}: past the end");
        assert_eq!(s.count_users(a, &active).await.unwrap(), 2, "{db}");
        // A second snapshot: a role change, a removed user, a renamed board, a moved grant.
        let mut users2 = users.clone();
        users2[1].role = Role::Admin;
        users2.pop();
        let resources2 = vec![res(ResourceType::Team, "9", "Eng"), res(ResourceType::Board, "7", "Roadmap 2027")];
        let mut grants2 = grants.clone();
        grants2.retain(|x| x.principal != Principal::team(-1));
        grants2.push(g("board:7:owner", Principal::user(2)));
        let b2 = snapshot(s, "acme", users2, resources2, grants2).await;
        let changed = s.changed_users(a, b2).await.unwrap();
        assert_eq!(changed.len(), 2, "{db}");
        assert_eq!(changed[0].1.as_ref().unwrap().role, Role::Admin, "{db}");
        assert!(changed[1].1.is_none(), "{db}: user 3 is gone");
        assert_eq!(s.changed_resources(a, b2).await.unwrap().len(), 1, "{db}");
        let added = s.grants_missing_from(b2, a).await.unwrap();
        let removed = s.grants_missing_from(a, b2).await.unwrap();
        assert_eq!((added.len(), removed.len()), (1, 1), "{db}");
        assert_eq!(added[0].to_string(), "user:2 → board:7:owner (direct)", "{db}");
    }
}

#[tokio::test]
async fn teams_left_are_found_in_the_history_of_their_account() {
    for (db, s) in stores().await {
        let s = s.as_ref();
        let users: Vec<UserRecord> = (1..=3)
            .map(|i| user(&i.to_string(), &format!("u{i}@x.io"), Role::Member, UserStatus::Active, Some(1)))
            .collect();
        let teams = vec![res(ResourceType::Team, "8", "Ops"), res(ResourceType::Team, "9", "Finance")];
        let members =
            |m: &[(i64, i64)]| m.iter().map(|(u, t)| g(&format!("team:{t}:member"), Principal::user(*u))).collect();
        let a = snapshot(s, "acme", users.clone(), teams.clone(), members(&[(1, 9), (2, 9), (3, 8)])).await;
        let other = snapshot(s, "beta", users.clone(), teams.clone(), members(&[(1, 9), (2, 8)])).await;
        let b = snapshot(s, "acme", users.clone(), teams.clone(), members(&[(2, 9), (3, 9)])).await;
        snapshot(s, "beta", users.clone(), teams.clone(), members(&[])).await;
        let c = snapshot(s, "acme", users.clone(), teams.clone(), members(&[(1, 9), (3, 9)])).await;
        let pairs = |v: &[(&str, &str)]| v.iter().map(|(u, t)| (u.to_string(), t.to_string())).collect::<Vec<_>>();
        assert_eq!(s.left_teams(a).await.unwrap(), pairs(&[]), "{db}: nothing left yet");
        assert_eq!(s.left_teams(b).await.unwrap(), pairs(&[("1", "9"), ("3", "8")]), "{db}");
        assert_eq!(s.left_teams(c).await.unwrap(), pairs(&[("2", "9"), ("3", "8")]), "{db}: 1 came back to 9");
        assert_eq!(s.left_teams(other).await.unwrap(), pairs(&[]), "{db}: another account's history is its own");
    }
}

#[tokio::test]
async fn events_pending_changes_and_webhook_cursors() {
    for (db, s) in stores().await {
        let s = s.as_ref();
        s.ensure_account("acme", Utc::now()).await.unwrap();
        let ev = |kind, n: i64| Event { kind, subject: format!("user:{n}"), detail: json!({ "n": n }) };
        s.append_events(
            "acme",
            None,
            &[ev(EventKind::UserAdded, 1), ev(EventKind::GrantAdded, 2), ev(EventKind::UserRoleChanged, 3)],
            Utc::now(),
        )
        .await
        .unwrap();
        let all = s.events(&EventQuery { account: Some("acme".into()), ..EventQuery::default() }).await.unwrap();
        assert_eq!(all.len(), 3, "{db}");
        let users = s.events(&EventQuery { kind_prefix: Some("user_".into()), ..EventQuery::default() }).await.unwrap();
        assert_eq!(users.len(), 2, "{db}");
        let after =
            s.events(&EventQuery { after_id: Some(all[0].id), limit: Some(1), ..EventQuery::default() }).await.unwrap();
        assert_eq!((after.len(), after[0].detail["n"].as_i64()), (1, Some(2)), "{db}");
        // Paging back from the newest, and a window of time.
        let older = s
            .events(&EventQuery { before_id: Some(all[2].id), newest_first: true, ..EventQuery::default() })
            .await
            .unwrap();
        assert_eq!(older.iter().map(|e| e.id).collect::<Vec<_>>(), vec![all[1].id, all[0].id], "{db}");
        let later = Utc::now() + chrono::Duration::days(1);
        s.append_events("acme", None, &[ev(EventKind::UserAdded, 4)], later).await.unwrap();
        let window = |from, until| EventQuery { from, until, ..EventQuery::default() };
        let tomorrow = s.events(&window(Some(later - chrono::Duration::hours(1)), None)).await.unwrap();
        assert_eq!(tomorrow.iter().map(|e| e.detail["n"].as_i64()).collect::<Vec<_>>(), vec![Some(4)], "{db}");
        let today = s.events(&window(None, Some(later - chrono::Duration::hours(1)))).await.unwrap();
        assert_eq!(today.len(), 3, "{db}");
        assert_eq!(s.events(&window(Some(later), Some(later))).await.unwrap().len(), 0, "{db}: until is exclusive");
        // A person's events: about them, and the grants they gained or lost (their subject is
        // the entitlement); not another person's, nor one whose id starts the same.
        let grant = |who: &str| Event {
            kind: EventKind::GrantAdded,
            subject: "board:5:subscriber".into(),
            detail: json!({ "principal": who, "source": "direct" }),
        };
        s.append_events("acme", None, &[grant("user:2"), grant("user:21"), grant("user:2_")], Utc::now())
            .await
            .unwrap();
        let of = |p: &str| EventQuery { person: Some(p.into()), ..EventQuery::default() };
        let two: Vec<_> = s.events(&of("user:2")).await.unwrap().into_iter().map(|e| (e.kind, e.subject)).collect();
        assert_eq!(
            two,
            vec![("grant_added".into(), "user:2".into()), ("grant_added".into(), "board:5:subscriber".into())],
            "{db}"
        );
        assert_eq!(s.events(&of("user:2_")).await.unwrap().len(), 1, "{db}: a wildcard is a character");
        let actions = vec![
            roster_core::Change::Action(Action::Deactivate { user: "1".into() }),
            roster_core::Change::Scim(roster_core::scim_plan::ScimStep::DeleteGroup {
                id: "9".into(),
                name: "Ops".into(),
            }),
        ];
        let ids = s.add_pending("acme", "plan-1", &actions, &[], Utc::now()).await.unwrap();
        let open = s.open_pending("acme").await.unwrap();
        assert_eq!(open[0].action, actions[0], "{db}");
        assert_eq!((open[1].action.clone(), open[1].outcome), (actions[1].clone(), roster_core::Outcome::Requested));
        let outcomes = [(ids[0], roster_core::Outcome::Succeeded), (ids[1], roster_core::Outcome::Failed)];
        s.set_pending_outcomes("acme", &outcomes, &[], Utc::now()).await.unwrap();
        let open = s.open_pending("acme").await.unwrap();
        assert_eq!(
            open.iter().map(|p| p.outcome).collect::<Vec<_>>(),
            vec![roster_core::Outcome::Succeeded, roster_core::Outcome::Failed],
            "{db}"
        );

        let run = s.begin_sync("acme", "2026-10", Utc::now()).await.unwrap();
        s.resolve_pending(open[0].id, run.id, true).await.unwrap();
        s.resolve_pending(open[1].id, run.id, false).await.unwrap();
        assert!(s.open_pending("acme").await.unwrap().is_empty(), "{db}");
        assert_eq!(s.webhook_cursor("hook").await.unwrap(), None, "{db}");
        s.set_webhook_cursor("hook", all[1].id).await.unwrap();
        s.set_webhook_cursor("hook", all[2].id).await.unwrap();
        assert_eq!(s.webhook_cursor("hook").await.unwrap(), Some(all[2].id), "{db}");
    }
}

#[tokio::test]
async fn leases_have_one_holder_until_they_expire() {
    for (db, s) in stores().await {
        let s = s.as_ref();
        let t0 = Utc::now();
        let secs = |n: i64| t0 + Duration::seconds(n);
        assert!(s.acquire_lease("sync:acme", "w1", t0, secs(30)).await.unwrap(), "{db}: free lease taken");
        assert!(!s.acquire_lease("sync:acme", "w2", secs(10), secs(40)).await.unwrap(), "{db}: held by w1");
        assert!(s.acquire_lease("sync:acme", "w1", secs(20), secs(50)).await.unwrap(), "{db}: w1 renews");
        assert!(!s.acquire_lease("sync:acme", "w2", secs(45), secs(75)).await.unwrap(), "{db}: renewal counted");
        assert!(s.acquire_lease("sync:other", "w2", secs(45), secs(75)).await.unwrap(), "{db}: leases are per name");
        assert!(s.acquire_lease("sync:acme", "w2", secs(51), secs(81)).await.unwrap(), "{db}: expired, taken over");
        let (holder, until) = s.lease("sync:acme").await.unwrap().unwrap();
        assert_eq!((holder.as_str(), until.timestamp_millis()), ("w2", secs(81).timestamp_millis()), "{db}");
        assert!(s.lease("sync:nothing").await.unwrap().is_none(), "{db}");
        assert!(!s.acquire_lease("sync:acme", "w1", secs(52), secs(82)).await.unwrap(), "{db}: w1 lost it");
        s.release_lease("sync:acme", "w1").await.unwrap();
        assert!(
            !s.acquire_lease("sync:acme", "w3", secs(53), secs(83)).await.unwrap(),
            "{db}: only the holder releases"
        );
        s.release_lease("sync:acme", "w2").await.unwrap();
        assert!(s.acquire_lease("sync:acme", "w3", secs(53), secs(83)).await.unwrap(), "{db}: released, free");
    }
}

#[tokio::test]
async fn racing_workers_never_share_a_lease() {
    for (db, s) in stores().await {
        let s: std::sync::Arc<dyn Store> = std::sync::Arc::from(s);
        let now = Utc::now();
        let mut tasks = Vec::new();
        for w in 0..8 {
            let s = std::sync::Arc::clone(&s);
            tasks.push(tokio::spawn(async move {
                s.acquire_lease("sync:race", &format!("w{w}"), now, now + Duration::seconds(30)).await.unwrap()
            }));
        }
        let mut won = 0;
        for t in tasks {
            won += t.await.unwrap() as usize;
        }
        assert_eq!(won, 1, "{db}: exactly one of eight racing workers holds the lease");
    }
}

#[tokio::test]
async fn jit_grants_move_forward_once() {
    use roster_store::{JitGrant, JitTransition};
    for (db, s) in stores().await {
        let s = s.as_ref();
        let g = JitGrant {
            id: 0,
            account: "acme".into(),
            requester: "dana".into(),
            user_id: "7".into(),
            entitlement: "board:1:subscriber".into(),
            justification: "incident".into(),
            duration_s: 3600,
            status: roster_core::JitStatus::Requested,
            preexisting: false,
            decided_by: None,
            created_ms: 1_000,
            expires_ms: None,
            warned: false,
            ended_ms: None,
            note: None,
            previous: None,
        };
        let id = s.add_jit(&g).await.unwrap();
        let approve = JitTransition {
            from: roster_core::JitStatus::Requested,
            to: roster_core::JitStatus::Active,
            decided_by: Some("sam".into()),
            preexisting: Some(true),
            expires_ms: Some(5_000),
            previous: Some("member".into()),
            ..JitTransition::default()
        };
        assert!(s.transition_jit(id, &approve).await.unwrap(), "{db}");
        assert!(!s.transition_jit(id, &approve).await.unwrap(), "{db}: only once");
        let warn = JitTransition {
            from: roster_core::JitStatus::Active,
            to: roster_core::JitStatus::Active,
            warned: Some(true),
            ..JitTransition::default()
        };
        assert!(s.transition_jit(id, &warn).await.unwrap(), "{db}");
        let got = s.jit(id).await.unwrap().unwrap();
        assert_eq!(
            (got.status.as_str(), got.decided_by.as_deref(), got.preexisting, got.expires_ms, got.warned),
            ("active", Some("sam"), true, Some(5_000), true),
            "{db}: earlier fields kept"
        );
        assert_eq!(got.previous.as_deref(), Some("member"), "{db}");
        assert_eq!(s.jits("acme", Some(roster_core::JitStatus::Active)).await.unwrap().len(), 1, "{db}");
        assert_eq!(s.jits("acme", None).await.unwrap().len(), 1, "{db}");
        assert!(s.jits("acme", Some(roster_core::JitStatus::Expired)).await.unwrap().is_empty(), "{db}");
        assert!(s.jits("other", None).await.unwrap().is_empty(), "{db}");
    }
}

#[tokio::test]
async fn plans_wait_then_move_forward_once_with_their_events() {
    use roster_core::{PlanKind, PlanStatus};
    use roster_store::{PlanTransition, StoredPlan};
    for (db, s) in stores().await {
        let s = s.as_ref();
        s.ensure_account("acme", Utc::now()).await.unwrap();
        let p = StoredPlan {
            id: "plan-1".into(),
            account: "acme".into(),
            kind: PlanKind::Actions,
            sync_id: Some(3),
            body: json!({ "actions": [] }),
            summary: json!({ "users_losing_access": 2 }),
            status: PlanStatus::PendingApproval,
            requested_by: "alice".into(),
            reason: Some("offboarding".into()),
            created_ms: 1_000,
            decided_by: None,
            decided_ms: None,
            note: None,
        };
        let ev = |k: EventKind| Event { kind: k, subject: "plan:plan-1".into(), detail: json!({ "plan": "plan-1" }) };
        s.add_plan(&p, &[ev(EventKind::PlanPendingApproval)]).await.unwrap();
        assert!(s.add_plan(&p, &[]).await.is_err(), "{db}: a plan id is stored once");
        assert_eq!(s.plan("plan-1").await.unwrap().as_ref(), Some(&p), "{db}");
        assert_eq!(s.plans("acme", Some(PlanStatus::PendingApproval)).await.unwrap().len(), 1, "{db}");
        assert!(s.plans("acme", Some(PlanStatus::Approved)).await.unwrap().is_empty(), "{db}");
        let approve = PlanTransition {
            from: PlanStatus::PendingApproval,
            to: PlanStatus::Approved,
            by: Some("bob".into()),
            at_ms: 2_000,
            note: None,
        };
        assert!(s.transition_plan("plan-1", &approve, &[ev(EventKind::PlanApproved)]).await.unwrap(), "{db}");
        assert!(
            !s.transition_plan("plan-1", &approve, &[ev(EventKind::PlanApproved)]).await.unwrap(),
            "{db}: only one approver acts"
        );
        let applied = PlanTransition {
            from: PlanStatus::Approved,
            to: PlanStatus::Applied,
            by: None,
            at_ms: 3_000,
            note: Some("2 succeeded".into()),
        };
        assert!(s.transition_plan("plan-1", &applied, &[]).await.unwrap(), "{db}");
        let got = s.plan("plan-1").await.unwrap().unwrap();
        assert_eq!(
            (got.status, got.decided_by.as_deref(), got.decided_ms, got.note.as_deref()),
            (PlanStatus::Applied, Some("bob"), Some(2_000), Some("2 succeeded")),
            "{db}: the decision is kept"
        );
        let q = EventQuery { account: Some("acme".into()), kind_prefix: Some("plan_".into()), ..EventQuery::default() };
        let kinds: Vec<String> = s.events(&q).await.unwrap().into_iter().map(|e| e.kind).collect();
        assert_eq!(kinds, ["plan_pending_approval", "plan_approved"], "{db}: the refused move wrote no event");
        assert!(s.plan("nope").await.unwrap().is_none(), "{db}");
    }
}

/// A draft campaign of account acme.
pub(crate) fn campaign(name: &str) -> roster_store::ReviewCampaign {
    roster_store::ReviewCampaign {
        id: 0,
        account: "acme".into(),
        name: name.into(),
        spec: "{}".into(),
        status: roster_core::review::CampaignStatus::Draft,
        created_by: "dana".into(),
        created_ms: 1_000,
        due_ms: 9_000,
        launched_ms: None,
        sync_id: None,
        snapshot_ms: None,
        closed_ms: None,
        plan_id: None,
        items_moved: 0,
    }
}

/// An undecided item `seq` of campaign `campaign_id`, with `reviewer`.
pub(crate) fn review_item(campaign_id: i64, seq: i64, reviewer: &str) -> roster_store::ReviewItem {
    roster_store::ReviewItem {
        id: 0,
        campaign_id,
        seq,
        user_id: format!("{seq}"),
        user_email: format!("u{seq}@acme.test"),
        user_name: "U".into(),
        user_status: "active".into(),
        user_role: "member".into(),
        user_last_activity_ms: Some(500),
        entitlement: "board:1:subscriber".into(),
        resource_name: "Roadmap".into(),
        source: "direct".into(),
        reviewer: reviewer.into(),
        original_reviewer: reviewer.into(),
        ..roster_store::ReviewItem::default()
    }
}

#[tokio::test]
async fn review_campaigns_freeze_decide_lock_and_verify() {
    use roster_core::review::CampaignStatus;
    use roster_store::{ItemDecision, Remediation, ReviewItem};
    for (db, s) in stores().await {
        let s = s.as_ref();
        let c = campaign("Q4 boards");
        let id = s.add_campaign(&c).await.unwrap();
        let item = |seq: i64, reviewer: &str| review_item(id, seq, reviewer);
        let items = [item(1, "a@x"), item(2, "a@x"), item(3, "b@x")];
        assert!(s.launch_campaign(id, 42, 1_500, 2_000, &items).await.unwrap(), "{db}");
        assert!(!s.launch_campaign(id, 42, 1_500, 2_000, &items).await.unwrap(), "{db}: launched once");
        assert_eq!(s.review_items(id, None).await.unwrap().len(), 3, "{db}: not frozen twice");
        let mine = s.review_items(id, Some("a@x")).await.unwrap();
        assert_eq!(mine.iter().map(|i| i.seq).collect::<Vec<_>>(), vec![1, 2], "{db}");
        let decide = |reviewer: &str, decision: Option<&str>, to: Option<&str>| ItemDecision {
            reviewer: reviewer.into(),
            decision: decision.and_then(roster_core::review::Decision::parse),
            reassign_to: to.map(String::from),
            by: reviewer.into(),
            justification: Some("left the team".into()),
            at_ms: 3_000,
        };
        assert!(s.decide_item(mine[0].id, &decide("a@x", Some("revoke"), None)).await.unwrap(), "{db}");
        assert!(!s.decide_item(mine[0].id, &decide("b@x", Some("certify"), None)).await.unwrap(), "{db}: not b's item");
        assert!(s.decide_item(mine[1].id, &decide("a@x", None, Some("b@x"))).await.unwrap(), "{db}: reassigned");
        let moved = s.review_item(mine[1].id).await.unwrap().unwrap();
        assert_eq!((moved.reviewer.as_str(), moved.original_reviewer.as_str(), moved.decision), ("b@x", "a@x", None));
        assert!(s.sign_off(id, "a@x", 4_000).await.unwrap(), "{db}");
        assert!(!s.sign_off(id, "a@x", 4_001).await.unwrap(), "{db}: once");
        assert!(
            !s.decide_item(mine[0].id, &decide("a@x", Some("certify"), None)).await.unwrap(),
            "{db}: signed-off decisions are locked"
        );
        assert_eq!(s.signoffs(id).await.unwrap(), vec![("a@x".to_string(), 4_000)], "{db}");
        let tally = s.review_tally(id, None).await.unwrap();
        assert_eq!(s.review_tally(id, Some("a@x")).await.unwrap().iter().map(|t| t.items).sum::<i64>(), 1, "{db}");
        let n = |r: &str| tally.iter().filter(|t| t.reviewer == r).map(|t| t.items).sum::<i64>();
        assert_eq!((n("a@x"), n("b@x")), (1, 2), "{db}");
        assert!(tally.iter().any(|t| t.reviewer == "b@x" && t.reassigned && t.items == 1), "{db}: {tally:?}");
        let open = s.review_items_page(id, Some("b@x"), true, roster_store::ItemsFrom::Offset(0), 10).await.unwrap();
        assert_eq!(open.len(), 2, "{db}");
        assert_eq!(
            s.review_items_page(id, None, false, roster_store::ItemsFrom::Offset(1), 1).await.unwrap()[0].seq,
            2,
            "{db}"
        );
        assert!(
            s.transition_campaign(id, CampaignStatus::Launched, CampaignStatus::Closing, 5_000, Some("plan-1"))
                .await
                .unwrap(),
            "{db}"
        );
        assert!(
            !s.decide_item(moved.id, &decide("b@x", Some("certify"), None)).await.unwrap(),
            "{db}: no decisions after the close began"
        );
        let r = Remediation {
            action: "revoke".into(),
            status: roster_core::review::RemediationStatus::Applied,
            note: None,
            applied_ms: Some(5_100),
        };
        s.set_remediation(mine[0].id, &r).await.unwrap();
        assert!(
            s.transition_campaign(id, CampaignStatus::Closing, CampaignStatus::Closed, 5_200, None).await.unwrap(),
            "{db}"
        );
        let closed = s.campaign(id).await.unwrap().unwrap();
        assert_eq!(
            (closed.status.as_str(), closed.closed_ms, closed.plan_id.as_deref(), closed.sync_id),
            ("closed", Some(5_200), Some("plan-1"), Some(42)),
            "{db}"
        );
        let open = s.unverified_remediations("acme").await.unwrap();
        assert_eq!(open.iter().map(|i| i.id).collect::<Vec<_>>(), vec![mine[0].id], "{db}");
        assert!(s.unverified_remediations("other").await.unwrap().is_empty(), "{db}");
        s.set_verification(mine[0].id, roster_core::review::RemediationStatus::Verified, Some(6_000)).await.unwrap();
        assert!(s.unverified_remediations("acme").await.unwrap().is_empty(), "{db}");
        assert_eq!(s.campaigns("acme").await.unwrap().len(), 1, "{db}");
        // A large launch goes in several multi-row statements, all or nothing.
        let big = s.add_campaign(&c).await.unwrap();
        let many: Vec<ReviewItem> = (1..=1_234).map(|n| ReviewItem { campaign_id: big, ..item(n, "a@x") }).collect();
        assert!(s.launch_campaign(big, 42, 1_500, 2_000, &many).await.unwrap(), "{db}");
        let back = s.review_items(big, None).await.unwrap();
        assert_eq!(
            (back.len(), back[1_233].seq, back[1_233].user_email.as_str()),
            (1_234, 1_234, "u1234@acme.test"),
            "{db}"
        );
    }
}

#[tokio::test]
async fn decisions_and_their_events_are_written_together_or_not_at_all() {
    use roster_core::{Event, EventKind};
    for (db, s) in stores().await {
        let s = s.as_ref();
        s.ensure_account("acme", Utc::now()).await.unwrap();
        let id = s.add_campaign(&campaign("together")).await.unwrap();
        let items: Vec<_> = (1..=3).map(|n| review_item(id, n, if n == 3 { "b@x" } else { "a@x" })).collect();
        assert!(s.launch_campaign(id, 42, 1_500, 2_000, &items).await.unwrap(), "{db}");
        let ids: Vec<i64> = s.review_items(id, None).await.unwrap().iter().map(|i| i.id).collect();
        let certify = roster_store::ItemDecision {
            reviewer: "a@x".into(),
            decision: Some(roster_core::review::Decision::Certify),
            reassign_to: None,
            by: "a@x".into(),
            justification: None,
            at_ms: 3_000,
        };
        let event = |i: i64| Event {
            kind: EventKind::ReviewDecided,
            subject: format!("review:{id}:item:{i}"),
            detail: serde_json::json!({}),
        };
        let q = EventQuery { kind_prefix: Some("review_decided".into()), ..EventQuery::default() };
        let decided = || async {
            let items = s.review_items(id, None).await.unwrap();
            (items.iter().filter(|i| i.decision.is_some()).count(), s.events(&q).await.unwrap().len())
        };
        // The third item is b's: the first two must not be decided without it.
        let all: Vec<(i64, roster_store::ItemDecision)> = ids.iter().map(|&i| (i, certify.clone())).collect();
        let evs: Vec<Event> = ids.iter().map(|&i| event(i)).collect();
        assert!(!s.decide_items("acme", &all, &evs, Utc::now()).await.unwrap(), "{db}");
        assert_eq!(decided().await, (0, 0), "{db}: nothing written");
        assert!(s.decide_items("acme", &all[..2], &evs[..2], Utc::now()).await.unwrap(), "{db}");
        assert_eq!(decided().await, (2, 2), "{db}: both decisions with their events");
    }
}

#[tokio::test]
async fn web_sessions_are_shared_and_expire() {
    use roster_store::WebSession;
    for (db, s) in stores().await {
        let s = s.as_ref();
        let w = |d: &str, started: i64, seen: i64| WebSession {
            digest: d.into(),
            name: "ops".into(),
            role: "admin".into(),
            csrf: "c".into(),
            started_ms: started,
            seen_ms: seen,
        };
        s.add_session(&w("a", 1_000, 5_000)).await.unwrap();
        s.add_session(&w("b", 1_000, 1_000)).await.unwrap();
        s.add_session(&w("c", 100, 9_000)).await.unwrap();
        assert_eq!(s.web_session("a").await.unwrap(), Some(w("a", 1_000, 5_000)), "{db}");
        s.touch_session("a", 6_000).await.unwrap();
        assert_eq!(s.web_session("a").await.unwrap().unwrap().seen_ms, 6_000, "{db}");
        // Idle since before 2,000 (b) or started before 500 (c) end; a stays.
        assert_eq!(s.end_sessions(None, 2_000, 500).await.unwrap(), 2, "{db}");
        assert!(s.web_session("b").await.unwrap().is_none() && s.web_session("c").await.unwrap().is_none(), "{db}");
        assert_eq!(s.end_sessions(Some("a"), 0, 0).await.unwrap(), 1, "{db}");
        assert!(s.web_session("a").await.unwrap().is_none(), "{db}");
    }
}

#[tokio::test]
async fn sod_results_are_kept_per_snapshot_and_rules() {
    for (db, s) in stores().await {
        let s = s.as_ref();
        assert_eq!(s.sod_result(7, "fp1").await.unwrap(), None, "{db}");
        s.put_sod_result(7, "fp1", "[]").await.unwrap();
        s.put_sod_result(7, "fp1", "[1]").await.unwrap();
        s.put_sod_result(7, "fp2", "[2]").await.unwrap();
        assert_eq!(s.sod_result(7, "fp1").await.unwrap().as_deref(), Some("[1]"), "{db}: replaced");
        assert_eq!(s.sod_result(7, "fp2").await.unwrap().as_deref(), Some("[2]"), "{db}: per rules");
        assert_eq!(s.sod_result(8, "fp1").await.unwrap(), None, "{db}");
    }
}

#[tokio::test]
async fn the_store_diff_and_the_events_compare_the_same_user_fields() {
    use roster_core::UserField;
    for (db, s) in stores().await {
        let s = s.as_ref();
        // Every field set, so a column missing from a read or a write shows as a difference.
        let mut base = user("7", "Ana@Acme.test", Role::Member, UserStatus::Active, Some(3));
        base.title = "Engineer".into();
        base.became_active_at = Some(Utc::now() - Duration::days(300));
        base.time_zone = Some("Europe/Paris".into());
        let written = snapshot(s, "fields", vec![base.clone()], vec![], vec![]).await;
        let back = s.find_user(written, "7").await.unwrap().unwrap();
        let ms = |t: Option<chrono::DateTime<Utc>>| t.map(|t| t.timestamp_millis());
        assert_eq!(
            (
                back.title.as_str(),
                back.time_zone.as_deref(),
                back.invitation_method.as_deref(),
                back.is_email_confirmed
            ),
            ("Engineer", Some("Europe/Paris"), Some("SCIM"), true),
            "{db}: every column is written and read back"
        );
        assert_eq!(
            (ms(back.created_at), ms(back.became_active_at), ms(back.last_activity)),
            (ms(base.created_at), ms(base.became_active_at), ms(base.last_activity)),
            "{db}"
        );
        // Each compared field, changed alone: the SQL diff finds the user, the events say so.
        for field in UserField::COMPARED {
            let mut next = base.clone();
            match field {
                UserField::Status => next.status = UserStatus::Deactivated,
                UserField::Role => next.role = Role::Admin,
                UserField::Email => next.email = "ana.new@acme.test".into(),
                UserField::Name => next.name = "Ana N.".into(),
            }
            let first = snapshot(s, "fields", vec![base.clone()], vec![], vec![]).await;
            let second = snapshot(s, "fields", vec![next.clone()], vec![], vec![]).await;
            let changed = s.changed_users(first, second).await.unwrap();
            assert_eq!(changed.len(), 1, "{db}: the SQL diff sees {field:?}");
            let (a, b) = &changed[0];
            let events = roster_core::events::user_events(a.as_ref(), b.as_ref());
            assert_eq!(events.len(), 1, "{db}: one event for {field:?}: {events:?}");
        }
        // A field the list does not compare, or an e-mail's letter case: neither sees it.
        let mut quiet = base.clone();
        quiet.title = "Staff Engineer".into();
        quiet.email = "ANA@ACME.TEST".into();
        quiet.last_activity = Some(Utc::now());
        let a = snapshot(s, "fields", vec![base.clone()], vec![], vec![]).await;
        let b = snapshot(s, "fields", vec![quiet], vec![], vec![]).await;
        assert!(s.changed_users(a, b).await.unwrap().is_empty(), "{db}: not compared, not reported");
    }
}

/// Everything a read of one snapshot gives.
async fn read_snapshot(s: &dyn Store, id: i64) -> String {
    let users = s.users(id, &UserQuery::default()).await.unwrap();
    // Read back by ids (every other one, and one the snapshot lacks): exactly those users.
    let mut asked: Vec<String> = users.iter().step_by(2).map(|u| u.id.clone()).collect();
    asked.push("404404".into());
    let mut among = s.users_among(id, &asked).await.unwrap();
    among.sort_by_key(|u| (u.id.len(), u.id.clone()));
    let mut want: Vec<UserRecord> = users.iter().step_by(2).cloned().collect();
    want.sort_by_key(|u| (u.id.len(), u.id.clone()));
    assert_eq!(among, want, "snapshot {id}: users read by ids");
    let mut res = Vec::new();
    for t in [ResourceType::Team, ResourceType::Workspace, ResourceType::Board] {
        let records = s.resources(id, t).await.unwrap();
        let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
        assert_eq!(s.resource_ids(id, t).await.unwrap(), ids, "snapshot {id}: the ids read alone are the records'");
        // Read back by ids (every other one, and one the snapshot lacks): exactly those records.
        let mut asked: Vec<String> = ids.iter().step_by(2).cloned().collect();
        asked.push("404404".into());
        let mut among = s.resources_among(id, t, &asked).await.unwrap();
        among.sort_by_key(|r| (r.id.len(), r.id.clone()));
        let mut want: Vec<ResourceRecord> = records.iter().step_by(2).cloned().collect();
        want.sort_by_key(|r| (r.id.len(), r.id.clone()));
        assert_eq!(among, want, "snapshot {id}: {t:?} read by ids");
        res.extend(records);
    }
    let mut grants = s.all_grants(id).await.unwrap();
    grants.sort_by_key(|g| format!("{g:?}"));
    format!("{users:?}\n{res:?}\n{grants:?}\n{:?}", s.counts(id).await.unwrap())
}

#[tokio::test]
async fn pruning_keeps_the_newest_and_the_referenced_and_reads_them_unchanged() {
    use roster_core::retention::Retention;
    for (db, s) in stores().await {
        let s = s.as_ref();
        // Four snapshots, each a little different: users come and go, a grant moves.
        let mut ids = Vec::new();
        for n in 0..4 {
            let users: Vec<UserRecord> = (0..=n)
                .map(|i| user(&format!("{}", 10 + i), &format!("u{i}@x.io"), Role::Member, UserStatus::Active, None))
                .collect();
            let boards = vec![res(ResourceType::Board, "7", &format!("Board v{n}"))];
            let grants = vec![g("board:7:subscriber", Principal::user(format!("{}", 10 + n)))];
            ids.push(snapshot(s, "acme", users, boards, grants).await);
        }
        let before: Vec<String> = read_all(s, &ids).await;
        // A plan made on the first snapshot refers to it: it stays.
        s.add_plan(
            &roster_store::StoredPlan {
                id: "p".into(),
                account: "acme".into(),
                kind: roster_core::PlanKind::Actions,
                sync_id: Some(ids[0]),
                body: json!({}),
                summary: json!({}),
                status: roster_core::PlanStatus::Rejected,
                requested_by: "a".into(),
                reason: None,
                created_ms: 0,
                decided_by: None,
                decided_ms: None,
                note: None,
            },
            &[],
        )
        .await
        .unwrap();
        let keep_one = Retention::new(1, None).unwrap();
        let dry = prune_by_policy(s, &keep_one, true).await;
        assert_eq!(dry, (vec![ids[1], ids[2]], 0), "{db}: a dry run says which, and deletes nothing");
        assert_eq!(read_all(s, &ids).await, before, "{db}: a dry run changes nothing");
        let (pruned, rows) = prune_by_policy(s, &keep_one, false).await;
        assert_eq!(pruned, vec![ids[1], ids[2]], "{db}");
        assert!(rows > 0, "{db}: rows were deleted");
        let after = read_all(s, &ids).await;
        assert_eq!((&after[0], &after[3]), (&before[0], &before[3]), "{db}: kept snapshots read exactly as before");
        for id in [ids[1], ids[2]] {
            let run = s.sync_run(id).await.unwrap().unwrap();
            assert!(run.pruned_at.is_some() && run.status == SyncStatus::Completed, "{db}: the run stays, marked");
            assert_eq!(s.counts(id).await.unwrap().users, 0, "{db}: its rows are gone");
        }
        assert_eq!(s.last_completed("acme").await.unwrap().unwrap().id, ids[3], "{db}");
        let e = s
            .events(&EventQuery { kind_prefix: Some("snapshots_pruned".into()), ..EventQuery::default() })
            .await
            .unwrap();
        assert_eq!(e.len(), 1, "{db}: one event says what was pruned");
        assert_eq!(e[0].detail["syncs"], json!([ids[1], ids[2]]), "{db}");
        // The newest snapshot is refused at the store too, and so is one pruned already.
        assert!(s.prune_snapshots("acme", &[ids[3]], Utc::now()).await.is_err(), "{db}");
        assert!(s.prune_snapshots("acme", &[ids[1]], Utc::now()).await.is_err(), "{db}");
        assert_eq!(read_all(s, &ids).await, after, "{db}: a refused prune changes nothing");
        let stats = s.store_stats().await.unwrap();
        let acme = &stats.accounts[0];
        assert_eq!((acme.account.as_str(), acme.snapshots, acme.pruned), ("acme", 2, 2), "{db}: two kept, two pruned");
        assert!(stats.bytes > 0, "{db}");
        // The test script's PostgreSQL ships pg_trgm: search goes through an index on both.
        assert!(stats.user_search.ends_with("index"), "{db}: user search is {:?}", stats.user_search);
    }
}

async fn read_all(s: &dyn Store, ids: &[i64]) -> Vec<String> {
    let mut out = Vec::new();
    for id in ids {
        out.push(read_snapshot(s, *id).await);
    }
    out
}

/// The engine's selection, done here with the store's own calls (the store crate cannot
/// depend on the engine): the snapshots `to_prune` picks, then the store's prune.
async fn prune_by_policy(s: &dyn Store, r: &roster_core::retention::Retention, dry: bool) -> (Vec<i64>, u64) {
    use roster_core::retention::{to_prune, Snapshot};
    let completed: Vec<Snapshot> = s
        .syncs(Some("acme"), 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.status == SyncStatus::Completed && r.pruned_at.is_none())
        .map(|r| Snapshot { id: r.id, completed_at: r.finished_at.unwrap() })
        .collect();
    let ids = to_prune(&completed, &s.snapshot_refs("acme").await.unwrap(), r, Utc::now());
    let rows = if dry { 0 } else { s.prune_snapshots("acme", &ids, Utc::now()).await.unwrap() };
    (ids, rows)
}

/// Pages are written many rows to a statement: every row of a large page lands, a key given
/// twice keeps its last row (as one upsert per row did), and a repeated grant is stored once.
#[tokio::test]
async fn large_pages_with_repeats_land_whole() {
    for (db, s) in stores().await {
        let s = s.as_ref();
        let mut users: Vec<UserRecord> = (0..450)
            .map(|i| user(&format!("{}", 100 + i), &format!("p{i}@x.io"), Role::Member, UserStatus::Active, None))
            .collect();
        let mut renamed = users[7].clone();
        renamed.name = "Renamed".into();
        users.push(renamed);
        let boards: Vec<ResourceRecord> =
            (0..430).map(|i| res(ResourceType::Board, &format!("{}", 9000 + i), "B")).collect();
        let mut boards = boards;
        boards.push(res(ResourceType::Board, "9003", "B again"));
        let mut grants: Vec<Grant> =
            (0..430).map(|i| g(&format!("board:{}:subscriber", 9000 + i), Principal::user("100"))).collect();
        grants.push(g("board:9000:subscriber", Principal::user("100")));
        let id = snapshot(s, "acme", users, boards, grants).await;
        let c = s.counts(id).await.unwrap();
        assert_eq!((c.users, c.boards, c.grants), (450, 430, 430), "{db}");
        assert_eq!(s.find_user(id, "107").await.unwrap().unwrap().name, "Renamed", "{db}: the last row wins");
        let b = s.resource(id, ResourceType::Board, "9003").await.unwrap().unwrap();
        assert_eq!(b.name, "B again", "{db}");
    }
}

/// A database made with `create_postgres` is gone after `drop_postgres`, connections open to
/// it or not (what `roster bench --postgres` cleans up with).
#[tokio::test]
async fn a_created_postgres_database_can_be_dropped() {
    let Ok(url) = std::env::var("ROSTER_TEST_POSTGRES") else { return };
    let name = format!("roster_drop_{}", std::process::id());
    let store = SqlStore::create_postgres(&url, &name).await.unwrap();
    snapshot(&store, "acme", vec![], vec![], vec![]).await;
    SqlStore::drop_postgres(&url, &name).await.unwrap();
    assert!(SqlStore::create_postgres(&url, "no-such name").await.is_err(), "names are checked");
    assert!(SqlStore::drop_postgres(&url, "x; DROP DATABASE postgres").await.is_err(), "names are checked");
    // Dropped: creating it again starts from an empty store.
    let again: Box<dyn Store> = Box::new(SqlStore::create_postgres(&url, &name).await.unwrap());
    assert!(again.last_completed("acme").await.unwrap().is_none(), "the old snapshot went with the database");
    drop(again);
    SqlStore::drop_postgres(&url, &name).await.unwrap();
}

#[tokio::test]
async fn audit_log_entries_are_stored_once_and_the_cursor_only_moves_forward() {
    use roster_store::{AuditLogQuery, AuditLogRow};
    for (db, s) in stores().await {
        s.ensure_account("acme", Utc::now()).await.unwrap();
        assert_eq!(s.audit_cursor("acme").await.unwrap(), None, "{db}");
        let entry = |key: &str, at_ms: i64, event: &str, user: &str| AuditLogRow {
            key: key.into(),
            at_ms,
            event: event.into(),
            user_id: Some(user.into()),
            ip: Some("81.66.1.2".into()),
            metadata: Some(r#"{"reason":"wrong_password"}"#.into()),
            ..AuditLogRow::default()
        };
        // More rows than one statement holds, some keys twice.
        let rows: Vec<AuditLogRow> =
            (0..450).map(|i| entry(&format!("k{}", i % 400), 1_000 + i, "login", &format!("{}", i % 7))).collect();
        assert_eq!(s.add_audit_entries("acme", &rows).await.unwrap(), 400, "{db}: each key once");
        assert_eq!(s.add_audit_entries("acme", &rows[..10]).await.unwrap(), 0, "{db}: stored already");
        s.add_audit_entries("acme", &[entry("f1", 5_000, "failed-login", "3")]).await.unwrap();
        let q = AuditLogQuery { account: "acme".into(), limit: 1000, ..AuditLogQuery::default() };
        let all = s.audit_entries(&q).await.unwrap();
        assert_eq!(all.len(), 401, "{db}");
        assert!(all.windows(2).all(|w| w[0].at_ms >= w[1].at_ms), "{db}: newest first");
        assert_eq!(all[0].metadata.as_deref(), Some(r#"{"reason":"wrong_password"}"#), "{db}");
        let q3 = AuditLogQuery {
            user_id: Some("3".into()),
            event: Some("login".into()),
            since_ms: Some(1_100),
            ..q.clone()
        };
        let got = s.audit_entries(&q3).await.unwrap();
        assert!(
            !got.is_empty()
                && got.iter().all(|r| r.user_id.as_deref() == Some("3") && r.at_ms >= 1_100 && r.event == "login"),
            "{db}"
        );
        let last = s.last_logins("acme").await.unwrap();
        assert_eq!(last.len(), 7, "{db}: one row per user with a login");
        let three = last.iter().find(|(u, _, _)| u == "3").unwrap();
        assert_eq!((three.1, three.2), (1_000 + 395, 57), "{db}: the last login and how many");
        // The same for a few users, the way a page asks: those with a login, by id.
        let ask: Vec<String> = ["3", "nobody", "3"].iter().map(|x| x.to_string()).collect();
        assert_eq!(s.last_logins_of("acme", &ask).await.unwrap(), vec![("3".to_string(), 1_395)], "{db}");
        let every: Vec<String> =
            last.iter().map(|(u, _, _)| u.clone()).chain((0..1_200).map(|i| format!("x{i}"))).collect();
        let mut many = s.last_logins_of("acme", &every).await.unwrap();
        many.sort();
        let mut want: Vec<(String, i64)> = last.iter().map(|(u, t, _)| (u.clone(), *t)).collect();
        want.sort();
        assert_eq!(many, want, "{db}: more ids than one statement holds");
        s.set_audit_cursor("acme", 9_000).await.unwrap();
        s.set_audit_cursor("acme", 8_000).await.unwrap();
        assert_eq!(s.audit_cursor("acme").await.unwrap(), Some(9_000), "{db}: never backwards");
    }
}

/// The filter of items advised to revoke, on both databases: deactivated or pending users,
/// no activity recorded or none since the threshold, guests on a board they do not own; with
/// seeks, the undecided-only filter and the count.
#[tokio::test]
async fn items_advised_to_revoke_are_found_in_sql() {
    use roster_store::{Advised, ItemsFrom, Signal};
    for (db, s) in stores().await {
        let s = s.as_ref();
        let id = s.add_campaign(&campaign("advice")).await.unwrap();
        let with = |seq: i64, f: &dyn Fn(&mut roster_store::ReviewItem)| {
            let mut i = review_item(id, seq, "a@x");
            f(&mut i);
            i
        };
        let items = [
            with(1, &|_| {}),                                   // active, seen at 500
            with(2, &|i| i.user_status = "deactivated".into()), // advised
            with(3, &|i| i.user_status = "pending".into()),     // advised
            with(4, &|i| i.user_last_activity_ms = None),       // advised
            with(5, &|i| i.user_last_activity_ms = Some(99)),   // advised: idle
            with(6, &|i| i.user_last_activity_ms = Some(100)),  // advised: at the threshold
            with(7, &|i| i.user_role = "guest".into()),         // advised: guest on a board
            with(8, &|i| (i.user_role, i.entitlement) = ("guest".into(), "board:1:owner".into())),
            with(9, &|i| (i.user_role, i.entitlement) = ("guest".into(), "team:1:member".into())),
            with(10, &|i| i.entitlement = "board:10:subscriber".into()),
            with(11, &|i| i.sod_rules = Some("payments".into())), // advised: a conflict
            with(12, &|i| i.left_team = Some("Finance".into())),  // advised: left behind
            with(13, &|i| (i.user_role, i.resource_kind) = ("guest".into(), Some("public".into()))),
            with(14, &|i| {
                (i.user_role, i.resource_kind, i.left_team) = ("guest".into(), Some("share".into()), Some("Ops".into()))
            }),
        ];
        assert!(s.launch_campaign(id, 42, 1_500, 2_000, &items).await.unwrap(), "{db}");
        let rule = Advised { idle_before_ms: 100, recent_after_ms: 100, signal: Signal::Revoke };
        let seqs = |v: Vec<roster_store::ReviewItem>| v.iter().map(|i| i.seq).collect::<Vec<_>>();
        let all = s.review_items_advised(id, "a@x", rule, false, ItemsFrom::Offset(0), 100).await.unwrap();
        assert_eq!(seqs(all), vec![2, 3, 4, 5, 6, 7, 11, 12, 14], "{db}");
        let after = s.review_items_advised(id, "a@x", rule, false, ItemsFrom::After(3), 2).await.unwrap();
        assert_eq!(seqs(after), vec![4, 5], "{db}");
        let before = s.review_items_advised(id, "a@x", rule, false, ItemsFrom::Before(5), 2).await.unwrap();
        assert_eq!(seqs(before), vec![3, 4], "{db}");
        assert_eq!(s.review_items_advised_count(id, "a@x", rule, false).await.unwrap(), 9, "{db}");
        assert_eq!(s.review_items_advised_count(id, "b@x", rule, false).await.unwrap(), 0, "{db}");
        let mine = s.review_items(id, Some("a@x")).await.unwrap();
        let frozen = |i: &roster_store::ReviewItem| (i.sod_rules.clone(), i.left_team.clone(), i.resource_kind.clone());
        assert_eq!(frozen(&mine[10]), (Some("payments".into()), None, None), "{db}");
        assert_eq!(frozen(&mine[13]), (None, Some("Ops".into()), Some("share".into())), "{db}");
        let d = roster_store::ItemDecision {
            reviewer: "a@x".into(),
            decision: Some(roster_core::review::Decision::Revoke),
            reassign_to: None,
            by: "a@x".into(),
            justification: Some("gone".into()),
            at_ms: 3_000,
        };
        assert!(s.decide_item(mine[1].id, &d).await.unwrap(), "{db}");
        let open = s.review_items_advised(id, "a@x", rule, true, ItemsFrom::Offset(0), 100).await.unwrap();
        assert_eq!(seqs(open), vec![3, 4, 5, 6, 7, 11, 12, 14], "{db}: undecided only");
        assert_eq!(s.review_items_advised_count(id, "a@x", rule, true).await.unwrap(), 8, "{db}");
        // Each signal on its own (first rule that matches wins).
        let only = |signal| Advised { signal, ..rule };
        let by = |signal| {
            let rule = only(signal);
            async move { seqs(s.review_items_advised(id, "a@x", rule, false, ItemsFrom::Offset(0), 100).await.unwrap()) }
        };
        assert_eq!(by(Signal::Deactivated).await, vec![2], "{db}");
        assert_eq!(by(Signal::NeverJoined).await, vec![3], "{db}");
        assert_eq!(by(Signal::Idle).await, vec![4, 5, 6], "{db}");
        assert_eq!(by(Signal::SodConflict).await, vec![11], "{db}");
        assert_eq!(by(Signal::LeftTeam).await, vec![12, 14], "{db}: left behind, before being a guest");
        assert_eq!(by(Signal::GuestOnBoard).await, vec![7], "{db}: a kind unknown counts as private");
        assert_eq!(by(Signal::OwnerActive).await, vec![8], "{db}: an owner seen after 100");
        assert_eq!(by(Signal::Judgement).await, vec![1, 9, 10, 13], "{db}: a guest on a public board too");
        // A resource's undecided items: board 1's (not a board 10's), the decided one left out.
        let on = s.review_undecided_on(id, "a@x", "board:1", 100).await.unwrap();
        let want: Vec<i64> =
            mine.iter().filter(|i| i.seq != 2 && i.entitlement.starts_with("board:1:")).map(|i| i.id).collect();
        assert_eq!(on, want, "{db}");
        assert!(!on.is_empty(), "{db}");
        assert_eq!(s.review_undecided_on(id, "a@x", "board:1", 2).await.unwrap().len(), 2.min(want.len()), "{db}");
        assert_eq!(s.review_undecided_on(id, "b@x", "board:1", 100).await.unwrap(), Vec::<i64>::new(), "{db}");
    }
}
