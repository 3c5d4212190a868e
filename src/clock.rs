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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_hours_and_minutes() {
        // 2026-12-01 09:05:30 UTC; without init() the offset is unknown and UTC is said.
        assert_eq!(hh_mm(1_796_115_930_000), "09:05 UTC");
    }
}
