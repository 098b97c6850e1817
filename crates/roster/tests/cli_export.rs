//! `roster export c1z` writes a baton c1z file of the newest snapshot (and with
//! `--with-previous` the one before it), and says what it wrote; a bad path or sync says so.

use crate::common;

use common::*;

#[tokio::test]
async fn export_c1z_writes_a_file_baton_reads() {
    let (sim, _org) = sim(120).await;
    let dir = Dir::new("export");
    let cfg = write_config(&dir.0, &sim.graphql_url());
    for _ in 0..2 {
        let o = roster(&cfg, Some("sim-admin-token"), &["sync"]).await;
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let out = dir.0.join("acme.c1z");
    let o = roster(&cfg, None, &["export", "c1z", "--out", out.to_str().unwrap(), "--with-previous"]).await;
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("sync 1 as") && stdout(&o).contains("sync 2 as"), "{}", stdout(&o));
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[..5], b"C1ZF\0");
    assert!(!dir.0.join("acme.c1z.partial").exists() && !dir.0.join("acme.c1z.building.db").exists(), "no leftovers");

    let o = roster(&cfg, None, &["export", "c1z", "--out", out.to_str().unwrap(), "--sync", "77"]).await;
    assert!(!o.status.success() && stderr(&o).contains("roster syncs"), "{}", stderr(&o));
    let nowhere = dir.0.join("no/such/dir/a.c1z");
    let o = roster(&cfg, None, &["export", "c1z", "--out", nowhere.to_str().unwrap()]).await;
    assert!(!o.status.success() && stderr(&o).contains("no/such/dir"), "{}", stderr(&o));
}
