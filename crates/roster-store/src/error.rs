//! Store errors: each says what happened and what to do.

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the store at {path}: {detail}. {hint}")]
    /// The store could not be opened or created.
    Open {
        /// The file or URL (its password removed).
        path: String,
        /// What the database said.
        detail: String,
        /// What to do.
        hint: &'static str,
    },
    #[error("cannot update the store's schema: {0}. Is this a store of a newer Roster?")]
    /// The store's schema could not be brought up to date.
    Migrate(String),
    #[error("store query failed ({context}): {detail}")]
    /// A query failed.
    Query {
        /// What the query was for.
        context: &'static str,
        /// What the database said.
        detail: String,
    },
    #[error("the store holds a value Roster cannot read ({0}); the store may be damaged")]
    /// A stored value cannot be read back.
    Corrupt(String),
    #[error("{0}")]
    /// What was asked for is not in the store (the message names it).
    NotFound(String),
}

impl StoreError {
    pub(crate) fn query(context: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
        move |e| StoreError::Query { context, detail: e.to_string() }
    }
}
