//! What `/metrics` reports, in the OpenMetrics text format Prometheus scrapes,
//! every family prefixed `switchboard_`. One [`Metrics`] per server, kept in its
//! state (never global, so tests run many servers in one process). Counters and
//! histograms move as things happen; gauges are read when scraped.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    /// `api`, `widget` or `page`.
    kind: &'static str,
    /// The API function, or the page's route pattern (`/admin/users/{id}`).
    name: String,
    /// `ok` or the envelope's code for the API; the status class (`2xx`) otherwise.
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LatencyLabels {
    kind: &'static str,
    name: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    job: &'static str,
    /// `ok` or `error`.
    outcome: &'static str,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<LatencyLabels, Histogram, fn() -> Histogram>,
    job_runs: Family<JobLabels, Counter>,
    outbox_pending: Gauge,
    outbox_oldest_seconds: Gauge<f64, AtomicU64>,
    widget_visitors: Gauge,
    database_bytes: Gauge,
    wal_bytes: Gauge,
    resident_bytes: Gauge,
}

/// What is read from the database and the files when `/metrics` is scraped.
#[derive(Debug, Default)]
pub struct Readings {
    pub outbox_pending: i64,
    pub outbox_oldest_seconds: f64,
    pub widget_visitors: i64,
    pub database_bytes: i64,
    pub wal_bytes: i64,
}

impl Metrics {
    /// The metrics, with the database's own histograms (turn waits, write batch
    /// sizes) registered beside them.
    pub fn new(turn_waits: Histogram, batch_sizes: Histogram) -> Self {
        let mut registry = Registry::with_prefix("switchboard");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("requests", "Requests served, by API function or page, and outcome", requests.clone());
        let latency = Family::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register("request_duration_seconds", "Time to answer a request", latency.clone());
        registry.register("db_turn_wait_seconds", "Time waited for a turn at the database", turn_waits);
        registry.register("db_write_batch_size", "Writes per committed write batch (group commit)", batch_sizes);
        let job_runs = Family::<JobLabels, Counter>::default();
        registry.register("job_runs", "Recorded job runs, by job and outcome", job_runs.clone());
        let (outbox_pending, outbox_oldest_seconds) = (Gauge::default(), Gauge::<f64, AtomicU64>::default());
        let (widget_visitors, database_bytes, wal_bytes, resident_bytes) =
            (Gauge::default(), Gauge::default(), Gauge::default(), Gauge::default());
        registry.register("outbox_pending", "Emails and webhooks waiting for delivery", outbox_pending.clone());
        registry.register(
            "outbox_oldest_pending_age_seconds",
            "Age of the oldest item waiting for delivery (0 when none)",
            outbox_oldest_seconds.clone(),
        );
        registry.register("widget_visitors_connected", "Chat widget event streams open now", widget_visitors.clone());
        registry.register("database_size_bytes", "Size of switchboard.db", database_bytes.clone());
        registry.register("database_wal_size_bytes", "Size of switchboard.db-wal", wal_bytes.clone());
        registry.register(
            "process_resident_memory_bytes",
            "Resident memory of the server process",
            resident_bytes.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            job_runs,
            outbox_pending,
            outbox_oldest_seconds,
            widget_visitors,
            database_bytes,
            wal_bytes,
            resident_bytes,
        }
    }

    /// Counts a request served and how long it took.
    pub fn request(&self, kind: &'static str, name: &str, outcome: &str, seconds: f64) {
        let name = name.to_string();
        self.requests.get_or_create(&RequestLabels { kind, name: name.clone(), outcome: outcome.to_string() }).inc();
        self.latency.get_or_create(&LatencyLabels { kind, name }).observe(seconds);
    }

    /// Counts a recorded job run.
    pub fn job_run(&self, job: &'static str, ok: bool) {
        self.job_runs.get_or_create(&JobLabels { job, outcome: if ok { "ok" } else { "error" } }).inc();
    }

    /// The text a scrape answers, with the gauges set from `readings` first.
    pub fn render(&self, readings: &Readings) -> String {
        self.outbox_pending.set(readings.outbox_pending);
        self.outbox_oldest_seconds.set(readings.outbox_oldest_seconds);
        self.widget_visitors.set(readings.widget_visitors);
        self.database_bytes.set(readings.database_bytes);
        self.wal_bytes.set(readings.wal_bytes);
        self.resident_bytes.set(resident_bytes());
        let mut text = String::new();
        if let Err(err) = prometheus_client::encoding::text::encode(&mut text, &self.registry) {
            tracing::error!(error = %err, "metrics could not be encoded");
        }
        text
    }
}

/// The process's resident set size, from `/proc/self/status` (0 elsewhere).
fn resident_bytes() -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<i64>().ok())
        .map_or(0, |kib| kib * 1024)
}

/// The content type of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_prefixed_and_counters_move() {
        let metrics = Metrics::new(Histogram::new([1.0]), Histogram::new([1.0]));
        metrics.request("api", "add-user", "ok", 0.002);
        metrics.request("api", "add-user", "ok", 0.002);
        let text = metrics.render(&Readings { outbox_pending: 3, ..Readings::default() });
        assert!(text.contains(r#"switchboard_requests_total{kind="api",name="add-user",outcome="ok"} 2"#), "{text}");
        assert!(text.contains("switchboard_outbox_pending 3"), "{text}");
        assert!(resident_bytes() > 0);
        assert!(text.ends_with("# EOF\n"));
    }
}
