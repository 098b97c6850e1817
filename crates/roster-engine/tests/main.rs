//! All of this crate's integration tests, in one binary: each test file is a module here.
//! One binary instead of one per file links once and keeps target/ small (each test binary
//! links every dependency, about 70–100 MB apiece), which CI machines with little disk need.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod common;
mod custom_roles;
mod user_kinds;

mod access_review;
mod audit_log;
mod delta_storage;
mod departments;
mod diff_names_the_changes;
mod effects_are_exact;
mod four_eyes;
mod fuzz_source;
mod jit_access;
mod lists_that_change_while_paged;
mod names_read_once;
mod one_sync_at_a_time;
mod provisioning;
mod reports_match_the_org;
mod scim_reconcile;
mod sod_after_sync;
mod sync_matches_ground_truth;
