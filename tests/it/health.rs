//! `/healthz` and `/metrics` over HTTP.

use crate::support::TestApp;
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn healthz(app: &TestApp) -> (u16, Value) {
    let response = app.client.get(format!("{}/healthz", app.base)).send().unwrap();
    (response.status().as_u16(), response.json().unwrap())
}

#[test]
fn healthz_is_ok_and_turns_503_while_the_database_file_is_unreadable() {
    let app = TestApp::spawn();
    assert_eq!(healthz(&app), (200, json!({ "status": "ok" })));
    // Root reads any file whatever its mode, so the file is taken away instead:
    // the server's open connections alone would not notice.
    let database = app.state.config.database_path();
    let aside = database.with_extension("aside");
    std::fs::rename(&database, &aside).unwrap();
    let (status, body) = healthz(&app);
    std::fs::rename(&aside, &database).unwrap();
    assert_eq!((status, body), (503, json!({ "status": "unavailable", "reason": "database-unreadable" })));
    std::fs::write(&aside, b"this is not a database, whatever its name says").unwrap();
    std::fs::rename(&database, app.dir.path().join("real.db")).unwrap();
    std::fs::rename(&aside, &database).unwrap();
    let (status, _) = healthz(&app);
    std::fs::rename(app.dir.path().join("real.db"), &database).unwrap();
    assert_eq!(status, 503, "a file that is not a database");
    assert_eq!(healthz(&app), (200, json!({ "status": "ok" })), "healthy again once it is back");
}

/// The samples of an exposition, by series (`name{labels}`), after checking every
/// line against the text format's grammar.
fn parse(text: &str) -> BTreeMap<String, f64> {
    let mut samples = BTreeMap::new();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.last(), Some(&"# EOF"), "an exposition ends with # EOF");
    for line in &lines[..lines.len() - 1] {
        if let Some(comment) = line.strip_prefix("# ") {
            let mut words = comment.splitn(3, ' ');
            let (kind, name) = (words.next().unwrap(), words.next().unwrap_or_default());
            assert!(matches!(kind, "HELP" | "TYPE" | "UNIT"), "{line}");
            assert!(valid_name(name), "{line}");
            if kind == "TYPE" {
                let kinds = ["counter", "gauge", "histogram", "summary", "unknown", "info", "stateset"];
                assert!(kinds.contains(&words.next().unwrap_or_default()), "{line}");
            }
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value: {line}"));
        let name = series.split('{').next().unwrap();
        assert!(valid_name(name), "{line}");
        if let Some(labels) = series.strip_prefix(name).filter(|l| !l.is_empty()) {
            assert!(valid_labels(labels), "{line}");
        }
        let value = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            other => other.parse::<f64>().unwrap_or_else(|_| panic!("not a number: {line}")),
        };
        samples.insert(series.to_string(), value);
    }
    samples
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// `{a="x",b="y\"z"}`
fn valid_labels(labels: &str) -> bool {
    let Some(mut rest) = labels.strip_prefix('{').and_then(|l| l.strip_suffix('}')) else { return false };
    while !rest.is_empty() {
        let Some((name, value)) = rest.split_once("=\"") else { return false };
        if !valid_name(name) {
            return false;
        }
        let mut end = None;
        let mut escaped = false;
        for (i, c) in value.char_indices() {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let Some(end) = end else { return false };
        rest = &value[end + 1..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
    true
}

fn scrape(app: &TestApp) -> BTreeMap<String, f64> {
    let response = app.client.get(format!("{}/metrics", app.base)).send().unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));
    parse(&response.text().unwrap())
}

#[test]
fn metrics_parse_as_prometheus_text_and_the_request_counter_moves() {
    let app = TestApp::spawn();
    app.ok("get-users", json!({}));
    let series = r#"switchboard_requests_total{kind="api",name="get-users",outcome="ok"}"#;
    let before = scrape(&app);
    assert_eq!(before[series], 1.0);
    app.ok("get-users", json!({}));
    app.fails("get-user", json!({ "user_id": "x" }));
    let after = scrape(&app);
    assert_eq!(after[series], 2.0);
    assert_eq!(after[r#"switchboard_requests_total{kind="api",name="get-user",outcome="invalid-argument"}"#], 1.0);
    assert!(after[r#"switchboard_requests_total{kind="page",name="/metrics",outcome="2xx"}"#] >= 1.0);
    for family in [
        r#"switchboard_request_duration_seconds_count{kind="api",name="get-users"}"#,
        "switchboard_db_turn_wait_seconds_count",
        "switchboard_db_write_batch_size_count",
        "switchboard_outbox_pending",
        "switchboard_outbox_oldest_pending_age_seconds",
        "switchboard_widget_visitors_connected",
        "switchboard_database_size_bytes",
        "switchboard_database_wal_size_bytes",
        "switchboard_process_resident_memory_bytes",
    ] {
        assert!(after.contains_key(family), "{family} is missing");
    }
    assert!(after["switchboard_database_size_bytes"] > 0.0);
    assert!(after["switchboard_process_resident_memory_bytes"] > 1e6);
    assert!(after["switchboard_db_write_batch_size_count"] >= 1.0, "the admin's creation was a batch");
}

#[test]
fn job_runs_are_counted_by_outcome() {
    let app = TestApp::spawn_quiet_at("2024-03-01 02:00:00");
    app.ok("clean-data", json!({}));
    assert_eq!(scrape(&app)[r#"switchboard_job_runs_total{job="clean-data",outcome="ok"}"#], 1.0);
}

#[test]
fn metrics_beyond_loopback_need_the_bearer_token() {
    let token = "a-scraper-token-of-some-length";
    let app = TestApp::spawn_with(switchboard::clock::Clock::system(), |config| {
        config.trusted_proxies = vec!["127.0.0.1".into()];
        config.metrics_token = token.into();
    });
    let from_afar = |bearer: Option<&str>| {
        let mut request = app.client.get(format!("{}/metrics", app.base)).header("X-Forwarded-For", "203.0.113.9");
        if let Some(bearer) = bearer {
            request = request.header("Authorization", format!("Bearer {bearer}"));
        }
        request.send().unwrap().status().as_u16()
    };
    assert_eq!(from_afar(None), 403);
    assert_eq!(from_afar(Some("a-wrong-token-of-some-length")), 403);
    assert_eq!(from_afar(Some(token)), 200);
    assert_eq!(app.client.get(format!("{}/metrics", app.base)).send().unwrap().status(), 200, "loopback");
}
