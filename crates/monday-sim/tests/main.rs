//! All of this crate's integration tests, in one binary: each test file is a module here.
//! One binary instead of one per file links once and keeps target/ small (each test binary
//! links every dependency, about 70–100 MB apiece), which CI machines with little disk need.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod common;

mod cli_serve_and_dump;
mod complexity_budget;
mod custom_roles;
mod error_shapes;
mod every_field_answers;
mod fault_injection;
mod filters;
mod fuzz_scim;
mod mutations;
mod paging_matches_dump;
mod real_client_shapes;
mod scim;
