//! Which addresses webhooks and SMTP may connect to when the
//! `outbound-public-only` setting is on: none on loopback, private or link-local
//! networks, so an admin cannot point Switchboard at services that only the
//! server itself can reach. Pure: the callers resolve names and open connections,
//! and check every address they would connect to with [`check`] or [`public`].

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The setting that turns the refusal on (off by default: see the README).
pub const SETTING: &str = "outbound-public-only";

/// Why an address is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    /// 127.0.0.0/8, ::1
    Loopback,
    /// 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7
    Private,
    /// 169.254.0.0/16, fe80::/10
    LinkLocal,
    /// 0.0.0.0, ::
    Unspecified,
    /// 100.64.0.0/10, carrier-grade NAT
    Shared,
}

impl Blocked {
    fn describe(self) -> &'static str {
        match self {
            Blocked::Loopback => "a loopback address",
            Blocked::Private => "a private address",
            Blocked::LinkLocal => "a link-local address",
            Blocked::Unspecified => "an unspecified address",
            Blocked::Shared => "a shared (carrier-grade NAT) address",
        }
    }
}

/// What the setting refuses an address as, or `None` for an address it allows.
/// An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is judged as its IPv4 address.
pub fn classify(ip: IpAddr) -> Option<Blocked> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => classify_v4(v4),
            None => classify_v6(v6),
        },
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<Blocked> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some(Blocked::Loopback)
    } else if ip.is_private() {
        Some(Blocked::Private)
    } else if ip.is_link_local() {
        Some(Blocked::LinkLocal)
    } else if ip.is_unspecified() {
        Some(Blocked::Unspecified)
    } else if a == 100 && b & 0xc0 == 64 {
        Some(Blocked::Shared)
    } else {
        None
    }
}

fn classify_v6(ip: Ipv6Addr) -> Option<Blocked> {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some(Blocked::Loopback)
    } else if first & 0xfe00 == 0xfc00 {
        Some(Blocked::Private)
    } else if first & 0xffc0 == 0xfe80 {
        Some(Blocked::LinkLocal)
    } else if ip.is_unspecified() {
        Some(Blocked::Unspecified)
    } else {
        None
    }
}

/// An address the setting refuses: "a private address (10.0.0.5)". An error type
/// so it can travel through the HTTP client's resolver and be recognised after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub ip: IpAddr,
    pub why: Blocked,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.why.describe(), self.ip)
    }
}

impl std::error::Error for Refused {}

impl Refused {
    /// The refusal as an outbox item's last error, naming the setting to look at;
    /// `how` says how the target came to the address ("the webhook URL resolves to").
    pub fn reason(&self, how: &str) -> String {
        format!("{how} {self}, which the {SETTING} setting refuses")
    }
}

/// Whether the setting lets a connection go to `ip`.
pub fn check(ip: IpAddr) -> Result<(), Refused> {
    match classify(ip) {
        Some(why) => Err(Refused { ip, why }),
        None => Ok(()),
    }
}

/// The allowed addresses among those a name resolved to, in their order; refused
/// (naming the first) when every one of them is blocked. A name that resolved to
/// nothing answers an empty list: the caller's "could not connect" says it.
pub fn public(resolved: impl IntoIterator<Item = SocketAddr>) -> Result<Vec<SocketAddr>, Refused> {
    let mut first_refused = None;
    let mut allowed = Vec::new();
    for addr in resolved {
        match check(addr.ip()) {
            Ok(()) => allowed.push(addr),
            Err(refused) => {
                first_refused.get_or_insert(refused);
            }
        }
    }
    match first_refused {
        Some(refused) if allowed.is_empty() => Err(refused),
        _ => Ok(allowed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(text: &str) -> Option<Blocked> {
        classify(text.parse().unwrap())
    }

    #[test]
    fn loopback_private_link_local_unspecified_and_shared_ranges_are_blocked() {
        let cases = [
            ("127.0.0.1", Blocked::Loopback),
            ("127.255.255.254", Blocked::Loopback),
            ("::1", Blocked::Loopback),
            ("10.0.0.5", Blocked::Private),
            ("10.255.255.255", Blocked::Private),
            ("172.16.0.1", Blocked::Private),
            ("172.31.255.255", Blocked::Private),
            ("192.168.1.1", Blocked::Private),
            ("fc00::1", Blocked::Private),
            ("fd12:3456::1", Blocked::Private),
            ("169.254.169.254", Blocked::LinkLocal),
            ("fe80::1", Blocked::LinkLocal),
            ("febf::1", Blocked::LinkLocal),
            ("0.0.0.0", Blocked::Unspecified),
            ("::", Blocked::Unspecified),
            ("100.64.0.1", Blocked::Shared),
            ("100.127.255.255", Blocked::Shared),
        ];
        for (address, expected) in cases {
            assert_eq!(class(address), Some(expected), "{address}");
        }
    }

    #[test]
    fn ipv4_mapped_ipv6_addresses_are_judged_as_their_ipv4_address() {
        assert_eq!(class("::ffff:127.0.0.1"), Some(Blocked::Loopback));
        assert_eq!(class("::ffff:10.1.2.3"), Some(Blocked::Private));
        assert_eq!(class("::ffff:169.254.169.254"), Some(Blocked::LinkLocal));
        assert_eq!(class("::ffff:0.0.0.0"), Some(Blocked::Unspecified));
        assert_eq!(class("::ffff:100.100.0.1"), Some(Blocked::Shared));
        assert_eq!(class("::ffff:93.184.216.34"), None);
    }

    #[test]
    fn public_addresses_and_the_edges_of_each_range_are_allowed() {
        for address in [
            "93.184.216.34",
            "8.8.8.8",
            "126.255.255.255",
            "128.0.0.1",
            "9.255.255.255",
            "11.0.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.167.255.255",
            "192.169.0.0",
            "169.253.255.255",
            "169.255.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "2606:2800:220:1::1",
            "fbff::1",
            "fe00::1",
            "::2",
        ] {
            assert_eq!(class(address), None, "{address}");
        }
    }

    #[test]
    fn a_refusal_names_the_kind_of_address_and_the_address() {
        let refused = check("10.0.0.5".parse().unwrap()).unwrap_err();
        assert_eq!(refused.to_string(), "a private address (10.0.0.5)");
        assert_eq!(
            refused.reason("the webhook URL resolves to"),
            "the webhook URL resolves to a private address (10.0.0.5), which the outbound-public-only setting refuses"
        );
        assert!(check("1.1.1.1".parse().unwrap()).is_ok());
    }

    #[test]
    fn a_name_keeps_its_public_addresses_and_is_refused_when_it_has_none() {
        let addr = |text: &str| -> SocketAddr { text.parse().unwrap() };
        let mixed = [addr("10.0.0.5:80"), addr("93.184.216.34:80"), addr("[::1]:80")];
        assert_eq!(public(mixed), Ok(vec![addr("93.184.216.34:80")]));
        let refused = public([addr("[::1]:25"), addr("127.0.0.1:25")]).unwrap_err();
        assert_eq!(refused.to_string(), "a loopback address (::1)");
        assert_eq!(public([]), Ok(vec![]));
    }
}
