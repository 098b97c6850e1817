//! How long each nested list (a board's team owners, its team subscribers, a workspace's
//! members) is asked for inside its page, chosen list by list from what the previous read saw.
//!
//! monday.com charges a nested list for its `limit`, not for what it holds [INF: see
//! monday-sim's `complexity`]: 100 boards asking 25 teams each pay for 5,000 teams when most
//! boards have fewer than five. Each list of an object has its own limit (a workspace's owners
//! are a few, its members dozens: one limit for all four lists charged every workspace four
//! times its member list). With each object's lists' lengths from the previous snapshot, a
//! list's inline limit is the one that makes reading it cheapest: every object pays for the
//! inline limit, and the few whose list fills it have that list, and only that list, read
//! again, with a limit fitted to its own length (the re-read documents leave the other lists
//! out with `@include(if: false)`, which is not charged [INF: as monday-sim's cost model]).
//! Without a previous snapshot the defaults stay.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};

/// Points per object a list could hold (monday.com's published data point: 10).
const POINTS: u64 = 10;
/// What a request is worth in points when weighing an inline limit against re-reads: a
/// round trip that the budget (10,000,000 points a minute) spends about this much on at the
/// pace of a few requests in flight [a choice]. Without it, a limit of 1 and a re-read for
/// every board would look cheapest.
const REQUEST_POINTS: u64 = 2_000;
/// The most nested lists an object has (a workspace's four).
pub(crate) const MAX_LISTS: usize = 4;

/// A board's nested lists, as [`ListLengths`] numbers them (`as usize`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardList {
    /// `team_owners`.
    TeamOwners = 0,
    /// `team_subscribers` (team `-1`: everyone in the account).
    TeamSubscribers = 1,
}

/// A workspace's nested lists, as [`ListLengths`] numbers them (`as usize`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkspaceList {
    /// `owners_subscribers`.
    Owners = 0,
    /// `users_subscribers`.
    Members = 1,
    /// `team_owners_subscribers`.
    TeamOwners = 2,
    /// `teams_subscribers`.
    TeamMembers = 3,
}

/// Each object's nested lists' lengths at the previous read, by object id; list `k` of an
/// object is its `k`th list in the order its reader names them (see [`Nested::lists`]).
#[derive(Debug, Clone, Default)]
pub struct ListLengths {
    lengths: Arc<HashMap<u64, [u32; MAX_LISTS]>>,
}

impl ListLengths {
    /// What the previous read saw: `(object id, list, its length)`; an object it names in one
    /// list has length 0 in the others, and a list number past the object's lists is ignored.
    pub fn new(lengths: impl IntoIterator<Item = (u64, usize, u32)>) -> ListLengths {
        let mut all: HashMap<u64, [u32; MAX_LISTS]> = HashMap::new();
        for (id, list, n) in lengths {
            let each = all.entry(id).or_default();
            if let Some(slot) = each.get_mut(list) {
                *slot = (*slot).max(n);
            }
        }
        ListLengths { lengths: Arc::new(all) }
    }

    /// Whether nothing is known (a first read).
    pub fn is_empty(&self) -> bool {
        self.lengths.is_empty()
    }

    fn of(&self, id: u64, list: usize) -> Option<u32> {
        self.lengths.get(&id).and_then(|l| l.get(list).copied())
    }

    fn list(&self, list: usize) -> Vec<u64> {
        self.lengths.values().map(|l| u64::from(l.get(list).copied().unwrap_or(0))).collect()
    }
}

/// An object read with nested lists: its id and its `N` lists, in the order [`ListLengths`]
/// and the plan's limits number them.
pub(crate) trait Nested<const N: usize> {
    /// What a list holds (user ids, team ids).
    type Item;
    fn id(&self) -> u64;
    fn lists(&mut self) -> [&mut Vec<Self::Item>; N];
}

/// One list of several objects, whole, by object id.
type Lists<X> = HashMap<u64, Vec<X>>;

/// The limits one read of a list of objects uses.
#[derive(Debug, Clone)]
pub(crate) struct NestedPlan {
    /// Each nested list's limit inside each page.
    pub inline: Vec<u32>,
    /// The largest limit a re-read of one object may use.
    full: u32,
    /// The limit of a first re-read of an object not seen before.
    unknown: u32,
    lengths: ListLengths,
}

impl NestedPlan {
    /// The plan for objects with a nested list per `defaults` entry (its inline limit when
    /// nothing is known), read `page` to a request, whose re-reads may ask up to `full`
    /// (`unknown` first for an object not seen before).
    pub fn new(lengths: ListLengths, defaults: &[u32], page: u32, (unknown, full): (u32, u32)) -> NestedPlan {
        let inline = (0..defaults.len().min(MAX_LISTS))
            .map(|k| if lengths.is_empty() { defaults[k] } else { cheapest_inline(lengths.list(k), page, full) })
            .collect();
        NestedPlan { inline, full, unknown: unknown.clamp(1, full.max(1)), lengths }
    }

    /// List `list`'s inline limit (1 for a list the plan was not made for).
    pub fn inline(&self, list: usize) -> u32 {
        self.inline.get(list).copied().unwrap_or(1)
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

    /// The limit of a re-read of list `list` of object `id`, which filled its inline limit:
    /// one more than its length last time (so one request reads it whole), at least twice the
    /// inline limit (it has grown past it), at most `full`; `unknown` for an object not seen
    /// before.
    pub fn follow_up(&self, list: usize, id: u64) -> u32 {
        match self.lengths.of(id, list) {
            Some(n) => {
                let limit = reread_limit(u64::from(n), u64::from(self.inline(list)), u64::from(self.full));
                u32::try_from(limit).unwrap_or(self.full)
            }
            None => self.unknown,
        }
    }

    /// The re-reads of list `list` of objects `ids` (which filled its inline limit), at most
    /// `page` objects a request: `(limit, ids)` per request. Objects whose own limits
    /// ([`NestedPlan::follow_up`]) round up to the same power of two share a request, asked
    /// with the largest of their limits (not the power of two: a group of 602-member
    /// workspaces asked for 1,024 paid for 422 members each that none had), so a window's
    /// re-reads are a few requests at most twice each object's own points.
    pub fn reread_groups(&self, list: usize, ids: impl IntoIterator<Item = u64>, page: u32) -> Vec<(u32, Vec<u64>)> {
        let mut groups: BTreeMap<u32, (u32, Vec<u64>)> = BTreeMap::new();
        for id in ids {
            let own = self.follow_up(list, id);
            let bucket = own.checked_next_power_of_two().unwrap_or(u32::MAX);
            let g = groups.entry(bucket).or_default();
            g.0 = g.0.max(own);
            g.1.push(id);
        }
        let mut reads = Vec::new();
        for (limit, ids) in groups.into_values() {
            for c in ids.chunks(objects_per_reread(limit, page)) {
                reads.push((limit, c.to_vec()));
            }
        }
        reads
    }

    /// `objects` (read with each nested list cut at its inline limit) with every list whole:
    /// each list that filled its limit is read again by `reread(list, limit, ids)` (which
    /// returns each object's whole list), the objects grouped as [`NestedPlan::reread_groups`]
    /// says, up to `concurrency` requests at once. An object a re-read no longer finds keeps
    /// what its page said.
    pub async fn complete<T, const N: usize, F, Fut>(
        &self,
        objects: &mut [T],
        page: u32,
        concurrency: usize,
        reread: F,
    ) -> Result<(), crate::Error>
    where
        T: Nested<N>,
        F: Fn(usize, u32, Vec<u64>) -> Fut,
        Fut: Future<Output = Result<HashMap<u64, Vec<T::Item>>, crate::Error>>,
    {
        let mut long: [Vec<u64>; N] = std::array::from_fn(|_| Vec::new());
        for o in objects.iter_mut() {
            let id = o.id();
            for (k, l) in o.lists().into_iter().enumerate() {
                if l.len() >= self.inline(k) as usize {
                    long[k].push(id);
                }
            }
        }
        let reads = long
            .into_iter()
            .enumerate()
            .flat_map(|(k, ids)| self.reread_groups(k, ids, page).into_iter().map(move |(limit, ids)| (k, limit, ids)));
        let read: Vec<(usize, Lists<T::Item>)> = futures::stream::iter(reads)
            .map(|(k, limit, ids)| {
                let r = reread(k, limit, ids);
                async move { r.await.map(|lists| (k, lists)) }
            })
            .buffered(concurrency.max(1))
            .try_collect()
            .await?;
        let mut whole: [Lists<T::Item>; N] = std::array::from_fn(|_| HashMap::new());
        for (k, lists) in read {
            whole[k].extend(lists);
        }
        for o in objects.iter_mut() {
            let id = o.id();
            for (k, l) in o.lists().into_iter().enumerate() {
                if let Some(all) = whole[k].remove(&id) {
                    *l = all;
                }
            }
        }
        Ok(())
    }

    /// One list of objects `ids` read to its end from `limit` items a page: `fetch(ids,
    /// limit, page)` returns each object's page of it, and the objects whose page came back
    /// full are asked the next (`what` names the list in the error of a list that never ends).
    pub async fn read_whole<X, F, Fut>(
        &self,
        mut ids: Vec<u64>,
        mut limit: u32,
        what: &str,
        fetch: F,
    ) -> Result<HashMap<u64, Vec<X>>, crate::Error>
    where
        F: Fn(Vec<u64>, u32, u32) -> Fut,
        Fut: Future<Output = Result<Vec<(u64, Vec<X>)>, crate::Error>>,
    {
        let mut out: HashMap<u64, Vec<X>> = HashMap::new();
        let mut page = 1;
        for round in 1.. {
            if ids.is_empty() {
                break;
            }
            if round > MAX_LIST_PAGES {
                let detail = format!("a list longer than {MAX_LIST_PAGES} pages of {limit}");
                return Err(crate::client::malformed(what, detail));
            }
            let mut more = Vec::new();
            for (id, items) in fetch(ids.clone(), limit, page).await? {
                if items.len() >= limit as usize && ids.contains(&id) {
                    more.push(id);
                }
                out.entry(id).or_default().extend(items);
            }
            ids = more;
            (limit, page) = self.next_page(limit, page);
        }
        Ok(out)
    }
}

/// Pages of one nested list at most: a server that never ends a list is refused, not followed.
const MAX_LIST_PAGES: u32 = 10_000;

/// Points one request of re-reads is kept under (monday.com refuses a query over 5,000,000).
const REREAD_POINTS: u64 = 1_000_000;

/// How many objects one re-read request asks: as many as a page holds, fewer when their
/// lists of `limit` each would charge the request more than [`REREAD_POINTS`].
fn objects_per_reread(limit: u32, page: u32) -> usize {
    let each = POINTS * (2 + u64::from(limit));
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

/// The points a re-read of a list of `n` costs with inline limit `inline`: requests of one
/// object, each charged for the object and its list at the re-read limit and for the round
/// trip, until a page is not full.
fn follow_up_points(n: u64, inline: u64, full: u64) -> u64 {
    let limit = reread_limit(n, inline, full);
    let requests = n / limit + 1;
    requests * (POINTS * (2 + limit) + REQUEST_POINTS)
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

/// The inline limit (1 to `full`) that makes reading one list of every object cheapest, with
/// each object's list as long as `lengths` (one per object) says it was.
fn cheapest_inline(mut sorted: Vec<u64>, page: u32, full: u32) -> u32 {
    let (page, full) = (u64::from(page.max(1)), u64::from(full.max(1)));
    let objects = sorted.len() as u64;
    // Every page is charged for its limit, the last one too; a list shorter than a page is
    // asked with a page of its length and one (see `pager::pages_ahead`).
    let page = page.min(objects + 1);
    let charged = objects.div_ceil(page) * page;
    sorted.sort_unstable();
    let cost = |inline: u64| -> u64 {
        // Objects whose list reaches the inline limit fill it and are read again.
        let first_full = sorted.partition_point(|&n| n < inline);
        let again: u64 = sorted[first_full..].iter().map(|&n| follow_up_points(n, inline, full)).sum();
        charged * inline * POINTS + again
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
        // Their owners (list 0): none or one.
        let lengths = ListLengths::new(
            (0..2_000u64).flat_map(|i| [(i, 0, (i % 2) as u32), (i, 1, if i % 89 == 7 { 60 } else { (i % 4) as u32 })]),
        );
        let plan = NestedPlan::new(lengths, &[5, 5], 100, (100, 100));
        assert_eq!(plan.inline, [2, 4], "one more than each list's common longest, so none of them fills it");
        assert_eq!(plan.follow_up(1, 7), 61, "the long one is re-read whole in one request");
        assert_eq!(plan.follow_up(1, 1), 8, "a short one that grew past the limit: twice the limit");
        assert_eq!(plan.follow_up(0, 1), 4, "each list by its own limit");
        assert_eq!(plan.follow_up(1, 99_999), 100, "an object not seen before: the unknown limit");
    }

    #[test]
    fn nothing_known_keeps_the_defaults() {
        assert_eq!(NestedPlan::new(ListLengths::default(), &[5, 25, 5, 5], 100, (100, 500)).inline, [5, 25, 5, 5]);
    }

    #[test]
    fn an_object_named_in_one_list_is_empty_in_the_others() {
        let lengths = ListLengths::new([(1, 1, 7), (1, 1, 3), (2, 9, 4)]);
        assert_eq!(lengths.of(1, 0), Some(0));
        assert_eq!(lengths.of(1, 1), Some(7), "the longest of what was said");
        assert_eq!(lengths.of(2, 0), Some(0), "a list past the object's lists is ignored");
        assert_eq!(lengths.of(3, 0), None);
    }

    /// A board of the tests: an id and its two team lists.
    #[derive(Debug, Clone, PartialEq)]
    struct Obj(u64, Vec<u64>, Vec<u64>);
    impl Nested<2> for Obj {
        type Item = u64;
        fn id(&self) -> u64 {
            self.0
        }
        fn lists(&mut self) -> [&mut Vec<u64>; 2] {
            [&mut self.1, &mut self.2]
        }
    }

    /// What a server holds: object id → its two whole lists.
    fn server(lens: &[(usize, usize)]) -> HashMap<u64, [Vec<u64>; 2]> {
        lens.iter()
            .enumerate()
            .map(|(i, &(a, b))| (i as u64, [(0..a as u64).collect(), (1_000..1_000 + b as u64).collect()]))
            .collect()
    }

    /// The objects as a page with inline limits `inline` gives them.
    fn paged(all: &HashMap<u64, [Vec<u64>; 2]>, inline: &[u32]) -> Vec<Obj> {
        let mut ids: Vec<u64> = all.keys().copied().collect();
        ids.sort_unstable();
        let cut = |l: &Vec<u64>, k: usize| l.iter().copied().take(inline[k] as usize).collect();
        ids.iter().map(|id| Obj(*id, cut(&all[id][0], 0), cut(&all[id][1], 1))).collect()
    }

    proptest! {
        /// Completing a page makes every list whole, re-reads only the lists that filled their
        /// limit (each list asked alone), and never asks an object's list for one it is not.
        #[test]
        fn completing_reads_only_the_lists_that_filled(
            lens in proptest::collection::vec((0usize..40, 0usize..40), 0..60),
            known in proptest::bool::ANY,
            inline in (1u32..10, 1u32..10),
        ) {
            let all = server(&lens);
            let lengths = if known {
                ListLengths::new(all.iter().flat_map(|(&id, [a, b])| [(id, 0, a.len() as u32), (id, 1, b.len() as u32)]))
            } else {
                ListLengths::default()
            };
            let plan = NestedPlan { inline: vec![inline.0, inline.1], ..NestedPlan::new(lengths, &[1, 1], 100, (4, 16)) };
            let mut objects = paged(&all, &plan.inline);
            let asked = std::sync::Mutex::new(Vec::new());
            let fetch = |k: usize, limit: u32, ids: Vec<u64>| {
                asked.lock().unwrap().push((k, ids.clone()));
                let all = &all;
                let plan = &plan;
                async move {
                    plan.read_whole(ids, limit, "test list", |ids, limit, page| async move {
                        let start = (limit as usize) * (page as usize - 1);
                        Ok(ids.iter().map(|id| (*id, all[id][k].iter().copied().skip(start).take(limit as usize).collect())).collect())
                    }).await
                }
            };
            futures::executor::block_on(plan.complete(&mut objects, 100, 3, fetch)).unwrap();
            for o in &objects {
                prop_assert_eq!(&o.1, &all[&o.0][0]);
                prop_assert_eq!(&o.2, &all[&o.0][1]);
            }
            for (k, ids) in asked.into_inner().unwrap() {
                for id in ids {
                    prop_assert!(all[&id][k].len() >= plan.inline[k] as usize, "list {} of {} re-read though it did not fill", k, id);
                }
            }
        }
    }

    proptest! {
        /// The chosen limit costs no more than any other limit from 1 to `full`.
        #[test]
        fn the_chosen_limit_is_the_cheapest(
            lens in proptest::collection::vec(0u32..700, 1..300),
            page in 1u32..120,
            full in 1u32..600,
        ) {
            let best = cheapest_inline(lens.iter().map(|&n| u64::from(n)).collect(), page, full);
            let page = u64::from(page).min(lens.len() as u64 + 1);
            let charged = (lens.len() as u64).div_ceil(page) * page;
            let cost = |inline: u64| -> u64 {
                let again: u64 = lens.iter().map(|&n| u64::from(n)).filter(|&n| n >= inline)
                    .map(|n| follow_up_points(n, inline, u64::from(full))).sum();
                charged * inline * POINTS + again
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
        ) {
            let plan = NestedPlan { inline: vec![inline], full, unknown: full, lengths: ListLengths::new(lens.iter().enumerate().map(|(i, &n)| (i as u64, 0, n))) };
            let ids: Vec<u64> = (0..(lens.len() + unknown) as u64).collect();
            let reads = plan.reread_groups(0, ids.clone(), 100);
            let mut seen: Vec<u64> = reads.iter().flat_map(|(_, ids)| ids.iter().copied()).collect();
            seen.sort_unstable();
            prop_assert_eq!(&seen, &ids);
            for (limit, group) in &reads {
                prop_assert!(group.len() <= 100);
                for &id in group {
                    let own = plan.follow_up(0, id);
                    prop_assert!(own <= *limit && *limit < 2 * own, "{id}: own {own}, asked {limit}");
                }
                let points = POINTS * (2 + u64::from(*limit)) * group.len() as u64;
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
            let plan = NestedPlan::new(ListLengths::default(), &[1], 100, (first, full));
            let (mut limit, mut page) = (plan.follow_up(0, 9), 1u32);
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
            let plan = NestedPlan { inline: vec![inline], full: 500, unknown: 500, lengths: ListLengths::new([(1, 0, n)]) };
            prop_assert!(plan.follow_up(0, 1) > n);
        }
    }
}
