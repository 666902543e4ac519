//! Webhook delivery against a real HTTP receiver on loopback that fails: down and
//! back, a restart of Switchboard in between, refusals, redirects.

use crate::support::receiver::{Answer, Receiver, Request};
use crate::support::TestApp;
use crate::webhooks::{configure, drain, signature_verifies, KEY};
use serde_json::{json, Value};
use std::collections::HashMap;
use switchboard::jobs::outbox::DrainReport;

const START: &str = "2024-01-01 00:00:00";

fn failing(status: u16, body: &str) -> Answer {
    Answer { status, headers: vec![], body: body.into() }
}

/// Outbox item ID by delivery ID, for every item.
fn outbox_ids(app: &TestApp) -> HashMap<String, i64> {
    let items = app.ok("get-outbox", json!({}));
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["delivery_id"].as_str().unwrap().into(), i["id"].as_i64().unwrap()))
        .collect()
}

fn pending(app: &TestApp) -> Vec<Value> {
    app.ok("get-outbox", json!({ "state": "pending" })).as_array().unwrap().clone()
}

fn messages_in(delivered: &[Request], conversation: i64) -> Vec<String> {
    let conversation = conversation.to_string();
    delivered
        .iter()
        .map(Request::json)
        .filter(|b| b["function"] == "message-sent" && b["data"]["conversation_id"] == conversation.as_str())
        .map(|b| b["data"]["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_receiver_down_while_events_fire_gets_each_once_and_in_order_when_back() {
    let app = TestApp::spawn_quiet_at(START);
    let mut receiver = Receiver::start();
    configure(&app, &receiver.url(), "message-sent,conversation-status-updated");
    let (ann, bob, agent) =
        (app.add_user("Ann", None, "user"), app.add_user("Bob", None, "user"), app.add_user("Ada", None, "agent"));
    let (a, b) = (app.new_conversation(ann), app.new_conversation(bob));

    receiver.answer(failing(500, "database is down"));
    app.send(ann, a, "a1");
    app.send(bob, b, "b1");
    app.send(agent, a, "a2");
    let first = drain(&app);
    assert_eq!((first.delivered, first.failed), (0, 0));
    assert_eq!(first.retrying, 2, "only the oldest item of each conversation is tried; the rest wait behind it");
    assert!(pending(&app).iter().any(|i| i["last_error"].as_str().unwrap_or_default().contains("500")));

    receiver.take_down();
    app.send(bob, b, "b2");
    app.send(ann, a, "a3");
    app.ok("update-conversation-status", json!({ "conversation_id": b, "status_code": 3 }));
    app.advance(30);
    assert_eq!(drain(&app).delivered, 0);
    assert!(
        pending(&app).iter().any(|i| i["last_error"].as_str().unwrap_or_default().contains("could not connect")),
        "{:?}",
        pending(&app)
    );

    receiver.bring_back();
    receiver.answer(Answer::status(200));
    for _ in 0..10 {
        if pending(&app).is_empty() {
            break;
        }
        app.advance(3600);
        drain(&app);
    }

    assert!(pending(&app).is_empty(), "everything was delivered: {:?}", pending(&app));
    let ids = outbox_ids(&app);
    let delivered = receiver.delivered();
    let mut seen: Vec<&str> = delivered.iter().map(|r| r.header("X-Switchboard-Delivery")).collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), delivered.len(), "no delivery arrived twice");
    assert_eq!(delivered.len(), ids.len(), "every queued webhook arrived");
    assert_eq!(messages_in(&delivered, a), ["a1", "a2", "a3"]);
    assert_eq!(messages_in(&delivered, b), ["b1", "b2"]);
    for conversation in [a.to_string(), b.to_string()] {
        let order: Vec<i64> = delivered
            .iter()
            .filter(|r| r.json()["data"]["conversation_id"] == conversation.as_str())
            .map(|r| ids[r.header("X-Switchboard-Delivery")])
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "conversation {conversation} in order: {order:?}");
    }
    for attempt in receiver.requests() {
        let delivery = attempt.header("X-Switchboard-Delivery");
        let sent = delivered.iter().find(|r| r.header("X-Switchboard-Delivery") == delivery).unwrap();
        assert_eq!(attempt.body, sent.body, "every attempt sends the same bytes");
        assert!(signature_verifies(&attempt, KEY));
    }
}

#[test]
fn a_restart_in_the_middle_of_delivery_loses_nothing_and_repeats_nothing() {
    let mut app = TestApp::spawn_quiet_at(START);
    let receiver = Receiver::start();
    configure(&app, &receiver.url(), "message-sent");
    let user = app.add_user("Uma", None, "user");
    let conversation = app.new_conversation(user);
    app.send(user, conversation, "m1");
    app.send(user, conversation, "m2");
    assert_eq!(drain(&app).delivered, 2);
    receiver.answer(failing(503, "restarting"));
    for text in ["m3", "m4", "m5"] {
        app.send(user, conversation, text);
    }
    assert_eq!(drain(&app).retrying, 1);

    let config = (*app.state.config).clone();
    let data = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
    drop(app);
    let later = chrono::NaiveDateTime::parse_from_str("2024-01-01 01:00:00", "%Y-%m-%d %H:%M:%S").unwrap().and_utc();
    let state = switchboard::server::prepare(config, switchboard::clock::Clock::fixed(later)).unwrap();
    receiver.answer(Answer::status(200));
    let report = switchboard::jobs::outbox::drain_once(&mut state.blocking_session(), &state).unwrap();

    assert_eq!(report, DrainReport { delivered: 3, retrying: 0, failed: 0 });
    assert_eq!(messages_in(&receiver.delivered(), conversation), ["m1", "m2", "m3", "m4", "m5"]);
    drop(data);
}

#[test]
fn a_refusing_receiver_fails_the_item_for_good_with_its_status_as_the_last_error() {
    let app = TestApp::spawn_quiet_at(START);
    let receiver = Receiver::start();
    assert_eq!(app.call("send-test-webhook", json!({}))["response"], "invalid-argument", "no URL yet");
    let off = json!({ "webhooks-active": false, "webhooks-url": receiver.url(), "webhooks-key": KEY,
                      "webhooks-allowed": "message-sent" });
    app.ok("save-settings", json!({ "settings": { "webhooks": off } }));
    receiver.answer(failing(404, "no such hook"));

    let id = app.ok("send-test-webhook", json!({}));
    assert_eq!(drain(&app), DrainReport { delivered: 0, retrying: 0, failed: 1 });

    let failed = app.ok("get-outbox", json!({ "state": "failed" }));
    assert_eq!(failed[0]["id"], id);
    assert_eq!(failed[0]["kind"], "webhook");
    assert_eq!(failed[0]["attempts"], 1);
    assert_eq!(failed[0]["last_error"], "the receiver answered HTTP 404 Not Found");
    let request = &receiver.requests()[0];
    assert_eq!(request.header("X-Switchboard-Event"), "test");
    assert_eq!(request.json()["function"], "test", "the test webhook ignores active and allowed");
    assert!(signature_verifies(request, KEY));
    app.advance(24 * 3600);
    drain(&app);
    assert_eq!(receiver.requests().len(), 1, "a refusal is not retried");

    for (status, retried) in [(408, true), (429, true), (503, true), (400, false), (410, false)] {
        receiver.answer(failing(status, ""));
        app.ok("send-test-webhook", json!({}));
        let report = drain(&app);
        assert_eq!((report.retrying, report.failed), (retried as usize, !retried as usize), "HTTP {status}");
    }
}

#[test]
fn a_receivers_answer_never_reaches_the_last_error_only_its_status_does() {
    let app = TestApp::spawn_quiet_at(START);
    let receiver = Receiver::start();
    configure(&app, &receiver.url(), "");
    let secret = "redis AUTH s3cr3t-internal-token on 10.0.0.7:6379";

    receiver.answer(failing(500, secret));
    app.ok("send-test-webhook", json!({}));
    assert_eq!(drain(&app).retrying, 1);
    receiver.answer(failing(404, secret));
    app.ok("send-test-webhook", json!({}));
    assert_eq!(drain(&app).failed, 1);

    assert_eq!(receiver.requests().len(), 2, "both were answered with the secret");
    let retrying = pending(&app)[0]["last_error"].as_str().unwrap().to_string();
    let failed = app.ok("get-outbox", json!({ "state": "failed" }))[0]["last_error"].as_str().unwrap().to_string();
    assert_eq!(retrying, "the receiver answered HTTP 500 Internal Server Error");
    assert_eq!(failed, "the receiver answered HTTP 404 Not Found");
}

#[test]
fn redirects_are_never_followed_to_another_host_or_anywhere() {
    let app = TestApp::spawn_quiet_at(START);
    let elsewhere = Receiver::start_on("127.0.0.2");
    let redirecting = Receiver::start();
    configure(&app, &redirecting.url(), "");
    let redirects =
        [(307, "Temporary Redirect", elsewhere.url()), (302, "Found", format!("http://{}/other", redirecting.addr))];
    for (status, name, location) in redirects {
        let headers = vec![("Location".to_string(), location.clone())];
        redirecting.answer(Answer { status, headers, body: String::new() });
        app.ok("send-test-webhook", json!({}));
        assert_eq!(drain(&app).failed, 1, "{status}");
        let error = app.ok("get-outbox", json!({ "state": "failed" }))[0]["last_error"].clone();
        // Not the Location: it can name a host that only the server reaches.
        assert_eq!(error, format!("the receiver answered HTTP {status} {name}; redirects are not followed"));
    }
    assert!(elsewhere.requests().is_empty(), "nothing reached the other host");
    assert_eq!(redirecting.requests().iter().filter(|r| r.path == "/other").count(), 0);
    assert_eq!(redirecting.requests().len(), 2);
}

#[test]
fn cron_jobs_delivers_queued_webhooks_from_an_api_call() {
    let app = TestApp::spawn_quiet_at(START);
    let receiver = Receiver::start();
    configure(&app, &receiver.url(), "");
    app.ok("send-test-webhook", json!({}));
    assert!(receiver.requests().is_empty());
    assert_eq!(app.ok("cron-jobs", json!({})), true);
    assert_eq!(receiver.delivered().len(), 1);
    assert_eq!(app.ok("get-outbox", json!({ "state": "delivered" }))[0]["kind"], "webhook");
}

#[test]
fn a_receiver_that_never_answers_is_given_up_on_after_the_timeout_and_retried() {
    let app = TestApp::spawn_quiet_at(START);
    // Connections complete in the kernel's backlog, but nobody ever reads or answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    configure(&app, &format!("http://{}/hook", silent.local_addr().unwrap()), "");
    app.ok("send-test-webhook", json!({}));

    let started = std::time::Instant::now();
    let report = drain(&app);

    let waited = started.elapsed().as_secs_f64();
    assert_eq!(report, DrainReport { delivered: 0, retrying: 1, failed: 0 });
    assert!((9.0..30.0).contains(&waited), "gave up after {waited} s");
    let error = pending(&app)[0]["last_error"].clone();
    assert!(error.as_str().unwrap().contains("no answer within 10 s"), "{error}");
}
