//! `roster bench --api`: the read API and the web UI under load. A generated org is synced
//! into an SQLite store or, with `--postgres`, a new PostgreSQL database (budget unlimited:
//! the sync is not what is measured), `roster serve`'s router is served on loopback, and a
//! load generator in the same process keeps `--concurrency` requests in flight against each
//! route in turn: the API's `users` (random 100-user pages) and `access/{user}` (random
//! users), then the UI's dashboard, users pages (random 50-user pages, and e-mail and name
//! searches), user pages and a reviewer's inbox (the "next" page at a random depth, and a
//! random offset), printing requests per second and latency percentiles. Server and load
//! share the machine's cores, so the figures are a floor.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rand::Rng;
use roster_server::{hash_key, ApiKey, AppState, Role};
use roster_store::SqlStore;
use roster_store::Store;

const KEY: &str = "bench-api-key-0123456789abcdef";

/// Makes the path of each request (random page, random user).
type PathFn = Box<dyn Fn(&mut rand::rngs::ThreadRng) -> String + Send + Sync>;

struct Figures {
    requests: usize,
    errors: usize,
    rps: f64,
    p50: Duration,
    p99: Duration,
    max: Duration,
    /// The route's first request, alone, before the load: what a cold cache costs (a
    /// snapshot's counts and seek points are found once, then remembered).
    first: Duration,
}

/// Keeps `concurrency` requests to `path(rng)` in flight for `seconds`.
async fn load(
    base: &str,
    seconds: u64,
    concurrency: usize,
    auth: (&'static str, String),
    path: impl Fn(&mut rand::rngs::ThreadRng) -> String + Send + Sync + 'static,
) -> Result<Figures> {
    let http = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build()?;
    let t = Instant::now();
    let r = http.get(format!("{base}{}", path(&mut rand::rng()))).header(auth.0, &auth.1).send().await?;
    if !r.status().is_success() {
        bail!("the first request answered {}", r.status());
    }
    let _ = r.bytes().await?;
    let first = t.elapsed();
    let path = Arc::new(path);
    let end = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (http, base, path, auth) = (http.clone(), base.to_string(), Arc::clone(&path), auth.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            while Instant::now() < end {
                let url = format!("{base}{}", path(&mut rand::rng()));
                let t = Instant::now();
                match http.get(url).header(auth.0, &auth.1).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                    }
                    _ => errors += 1,
                }
                lat.push(t.elapsed());
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (lat, e) = t.await?;
        all.extend(lat);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    if all.is_empty() {
        bail!("no request completed");
    }
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    Ok(Figures {
        requests: all.len(),
        errors,
        rps: all.len() as f64 / elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
        max: all[all.len() - 1],
        first,
    })
}

/// Loads the API on a store synced from `org`: an SQLite file in a temporary folder, or a new
/// database on the PostgreSQL server at `postgres`.
pub async fn run(org: monday_sim::Org, seconds: u64, concurrency: usize, postgres: Option<&str>) -> Result<()> {
    let users = org.users.len();
    let dir = std::env::temp_dir().join(format!("roster-bench-api-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let name = format!("roster_bench_api_{}_{users}", std::process::id());
    let store = match postgres {
        Some(url) => {
            println!("syncing a generated org of {users} users into PostgreSQL database {name} ...");
            SqlStore::create_postgres(url, &name).await.context("cannot create the bench database on PostgreSQL")?
        }
        None => {
            println!("syncing a generated org of {users} users into {} ...", dir.display());
            SqlStore::open(&dir.join("bench.db")).await?
        }
    };
    let result = measure(org, seconds, concurrency, store).await;
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(url) = postgres {
        SqlStore::drop_postgres(url, &name).await.context("cannot drop the bench database")?;
    }
    result
}

async fn measure(org: monday_sim::Org, seconds: u64, concurrency: usize, store: SqlStore) -> Result<()> {
    let users = org.users.len();
    let sim = super::bench::spawn_sim(org, u64::MAX / 4, 0).await?;
    let (store, report, wall, _) = super::bench::synced_store(&sim.graphql_url(), 1, store, false).await?;
    drop(sim);
    println!("synced in {wall:.1} s: {} users, {} grants", report.counts.users, report.counts.grants);
    let store: Arc<dyn Store> = Arc::new(store);
    let base_store = Arc::clone(&store);
    let sync = store.last_completed("bench").await?.context("the bench sync did not complete")?;
    let ids: Arc<Vec<String>> =
        Arc::new(store.users(sync.id, &roster_store::UserQuery::default()).await?.into_iter().map(|u| u.id).collect());
    let keys = vec![
        ApiKey { name: "bench".into(), role: Role::Reader, hash: hash_key(KEY) },
        ApiKey {
            name: "reviewer-1@bench.test".into(),
            role: Role::Reviewer,
            hash: hash_key("bench-reviewer-key-0123456789"),
        },
    ];
    // A review campaign over every board grant, shared by ten named reviewers: the reviewer's
    // inbox is one of the pages measured.
    let spec = roster_core::review::CampaignSpec::from_words(
        &["board".to_string()],
        None,
        &[],
        None,
        "named",
        (1..=10).map(|i| format!("reviewer-{i}@bench.test")).collect(),
        "security@bench.test".into(),
        "keep",
        24,
    )?;
    let now = chrono::Utc::now();
    let t = Instant::now();
    let campaign = roster_engine::review::create(
        store.as_ref(),
        "bench",
        "bench",
        &spec,
        now + chrono::Duration::days(7),
        "bench",
        now,
    )
    .await?;
    let items = roster_engine::review::launch(store.as_ref(), "bench", campaign, true, &[], now).await?;
    println!("review campaign launched: {items} items frozen in {:.1} s", t.elapsed().as_secs_f64());
    // The account is served (the UI shows served accounts) but never synced here: its client
    // points nowhere.
    let nowhere = monday_api::ClientConfig::new(monday_api::ApiToken::new("unused"))
        .with_endpoint("http://127.0.0.1:9/v2".parse().context("endpoint")?);
    let account = roster_server::ServedAccount {
        name: "bench".into(),
        client: Arc::new(monday_api::Client::new(nowhere)?),
        options: roster_engine::SyncOptions::default(),
        scim: None,
        audit_log: None,
        source: None,
        interval: Duration::from_secs(3600),
    };
    // The per-key rate limit is lifted: it is the server being measured, not the limiter.
    let state = Arc::new(AppState::new(store, vec![account], keys, None).with_rate_limit(10_000_000, 10_000_000));
    let session = roster_server::web::Sessions.start(state.store.as_ref(), "bench", Role::Reader).await?;
    let reviewer =
        roster_server::web::Sessions.start(state.store.as_ref(), "reviewer-1@bench.test", Role::Reviewer).await?;
    let page = roster_server::web::INBOX_PAGE as usize;
    let inbox_pages = (items / 10 / page).max(1);
    let (router, _) = roster_server::app(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    println!("route                      requests  errors  req/s     p50-ms  p99-ms  max-ms   first-ms   ({concurrency} in flight, {seconds} s each; first-ms: the route's first request, alone)");
    let pages = users.div_ceil(100).max(1);
    let ui_pages = users.div_ceil(50).max(1);
    let api = ("authorization", format!("Bearer {KEY}"));
    let ui = ("cookie", format!("roster_session={session}"));
    let pick = |ids: &Arc<Vec<String>>| {
        let ids = Arc::clone(ids);
        move |r: &mut rand::rngs::ThreadRng| ids[r.random_range(0..ids.len())].clone()
    };
    let (emails, names) = store_texts(&base_store, sync.id).await?;
    let (emails, names) = (Arc::new(emails), Arc::new(names));
    let inbox_seqs: Arc<Vec<i64>> = Arc::new(
        base_store.review_items(campaign, Some("reviewer-1@bench.test")).await?.iter().map(|i| i.seq).collect(),
    );
    let routes: Vec<(&str, (&'static str, String), PathFn)> = vec![
        (
            "api users?offset=R",
            api.clone(),
            Box::new(move |r| {
                format!("/api/v1/accounts/bench/users?offset={}&limit=100", r.random_range(0..pages) * 100)
            }),
        ),
        ("api access/{user}", api.clone(), {
            let one = pick(&ids);
            Box::new(move |r| format!("/api/v1/accounts/bench/access/{}", one(r)))
        }),
        ("ui dashboard", ui.clone(), Box::new(|_| "/ui/".to_string())),
        (
            "ui users?offset=R",
            ui.clone(),
            Box::new(move |r| format!("/ui/a/bench/users?offset={}", r.random_range(0..ui_pages) * 50)),
        ),
        ("ui users?q=email", ui.clone(), {
            let one = pick(&emails);
            Box::new(move |r| format!("/ui/a/bench/users?q={}", one(r)))
        }),
        ("ui users?q=name", ui.clone(), {
            let one = pick(&names);
            Box::new(move |r| format!("/ui/a/bench/users?q={}", one(r)))
        }),
        ("ui users/{user}", ui.clone(), {
            let one = pick(&ids);
            Box::new(move |r| format!("/ui/a/bench/users/{}", one(r)))
        }),
        ("ui review inbox (next R)", ("cookie", format!("roster_session={reviewer}")), {
            // The page the inbox's "Next items" link opens at a random depth: it seeks after
            // the previous page's last item.
            let seqs = Arc::clone(&inbox_seqs);
            Box::new(move |r| {
                let at = r.random_range(1..seqs.len().div_ceil(page).max(2)) * page;
                let after = seqs.get(at - 1).or(seqs.last()).copied().unwrap_or(0);
                format!("/ui/a/bench/reviews/{campaign}?offset={at}&after={after}")
            })
        }),
        (
            "ui review inbox (offset R)",
            ("cookie", format!("roster_session={reviewer}")),
            // An offset typed into the address bar: the pages step over every item before it.
            Box::new(move |r| {
                format!("/ui/a/bench/reviews/{campaign}?offset={}", r.random_range(0..inbox_pages) * page)
            }),
        ),
        ("ui review (admin view)", ui.clone(), Box::new(move |_| format!("/ui/a/bench/reviews/{campaign}"))),
    ];
    for (name, auth, path) in routes {
        let f = load(&base, seconds, concurrency, auth, path).await?;
        println!(
            "{name:<26} {:<9} {:<7} {:<9.0} {:<7.1} {:<7.1} {:<8.1} {:.1}",
            f.requests,
            f.errors,
            f.rps,
            f.p50.as_secs_f64() * 1e3,
            f.p99.as_secs_f64() * 1e3,
            f.max.as_secs_f64() * 1e3,
            f.first.as_secs_f64() * 1e3
        );
    }
    Ok(())
}

/// Each user's e-mail and name, URL-encoded (the searches look for a whole address or name).
async fn store_texts(store: &Arc<dyn Store>, sync: i64) -> Result<(Vec<String>, Vec<String>)> {
    let users = store.users(sync, &roster_store::UserQuery::default()).await?;
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.trim().as_bytes()).collect::<String>();
    Ok(users.iter().map(|u| (enc(&u.email), enc(&u.name))).unzip())
}
