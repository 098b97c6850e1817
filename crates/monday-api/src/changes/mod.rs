//! The changes Roster makes through monday.com's mutations, one file per entity. Each call
//! takes up to 200 ids (monday.com's batch limit) and reports which succeeded and which failed
//! with monday.com's reason; a call that fails as a whole returns the error.

mod boards;
mod teams;
mod users;
mod workspaces;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// One item monday.com refused inside a successful call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFailure {
    /// The user id (or e-mail) it is about.
    pub key: String,
    /// monday.com's code (`USER_NOT_FOUND`, `VIEWERS_OR_GUESTS`, ...).
    pub code: String,
    /// What monday.com said.
    pub message: String,
}

/// What a batch call did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchOutcome {
    /// Ids that were changed (or already were as asked).
    pub done: Vec<u64>,
    /// Ids monday.com refused, each with its reason.
    pub failed: Vec<ItemFailure>,
}

/// Most ids one call may carry.
pub const BATCH_LIMIT: usize = 200;

pub(crate) fn check_batch(n: usize) -> Result<(), Error> {
    if n == 0 || n > BATCH_LIMIT {
        return Err(Error::InvalidArgument {
            code: "EXCEEDS_BATCH_LIMIT".into(),
            message: format!("a call takes 1 to {BATCH_LIMIT} ids, got {n}"),
            request_id: None,
        });
    }
    Ok(())
}

pub(crate) fn strings(ids: &[u64]) -> Vec<String> {
    ids.iter().map(u64::to_string).collect()
}

pub(crate) fn ids_of<I: IntoIterator<Item = String>>(list: I, what: &str) -> Result<Vec<u64>, Error> {
    list.into_iter().map(|id| crate::client::parse_id(&id, what)).collect()
}

pub(crate) fn failure(key: Option<String>, code: String, message: Option<String>) -> ItemFailure {
    ItemFailure { key: key.unwrap_or_default(), code, message: message.unwrap_or_default() }
}

/// One item monday.com refused, with its error code as monday spells it (each mutation's
/// generated module has its own code enum, hence the generic).
pub(crate) fn refused<C: std::fmt::Debug>(
    key: Option<String>,
    code: Option<C>,
    message: Option<String>,
) -> ItemFailure {
    failure(key, code.map(|c| crate::gql_name(&c)).unwrap_or_default(), message)
}
