//! Report ranges: whole days on the caller's calendar (an IANA timezone), each
//! turned into the UTC interval it covers. Stored times are UTC text, so the SQL
//! compares text against these bounds, and a day follows the caller's midnight
//! and daylight-saving changes (a day can last 23 or 25 hours).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The longest range a report covers: about ten years of days.
pub const MAX_DAYS: i64 = 3660;

/// One local day and the UTC interval `[start, end)` it covers, in the stored format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    pub date: NaiveDate,
    pub start: String,
    pub end: String,
}

impl Day {
    /// How the contract labels a day: `dd/mm/yyyy`.
    pub fn label(&self) -> String {
        self.date.format("%d/%m/%Y").to_string()
    }
}

/// Consecutive local days, first to last inclusive; never empty.
#[derive(Debug, Clone)]
pub struct DayRange {
    days: Vec<Day>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeError {
    /// The first day is after the last.
    Reversed,
    /// More than [`MAX_DAYS`] days.
    TooLong,
}

impl DayRange {
    pub fn new(first: NaiveDate, last: NaiveDate, tz: Tz) -> Result<Self, RangeError> {
        if first > last {
            return Err(RangeError::Reversed);
        }
        if (last - first).num_days() >= MAX_DAYS {
            return Err(RangeError::TooLong);
        }
        let mut days = Vec::new();
        let mut start = day_start(tz, first);
        for date in first.iter_days().take_while(|date| *date <= last) {
            let end = day_start(tz, date.succ_opt().ok_or(RangeError::TooLong)?);
            days.push(Day { date, start: crate::clock::format(start), end: crate::clock::format(end) });
            start = end;
        }
        Ok(Self { days })
    }

    /// The `count` days that end with `last`.
    pub fn ending(last: NaiveDate, count: i64, tz: Tz) -> Result<Self, RangeError> {
        Self::new(last - Duration::days(count - 1), last, tz)
    }

    pub fn days(&self) -> &[Day] {
        &self.days
    }

    /// UTC start of the first day.
    pub fn start(&self) -> &str {
        &self.days[0].start
    }

    /// UTC end (exclusive) of the last day.
    pub fn end(&self) -> &str {
        &self.days[self.days.len() - 1].end
    }
}

/// The first instant of `date` in `tz`. Where clocks jump forward at midnight,
/// midnight does not exist and the day starts at the first local time that does.
fn day_start(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_time(NaiveTime::MIN);
    (0..=180)
        .step_by(15)
        .find_map(|minutes| tz.from_local_datetime(&(midnight + Duration::minutes(minutes))).earliest())
        .map_or_else(|| midnight.and_utc(), |at| at.with_timezone(&Utc))
}

/// The contract's report dates: `dd/mm/yyyy` or `yyyy-mm-dd`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let date =
        NaiveDate::parse_from_str(text, "%d/%m/%Y").or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d")).ok()?;
    (1900..=9998).contains(&date.year()).then_some(date)
}

/// An IANA timezone name such as `Europe/London` (or `UTC`).
pub fn parse_timezone(text: &str) -> Option<Tz> {
    text.trim().parse().ok()
}

/// Today's date on the calendar of `tz`.
pub fn today(now: DateTime<Utc>, tz: Tz) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn parse_date_accepts_both_contract_formats() {
        assert_eq!(parse_date("13/05/2020"), Some(date(2020, 5, 13)));
        assert_eq!(parse_date(" 2020-05-13 "), Some(date(2020, 5, 13)));
        assert_eq!(parse_date("01/12/2024"), Some(date(2024, 12, 1)), "day first, never month first");
    }

    #[test]
    fn parse_date_refuses_impossible_dates_and_other_forms() {
        for text in ["", "false", "31/02/2024", "2024-13-01", "13/13/2024", "2024/05/13", "05-13-2020", "0001-01-01"] {
            assert_eq!(parse_date(text), None, "{text}");
        }
        assert_eq!(parse_date("2020-05-13 10:00:00"), None);
    }

    #[test]
    fn parse_timezone_knows_iana_names_only() {
        assert_eq!(parse_timezone("Europe/London"), Some(chrono_tz::Europe::London));
        assert_eq!(parse_timezone("UTC"), Some(chrono_tz::UTC));
        assert_eq!(parse_timezone("Mars/Olympus_Mons"), None);
        assert_eq!(parse_timezone(""), None);
    }

    #[test]
    fn days_cover_utc_intervals_of_the_local_calendar() {
        let range = DayRange::new(date(2024, 1, 10), date(2024, 1, 11), chrono_tz::Europe::Berlin).unwrap();
        let days = range.days();
        assert_eq!(days.len(), 2);
        assert_eq!(days[0].label(), "10/01/2024");
        assert_eq!((days[0].start.as_str(), days[0].end.as_str()), ("2024-01-09 23:00:00", "2024-01-10 23:00:00"));
        assert_eq!(days[1].end, "2024-01-11 23:00:00");
        assert_eq!((range.start(), range.end()), ("2024-01-09 23:00:00", "2024-01-11 23:00:00"));
    }

    #[test]
    fn days_follow_daylight_saving_changes() {
        let spring = DayRange::new(date(2024, 3, 31), date(2024, 3, 31), chrono_tz::Europe::Berlin).unwrap();
        assert_eq!((spring.start(), spring.end()), ("2024-03-30 23:00:00", "2024-03-31 22:00:00"), "23 hours");
        // Chile moves its clocks forward at midnight: 2024-09-08 00:00 never happens there.
        let gap = DayRange::new(date(2024, 9, 8), date(2024, 9, 8), chrono_tz::America::Santiago).unwrap();
        assert_eq!(gap.start(), "2024-09-08 04:00:00");
    }

    #[test]
    fn ranges_refuse_reversed_or_overlong_spans() {
        let utc = chrono_tz::UTC;
        assert_eq!(DayRange::new(date(2024, 1, 2), date(2024, 1, 1), utc).unwrap_err(), RangeError::Reversed);
        assert_eq!(DayRange::new(date(2000, 1, 1), date(2024, 1, 1), utc).unwrap_err(), RangeError::TooLong);
        let month = DayRange::ending(date(2024, 3, 31), 30, utc).unwrap();
        assert_eq!(month.days().len(), 30);
        assert_eq!(month.days()[0].label(), "02/03/2024");
    }
}
