//! A logged-in IMAP session with the piped mailbox: TCP with timeouts, then TLS
//! from the first byte, STARTTLS, or (to a loopback server only) neither. TLS is
//! rustls over ring with the Mozilla roots compiled in, as for SMTP and webhooks,
//! so nothing needs OpenSSL or system certificates. Failures are told in words an
//! admin can act on, never in the server's own text.

use crate::domain::settings::{EmailPiping, MailboxSecurity};
use crate::error::{Failure, PipingFailure};
use imap::extensions::idle::SetReadTimeout;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long any one read or write may take; IDLE sets its own while it waits.
const IO_TIMEOUT: Duration = Duration::from_secs(60);

pub type Session = imap::Session<Stream>;

/// The connection under the IMAP session.
pub enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(tcp) => tcp,
            Stream::Tls(tls) => tls.get_ref(),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(tcp) => tcp.read(buf),
            Stream::Tls(tls) => tls.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(tcp) => tcp.write(buf),
            Stream::Tls(tls) => tls.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Plain(tcp) => tcp.flush(),
            Stream::Tls(tls) => tls.flush(),
        }
    }
}

impl SetReadTimeout for Stream {
    /// IDLE clears its timeout when it ends; the ordinary one comes back then, so
    /// no later read can wait forever.
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> imap::Result<()> {
        self.tcp().set_read_timeout(Some(timeout.unwrap_or(IO_TIMEOUT))).map_err(imap::Error::Io)
    }
}

fn failure(why: PipingFailure, reason: impl Into<String>) -> Failure {
    Failure::EmailPiping(why, reason.into())
}

/// What an IMAP step's error says, for a step described as `step`.
pub fn step_failed(step: &str, err: &imap::Error) -> Failure {
    tracing::debug!(error = %err, step, "IMAP step failed");
    match err {
        imap::Error::Io(io) => failure(PipingFailure::Unreachable, format!("{step}: the connection failed ({io})")),
        imap::Error::ConnectionLost | imap::Error::Bye(_) => {
            failure(PipingFailure::Unreachable, format!("{step}: the server closed the connection"))
        }
        imap::Error::No(_) | imap::Error::Bad(_) => {
            failure(PipingFailure::Failed, format!("{step}: the server refused it"))
        }
        _ => failure(PipingFailure::Failed, format!("{step}: the server's answer could not be read")),
    }
}

/// Connects and logs in. With `public_only` (the outbound-public-only setting) a
/// server on a loopback, private or link-local address is refused, as for SMTP.
pub fn open(piping: &EmailPiping, public_only: bool) -> Result<Session, Failure> {
    let server = format!("{}:{}", piping.host, piping.port);
    let tcp = connect(piping, &server, public_only)?;
    let client = match piping.security {
        MailboxSecurity::Tls => greeted(Stream::Tls(Box::new(tls(&piping.host, tcp)?)), &server)?,
        MailboxSecurity::None => greeted(Stream::Plain(tcp), &server)?,
        MailboxSecurity::StartTls => {
            let mut plain = greeted(Stream::Plain(tcp), &server)?;
            let offered = plain.capabilities().map_err(|err| step_failed("asking for its capabilities", &err))?;
            if !offered.has_str("STARTTLS") {
                return Err(failure(
                    PipingFailure::Unreachable,
                    format!("the IMAP server {server} does not offer STARTTLS; choose email-piping-tls tls or none"),
                ));
            }
            let Stream::Plain(tcp) = plain.into_inner().map_err(|err| step_failed("STARTTLS", &err))? else {
                unreachable!("a plain client gives back its plain stream")
            };
            imap::Client::new(Stream::Tls(Box::new(tls(&piping.host, starttls(tcp, &server)?)?)))
        }
    };
    client.login(&piping.user, &piping.password).map_err(|(err, _)| match err {
        imap::Error::No(_) | imap::Error::Bad(_) => failure(
            PipingFailure::LoginRefused,
            format!("the IMAP server {server} refused the login of {}", piping.user),
        ),
        err => step_failed("logging in", &err),
    })
}

/// Sends STARTTLS on a greeted connection and reads its answer (RFC 3501 6.2.1).
/// The imap crate sends it only from inside its own TLS connectors (native-tls, or
/// an older rustls with the system's certificates), so this one command is sent
/// here; everything after it is the crate's. Read a byte at a time: nothing past
/// the answer may be taken from the socket before the TLS handshake.
fn starttls(mut tcp: TcpStream, server: &str) -> Result<TcpStream, Failure> {
    let lost =
        |err: std::io::Error| failure(PipingFailure::Unreachable, format!("STARTTLS with {server} failed: {err}"));
    tcp.write_all(b"s1 STARTTLS\r\n").map_err(lost)?;
    loop {
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while !line.ends_with(b"\r\n") && line.len() < 8192 {
            if tcp.read(&mut byte).map_err(lost)? == 0 {
                return Err(failure(PipingFailure::Unreachable, format!("{server} closed the connection at STARTTLS")));
            }
            line.push(byte[0]);
        }
        if line.starts_with(b"s1 OK") {
            return Ok(tcp);
        }
        if !line.starts_with(b"* ") {
            return Err(failure(PipingFailure::Unreachable, format!("the IMAP server {server} refused STARTTLS")));
        }
    }
}

fn greeted(stream: Stream, server: &str) -> Result<imap::Client<Stream>, Failure> {
    let mut client = imap::Client::new(stream);
    client.read_greeting().map_err(|err| step_failed(&format!("reading the greeting of {server}"), &err))?;
    Ok(client)
}

fn connect(piping: &EmailPiping, server: &str, public_only: bool) -> Result<TcpStream, Failure> {
    let unreachable =
        |why: String| failure(PipingFailure::Unreachable, format!("cannot reach the IMAP server {server}: {why}"));
    let mut addresses: Vec<SocketAddr> =
        (piping.host.as_str(), piping.port).to_socket_addrs().map_err(|err| unreachable(err.to_string()))?.collect();
    if piping.security == MailboxSecurity::None && !addresses.iter().all(|a| a.ip().is_loopback()) {
        return Err(failure(
            PipingFailure::NotConfigured,
            "email-piping-tls none sends the password in the clear: it is for a server on a loopback address only",
        ));
    }
    if public_only {
        addresses = crate::jobs::outbound::public(addresses).map_err(|refused| {
            failure(PipingFailure::Unreachable, refused.reason(&format!("the IMAP server {server} is")))
        })?;
    }
    let mut last = "its name has no address".to_string();
    for address in addresses {
        match TcpStream::connect_timeout(&address, CONNECT_TIMEOUT) {
            Ok(tcp) => {
                let timeouts = tcp.set_read_timeout(Some(IO_TIMEOUT)).and(tcp.set_write_timeout(Some(IO_TIMEOUT)));
                timeouts.map_err(|err| unreachable(err.to_string()))?;
                return Ok(tcp);
            }
            Err(err) => last = err.to_string(),
        }
    }
    Err(unreachable(last))
}

/// TLS over `tcp`, the handshake done here so that its failure is told as one.
fn tls(host: &str, tcp: TcpStream) -> Result<StreamOwned<ClientConnection, TcpStream>, Failure> {
    let refused = |why: String| failure(PipingFailure::Unreachable, format!("TLS with {host} failed: {why}"));
    let roots = RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let config = ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|err| refused(err.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_string()).map_err(|err| refused(err.to_string()))?;
    let connection = ClientConnection::new(Arc::new(config), name).map_err(|err| refused(err.to_string()))?;
    let mut stream = StreamOwned::new(connection, tcp);
    while stream.conn.is_handshaking() {
        stream.conn.complete_io(&mut stream.sock).map_err(|err| refused(err.to_string()))?;
    }
    Ok(stream)
}
