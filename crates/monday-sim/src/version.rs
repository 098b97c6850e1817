//! API versions and how monday.com picks the one that answers a request.

/// The API versions monday-sim serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ApiVersion {
    /// Maintenance in November 2026: legacy user booleans beside `kind` and `status`.
    V2026_07,
    /// Current in November 2026: legacy user booleans removed.
    V2026_10,
}

/// The first dated API version.
const FIRST_RELEASE: &str = "2023-04";

impl ApiVersion {
    /// Every served version, oldest first.
    pub const ALL: [ApiVersion; 2] = [ApiVersion::V2026_07, ApiVersion::V2026_10];
    /// The version served when the request names none.
    pub const CURRENT: ApiVersion = ApiVersion::V2026_10;

    /// `YYYY-MM`.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V2026_07 => "2026-07",
            ApiVersion::V2026_10 => "2026-10",
        }
    }

    /// `(kind, display_name)` for the `version` query.
    pub fn kind(self) -> (&'static str, &'static str) {
        match self {
            ApiVersion::V2026_07 => ("maintenance", "Maintenance"),
            ApiVersion::V2026_10 => ("current", "Current"),
        }
    }

    /// Parses an exact served version name.
    pub fn parse(s: &str) -> Option<ApiVersion> {
        ApiVersion::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Why a version header was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Invalid API version: '{0}'. Versions look like YYYY-MM, for example 2026-10")]
pub struct InvalidVersion(pub String);

/// Picks the version that answers a request, as monday.com does: no header → current; a
/// deprecated (older) version → maintenance; a well-formed version that does not exist
/// (newer, or not a quarter) → current; a malformed value → `InvalidVersionException`.
pub fn resolve(header: Option<&str>) -> Result<ApiVersion, InvalidVersion> {
    let Some(raw) = header else { return Ok(ApiVersion::CURRENT) };
    let value = raw.trim();
    let bytes = value.as_bytes();
    let well_formed = bytes.len() == 7
        && bytes[4] == b'-'
        && bytes[..4].iter().chain(&bytes[5..]).all(u8::is_ascii_digit)
        && matches!(&value[5..], "01" | "02" | "03" | "04" | "05" | "06" | "07" | "08" | "09" | "10" | "11" | "12");
    if !well_formed {
        return Err(InvalidVersion(raw.to_string()));
    }
    if let Some(v) = ApiVersion::parse(value) {
        return Ok(v);
    }
    // Versions were released each quarter from 2023-04 on [INF: first dated version]; an older
    // one is deprecated and answered by the maintenance version. Anything else that is not served
    // (the release candidate, a future quarter, a month that was never a release) gets current.
    let quarter = matches!(&value[5..], "01" | "04" | "07" | "10");
    if quarter && value >= FIRST_RELEASE && value < ApiVersion::V2026_07.as_str() {
        Ok(ApiVersion::V2026_07)
    } else {
        Ok(ApiVersion::CURRENT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_versions_like_monday() {
        assert_eq!(resolve(None), Ok(ApiVersion::V2026_10));
        assert_eq!(resolve(Some("2026-07")), Ok(ApiVersion::V2026_07));
        assert_eq!(resolve(Some("2026-10")), Ok(ApiVersion::V2026_10));
        assert_eq!(resolve(Some("2024-01")), Ok(ApiVersion::V2026_07), "deprecated → maintenance");
        assert_eq!(resolve(Some("2030-04")), Ok(ApiVersion::V2026_10), "unknown → current");
        assert_eq!(resolve(Some("2027-01")), Ok(ApiVersion::V2026_10), "release candidate → current");
        assert_eq!(resolve(Some("2026-04")), Ok(ApiVersion::V2026_07));
        assert_eq!(resolve(Some("2025-05")), Ok(ApiVersion::V2026_10), "never released → current");
        assert_eq!(resolve(Some("2026-08")), Ok(ApiVersion::V2026_10), "not a release → current");
        for bad in ["2026-13", "26-10", "latest", "", "2026/10", "2026-1"] {
            assert!(resolve(Some(bad)).is_err(), "{bad}");
        }
    }
}
