//! The web UI over HTTP (the browser tests in the test script drive the same pages in
//! Chromium): sign-in and sessions, CSRF on every form, security headers, every page for the
//! roles that may see it (and refusals for the others), escaping, the plan-then-confirm change,
//! a reviewer's decisions and the JIT queue.

use crate::common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::*;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;

struct Browser {
    http: reqwest::Client,
    base: String,
    cookies: Vec<(String, String)>,
}

impl Browser {
    fn new(e: &Env) -> Browser {
        let http = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
        Browser { http, base: e.base.clone(), cookies: vec![] }
    }

    fn keep(&mut self, r: &reqwest::Response) {
        for c in r.headers().get_all(SET_COOKIE) {
            let first = c.to_str().unwrap().split(';').next().unwrap();
            let (k, v) = first.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != k);
            if !v.is_empty() {
                self.cookies.push((k.into(), v.into()));
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn get(&mut self, path: &str) -> (u16, String, reqwest::header::HeaderMap) {
        let r =
            self.http.get(format!("{}{path}", self.base)).header(COOKIE, self.cookie_header()).send().await.unwrap();
        self.keep(&r);
        let (s, h) = (r.status().as_u16(), r.headers().clone());
        (s, r.text().await.unwrap(), h)
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (u16, String, reqwest::header::HeaderMap) {
        let body: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let (s, h) = (r.status().as_u16(), r.headers().clone());
        (s, r.text().await.unwrap(), h)
    }

    /// The value of the first hidden `csrf` field on a page.
    fn csrf(page: &str) -> String {
        let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
        page[at..at + 64].to_string()
    }

    async fn sign_in(&mut self, key: &str) -> u16 {
        let (_, page, _) = self.get("/ui/login").await;
        let csrf = Self::csrf(&page);
        self.post("/ui/login", &[("key", key), ("csrf", &csrf)]).await.0
    }
}

#[tokio::test]
async fn sign_in_sessions_headers_and_csrf() {
    let e = env(0, Duration::from_secs(3600)).await;
    assert_eq!(synced(&e).await["status"], "completed");
    let mut b = Browser::new(&e);
    let (s, _, h) = b.get("/ui/").await;
    assert_eq!((s, h[LOCATION].to_str().unwrap()), (303, "/ui/login"), "no session: to the sign-in form");
    let (s, page, h) = b.get("/ui/login").await;
    assert_eq!(s, 200);
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"), "{csp}");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(!page.contains("<script"), "no scripts at all");
    assert!(page.contains("<label for=\"key\">"), "labelled inputs");
    // A form posted from elsewhere (no login cookie) is refused; a wrong key says so.
    let csrf = Browser::csrf(&page);
    let mut other = Browser::new(&e);
    assert_eq!(other.post("/ui/login", &[("key", ADMIN), ("csrf", &csrf)]).await.0, 403);
    let (s, page, _) = b.post("/ui/login", &[("key", "wrong-key"), ("csrf", &csrf)]).await;
    assert!(s == 401 && page.contains("not valid"), "{s}");
    let (s, _, h) = b.post("/ui/login", &[("key", ADMIN), ("csrf", &csrf)]).await;
    assert_eq!((s, h[LOCATION].to_str().unwrap()), (303, "/ui/"));
    let session = h[SET_COOKIE].to_str().unwrap().to_string();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"), "{session}");
    assert!(!session.contains(ADMIN), "the key never goes to the browser");
    let (s, page, _) = b.get("/ui/").await;
    assert!(s == 200 && page.contains("Account acme") && page.contains("<svg") == page.contains("polyline"), "{s}");
    assert!(
        page.contains("Counts in the last completed sync") && page.contains(">200</td>"),
        "the dashboard states the counts"
    );
    // Every form needs the session's CSRF token.
    assert_eq!(b.post("/ui/logout", &[("csrf", "0".repeat(64).as_str())]).await.0, 403);
    // Removing the key (a configuration reload) ends its sessions.
    let mut r = Browser::new(&e);
    assert_eq!(r.sign_in(READER).await, 303);
    assert_eq!(r.get("/ui/").await.0, 200);
    let keys: Vec<_> = e.state.api_keys().iter().filter(|k| k.name != "auditor").cloned().collect();
    e.state.set_api_keys(keys);
    assert_eq!(r.get("/ui/").await.0, 303, "a removed key's session has ended");
    let token = Browser::csrf(&page);
    let (s, _, h) = b.post("/ui/logout", &[("csrf", &token)]).await;
    assert_eq!((s, h[LOCATION].to_str().unwrap()), (303, "/ui/login"));
    assert_eq!(b.get("/ui/").await.0, 303, "signed out");
    // Guessing keys is slowed down: past a burst, sign-ins are refused for a moment.
    let mut guesser = Browser::new(&e);
    let (_, page, _) = guesser.get("/ui/login").await;
    let g = Browser::csrf(&page);
    let mut codes = Vec::new();
    for _ in 0..40 {
        codes.push(guesser.post("/ui/login", &[("key", "guess"), ("csrf", &g)]).await.0);
    }
    assert!(codes.contains(&429), "{codes:?}");
}

#[tokio::test]
async fn pages_by_role_escaping_changes_reviews_and_jit() {
    let e = env(0, Duration::from_secs(3600)).await;
    assert_eq!(synced(&e).await["status"], "completed");
    let mut admin = Browser::new(&e);
    assert_eq!(admin.sign_in(ADMIN).await, 303);

    // Users: search, filters, paging; a user's access; resources and who.
    let (s, page, _) = admin.get("/ui/a/acme/users?status=active&role=&q=").await;
    assert!(s == 200 && page.contains("Next page"), "{s} {page}");
    let (s, _, _) = admin.get("/ui/a/acme/users?status=sleeping").await;
    assert_eq!(s, 400, "a bad filter is named");
    let (_, all) = call(&e, "GET", "/api/v1/accounts/acme/users?limit=1&status=active&role=member", Some(ADMIN)).await;
    let user = all["items"][0].clone();
    let email = user["email"].as_str().unwrap();
    let (_, page, _) = admin.get(&format!("/ui/a/acme/users?q={}", &email[..email.find('@').unwrap()])).await;
    assert!(page.contains(email), "found by e-mail");
    let id = user["id"].as_str().unwrap();
    let (s, page, _) = admin.get(&format!("/ui/a/acme/users/{id}")).await;
    assert!(s == 200 && page.contains("Access (") && page.contains("role:member:assigned"), "{s}");
    assert!(page.contains("unknown (the audit log is not read)"), "the last login says why it is unknown");
    // Departments by name, on the list and on the user's page.
    let org = e.sim.sim.world().org().clone();
    let dep = org.departments.iter().find(|d| !d.members.is_empty()).expect("the org has departments");
    let member = org.users.iter().find(|u| u.id == dep.members[0]).unwrap();
    let (_, page, _) =
        admin.get(&format!("/ui/a/acme/users?q={}", &member.email[..member.email.find('@').unwrap()])).await;
    assert!(
        page.contains("<th scope=\"col\">Department</th>") && page.contains(&format!("<td>{}</td>", dep.name)),
        "{page}"
    );
    let (_, page, _) = admin.get(&format!("/ui/a/acme/users/{}", member.id)).await;
    assert!(page.contains(&format!("<dt>Department</dt><dd>{}</dd>", dep.name)), "{page}");
    for p in [
        "/ui/a/acme/resources/boards",
        "/ui/a/acme/resources/teams",
        "/ui/a/acme/resources/workspaces",
        "/ui/a/acme/events",
        "/ui/a/acme/reports/admins",
        "/ui/a/acme/reviews",
        "/ui/a/acme/jit",
    ] {
        let (s, page, _) = admin.get(p).await;
        assert!(s == 200 && page.contains("<h1>"), "{p}: {s}");
    }
    let (s, csv, h) = admin.get("/ui/a/acme/reports/admins?format=csv").await;
    assert!(s == 200 && h[CONTENT_TYPE].to_str().unwrap().starts_with("text/csv") && csv.starts_with("id,"), "{csv}");

    // A change shows its plan, changes nothing, and applies only when confirmed.
    let token = Browser::csrf(&page);
    let form = [("csrf", token.as_str()), ("action", "role"), ("user", id), ("role", "viewer")];
    let (s, plan, _) = admin.post("/ui/a/acme/plan", &form).await;
    assert!(s == 200 && plan.contains("Confirm and apply") && plan.contains("planned"), "{s}");
    // A member made viewer loses the member role: the effect says so, named by the action.
    assert!(plan.contains("takes 1 grant(s) from 1 user(s)") && plan.contains("role:member:assigned"), "{plan}");
    let uid: u64 = id.parse().unwrap();
    let kind = |e: &Env| e.sim.sim.world().org().users.iter().find(|u| u.id == uid).unwrap().kind;
    assert_eq!(kind(&e), monday_sim::model::UserKind::Member, "nothing sent yet");
    let (s, done, _) = admin.post("/ui/a/acme/plan/apply", &form).await;
    assert!(s == 200 && done.contains("succeeded"), "{s}");
    assert_eq!(kind(&e), monday_sim::model::UserKind::Viewer, "applied in monday.com");

    // A requester asks (the justification is escaped, never run); the admin approves.
    let mut dana = Browser::new(&e);
    assert_eq!(dana.sign_in(REQUESTER).await, 303);
    let (s, _, _) = dana.get("/ui/a/acme/users").await;
    assert_eq!(s, 403, "a requester reads no inventory");
    let (_, page, _) = dana.get("/ui/a/acme/jit").await;
    let token = Browser::csrf(&page);
    let board = e.sim.sim.world().org().boards[0].id.to_string();
    let ask = [
        ("csrf", token.as_str()),
        ("user", email),
        ("rtype", "board"),
        ("rid", board.as_str()),
        ("slug", "member"),
        ("minutes", "30"),
        ("justification", "<script>alert(1)</script> on call"),
    ];
    let (s, _, _) = dana.post("/ui/a/acme/jit", &ask).await;
    assert_eq!(s, 303);
    let (_, page, _) = admin.get("/ui/a/acme/jit").await;
    assert!(page.contains("&lt;script&gt;alert(1)") && !page.contains("<script>"), "escaped");
    let id_at = page.find("/jit/").unwrap() + 5;
    let jit_id: String = page[id_at..].chars().take_while(|c| c.is_ascii_digit()).collect();
    let token = Browser::csrf(&page);
    let dana_token = Browser::csrf(&dana.get("/ui/a/acme/jit").await.1);
    let (s, _, _) =
        dana.post(&format!("/ui/a/acme/jit/{jit_id}/decide"), &[("csrf", &dana_token), ("decision", "approve")]).await;
    assert_eq!(s, 403, "requesters do not approve");
    let (s, _, _) = admin
        .post(&format!("/ui/a/acme/jit/{jit_id}/decide"), &[("csrf", token.as_str()), ("decision", "approve")])
        .await;
    assert_eq!(s, 303);
    let (_, page, _) = admin.get("/ui/a/acme/jit").await;
    assert!(page.contains("Active grants (1)"), "active with its time left");

    // A reviewer: sees the reviews only; certifies one and revokes one with a justification.
    let (cid, mut rita) = launched_for_rita(&e, "Q4", serde_json::json!(["board"])).await;
    assert_eq!(rita.get("/ui/a/acme/users").await.0, 403);
    assert_eq!(rita.get("/ui/a/acme/jit").await.0, 403);
    let (s, page, _) = rita.get(&format!("/ui/a/acme/reviews/{cid}")).await;
    assert!(s == 200 && page.contains("Certify selected"), "{s}");
    let items: Vec<String> = page
        .match_indices("name=\"item\" value=\"")
        .map(|(i, m)| page[i + m.len()..].chars().take_while(|c| c.is_ascii_digit()).collect())
        .take(2)
        .collect();
    let token = Browser::csrf(&page);
    let path = format!("/ui/a/acme/reviews/{cid}/decide");
    let (s, _, _) = rita.post(&path, &[("csrf", &token), ("item", &items[1]), ("decision", "revoke")]).await;
    assert_eq!(s, 400, "revoking needs a justification");
    let (s, _, _) = rita
        .post(&path, &[("csrf", &token), ("item", &items[0]), ("decision", "certify"), ("justification", "needed")])
        .await;
    assert_eq!(s, 303);
    let (s, _, _) = rita
        .post(
            &path,
            &[("csrf", &token), ("item", &items[1]), ("decision", "revoke"), ("justification", "left the team")],
        )
        .await;
    assert_eq!(s, 303);
    let (_, page, _) = rita.get(&format!("/ui/a/acme/reviews/{cid}")).await;
    assert!(page.contains("certify") && page.contains("revoke: left the team"), "decisions shown");
    assert_eq!(
        rita.get(&format!("/ui/a/acme/reviews/{cid}/evidence")).await.0,
        403,
        "evidence is for admins and readers"
    );
    let (s, _, h) = admin.get(&format!("/ui/a/acme/reviews/{cid}/evidence")).await;
    assert!(s == 200 && h[CONTENT_TYPE] == "application/x-tar", "{s}");
    // Rita's inbox, page by page: "Next items" seeks after the page's last item and "Previous
    // items" before its first; walking forward and back meets each of her items once, in order.
    // Her items through the API, 1,000 at a time, each page after the last one's `seq`.
    let (mut want, mut after) = (Vec::<String>::new(), 0);
    loop {
        let path = format!("/api/v1/accounts/acme/reviews/{cid}/items?reviewer=rita@acme.test&after={after}");
        let (status, page) = call(&e, "GET", &path, Some(ADMIN)).await;
        let page = page.as_array().cloned().unwrap_or_else(|| panic!("{path}: {status} {page}"));
        let Some(last) = page.last() else { break };
        after = last["seq"].as_i64().unwrap();
        want.extend(page.iter().map(|i| i["id"].to_string()));
    }
    let same = |got: &[String], how: &str| {
        let at = got.iter().zip(&want).position(|(a, b)| a != b);
        assert!(
            got.len() == want.len() && at.is_none(),
            "{how}: {} items of {}, first difference at {at:?}",
            got.len(),
            want.len()
        );
    };
    let shown = |page: &str| -> Vec<String> {
        page.match_indices("name=\"item\" value=\"")
            .map(|(i, m)| page[i + m.len()..].chars().take_while(|c| c.is_ascii_digit()).collect())
            .collect()
    };
    let link = |page: &str, label: &str| -> Option<String> {
        let end = page.find(&format!("\">{label}</a>"))?;
        let start = page[..end].rfind("href=\"")? + 6;
        Some(page[start..end].replace("&amp;", "&"))
    };
    let base = format!("/ui/a/acme/reviews/{cid}");
    let (mut pages, mut forward, mut at) = (0, Vec::new(), base.clone());
    let last_page = loop {
        let (s, page, _) = rita.get(&at).await;
        assert_eq!(s, 200, "{at}");
        forward.extend(shown(&page));
        pages += 1;
        match link(&page, "Next items") {
            Some(next) => at = format!("{base}{next}"),
            None => break page,
        }
    };
    assert!(pages >= 2, "the inbox has more than one page ({} items)", want.len());
    same(&forward, &format!("forward through {pages} pages"));
    let mut backward = shown(&last_page);
    let mut page = last_page;
    while let Some(prev) = link(&page, "Previous items") {
        page = rita.get(&format!("{base}{prev}")).await.1;
        backward.splice(0..0, shown(&page));
    }
    same(&backward, "back through the same pages");
}

/// A form posted from another site is refused before anything, even with a valid CSRF token
/// (the token could leak; the browser's Origin cannot be forged by a page elsewhere).
#[tokio::test]
async fn forms_from_another_origin_are_refused() {
    let e = env(0, Duration::from_secs(3600)).await;
    let mut b = Browser::new(&e);
    let (_, page, _) = b.get("/ui/login").await;
    let csrf = Browser::csrf(&page);
    let body = format!("key={ADMIN}&csrf={csrf}");
    let host = e.base.trim_start_matches("http://").to_string();
    for (origin, fetch_site, want) in [
        (Some("https://evil.example"), None, 403),
        (Some("null"), Some("cross-site"), 403),
        (None, Some("same-site"), 403),
        (Some(e.base.as_str()), Some("same-origin"), 303),
        (Some("null"), Some("same-origin"), 303),
    ] {
        let mut req = b
            .http
            .post(format!("{}/ui/login", e.base))
            .header(COOKIE, b.cookie_header())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body.clone());
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        if let Some(f) = fetch_site {
            req = req.header("Sec-Fetch-Site", f);
        }
        let status = req.send().await.unwrap().status().as_u16();
        assert_eq!(status, want, "Origin {origin:?}, Sec-Fetch-Site {fetch_site:?} (host {host})");
    }
}

/// Someone hammering the sign-in form slows only themselves: from one address 40 attempts a
/// burst (4 threads' worth before), while a real admin signs in from another at once.
#[tokio::test]
async fn a_sign_in_flood_from_one_address_does_not_lock_out_another() {
    let e = env(0, Duration::from_secs(3600)).await;
    let attempt = |from: &'static str, key: &'static str| {
        let base = e.base.clone();
        async move {
            let mut b = Browser {
                http: reqwest::Client::builder().redirect(Policy::none()).build().unwrap(),
                base,
                cookies: vec![],
            };
            let r = b.http.get(format!("{}/ui/login", b.base)).header("X-Forwarded-For", from).send().await.unwrap();
            b.keep(&r);
            let page = r.text().await.unwrap();
            let csrf = Browser::csrf(&page);
            let body = format!("key={key}&csrf={csrf}");
            b.http
                .post(format!("{}/ui/login", b.base))
                .header("X-Forwarded-For", from)
                .header(COOKIE, b.cookie_header())
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let mut flood = Vec::new();
    for _ in 0..40 {
        flood.push(attempt("203.0.113.7", "guess").await);
    }
    assert!(flood.contains(&429), "the flooding address is slowed: {flood:?}");
    for _ in 0..5 {
        assert_eq!(attempt("198.51.100.20", ADMIN).await, 303, "the admin elsewhere signs in at once");
    }
}

#[tokio::test]
async fn a_plan_held_for_approval_is_decided_by_a_second_admin_in_the_browser() {
    let e = env(0, Duration::from_secs(3600)).await;
    assert_eq!(synced(&e).await["status"], "completed");
    e.state.approval.set(roster_core::ApprovalPolicy {
        require: roster_core::Require::Removals,
        min_users: 1,
        approvers: vec![],
    });
    let (_, all) = call(&e, "GET", "/api/v1/accounts/acme/users?limit=2&status=active&role=member", Some(ADMIN)).await;
    let ids: Vec<String> = (0..2).map(|i| all["items"][i]["id"].as_str().unwrap().to_string()).collect();
    let status = |e: &Env, id: &str| {
        let uid: u64 = id.parse().unwrap();
        e.sim.sim.world().org().users.iter().find(|u| u.id == uid).unwrap().status
    };
    let mut ops = Browser::new(&e);
    assert_eq!(ops.sign_in(ADMIN).await, 303);
    let token = Browser::csrf(&ops.get(&format!("/ui/a/acme/users/{}", ids[0])).await.1);
    let form = [("csrf", token.as_str()), ("action", "deactivate"), ("user", ids[0].as_str()), ("reason", "left")];
    let (s, page, _) = ops.post("/ui/a/acme/plan/apply", &form).await;
    assert!(s == 200 && page.contains("Waiting for a second admin"), "{s} {page}");
    assert_eq!(status(&e, &ids[0]), monday_sim::model::UserStatus::Active, "nothing sent");
    // The planner sees it waiting, and may not approve it.
    let (s, page, _) = ops.get("/ui/a/acme/plans").await;
    assert!(s == 200 && page.contains("Waiting (1)") && page.contains("deactivate user"), "{s}");
    assert!(page.contains("What it takes away") && page.contains("role:member:assigned"), "the effect is shown");
    let at = page.find("/plans/").unwrap() + "/plans/".len();
    let plan: String = page[at..].chars().take_while(|c| *c != '/').collect();
    let token = Browser::csrf(&page);
    let approve = [("csrf", token.as_str()), ("decision", "approve")];
    let (s, refused, _) = ops.post(&format!("/ui/a/acme/plans/{plan}/decide"), &approve).await;
    assert!(s == 403 && refused.contains("second admin"), "{s} {refused}");
    // A reader sees the queue without the buttons, and cannot post a decision.
    let mut auditor = Browser::new(&e);
    assert_eq!(auditor.sign_in(READER).await, 303);
    let (s, page, _) = auditor.get("/ui/a/acme/plans").await;
    assert!(s == 200 && page.contains(&plan) && !page.contains("Approve and run"), "{s}");
    let reader_token = Browser::csrf(&page);
    let (s, _, _) = auditor
        .post(&format!("/ui/a/acme/plans/{plan}/decide"), &[("csrf", &reader_token), ("decision", "approve")])
        .await;
    assert_eq!(s, 403);
    // The second admin approves: the plan runs.
    let mut sec = Browser::new(&e);
    assert_eq!(sec.sign_in(ADMIN2).await, 303);
    let token = Browser::csrf(&sec.get("/ui/a/acme/plans").await.1);
    let (s, _, h) =
        sec.post(&format!("/ui/a/acme/plans/{plan}/decide"), &[("csrf", &token), ("decision", "approve")]).await;
    assert_eq!((s, h[LOCATION].to_str().unwrap()), (303, "/ui/a/acme/plans"));
    assert_eq!(status(&e, &ids[0]), monday_sim::model::UserStatus::Inactive, "applied in monday.com");
    let (_, page, _) = sec.get("/ui/a/acme/plans").await;
    assert!(page.contains("Nothing waiting") && page.contains("applied") && page.contains("sec"), "{page}");
    // A second plan, rejected with a reason.
    let token = Browser::csrf(&ops.get(&format!("/ui/a/acme/users/{}", ids[1])).await.1);
    let form = [("csrf", token.as_str()), ("action", "deactivate"), ("user", ids[1].as_str())];
    ops.post("/ui/a/acme/plan/apply", &form).await;
    let page = sec.get("/ui/a/acme/plans").await.1;
    let at = page.find("/plans/").unwrap() + "/plans/".len();
    let second: String = page[at..].chars().take_while(|c| *c != '/').collect();
    let token = Browser::csrf(&page);
    let reject = [("csrf", token.as_str()), ("decision", "reject"), ("reason", "<b>wrong</b> person")];
    assert_eq!(sec.post(&format!("/ui/a/acme/plans/{second}/decide"), &reject).await.0, 303);
    let page = sec.get("/ui/a/acme/plans").await.1;
    assert!(page.contains("rejected") && page.contains("&lt;b&gt;wrong"), "escaped reason");
    assert_eq!(status(&e, &ids[1]), monday_sim::model::UserStatus::Active);
    // A third plan, gone stale: a sync completed since it was made. The page says so, and the
    // approval is refused.
    let token = Browser::csrf(&ops.get(&format!("/ui/a/acme/users/{}", ids[1])).await.1);
    let form = [("csrf", token.as_str()), ("action", "deactivate"), ("user", ids[1].as_str())];
    ops.post("/ui/a/acme/plan/apply", &form).await;
    synced(&e).await;
    let page = sec.get("/ui/a/acme/plans").await.1;
    assert!(page.contains("A newer sync has completed since this plan was made"), "{page}");
    let at = page.find("/plans/").unwrap() + "/plans/".len();
    let third: String = page[at..].chars().take_while(|c| *c != '/').collect();
    let token = Browser::csrf(&page);
    let (s, refused, _) =
        sec.post(&format!("/ui/a/acme/plans/{third}/decide"), &[("csrf", &token), ("decision", "approve")]).await;
    assert!(s == 409 && refused.contains("make the plan again"), "{s} {refused}");
    assert_eq!(status(&e, &ids[1]), monday_sim::model::UserStatus::Active);
}

/// The text of a page a person reads: tags and their attributes (ids in `title` and `href`
/// are fine: they are on hover, or the link) left out.
fn visible_text(page: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in page.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// A bare `team:123`, `board 123`, ... in the text: an id with no name beside it.
fn bare_ids(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut found = vec![];
    for (i, w) in words.iter().enumerate() {
        for kind in ["user", "team", "board", "workspace"] {
            let colon = w.strip_prefix(kind).and_then(|r| r.strip_prefix(':'));
            let spaced = (*w == kind).then(|| words.get(i + 1).copied().unwrap_or_default());
            if let Some(rest) = colon.or(spaced) {
                if rest.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                    found.push(format!("{w} {}", words.get(i + 1).unwrap_or(&"")));
                }
            }
        }
    }
    found
}

#[tokio::test]
async fn pages_name_what_they_show_with_no_bare_ids() {
    let e = env(0, Duration::from_secs(3600)).await;
    assert_eq!(synced(&e).await["status"], "completed");
    // A change, so the events page has grants to show.
    let org = e.sim.sim.world().org().clone();
    let board = org
        .boards
        .iter()
        .find(|b| !b.team_subscribers.is_empty() && b.kind != monday_sim::model::BoardKind::Share)
        .unwrap();
    let newcomer = *members_not_on(&org, board).first().unwrap();
    e.state.accounts[0].client.change_board_users(board.id, &[newcomer.id], false, true).await.unwrap();
    assert_eq!(synced(&e).await["status"], "completed");
    let team = org.teams.iter().find(|t| board.team_subscribers.contains(&t.id)).unwrap();
    let via_team = team.members[0];
    // A just-in-time request, so the JIT page has a row to name.
    let ask = serde_json::json!({ "user": newcomer.email, "entitlement": format!("team:{}:member", team.id), "minutes": 60, "justification": "on call" });
    let (s, b) = post_json(&e, "/api/v1/accounts/acme/jit", REQUESTER, ask).await;
    assert_eq!(s, 200, "{b}");
    let mut admin = Browser::new(&e);
    assert_eq!(admin.sign_in(ADMIN).await, 303);
    for path in [
        "/ui/a/acme/jit".to_string(),
        format!("/ui/a/acme/users/{via_team}"),
        format!("/ui/a/acme/users/{}", newcomer.id),
        format!("/ui/a/acme/who/board/{}", board.id),
        format!("/ui/a/acme/who/team/{}", team.id),
        "/ui/a/acme/events?kind=grant_".to_string(),
    ] {
        let (s, page, _) = admin.get(&path).await;
        assert_eq!(s, 200, "{path}");
        let text = visible_text(&page);
        assert!(bare_ids(&text).is_empty(), "{path} shows ids without names: {:?}", bare_ids(&text));
    }
    let (_, page, _) = admin.get(&format!("/ui/a/acme/users/{via_team}")).await;
    assert!(visible_text(&page).contains(&format!("via team {}", team.name)), "access through a team names it");
    let (_, page, _) = admin.get(&format!("/ui/a/acme/who/board/{}", board.id)).await;
    assert!(visible_text(&page).contains(&newcomer.email), "principals by name and e-mail");
    let (_, page, _) = admin.get("/ui/a/acme/jit").await;
    assert!(visible_text(&page).contains(&format!("team {}: member", team.name)), "JIT access by name");
    // A plan and its effect, by name.
    let (_, page, _) = admin.get(&format!("/ui/a/acme/users/{}", newcomer.id)).await;
    let token = Browser::csrf(&page);
    let ent = format!("board:{}:subscriber", board.id);
    let uid = newcomer.id.to_string();
    let form = [("csrf", token.as_str()), ("action", "revoke"), ("user", uid.as_str()), ("entitlement", ent.as_str())];
    let (s, plan, _) = admin.post("/ui/a/acme/plan", &form).await;
    assert_eq!(s, 200, "{plan}");
    let text = visible_text(&plan);
    assert!(bare_ids(&text).is_empty(), "the plan shows ids without names: {:?}", bare_ids(&text));
    assert!(text.contains(&format!("revoke board {}: subscriber from {}", board.name, newcomer.name)), "{text}");
    let (_, page, _) = admin.get("/ui/a/acme/events?kind=grant_").await;
    let sentence = format!("gained board {}: subscriber", board.name);
    assert!(visible_text(&page).contains(&sentence), "events read as sentences: {sentence}");
    assert!(
        bare_ids("see team:9000003 and board 18").len() == 2 && bare_ids("team Finance").is_empty(),
        "the check can fail"
    );
}

#[tokio::test]
async fn events_are_filtered_by_category_person_and_day_paged_and_downloaded_as_csv() {
    let e = env(0, Duration::from_secs(3600)).await;
    assert_eq!(synced(&e).await["status"], "completed");
    let org = e.sim.sim.world().org().clone();
    let board = org.boards.iter().find(|b| b.kind != monday_sim::model::BoardKind::Share).unwrap();
    let people = members_not_on(&org, board);
    let ids: Vec<u64> = people.iter().map(|u| u.id).collect();
    e.state.accounts[0].client.change_board_users(board.id, &ids[..100.min(ids.len())], false, true).await.unwrap();
    // Enough grants for more than one page of events (200): the same people on other boards.
    let others = org.boards.iter().filter(|b| b.id != board.id && b.kind != monday_sim::model::BoardKind::Share);
    for other in others.take(2) {
        let new: Vec<u64> = ids.iter().copied().filter(|id| !other.subscribers.contains(id)).take(100).collect();
        e.state.accounts[0].client.change_board_users(other.id, &new, false, true).await.unwrap();
    }
    assert_eq!(synced(&e).await["status"], "completed");
    let mut admin = Browser::new(&e);
    assert_eq!(admin.sign_in(ADMIN).await, 303);
    let ana = people[0];
    let today = chrono::Utc::now().date_naive();
    let path = format!("/ui/a/acme/events?kind=grant_&person={}&from={today}&to={today}", ana.email);
    let (s, page, _) = admin.get(&path).await;
    assert_eq!(s, 200, "{page}");
    let text = visible_text(&page);
    let sentence = format!("gained board {}: subscriber", board.name);
    assert!(text.contains(&sentence), "{text}");
    assert!(!text.contains(&people[1].name), "another person's events are filtered out: {text}");
    assert!(page.contains(&format!("value=\"{}\"", ana.email)), "the filter is shown as typed");
    // Yesterday has none of them.
    let yesterday = today.pred_opt().unwrap();
    let (_, page, _) = admin.get(&format!("/ui/a/acme/events?person={}&to={yesterday}", ana.email)).await;
    assert!(visible_text(&page).contains("No event matches these filters."));
    // The same filters as CSV: a header and the person's one grant.
    let (s, csv, h) = admin.get(&format!("{path}&format=csv")).await;
    assert_eq!(s, 200);
    assert_eq!(h[CONTENT_TYPE], "text/csv; charset=utf-8");
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        ["id", "at", "sync", "kind", "subject", "about", "what happened", "detail"]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    // Her grants only (the first board's and the others'), each naming her in its detail.
    assert!((1..=3).contains(&rows.len()), "{csv}");
    assert!(rows.iter().all(|r| &r[3] == "grant_added" && r[7].contains(&format!("\"user:{}\"", ana.id))), "{csv}");
    let subject = format!("board:{}:subscriber", board.id);
    let row = rows.iter().find(|r| r[4] == subject).unwrap();
    assert!(row[6].contains(&sentence), "{csv}");
    // The API filters the same way: the person's events by their id, of the last day.
    let path = format!("/api/v1/accounts/acme/events?user_id={}&days=1&limit=1000", ana.id);
    let (s, api) = call(&e, "GET", &path, Some(READER)).await;
    assert_eq!(s, 200, "{api}");
    let api = api.as_array().unwrap();
    assert_eq!(api.len(), rows.len(), "the API finds the grants the page found: {api:?}");
    assert!(api.iter().all(|v| v["detail"]["principal"] == format!("user:{}", ana.id)), "{api:?}");
    for bad in ["user_id=ana", "days=0", "days=999999999"] {
        let (s, body) = call(&e, "GET", &format!("/api/v1/accounts/acme/events?{bad}"), Some(READER)).await;
        assert_eq!(s, 400, "{bad}: {body}");
        let name = bad.split('=').next().unwrap();
        assert!(body.to_string().contains(name), "{bad}: the error names the parameter: {body}");
    }
    // Paged back from the newest: the older page starts below the first page's last id.
    let (_, all, _) = admin.get("/ui/a/acme/events").await;
    // The id is each row's last cell.
    let ids_on = |page: &str| -> Vec<i64> {
        page.split("</td></tr>").filter_map(|chunk| chunk.rsplit("<td>").next()?.parse().ok()).collect()
    };
    let first = ids_on(&all);
    assert_eq!(first.len(), 200);
    assert!(all.contains("Older events"), "more than one page of events");
    let last = *first.last().unwrap();
    let (_, older, _) = admin.get(&format!("/ui/a/acme/events?before={last}")).await;
    assert!(ids_on(&older).iter().all(|id| *id < last) && !ids_on(&older).is_empty());
    // A filter that cannot be used says why beside its field and keeps what was typed.
    for (query, field, says) in [
        ("person=nobody%40nowhere.test", "person", "no one with the e-mail"),
        ("from=2026-13-01", "from", "is not a date"),
        ("from=2026-12-05&to=2026-12-01", "to", "the end comes after the start"),
        ("sync=abc", "sync", "is not a sync number"),
    ] {
        let (s, page, _) = admin.get(&format!("/ui/a/acme/events?{query}")).await;
        assert_eq!(s, 400, "{query}");
        assert!(page.contains(&format!("id=\"{field}-error\"")), "{query}: the message is beside {field}");
        assert!(visible_text(&page).contains(says), "{query}: {page}");
        assert!(page.contains(&format!("id=\"{field}\"")) && page.contains("aria-invalid=\"true\""), "{query}");
    }
    let (_, page, _) = admin.get("/ui/a/acme/events?person=nobody%40nowhere.test").await;
    assert!(page.contains("value=\"nobody@nowhere.test\""), "the typed value is kept");
}

#[tokio::test]
async fn the_inbox_shows_each_persons_last_login_once_the_audit_log_is_read() {
    let e = env(0, Duration::from_secs(3600)).await;
    assert_eq!(synced(&e).await["status"], "completed");
    let (cid, mut rita) = launched_for_rita(&e, "Logins", serde_json::json!(["board"])).await;
    let base = format!("/ui/a/acme/reviews/{cid}");
    let (_, page, _) = rita.get(&base).await;
    assert!(!page.contains("last login") && !page.contains("no login in the audit log"), "unknown until it is read");
    common::read_audit_log(&e).await;
    let (_, page, _) = rita.get(&base).await;
    let text = visible_text(&page);
    // Each person shown: their last login as the store has it, or none.
    let items = all_items(&e, &format!("/api/v1/accounts/acme/reviews/{cid}/items?reviewer=rita@acme.test")).await;
    let logins: std::collections::HashMap<String, i64> =
        e.store.last_logins("acme").await.unwrap().into_iter().map(|(u, t, _)| (u, t)).collect();
    let shown: Vec<&serde_json::Value> = items.iter().take(100).collect();
    let with = shown.iter().filter(|i| logins.contains_key(i["user_id"].as_str().unwrap())).count();
    assert!(with > 0, "some people on the first page have logged in");
    assert_eq!(text.matches("last login ").count(), with, "{text}");
    assert_eq!(text.matches("no login in the audit log read").count(), shown.len() - with);
}

/// A campaign named `name` over resource `types`, all of it for rita, launched; rita signed in.
async fn launched_for_rita(e: &Env, name: &str, types: serde_json::Value) -> (i64, Browser) {
    let def = serde_json::json!({ "name": name, "due": "2099-01-01", "types": types, "reviewers": "named", "named": ["rita@acme.test"], "fallback": "sec@acme.test" });
    let (_, c) = post_json(e, "/api/v1/accounts/acme/reviews", ADMIN, def).await;
    let cid = c["id"].as_i64().unwrap();
    post_json(e, &format!("/api/v1/accounts/acme/reviews/{cid}/launch"), ADMIN, serde_json::json!({})).await;
    let mut rita = Browser::new(e);
    assert_eq!(rita.sign_in(REVIEWER).await, 303);
    (cid, rita)
}

/// The org's active members who are not subscribers of `board`.
fn members_not_on<'a>(org: &'a monday_sim::Org, board: &monday_sim::model::Board) -> Vec<&'a monday_sim::model::User> {
    let member = |u: &&monday_sim::model::User| {
        u.kind == monday_sim::model::UserKind::Member
            && u.status == monday_sim::model::UserStatus::Active
            && !board.subscribers.contains(&u.id)
    };
    org.users.iter().filter(member).collect()
}

/// The items an inbox page shows (its hidden `shown` fields), in order.
fn shown_items(page: &str) -> Vec<i64> {
    page.match_indices("name=\"shown\" value=\"")
        .map(|(i, m)| {
            page[i + m.len()..].chars().take_while(|c| c.is_ascii_digit()).collect::<String>().parse().unwrap()
        })
        .collect()
}

/// Every item of a list route, 1,000 at a time, each page after the last one's `seq`.
async fn all_items(e: &Env, list: &str) -> Vec<serde_json::Value> {
    let (mut all, mut after) = (Vec::new(), 0);
    loop {
        let (status, page) = call(e, "GET", &format!("{list}&after={after}"), Some(ADMIN)).await;
        let page = page.as_array().cloned().unwrap_or_else(|| panic!("{list}: {status} {page}"));
        let Some(last) = page.last() else { break };
        after = last["seq"].as_i64().unwrap();
        all.extend(page);
    }
    all
}

/// The inbox shows what launch froze beside each item: the separation-of-duties rule an
/// access breaks (the rules the server runs with), who is external, the board's kind; and it
/// filters by each of those signals.
#[tokio::test]
async fn a_reviewer_sees_conflicts_external_users_and_board_kinds() {
    let e = env(0, Duration::from_secs(3600)).await;
    e.state.set_sod(vec![roster_core::sod::SodRule {
        name: "admins own no boards".into(),
        entitlements: vec!["role:admin:assigned".into(), "board:*:owner".into()],
        exemptions: vec![],
    }]);
    assert_eq!(synced(&e).await["status"], "completed");
    let (cid, mut rita) = launched_for_rita(&e, "Context", serde_json::json!(["board", "role"])).await;
    let items = all_items(&e, &format!("/api/v1/accounts/acme/reviews/{cid}/items?reviewer=rita@acme.test")).await;
    let with = |signal: &str| -> Vec<i64> {
        let mut ids: Vec<i64> = items
            .iter()
            .filter(|i| i["recommendation"]["signal"] == signal)
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        ids.sort_unstable();
        ids
    };
    let conflicts = with("sod_conflict");
    assert!(!conflicts.is_empty(), "some admin owns a board in this org");
    for i in items.iter().filter(|i| conflicts.contains(&i["id"].as_i64().unwrap())) {
        assert_eq!(i["sod_rules"], "admins own no boards", "{i}");
    }
    let base = format!("/ui/a/acme/reviews/{cid}");
    let mut shown = Vec::new();
    let (s, page, _) = rita.get(&format!("{base}?advice=sod_conflict")).await;
    assert_eq!(s, 200);
    shown.extend(shown_items(&page));
    shown.sort_unstable();
    assert_eq!(shown, conflicts.iter().copied().take(100).collect::<Vec<_>>());
    assert!(page.contains("breaks the separation-of-duties rule admins own no boards with this access"), "the reason");
    // Guests: external, on shareable boards, advised to revoke with the board's kind.
    let guests = with("guest_on_board");
    assert!(!guests.is_empty(), "the generated org has guests on shareable boards");
    let (_, page, _) = rita.get(&format!("{base}?advice=guest_on_board")).await;
    assert!(page.contains("<span class=\"tag\">external</span>"), "guests are shown as external");
    assert!(page.contains("(shareable)</span></legend>"), "the board's kind beside its name");
    assert!(page.contains("a guest (someone outside the company) on a shareable board"));
    for i in items.iter().filter(|i| guests.contains(&i["id"].as_i64().unwrap())) {
        assert_eq!((i["external"].as_bool(), i["resource_kind"].as_str()), (Some(true), Some("share")), "{i}");
    }
}

/// A reviewer sees each item's signal and recommendation, and accepts the recommendations of
/// a page in bulk with one justification: each recommended item is decided as advised, its
/// reason recorded beside the decision and in the evidence; the others stay undecided.
#[tokio::test]
async fn a_reviewer_accepts_the_recommendations_of_a_page_with_their_reasons_in_the_evidence() {
    let e = env(0, Duration::from_secs(3600)).await;
    assert_eq!(synced(&e).await["status"], "completed");
    let (cid, mut rita) = launched_for_rita(&e, "Q1", serde_json::json!(["board", "team"])).await;
    let base = format!("/ui/a/acme/reviews/{cid}");
    let (s, page, _) = rita.get(&base).await;
    assert_eq!(s, 200);
    let shown = shown_items(&page);
    assert!(!shown.is_empty(), "the inbox shows items");
    // The same items through the API, with what each one is advised.
    let list = format!("/api/v1/accounts/acme/reviews/{cid}/items?reviewer=rita@acme.test");
    let items = all_items(&e, &list).await;
    let advised: Vec<(i64, Option<(String, String)>)> = items
        .iter()
        .filter(|i| shown.contains(&i["id"].as_i64().unwrap()))
        .map(|i| {
            let r = &i["recommendation"];
            let r = r
                .is_object()
                .then(|| (r["decision"].as_str().unwrap().to_string(), r["reason"].as_str().unwrap().to_string()));
            (i["id"].as_i64().unwrap(), r)
        })
        .collect();
    assert_eq!(advised.len(), shown.len());
    let recommended = advised.iter().filter(|(_, r)| r.is_some()).count();
    assert!(recommended > 0 && recommended < shown.len(), "{recommended} of {} items advised", shown.len());
    for (_, r) in &advised {
        if let Some((_, reason)) = r {
            assert!(page.contains(reason.as_str()), "the page gives the reason {reason:?}");
        }
    }
    // Filtered to the items advised to revoke: every one shown is, as the API says, and the
    // first of them on the unfiltered page is among them.
    let (s, filtered, _) = rita.get(&format!("{base}?advice=revoke")).await;
    assert_eq!(s, 200);
    let only = shown_items(&filtered);
    let all = &items;
    let advised_revoke = |id: i64| {
        all.iter().find(|i| i["id"].as_i64() == Some(id)).map(|i| i["recommendation"]["decision"] == "revoke")
    };
    assert!(!only.is_empty() && only.iter().all(|&id| advised_revoke(id) == Some(true)), "{only:?}");
    if let Some((first, _)) = advised.iter().find(|(_, r)| r.as_ref().is_some_and(|(d, _)| d == "revoke")) {
        assert!(only.contains(first), "item {first} is advised to revoke");
    }
    assert_eq!(rita.get(&format!("{base}?advice=maybe")).await.0, 400, "an unknown filter is named");
    // Each signal's filter shows the items the API gives that signal (none: "judgement").
    let signal_of = |id: i64| {
        let i = all.iter().find(|i| i["id"].as_i64() == Some(id)).unwrap();
        i["recommendation"]["signal"].as_str().unwrap_or("judgement").to_string()
    };
    let mut met = 0;
    for signal in roster_store::Signal::ALL.map(|s| s.as_str()).into_iter().filter(|s| *s != "revoke") {
        let (s, page, _) = rita.get(&format!("{base}?advice={signal}")).await;
        assert_eq!(s, 200, "{signal}");
        let ids = shown_items(&page);
        assert!(ids.iter().all(|&id| signal_of(id) == signal), "{signal}: {ids:?}");
        assert!(
            page.contains(&format!("<option value=\"{signal}\" selected>")),
            "{signal}: the filter is shown chosen"
        );
        met += usize::from(!ids.is_empty());
    }
    assert!(met >= 3, "several signals are met in this org");
    let token = Browser::csrf(&page);
    let path = format!("{base}/decide");
    // A refused form comes back as the same page: the message beside the buttons, the ticks
    // and the typed text kept.
    let (first, second) = (shown[0].to_string(), shown[1].to_string());
    let (s, body, _) = rita
        .post(
            &path,
            &[("csrf", &token), ("item", &first), ("item", &second), ("decision", "revoke"), ("justification", " ")],
        )
        .await;
    assert_eq!(s, 400);
    assert!(body.contains("Not done: ") && body.contains("give a justification"), "the refusal is named: {body}");
    for id in [&first, &second] {
        assert!(body.contains(&format!("id=\"item-{id}\" checked")), "item {id} stays ticked");
    }
    assert_eq!(body.matches(" checked").count(), 2, "only the ticked items are ticked");
    let (s, body, _) = rita
        .post(
            &path,
            &[
                ("csrf", &token),
                ("item", &first),
                ("decision", "reassign"),
                ("reassign_to", "rita@acme.test"),
                ("justification", "she left"),
            ],
        )
        .await;
    assert_eq!(s, 400);
    assert!(body.contains("is already rita@acme.test"), "{body}");
    assert!(body.contains("value=\"she left\"") && body.contains("value=\"rita@acme.test\""), "typed text kept");
    let (s, body, _) = rita.post(&path, &[("csrf", &token), ("decision", "accept")]).await;
    assert_eq!(s, 400, "one justification is needed: {body}");
    assert!(body.contains("needs one justification"), "{body}");
    let mut form: Vec<(&str, String)> =
        vec![("csrf", token.clone()), ("decision", "accept".into()), ("justification", "Q1 review".into())];
    form.extend(shown.iter().map(|i| ("shown", i.to_string())));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (s, _, _) = rita.post(&path, &form).await;
    assert_eq!(s, 303);
    let after = all_items(&e, &list).await;
    // Nothing but the page's recommended items was decided (two were refused above).
    let decided = after.iter().filter(|i| !i["decision"].is_null()).count();
    assert_eq!(decided, recommended, "accepting decides the page's recommended items and nothing else");
    for (id, r) in &advised {
        let item = after.iter().find(|i| i["id"].as_i64() == Some(*id)).unwrap();
        match r {
            Some((decision, reason)) => {
                assert_eq!(item["decision"].as_str(), Some(decision.as_str()), "item {id}");
                let want = format!("Q1 review (recommended: {reason})");
                assert_eq!(item["justification"].as_str(), Some(want.as_str()), "item {id}");
            }
            None => assert!(item["decision"].is_null(), "item {id} had no recommendation: the reviewer decides"),
        }
    }
    let mut admin = Browser::new(&e);
    assert_eq!(admin.sign_in(ADMIN).await, 303);
    let (s, evidence, _) = admin.get(&format!("{base}/evidence")).await;
    assert_eq!(s, 200);
    assert!(evidence.contains("Q1 review (recommended: "), "the evidence records the reasons");
    // The admin's progress per reviewer, with a reminder ready to send to whoever has items left.
    let (_, page, _) = admin.get(&base).await;
    let left = all_items(&e, &format!("{list}&undecided=true")).await.len();
    let mail = format!("href=\"mailto:rita@acme.test?subject=Access%20review%20%22Q1%22%3A%20{left}%20items%20wait%20for%20you&amp;body=");
    assert!(page.contains(&mail) && page.contains("due%202099-01-01"), "a reminder for {left} items: {page}");

    // Every undecided item of one resource, across pages, in one decision; nothing else moves.
    let before = all_items(&e, &list).await;
    let resource_of = |i: &serde_json::Value| {
        let ent = i["entitlement"].as_str().unwrap();
        ent.rsplit_once(':').map(|(r, _)| r.to_string()).unwrap()
    };
    let open: Vec<&serde_json::Value> = before.iter().filter(|i| i["decision"].is_null()).collect();
    let mut per: BTreeMap<String, usize> = BTreeMap::new();
    for i in &open {
        *per.entry(resource_of(i)).or_default() += 1;
    }
    let (target, n) = per.iter().max_by_key(|(_, n)| **n).map(|(r, n)| (r.clone(), *n)).unwrap();
    let (_, page, _) = rita.get(&base).await;
    let token = Browser::csrf(&page);
    let form = [
        ("csrf", token.as_str()),
        ("all_of", "certify"),
        ("resource", target.as_str()),
        ("justification", "team still needs it"),
    ];
    let (s, body, _) = rita.post(&path, &form).await;
    assert_eq!(s, 303, "{body}");
    let after = all_items(&e, &list).await;
    for (b, a) in before.iter().zip(&after) {
        let on = resource_of(b) == target && b["decision"].is_null();
        if on {
            assert_eq!(a["decision"].as_str(), Some("certify"), "{a}");
        } else {
            assert_eq!(a["decision"], b["decision"], "an item of another resource or decided before is unchanged: {a}");
        }
    }
    assert!(n > 0);
    // A resource that is not one, or one with nothing left, is refused on the same page.
    for (resource, says) in [("board:1 OR 1=1", "is not a resource"), (target.as_str(), "is undecided")] {
        let form = [("csrf", token.as_str()), ("all_of", "revoke"), ("resource", resource), ("justification", "x")];
        let (s, body, _) = rita.post(&path, &form).await;
        assert_eq!(s, 400, "{resource}");
        assert!(body.contains(says), "{resource}: {body}");
    }
}

/// An offset typed into the inbox (or the API's `offset`) starts from a remembered seek point
/// instead of stepping over every item before it: the page shown is the one the pager
/// reaches there, before and after items leave the reviewer's list, which must find new seek
/// points instead of trusting the old ones.
#[tokio::test]
async fn an_offset_typed_into_the_inbox_shows_the_items_there_after_items_move() {
    let e = env(0, Duration::from_secs(3600)).await;
    assert_eq!(synced(&e).await["status"], "completed");
    let (cid, mut rita) = launched_for_rita(&e, "Offsets", serde_json::json!(["board", "workspace", "team"])).await;
    let list = format!("/api/v1/accounts/acme/reviews/{cid}/items?reviewer=rita@acme.test");
    let ids = |items: &[serde_json::Value]| items.iter().map(|i| i["id"].as_i64().unwrap()).collect::<Vec<_>>();
    let before = ids(&all_items(&e, &list).await);
    assert!(before.len() > 2_100, "more items than two seek strides: {}", before.len());
    pages_at_offsets(&e, &mut rita, cid, &before).await;
    // Three items from before the first seek point leave rita's list; every later page shifts.
    let moved = vec![before[3], before[500], before[998]];
    let body = serde_json::json!({ "items": moved, "decision": "reassign", "reassign_to": "sec@acme.test", "justification": "on leave" });
    let (s, out) = post_json(&e, &format!("/api/v1/accounts/acme/reviews/{cid}/decisions"), REVIEWER, body).await;
    assert_eq!(s, 200, "{out}");
    let after: Vec<i64> = before.iter().copied().filter(|i| !moved.contains(i)).collect();
    assert_eq!(ids(&all_items(&e, &list).await), after);
    pages_at_offsets(&e, &mut rita, cid, &after).await;
}

/// The inbox's and the API's pages at offsets around and past the seek points are `want`'s.
async fn pages_at_offsets(e: &Env, rita: &mut Browser, cid: i64, want: &[i64]) {
    let list = format!("/api/v1/accounts/acme/reviews/{cid}/items?reviewer=rita@acme.test");
    for offset in [0, 999, 1_000, 1_001, 1_234, 2_000, 2_050, want.len() - 1, want.len()] {
        let end = (offset + 100).min(want.len());
        let (status, page, _) = rita.get(&format!("/ui/a/acme/reviews/{cid}?offset={offset}")).await;
        assert_eq!(status, 200);
        assert_eq!(shown_items(&page), want[offset..end], "the inbox at offset {offset}");
        let (_, api) = call(e, "GET", &format!("{list}&offset={offset}&limit=100"), Some(ADMIN)).await;
        let got: Vec<i64> = api.as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
        assert_eq!(got, want[offset..end], "the API at offset {offset}");
    }
}
