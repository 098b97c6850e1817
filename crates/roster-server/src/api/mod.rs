//! The HTTP API under `/api/v1`, one module per area, each with its own `router()`; `lib.rs`
//! assembles them (and the OpenAPI document with them). Handlers are thin: they take typed
//! input (extractors), call the store or the engine, and answer a view; errors map to statuses
//! once, in `error.rs`. Nothing below imports from here.

pub mod changes;
pub mod export;
pub mod health;
pub mod history;
pub mod inventory;
pub mod jit;
pub mod reviews;
