//! A few items on every board, with a board's usual columns (status, owner, due date), made
//! from the board itself when asked: nothing is stored, so a 20,000-board account costs no
//! memory for them, and the same board always has the same items.
//!
//! Items are not access data (Roster never reads them); they are here so that clients written
//! for monday.com (Airbyte's items stream, the SDKs' `getBoardItemsOp`) read what they expect.

use chrono::{DateTime, Duration, Utc};

use crate::model::Board;

/// One column of every board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnDef {
    /// Its id.
    pub id: &'static str,
    /// Its title.
    pub title: &'static str,
    /// Its `ColumnType`.
    pub kind: &'static str,
}

/// The columns every board has, in order (`name` is the item's name).
pub const COLUMNS: [ColumnDef; 4] = [
    ColumnDef { id: "name", title: "Name", kind: "name" },
    ColumnDef { id: "status", title: "Status", kind: "status" },
    ColumnDef { id: "person", title: "Owner", kind: "people" },
    ColumnDef { id: "date4", title: "Due date", kind: "date" },
];

/// The status labels, by index.
pub const STATUS_LABELS: [&str; 3] = ["Working on it", "Done", "Stuck"];

/// One item, as made from its board.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// Its id.
    pub id: u64,
    /// Its board's id.
    pub board_id: u64,
    /// Its name.
    pub name: String,
    /// Its status label index.
    pub status: usize,
    /// Its owner (a subscriber of the board), if the board has one.
    pub owner: Option<u64>,
    /// Its due date.
    pub due: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Who created it.
    pub creator_id: u64,
}

/// How many items a board has: 1 to 5, by its id.
pub fn count(board: &Board) -> usize {
    (board.id % 5) as usize + 1
}

/// Item `k` (0-based) of `board`.
pub fn item(board: &Board, k: usize) -> Item {
    let owner = if board.subscribers.is_empty() { None } else { Some(board.subscribers[k % board.subscribers.len()]) };
    let created_at = board.created_at + Duration::hours(k as i64 + 1);
    Item {
        id: board.id * 8 + k as u64,
        board_id: board.id,
        name: format!("Task {}", k + 1),
        status: (board.id as usize + k) % STATUS_LABELS.len(),
        owner,
        due: (created_at + Duration::days(14)).format("%Y-%m-%d").to_string(),
        created_at,
        creator_id: board.creator_id,
    }
}

/// The board an item id belongs to.
pub fn board_of(item_id: u64) -> (u64, usize) {
    (item_id / 8, (item_id % 8) as usize)
}
