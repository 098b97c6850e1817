//! All of this crate's integration tests, in one binary: each test file is a module here.
//! One binary instead of one per file links once and keeps target/ small (each test binary
//! links every dependency, about 70–100 MB apiece), which CI machines with little disk need.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod dialects_in_step;
mod review_counts;
mod store_suite;
mod team_access;
mod user_lists;
