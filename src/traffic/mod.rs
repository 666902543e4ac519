//! Who sent a request, and how much anyone may send to the public paths.
//!
//! The client address is the TCP peer's, unless the peer is one of the
//! `trusted_proxies`: then it is the nearest address in `X-Forwarded-For` that is
//! not a trusted proxy itself. Nobody else can choose the address they are counted
//! under by sending that header.
//!
//! Anonymous paths are rate limited per client address (GCRA, from `governor`):
//! sign-in and password-reset posts, and the public help center. A limited
//! request is answered 429 at once, before it reaches the database.
//!
//! The API has limits of its own, over a sliding minute (see [`api`]).

pub mod api;

use governor::{DefaultKeyedRateLimiter, Quota};
use ipnet::IpNet;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

/// The kinds of anonymous traffic, each with its own limit per address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Posts that check a password or send an email: sign-in, two-factor codes,
    /// password-reset requests.
    SignIn,
    /// Pages anyone may read: the help center.
    PublicPage,
    /// Uploaded files and their thumbnails: a conversation with many images
    /// asks for many at once, and a whole office shares one address.
    Files,
    /// The chat widget's visitor API and its script.
    Widget,
}

/// Counts one request against `limiter` for `key`; `Err` says how long to wait.
fn check<K: std::hash::Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>, key: &K) -> Result<(), Duration> {
    if limiter.len() > REMEMBERED {
        limiter.retain_recent();
    }
    let clock = governor::clock::DefaultClock::default();
    limiter.check_key(key).map_err(|not_until| not_until.wait_time_from(governor::clock::Clock::now(&clock)))
}

/// `per_hour` a hour, half of them at once after a quiet spell.
fn per_hour(per_hour: u32) -> Quota {
    let per_hour = NonZeroU32::new(per_hour.max(2)).expect("at least two");
    Quota::per_hour(per_hour).allow_burst(NonZeroU32::new(per_hour.get() / 2).expect("at least one"))
}

/// `per_minute` requests a minute, half of them at once after a quiet spell.
fn quota(per_minute: u32) -> Quota {
    let per_minute = NonZeroU32::new(per_minute.max(2)).expect("at least two");
    Quota::per_minute(per_minute).allow_burst(NonZeroU32::new(per_minute.get() / 2).expect("at least one"))
}

impl Class {
    /// Which class a request to `path` (below `base_path`) belongs to, if any.
    pub fn of(method: &str, path: &str) -> Option<Self> {
        let post = method == "POST";
        if post
            && (path == "/admin/login"
                || path.starts_with("/admin/login/")
                || path.starts_with("/admin/password-reset"))
        {
            return Some(Class::SignIn);
        }
        if path == "/help" || path.starts_with("/help/") {
            return Some(Class::PublicPage);
        }
        if path.starts_with("/files/") {
            return Some(Class::Files);
        }
        if path == "/widget.js" || path.starts_with("/widget/") {
            return Some(Class::Widget);
        }
        None
    }
}

pub struct Traffic {
    /// KiB of API request bodies that may be held at once, across all requests.
    pub bodies: std::sync::Arc<tokio::sync::Semaphore>,
    proxies: Vec<IpNet>,
    sign_in: DefaultKeyedRateLimiter<IpAddr>,
    public_pages: DefaultKeyedRateLimiter<IpAddr>,
    files: DefaultKeyedRateLimiter<IpAddr>,
    widget: DefaultKeyedRateLimiter<IpAddr>,
    visitor_messages: DefaultKeyedRateLimiter<i64>,
    address_messages: DefaultKeyedRateLimiter<IpAddr>,
    visitor_conversations: DefaultKeyedRateLimiter<i64>,
    visitor_uploads: DefaultKeyedRateLimiter<i64>,
    new_visitors: DefaultKeyedRateLimiter<IpAddr>,
    api: api::ApiLimits,
}

/// What a widget visitor does that has a limit of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitorAct {
    /// Sends a message (limited per visitor and per address).
    Message,
    /// Opens a conversation (limited per visitor).
    Conversation,
    /// Starts as a new visitor (limited per address).
    Arrive,
    /// Uploads a file (limited per visitor).
    Upload,
}

/// The memory all API request bodies being read or served may take together: 32
/// bodies at the 2 MiB default cap. Beyond it a body is refused (`rate-limited`)
/// rather than buffered.
const BODY_BUDGET_KIB: usize = 64 * 1024;

/// How many addresses the limiters remember before they forget the quiet ones.
const REMEMBERED: usize = 100_000;

impl Traffic {
    /// The trusted proxies and the limits from the configuration (checked by
    /// `Config::validate`).
    pub fn new(config: &crate::config::Config) -> Self {
        Self {
            bodies: std::sync::Arc::new(tokio::sync::Semaphore::new(BODY_BUDGET_KIB)),
            proxies: config.trusted_proxies.iter().filter_map(|p| crate::config::parse_net(p)).collect(),
            sign_in: DefaultKeyedRateLimiter::keyed(quota(config.sign_in_per_minute)),
            public_pages: DefaultKeyedRateLimiter::keyed(quota(config.public_pages_per_minute)),
            files: DefaultKeyedRateLimiter::keyed(quota(config.files_per_minute)),
            widget: DefaultKeyedRateLimiter::keyed(quota(config.widget_requests_per_minute)),
            visitor_messages: DefaultKeyedRateLimiter::keyed(quota(config.widget_messages_per_minute)),
            address_messages: DefaultKeyedRateLimiter::keyed(quota(
                config.widget_messages_per_minute.saturating_mul(3),
            )),
            visitor_conversations: DefaultKeyedRateLimiter::keyed(per_hour(config.widget_conversations_per_hour)),
            new_visitors: DefaultKeyedRateLimiter::keyed(per_hour(config.widget_visitors_per_hour)),
            api: api::ApiLimits::new(config),
            visitor_uploads: DefaultKeyedRateLimiter::keyed(per_hour(config.widget_uploads_per_hour)),
        }
    }

    /// Counts an API call from `client`; `Err` says how long to wait (the address
    /// is shut out, or over its allowance).
    pub fn admit_api(&self, client: IpAddr) -> Result<(), Duration> {
        self.api.admit_address(canonical(client), std::time::Instant::now())
    }

    /// Counts an API call made with the token of user `user`.
    pub fn admit_token(&self, user: i64) -> Result<(), Duration> {
        self.api.admit_token(user, std::time::Instant::now())
    }

    /// Counts an API call from `client` that failed authentication; `Err` (how
    /// long to wait) when that was one too many: the address is shut out.
    pub fn failed_auth(&self, client: IpAddr) -> Result<(), Duration> {
        self.api.failed_auth(canonical(client), std::time::Instant::now())
    }

    /// The client's address: `peer`, or behind trusted proxies the nearest
    /// untrusted address of `forwarded_for` (the `X-Forwarded-For` header).
    pub fn client(&self, peer: Option<IpAddr>, forwarded_for: Option<&str>) -> Option<IpAddr> {
        let peer = peer?;
        if !self.trusts(peer) {
            return Some(peer);
        }
        let hops = forwarded_for.unwrap_or_default().split(',').map(str::trim).filter(|hop| !hop.is_empty());
        let mut client = peer;
        for hop in hops.rev() {
            let Ok(address) = hop.parse::<IpAddr>() else { break };
            client = address;
            if !self.trusts(address) {
                break;
            }
        }
        Some(client)
    }

    fn trusts(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.proxies.iter().any(|net| net.contains(&address))
    }

    /// Counts a request of `class` from `client`; `Err` says how long to wait.
    pub fn admit(&self, class: Class, client: IpAddr) -> Result<(), Duration> {
        let limiter = match class {
            Class::SignIn => &self.sign_in,
            Class::PublicPage => &self.public_pages,
            Class::Files => &self.files,
            Class::Widget => &self.widget,
        };
        check(limiter, &canonical(client))
    }

    /// Counts what visitor `visitor` at `client` does; `Err` says how long to wait.
    pub fn admit_visitor(&self, act: VisitorAct, visitor: i64, client: Option<IpAddr>) -> Result<(), Duration> {
        match act {
            VisitorAct::Message => {
                check(&self.visitor_messages, &visitor)?;
                client.map_or(Ok(()), |ip| check(&self.address_messages, &canonical(ip)))
            }
            VisitorAct::Conversation => check(&self.visitor_conversations, &visitor),
            VisitorAct::Arrive => client.map_or(Ok(()), |ip| check(&self.new_visitors, &canonical(ip))),
            VisitorAct::Upload => check(&self.visitor_uploads, &visitor),
        }
    }

    /// Forgets addresses whose limits have fully recovered; the scheduler calls
    /// this now and then so a scan from many addresses leaves no memory behind.
    pub fn forget_quiet(&self) {
        self.api.forget_quiet(std::time::Instant::now());
        let by_address =
            [&self.sign_in, &self.public_pages, &self.files, &self.widget, &self.address_messages, &self.new_visitors];
        for limiter in by_address {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        for limiter in [&self.visitor_messages, &self.visitor_conversations, &self.visitor_uploads] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// IPv4 addresses seen through an IPv6 socket count as themselves.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let config = crate::config::Config {
            trusted_proxies: vec!["10.0.0.0/8".into(), "192.0.2.7".into()],
            ..Default::default()
        };
        let traffic = Traffic::new(&config);
        let forwarded = Some("203.0.113.9, 10.1.1.1");
        assert_eq!(traffic.client(Some(ip("198.51.100.4")), forwarded), Some(ip("198.51.100.4")), "untrusted peer");
        assert_eq!(traffic.client(Some(ip("10.0.0.2")), forwarded), Some(ip("203.0.113.9")), "through two proxies");
        assert_eq!(traffic.client(Some(ip("192.0.2.7")), None), Some(ip("192.0.2.7")), "no header: the proxy itself");
        assert_eq!(
            traffic.client(Some(ip("10.0.0.2")), Some("6.6.6.6, 203.0.113.9")),
            Some(ip("203.0.113.9")),
            "a client cannot put itself further left"
        );
        assert_eq!(traffic.client(Some(ip("10.0.0.2")), Some("garbage")), Some(ip("10.0.0.2")));
        assert_eq!(traffic.client(Some(ip("::ffff:10.0.0.2")), forwarded), Some(ip("203.0.113.9")), "mapped v4");
    }

    #[test]
    fn each_address_has_its_own_allowance() {
        let traffic = Traffic::new(&crate::config::Config::default());
        let (one, other) = (ip("198.51.100.1"), ip("198.51.100.2"));
        for n in 0..10 {
            assert_eq!(traffic.admit(Class::SignIn, one), Ok(()), "sign-in {n} of the burst");
        }
        let wait = traffic.admit(Class::SignIn, one).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(3), "{wait:?}");
        assert_eq!(traffic.admit(Class::SignIn, other), Ok(()), "another address is not held back");
        assert_eq!(traffic.admit(Class::PublicPage, one), Ok(()), "nor another class");
    }

    #[test]
    fn public_paths_are_classified() {
        assert_eq!(Class::of("POST", "/admin/login"), Some(Class::SignIn));
        assert_eq!(Class::of("POST", "/admin/login/code"), Some(Class::SignIn));
        assert_eq!(Class::of("POST", "/admin/password-reset/abc"), Some(Class::SignIn));
        assert_eq!(Class::of("GET", "/admin/login"), None);
        assert_eq!(Class::of("GET", "/help/search"), Some(Class::PublicPage));
        assert_eq!(Class::of("POST", "/help/a/b/rating"), Some(Class::PublicPage));
        assert_eq!(Class::of("GET", "/helpful"), None);
        assert_eq!(Class::of("POST", "/include/api.php"), None);
    }
}
