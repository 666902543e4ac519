//! The load generator: many concurrent keep-alive connections posting
//! PHP-encoded forms for a fixed time, recording each request's latency.

use std::sync::Arc;
use std::time::{Duration, Instant};

/// Builds the form body of the n-th request of a connection.
pub type Body = Arc<dyn Fn(&mut Picker) -> String + Send + Sync>;

/// A small, fast random source per connection (xorshift), so bodies vary.
pub struct Picker(u64);

impl Picker {
    /// A picker of its own for connection `n`.
    pub fn seeded(n: u64) -> Self {
        Picker(0x9E37_79B9_7F4A_7C15 ^ (n + 1).wrapping_mul(0x2545_F491_4F6C_DD1D))
    }

    pub fn below(&mut self, n: i64) -> i64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as i64
    }

    pub fn serial(&mut self) -> u64 {
        self.below(i64::MAX) as u64
    }
}

pub struct Stats {
    pub requests: usize,
    pub errors: usize,
    pub seconds: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

impl Stats {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

/// Posts `body()` to `url` from `connections` connections for `duration`.
pub fn run(runtime: &tokio::runtime::Runtime, url: &str, connections: usize, duration: Duration, body: Body) -> Stats {
    let client = reqwest::Client::builder().pool_max_idle_per_host(connections).build().expect("an HTTP client");
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = (0..connections)
        .map(|task| {
            let (client, url, body) = (client.clone(), url.to_string(), body.clone());
            runtime.spawn(async move {
                let mut picker = Picker::seeded(task as u64);
                let (mut latencies, mut errors) = (Vec::with_capacity(4096), 0usize);
                while Instant::now() < deadline {
                    let form = body(&mut picker);
                    let sent = Instant::now();
                    let answer = client
                        .post(&url)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .body(form)
                        .send()
                        .await;
                    let ok = match answer {
                        Ok(response) => response.text().await.is_ok_and(|text| text.starts_with("{\"success\":true")),
                        Err(_) => false,
                    };
                    latencies.push(sent.elapsed());
                    if !ok {
                        errors += 1;
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (mut some, failed) = runtime.block_on(task).expect("a load task");
        latencies.append(&mut some);
        errors += failed;
    }
    let seconds = started.elapsed().as_secs_f64();
    let [p50_ms, p95_ms, p99_ms] = percentiles_ms(&mut latencies, [0.50, 0.95, 0.99]);
    Stats { requests: latencies.len(), errors, seconds, p50_ms, p95_ms, p99_ms }
}

/// The latencies at quantiles `qs`, in milliseconds (0 with none).
pub fn percentiles_ms<const N: usize>(latencies: &mut [Duration], qs: [f64; N]) -> [f64; N] {
    latencies.sort_unstable();
    qs.map(|q| {
        let at = ((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1));
        latencies.get(at).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    })
}
