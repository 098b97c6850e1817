//! Boards' activity logs: the membership changes made through monday-sim's own mutations
//! (users and teams subscribed or unsubscribed, owners added), recorded as they happen at the
//! sim's clock. Event names and the data's keys are inferred [INF]; the shape (`entity`,
//! `event`, `data` as JSON text, `created_at` in 100-nanosecond units) is monday.com's.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One activity log entry of a board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityEntry {
    /// The entry's id (its position in the log, from 1).
    pub id: u64,
    /// The board.
    pub board_id: u64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What happened: `subscribe`, `unsubscribe`, `add_owner`, `subscribe_team`,
    /// `unsubscribe_team` [INF].
    pub event: String,
    /// Who did it.
    pub user_id: u64,
    /// What it was about.
    pub data: serde_json::Value,
}

impl ActivityEntry {
    /// `created_at` as monday.com writes it: a 17-digit count of 100-nanosecond units.
    pub fn created_at(&self) -> String {
        (self.at.timestamp_micros() * 10).to_string()
    }
}
