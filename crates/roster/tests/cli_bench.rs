//! `roster bench` runs each size's monday-sim and sync in processes of their own and prints a
//! row of figures for each, with an unchanged re-sync that stores nothing.

use crate::common::*;

#[tokio::test]
async fn bench_prints_a_row_per_size_and_ends_its_processes() {
    let dir = Dir::new("bench");
    let out = roster(&dir.path().join("none.toml"), None, &["bench", "--sizes", "60,120"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let rows = |users: &str| text.lines().filter(|l| l.split_whitespace().next() == Some(users)).count();
    // One row in the first table and one in the re-sync table for each size.
    assert_eq!((rows("60"), rows("120")), (2, 2), "{text}");
    let resync: Vec<&str> = text.lines().skip_while(|l| !l.starts_with("the same org")).skip(2).take(2).collect();
    for row in resync {
        let rows_stored = row.split_whitespace().nth(6);
        assert_eq!(rows_stored, Some("0"), "an unchanged re-sync stores no rows: {row}");
    }
    assert!(text.contains("peak RSS is the sync's alone"), "{text}");
}
