//! All of this crate's integration tests, in one binary: each test file is a module here.
//! One binary instead of one per file links once and keeps target/ small (each test binary
//! links every dependency, about 70–100 MB apiece), which CI machines with little disk need.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod common;

mod apply_after_kill;
mod cli_approval;
mod cli_bench;
mod cli_budget_wait;
mod cli_export;
mod cli_logins;
mod cli_retention;
mod cli_review;
mod cli_sync_and_inventory;
mod resume_after_kill;
mod two_workers;
