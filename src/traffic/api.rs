//! The API's own limits: calls per token and per client address, and calls that
//! fail authentication per address, each over a sliding minute. An address past
//! the failed-authentication limit is shut out of the API for a whole minute,
//! whatever token it sends; other addresses are unaffected.
//!
//! A sliding window counter (the previous minute's count weighted by how much of
//! it still overlaps the last 60 seconds, plus this minute's) rather than GCRA:
//! "30 a minute" then means about 30 in any 60 seconds, never a burst of 30 and
//! another 30 as the bucket refills. Two counters per key, whatever the limit.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The window every API limit counts over.
pub const WINDOW: Duration = Duration::from_secs(60);

/// How many keys a window remembers before it forgets the quiet ones.
const REMEMBERED: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Counts {
    /// When the current minute began.
    start: Instant,
    previous: u32,
    current: u32,
}

impl Counts {
    /// Moves the window forward to the minute holding `now`.
    fn roll(&mut self, now: Instant) {
        let minutes = now.saturating_duration_since(self.start).as_secs() / WINDOW.as_secs();
        if minutes >= 1 {
            self.previous = if minutes == 1 { self.current } else { 0 };
            self.current = 0;
            self.start += WINDOW * minutes as u32;
        }
    }

    /// Calls in the 60 seconds up to `now` (after [`Counts::roll`]), estimated.
    fn estimate(&self, now: Instant) -> f64 {
        let overlap = 1.0 - now.saturating_duration_since(self.start).as_secs_f64() / WINDOW.as_secs_f64();
        f64::from(self.previous) * overlap + f64::from(self.current)
    }

    /// How long until one more call fits under `limit`.
    fn wait(&self, limit: u32, now: Instant) -> Duration {
        let window = WINDOW.as_secs_f64();
        let elapsed = now.saturating_duration_since(self.start).as_secs_f64();
        let room = f64::from(limit) - 1.0 - f64::from(self.current);
        if room >= 0.0 && self.previous > 0 {
            // Within this minute, once enough of the previous one has slid out.
            let at = window * (1.0 - room / f64::from(self.previous));
            if at < window {
                return Duration::from_secs_f64((at - elapsed).max(0.0));
            }
        }
        // Next minute, once enough of this one has slid out.
        let room = f64::from(limit) - 1.0;
        let into_next =
            if f64::from(self.current) > room { window * (1.0 - room / f64::from(self.current)) } else { 0.0 };
        Duration::from_secs_f64(window - elapsed + into_next)
    }
}

/// At most `limit` calls per key in any sliding minute.
pub struct SlidingWindow<K> {
    limit: u32,
    counts: Mutex<HashMap<K, Counts>>,
}

impl<K: Hash + Eq> SlidingWindow<K> {
    pub fn new(limit: u32) -> Self {
        Self { limit: limit.max(1), counts: Mutex::default() }
    }

    fn counts(&self) -> MutexGuard<'_, HashMap<K, Counts>> {
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts one call for `key` at `now`; `Err` (how long to wait) when it would
    /// go over the limit, and then it is not counted.
    pub fn hit(&self, key: K, now: Instant) -> Result<(), Duration> {
        let mut all = self.counts();
        if all.len() > REMEMBERED {
            all.retain(|_, counts| now.saturating_duration_since(counts.start) < 2 * WINDOW);
        }
        let counts = all.entry(key).or_insert(Counts { start: now, previous: 0, current: 0 });
        counts.roll(now);
        if counts.estimate(now) + 1.0 > f64::from(self.limit) {
            return Err(counts.wait(self.limit, now));
        }
        counts.current += 1;
        Ok(())
    }

    /// Forgets keys with no call in the last two minutes (they count nothing).
    pub fn forget_quiet(&self, now: Instant) {
        let mut all = self.counts();
        all.retain(|_, counts| now.saturating_duration_since(counts.start) < 2 * WINDOW);
        all.shrink_to_fit();
    }
}

/// The API's three limits and the addresses shut out.
pub struct ApiLimits {
    tokens: SlidingWindow<i64>,
    addresses: SlidingWindow<IpAddr>,
    failed_auth: SlidingWindow<IpAddr>,
    /// Addresses shut out after too many failed authentications, until when.
    shut_out: Mutex<HashMap<IpAddr, Instant>>,
}

impl ApiLimits {
    pub fn new(config: &crate::config::Config) -> Self {
        Self {
            tokens: SlidingWindow::new(config.api_calls_per_minute_per_token),
            addresses: SlidingWindow::new(config.api_calls_per_minute_per_address),
            failed_auth: SlidingWindow::new(config.api_failed_auth_per_minute),
            shut_out: Mutex::default(),
        }
    }

    fn shut_out(&self) -> MutexGuard<'_, HashMap<IpAddr, Instant>> {
        self.shut_out.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a call from `client` (already canonical); `Err` says how long to
    /// wait: the address is shut out, or over its allowance.
    pub fn admit_address(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if let Some(until) = self.shut_out().get(&client) {
            let left = until.saturating_duration_since(now);
            if !left.is_zero() {
                return Err(left);
            }
        }
        self.addresses.hit(client, now)
    }

    /// Counts a call made with the token of user `user`.
    pub fn admit_token(&self, user: i64, now: Instant) -> Result<(), Duration> {
        self.tokens.hit(user, now)
    }

    /// Counts a call from `client` that failed authentication; `Err` (how long to
    /// wait) when that was one too many, and the address is shut out from now on.
    pub fn failed_auth(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.failed_auth.hit(client, now).is_err() {
            let mut shut_out = self.shut_out();
            if shut_out.len() > REMEMBERED {
                shut_out.retain(|_, until| *until > now);
            }
            shut_out.insert(client, now + WINDOW);
            return Err(WINDOW);
        }
        Ok(())
    }

    pub fn forget_quiet(&self, now: Instant) {
        self.shut_out().retain(|_, until| *until > now);
        self.tokens.forget_quiet(now);
        self.addresses.forget_quiet(now);
        self.failed_auth.forget_quiet(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_sliding_minute_admits_the_limit_in_any_sixty_seconds() {
        let window = SlidingWindow::new(10);
        let start = Instant::now();
        for _ in 0..10 {
            assert_eq!(window.hit("a", start), Ok(()));
        }
        let wait = window.hit("a", start).unwrap_err();
        // All ten count for this minute, then slide out one every 6 s of the next.
        assert_eq!(wait, WINDOW + Duration::from_secs(6));
        assert!(window.hit("a", start + wait - Duration::from_millis(10)).is_err(), "not before");
        assert_eq!(window.hit("a", start + wait), Ok(()));
        assert_eq!(window.hit("b", start), Ok(()), "another key has its own");
        // Half a minute into the next one, half of the ten have slid out.
        let later = start + WINDOW + WINDOW / 2;
        for _ in 0..4 {
            assert_eq!(window.hit("a", later), Ok(()));
        }
        let wait = window.hit("a", later).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(7), "one more slides out in 6 s: {wait:?}");
        assert_eq!(window.hit("a", later + wait + Duration::from_millis(1)), Ok(()));
        assert_eq!(window.hit("a", start + 3 * WINDOW), Ok(()), "two quiet minutes forget everything");
    }

    #[test]
    fn too_many_failed_authentications_shut_the_address_out_of_the_api() {
        let config = crate::config::Config { api_failed_auth_per_minute: 3, ..Default::default() };
        let limits = ApiLimits::new(&config);
        let (one, other, now) = (ip("198.51.100.1"), ip("198.51.100.2"), Instant::now());
        for _ in 0..3 {
            assert_eq!(limits.admit_address(one, now), Ok(()));
            assert_eq!(limits.failed_auth(one, now), Ok(()));
        }
        assert_eq!(limits.failed_auth(one, now), Err(WINDOW), "the fourth failure is one too many");
        let soon = now + Duration::from_secs(5);
        assert_eq!(limits.admit_address(one, soon), Err(WINDOW - Duration::from_secs(5)), "shut out, whatever token");
        assert_eq!(limits.admit_address(other, soon), Ok(()), "other addresses are not shut out");
        assert_eq!(limits.admit_address(one, now + WINDOW), Ok(()), "until the minute has passed");
    }
}
