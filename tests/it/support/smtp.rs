//! A real SMTP server on loopback (mailin-embedded) that keeps every email it
//! accepts. Recipients starting with `rejected` get a permanent 550, those
//! starting with `busy` a temporary 451, so tests can see both kinds of refusal.

use mailin_embedded::{response, Handler, Response, Server};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One accepted email: the envelope and the raw message.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

impl Received {
    pub fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default().parse(&self.data).expect("a MIME message")
    }

    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_string()
    }

    pub fn sender_name(&self) -> String {
        let parsed = self.parsed();
        parsed.from().and_then(|from| from.first()).and_then(|a| a.name()).unwrap_or_default().to_string()
    }

    /// The text part, with SMTP's CRLF line ends read as `\n`.
    pub fn text(&self) -> String {
        self.parsed().body_text(0).unwrap_or_default().replace("\r\n", "\n")
    }

    pub fn html(&self) -> String {
        self.parsed().body_html(0).unwrap_or_default().replace("\r\n", "\n")
    }

    pub fn message_id(&self) -> String {
        self.parsed().message_id().unwrap_or_default().to_string()
    }
}

#[derive(Clone)]
struct Sink {
    inbox: Arc<Mutex<Vec<Received>>>,
    current: Option<Received>,
}

impl Handler for Sink {
    fn rcpt(&mut self, to: &str) -> Response {
        if to.starts_with("rejected") {
            response::NO_MAILBOX
        } else if to.starts_with("busy") {
            response::INTERNAL_ERROR
        } else {
            response::OK
        }
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(Received { from: from.to_string(), to: to.to_vec(), data: Vec::new() });
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(current) = self.current.as_mut() {
            current.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(received) = self.current.take() {
            self.inbox.lock().unwrap().push(received);
        }
        response::OK
    }
}

/// The server runs on its own thread until the test process ends.
pub struct SmtpServer {
    pub port: u16,
    inbox: Arc<Mutex<Vec<Received>>>,
}

impl SmtpServer {
    pub fn start() -> Self {
        Self::serve(TcpListener::bind("127.0.0.1:0").unwrap())
    }

    /// Starts on `port`, which a test reserved with [`free_port`] while "the mail
    /// server was down".
    pub fn start_on(port: u16) -> Self {
        Self::serve(TcpListener::bind(("127.0.0.1", port)).unwrap())
    }

    fn serve(listener: TcpListener) -> Self {
        let port = listener.local_addr().unwrap().port();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let mut server = Server::new(Sink { inbox: inbox.clone(), current: None });
        server.with_name("sink.test").with_tcp_listener(listener).with_num_threads(2);
        std::thread::spawn(move || {
            if let Err(err) = server.serve() {
                eprintln!("the test SMTP server stopped: {err}");
            }
        });
        Self { port, inbox }
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }

    /// Waits (at most 20 s) until `count` emails have arrived; answers them all.
    pub fn wait_for(&self, count: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(Instant::now() < deadline, "{count} emails expected, {} arrived", received.len());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A loopback port that nothing listens on, for a mail server that is down.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}
