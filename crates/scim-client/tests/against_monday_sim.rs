//! scim-client against monday-sim's SCIM API: monday.com's quirks.

use std::net::SocketAddr;

use monday_sim::model::{InvitationMethod, UserStatus};
use monday_sim::{generate, GenConfig, Sim, SimConfig};
use scim_client::{ops, ScimClient, ScimConfig, ScimToken, User};
use serde_json::json;

#[tokio::test]
async fn monday_quirks() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let org = generate(&GenConfig { users: 150, ..GenConfig::default() }).unwrap();
    let scim_users = org.users.iter().filter(|u| u.invitation_method == InvitationMethod::Scim).count();
    let sim =
        monday_sim::spawn(Sim::new(org.clone(), SimConfig::default()).unwrap(), SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
    let mut cfg = ScimConfig::new(format!("{}/scim/v2", sim.url()).parse().unwrap(), ScimToken::new("sim-scim-token"));
    cfg.page_size = 7;
    let c = ScimClient::new(cfg.clone()).unwrap();
    // Only SCIM-provisioned users unless asked; paging from 1 in pages of 7.
    assert_eq!(c.list_users(None).await.unwrap().len(), scim_users);
    cfg.provisioned_only = Some(false);
    // Every person (service users and AI agents are no SCIM resources).
    let people = org.users.iter().filter(|u| u.kind.is_person()).count();
    assert_eq!(ScimClient::new(cfg).unwrap().list_users(None).await.unwrap().len(), people);
    // userType at the top level; deactivation by PATCH shows in monday's state.
    let u: User = serde_json::from_value(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "scim.person@acme-example.com", "userType": "guest"})).unwrap();
    let created = c.create_user(&u).await.unwrap();
    assert_eq!(created.user_type.as_deref(), Some("guest"));
    let id = created.id.unwrap();
    c.patch_user(&id, &[ops::replace("active", json!(false)).unwrap()]).await.unwrap();
    let w = sim.sim.world();
    assert_eq!(w.users()[w.user_pos(id.parse().unwrap()).unwrap()].status, UserStatus::Inactive);
    let e = c.list_users(Some("title co \"x\"")).await.unwrap_err();
    assert!(e.to_string().contains("invalidFilter"), "{e}");
}
