//! # roster-core
//!
//! Roster's domain model, modelled on ConductorOne's baton so a c1z export is a mapping:
//! resource types, resources, entitlements (`type:id:slug`), grants (who holds an
//! entitlement, directly or through a team), the records a sync stores, and the events a diff
//! between two snapshots produces; and the rules every change follows: actions and their full
//! effect (`effect`), the mass-change guard, four-eyes approval (`approval`), review
//! remediation (`review`), SCIM planning (`scim_plan`), the states of plans, campaigns, items
//! and JIT grants, each with one string form. Pure code: no I/O, no clock, no async.

pub mod action;
pub mod approval;
pub mod change;
pub mod csv_safe;
pub mod effect;
pub mod entitlement;
pub mod events;
pub mod jit;
pub mod records;
pub mod retention;
pub mod review;
pub mod scim_plan;
pub mod sod;
pub mod when;

pub use action::{Action, ActionError, Guard, MassChange};
pub use approval::{ApprovalPolicy, PlanKind, PlanStatus, Refusal, Require};
pub use change::{Change, Outcome};
pub use entitlement::{Entitlement, EntitlementError, Grant, GrantSource, Principal, PrincipalType, ResourceType};
pub use events::{Event, EventKind};
pub use jit::JitStatus;
pub use records::{
    AccountRecord, DepartmentSeats, ResourceRecord, Role, ServiceUserToken, UserField, UserRecord, UserStatus,
    USER_COLUMNS,
};
