//! How the mail front door connects, against a real Dovecot that offers neither
//! TLS nor STARTTLS: STARTTLS is required when asked for (the password is never
//! sent in the clear), TLS to a plain server fails cleanly, and no encryption at
//! all is only for a loopback server.

use crate::support::imap::{Dovecot, USER};
use crate::support::TestApp;
use serde_json::json;

fn pipe_as(app: &TestApp, host: &str, port: u16, tls: &str, password: &str) {
    let piping = json!({
        "email-piping-active": true, "email-piping-host": host, "email-piping-port": port,
        "email-piping-tls": tls, "email-piping-user": USER, "email-piping-password": password,
        "email-piping-folder": "INBOX", "email-piping-address": "help@acme.test",
    });
    app.ok("save-settings", json!({ "settings": { "email-piping": piping } }));
}

fn failure(app: &TestApp) -> (String, String) {
    let answer = app.call("email-piping", json!({ "force": true }));
    assert_eq!(answer["success"], false, "{answer}");
    (answer["response"].as_str().unwrap().into(), answer["message"].as_str().unwrap().into())
}

#[test]
fn starttls_is_required_when_chosen_tls_must_be_spoken_and_plain_imap_is_for_loopback_only() {
    let imap = Dovecot::start();
    let app = TestApp::spawn_quiet_at("2024-03-01 09:00:00");

    // A wrong password: had it been sent in the clear, the answer would be login-refused.
    pipe_as(&app, "127.0.0.1", imap.port, "starttls", "wrong-password");
    let (code, message) = failure(&app);
    assert_eq!(code, "email-piping-unreachable", "{message}");
    assert!(message.contains("does not offer STARTTLS"), "{message}");

    pipe_as(&app, "127.0.0.1", imap.port, "tls", "wrong-password");
    assert_eq!(failure(&app).0, "email-piping-unreachable", "TLS with a plain server fails before the login");

    pipe_as(&app, "192.0.2.1", imap.port, "none", "wrong-password");
    let (code, message) = failure(&app);
    assert_eq!(code, "email-piping-not-configured", "{message}");
    assert!(message.contains("loopback address only"), "{message}");
}

#[test]
fn the_mailbox_password_is_never_shown_and_saving_the_mask_back_keeps_it() {
    let imap = Dovecot::start();
    let app = TestApp::spawn_quiet_at("2024-03-01 09:00:00");
    pipe_as(&app, "127.0.0.1", imap.port, "none", crate::support::imap::PASSWORD);

    let shown = app.ok("get-setting", json!({ "setting": "email-piping" }));
    assert_eq!(shown["email-piping-password"], "********", "{shown}");
    let exported = app.ok("get-settings", json!({}));
    assert!(!exported.to_string().contains(crate::support::imap::PASSWORD), "no answer holds the password");
    let audit = app.ok("get-audit-log", json!({}));
    assert!(audit.to_string().contains("email-piping"), "the change is in the audit log: {audit}");
    assert!(!audit.to_string().contains(crate::support::imap::PASSWORD), "masked there too: {audit}");

    // An admin's form sends back what it read: the mask keeps the password.
    app.ok("save-settings", json!({ "settings": { "email-piping": shown } }));
    assert_eq!(app.ok("test-email-piping", json!({})), json!({ "messages": 0 }), "still logs in");
}
