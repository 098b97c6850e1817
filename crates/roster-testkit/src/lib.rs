//! What every crate's integration tests share, written once: monday-sim started on an
//! ephemeral loopback port with a generated org ([`sim`]), a monday-api client pointed at it
//! with fast retries ([`client`]), raw GraphQL calls for tests of the emulator's answers
//! ([`gql`]), and a temporary folder removed on drop ([`dir`]).
//!
//! A dev-dependency only. Crates below it (monday-sim, monday-api) use it from their
//! integration tests, which link the same library build it does. Each crate's
//! `tests/common/mod.rs` keeps only what is its own (the server's keys, the engine's ground
//! truth, the CLI's config file).
//!
//! Test code: a failed `unwrap` is a failed test, so this crate may unwrap.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod client;
pub mod dir;
pub mod gql;
pub mod sim;

pub use client::{client, client_config};
pub use dir::Dir;
pub use sim::{org, start, start_with, ADMIN, GUEST, MEMBER};
