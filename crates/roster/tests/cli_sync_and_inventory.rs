//! The `roster` binary against monday-sim: configure, sync, list, look up access; and each
//! error a user can hit says what to do.

use std::process::Command;

use serde_json::Value;

use crate::common;

use common::*;

#[tokio::test]
async fn sync_then_inventory() {
    let (sim, org) = sim(300).await;
    let dir = Dir::new("inventory");
    let cfg = write_config(&dir.0, &sim.graphql_url());
    let o = roster(&cfg, Some("sim-admin-token"), &["sync"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("synced acme: 300 users"), "{}", stdout(&o));

    let o = roster(&cfg, None, &["users", "-o", "json"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let users: Vec<Value> = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(users.len(), org.users.len());
    let ids: Vec<u64> = users.iter().map(|u| u["id"].as_str().unwrap().parse().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "stable order by id");
    // Each user's department by name (Enterprise).
    for d in &org.departments {
        for m in &d.members {
            let row = users.iter().find(|u| u["id"] == m.to_string().as_str()).unwrap();
            assert_eq!(row["department"], d.name.as_str(), "user {m}");
        }
    }

    let admins = org.users.iter().filter(|u| u.kind == monday_sim::model::UserKind::Admin).count();
    let o = roster(&cfg, None, &["users", "--role", "admin", "-o", "csv"]).await;
    assert_eq!(stdout(&o).lines().count(), admins + 1, "header + one line per admin");
    // Reports: the same admins; a report that needs an option says which.
    let o = roster(&cfg, None, &["report", "admins", "-o", "csv"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let active_admins = org
        .users
        .iter()
        .filter(|u| u.kind == monday_sim::model::UserKind::Admin && u.status == monday_sim::model::UserStatus::Active)
        .count();
    assert_eq!(stdout(&o).lines().count(), active_admins + 1, "{}", stdout(&o));
    let o = roster(&cfg, None, &["report", "offboarding"]).await;
    assert!(!o.status.success() && stderr(&o).contains("--user"), "{}", stderr(&o));

    // access by e-mail in another letter case; who for a board.
    let u = &org.users[5];
    let o = roster(&cfg, None, &["access", &u.email.to_uppercase(), "-o", "json"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let grants: Vec<Value> = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(grants.iter().any(|g| g["entitlement"].as_str().unwrap().starts_with("role:")));
    // A custom role is shown by its name beside its id.
    let holder = org.users.iter().find(|u| u.role_id.is_some()).expect("the generator gives some user a custom role");
    let role = org.custom_roles.iter().find(|r| Some(r.id) == holder.role_id).unwrap();
    let o = roster(&cfg, None, &["access", &holder.id.to_string(), "-o", "json"]).await;
    let grants: Vec<Value> = serde_json::from_str(&stdout(&o)).unwrap();
    let custom = grants.iter().find(|g| g["entitlement"] == format!("role:{}:assigned", role.id).as_str());
    assert_eq!(
        custom.map(|g| g["resource"].clone()),
        Some(Value::from(format!("custom role {}", role.name))),
        "{grants:?}"
    );
    let board = org.boards.iter().find(|b| !b.team_subscribers.is_empty()).unwrap();
    let o = roster(&cfg, None, &["who", &format!("board:{}", board.id), "-o", "json"]).await;
    let holders: Vec<Value> = serde_json::from_str(&stdout(&o)).unwrap();
    let direct_users = holders
        .iter()
        .filter(|h| {
            h["source"] == "direct"
                && h["principal"].as_str().unwrap().starts_with("user:")
                && h["entitlement"] == "subscriber"
        })
        .count();
    assert_eq!(direct_users, board.subscribers.len());
    assert!(holders.iter().any(|h| h["source"].as_str().unwrap().starts_with("via team")));

    for cmd in [vec!["teams"], vec!["workspaces"], vec!["boards"], vec!["syncs"], vec!["events"]] {
        let o = roster(&cfg, None, &cmd).await;
        assert!(o.status.success(), "{cmd:?}: {}", stderr(&o));
        assert!(stdout(&o).lines().count() > 1, "{cmd:?} printed rows");
    }
    // A second sync: diff has nothing to show, events has two sync records.
    assert!(roster(&cfg, Some("sim-admin-token"), &["sync"]).await.status.success());
    let o = roster(&cfg, None, &["diff", "-o", "json"]).await;
    assert_eq!(serde_json::from_str::<Vec<Value>>(&stdout(&o)).unwrap().len(), 0);
    let o = roster(&cfg, None, &["events", "--kind", "sync_completed", "-o", "json"]).await;
    assert_eq!(serde_json::from_str::<Vec<Value>>(&stdout(&o)).unwrap().len(), 2);
    // A user deactivated: diff and events name them by name and e-mail, in a sentence.
    let mut changed = sim.sim.world().org().clone();
    let gone = changed
        .users
        .iter_mut()
        .find(|u| u.status == monday_sim::model::UserStatus::Active && u.id != org.users[0].id)
        .unwrap();
    gone.status = monday_sim::model::UserStatus::Inactive;
    let (id, email) = (gone.id, gone.email.clone());
    sim.sim.replace(changed).unwrap();
    assert!(roster(&cfg, Some("sim-admin-token"), &["sync"]).await.status.success());
    let o = roster(&cfg, None, &["diff", "-o", "json"]).await;
    let rows: Vec<Value> = serde_json::from_str(&stdout(&o)).unwrap();
    let row = rows.iter().find(|r| r["kind"] == "user_status_changed").unwrap();
    assert_eq!(row["subject"], format!("user:{id}"));
    assert!(row["about"].as_str().unwrap().contains(&email), "{row}");
    assert!(row["what"].as_str().unwrap().ends_with("status active → deactivated"), "{row}");
    let o = roster(&cfg, None, &["events", "--kind", "user_status", "-o", "table"]).await;
    assert!(stdout(&o).contains(&email), "{}", stdout(&o));
}

#[tokio::test]
async fn errors_say_what_to_do() {
    let (sim, _) = sim(60).await;
    let dir = Dir::new("errors");
    let missing = dir.0.join("nope.toml");
    let o = roster(&missing, None, &["sync"]).await;
    assert!(!o.status.success());
    assert!(stderr(&o).contains("roster init"), "{}", stderr(&o));

    let cfg = write_config(&dir.0, &sim.graphql_url());
    let o = roster(&cfg, None, &["users"]).await;
    assert!(stderr(&o).contains("roster sync"), "no store yet: {}", stderr(&o));
    let o = roster(&cfg, None, &["sync"]).await;
    assert!(!o.status.success());
    assert!(stderr(&o).contains("ROSTER_TEST_TOKEN") && stderr(&o).contains("export"), "{}", stderr(&o));

    let o = roster(&cfg, Some("wrong-token"), &["sync"]).await;
    assert!(!o.status.success());
    assert!(stderr(&o).contains("rejected the API token"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("wrong-token"), "the token is never printed");

    let unreachable = write_config(&dir.0, "http://127.0.0.1:9/v2");
    let o = roster(&unreachable, Some("t"), &["sync"]).await;
    assert!(!o.status.success());
    assert!(stderr(&o).contains("127.0.0.1:9"), "{}", stderr(&o));

    // A store file that is not a database (its write-ahead log removed too: SQLite could
    // otherwise rebuild the first page from it).
    for f in ["roster.db-wal", "roster.db-shm"] {
        let _ = std::fs::remove_file(dir.0.join(f));
    }
    std::fs::write(dir.0.join("roster.db"), "not a database. ".repeat(512)).unwrap();
    let cfg = write_config(&dir.0, &sim.graphql_url());
    let o = roster(&cfg, Some("sim-admin-token"), &["sync"]).await;
    assert!(!o.status.success());
    assert!(stderr(&o).contains("not a Roster store"), "{}", stderr(&o));

    let o = roster(&cfg, None, &["init"]).await;
    assert!(!o.status.success() && stderr(&o).contains("--force"));
    let fresh = dir.0.join("fresh.toml");
    let o = roster(&fresh, None, &["init"]).await;
    assert!(o.status.success());
    assert!(std::fs::read_to_string(&fresh).unwrap().contains("token_env"));
}

#[tokio::test]
async fn changes_from_the_command_line() {
    let (sim, org) = sim(300).await;
    let dir = Dir::new("changes");
    let cfg = write_config(&dir.0, &sim.graphql_url());
    let token = Some("sim-admin-token");
    assert!(roster(&cfg, token, &["sync"]).await.status.success());
    let member = org
        .users
        .iter()
        .find(|u| {
            u.kind == monday_sim::model::UserKind::Member
                && u.status == monday_sim::model::UserStatus::Active
                && u.id != org.users[1].id
        })
        .unwrap();
    let board = org
        .boards
        .iter()
        .find(|b| b.kind == monday_sim::model::BoardKind::Public && !b.subscribers.contains(&member.id))
        .unwrap();

    // Dry run: a plan, no change.
    let state = serde_json::to_vec(sim.sim.world().org()).unwrap();
    let o = roster(&cfg, token, &["deactivate", &member.email, "--dry-run"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("dry run") && stdout(&o).contains("planned"), "{}", stdout(&o));
    assert_eq!(serde_json::to_vec(sim.sim.world().org()).unwrap(), state);

    // A grant by e-mail, with a reason.
    let ent = format!("board:{}:subscriber", board.id);
    let o = roster(&cfg, token, &["grant", &member.email, &ent, "--reason", "joins the project"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("succeeded"));
    let w = sim.sim.world();
    assert!(w.boards()[w.board_pos(board.id).unwrap()].subscribers.contains(&member.id));
    let o = roster(&cfg, None, &["events", "--kind", "action_requested", "-o", "json"]).await;
    let evs: Vec<Value> = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(evs[0]["detail"]["reason"], "joins the project");

    // The guard: more than 10 users.
    let many: Vec<String> = org
        .users
        .iter()
        .filter(|u| u.status == monday_sim::model::UserStatus::Active && u.kind == monday_sim::model::UserKind::Member)
        .skip(3)
        .take(11)
        .map(|u| u.id.to_string())
        .collect();
    let mut args = vec!["deactivate"];
    args.extend(many.iter().map(String::as_str));
    let o = roster(&cfg, token, &args).await;
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--allow-mass-change"), "{}", stderr(&o));

    // Errors name the object.
    let o = roster(&cfg, token, &["grant", "nobody@nowhere.example", &ent]).await;
    assert!(!o.status.success() && stderr(&o).contains("nobody@nowhere.example"), "{}", stderr(&o));
    let o = roster(&cfg, token, &["grant", &member.email, "board:123"]).await;
    assert!(stderr(&o).contains("type:id:slug"), "{}", stderr(&o));
    let o = roster(&cfg, token, &["role", &member.email, "boss"]).await;
    assert!(stderr(&o).contains("admin, member, viewer or guest"));
}

#[tokio::test]
async fn scim_plan_apply_import_from_the_command_line() {
    let (sim, _) = sim(60).await;
    let dir = Dir::new("scim");
    let cfg = dir.0.join("roster.toml");
    let text = format!(
        "[[accounts]]\nname = \"acme\"\napi_url = \"{}\"\ntoken_env = \"ROSTER_TEST_TOKEN\"\nscim_url = \"{}/scim/v2\"\nscim_token_env = \"ROSTER_TEST_TOKEN\"\n[accounts.scim_mapping]\nmail = \"userName\"\n",
        sim.graphql_url(),
        sim.url()
    );
    std::fs::write(&cfg, text).unwrap();
    let people = dir.0.join("people.csv");
    std::fs::write(&people, "mail,first_name,last_name,title,groups\nnew.one@acme-example.com,New,One,Analyst,Guild\nnew.two@acme-example.com,New,Two,Analyst,Guild\n").unwrap();
    let plan = dir.0.join("plan.json");
    let (src, planf) = (people.to_str().unwrap(), plan.to_str().unwrap());
    let o = roster(&cfg, Some("sim-scim-token"), &["scim", "plan", "--source", src, "--out", planf]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("create user new.one@acme-example.com"), "{}", stdout(&o));
    assert!(stdout(&o).contains("create group \"Guild\""), "{}", stdout(&o));
    // The SCIM-provisioned users of the generated org are not in the source: the plan
    // deactivates them, which the guard stops.
    let o = roster(&cfg, Some("sim-scim-token"), &["scim", "apply", "--plan", planf]).await;
    assert!(!o.status.success() && stderr(&o).contains("--allow-mass-change"), "{}", stderr(&o));
    let o = roster(&cfg, Some("sim-scim-token"), &["scim", "apply", "--plan", planf, "--allow-mass-change"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(sim.sim.world().users().iter().any(|u| u.email == "new.one@acme-example.com"));
    let o = roster(&cfg, Some("sim-scim-token"), &["scim", "plan", "--source", src, "--out", planf]).await;
    assert!(stdout(&o).contains("0 step(s)"), "converged: {}", stdout(&o));
    let out = dir.0.join("export.json");
    let o = roster(&cfg, Some("sim-scim-token"), &["scim", "import", "--out", out.to_str().unwrap()]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let exported: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert!(exported["users"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["email"] == "new.two@acme-example.com" && u["groups"] == "Guild"));
    let o = roster(
        &cfg,
        None,
        &["--store", dir.0.join("roster.db").to_str().unwrap(), "events", "--kind", "scim", "-o", "json"],
    )
    .await;
    let evs: Vec<Value> = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(evs.iter().any(|e| e["kind"] == "scim.user_create_provision"), "{}", stdout(&o));
}

#[tokio::test]
async fn serve_answers_and_stops_cleanly() {
    use std::io::{BufRead, BufReader, Write};
    let (sim, org) = sim(80).await;
    let dir = Dir::new("serve");
    // The key's hash, from `roster key hash`.
    let mut child = Command::new(BIN)
        .args(["key", "hash"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"a-long-random-admin-key-0123456789").unwrap();
    let out = child.wait_with_output().unwrap();
    let hash_line = String::from_utf8(out.stdout).unwrap();
    assert!(hash_line.starts_with("hash = \"sha256:"), "{hash_line}");
    let cfg = dir.0.join("roster.toml");
    let text = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\n[[server.api_keys]]\nname = \"ops\"\nrole = \"admin\"\n{hash_line}\n[[accounts]]\nname = \"acme\"\napi_url = \"{}\"\ntoken_env = \"ROSTER_TEST_TOKEN\"\n",
        sim.graphql_url()
    );
    std::fs::write(&cfg, &text).unwrap();
    let mut server = Command::new(BIN)
        .arg("--config")
        .arg(&cfg)
        .arg("serve")
        .env("ROSTER_TEST_TOKEN", "sim-admin-token")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(server.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base =
        line.split_whitespace().find(|w| w.starts_with("http://")).unwrap().trim_end_matches("/api/v1").to_string();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let health = http.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    // The scheduler syncs at start; wait for it (up to 30 s: the whole suite runs in parallel
    // on two cores), then read.
    let mut users = Value::Null;
    for _ in 0..600 {
        let r = http
            .get(format!("{base}/api/v1/accounts/acme/users?limit=1000"))
            .bearer_auth("a-long-random-admin-key-0123456789")
            .send()
            .await
            .unwrap();
        if r.status() == 200 {
            users = r.json().await.unwrap();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(users["total"].as_u64(), Some(org.users.len() as u64), "{users}");
    let denied = http.get(format!("{base}/api/v1/accounts")).bearer_auth("wrong").send().await.unwrap();
    assert_eq!(denied.status(), 401);
    let metrics = http.get(format!("{base}/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("roster_syncs_total"), "{metrics}");
    // SIGHUP: the key is rotated in the file and reloaded; requests meanwhile all get answers.
    let new_key = "a-second-long-random-key-0123456789";
    let rotated = text.replace(hash_line.trim(), &format!("hash = \"{}\"", roster_server::hash_key(new_key)))
        + "[jit]\nmax_board_minutes = 5\n";
    assert_ne!(rotated, text);
    // A 30-minute board request passes the default policy (24 h) before the reload...
    let ask = serde_json::json!({
        "user": org.users[0].email, "entitlement": format!("board:{}:subscriber", org.boards[0].id),
        "minutes": 30, "justification": "checking the reload",
    });
    let jit = |key: &'static str| {
        let (http, base, ask) = (http.clone(), base.clone(), ask.clone());
        async move {
            let r =
                http.post(format!("{base}/api/v1/accounts/acme/jit")).bearer_auth(key).json(&ask).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    assert_eq!(jit("a-long-random-admin-key-0123456789").await.0, 200);
    let during = tokio::spawn({
        let (http, base) = (http.clone(), base.clone());
        async move {
            let mut codes = Vec::new();
            for _ in 0..40 {
                let r = http
                    .get(format!("{base}/api/v1/accounts"))
                    .bearer_auth("a-long-random-admin-key-0123456789")
                    .send()
                    .await;
                codes.push(r.map(|r| r.status().as_u16()).map_err(|e| e.to_string()));
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            codes
        }
    });
    std::fs::write(&cfg, &rotated).unwrap();
    let _ = Command::new("kill").args(["-HUP", &server.id().to_string()]).status();
    let codes = during.await.unwrap();
    assert!(
        codes.iter().all(|c| matches!(c, Ok(200) | Ok(401))),
        "every request answered across the reload: {codes:?}"
    );
    let status_with = |key: &'static str| {
        let (http, base) = (http.clone(), base.clone());
        async move { http.get(format!("{base}/api/v1/accounts")).bearer_auth(key).send().await.unwrap().status().as_u16() }
    };
    let mut reloaded = false;
    for _ in 0..100 {
        if status_with(new_key).await == 200 {
            reloaded = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(reloaded, "the new key works after SIGHUP");
    assert_eq!(status_with("a-long-random-admin-key-0123456789").await, 401, "the old key no longer does");
    // ...and the reloaded [jit] policy caps it at 5 minutes.
    let (code, body) = jit(new_key).await;
    assert!(code == 400 && body.contains("at most 5 minutes"), "{code} {body}");
    // A broken file is refused whole on reload: the keys in force stay.
    std::fs::write(&cfg, "[server]\nlisten = 5\n").unwrap();
    let _ = Command::new("kill").args(["-HUP", &server.id().to_string()]).status();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(status_with(new_key).await, 200, "a bad reload keeps the configuration in force");
    // SIGTERM: a clean exit.
    let _ = Command::new("kill").args(["-TERM", &server.id().to_string()]).status();
    let status = server.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn separation_of_duties_from_the_command_line() {
    let (sim, org) = sim(120).await;
    let dir = Dir::new("sod");
    let cfg = write_config(&dir.0, &sim.graphql_url());
    // Admins owning any board, directly or through an owner team: the generated org has some.
    let team_members =
        |t: &u64| org.teams.iter().filter(|x| x.id == *t).flat_map(|x| x.members.clone()).collect::<Vec<_>>();
    let owners: std::collections::BTreeSet<String> = org
        .boards
        .iter()
        .flat_map(|b| b.owners.iter().copied().chain(b.team_owners.iter().flat_map(team_members)).collect::<Vec<_>>())
        .filter(|o| {
            org.users.iter().any(|u| {
                u.id == *o
                    && u.kind == monday_sim::model::UserKind::Admin
                    && u.status != monday_sim::model::UserStatus::Inactive
            })
        })
        .map(|o| o.to_string())
        .collect();
    assert!(!owners.is_empty());
    let rule =
        "\n[[sod]]\nname = \"admins own no boards\"\nentitlements = [\"role:admin:assigned\", \"board:*:owner\"]\n";
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, format!("{text}{rule}")).unwrap();
    let o = roster(&cfg, Some("sim-admin-token"), &["sync"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(&format!("separation of duties: {} violation(s)", owners.len())),
        "{owners:?} {}",
        stdout(&o)
    );
    let o = roster(&cfg, None, &["sod", "check", "-o", "csv"]).await;
    assert!(!o.status.success(), "violations fail the check");
    let listed: std::collections::BTreeSet<String> =
        stdout(&o).lines().skip(1).map(|l| l.split(',').nth(1).unwrap().to_string()).collect();
    assert_eq!(listed, owners);
    let o = roster(&cfg, None, &["report", "sod", "-o", "json"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(serde_json::from_str::<Value>(&stdout(&o)).unwrap().as_array().unwrap().len(), owners.len());
    let o = roster(&cfg, None, &["events", "--kind", "sod_", "-o", "json"]).await;
    let evs: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(evs.as_array().unwrap().len(), owners.len(), "one sod_violation event per violation");
    // A broken rule is refused with its name.
    std::fs::write(&cfg, format!("{text}\n[[sod]]\nname = \"lonely\"\nentitlements = [\"role:admin:assigned\"]\n"))
        .unwrap();
    let o = roster(&cfg, None, &["sod", "check"]).await;
    assert!(stderr(&o).contains("lonely") && stderr(&o).contains("at least two"), "{}", stderr(&o));
}

#[tokio::test]
async fn just_in_time_access_from_the_command_line() {
    let (sim, org) = sim(120).await;
    let dir = Dir::new("jit");
    let cfg = write_config(&dir.0, &sim.graphql_url());
    assert!(roster(&cfg, Some("sim-admin-token"), &["sync"]).await.status.success());
    let b = org.boards.iter().find(|b| b.team_subscribers.is_empty() && !b.subscribers.is_empty()).unwrap();
    let u = org
        .users
        .iter()
        .find(|u| {
            u.kind == monday_sim::model::UserKind::Member
                && u.status == monday_sim::model::UserStatus::Active
                && !b.subscribers.contains(&u.id)
        })
        .unwrap();
    let ent = format!("board:{}:subscriber", b.id);
    let ask = |minutes: &'static str, why: &'static str| {
        let mut a = vec!["jit", "request", "--user", u.email.as_str(), "--entitlement", ent.as_str()];
        a.extend(["--minutes", minutes, "--justification", why, "--requester", "dana"]);
        a
    };
    let o = roster(&cfg, None, &ask("30", "on call tonight")).await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("request 1:"), "{}", stdout(&o));
    let o = roster(&cfg, Some("sim-admin-token"), &["jit", "approve", "1", "--approver", "dana"]).await;
    assert!(!o.status.success() && stderr(&o).contains("own request"), "{}", stderr(&o));
    let o = roster(&cfg, Some("sim-admin-token"), &["jit", "approve", "1", "--approver", "sam"]).await;
    assert!(!o.status.success() && stderr(&o).contains("may not decide"), "sam is no admin: {}", stderr(&o));
    let sam = org
        .users
        .iter()
        .find(|a| a.kind == monday_sim::model::UserKind::Admin && a.status == monday_sim::model::UserStatus::Active)
        .unwrap();
    let o = roster(&cfg, Some("sim-admin-token"), &["jit", "approve", "1", "--approver", &sam.email]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let w = sim.sim.world();
    assert!(w.boards()[w.board_pos(b.id).unwrap()].subscribers.contains(&u.id), "granted in monday.com");
    let o = roster(&cfg, None, &["jit", "list", "--status", "active", "-o", "json"]).await;
    let rows: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!((rows.as_array().unwrap().len(), rows[0]["approver"].as_str()), (1, Some(sam.email.as_str())), "{rows}");
    let o = roster(&cfg, Some("sim-admin-token"), &["jit", "expire"]).await;
    assert!(stdout(&o).contains("revoked 0"), "not yet: {}", stdout(&o));
    let o = roster(&cfg, None, &ask("6000", "too long")).await;
    assert!(!o.status.success() && stderr(&o).contains("at most"), "{}", stderr(&o));
}

/// A configuration error names the account once and never promises a resume; an unreachable
/// endpoint fails in seconds, saying the cause once.
#[tokio::test]
async fn sync_errors_say_the_cause_once() {
    let dir = Dir::new("errors-once");
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v2", free.local_addr().unwrap());
    drop(free);
    let cfg = write_config(&dir.0, &url);
    let o = roster(&cfg, None, &["sync"]).await;
    let err = stderr(&o);
    assert!(!o.status.success());
    assert_eq!(err.matches("account \"acme\"").count(), 1, "{err}");
    assert!(err.contains("ROSTER_TEST_TOKEN") && !err.contains("resumes"), "{err}");
    let started = std::time::Instant::now();
    let o = roster(&cfg, Some("sim-admin-token"), &["sync"]).await;
    let err = stderr(&o);
    assert!(!o.status.success() && started.elapsed() < std::time::Duration::from_secs(20), "{err}");
    assert_eq!(err.matches("account \"acme\"").count(), 1, "{err}");
}

/// `roster users -o json | head` (and CSV) exits 0 like a table does; output to a pipe or a
/// file carries no ANSI colour codes.
#[tokio::test]
async fn a_closed_pipe_is_not_a_failure_and_pipes_get_no_colour() {
    let (sim, _org) = sim(2000).await;
    let dir = Dir::new("pipes");
    let cfg = write_config(&dir.0, &sim.graphql_url());
    assert!(roster(&cfg, Some("sim-admin-token"), &["sync"]).await.status.success());
    for format in ["json", "csv", "table"] {
        let mut c = std::process::Command::new(BIN);
        c.arg("--config")
            .arg(&cfg)
            .args(["users", "-o", format])
            .env_remove("ROSTER_STORE")
            .env_remove("ROSTER_ACCOUNT");
        let out = tokio::task::spawn_blocking(move || {
            use std::io::Read;
            let mut child =
                c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
            let mut first = [0u8; 64];
            child.stdout.as_mut().unwrap().read_exact(&mut first).unwrap();
            drop(child.stdout.take());
            let out = child.wait_with_output().unwrap();
            (
                out.status,
                String::from_utf8_lossy(&first).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
        .await
        .unwrap();
        assert!(out.0.success(), "{format}: {:?} {}", out.0, out.2);
        assert!(!out.1.contains('\u{1b}'), "{format}: no colour codes into a pipe: {:?}", out.1);
    }
}

/// Logs written to a file or a pipe carry no ANSI escape codes.
#[tokio::test]
async fn logs_to_a_pipe_have_no_colour() {
    let dir = Dir::new("log-colour");
    let cfg = write_config(&dir.0, "http://127.0.0.1:9/v2");
    let mut c = std::process::Command::new(BIN);
    c.arg("--config").arg(&cfg).arg("sync").env("ROSTER_LOG", "debug").env("ROSTER_TEST_TOKEN", "t");
    let out = tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("DEBUG") || err.contains("WARN"), "logs were written: {err}");
    assert!(!err.contains('\u{1b}'), "no escape codes: {err}");
}

/// `roster report unmanaged --source` reads an HR export with nothing but e-mails, and names
/// every live account it lacks and the person monday.com lacks.
#[tokio::test]
async fn unmanaged_report_from_an_email_list() {
    use monday_sim::model::UserStatus;
    let dir = Dir::new("unmanaged");
    let (sim, org) = sim(60).await;
    let cfg = write_config(&dir.0, &sim.graphql_url());
    let t = Some("sim-admin-token");
    let o = roster(&cfg, t, &["sync"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let live: Vec<&monday_sim::model::User> = org.users.iter().filter(|u| u.status != UserStatus::Inactive).collect();
    let hr = dir.0.join("hr.csv");
    std::fs::write(&hr, format!("email\n{}\nnew.hire@acme.test\n", live[0].email.to_uppercase())).unwrap();
    let o = roster(&cfg, t, &["-o", "json", "report", "unmanaged", "--source", hr.to_str().unwrap()]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let count = |f: &str| rows.as_array().unwrap().iter().filter(|r| r["finding"] == f).count();
    assert_eq!(count("not in the source"), live.len() - 1, "{rows}");
    assert_eq!(count("not in monday.com"), 1, "{rows}");
    let o = roster(&cfg, t, &["report", "unmanaged"]).await;
    assert!(!o.status.success() && stderr(&o).contains("--source"), "{}", stderr(&o));
    // With the account's source of truth configured, no --source is needed.
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, format!("{text}\n[accounts.source]\npath = \"hr.csv\"\n")).unwrap();
    let o = roster(&cfg, t, &["-o", "json", "report", "unmanaged"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    let configured: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(configured, rows, "the same report from the configured source");
}
