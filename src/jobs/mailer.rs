//! Hands queued emails to the SMTP server of the notification settings, which are
//! read at delivery time: fixing the settings fixes everything still queued.
//!
//! The outbox retries what may work later and gives up on what never will:
//! SMTP not configured, a server that cannot be reached, STARTTLS or login
//! refused, and 4xx answers are retried; a 5xx answer to the email itself (sender,
//! recipient or content refused) fails for good. With the outbound-public-only
//! setting on, a server on a loopback, private or link-local address is refused
//! (retried: fixing the settings lets it go). An item's last error keeps the
//! reply code, never the server's text. Each email's Message-ID comes from its
//! outbox delivery ID, so a retried email that did arrive twice can be recognised
//! as one.

use super::outbound;
use super::outbox::Undelivered;
use crate::db::blobs::Blobs;
use crate::db::doorway::Db;
use crate::db::outbox::Item;
use crate::domain::settings::{Settings, SmtpSecurity};
use crate::outbox::email::{EmailFile, OutgoingEmail};
use lettre::message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Address, Message};
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(10);

/// The SMTP settings, complete enough to try.
#[derive(Debug)]
struct Smtp {
    host: String,
    port: u16,
    security: SmtpSecurity,
    username: String,
    password: String,
    sender_name: String,
    sender: Address,
}

impl Smtp {
    fn from_settings(settings: &Settings) -> Result<Self, Undelivered> {
        let smtp = &settings.smtp;
        if smtp.host.is_empty() || smtp.sender_address.is_empty() {
            return Err(Undelivered::retry(
                "SMTP is not configured: set smtp-host and smtp-sender-address in the notification settings",
            ));
        }
        let sender = smtp.sender_address.parse::<Address>().map_err(|err| {
            Undelivered::retry(format!("smtp-sender-address '{}' is not a usable address: {err}", smtp.sender_address))
        })?;
        let sender_name =
            if smtp.sender_name.is_empty() { settings.admin_title.clone() } else { smtp.sender_name.clone() };
        Ok(Smtp {
            host: smtp.host.clone(),
            port: smtp.port,
            security: smtp.security,
            username: smtp.username.clone(),
            password: smtp.password.clone(),
            sender_name,
            sender,
        })
    }
}

/// Delivers one outbox item of kind [`super::email::KIND`]: the settings are read
/// first, and the SMTP conversation happens with no connection or turn held. With
/// `public_only` (the outbound-public-only setting), a server on a loopback,
/// private or link-local address is refused.
pub fn deliver(db: &mut Db, item: &Item, settings: &Settings, blobs: &Blobs) -> Result<(), Undelivered> {
    let email: OutgoingEmail = serde_json::from_str(&item.payload)
        .map_err(|err| Undelivered::permanent(format!("the queued email cannot be read: {err}")))?;
    let smtp = Smtp::from_settings(settings)?;
    let public_only = settings.outbound_public_only;
    db.outside(|| {
        let files = read_files(blobs, &email.files);
        send(&smtp, &build(&smtp, &email, &item.delivery_id, files)?, public_only)
    })
}

/// The attached files' bytes; a file deleted since the email was queued is left
/// out (its link in the text then answers 404, as the file is gone).
fn read_files(blobs: &Blobs, files: &[EmailFile]) -> Vec<(EmailFile, Vec<u8>)> {
    files.iter().filter_map(|file| Some((file.clone(), std::fs::read(blobs.path(&file.key)?).ok()?))).collect()
}

fn build(
    smtp: &Smtp,
    email: &OutgoingEmail,
    delivery_id: &str,
    files: Vec<(EmailFile, Vec<u8>)>,
) -> Result<Message, Undelivered> {
    let to = email
        .to
        .trim()
        .parse::<Address>()
        .map_err(|err| Undelivered::permanent(format!("'{}' is not an email address: {err}", email.to)))?;
    let to_name = Some(email.to_name.trim().to_string()).filter(|name| !name.is_empty());
    let from_name = format!("{}{}", smtp.sender_name, email.sender_suffix);
    let from_name = Some(from_name.trim().to_string()).filter(|name| !name.is_empty());
    let alternative = MultiPart::alternative()
        .singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(email.text.clone()))
        .singlepart(SinglePart::builder().header(ContentType::TEXT_HTML).body(email.html.clone()));
    let body = if files.is_empty() {
        alternative
    } else {
        files.into_iter().fold(MultiPart::mixed().multipart(alternative), |body, (file, bytes)| {
            let kind = ContentType::parse(&file.content_type)
                .unwrap_or_else(|_| ContentType::parse("application/octet-stream").expect("a valid content type"));
            body.singlepart(Attachment::new(file.name).body(bytes, kind))
        })
    };
    Message::builder()
        .from(Mailbox::new(from_name, smtp.sender.clone()))
        .to(Mailbox::new(to_name, to))
        .subject(email.subject.clone())
        .message_id(Some(format!("<{delivery_id}@{}>", smtp.sender.domain())))
        .multipart(body)
        .map_err(|err| Undelivered::permanent(format!("the email cannot be built: {err}")))
}

fn send(smtp: &Smtp, message: &Message, public_only: bool) -> Result<(), Undelivered> {
    let server = format!("{}:{}", smtp.host, smtp.port);
    let addresses = addresses(smtp, &server, public_only)?;
    let tls = || {
        TlsParameters::new(smtp.host.clone())
            .map_err(|err| Undelivered::retry(format!("TLS for {} cannot be set up: {err}", smtp.host)))
    };
    let hello = ClientId::default();
    let implicit_tls = if smtp.security == SmtpSecurity::Tls { Some(tls()?) } else { None };
    let mut conn = SmtpConnection::connect(addresses.as_slice(), Some(TIMEOUT), &hello, implicit_tls.as_ref(), None)
        .map_err(|err| Undelivered::retry(format!("cannot reach the SMTP server {server}: {}", cause(&err))))?;
    let result = session(smtp, &mut conn, message, &hello, &server);
    if result.is_ok() {
        let _ = conn.quit();
    } else {
        conn.abort();
    }
    result
}

/// The addresses to try, in order: the host resolved here rather than by lettre,
/// so that with `public_only` the very addresses connected to are the ones checked
/// (TLS still checks the certificate against the host name). A refusal is retried,
/// like every settings problem: changing the settings lets the queued email go.
fn addresses(smtp: &Smtp, server: &str, public_only: bool) -> Result<Vec<SocketAddr>, Undelivered> {
    let resolved: Vec<SocketAddr> = (smtp.host.as_str(), smtp.port)
        .to_socket_addrs()
        .map_err(|err| Undelivered::retry(format!("cannot reach the SMTP server {server}: {err}")))?
        .collect();
    if resolved.is_empty() {
        return Err(Undelivered::retry(format!("cannot reach the SMTP server {server}: its name has no address")));
    }
    if !public_only {
        return Ok(resolved);
    }
    outbound::public(resolved).map_err(|refused| {
        let how = if smtp.host.parse::<IpAddr>().is_ok() { "is" } else { "resolves to" };
        Undelivered::retry(refused.reason(&format!("the SMTP server {server} {how}")))
    })
}

fn session(
    smtp: &Smtp,
    conn: &mut SmtpConnection,
    message: &Message,
    hello: &ClientId,
    server: &str,
) -> Result<(), Undelivered> {
    if smtp.security == SmtpSecurity::StartTls {
        if !conn.can_starttls() {
            return Err(Undelivered::retry(format!(
                "the SMTP server {server} does not offer STARTTLS; choose smtp-security tls or none"
            )));
        }
        let tls = TlsParameters::new(smtp.host.clone())
            .map_err(|err| Undelivered::retry(format!("TLS for {} cannot be set up: {err}", smtp.host)))?;
        conn.starttls(&tls, hello)
            .map_err(|err| Undelivered::retry(format!("STARTTLS with {server} failed: {}", cause(&err))))?;
    }
    if !smtp.username.is_empty() {
        let credentials = Credentials::new(smtp.username.clone(), smtp.password.clone());
        conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials).map_err(|err| {
            Undelivered::retry(format!("the SMTP server {server} refused the login: {}", cause(&err)))
        })?;
    }
    match conn.send(message.envelope(), &message.formatted()) {
        Ok(_) => Ok(()),
        Err(err) if err.is_permanent() => {
            Err(Undelivered::permanent(format!("the SMTP server {server} refused the email: {}", cause(&err))))
        }
        Err(err) => {
            Err(Undelivered::retry(format!("the SMTP server {server} did not take the email: {}", cause(&err))))
        }
    }
}

/// Why a step failed, for the item's last error: the reply code, or the kind of
/// failure. Never the server's text, which get-outbox would show to every admin
/// and which can tell of internal things (host names, software, a service that is
/// not SMTP at all); the server log keeps it at debug level.
fn cause(err: &lettre::transport::smtp::Error) -> String {
    tracing::debug!(error = %err, "SMTP step failed");
    let os_error = std::error::Error::source(err)
        .and_then(|source| source.downcast_ref::<std::io::Error>())
        .filter(|io| io.raw_os_error().is_some());
    if let Some(code) = err.status() {
        format!("SMTP {code}")
    } else if err.is_timeout() {
        format!("no answer within {} s", TIMEOUT.as_secs())
    } else if err.is_tls() {
        "the TLS handshake failed".into()
    } else if let Some(io) = os_error {
        io.to_string()
    } else if err.is_response() {
        "its answer is not SMTP".into()
    } else {
        "the connection failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp() -> Smtp {
        Smtp {
            host: "127.0.0.1".into(),
            port: 25,
            security: SmtpSecurity::None,
            username: String::new(),
            password: String::new(),
            sender_name: "Help desk".into(),
            sender: "help@example.com".parse().unwrap(),
        }
    }

    fn email() -> OutgoingEmail {
        OutgoingEmail {
            to: "ann@example.com".into(),
            to_name: "Ann".into(),
            subject: "Hello".into(),
            text: "a < b".into(),
            html: "a &lt; b".into(),
            recipient_id: None,
            sender_suffix: " (billing)".into(),
            files: Vec::new(),
        }
    }

    #[test]
    fn an_email_carries_its_delivery_id_the_sender_suffix_and_both_parts() {
        let message = build(&smtp(), &email(), "abc123", Vec::new()).unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(raw.contains("Message-ID: <abc123@example.com>"), "{raw}");
        // The name is an encoded word here; the integration tests read it decoded.
        assert!(raw.contains("From: =?utf-8?b?SGVscCBkZXNrIChiaWxsaW5nKQ==?= <help@example.com>"), "{raw}");
        assert!(raw.contains("multipart/alternative") && raw.contains("text/plain") && raw.contains("text/html"));
    }

    #[test]
    fn a_bad_recipient_address_fails_for_good() {
        let failure =
            build(&smtp(), &OutgoingEmail { to: "not an address".into(), ..email() }, "x", Vec::new()).unwrap_err();
        assert!(failure.permanent, "{failure:?}");
    }
}
