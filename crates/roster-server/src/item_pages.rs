//! Where a page of a campaign's items starts when an offset is typed (the inbox's address
//! bar, the API's `offset`): from the nearest seek point at or before it, so page 2,000 of a
//! reviewer's 116,000 items costs what page 1 does instead of stepping over every item
//! before it. The "next" and "previous" links seek already and need none of this.
//!
//! A launched campaign's items are frozen and never deleted; only a reassignment moves one
//! from a reviewer's list to another's, and a trigger counts those in the campaign's
//! `items_moved`. Seek points are remembered per (campaign, reviewer, `items_moved`), so an
//! entry is exact for as long as it is used. Filters (undecided only, a signal) change with
//! every decision and keep stepping from the start.

use std::sync::Arc;

use roster_store::{ItemsFrom, ReviewCampaign};

use crate::error::ApiError;
use crate::reads::seek;
use crate::state::{AppState, ItemsKey};

/// Items between two seek points: a page at any offset steps over fewer than this many.
pub const ITEM_STRIDE: u64 = 1_000;
/// Lists remembered per worker before the map is emptied (an entry holds one number per
/// [`ITEM_STRIDE`] items).
const REMEMBERED: usize = 1_000;

/// Where the unfiltered page at `offset` of `reviewer`'s items (`None`: all of `c`'s) starts.
pub async fn from_offset(
    s: &AppState,
    c: &ReviewCampaign,
    reviewer: Option<&str>,
    offset: i64,
) -> Result<ItemsFrom, ApiError> {
    let at = offset.max(0) as u64;
    // A draft has no items yet, and a shallow offset steps over fewer than a stride anyway.
    if c.launched_ms.is_none() || at < ITEM_STRIDE {
        return Ok(ItemsFrom::Offset(offset));
    }
    let key: ItemsKey = (c.id, reviewer.map(str::to_string), c.items_moved);
    let anchors = match remembered(s, &key) {
        Some(a) => a,
        None => {
            let a = Arc::new(s.store.review_item_anchors(c.id, reviewer, ITEM_STRIDE as i64).await?);
            remember(s, key, Arc::clone(&a));
            a
        }
    };
    Ok(match seek(&anchors, ITEM_STRIDE, at) {
        (Some(&seq), rest) => ItemsFrom::AfterSkipping(seq, rest as i64),
        (None, rest) => ItemsFrom::Offset(rest as i64),
    })
}

fn remembered(s: &AppState, key: &ItemsKey) -> Option<Arc<Vec<i64>>> {
    s.item_anchors.lock().ok().and_then(|m| m.get(key).cloned())
}

fn remember(s: &AppState, key: ItemsKey, anchors: Arc<Vec<i64>>) {
    if let Ok(mut m) = s.item_anchors.lock() {
        if m.len() >= REMEMBERED {
            m.clear();
        }
        m.insert(key, anchors);
    }
}
