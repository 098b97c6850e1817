//! Which snapshots a store keeps. A snapshot is a sync's full copy of an account (users,
//! resources, grants); without retention every sync adds one, and the store grows without
//! bound. Pruning deletes a snapshot's rows and keeps its sync run and its events, so history,
//! diffs already recorded and the audit trail stay whole.
//!
//! What is never pruned: the newest completed snapshot (the next sync diffs against it, and
//! every read uses it), the newest `keep_snapshots`, those younger than `keep_days`, and those
//! something still refers to (a review campaign's frozen snapshot, a plan's).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

/// How many snapshots to keep. Retention is off unless one of the two is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Keep the newest this many completed snapshots of each account (at least 1).
    pub keep_snapshots: usize,
    /// Also keep every snapshot completed within this many days.
    pub keep_days: Option<u32>,
}

/// The most snapshots or days a setting may name.
pub const MAX_KEEP: usize = 100_000;

impl Retention {
    /// A retention, checked: `keep_snapshots` 1 to 100,000, `keep_days` 1 to 36,500 (an
    /// error names the setting).
    pub fn new(keep_snapshots: usize, keep_days: Option<u32>) -> Result<Retention, String> {
        if !(1..=MAX_KEEP).contains(&keep_snapshots) {
            return Err(format!(
                "keep_snapshots is {keep_snapshots}: keep 1 to {MAX_KEEP} (the newest snapshot is always kept)"
            ));
        }
        if let Some(d) = keep_days.filter(|d| !(1..=36_500).contains(d)) {
            return Err(format!("keep_days is {d}: use 1 to 36500"));
        }
        Ok(Retention { keep_snapshots, keep_days })
    }
}

/// A completed snapshot, as retention sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    /// The sync's id.
    pub id: i64,
    /// When it completed.
    pub completed_at: DateTime<Utc>,
}

/// The snapshots of one account to prune, oldest first: every completed snapshot but the
/// newest `keep_snapshots` (by id, so the newest is always kept), those completed within
/// `keep_days` of `now`, and those in `referenced`.
pub fn to_prune(completed: &[Snapshot], referenced: &BTreeSet<i64>, r: &Retention, now: DateTime<Utc>) -> Vec<i64> {
    let mut ids: Vec<&Snapshot> = completed.iter().collect();
    ids.sort_by_key(|s| std::cmp::Reverse(s.id));
    let cutoff = r.keep_days.map(|d| crate::when::days_before(now, i64::from(d)));
    let mut out: Vec<i64> = ids
        .into_iter()
        .skip(r.keep_snapshots.max(1))
        .filter(|s| !referenced.contains(&s.id))
        .filter(|s| cutoff.is_none_or(|c| s.completed_at < c))
        .map(|s| s.id)
        .collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use proptest::prelude::*;

    fn snaps(ages_days: &[i64], now: DateTime<Utc>) -> Vec<Snapshot> {
        ages_days
            .iter()
            .enumerate()
            .map(|(i, a)| Snapshot { id: i as i64 + 1, completed_at: now - Duration::days(*a) })
            .collect()
    }

    #[test]
    fn keeps_the_newest_the_recent_and_the_referenced() {
        let now = Utc::now();
        // Ids 1..=6, oldest first.
        let s = snaps(&[50, 40, 30, 20, 10, 0], now);
        let keep2 = Retention::new(2, None).unwrap();
        assert_eq!(to_prune(&s, &BTreeSet::new(), &keep2, now), vec![1, 2, 3, 4]);
        assert_eq!(to_prune(&s, &BTreeSet::from([2]), &keep2, now), vec![1, 3, 4], "a review's snapshot stays");
        let days = Retention::new(1, Some(25)).unwrap();
        assert_eq!(to_prune(&s, &BTreeSet::new(), &days, now), vec![1, 2, 3], "20 days old is within 25");
        assert!(Retention::new(0, None).unwrap_err().contains("keep_snapshots"));
        assert!(Retention::new(1, Some(0)).unwrap_err().contains("keep_days"));
    }

    proptest! {
        /// Whatever the snapshots, references and settings: the newest is never pruned, no
        /// referenced one is, no more than all but `keep_snapshots` are, and nothing younger
        /// than `keep_days` is.
        #[test]
        fn never_prunes_what_must_stay(
            ages in proptest::collection::vec(0i64..400, 0..40),
            refs in proptest::collection::btree_set(1i64..41, 0..5),
            keep in 1usize..8,
            days in proptest::option::of(1u32..200),
        ) {
            let now = Utc::now();
            let s = snaps(&ages, now);
            let r = Retention::new(keep, days).unwrap();
            let p = to_prune(&s, &refs, &r, now);
            let newest = s.iter().map(|x| x.id).max();
            prop_assert!(newest.is_none_or(|n| !p.contains(&n)));
            prop_assert!(p.iter().all(|id| !refs.contains(id)));
            prop_assert!(p.len() <= s.len().saturating_sub(keep));
            for id in &p {
                let snap = s.iter().find(|x| x.id == *id).unwrap();
                prop_assert!(days.is_none_or(|d| now - snap.completed_at > Duration::days(i64::from(d))));
            }
        }
    }
}
