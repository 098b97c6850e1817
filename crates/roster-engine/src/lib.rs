//! # roster-engine
//!
//! Turns a monday.com account into a complete, trustworthy access graph: syncs it page by
//! page into the store (checkpointed, resumable, never replacing the last good snapshot with a
//! partial one), expands team access into each member's access, and diffs each new snapshot
//! against the previous one into events. It also carries out every change: plans checked
//! against the snapshot, their full effect, the mass-change guard and four-eyes approval,
//! write-ahead outcomes resolved by the next sync (`provision`, `approval`); SCIM reconcile
//! (`scim`); access reviews with evidence (`review`); just-in-time access and its expiry
//! (`jit`); governance reports (`reports`) and separation-of-duties checks (`sod`).

pub mod approval;
pub mod audit_log;
mod diff;
mod digest;
mod error;
pub mod jit;
mod logins;
pub mod names;
pub mod provision;
pub mod reports;
pub mod retention;
pub mod review;
pub mod scim;
pub mod sod;
pub mod sync;
pub mod unmanaged;

pub use diff::events_between;
pub use error::SyncError;
pub use provision::{apply_plan, ApplyOptions, ApplyReport, Lost, ProvisionError, Status};
pub use sync::{
    holder_id, sync_account, sync_account_as, NoProgress, SyncLease, SyncOptions, SyncProgress, SyncReport,
};
