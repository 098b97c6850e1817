//! SHA-256 as hex: evidence rows, files and manifests, and SoD rule fingerprints.

use sha2::{Digest, Sha256};

/// The SHA-256 of `bytes`, as lower-case hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
