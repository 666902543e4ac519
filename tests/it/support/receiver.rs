//! A webhook receiver: a real HTTP/1.1 server on a loopback port, one thread, that
//! records every request and answers what the test says (200, 500, 404, a
//! redirect). It can be taken down (the port closes) and brought back on the same
//! port.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One request as it arrived, with the status it was answered.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Header names in lowercase.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
    pub status: u16,
}

impl Request {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str).unwrap_or_default()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("not JSON: {:?}", self.body))
    }
}

/// What the receiver answers: a status, extra headers and a body.
#[derive(Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn status(status: u16) -> Self {
        Self { status, headers: vec![], body: String::new() }
    }
}

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<Request>>,
    answer: Mutex<Option<Answer>>,
}

pub struct Receiver {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    running: Option<(Arc<AtomicBool>, JoinHandle<()>)>,
}

impl Receiver {
    /// A receiver on `ip` (any loopback address), answering 200.
    pub fn start_on(ip: &str) -> Self {
        let listener = TcpListener::bind((ip, 0)).unwrap();
        let mut receiver =
            Self { addr: listener.local_addr().unwrap(), shared: Arc::new(Shared::default()), running: None };
        receiver.serve(listener);
        receiver.answer(Answer::status(200));
        receiver
    }

    pub fn start() -> Self {
        Self::start_on("127.0.0.1")
    }

    /// The URL of the hook at `/hook`.
    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    pub fn answer(&self, answer: Answer) {
        *self.shared.answer.lock().unwrap() = Some(answer);
    }

    /// Every request so far, in the order they arrived.
    pub fn requests(&self) -> Vec<Request> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// The requests that were answered 2xx: the deliveries.
    pub fn delivered(&self) -> Vec<Request> {
        self.requests().into_iter().filter(|r| (200..300).contains(&r.status)).collect()
    }

    /// Closes the port: connections are refused until [`Receiver::bring_back`].
    pub fn take_down(&mut self) {
        if let Some((stop, thread)) = self.running.take() {
            stop.store(true, Ordering::SeqCst);
            let _ = TcpStream::connect(self.addr);
            thread.join().unwrap();
        }
        assert!(TcpStream::connect(self.addr).is_err(), "the port still answers");
    }

    /// Listens on the same port again.
    pub fn bring_back(&mut self) {
        let listener = TcpListener::bind(self.addr).unwrap();
        self.serve(listener);
    }

    fn serve(&mut self, listener: TcpListener) {
        let stop = Arc::new(AtomicBool::new(false));
        let (stopping, shared) = (stop.clone(), self.shared.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let _ = handle(stream, &shared);
                }
            }
        });
        self.running = Some((stop, thread));
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some((stop, thread)) = self.running.take() {
            stop.store(true, Ordering::SeqCst);
            let _ = TcpStream::connect(self.addr);
            let _ = thread.join();
        }
    }
}

fn handle(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(());
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or_default().to_string(), parts.next().unwrap_or_default().to_string());
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let length: usize = headers.get("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let answer = shared.answer.lock().unwrap().clone().unwrap_or(Answer::status(200));
    shared.requests.lock().unwrap().push(Request { method, path, headers, body, status: answer.status });
    let mut response = format!(
        "HTTP/1.1 {} Test\r\nContent-Length: {}\r\nContent-Type: text/plain\r\nConnection: close\r\n",
        answer.status,
        answer.body.len()
    );
    for (name, value) in &answer.headers {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\n");
    response.push_str(&answer.body);
    let mut stream = stream;
    stream.write_all(response.as_bytes())?;
    stream.flush()
}
