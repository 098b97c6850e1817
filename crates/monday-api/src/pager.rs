//! Page-by-page streams: pages start at 1, a short page ends the list, and a page refused as
//! too complex for one query is fetched again in halves.

use std::future::Future;

use futures::Stream;

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
pub(crate) fn pages<T, F, Fut>(limit: u32, offset: u64, fetch: F) -> impl Stream<Item = Result<Vec<T>, Error>>
where
    F: FnMut(u32, u32) -> Fut,
    Fut: Future<Output = Result<Vec<T>, Error>>,
{
    struct S<F> {
        fetch: F,
        limit: u32,
        offset: u64,
        done: bool,
    }
    let limit = limit.max(1);
    let aligned = if offset % limit as u64 == 0 { limit } else { gcd(limit, (offset % limit as u64) as u32).max(1) };
    futures::stream::unfold(S { fetch, limit: aligned, offset, done: false }, |mut s| async move {
        if s.done {
            return None;
        }
        loop {
            let page = (s.offset / s.limit as u64) as u32 + 1;
            match (s.fetch)(s.limit, page).await {
                Ok(items) => {
                    s.offset += items.len() as u64;
                    s.done = items.len() < s.limit as usize;
                    if items.is_empty() {
                        return None;
                    }
                    return Some((Ok(items), s));
                }
                Err(Error::QueryTooComplex { .. }) if s.limit > 1 => {
                    // Half the page, keeping page boundaries aligned with what was read.
                    let half = s.limit / 2;
                    s.limit = if s.offset == 0 { half } else { gcd(half, (s.offset % u32::MAX as u64) as u32).max(1) };
                    tracing::info!(limit = s.limit, "page too complex for one query; asking for smaller pages");
                }
                Err(e) => {
                    s.done = true;
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

    #[tokio::test]
    async fn too_complex_pages_are_halved_without_gaps_or_repeats() {
        // Pages over 8 items are refused.
        let got: Vec<u32> = pages(30, 0, |l, p| async move {
            if l > 8 {
                Err(Error::QueryTooComplex { complexity: None, limit: None, request_id: None })
            } else {
                Ok(items(50, l, p))
            }
        })
        .map(|r| r.unwrap())
        .concat()
        .await;
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
