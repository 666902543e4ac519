//! Email delivery through the outbox when things go wrong: the SMTP server down
//! or not configured, refusals, a restart in the middle. Time moves only when the
//! test moves the clock; delivery happens only when the test drains the outbox.

use crate::email::{drain, outbox, use_smtp};
use crate::support::smtp::{free_port, SmtpServer};
use crate::support::TestApp;
use serde_json::json;
use switchboard::clock::Clock;
use switchboard::jobs::outbox::{drain_once, DrainReport};

const START: &str = "2024-03-01 09:00:00";

fn custom_email(app: &TestApp, to: &str, subject: &str) {
    app.ok("send-custom-email", json!({ "to": to, "subject": subject, "message": "m" }));
}

#[test]
fn an_email_waits_while_the_smtp_server_is_down_and_is_delivered_once_when_it_is_back() {
    let port = free_port();
    let app = TestApp::spawn_quiet_at(START);
    use_smtp(&app, port, "none");
    custom_email(&app, "ann@example.com", "Patience");

    assert_eq!(drain(&app), DrainReport { delivered: 0, retrying: 1, failed: 0 });
    let item = &outbox(&app)[0];
    assert_eq!((item["state"].as_str(), item["attempts"].as_i64()), (Some("pending"), Some(1)));
    assert!(item["last_error"].as_str().unwrap().contains("cannot reach the SMTP server"), "{item}");
    app.advance(30);
    assert_eq!(drain(&app).retrying, 1, "tried again after 30 s, still down");

    let smtp = SmtpServer::start_on(port);
    assert_eq!(drain(&app), DrainReport::default(), "the next try waits for its backoff");
    app.advance(60);
    assert_eq!(drain(&app).delivered, 1);
    app.advance(3600);
    assert_eq!(drain(&app), DrainReport::default(), "a delivered email is never sent again");
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].subject(), "Patience");
    assert_eq!(outbox(&app)[0]["state"], "delivered");
}

#[test]
fn without_smtp_settings_emails_wait_with_a_clear_error_until_an_admin_configures_them() {
    let app = TestApp::spawn_quiet_at(START);
    custom_email(&app, "ann@example.com", "Later");

    assert_eq!(drain(&app).retrying, 1);
    assert!(outbox(&app)[0]["last_error"].as_str().unwrap().contains("SMTP is not configured"));

    let smtp = SmtpServer::start();
    use_smtp(&app, smtp.port, "none");
    app.advance(30);
    assert_eq!(drain(&app).delivered, 1, "settings are read at delivery time");
    assert_eq!(smtp.received()[0].subject(), "Later");
}

#[test]
fn a_permanent_refusal_fails_for_good_and_a_temporary_one_is_retried_each_with_only_its_code() {
    let smtp = SmtpServer::start();
    let app = TestApp::spawn_quiet_at(START);
    use_smtp(&app, smtp.port, "none");
    custom_email(&app, "rejected@example.com", "No such mailbox");
    custom_email(&app, "busy@example.com", "Try later");

    assert_eq!(drain(&app), DrainReport { delivered: 0, retrying: 1, failed: 1 });
    let failed = app.ok("get-outbox", json!({ "state": "failed" }));
    let server = format!("127.0.0.1:{}", smtp.port);
    // The reply code only: the server's text ("Mailbox unavailable") may tell of internal things.
    assert_eq!(failed[0]["last_error"], format!("the SMTP server {server} refused the email: SMTP 550"), "{failed}");
    let pending = app.ok("get-outbox", json!({ "state": "pending" }));
    assert_eq!(pending[0]["last_error"], format!("the SMTP server {server} did not take the email: SMTP 451"));
    assert!(smtp.received().is_empty());
}

#[test]
fn starttls_that_the_server_does_not_offer_is_retried_never_sent_in_the_clear() {
    let smtp = SmtpServer::start();
    let app = TestApp::spawn_quiet_at(START);
    use_smtp(&app, smtp.port, "starttls");
    custom_email(&app, "ann@example.com", "Secret");

    assert_eq!(drain(&app).retrying, 1);
    assert!(outbox(&app)[0]["last_error"].as_str().unwrap().contains("does not offer STARTTLS"));
    assert!(smtp.received().is_empty());
}

#[test]
fn a_restart_between_queueing_and_delivery_loses_nothing_and_repeats_nothing() {
    let port = free_port();
    let mut app = TestApp::spawn_quiet_at(START);
    use_smtp(&app, port, "none");
    let ann = app.add_user("Ann", Some("ann@example.com"), "user");
    let ada = app.add_user("Ada", Some("ada@acme.test"), "agent");
    let conversation = app.new_conversation(ann);
    custom_email(&app, "one@example.com", "One");
    app.advance(120);
    app.send(ada, conversation, "A reply Ann will read by email");
    assert_eq!(drain(&app).retrying, 2, "both tried once while the server is down");
    custom_email(&app, "two@example.com", "Two");

    let config = (*app.state.config).clone();
    let dir = std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap());
    drop(app);
    let smtp = SmtpServer::start_on(port);
    let later = chrono::NaiveDateTime::parse_from_str("2024-03-01 10:00:00", "%Y-%m-%d %H:%M:%S").unwrap().and_utc();
    let restarted = switchboard::server::prepare(config, Clock::fixed(later)).unwrap();
    let mut db = restarted.blocking_session();

    assert_eq!(drain_once(&mut db, &restarted).unwrap().delivered, 3);
    assert_eq!(drain_once(&mut db, &restarted).unwrap(), DrainReport::default());
    let mut to: Vec<String> = smtp.received().iter().map(|r| r.to.join(",")).collect();
    to.sort();
    assert_eq!(to, ["ann@example.com", "one@example.com", "two@example.com"]);
    let mut ids: Vec<String> = smtp.received().iter().map(|r| r.message_id()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "each email has its own Message-ID");
    drop(dir);
}

#[test]
fn a_delivered_email_fires_the_email_sent_webhook_and_a_pending_one_does_not() {
    let port = free_port();
    let receiver = crate::support::receiver::Receiver::start();
    let app = TestApp::spawn_quiet_at(START);
    use_smtp(&app, port, "none");
    crate::webhooks::configure(&app, &receiver.url(), "");
    let ann = app.add_user("Ann", Some("ann@example.com"), "user");
    let email_sent =
        || -> Vec<_> { receiver.requests().into_iter().filter(|r| r.json()["function"] == "email-sent").collect() };
    let webhooks_queued = || outbox(&app).iter().filter(|item| item["kind"] == "webhook").count();
    let queued_before = webhooks_queued();

    app.ok("send-email", json!({ "recipient_id": ann, "message": "Your order shipped" }));
    assert_eq!(drain(&app).retrying, 1, "the SMTP server is down: the email stays pending");
    assert_eq!(outbox(&app).iter().filter(|item| item["kind"] == "email").count(), 1);
    assert_eq!(webhooks_queued(), queued_before, "no webhook is queued for a pending email");
    assert!(email_sent().is_empty(), "nothing fires while the email waits");

    let smtp = SmtpServer::start_on(port);
    app.advance(30);
    assert_eq!(drain(&app).delivered, 2, "the email, then the webhook its delivery queued");
    drain(&app);
    assert_eq!(smtp.received().len(), 1);
    let sent = email_sent();
    assert_eq!(sent.len(), 1, "fired once the email is delivered");
    assert_eq!(sent[0].json()["data"]["recipient_id"], ann.to_string());
    assert!(sent[0].json()["data"]["message"].as_str().unwrap().contains("Your order shipped"));
}
