//! # monday-sim
//!
//! A high-fidelity emulator of monday.com's GraphQL API (`/v2`), for Roster's tests, demos and
//! benchmarks: real GraphQL parsing and validation against a hand-written subset of monday.com's
//! published schema (versions 2026-07 and 2026-10), monday's complexity budget and rate limits,
//! its error shapes, fault injection, and a deterministic generator of realistic accounts.
//!
//! It is not a client and shares no code with Roster's clients, so that one cannot hide the
//! other's bug. Control endpoints for tests live under `/_sim/`, never under `/v2`.

pub mod activity;
pub mod audit;
pub mod clock;
pub mod complexity;
mod control;
mod error_paths;
pub mod errors;
pub mod faults;
pub mod generator;
mod http;
pub mod items;
pub mod limits;
pub mod model;
pub mod schema;
pub mod scim;
mod server;
pub mod sim;
pub mod version;

pub use generator::{generate, GenConfig};
pub use model::{Org, World};
pub use server::{router, spawn, RunningSim};
pub use sim::{Sim, SimConfig, SimError, Stats};
pub use version::ApiVersion;
