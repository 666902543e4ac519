//! Delivering webhooks: [`deliver`] sends one item, signed with the key:
//! `X-Switchboard-Signature` is `sha256=` and the hex HMAC-SHA256 of
//! `<timestamp>.<delivery id>.<body>`, the timestamp and delivery ID being the
//! `X-Switchboard-Timestamp` and `X-Switchboard-Delivery` headers sent with it.
//! Signing them too lets a receiver refuse a stale replay and trust the delivery ID
//! it de-duplicates on. Queueing them is [`crate::outbox::webhooks`].
//!
//! With the outbound-public-only setting on, [`deliver`] refuses a URL whose host
//! is a blocked address ([`super::outbound`]) and sends through a client whose
//! resolver drops blocked addresses, so every connection it opens is checked after
//! DNS. Redirects are never followed, so they never lead anywhere unchecked.

use super::outbound;
use super::outbox::Undelivered;
use crate::db::outbox::Item;
use crate::outbox::webhooks::Queued;
use crate::state::AppState;
use reqwest::blocking::{Client, Response};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::CONTENT_TYPE;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// For connecting, and for the whole request.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The value of `X-Switchboard-Signature` for a request.
pub fn signature(key: &str, timestamp: &str, delivery_id: &str, body: &[u8]) -> String {
    let signed = [timestamp.as_bytes(), b".", delivery_id.as_bytes(), b".", body];
    format!("sha256={}", crate::crypto::hmac_sha256_hex(key.as_bytes(), &signed))
}

/// The webhook clients of the process, shared by every delivery so connections to
/// a receiver stay open between deliveries.
static CLIENTS: HttpClient = HttpClient { anywhere: OnceLock::new(), public_only: OnceLock::new() };

/// Two HTTP clients, each built on first use (each runs a thread of its own): one
/// that connects anywhere, and one for the outbound-public-only setting that
/// connects to public addresses only. Two, so that a connection the first keeps
/// alive is never reused once the setting is on.
struct HttpClient {
    anywhere: OnceLock<Result<Client, String>>,
    public_only: OnceLock<Result<Client, String>>,
}

impl HttpClient {
    fn get(&self, public_only: bool) -> Result<&Client, Undelivered> {
        let cell = if public_only { &self.public_only } else { &self.anywhere };
        let built = cell.get_or_init(|| {
            let mut builder = Client::builder()
                .connect_timeout(TIMEOUT)
                .timeout(TIMEOUT)
                // A redirect could lead anywhere, and would turn the POST into a GET.
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("Switchboard/", env!("CARGO_PKG_VERSION"), " (webhooks)"))
                // Every connection resolves its host through Resolver, a reconnect's
                // or a retry's too.
                .dns_resolver(Arc::new(Resolver { public_only }));
            if public_only {
                // A proxy from the environment would resolve the host itself, unchecked.
                builder = builder.no_proxy();
            }
            builder.build().map_err(|err| format!("cannot start the HTTP client: {err}"))
        });
        built.as_ref().map_err(|why| Undelivered::retry(why.clone()))
    }
}

/// The clients' resolver: the system's answer for a name (on a blocking thread, as
/// reqwest's own), and for the public-only client without its blocked addresses,
/// the name refused (see [`outbound::public`]) when nothing else is left. The
/// client never resolves an IP-literal URL; [`deliver`] checks those before sending.
struct Resolver {
    public_only: bool,
}

impl Resolve for Resolver {
    fn resolve(&self, name: Name) -> Resolving {
        let (host, public_only) = (name.as_str().to_string(), self.public_only);
        Box::pin(async move {
            let found = tokio::task::spawn_blocking(move || (host.as_str(), 0).to_socket_addrs()).await?;
            let resolved: Vec<SocketAddr> = found.map_err(|_| Unresolved)?.collect();
            let allowed = if public_only { outbound::public(resolved)? } else { resolved };
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// A host name the system could not resolve, told apart so the last error can say
/// so without quoting the resolver.
#[derive(Debug)]
struct Unresolved;

impl std::fmt::Display for Unresolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the host name does not resolve")
    }
}

impl std::error::Error for Unresolved {}

/// POSTs one queued webhook. 2xx is delivered; 408, 429, 5xx and network failures
/// are retried; redirects (never followed) and other answers fail for good. With
/// `public_only` (the outbound-public-only setting), a URL whose host is or
/// resolves to a loopback, private or link-local address fails for good unsent.
pub fn deliver(state: &AppState, item: &Item, public_only: bool) -> Result<(), Undelivered> {
    let queued: Queued =
        serde_json::from_str(&item.payload).map_err(|_| Undelivered::permanent("the queued webhook cannot be read"))?;
    let url = url::Url::parse(&queued.url)
        .ok()
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .ok_or_else(|| Undelivered::permanent("the webhook URL is not an http or https URL"))?;
    let literal = match url.host() {
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        _ => None,
    };
    if let Some(ip) = literal.filter(|_| public_only) {
        outbound::check(ip).map_err(|refused| Undelivered::permanent(refused.reason("the webhook URL points at")))?;
    }
    let timestamp = state.clock.now().timestamp().to_string();
    let mut request = CLIENTS
        .get(public_only)?
        .post(url)
        .header(CONTENT_TYPE, "application/json")
        .header("X-Switchboard-Event", &queued.event)
        .header("X-Switchboard-Delivery", &item.delivery_id)
        .header("X-Switchboard-Timestamp", &timestamp);
    if !queued.secret.is_empty() {
        let signed = signature(&queued.secret, &timestamp, &item.delivery_id, queued.body.as_bytes());
        request = request.header("X-Switchboard-Signature", signed);
    }
    match request.body(queued.body).send() {
        Ok(response) => judge(response),
        Err(err) => match refused(&err) {
            Some(refused) => Err(Undelivered::permanent(refused.reason("the webhook URL resolves to"))),
            None => Err(Undelivered::retry(describe(&err))),
        },
    }
}

/// The refusal of the public-only [`Resolver`], when that is why the request failed.
fn refused(err: &reqwest::Error) -> Option<&outbound::Refused> {
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<outbound::Refused>() {
            return Some(refused);
        }
        source = cause.source();
    }
    None
}

fn judge(response: Response) -> Result<(), Undelivered> {
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    // The status code and its standard name only: the body, the receiver's own
    // reason phrase and a redirect's Location can all tell of services that only
    // this server reaches, and get-outbox shows the reason to every admin.
    let mut reason = format!("the receiver answered HTTP {}", status.as_u16());
    if let Some(name) = status.canonical_reason() {
        reason.push_str(&format!(" {name}"));
    }
    if status.is_redirection() {
        reason.push_str("; redirects are not followed");
    }
    if retried(status.as_u16()) {
        Err(Undelivered::retry(reason))
    } else {
        Err(Undelivered::permanent(reason))
    }
}

/// Answers worth another try: the receiver is busy, overloaded or broken for now.
fn retried(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

/// A network failure without the URL (it may carry a token). Of its causes only an
/// operating-system error ("Connection refused") or a name that does not resolve is
/// kept: the others can quote what the other end sent (a TLS certificate's names,
/// a garbled answer).
fn describe(err: &reqwest::Error) -> String {
    let what = if err.is_timeout() {
        format!("no answer within {} s", TIMEOUT.as_secs())
    } else if err.is_connect() {
        "could not connect".to_string()
    } else {
        "the request failed".to_string()
    };
    let mut source = std::error::Error::source(err);
    let mut known = None;
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>().filter(|io| io.raw_os_error().is_some()) {
            known = Some(io.to_string());
        } else if cause.is::<Unresolved>() {
            known = Some(cause.to_string());
        }
        source = cause.source();
    }
    match known {
        Some(known) => format!("{what}: {known}"),
        None => what,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_busy_or_broken_receivers_are_retried() {
        for status in [408, 429, 500, 502, 503, 599] {
            assert!(retried(status), "{status}");
        }
        for status in [301, 302, 400, 401, 403, 404, 410, 422] {
            assert!(!retried(status), "{status}");
        }
    }

    #[test]
    fn the_signature_covers_timestamp_delivery_and_body() {
        let signed = signature("key", "1700000000", "abc", b"{}");
        assert_eq!(signed, format!("sha256={}", crate::crypto::hmac_sha256_hex(b"key", &[b"1700000000.abc.{}"])));
        assert_ne!(signed, signature("key", "1700000001", "abc", b"{}"));
        assert_ne!(signed, signature("key", "1700000000", "abd", b"{}"));
        assert_ne!(signed, signature("key", "1700000000", "abc", b"{ }"));
    }
}
