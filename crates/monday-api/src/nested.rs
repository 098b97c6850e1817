//! How long a nested list (a board's teams, a workspace's members) is asked for inside its
//! page, chosen from what the previous read saw.
//!
//! monday.com charges a nested list for its `limit`, not for what it holds [INF: see
//! monday-sim's `complexity`]: 100 boards asking 25 teams each pay for 5,000 teams when most
//! boards have fewer than five. With each object's longest list from the previous snapshot,
//! the inline limit is the one that makes the whole read cheapest: every object pays for the
//! inline limit, and the few whose list fills it are read again alone, each with a limit fitted
//! to its own length. Without a previous snapshot the defaults stay.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Points per object a list could hold (monday.com's published data point: 10).
const POINTS: u64 = 10;
/// What a request is worth in points when weighing an inline limit against re-reads: a
/// round trip that the budget (10,000,000 points a minute) spends about this much on at the
/// pace of a few requests in flight [a choice]. Without it, a limit of 1 and a re-read for
/// every board would look cheapest.
const REQUEST_POINTS: u64 = 2_000;

/// Each object's longest nested list at the previous read, by object id.
#[derive(Debug, Clone, Default)]
pub struct ListLengths {
    longest: Arc<HashMap<u64, u32>>,
}

impl ListLengths {
    /// What the previous read saw: `(object id, its longest nested list)`.
    pub fn new(longest: impl IntoIterator<Item = (u64, u32)>) -> ListLengths {
        ListLengths { longest: Arc::new(longest.into_iter().collect()) }
    }

    /// Whether nothing is known (a first read).
    pub fn is_empty(&self) -> bool {
        self.longest.is_empty()
    }
}

/// The limits one read of a list of objects uses.
#[derive(Debug, Clone)]
pub(crate) struct NestedPlan {
    /// The nested lists' limit inside each page.
    pub inline: u32,
    /// The largest limit a re-read of one object may use.
    full: u32,
    /// The limit of a first re-read of an object not seen before.
    unknown: u32,
    lengths: ListLengths,
}

impl NestedPlan {
    /// The plan for objects with `lists` nested lists each, read `page` to a request, whose
    /// re-reads may ask up to `full` (`unknown` first for an object not seen before); `default`
    /// inline when nothing is known.
    pub fn new(lengths: ListLengths, lists: u32, page: u32, (default, unknown, full): (u32, u32, u32)) -> NestedPlan {
        let inline = if lengths.is_empty() { default } else { cheapest_inline(&lengths, lists, page, full) };
        NestedPlan { inline, full, unknown: unknown.clamp(1, full.max(1)), lengths }
    }

    /// The page a re-read asks after `(limit, page)` came back full: the next `limit` items
    /// while a page twice as long would pass `full`, else a page as long as all read so far,
    /// its second (so it starts where they end): an object not seen before, first re-read at
    /// `unknown`, doubles what it has read each round instead of paying for `full` from the
    /// start (1,000 workspaces with 25 to 81 members each re-read at 500 were most of a
    /// first sync's excess complexity at 100,000 users).
    pub fn next_page(&self, limit: u32, page: u32) -> (u32, u32) {
        let read = u64::from(limit) * u64::from(page);
        match u32::try_from(read) {
            Ok(read) if read <= self.full => (read.max(1), 2),
            _ => (limit, page.saturating_add(1)),
        }
    }

    /// The limit of a re-read of object `id`, whose list filled the inline limit: one more
    /// than its length last time (so one request reads it whole), at least twice the inline
    /// limit (it has grown past it), at most `full`; `full` for an object not seen before.
    pub fn follow_up(&self, id: u64) -> u32 {
        match self.lengths.longest.get(&id) {
            Some(&n) => {
                let limit = reread_limit(u64::from(n), u64::from(self.inline), u64::from(self.full));
                u32::try_from(limit).unwrap_or(self.full)
            }
            None => self.unknown,
        }
    }
}

impl NestedPlan {
    /// The re-reads of objects `ids` (whose lists filled the inline limit), each object in
    /// `lists` lists, at most `page` objects a request: `(limit, ids)` per request. Objects
    /// whose own limits ([`NestedPlan::follow_up`]) round up to the same power of two share a
    /// request, asked with the largest of their limits (not the power of two: a group of
    /// 602-member workspaces asked for 1,024 paid for 422 members each that none had), so a
    /// window's re-reads are a few requests at most twice each object's own points.
    pub fn reread_groups(&self, ids: impl IntoIterator<Item = u64>, lists: u32, page: u32) -> Vec<(u32, Vec<u64>)> {
        let mut groups: BTreeMap<u32, (u32, Vec<u64>)> = BTreeMap::new();
        for id in ids {
            let own = self.follow_up(id);
            let bucket = own.checked_next_power_of_two().unwrap_or(u32::MAX);
            let g = groups.entry(bucket).or_default();
            g.0 = g.0.max(own);
            g.1.push(id);
        }
        let mut reads = Vec::new();
        for (limit, ids) in groups.into_values() {
            for c in ids.chunks(objects_per_reread(lists, limit, page)) {
                reads.push((limit, c.to_vec()));
            }
        }
        reads
    }
}

/// Points one request of re-reads is kept under (monday.com refuses a query over 5,000,000).
const REREAD_POINTS: u64 = 1_000_000;

/// How many objects one re-read request asks: as many as a page holds, fewer when their
/// `lists` lists of `limit` each would charge the request more than [`REREAD_POINTS`].
fn objects_per_reread(lists: u32, limit: u32, page: u32) -> usize {
    let each = POINTS * (2 + u64::from(lists) * u64::from(limit));
    usize::try_from((REREAD_POINTS / each.max(1)).clamp(1, u64::from(page.max(1)))).unwrap_or(1)
}

/// Pages of objects read with their nested lists cut at the inline limit, completed `window`
/// pages at a time by `complete` (which re-reads, together, the objects whose lists filled the
/// limit), and yielded in order, each page whole. Re-reading one object a request made a sync
/// of 2,000 boards send 22 requests for 22 long team lists; a window of pages sends one per
/// limit group. A page that fails ends the stream after the pages before it.
pub(crate) fn completed_in_windows<'a, T, S, F, Fut>(
    pages: S,
    window: usize,
    mut complete: F,
) -> impl futures::Stream<Item = Result<Vec<T>, crate::Error>> + 'a
where
    T: 'a,
    S: futures::Stream<Item = Result<Vec<T>, crate::Error>> + 'a,
    F: FnMut(Vec<T>) -> Fut + 'a,
    Fut: std::future::Future<Output = Result<Vec<T>, crate::Error>> + 'a,
{
    use futures::StreamExt;
    pages
        .chunks(window.max(1))
        .then(move |chunk| {
            let mut pages = Vec::with_capacity(chunk.len());
            let mut failed = None;
            for p in chunk {
                match p {
                    Ok(p) => pages.push(p),
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
            let completing = complete(pages.into_iter().flatten().collect());
            async move {
                let mut out: Vec<Result<Vec<T>, crate::Error>> = Vec::with_capacity(sizes.len() + 1);
                match completing.await {
                    Ok(all) => {
                        let mut all = all.into_iter();
                        for n in sizes {
                            out.push(Ok(all.by_ref().take(n).collect()));
                        }
                        out.extend(failed.map(Err));
                    }
                    Err(e) => out.push(Err(e)),
                }
                futures::stream::iter(out)
            }
        })
        .flatten()
}

/// The points a re-read of an object whose longest list holds `n` costs with inline limit
/// `inline`: requests of one object, each charged for the object and its lists at the re-read
/// limit and for the round trip, until a page is not full.
fn follow_up_points(n: u64, inline: u64, lists: u64, full: u64) -> u64 {
    let limit = reread_limit(n, inline, full);
    let requests = n / limit + 1;
    requests * (POINTS * (2 + lists * limit) + REQUEST_POINTS)
}

/// The limit that re-reads a list of `n` (one more, so a full page is not mistaken for more;
/// at least twice `inline`, since it has grown past it) in as few pages of at most `full` as
/// can hold it, split evenly: 601 members in pages of 500 were charged for 1,000, in two
/// pages of 301 for 602.
fn reread_limit(n: u64, inline: u64, full: u64) -> u64 {
    let full = full.max(1);
    let want = (n + 1).max(2 * inline).max(1);
    let pages = want.div_ceil(full);
    want.div_ceil(pages).clamp(1, full)
}

/// The inline limit (1 to `full`) that makes reading every object cheapest, with each
/// object's longest list as last read.
fn cheapest_inline(lengths: &ListLengths, lists: u32, page: u32, full: u32) -> u32 {
    let (lists, page, full) = (u64::from(lists), u64::from(page.max(1)), u64::from(full.max(1)));
    let objects = lengths.longest.len() as u64;
    // Every page is charged for its limit, the last one too; a list shorter than a page is
    // asked with a page of its length and one (see `pager::pages_ahead`).
    let page = page.min(objects + 1);
    let charged = objects.div_ceil(page) * page;
    let mut sorted: Vec<u64> = lengths.longest.values().map(|&n| u64::from(n)).collect();
    sorted.sort_unstable();
    let cost = |inline: u64| -> u64 {
        // Objects whose list reaches the inline limit fill it and are read again.
        let first_full = sorted.partition_point(|&n| n < inline);
        let again: u64 = sorted[first_full..].iter().map(|&n| follow_up_points(n, inline, lists, full)).sum();
        charged * lists * inline * POINTS + again
    };
    // The cheapest limit is 1 or just above some object's length: between two lengths the cost
    // only grows with the limit.
    let candidates = std::iter::once(1).chain(sorted.iter().map(|&n| n + 1)).filter(|&n| n <= full);
    let best = candidates.min_by_key(|&n| (cost(n), n)).unwrap_or(1);
    u32::try_from(best).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn short_lists_are_asked_short_and_the_few_long_ones_alone() {
        // 2,000 boards with up to 3 teams, and one in 89 with 60.
        let lengths = ListLengths::new((0..2_000u64).map(|i| (i, if i % 89 == 7 { 60 } else { (i % 4) as u32 })));
        let plan = NestedPlan::new(lengths, 2, 100, (25, 100, 100));
        assert_eq!(plan.inline, 4, "one more than the common longest, so none of them fills it");
        assert_eq!(plan.follow_up(7), 61, "the long one is re-read whole in one request");
        assert_eq!(plan.follow_up(1), 8, "a short one that grew past the limit: twice the limit");
        assert_eq!(plan.follow_up(99_999), 100, "an object not seen before: the full limit");
    }

    #[test]
    fn nothing_known_keeps_the_default() {
        assert_eq!(NestedPlan::new(ListLengths::default(), 4, 100, (25, 100, 500)).inline, 25);
    }

    proptest! {
        /// The chosen limit costs no more than any other limit from 1 to `full`.
        #[test]
        fn the_chosen_limit_is_the_cheapest(
            lens in proptest::collection::vec(0u32..700, 1..300),
            lists in 1u32..5,
            page in 1u32..120,
            full in 1u32..600,
        ) {
            let lengths = ListLengths::new(lens.iter().enumerate().map(|(i, &n)| (i as u64, n)));
            let best = cheapest_inline(&lengths, lists, page, full);
            let page = u64::from(page).min(lens.len() as u64 + 1);
            let charged = (lens.len() as u64).div_ceil(page) * page;
            let cost = |inline: u64| -> u64 {
                let again: u64 = lens.iter().map(|&n| u64::from(n)).filter(|&n| n >= inline)
                    .map(|n| follow_up_points(n, inline, u64::from(lists), u64::from(full))).sum();
                charged * u64::from(lists) * inline * POINTS + again
            };
            prop_assert!(best >= 1 && best <= full);
            for other in 1..=u64::from(full) {
                prop_assert!(cost(u64::from(best)) <= cost(other), "{best} costs {} but {other} costs {}", cost(u64::from(best)), cost(other));
            }
        }

        /// Every object is re-read once, with a limit that reads it as its own would and less
        /// than twice its own, in requests under the points cap (unless one object alone is over).
        #[test]
        fn re_reads_are_grouped_near_each_objects_own_limit(
            lens in proptest::collection::vec(0u32..1_500, 0..400),
            unknown in 0usize..20,
            inline in 1u32..30,
            full in 30u32..600,
            lists in 1u32..5,
        ) {
            let plan = NestedPlan { inline, full, unknown: full, lengths: ListLengths::new(lens.iter().enumerate().map(|(i, &n)| (i as u64, n))) };
            let ids: Vec<u64> = (0..(lens.len() + unknown) as u64).collect();
            let reads = plan.reread_groups(ids.clone(), lists, 100);
            let mut seen: Vec<u64> = reads.iter().flat_map(|(_, ids)| ids.iter().copied()).collect();
            seen.sort_unstable();
            prop_assert_eq!(&seen, &ids);
            for (limit, group) in &reads {
                prop_assert!(group.len() <= 100);
                for &id in group {
                    let own = plan.follow_up(id);
                    prop_assert!(own <= *limit && *limit < 2 * own, "{id}: own {own}, asked {limit}");
                }
                let points = POINTS * (2 + u64::from(lists) * u64::from(*limit)) * group.len() as u64;
                prop_assert!(points <= REREAD_POINTS || group.len() == 1, "{points} points in one request");
            }
        }

        /// A list longer than a page is re-read in the fewest pages, charged for at most one
        /// slot more than a page each beyond its length.
        #[test]
        fn a_long_list_is_re_read_in_even_pages(n in 0u64..5_000, inline in 1u64..50, full in 1u64..600) {
            let limit = reread_limit(n, inline, full);
            let want = (n + 1).max(2 * inline);
            prop_assert!(limit >= 1 && limit <= full);
            prop_assert_eq!(want.div_ceil(limit), want.div_ceil(full), "as few pages as pages of {} need", full);
            prop_assert!(want.div_ceil(limit) * limit < want + want.div_ceil(full), "{} pages of {} for {}", want.div_ceil(limit), limit, want);
        }

        /// Re-read pages follow one another without a gap or an overlap, never past `full`, and
        /// reach any length in pages whose total is at most twice it plus a page.
        #[test]
        fn re_read_pages_continue_where_the_last_ended(first in 1u32..600, full in 1u32..600, n in 0u64..20_000) {
            let plan = NestedPlan::new(ListLengths::default(), 1, 100, (1, first, full));
            let (mut limit, mut page) = (plan.follow_up(9), 1u32);
            let mut read = 0u64;
            let mut charged = 0u64;
            for _ in 0..=n {
                prop_assert!(limit >= 1 && limit <= full);
                prop_assert_eq!(u64::from(limit) * u64::from(page - 1), read, "page {} of {} starts where the last ended", page, limit);
                read += u64::from(limit);
                charged += u64::from(limit);
                if read > n {
                    break;
                }
                (limit, page) = plan.next_page(limit, page);
            }
            prop_assert!(read > n);
            prop_assert!(charged <= 2 * n + 2 * u64::from(full) + u64::from(first), "{} charged for {}", charged, n);
        }

        /// A re-read's limit reads an object of the length seen last time in one request.
        #[test]
        fn a_follow_up_reads_a_known_length_at_once(n in 0u32..400, inline in 1u32..50) {
            let plan = NestedPlan { inline, full: 500, unknown: 500, lengths: ListLengths::new([(1, n)]) };
            prop_assert!(plan.follow_up(1) > n);
        }
    }
}
