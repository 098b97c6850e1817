//! Which stored rows make up snapshot N.
//!
//! Rows of users, resources and grants carry their account, the sync that added them
//! (`from_sync`) and the sync that removed them (`to_sync`, NULL while they hold). A row is in
//! snapshot N of its account when `from_sync <= N < to_sync`: an unchanged re-sync adds no
//! rows, and every read of snapshot N sees exactly what that sync saw.

/// The condition "row `alias` is in the snapshot whose sync id is placeholder `p`" (the
/// account is the sync's own, looked up once per statement).
pub(super) fn visible(alias: &str, p: &str) -> String {
    format!(
        "{alias}.account = (SELECT account FROM syncs WHERE id = {p}) AND {alias}.from_sync <= {p} \
         AND ({alias}.to_sync IS NULL OR {alias}.to_sync > {p})"
    )
}

/// The condition "row `alias` is in snapshot `a` and not in snapshot `b`" (two syncs of one
/// account, placeholders `pa` and `pb`), spelled so an index on `from_sync` or `to_sync` finds
/// the rows: the work follows the size of the change, not of the account.
pub(super) fn only_in(alias: &str, a: i64, pa: &str, b: i64, pb: &str) -> String {
    let account = format!("{alias}.account = (SELECT account FROM syncs WHERE id = {pa})");
    if a < b {
        // Held at a, removed after a and by b.
        format!("{account} AND {alias}.to_sync > {pa} AND {alias}.to_sync <= {pb} AND {alias}.from_sync <= {pa}")
    } else {
        // Added after b and by a, still held at a.
        format!(
            "{account} AND {alias}.from_sync > {pb} AND {alias}.from_sync <= {pa} \
             AND ({alias}.to_sync IS NULL OR {alias}.to_sync > {pa})"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `only_in` agrees with "visible at a and not at b" for every interval and pair of syncs.
    #[test]
    fn only_in_is_visible_minus_visible() {
        let vis = |from: i64, to: Option<i64>, n: i64| from <= n && to.is_none_or(|t| t > n);
        let only = |from: i64, to: Option<i64>, a: i64, b: i64| {
            if a < b {
                to.is_some_and(|t| t > a && t <= b) && from <= a
            } else {
                from > b && from <= a && to.is_none_or(|t| t > a)
            }
        };
        for from in 1..8 {
            for to in (from + 1..10).map(Some).chain([None]) {
                for a in 1..9 {
                    for b in (1..9).filter(|b| *b != a) {
                        assert_eq!(
                            only(from, to, a, b),
                            vis(from, to, a) && !vis(from, to, b),
                            "[{from}, {to:?}) a={a} b={b}"
                        );
                    }
                }
            }
        }
        assert!(visible("u", "$1").contains("u.from_sync <= $1"));
        assert!(only_in("g", 1, "$1", 2, "$2").contains("g.to_sync <= $2"));
    }
}
