//! Office hours: when the chat is staffed, as an admin writes them, e.g.
//! `mon-fri 09:00-17:30, sat 10:00-14:00`, read in the office's time zone. Empty
//! means always. Outside them the widget offers the "leave a message" form.

use chrono::{DateTime, Datelike, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

#[derive(Debug, Clone, PartialEq)]
pub struct OfficeHours {
    spans: Vec<Span>,
}

#[derive(Debug, Clone, PartialEq)]
struct Span {
    days: Vec<Weekday>,
    opens: NaiveTime,
    closes: NaiveTime,
}

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

fn day(text: &str) -> Option<usize> {
    let text = text.trim().to_ascii_lowercase();
    DAYS.iter().position(|(name, _)| text.starts_with(name) && text.len() >= 3)
}

impl OfficeHours {
    /// Always open.
    pub fn always() -> Self {
        Self { spans: Vec::new() }
    }

    /// `mon-fri 09:00-17:30, sat 10:00-14:00`; `Err` says what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut spans = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (days, times) = part
                .split_once(char::is_whitespace)
                .ok_or_else(|| format!("'{part}': expected days and times, e.g. mon-fri 09:00-17:00"))?;
            let (first, last) = days.split_once('-').unwrap_or((days, days));
            let (Some(first), Some(last)) = (day(first), day(last)) else {
                return Err(format!("'{days}': expected days such as mon, mon-fri"));
            };
            let days: Vec<Weekday> =
                (0..7).map(|i| (first + i) % 7).take((last + 7 - first) % 7 + 1).map(|i| DAYS[i].1).collect();
            let (opens, closes) =
                times.trim().split_once('-').ok_or_else(|| format!("'{times}': expected 09:00-17:00"))?;
            let time = |t: &str| {
                NaiveTime::parse_from_str(t.trim(), "%H:%M")
                    .map_err(|_| format!("'{}': expected a time like 09:00", t.trim()))
            };
            let (opens, closes) = (time(opens)?, time(closes)?);
            if closes <= opens {
                return Err(format!("'{times}': closes before it opens"));
            }
            spans.push(Span { days, opens, closes });
        }
        Ok(Self { spans })
    }

    /// Whether `now` falls within the hours, in `zone`.
    pub fn is_open(&self, now: DateTime<Utc>, zone: Tz) -> bool {
        if self.spans.is_empty() {
            return true;
        }
        let local = now.with_timezone(&zone);
        let (weekday, time) = (local.weekday(), local.time());
        self.spans.iter().any(|s| s.days.contains(&weekday) && s.opens <= time && time < s.closes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap().and_utc()
    }

    #[test]
    fn hours_are_read_in_the_office_time_zone() {
        let hours = OfficeHours::parse("mon-fri 09:00-17:30, sat 10:00-14:00").unwrap();
        let paris: Tz = "Europe/Paris".parse().unwrap();
        // 2026-12-07 is a Monday; 08:30 UTC is 09:30 in Paris.
        assert!(hours.is_open(at("2026-12-07 08:30"), paris));
        assert!(!hours.is_open(at("2026-12-07 07:30"), paris), "08:30 in Paris");
        assert!(hours.is_open(at("2026-12-12 12:00"), paris), "Saturday 13:00");
        assert!(!hours.is_open(at("2026-12-13 12:00"), paris), "Sunday");
        assert!(OfficeHours::parse("").unwrap().is_open(at("2026-12-13 03:00"), paris), "empty: always");
        assert!(OfficeHours::parse("fri-mon 20:00-23:00").unwrap().is_open(at("2026-12-13 20:30"), chrono_tz::UTC));
    }

    #[test]
    fn nonsense_is_refused_saying_why() {
        assert!(OfficeHours::parse("weekdays").is_err());
        assert!(OfficeHours::parse("mon 9-5").unwrap_err().contains("09:00"));
        assert!(OfficeHours::parse("mon 17:00-09:00").unwrap_err().contains("closes before"));
    }
}
