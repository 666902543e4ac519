//! A customer's website for the widget tests: a tiny HTTP server on its own
//! loopback port (so another origin than the Switchboard server under test) that
//! answers every GET with the same HTML page, whatever the path.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub struct HostPage {
    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub origin: String,
    stop: Arc<AtomicBool>,
}

impl HostPage {
    /// Serves `html` until dropped.
    pub fn serve(html: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let html = Arc::new(html);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let html = html.clone();
                std::thread::spawn(move || answer(stream, &html));
            }
        });
        HostPage { origin, stop }
    }

    /// The page's address at `path` (e.g. `/pricing`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }
}

impl Drop for HostPage {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so it sees the flag.
        let _ = TcpStream::connect(self.origin.trim_start_matches("http://"));
    }
}

/// Reads the request head and answers the page (a 404 for the favicon), then closes.
fn answer(mut stream: TcpStream, html: &str) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut buffer = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buffer[..n]),
        }
        if head.len() > 64 * 1024 {
            return;
        }
    }
    let request_line = String::from_utf8_lossy(&head).lines().next().unwrap_or_default().to_string();
    let response = if request_line.contains(" /favicon.ico ") {
        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
    } else {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{html}",
            html.len()
        )
    };
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}
