//! scim-client against scim2-server (PyPI), a real SCIM 2.0 server no one here wrote: full
//! CRUD of users and groups, paging, filters, PATCH, and its errors.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use scim_client::{ops, Group, ScimClient, ScimConfig, ScimError, ScimToken, User};
use serde_json::json;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn binary() -> Option<PathBuf> {
    let path = std::env::var_os("SCIM2_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv-referees/bin/scim2-server"));
    path.exists().then_some(path)
}

/// Starts scim2-server; `None` (test skipped) only outside the test script.
async fn start() -> Option<(Server, String)> {
    let Some(bin) = binary() else {
        assert!(
            std::env::var_os("ROSTER_REFEREES").is_none(),
            "scim2-server is missing: run scripts/test, which installs it"
        );
        eprintln!("scim2-server not installed (run scripts/test): skipped");
        return None;
    };
    let port = TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
    let child = Command::new(bin)
        .args(["--hostname", "127.0.0.1", "--port", &port.to_string(), "--bearer-token", "referee-token"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start scim2-server");
    let server = Server(child);
    let base = format!("http://127.0.0.1:{port}/v2");
    let deadline = Instant::now() + Duration::from_secs(20);
    let _ = rustls::crypto::ring::default_provider().install_default();
    while Instant::now() < deadline {
        if reqwest::Client::new().get(format!("{base}/ServiceProviderConfig")).send().await.is_ok() {
            return Some((server, base));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("scim2-server did not start on port {port}");
}

fn client(base: &str, token: &str, page: usize) -> ScimClient {
    let mut cfg = ScimConfig::new(base.parse().unwrap(), ScimToken::new(token));
    cfg.page_size = page;
    ScimClient::new(cfg).unwrap()
}

fn user(name: &str) -> User {
    serde_json::from_value(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": name, "name": {"givenName": "Zoë", "familyName": "O'Brien"}, "title": "Engineer",
        "emails": [{"value": name, "type": "work", "primary": true}], "active": true, "userType": "member"
    }))
    .unwrap()
}

#[tokio::test]
async fn users_full_crud_paging_filter_patch() {
    let Some((_server, base)) = start().await else { return };
    let c = client(&base, "referee-token", 2);
    let mut ids = Vec::new();
    for i in 0..5 {
        let u = c.create_user(&user(&format!("user{i}@acme-example.com"))).await.unwrap();
        ids.push(u.id.clone().unwrap());
    }
    // Paging: five users in pages of two, 1-based.
    let all = c.list_users(None).await.unwrap();
    assert_eq!(all.len(), 5);
    let mut seen: Vec<String> = all.iter().map(|u| u.id.clone().unwrap()).collect();
    seen.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(seen, want, "each user exactly once");
    // Filter.
    let found = c.list_users(Some("userName eq \"user3@acme-example.com\"")).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id.as_deref(), Some(ids[3].as_str()));
    // Get, replace, patch.
    let got = c.get_user(&ids[1]).await.unwrap();
    assert_eq!(got.user_name, "user1@acme-example.com");
    let mut changed = serde_json::to_value(user("user1@acme-example.com")).unwrap();
    changed["title"] = json!("CTO");
    let changed: User = serde_json::from_value(changed).unwrap();
    let replaced = c.replace_user(&ids[1], &changed).await.unwrap();
    assert_eq!(replaced.title.as_deref(), Some("CTO"));
    let patched = c
        .patch_user(
            &ids[1],
            &[ops::replace("title", json!("CFO")).unwrap(), ops::replace("active", json!(false)).unwrap()],
        )
        .await
        .unwrap();
    let now = match patched {
        Some(u) => u,
        None => c.get_user(&ids[1]).await.unwrap(),
    };
    assert_eq!(now.title.as_deref(), Some("CFO"));
    // Errors.
    let e = c.create_user(&user("user0@acme-example.com")).await.unwrap_err();
    assert!(matches!(e, ScimError::Conflict { .. }), "{e:?}");
    c.delete_user(&ids[0]).await.unwrap();
    assert!(matches!(c.get_user(&ids[0]).await.unwrap_err(), ScimError::NotFound { .. }));
    let e = client(&base, "wrong", 2).list_users(None).await.unwrap_err();
    assert!(matches!(e, ScimError::Unauthorized { .. }), "{e:?}");
}

#[tokio::test]
async fn groups_full_crud_with_member_patches() {
    let Some((_server, base)) = start().await else { return };
    let c = client(&base, "referee-token", 50);
    let a = c.create_user(&user("a@acme-example.com")).await.unwrap().id.unwrap();
    let b = c.create_user(&user("b@acme-example.com")).await.unwrap().id.unwrap();
    let g: Group = serde_json::from_value(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Sales", "members": [{"value": a}]})).unwrap();
    let created = c.create_group(&g).await.unwrap();
    let gid = created.id.clone().unwrap();
    c.patch_group(&gid, &[ops::add("members", json!([{"value": b}])).unwrap()]).await.unwrap();
    c.patch_group(&gid, &[ops::remove(&format!("members[value eq \"{a}\"]")).unwrap()]).await.unwrap();
    let now = c.get_group(&gid).await.unwrap();
    let members: Vec<String> = now.members.as_slice().iter().filter_map(|m| m.value.clone()).collect();
    assert_eq!(members, vec![b.clone()]);
    let found = c.list_groups(Some("displayName eq \"Sales\"")).await.unwrap();
    assert_eq!(found.len(), 1);
    c.patch_group(&gid, &[ops::replace("displayName", json!("Sales EMEA")).unwrap()]).await.unwrap();
    assert_eq!(c.get_group(&gid).await.unwrap().display_name, "Sales EMEA");
    c.delete_group(&gid).await.unwrap();
    assert!(matches!(c.get_group(&gid).await.unwrap_err(), ScimError::NotFound { .. }));
}
