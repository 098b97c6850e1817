//! How fast the store writes in bulk, into a fresh SQLite file (and PostgreSQL when
//! `ROSTER_TEST_POSTGRES` names a server): a sync's pages (10,000 users, 2,000 boards and
//! 60,000 grants in pages of 500 rows), a review campaign's launch (200,000 items frozen), and
//! delta storage at a million grants: the first sync, a re-sync with 1 % changed, an unchanged
//! re-sync (rows stored, seconds) and the diff between the first two.
//! Prints rows per second; `cargo bench -p roster-store`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::Instant;

use chrono::Utc;
use roster_core::{Entitlement, Grant, Principal, ResourceRecord, ResourceType, Role, UserRecord, UserStatus};
use roster_store::{Page, SqlStore, Store};

fn users(n: usize) -> Vec<UserRecord> {
    (0..n)
        .map(|i| UserRecord {
            id: format!("{}", 40_000_000 + i),
            name: format!("User {i}"),
            email: format!("user{i}@acme.test"),
            title: "Engineer".into(),
            role: Role::Member,
            status: UserStatus::Active,
            is_email_confirmed: true,
            created_at: Some(Utc::now()),
            became_active_at: Some(Utc::now()),
            last_activity: Some(Utc::now()),
            time_zone: Some("Europe/Berlin".into()),
            invitation_method: Some("SCIM".into()),
            kind: None,
            department: None,
        })
        .collect()
}

fn boards(n: usize) -> (Vec<ResourceRecord>, Vec<Grant>) {
    let mut res = Vec::new();
    let mut grants = Vec::new();
    for b in 0..n {
        let id = format!("{}", 1_800_000_000 + b);
        res.push(ResourceRecord {
            rtype: ResourceType::Board,
            id: id.clone(),
            name: format!("Board {b}"),
            parent: Some("workspace:1".into()),
            kind: Some("public".into()),
            state: Some("active".into()),
        });
        for k in 0..30 {
            let user = format!("{}", 40_000_000 + (b * 7 + k * 13) % 10_000);
            let e: Entitlement = format!("board:{id}:{}", if k == 0 { "owner" } else { "subscriber" }).parse().unwrap();
            grants.push(Grant::direct(e, Principal::user(user)));
        }
    }
    (res, grants)
}

/// Writes `users` and `boards` (with their grants) as a sync's pages; returns when the users
/// were written.
async fn write_all(
    store: &dyn Store,
    sync: i64,
    users: &[UserRecord],
    boards: &[ResourceRecord],
    grants: &[Grant],
) -> std::time::Duration {
    let start = Instant::now();
    for (i, chunk) in users.chunks(500).enumerate() {
        let page =
            Page { part: "users".into(), users: chunk.to_vec(), next_offset: (i + 1) as u64 * 500, ..Page::default() };
        store.write_page(sync, &page).await.unwrap();
    }
    let users_done = start.elapsed();
    for (i, (r, g)) in boards.chunks(50).zip(grants.chunks(1500)).enumerate() {
        let page = Page {
            part: "boards".into(),
            resources: r.to_vec(),
            grants: g.to_vec(),
            next_offset: (i + 1) as u64 * 50,
            ..Page::default()
        };
        store.write_page(sync, &page).await.unwrap();
    }
    users_done
}

/// One sync of `users` and `boards` (with their grants) in pages; returns its id.
async fn sync_of(store: &dyn Store, users: &[UserRecord], boards: &[ResourceRecord], grants: &[Grant]) -> i64 {
    let run = store.begin_sync("delta", "2026-10", Utc::now()).await.unwrap();
    write_all(store, run.id, users, boards, grants).await;
    store.finish_snapshot(run.id).await.unwrap();
    store.complete_sync(run.id, roster_store::SyncStats::default(), &[], Utc::now()).await.unwrap();
    run.id
}

/// Delta storage at a million grants.
async fn delta(name: &str, store: &dyn Store) {
    let mut users = users(10_000);
    let (res, mut grants) = boards(33_334);
    let t = Instant::now();
    let first = sync_of(store, &users, &res, &grants).await;
    let first_s = t.elapsed().as_secs_f64();
    // 1 %: a hundred users renamed, every hundredth grant moved to another user.
    users.iter_mut().step_by(100).for_each(|u| u.name.push_str(" Jr."));
    for g in grants.iter_mut().step_by(100) {
        g.principal =
            Principal::user(format!("{}", 40_000_000 + (g.principal.id.parse::<u64>().unwrap() + 1) % 10_000));
    }
    let t = Instant::now();
    let second = sync_of(store, &users, &res, &grants).await;
    let second_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let third = sync_of(store, &users, &res, &grants).await;
    let third_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let (lost, gained) = (
        store.grants_missing_from(first, second).await.unwrap(),
        store.grants_missing_from(second, first).await.unwrap(),
    );
    let changed = store.changed_users(first, second).await.unwrap();
    let diff_s = t.elapsed().as_secs_f64();
    let (c2, c3) = (store.sync_changes(second).await.unwrap(), store.sync_changes(third).await.unwrap());
    println!(
        "delta/{name}: {} grants; first sync {first_s:.2} s; 1 % changed {second_s:.2} s ({} rows stored, {} ended); \
         unchanged {third_s:.2} s ({} rows stored); diff {diff_s:.2} s ({} grants lost, {} gained, {} users changed)",
        grants.len(),
        c2.added,
        c2.removed,
        c3.added + c3.removed,
        lost.len(),
        gained.len(),
        changed.len()
    );
}

async fn run(name: &str, store: &dyn Store) {
    let run = store.begin_sync("bench", "2026-10", Utc::now()).await.unwrap();
    let users = users(10_000);
    let (res, grants) = boards(2_000);
    let rows = users.len() + res.len() + grants.len();
    let start = Instant::now();
    let users_done = write_all(store, run.id, &users, &res, &grants).await;
    let written = start.elapsed();
    store.finish_snapshot(run.id).await.unwrap();
    println!(
        "write_pages/{name}: {rows} rows in {:.2} s = {:.0} rows/s (users {:.2} s, boards and grants {:.2} s)",
        written.as_secs_f64(),
        rows as f64 / written.as_secs_f64(),
        users_done.as_secs_f64(),
        (written - users_done).as_secs_f64()
    );
}

async fn launch(name: &str, store: &dyn Store) {
    use roster_core::review::CampaignStatus;
    use roster_store::{ReviewCampaign, ReviewItem};
    let c = ReviewCampaign {
        id: 0,
        account: "bench".into(),
        name: "bench".into(),
        spec: "{}".into(),
        status: CampaignStatus::Draft,
        created_by: "bench".into(),
        created_ms: 0,
        due_ms: 1,
        launched_ms: None,
        sync_id: None,
        snapshot_ms: None,
        closed_ms: None,
        plan_id: None,
        items_moved: 0,
    };
    let id = store.add_campaign(&c).await.unwrap();
    let items: Vec<ReviewItem> = (1..=200_000)
        .map(|seq| ReviewItem {
            id: 0,
            campaign_id: id,
            seq,
            user_id: format!("{}", 40_000_000 + seq % 10_000),
            user_email: format!("user{}@acme.test", seq % 10_000),
            user_name: "User".into(),
            user_status: "active".into(),
            user_role: "member".into(),
            user_last_activity_ms: Some(0),
            entitlement: format!("board:{}:subscriber", 1_800_000_000 + seq / 100),
            resource_name: "Board".into(),
            source: "direct".into(),
            reviewer: format!("owner{}@acme.test", seq / 100),
            original_reviewer: format!("owner{}@acme.test", seq / 100),
            ..ReviewItem::default()
        })
        .collect();
    let start = Instant::now();
    assert!(store.launch_campaign(id, 1, 0, 0, &items).await.unwrap());
    let t = start.elapsed().as_secs_f64();
    println!("launch_review/{name}: {} items in {t:.2} s = {:.0} items/s", items.len(), items.len() as f64 / t);
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("roster-bench-write-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite = SqlStore::open(&dir.join("bench.db")).await.unwrap();
    run("sqlite", &sqlite).await;
    launch("sqlite", &sqlite).await;
    delta("sqlite", &sqlite).await;
    if let Ok(url) = std::env::var("ROSTER_TEST_POSTGRES") {
        let pg = SqlStore::create_postgres(&url, &format!("roster_bench_{}", std::process::id())).await.unwrap();
        run("postgres", &pg).await;
        launch("postgres", &pg).await;
        delta("postgres", &pg).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}
