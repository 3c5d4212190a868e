//! Wall-clock times shown to the user ("retrying until 14:05") in their own time zone.
//!
//! The `time` crate reads the local UTC offset only while the process has a single thread (on Unix, reading
//! the zone is not thread-safe), so `main` calls [`init`] first thing; without it, times show in UTC.

use std::sync::OnceLock;

use time::{OffsetDateTime, UtcOffset};

static LOCAL_OFFSET: OnceLock<Option<UtcOffset>> = OnceLock::new();

/// Reads the local offset once, before any thread starts.
pub fn init() {
    LOCAL_OFFSET.get_or_init(|| UtcOffset::current_local_offset().ok());
}

/// `HH:MM` of a Unix time in milliseconds, local when the offset is known, else with " UTC".
pub fn hh_mm(unix_ms: i64) -> String {
    let Ok(at) = OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000) else {
        return "?".into();
    };
    match LOCAL_OFFSET.get().copied().flatten() {
        Some(offset) => {
            let local = at.to_offset(offset);
            format!("{:02}:{:02}", local.hour(), local.minute())
        }
        None => format!("{:02}:{:02} UTC", at.hour(), at.minute()),
    }
}

/// `YYYY-MM-DD HH:MM` of a Unix time in milliseconds, local when the offset is known (a list's date column).
pub fn date_time(unix_ms: i64) -> String {
    let (year, month, day) = local_date_of(unix_ms);
    format!("{year}-{month:02}-{day:02} {}", hh_mm(unix_ms))
}

/// Unix milliseconds at the start of `date` (`YYYY-MM-DD`), in the local time zone when it is known.
pub fn start_of_day(date: &str) -> Result<i64, String> {
    let bad = || format!("`{date}` is not a date like 2026-12-01");
    let mut parts = date.trim().splitn(3, '-');
    let mut number = || parts.next().and_then(|p| p.parse::<i32>().ok());
    let (Some(year), Some(month), Some(day)) = (number(), number(), number()) else {
        return Err(bad());
    };
    let month = u8::try_from(month).map_err(|_| bad())?;
    let day = u8::try_from(day).map_err(|_| bad())?;
    start_of_date(year, month, day).ok_or_else(bad)
}

/// Unix milliseconds at the start of a calendar day (month 1–12) in the local zone; `None` for no such day.
pub fn start_of_date(year: i32, month: u8, day: u8) -> Option<i64> {
    let month = time::Month::try_from(month).ok()?;
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    Some(midnight_ms(date))
}

/// The local calendar day (year, month 1–12, day) that `unix_ms` falls in.
pub fn local_date_of(unix_ms: i64) -> (i32, u8, u8) {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(local_offset());
    (at.year(), u8::from(at.month()), at.day())
}

/// Unix milliseconds at the start of the (local) day that `unix_ms` falls in.
pub fn start_of_day_of(unix_ms: i64) -> i64 {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000)
        .map(|at| midnight_ms(at.to_offset(local_offset()).date()))
        .unwrap_or(unix_ms)
}

/// Seconds east of UTC of the local zone (0 when it is not known): the day a job was made, as SQL reads it.
pub fn local_offset_seconds() -> i64 {
    i64::from(local_offset().whole_seconds())
}

/// How a day heading reads, seen from `now_ms`: "Today", "Yesterday", else "Monday 30 November 2026".
/// `day` is `YYYY-MM-DD`; one that is not reads as it is.
pub fn day_heading(day: &str, now_ms: i64) -> String {
    let Ok(start) = start_of_day(day) else {
        return day.to_owned();
    };
    let today = start_of_day_of(now_ms);
    if start == today {
        return "Today".into();
    }
    if start == start_of_day_of(today - 1) {
        return "Yesterday".into();
    }
    let date = OffsetDateTime::from_unix_timestamp(start / 1000)
        .map(|at| at.to_offset(local_offset()).date());
    match date {
        Ok(date) => format!(
            "{} {} {} {}",
            date.weekday(),
            date.day(),
            date.month(),
            date.year()
        ),
        Err(_) => day.to_owned(),
    }
}

/// The local offset, or UTC when it is not known.
fn local_offset() -> UtcOffset {
    LOCAL_OFFSET
        .get()
        .copied()
        .flatten()
        .unwrap_or(UtcOffset::UTC)
}

/// Unix milliseconds at the start of `date` in the local zone.
fn midnight_ms(date: time::Date) -> i64 {
    date.midnight()
        .assume_offset(local_offset())
        .unix_timestamp()
        * 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_headings_say_today_yesterday_or_the_whole_date() {
        // Without init() the zone is UTC. 2026-12-02 10:00 UTC.
        let now = 1_796_205_600_000;
        assert_eq!(day_heading("2026-12-02", now), "Today");
        assert_eq!(day_heading("2026-12-01", now), "Yesterday");
        assert_eq!(day_heading("2026-11-30", now), "Monday 30 November 2026");
        assert_eq!(day_heading("not a day", now), "not a day");
    }

    #[test]
    fn a_date_is_the_start_of_its_day_and_anything_else_is_refused() {
        // Without init() the offset is unknown: UTC.
        assert_eq!(start_of_day("2026-12-01"), Ok(1_796_083_200_000));
        for bad in ["", "2026-13-01", "2026-02-30", "yesterday", "2026/12/01"] {
            assert!(start_of_day(bad).is_err(), "{bad}");
        }
        // 09:05 on that day starts at its midnight.
        assert_eq!(start_of_day_of(1_796_115_930_000), 1_796_083_200_000);
    }

    #[test]
    fn times_are_hours_and_minutes() {
        // 2026-12-01 09:05:30 UTC; without init() the offset is unknown and UTC is said.
        assert_eq!(hh_mm(1_796_115_930_000), "09:05 UTC");
    }
}
