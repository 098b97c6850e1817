//! Engine errors, each naming the step that failed.

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("reading {part} from monday.com failed: {source}")]
    /// Reading from monday.com failed.
    Api {
        /// The part being read (`users`, `boards`, ...).
        part: &'static str,
        /// monday.com's error.
        #[source]
        source: monday_api::Error,
    },
    #[error("writing to the store failed: {0}")]
    /// Writing to the store failed.
    Store(#[from] roster_store::StoreError),
    #[error("a sync of account {account:?} is already running ({holder}{}): wait for it to finish (`roster syncs` shows it); two syncs at once would record every change twice", .until.map(|t| format!(", lease until {}", t.format("%H:%M:%S UTC"))).unwrap_or_default())]
    /// Another sync of the account holds its lease.
    Busy {
        /// The account.
        account: String,
        /// The worker holding the lease.
        holder: String,
        /// When its lease ends, when known.
        until: Option<chrono::DateTime<chrono::Utc>>,
    },
    #[error("the sync of account {account:?} lost its lease (another worker took it over after it expired); the next sync resumes from the checkpoint")]
    /// Another worker took the sync over after this one's lease expired.
    LeaseLost {
        /// The account.
        account: String,
    },
}
