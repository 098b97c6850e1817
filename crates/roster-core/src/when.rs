//! Times people write in configuration files and on the command line.

use chrono::{DateTime, NaiveDate, Utc};

/// A day (`2027-03-31`, meaning up to the end of that day, UTC) or an RFC 3339 time; `None`
/// when it is neither.
pub fn end_of_day_or_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        // The whole last day counts.
        return d.succ_opt()?.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    }
    DateTime::parse_from_rfc3339(s.trim()).ok().map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_run_to_their_end_and_times_are_exact() {
        assert_eq!(end_of_day_or_time("2027-03-31").unwrap().to_rfc3339(), "2027-04-01T00:00:00+00:00");
        assert_eq!(
            end_of_day_or_time(" 2027-03-31T10:00:00+02:00 ").unwrap().to_rfc3339(),
            "2027-03-31T08:00:00+00:00"
        );
        assert!(end_of_day_or_time("31/03/2027").is_none());
    }
}
