//! Engine errors, each naming the step that failed.

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("reading {part} from monday.com failed: {source}")]
    Api {
        part: &'static str,
        #[source]
        source: monday_api::Error,
    },
    #[error("writing to the store failed: {0}")]
    Store(#[from] roster_store::StoreError),
}
