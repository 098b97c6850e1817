//! Id listings, several pages a request: the documents that list ids alias one list field
//! eight times (`p1`..`p8`, each asked only when its flag is set), so a listing of thousands
//! of boards costs one request, not one per page. Pages of ids are cheap (500 ids: 5,000
//! points), requests are not (each one counts against the per-minute call limits and waits a
//! round trip), and the pages asked together are read from one state of the account.

use std::future::Future;

use crate::client::malformed;
use crate::error::Error;

/// Ids a page (monday.com's largest page of boards and workspaces [INF]).
pub(crate) const PAGE: u32 = 500;
/// Most pages asked in one request: the aliases of the id documents.
pub(crate) const PAGES_TOGETHER: u32 = 8;
/// Longest listing believed: a server whose pages never end is answering wrongly.
const MAX_IDS: usize = 10_000_000;

/// The page number and whether it is asked, for each alias of a request that asks `count`
/// pages from `first` on.
pub(crate) fn aliases(first: u32, count: u32) -> [(i64, bool); PAGES_TOGETHER as usize] {
    std::array::from_fn(|i| (i64::from(first) + i as i64, (i as u32) < count))
}

/// A document's variables (`$ty { field: value, .. }`) with its eight page aliases (`p1`, `on1`,
/// .. `p8`, `on8`) asking `count` pages from `first` on.
macro_rules! with_pages {
    ($ty:path { $($field:ident: $value:expr),* $(,)? }, $first:expr, $count:expr) => {{
        let [(p1, on1), (p2, on2), (p3, on3), (p4, on4), (p5, on5), (p6, on6), (p7, on7), (p8, on8)] =
            $crate::ids::aliases($first, $count);
        $ty { $($field: $value,)* p1, on1, p2, on2, p3, on3, p4, on4, p5, on5, p6, on6, p7, on7, p8, on8 }
    }};
}
pub(crate) use with_pages;

/// The ids of one page as a document answers it (`None`: no list, an empty page).
pub(crate) fn parsed<T, I: AsRef<str>>(
    page: Option<Vec<Option<T>>>,
    id: impl Fn(T) -> I,
    what: &str,
) -> Result<Vec<u64>, Error> {
    page.unwrap_or_default().into_iter().flatten().map(|x| crate::client::parse_id(id(x).as_ref(), what)).collect()
}

/// How many pages the first request of a listing asks: the pages a list of the `expected`
/// length needs to show where it ends (one short page; none past it), or `unknown` when the
/// length is unknown.
pub(crate) fn first_count(page_size: u32, expected: Option<u64>, unknown: u32) -> u32 {
    let count = expected.map_or(unknown, |n| u32::try_from(n / u64::from(page_size.max(1)) + 1).unwrap_or(u32::MAX));
    count.clamp(1, PAGES_TOGETHER)
}

/// The first request's pages of a board listing of unknown length: accounts' boards run to
/// thousands, so two pages save a request more often than the second is empty.
pub(crate) const BOARDS_UNKNOWN: u32 = 2;
/// The same for workspaces: an account has tens to hundreds [INF], and an empty second page
/// costs 5,000 points for nothing.
pub(crate) const WORKSPACES_UNKNOWN: u32 = 1;

/// Every id of a list, `page_size` a page, from `fetch(first_page, count)` answering the pages
/// asked in order: the first request asks [`first_count`] pages (`unknown` if no length is
/// expected), each later one twice as many as the one before, up to [`PAGES_TOGETHER`]. The
/// list ends at its first short page.
pub(crate) async fn listed<F, Fut>(
    page_size: u32,
    expected: Option<u64>,
    unknown: u32,
    mut fetch: F,
) -> Result<Vec<u64>, Error>
where
    F: FnMut(u32, u32) -> Fut,
    Fut: Future<Output = Result<Vec<Vec<u64>>, Error>>,
{
    let count = first_count(page_size, expected, unknown);
    let first = fetch(1, count).await?;
    rest(page_size, first, count, fetch).await
}

/// The same, from the first `asked` pages already read (`pages`): the rest of the list is asked
/// from `fetch` if they did not show its end.
pub(crate) async fn rest<F, Fut>(
    page_size: u32,
    pages: Vec<Vec<u64>>,
    asked: u32,
    mut fetch: F,
) -> Result<Vec<u64>, Error>
where
    F: FnMut(u32, u32) -> Fut,
    Fut: Future<Output = Result<Vec<Vec<u64>>, Error>>,
{
    let size = page_size.max(1);
    let (mut pages, mut count, mut first) = (pages, asked.clamp(1, PAGES_TOGETHER), 1u32);
    let mut ids = Vec::new();
    loop {
        for page in pages.into_iter().take(count as usize) {
            let short = page.len() < size as usize;
            ids.extend(page);
            if short {
                return Ok(ids);
            }
        }
        if ids.len() > MAX_IDS {
            return Err(malformed("id listing", format!("more than {MAX_IDS} ids: the pages never end")));
        }
        first = first
            .checked_add(count)
            .ok_or_else(|| malformed("id listing", "the page number overflowed: the pages never end"))?;
        // Twice the last request's pages: a list of 2,000 boards past two full pages needs
        // three more (the third short), and eight at once charged five empty pages, 25,000
        // points; a list that keeps going reaches eight a request after a request or two.
        count = count.saturating_mul(2).min(PAGES_TOGETHER);
        pages = fetch(first, count).await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Lists `n` ids in pages of 10 and records each request's (first page, count).
    async fn list(n: u64, expected: Option<u64>) -> (Vec<u64>, Vec<(u32, u32)>) {
        let asked = Mutex::new(vec![]);
        let ids = listed(10, expected, 2, |first, count| {
            asked.lock().unwrap().push((first, count));
            async move {
                Ok((first..first + count)
                    .map(|p| {
                        let start = u64::from(p - 1) * 10;
                        (start..(start + 10).min(n)).map(|i| i + 1).collect()
                    })
                    .collect())
            }
        })
        .await
        .unwrap();
        (ids, asked.into_inner().unwrap())
    }

    #[tokio::test]
    async fn a_list_of_the_expected_length_is_one_request() {
        for n in [0, 1, 9, 10, 11, 40, 69, 70] {
            let (ids, asked) = list(n, Some(n)).await;
            assert_eq!(ids, (1..=n).collect::<Vec<_>>(), "{n}");
            assert_eq!(asked, vec![(1, (n / 10 + 1) as u32)], "{n}: the pages to its end and no more");
        }
    }

    #[tokio::test]
    async fn longer_unknown_or_grown_lists_are_read_whole() {
        for (n, expected) in [(0, None), (25, None), (200, None), (55, Some(30)), (3, Some(100)), (500, Some(80))] {
            let (ids, asked) = list(n, expected).await;
            assert_eq!(ids, (1..=n).collect::<Vec<_>>(), "{n} {expected:?}");
            let pages: u32 = asked.iter().map(|a| a.1).sum();
            assert!(pages <= n as u32 / 10 + 1 + PAGES_TOGETHER, "{n}: {asked:?}");
            assert!(asked.windows(2).all(|w| w[1].0 == w[0].0 + w[0].1), "consecutive: {asked:?}");
        }
        let (_, asked) = list(200, None).await;
        assert_eq!(asked, vec![(1, 2), (3, 4), (7, 8), (15, 8)], "doubling to eight pages a request");
    }

    #[tokio::test]
    async fn pages_that_never_end_are_an_error_not_a_loop() {
        let e =
            listed(
                1000,
                None,
                1,
                |first, count| async move { Ok((first..first + count).map(|_| vec![7; 1000]).collect()) },
            )
            .await
            .unwrap_err();
        assert!(e.to_string().contains("never end"), "{e}");
    }

    #[test]
    fn aliases_ask_consecutive_pages() {
        let a = aliases(3, 2);
        assert_eq!(a[0], (3, true));
        assert_eq!(a[1], (4, true));
        assert_eq!(a[2], (5, false));
    }
}
