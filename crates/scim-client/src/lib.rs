//! # scim-client
//!
//! A SCIM 2.0 client (RFC 7643/7644) for Users and Groups: create, get, list (every page, with
//! 1-based `startIndex`), filter, replace, patch, delete; typed errors from RFC 7644 error
//! bodies; retries on 429 and 5xx. Models are the `scim_v2` crate's. monday.com's quirks it
//! knows: lists show only SCIM-provisioned resources unless asked (`scim_provisioned_only`),
//! `userType` is a top-level attribute, and `active`/`userType` change only through PATCH.
//!
//! It shares no code with monday-sim's SCIM server, and is tested against an outside one.

mod client;
mod error;

pub use client::{ops, ScimClient, ScimConfig, ScimToken};
pub use error::ScimError;
pub use scim_v2::models::group::{Group, Member};
pub use scim_v2::models::others::{ListResponse, OperationTarget, PatchOp, PatchOperation};
pub use scim_v2::models::user::User;
