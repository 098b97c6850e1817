//! Times people write in configuration files and on the command line.

use chrono::{DateTime, NaiveDate, Utc};

/// A day (`2027-03-31`, meaning up to the end of that day, UTC) or an RFC 3339 time; `None`
/// when it is neither.
pub fn end_of_day_or_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        // The whole day counts, and it is shown as that day (23:59), not as the next one.
        return d.and_hms_milli_opt(23, 59, 59, 999).map(|t| t.and_utc());
    }
    DateTime::parse_from_rfc3339(s.trim()).ok().map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_run_to_their_end_and_times_are_exact() {
        assert_eq!(end_of_day_or_time("2027-03-31").unwrap().to_rfc3339(), "2027-03-31T23:59:59.999+00:00");
        assert_eq!(end_of_day_or_time("2026-12-31").unwrap().format("%Y-%m-%d %H:%M").to_string(), "2026-12-31 23:59");
        assert_eq!(
            end_of_day_or_time(" 2027-03-31T10:00:00+02:00 ").unwrap().to_rfc3339(),
            "2027-03-31T08:00:00+00:00"
        );
        assert!(end_of_day_or_time("31/03/2027").is_none());
    }
}

/// The most days a "for N days" input may say (100 years): larger numbers are refused with a
/// message naming them, never turned into a time before the calendar begins.
pub const MAX_DAYS: i64 = 36_500;

/// Checks a day count from outside (`inactive_days`, `--days`): 1 to [`MAX_DAYS`].
pub fn check_days(what: &str, days: i64) -> Result<i64, String> {
    if (1..=MAX_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(format!("{what} is {days}: use a number of days from 1 to {MAX_DAYS}"))
    }
}

/// `now` minus `days`, never panicking: past the calendar's start it is the start.
pub fn days_before(now: chrono::DateTime<chrono::Utc>, days: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::Duration::try_days(days)
        .and_then(|d| now.checked_sub_signed(d))
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC)
}

#[cfg(test)]
mod day_bounds {
    use super::*;

    #[test]
    fn day_counts_are_bounded_and_never_panic() {
        assert_eq!(check_days("inactive_days", 90), Ok(90));
        for bad in [0, -1, 36_501, 200_000_000_000, i64::MIN, i64::MAX] {
            let e = check_days("inactive_days", bad).unwrap_err();
            assert!(e.contains("inactive_days") && e.contains("36500"), "{e}");
        }
        let now = chrono::Utc::now();
        assert_eq!(days_before(now, i64::MAX), chrono::DateTime::<chrono::Utc>::MIN_UTC);
        assert_eq!(days_before(now, i64::MIN), chrono::DateTime::<chrono::Utc>::MIN_UTC);
        assert_eq!(days_before(now, 1), now - chrono::Duration::days(1));
    }
}
