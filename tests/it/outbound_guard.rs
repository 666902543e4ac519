//! The `outbound-public-only` setting: off, webhooks and email reach loopback as
//! they always did; on, a target on a loopback, private or link-local address is
//! refused, whether the address is written in the setting or a name resolves to it.

use crate::admin::signed_in_client;
use crate::admin_backoffice::csrf_of;
use crate::email::use_smtp;
use crate::support::receiver::Receiver;
use crate::support::smtp::SmtpServer;
use crate::support::TestApp;
use crate::webhooks::{configure, drain};
use serde_json::{json, Value};
use switchboard::jobs::outbox::DrainReport;

const START: &str = "2024-01-01 00:00:00";

fn public_only(app: &TestApp, on: bool) {
    app.ok("save-settings", json!({ "settings": { "outbound-public-only": on } }));
}

fn items(app: &TestApp, state: &str) -> Vec<Value> {
    app.ok("get-outbox", json!({ "state": state })).as_array().unwrap().clone()
}

fn last_error(item: &Value) -> String {
    item["last_error"].as_str().unwrap_or_default().to_string()
}

#[test]
fn a_new_install_leaves_the_setting_off_and_delivers_to_loopback_as_before() {
    let app = TestApp::spawn_quiet_at(START);
    let receiver = Receiver::start();
    let smtp = SmtpServer::start();
    configure(&app, &receiver.url(), "test");
    use_smtp(&app, smtp.port, "none");

    assert_eq!(app.ok("get-setting", json!({ "setting": "outbound-public-only" })), false);
    app.ok("send-test-webhook", json!({}));
    app.ok("send-custom-email", json!({ "to": "ann@example.com", "subject": "Local relay", "message": "m" }));
    let report = drain(&app);

    assert_eq!((report.delivered, report.failed, report.retrying), (2, 0, 0), "{:?}", items(&app, "pending"));
    assert_eq!(receiver.delivered().len(), 1);
    assert_eq!(smtp.received()[0].subject(), "Local relay");
}

#[test]
fn with_the_setting_on_a_webhook_to_a_loopback_address_fails_for_good_and_sends_nothing() {
    let app = TestApp::spawn_quiet_at(START);
    let receiver = Receiver::start();
    configure(&app, &receiver.url(), "");
    public_only(&app, true);

    let id = app.ok("send-test-webhook", json!({}));
    let report = drain(&app);

    assert_eq!(report, DrainReport { delivered: 0, retrying: 0, failed: 1 });
    assert!(receiver.requests().is_empty(), "nothing reached the receiver");
    let failed = items(&app, "failed");
    assert_eq!(failed[0]["id"], id);
    assert_eq!(
        last_error(&failed[0]),
        "the webhook URL points at a loopback address (127.0.0.1), which the outbound-public-only setting refuses"
    );
}

#[test]
fn with_the_setting_on_a_host_name_that_resolves_to_loopback_is_refused_after_dns() {
    let app = TestApp::spawn_quiet_at(START);
    let receiver = Receiver::start();
    configure(&app, &format!("http://localhost:{}/hook", receiver.addr.port()), "");
    app.ok("send-test-webhook", json!({}));
    assert_eq!(drain(&app).delivered, 1, "off, the name reaches the receiver");

    public_only(&app, true);
    app.ok("send-test-webhook", json!({}));
    let report = drain(&app);

    assert_eq!(report, DrainReport { delivered: 0, retrying: 0, failed: 1 });
    assert_eq!(receiver.requests().len(), 1, "only the delivery made while the setting was off arrived");
    let error = last_error(&items(&app, "failed")[0]);
    assert!(error.starts_with("the webhook URL resolves to a loopback address ("), "{error}");
    assert!(error.ends_with("), which the outbound-public-only setting refuses"), "{error}");
}

#[test]
fn with_the_setting_on_an_email_to_a_loopback_smtp_server_waits_and_leaves_once_it_is_off() {
    let smtp = SmtpServer::start();
    let app = TestApp::spawn_quiet_at(START);
    use_smtp(&app, smtp.port, "none");
    public_only(&app, true);
    app.ok("send-custom-email", json!({ "to": "ann@example.com", "subject": "Held", "message": "m" }));

    assert_eq!(drain(&app), DrainReport { delivered: 0, retrying: 1, failed: 0 });
    let error = last_error(&items(&app, "pending")[0]);
    assert_eq!(
        error,
        format!(
            "the SMTP server 127.0.0.1:{} is a loopback address (127.0.0.1), which the outbound-public-only setting refuses",
            smtp.port
        )
    );
    app.ok("save-settings", json!({ "settings": { "smtp-host": "localhost" } }));
    app.advance(30);
    assert_eq!(drain(&app).retrying, 1, "a name that resolves to loopback is refused too");
    let error = last_error(&items(&app, "pending")[0]);
    assert!(error.contains(&format!("localhost:{} resolves to a loopback address (", smtp.port)), "{error}");
    assert!(smtp.received().is_empty(), "nothing reached the SMTP server");

    public_only(&app, false);
    app.advance(60);
    assert_eq!(drain(&app).delivered, 1, "the setting is read at delivery time");
    assert_eq!(smtp.received()[0].subject(), "Held");
}

#[test]
fn the_settings_page_lists_the_setting_in_its_own_section_and_saves_it() {
    let app = TestApp::spawn();
    let admin = signed_in_client(&app);
    let page = admin.get(format!("{}/admin/settings", app.base)).send().unwrap().text().unwrap();
    assert!(page.contains("Outbound connections"), "the section is listed");
    assert!(page.contains("Refuse webhook and SMTP targets on private, loopback and link-local addresses"));

    let saved = admin
        .post(format!("{}/admin/settings/outbound", app.base))
        .form(&[("outbound-public-only", "on"), ("csrf_token", &csrf_of(&page))])
        .send()
        .unwrap();

    assert_eq!(saved.status(), 303);
    assert_eq!(app.ok("get-setting", json!({ "setting": "outbound-public-only" })), true);
}
