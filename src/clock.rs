//! Time as Switchboard sees it: UTC, formatted the way the contract shows it
//! (`YYYY-MM-DD HH:MM:SS`), from a clock that tests can move by hand.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use std::sync::{Arc, Mutex};

/// The contract's timestamp format; it sorts lexically in time order, which the
/// SQL relies on when it compares stored times as text.
pub const FORMAT: &str = "%Y-%m-%d %H:%M:%S";

#[derive(Clone, Default)]
pub struct Clock {
    fixed: Option<Arc<Mutex<DateTime<Utc>>>>,
}

impl Clock {
    /// The real wall clock.
    pub fn system() -> Self {
        Self { fixed: None }
    }

    /// A clock that stands still at `at` until [`Clock::advance`] moves it.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self { fixed: Some(Arc::new(Mutex::new(at))) }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.fixed {
            Some(at) => *at.lock().unwrap_or_else(|e| e.into_inner()),
            None => Utc::now(),
        }
    }

    /// Moves a fixed clock forward; the system clock ignores this.
    pub fn advance(&self, by: Duration) {
        if let Some(at) = &self.fixed {
            let mut at = at.lock().unwrap_or_else(|e| e.into_inner());
            *at += by;
        }
    }

    pub fn now_text(&self) -> String {
        format(self.now())
    }

    /// The time `seconds` ago, in the stored text format.
    pub fn ago_text(&self, seconds: u64) -> String {
        format(self.now() - Duration::seconds(seconds as i64))
    }
}

pub fn format(at: DateTime<Utc>) -> String {
    at.format(FORMAT).to_string()
}

/// Reads the contract's `YYYY-MM-DD HH:MM:SS`, or a bare `YYYY-MM-DD` meaning
/// the start of that day, and returns it normalised to the stored format.
pub fn parse_datetime(text: &str) -> Option<String> {
    let text = text.trim();
    if let Ok(at) = NaiveDateTime::parse_from_str(text, FORMAT) {
        return Some(at.format(FORMAT).to_string());
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.format(FORMAT).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_datetime_accepts_full_and_date_only_forms() {
        assert_eq!(parse_datetime("2020-05-13 13:35:59").as_deref(), Some("2020-05-13 13:35:59"));
        assert_eq!(parse_datetime("2020-05-13").as_deref(), Some("2020-05-13 00:00:00"));
        assert_eq!(parse_datetime("yesterday"), None);
        assert_eq!(parse_datetime("2020-13-01"), None);
    }

    #[test]
    fn fixed_clock_moves_only_when_advanced() {
        let start = DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").unwrap().with_timezone(&Utc);
        let clock = Clock::fixed(start);
        assert_eq!(clock.now_text(), "2024-01-01 00:00:00");
        clock.advance(Duration::seconds(61));
        assert_eq!(clock.now_text(), "2024-01-01 00:01:01");
        assert_eq!(clock.ago_text(60), "2024-01-01 00:00:01");
    }
}
