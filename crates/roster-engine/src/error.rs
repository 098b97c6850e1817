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
    #[error("a sync of account {account:?} is already running ({holder}{}): wait for it to finish (`roster syncs` shows it); two syncs at once would record every change twice", .until.map(|t| format!(", lease until {}", t.format("%H:%M:%S UTC"))).unwrap_or_default())]
    Busy { account: String, holder: String, until: Option<chrono::DateTime<chrono::Utc>> },
    #[error("the sync of account {account:?} lost its lease (another worker took it over after it expired); the next sync resumes from the checkpoint")]
    LeaseLost { account: String },
}
