//! # monday-api
//!
//! A typed, budget-aware client for monday.com's GraphQL API (versions 2026-10 and 2026-07):
//! the account, users, teams, workspaces and boards with everyone's memberships, as streams
//! of complete pages. It paces itself by the complexity budget monday.com reports, waits
//! exactly as long as monday.com says when a limit is hit, retries what retrying can fix, and
//! reads every error shape monday.com has used.
//!
//! It knows nothing of Roster's store or domain model, and shares no code with monday-sim.

mod account;
mod answer;
mod audit;
mod boards;
mod budget;
pub mod changes;
mod client;
pub mod config;
pub mod error;
mod ids;
mod metrics;
pub mod models;
mod nested;
mod pager;
pub mod queries;
mod teams;
mod users;
mod workspaces;

#[cfg(test)]
mod error_corpus;

pub use account::Listings;
pub use audit::{AuditEntry, AuditPage, MAX_AUDIT_PAGE};
pub use boards::BoardFilter;
pub use changes::{BatchOutcome, ItemFailure};
pub use client::{Client, ComplexityReport, ConfigError, Idempotency, KNOWN_LOOK_AHEAD};
pub use config::{ApiToken, ApiVersion, ClientConfig, RetryPolicy};
pub use error::Error;
pub use metrics::MetricsSnapshot;
pub use models::{
    Account, AccountOverview, AccountRole, Board, Department, Plan, Product, ServiceUser, Team, User, UserKind,
    UserStatus, Workspace,
};
pub use nested::{BoardList, ListLengths, WorkspaceList};
pub use pager::Length;
pub use users::{kind_with_fallback, status_with_fallback, LegacyFlags, UserFilter};
pub use workspaces::StateFilter;

/// The GraphQL name of a generated enum value (`Other("x")` for values the schema subset
/// does not list).
pub(crate) fn gql_name<T: std::fmt::Debug>(v: &T) -> String {
    let s = format!("{v:?}");
    s.strip_prefix("Other(\"").and_then(|r| r.strip_suffix("\")")).map_or(s.clone(), str::to_string)
}
