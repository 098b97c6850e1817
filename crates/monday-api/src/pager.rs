//! Page-by-page streams: pages start at 1, a short page ends the list, and a page refused as
//! too complex for one query is fetched again in halves.

use std::future::Future;

use futures::stream::FuturesOrdered;
use futures::{Stream, StreamExt};

use crate::error::Error;

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// Streams pages from `fetch(limit, page)`, `limit` items a page, skipping the first `offset`
/// items (to resume; the page size shrinks to fit if `offset` is not a multiple of `limit`).
/// One page at a time; see [`pages_ahead`]. (The tests' shorthand: every list the client reads
/// is read ahead or, for ids, several pages a request.)
#[cfg(test)]
pub(crate) fn pages<T, F, Fut>(limit: u32, offset: u64, fetch: F) -> impl Stream<Item = Result<Vec<T>, Error>>
where
    F: FnMut(u32, u32) -> Fut,
    Fut: Future<Output = Result<Vec<T>, Error>>,
{
    pages_ahead(limit, offset, 1, None, false, fetch)
}

/// The same with up to `ahead` pages asked at once, yielded in order. A list's end is known
/// only when a page comes back short, so up to `ahead - 1` pages past it are asked for
/// nothing: with latency, asking one page after another made a sync wait a round trip per
/// page. With `expected` (how many items the list held when it was last read) no page past
/// the one that list would end on is asked ahead: past it (the list grew) pages are asked one
/// at a time, so a list of the expected length or longer costs not one page more than read
/// one page after another, and a list expected shorter than a page is asked with a page of its
/// length and one. A page refused as too complex ends the look-ahead: the rest of the list is
/// read one page at a time, in halves.
///
/// A `swept` list's ids are swept after its pages (boards, workspaces: what the pages missed is
/// read by id): with `expected`, reading stops at the expected end instead of asking one more
/// page to see it is empty. A page asked past the end is charged in full (100 boards' worth)
/// for nothing; items past the expected end, if the list grew, are the sweep's.
pub(crate) fn pages_ahead<T, F, Fut>(
    limit: u32,
    offset: u64,
    ahead: usize,
    expected: Option<u64>,
    swept: bool,
    fetch: F,
) -> impl Stream<Item = Result<Vec<T>, Error>>
where
    F: FnMut(u32, u32) -> Fut,
    Fut: Future<Output = Result<Vec<T>, Error>>,
{
    pages_ahead_of(limit, offset, ahead, expected.map(Length::Exactly), swept, fetch)
}

/// What is known of a list's length before it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// As long as when it was last read (it may have changed since).
    Exactly(u64),
    /// At least this long (a count that leaves some of the list out: the account's active
    /// members, of a list of every user): the pages within it are asked ahead, and past it the
    /// list is read one page at a time, with no probe for an end it does not tell.
    AtLeast(u64),
}

/// [`pages_ahead`] with the list's [`Length`], exact or a lower bound.
pub(crate) fn pages_ahead_of<T, F, Fut>(
    limit: u32,
    offset: u64,
    ahead: usize,
    length: Option<Length>,
    swept: bool,
    fetch: F,
) -> impl Stream<Item = Result<Vec<T>, Error>>
where
    F: FnMut(u32, u32) -> Fut,
    Fut: Future<Output = Result<Vec<T>, Error>>,
{
    struct S<F, Fut: Future> {
        fetch: F,
        limit: u32,
        /// Items yielded so far: where the next page to yield starts.
        offset: u64,
        /// The next page number to ask for.
        next_page: u32,
        ahead: usize,
        /// Items the list is expected to hold: pages past its last are not asked ahead.
        expected: Option<u64>,
        /// The list is swept by id afterwards: stop at the expected end.
        swept: bool,
        inflight: FuturesOrdered<Fut>,
        /// Whether each page in flight (in order) is a probe: one item asked where a list of
        /// the expected length ends, instead of a whole page charged in full to say it is empty.
        probes: std::collections::VecDeque<bool>,
        /// A probe found the list longer than expected: no more probes.
        grew: bool,
        done: bool,
    }
    impl<F, Fut: Future> S<F, Fut> {
        /// Whether the next page starts within the expected list (or its end, a short or
        /// empty page, is that page), or no length is expected.
        fn within_expected(&self) -> bool {
            let start = (u64::from(self.next_page) - 1) * u64::from(self.limit);
            self.expected.is_none_or(|n| start < n || (start == n && !self.swept))
        }
        /// Whether the next page starts exactly where a list of the expected length ends (a
        /// full last page): asked as a probe of one item.
        fn probe_next(&self) -> bool {
            let start = (u64::from(self.next_page) - 1) * u64::from(self.limit);
            !self.swept && !self.grew && self.limit > 1 && self.expected.is_some_and(|n| n > 0 && start == n)
        }
        /// Whether a swept list has been read to its expected end.
        fn at_expected_end(&self) -> bool {
            self.swept && self.expected.is_some_and(|n| self.offset >= n)
        }
    }
    let expected = length.map(|l| match l {
        Length::Exactly(n) | Length::AtLeast(n) => n,
    });
    let lower_bound = matches!(length, Some(Length::AtLeast(_)));
    // A list expected shorter than a page is asked with a page just longer than it: monday.com
    // charges a page for its limit, not for what it holds (a full page still asks the next).
    let limit = match length.filter(|_| !lower_bound).and(expected) {
        Some(n) if n < u64::from(limit) => u32::try_from(n + 1).unwrap_or(limit),
        _ => limit,
    }
    .max(1);
    let aligned = if offset % limit as u64 == 0 { limit } else { gcd(limit, (offset % limit as u64) as u32).max(1) };
    let first = u32::try_from(offset / aligned as u64).unwrap_or(u32::MAX).saturating_add(1);
    let state = S {
        fetch,
        limit: aligned,
        offset,
        next_page: first,
        ahead: ahead.max(1),
        expected,
        swept,
        inflight: FuturesOrdered::new(),
        probes: std::collections::VecDeque::new(),
        // A lower bound tells no end to probe for.
        grew: lower_bound,
        done: false,
    };
    futures::stream::unfold(state, |mut s| async move {
        if s.done {
            return None;
        }
        loop {
            while s.inflight.len() < s.ahead && (s.inflight.is_empty() || s.within_expected()) {
                let probe = s.probe_next();
                let fut = if probe {
                    let item = (u64::from(s.next_page) - 1) * u64::from(s.limit) + 1;
                    (s.fetch)(1, u32::try_from(item).unwrap_or(u32::MAX))
                } else {
                    (s.fetch)(s.limit, s.next_page)
                };
                s.inflight.push_back(fut);
                s.probes.push_back(probe);
                s.next_page = s.next_page.saturating_add(1);
            }
            let answer = s.inflight.next().await?;
            let probe = s.probes.pop_front().unwrap_or(false);
            match answer {
                Ok(items) if probe => {
                    if items.is_empty() {
                        return None;
                    }
                    // The list grew past its expected end: the probed page is asked whole, and
                    // the rest one page at a time.
                    s.grew = true;
                    s.inflight = FuturesOrdered::new();
                    s.probes.clear();
                    s.next_page = s.next_page.saturating_sub(1).max(1);
                }
                Ok(items) => {
                    s.offset += items.len() as u64;
                    if items.len() < s.limit as usize || s.at_expected_end() {
                        // The end: pages still in flight hold nothing of this list.
                        s.done = true;
                        s.inflight = FuturesOrdered::new();
                        s.probes.clear();
                    }
                    if items.is_empty() {
                        return None;
                    }
                    return Some((Ok(items), s));
                }
                Err(Error::QueryTooComplex { .. }) if s.limit > 1 => {
                    // Half the page, keeping page boundaries aligned with what was read; the
                    // pages in flight were asked at the old size and are dropped.
                    s.inflight = FuturesOrdered::new();
                    s.probes.clear();
                    s.ahead = 1;
                    let half = s.limit / 2;
                    s.limit = if s.offset == 0 { half } else { gcd(half, (s.offset % u32::MAX as u64) as u32).max(1) };
                    s.next_page = u32::try_from(s.offset / s.limit as u64).unwrap_or(u32::MAX).saturating_add(1);
                    tracing::info!(limit = s.limit, "page too complex for one query; asking for smaller pages");
                }
                Err(e) => {
                    s.done = true;
                    s.inflight = FuturesOrdered::new();
                    s.probes.clear();
                    return Some((Err(e), s));
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    fn items(total: u32, limit: u32, page: u32) -> Vec<u32> {
        let start = (page - 1) * limit;
        (start..(start + limit).min(total)).collect()
    }

    #[tokio::test]
    async fn pages_until_a_short_page() {
        let got: Vec<u32> = pages(10, 0, |l, p| async move { Ok(items(25, l, p)) }).map(|r| r.unwrap()).concat().await;
        assert_eq!(got, (0..25).collect::<Vec<_>>());
        let calls = std::sync::atomic::AtomicU32::new(0);
        let got: Vec<u32> = pages(5, 0, |l, p| {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move { Ok(items(10, l, p)) }
        })
        .map(|r| r.unwrap())
        .concat()
        .await;
        assert_eq!(got.len(), 10);
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 3, "two full pages and an empty one");
    }

    /// 50 items, in pages of at most 8: a larger page is refused as too complex.
    fn over_8_too_complex(limit: u32, page: u32) -> Result<Vec<u32>, Error> {
        if limit > 8 {
            Err(Error::QueryTooComplex { complexity: None, limit: None, request_id: None })
        } else {
            Ok(items(50, limit, page))
        }
    }

    #[tokio::test]
    async fn too_complex_pages_are_halved_without_gaps_or_repeats() {
        let got: Vec<u32> =
            pages(30, 0, |l, p| async move { over_8_too_complex(l, p) }).map(|r| r.unwrap()).concat().await;
        assert_eq!(got, (0..50).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn resumes_from_an_offset() {
        let got: Vec<u32> = pages(10, 20, |l, p| async move { Ok(items(35, l, p)) }).map(|r| r.unwrap()).concat().await;
        assert_eq!(got, (20..35).collect::<Vec<_>>());
        // An offset that is not a multiple of the page size: smaller pages, nothing skipped.
        let got: Vec<u32> = pages(10, 15, |l, p| async move { Ok(items(35, l, p)) }).map(|r| r.unwrap()).concat().await;
        assert_eq!(got, (15..35).collect::<Vec<_>>());
    }

    /// A length known only as a lower bound: the list is read whole whether it is that long or
    /// longer, the pages within the bound asked at once, no probe, and no page asked that a
    /// read of one page at a time would not ask (a list is at least as long as its bound).
    #[tokio::test]
    async fn a_lower_bound_asks_ahead_within_it_and_nothing_more() {
        for total in [0u32, 1, 9, 10, 11, 25, 40, 41] {
            for bound in [0u32, 5, 10, 25, 40] {
                if bound > total {
                    continue;
                }
                for ahead in [1, 4] {
                    let asked = std::sync::Mutex::new(Vec::new());
                    let most = std::sync::atomic::AtomicUsize::new(0);
                    let running = std::sync::atomic::AtomicUsize::new(0);
                    let read = pages_ahead_of(10, 0, ahead, Some(Length::AtLeast(u64::from(bound))), false, |l, p| {
                        asked.lock().unwrap().push((l, p));
                        let n = running.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                        most.fetch_max(n, std::sync::atomic::Ordering::SeqCst);
                        let running = &running;
                        async move {
                            tokio::task::yield_now().await;
                            running.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
                            Ok(items(total, l, p))
                        }
                    });
                    let got: Vec<u32> = read.map(|r| r.unwrap()).concat().await;
                    assert_eq!(got, (0..total).collect::<Vec<_>>(), "total {total} bound {bound}");
                    let asked = asked.into_inner().unwrap();
                    let one_at_a_time: Vec<(u32, u32)> = (1..=total / 10 + 1).map(|p| (10, p)).collect();
                    assert_eq!(asked, one_at_a_time, "total {total} bound {bound} ahead {ahead}: the pages, no probe");
                    if ahead > 1 && bound >= 20 {
                        assert!(most.into_inner() > 1, "pages within the bound asked at once");
                    }
                }
            }
        }
    }

    /// With pages asked ahead: everything once and in order whatever the answers' timing, at
    /// most `ahead - 1` pages asked past the end, errors and halving as one page at a time.
    /// With the list's length expected, no page past its end is asked, whatever the look-ahead,
    /// and a list that grew or shrank is still read whole.
    #[tokio::test]
    async fn expected_lengths_bound_the_pages_asked() {
        for total in [0u32, 1, 9, 10, 11, 25, 40] {
            for expected in [0u64, 5, 10, 25, 40, 100] {
                for ahead in [1, 3, 8] {
                    let asked = std::sync::Mutex::new(Vec::new());
                    let got: Vec<u32> = pages_ahead(10, 0, ahead, Some(expected), false, |l, p| {
                        asked.lock().unwrap().push((l, p));
                        async move { Ok(items(total, l, p)) }
                    })
                    .map(|r| r.unwrap())
                    .concat()
                    .await;
                    assert_eq!(got, (0..total).collect::<Vec<_>>(), "total {total} expected {expected} ahead {ahead}");
                    let all = asked.lock().unwrap().clone();
                    let l = all[0].0;
                    // A probe: one item where a list of the expected length ends after a full
                    // page, never a whole page charged to say it is empty.
                    let probe = (1u32, expected as u32 + 1);
                    let probed = l > 1 && all.contains(&probe);
                    if l > 1 && expected > 0 && expected % u64::from(l) == 0 && u64::from(total) >= expected {
                        assert!(probed, "total {total} expected {expected}: the end is probed: {all:?}");
                    }
                    let asked: Vec<(u32, u32)> = all.into_iter().filter(|a| !(probed && *a == probe)).collect();
                    assert!(asked.iter().all(|(x, _)| *x == l), "one page size per read, but the probe: {asked:?}");
                    if probed && u64::from(total) == expected {
                        let past = expected / u64::from(l) + 1;
                        assert!(
                            asked.iter().all(|(_, p)| u64::from(*p) < past),
                            "no whole page past the end: {asked:?}"
                        );
                    }
                    // A list expected shorter than a page is asked a page of its length and one.
                    assert_eq!(l, 10.min(expected as u32 + 1), "expected {expected}");
                    let max = asked.iter().map(|(_, p)| *p).max().unwrap();
                    // Never past what the list or the expectation needs.
                    let needed = total / l + 1;
                    let bound = needed.max((expected / u64::from(l)) as u32 + 1);
                    assert!(max <= bound, "asked page {max} of {total} (expected {expected}, ahead {ahead})");
                    if expected >= u64::from(total) {
                        assert!(max <= (expected / u64::from(l)) as u32 + 1);
                    }
                }
            }
        }
    }

    /// A swept list stops at its expected end: never a page past it, even one to see it end;
    /// what lies past it (the list grew) is left to the sweep; a list that shrank is read whole.
    #[tokio::test]
    async fn swept_lists_stop_at_the_expected_end() {
        for total in [0u32, 5, 10, 11, 30, 35] {
            for expected in [0u64, 10, 30] {
                for ahead in [1, 4] {
                    let asked = std::sync::Mutex::new(Vec::new());
                    let got: Vec<u32> = pages_ahead(10, 0, ahead, Some(expected), true, |l, p| {
                        asked.lock().unwrap().push((l, p));
                        async move { Ok(items(total, l, p)) }
                    })
                    .map(|r| r.unwrap())
                    .concat()
                    .await;
                    let case = format!("total {total} expected {expected} ahead {ahead}");
                    let read = u64::from(total).min(expected.max(1));
                    assert!(got.len() as u64 >= read.min(u64::from(total)), "{case}: read {}", got.len());
                    assert_eq!(got, (0..got.len() as u32).collect::<Vec<_>>(), "{case}: in order, once");
                    if u64::from(total) <= expected {
                        assert_eq!(got.len() as u32, total, "{case}: a list no longer than expected is read whole");
                    }
                    let asked = asked.lock().unwrap().clone();
                    let ends: Vec<u64> = asked.iter().map(|(l, p)| u64::from(*l) * u64::from(*p - 1)).collect();
                    assert!(
                        ends.iter().all(|start| *start < expected.max(1)),
                        "{case}: no page starts at or past the expected end: {asked:?}"
                    );
                }
            }
        }
    }

    #[tokio::test]
    async fn pages_ahead_keep_order_and_stop_at_the_end() {
        for ahead in [1usize, 2, 4, 7] {
            for (total, limit, offset) in [(0u32, 10u32, 0u64), (25, 10, 0), (30, 10, 0), (95, 7, 14), (35, 10, 15)] {
                let calls = std::sync::atomic::AtomicU32::new(0);
                let got: Vec<u32> = pages_ahead(limit, offset, ahead, None, false, |l, p| {
                    calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    async move {
                        // Later pages answer first.
                        tokio::time::sleep(std::time::Duration::from_millis(u64::from(20 - p.min(20)))).await;
                        Ok(items(total, l, p))
                    }
                })
                .map(|r| r.unwrap())
                .concat()
                .await;
                let want: Vec<u32> = (offset as u32..total).collect();
                assert_eq!(got, want, "ahead {ahead}, total {total}, limit {limit}, offset {offset}");
                // An offset off the page grid reads smaller pages (see `pages`).
                let size =
                    if offset % u64::from(limit) == 0 { limit } else { gcd(limit, (offset % u64::from(limit)) as u32) };
                let pages_needed = (total as u64 - offset.min(total as u64)) / u64::from(size) + 1;
                let asked = u64::from(calls.load(std::sync::atomic::Ordering::SeqCst));
                assert!(asked < pages_needed + ahead as u64, "ahead {ahead}: {asked} asked, {pages_needed} needed");
            }
        }
        let halved: Vec<u32> = pages_ahead(30, 0, 4, None, false, |l, p| async move { over_8_too_complex(l, p) })
            .map(|r| r.unwrap())
            .concat()
            .await;
        assert_eq!(halved, (0..50).collect::<Vec<_>>());
        let failed: Vec<Result<Vec<u32>, Error>> = pages_ahead(10, 0, 4, None, false, |_, p| async move {
            if p == 2 {
                Err(Error::Unauthorized { message: "x".into(), request_id: None })
            } else {
                Ok((0..10).collect())
            }
        })
        .collect()
        .await;
        assert_eq!(failed.len(), 2, "the page before the error, then the error, then nothing");
        assert!(failed[1].is_err());
    }

    #[tokio::test]
    async fn an_error_ends_the_stream() {
        let got: Vec<Result<Vec<u32>, Error>> = pages(10, 0, |_, p| async move {
            if p == 2 {
                Err(Error::Unauthorized { message: "x".into(), request_id: None })
            } else {
                Ok((0..10).collect())
            }
        })
        .collect()
        .await;
        assert_eq!(got.len(), 2);
        assert!(got[1].is_err());
    }
}
