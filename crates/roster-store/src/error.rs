//! Store errors: each says what happened and what to do.

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the store at {path}: {detail}. {hint}")]
    Open { path: String, detail: String, hint: &'static str },
    #[error("cannot update the store's schema: {0}. Is this a store of a newer Roster?")]
    Migrate(String),
    #[error("store query failed ({context}): {detail}")]
    Query { context: &'static str, detail: String },
    #[error("the store holds a value Roster cannot read ({0}); the store may be damaged")]
    Corrupt(String),
    #[error("{0}")]
    NotFound(String),
}

impl StoreError {
    pub(crate) fn query(context: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
        move |e| StoreError::Query { context, detail: e.to_string() }
    }
}
