//! A build without the `parquet` feature: the same calls, refused with what to do.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// Why a Parquet file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ParquetError {
    /// This build has no Parquet writer.
    #[error("this roster was built without Parquet (the `parquet` cargo feature): rebuild with `cargo build --release --features parquet`, or use a file, stdout or http sink")]
    NotBuilt,
}

/// One Parquet file written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// Where.
    pub path: PathBuf,
    /// The OCSF class of its events.
    pub class: u32,
    /// Their day, `YYYYMMDD`.
    pub day: String,
    /// How many.
    pub events: usize,
    /// Its size.
    pub bytes: u64,
}

/// Refused: this build has no Parquet writer.
pub fn write_partitioned(_dir: &Path, _stem: &str, _events: &[Value]) -> Result<Vec<Written>, ParquetError> {
    Err(ParquetError::NotBuilt)
}
