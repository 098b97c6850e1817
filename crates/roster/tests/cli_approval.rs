//! Four-eyes approval on the CLI: with `[approval] require = "removals"`, a deactivation waits
//! (nothing sent); its planner cannot approve it, another admin can, once; a plan computed on
//! an older snapshot is refused; a rejected plan never runs.

use crate::common;

use common::*;
use monday_sim::model::{UserKind, UserStatus};

fn plan_id(out: &str) -> String {
    out.split_whitespace().skip_while(|w| *w != "plan").nth(1).expect("a plan id").trim_end_matches(':').to_string()
}

#[tokio::test]
async fn a_second_admin_approves_on_the_cli() {
    let dir = Dir::new("approval");
    let (sim, org) = sim(120).await;
    let cfg = write_config(&dir.0, &sim.graphql_url());
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str("\n[approval]\nrequire = \"removals\"\n");
    std::fs::write(&cfg, text).unwrap();
    let t = Some("sim-admin-token");
    let ok = |o: &std::process::Output| assert!(o.status.success(), "{}{}", stdout(o), stderr(o));
    ok(&roster(&cfg, t, &["sync"]).await);
    let members: Vec<u64> = org
        .users
        .iter()
        .filter(|u| u.kind == UserKind::Member && u.status == UserStatus::Active)
        .map(|u| u.id)
        .skip(1)
        .collect();
    let status = |id: u64| {
        let w = sim.sim.world();
        w.users()[w.user_pos(id).unwrap()].status
    };
    let first = members[0].to_string();
    let o = roster_as(&cfg, t, Some("alice"), &["deactivate", &first, "--reason", "left"]).await;
    ok(&o);
    assert!(stdout(&o).contains("waits for a second admin"), "{}", stdout(&o));
    let id = plan_id(&stdout(&o));
    assert_eq!(status(members[0]), UserStatus::Active, "nothing was sent");
    let o = roster(&cfg, t, &["plan", "list"]).await;
    ok(&o);
    assert!(stdout(&o).contains(&id) && stdout(&o).contains("alice"), "{}", stdout(&o));
    let o = roster(&cfg, t, &["plan", "show", &id]).await;
    assert!(
        stdout(&o).contains(&format!("deactivate user {first}")) && stdout(&o).contains("the latest"),
        "{}",
        stdout(&o)
    );
    // The planner cannot approve their own plan.
    let o = roster_as(&cfg, t, Some("alice"), &["plan", "approve", &id]).await;
    assert!(!o.status.success());
    assert!(stderr(&o).contains("second admin"), "{}", stderr(&o));
    assert_eq!(status(members[0]), UserStatus::Active);
    // Bob can; once.
    let o = roster_as(&cfg, t, Some("bob"), &["plan", "approve", &id]).await;
    ok(&o);
    assert!(stdout(&o).contains("approved by bob"), "{}", stdout(&o));
    assert_eq!(status(members[0]), UserStatus::Inactive);
    let o = roster_as(&cfg, t, Some("carol"), &["plan", "approve", &id]).await;
    assert!(!o.status.success() && stderr(&o).contains("not pending"), "{}", stderr(&o));
    // Rejected: never runs.
    let o = roster_as(&cfg, t, Some("alice"), &["deactivate", &members[1].to_string()]).await;
    let rejected = plan_id(&stdout(&o));
    ok(&roster_as(&cfg, t, Some("bob"), &["plan", "reject", &rejected, "--reason", "wrong person"]).await);
    let o = roster_as(&cfg, t, Some("bob"), &["plan", "approve", &rejected]).await;
    assert!(!o.status.success());
    assert_eq!(status(members[1]), UserStatus::Active);
    // Stale: a sync completed since the plan was made.
    let o = roster_as(&cfg, t, Some("alice"), &["deactivate", &members[2].to_string()]).await;
    let stale = plan_id(&stdout(&o));
    ok(&roster(&cfg, t, &["sync"]).await);
    let o = roster_as(&cfg, t, Some("bob"), &["plan", "approve", &stale]).await;
    assert!(!o.status.success() && stderr(&o).contains("make the plan again"), "{}", stderr(&o));
    assert_eq!(status(members[2]), UserStatus::Active);
    // Every step is an event.
    let o = roster(&cfg, t, &["events", "--kind", "plan_"]).await;
    ok(&o);
    let text = stdout(&o);
    for kind in ["plan_pending_approval", "plan_approved", "plan_rejected", "plan_approval_refused"] {
        assert!(text.contains(kind), "{kind}: {text}");
    }
    let o = roster(&cfg, t, &["plan", "list", "--status", "maybe"]).await;
    assert!(!o.status.success() && stderr(&o).contains("pending_approval"), "{}", stderr(&o));
}
