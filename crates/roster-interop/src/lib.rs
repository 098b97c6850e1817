//! # roster-interop
//!
//! Roster's data in the formats other tools read: snapshots as baton's `.c1z` files
//! (ConductorOne's `baton resources`, `baton grants`, `baton diff`), and identity changes and
//! monday.com's audit log as OCSF 1.1 events for a SIEM (`ocsf`). The key decision: the protobuf types are
//! generated from a `.proto` file with baton's package, names and field numbers (prost), never
//! laid out by hand, so a field baton adds or renumbers is one edit in one file.
//!
//! Not for: reading c1z files from others, or talking to monday.com.

pub mod c1z;
pub mod ocsf;

/// baton's `c1.connector.v2` messages, generated from `proto/baton.proto`.
#[allow(missing_docs, clippy::all)]
pub mod pb {
    include!(concat!(env!("OUT_DIR"), "/c1.connector.v2.rs"));
}
