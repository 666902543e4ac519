//! Chat widget visitors: many open event streams held at once, and how long an
//! agent's message takes from the API call to the visitor's stream while agents
//! send a steady rate of them.
//!
//! Each visitor starts from an address of its own (`X-Forwarded-For`, the bench's
//! server trusts loopback as a proxy), as real visitors would, so the per-address
//! limits on starting visitors do not apply to the bench as a whole.

use super::load::{percentiles_ms, Picker};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Plan {
    /// Visitors holding an open stream.
    pub streams: usize,
    /// Of those, how many have a conversation the agents write into.
    pub chatting: usize,
    /// Agent messages per second, spread over the chatting visitors.
    pub rate: u32,
    pub duration: Duration,
}

pub struct Outcome {
    /// Streams open and caught up at once.
    pub streams: usize,
    pub messages_sent: usize,
    /// Agent messages that never reached their visitor's stream.
    pub lost: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// A visitor the bench started: its address, credential and conversation.
#[derive(Clone)]
struct Started {
    from: String,
    credential: String,
    conversation: Option<i64>,
}

/// Messages sent (text → when) and how long the received ones took.
#[derive(Default)]
struct Ledger {
    sent: HashMap<String, Instant>,
    latencies: Vec<Duration>,
}

/// What the streams share: the ledger, how many are caught up, and when to stop.
struct Board {
    ledger: Mutex<Ledger>,
    caught_up: AtomicUsize,
    stop: AtomicBool,
    until: Instant,
}

/// Starts the visitors, opens their streams, then has agent `agent_id` (with
/// `token`) write to the chatting ones at `plan.rate`; `measure` is called once
/// every stream is open and caught up (for the server's memory then).
pub fn run(
    runtime: &tokio::runtime::Runtime,
    base: &str,
    token: &str,
    agent_id: i64,
    plan: &Plan,
    measure: impl FnOnce(),
) -> Result<Outcome, String> {
    let client = reqwest::Client::builder().pool_max_idle_per_host(64).build().map_err(|e| e.to_string())?;
    let visitors = runtime.block_on(start_visitors(&client, base, plan))?;
    let board = Arc::new(Board {
        ledger: Mutex::default(),
        caught_up: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
        until: Instant::now() + plan.duration + Duration::from_secs(120),
    });
    let url = format!("{base}/widget/events");
    let streams: Vec<_> = visitors
        .iter()
        .map(|visitor| runtime.spawn(listen(client.clone(), url.clone(), visitor.clone(), board.clone())))
        .collect();
    let opened = Instant::now();
    while board.caught_up.load(Ordering::Relaxed) < visitors.len() {
        if opened.elapsed() > Duration::from_secs(60) {
            let open = board.caught_up.load(Ordering::Relaxed);
            return Err(format!("only {open} of {} streams opened", visitors.len()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    measure();
    let chatters: Vec<i64> = visitors.iter().filter_map(|visitor| visitor.conversation).collect();
    let sent = runtime.block_on(write_to_visitors(&client, base, token, agent_id, &chatters, plan, &board.ledger))?;
    // Every message gets five seconds to arrive before it counts as lost.
    let waiting = Instant::now();
    while board.ledger.lock().map_or(0, |l| l.latencies.len()) < sent && waiting.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    board.stop.store(true, Ordering::Relaxed);
    for stream in streams {
        stream.abort();
    }
    let mut ledger = board.ledger.lock().map_err(|_| "the ledger")?;
    let received = ledger.latencies.len();
    let [p50_ms, p99_ms, max_ms] = percentiles_ms(&mut ledger.latencies, [0.50, 0.99, 1.0]);
    Ok(Outcome {
        streams: plan.streams,
        messages_sent: sent,
        lost: sent.saturating_sub(received),
        p50_ms,
        p99_ms,
        max_ms,
    })
}

/// Starts `plan.streams` visitors; the first `plan.chatting` say hello, which
/// opens their conversation. Answers each credential and conversation.
async fn start_visitors(client: &reqwest::Client, base: &str, plan: &Plan) -> Result<Vec<Started>, String> {
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..32)
        .map(|_| {
            let (client, base, next, total, chatting) =
                (client.clone(), base.to_string(), next.clone(), plan.streams, plan.chatting);
            tokio::spawn(async move {
                let mut started = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= total {
                        return Ok::<_, String>(started);
                    }
                    let from = format!("10.{}.{}.{}", n / 62_500 % 250, n / 250 % 250, 1 + n % 250);
                    let answer = call(&client, &format!("{base}/widget/visitor"), &from, None, "{}").await?;
                    let credential = answer["response"]["credential"].as_str().ok_or("no credential")?.to_string();
                    let mut conversation = None;
                    if n < chatting {
                        let hello = r#"{"message":"Hello, is anyone there?"}"#;
                        let said =
                            call(&client, &format!("{base}/widget/messages"), &from, Some(&credential), hello).await?;
                        let id = said["response"]["conversation"]["id"].as_str().and_then(|id| id.parse().ok());
                        conversation = Some(id.ok_or("no conversation")?);
                    }
                    started.push(Started { from, credential, conversation });
                }
            })
        })
        .collect();
    let mut visitors = Vec::new();
    for worker in workers {
        visitors.extend(worker.await.map_err(|e| e.to_string())??);
    }
    Ok(visitors)
}

async fn call(
    client: &reqwest::Client,
    url: &str,
    from: &str,
    credential: Option<&str>,
    body: &'static str,
) -> Result<serde_json::Value, String> {
    let mut request = client
        .post(url)
        .header("X-Forwarded-For", from)
        .header("Origin", "https://shop.example")
        .header("Content-Type", "application/json")
        .body(body);
    if let Some(credential) = credential {
        request = request.header("X-Switchboard-Visitor", credential);
    }
    let text = request.send().await.map_err(|e| e.to_string())?.text().await.map_err(|e| e.to_string())?;
    let answer: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{url}: {e}: {text}"))?;
    if answer["success"] != true {
        return Err(format!("{url}: {answer}"));
    }
    Ok(answer)
}

/// Holds one visitor's stream, reconnecting from the last event as a browser
/// does, and records when each agent message arrives.
async fn listen(client: reqwest::Client, url: String, visitor: Started, board: Arc<Board>) {
    let (mut last_id, mut counted) = (String::from("0"), false);
    while !board.stop.load(Ordering::Relaxed) && Instant::now() < board.until {
        let request = client
            .get(&url)
            .query(&[("visitor", visitor.credential.as_str())])
            .header("Origin", "https://shop.example")
            .header("X-Forwarded-For", &visitor.from)
            .header("Last-Event-ID", &last_id);
        let mut response = match request.send().await {
            Ok(response) if response.status().is_success() => response,
            _ => {
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let mut buffer = String::new();
        while let Ok(Some(chunk)) = response.chunk().await {
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let event: String = buffer.drain(..end + 2).collect();
                let arrived = Instant::now();
                let (mut id, mut kind, mut data) = ("", "", "");
                for line in event.lines() {
                    if let Some((field, value)) = line.split_once(": ") {
                        match field {
                            "id" => id = value,
                            "event" => kind = value,
                            "data" => data = value,
                            _ => {}
                        }
                    }
                }
                if !id.is_empty() {
                    last_id = id.to_string();
                }
                // The first availability event follows the catch-up read.
                if kind == "availability" && !counted {
                    counted = true;
                    board.caught_up.fetch_add(1, Ordering::Relaxed);
                }
                if kind == "message" {
                    let text = serde_json::from_str::<serde_json::Value>(data)
                        .ok()
                        .and_then(|m| m["message"].as_str().map(str::to_string))
                        .unwrap_or_default();
                    let mut ledger = board.ledger.lock().unwrap_or_else(|e| e.into_inner());
                    if let Some(sent) = ledger.sent.remove(&text) {
                        ledger.latencies.push(arrived - sent);
                    }
                }
            }
        }
    }
}

/// Agent messages at `plan.rate` per second to random chatting visitors for
/// `plan.duration`, each its own request; answers how many were sent.
async fn write_to_visitors(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    agent_id: i64,
    chatters: &[i64],
    plan: &Plan,
    ledger: &Mutex<Ledger>,
) -> Result<usize, String> {
    if chatters.is_empty() {
        return Ok(0);
    }
    let api = format!("{base}/include/api.php");
    let mut ticks = tokio::time::interval(Duration::from_secs(1) / plan.rate.max(1));
    let (mut picker, deadline, mut sends) = (Picker::seeded(7), Instant::now() + plan.duration, Vec::new());
    let mut serial = 0usize;
    while Instant::now() < deadline {
        ticks.tick().await;
        serial += 1;
        let conversation_id = chatters[picker.below(chatters.len() as i64) as usize];
        let text = format!("Agent reply number {serial}");
        let form = format!(
            "token={token}&function=send-message&user_id={agent_id}&conversation_id={conversation_id}&message={}",
            text.replace(' ', "+")
        );
        ledger.lock().map_err(|_| "the ledger")?.sent.insert(text, Instant::now());
        let request = client.post(&api).header("Content-Type", "application/x-www-form-urlencoded").body(form);
        sends.push(tokio::spawn(async move {
            let answer = request.send().await.map_err(|e| e.to_string())?;
            let text = answer.text().await.map_err(|e| e.to_string())?;
            if !text.starts_with("{\"success\":true") {
                return Err(format!("send-message: {text}"));
            }
            Ok(())
        }));
    }
    for send in sends {
        send.await.map_err(|e| e.to_string())??;
    }
    Ok(serial)
}
