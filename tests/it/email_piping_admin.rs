//! The email channel in the admin area, against a real Dovecot: the conversation
//! page shows that a message came by email with the full original, the Jobs page
//! shows the mailbox's last sync and its error, and the settings page's "Test
//! connection" tries the saved mailbox.

use crate::admin::signed_in_client;
use crate::admin_backoffice::csrf_of;
use crate::email_piping::{email_conversations, pipe, piped, sync};
use crate::support::imap::{Dovecot, PASSWORD};
use crate::support::TestApp;
use serde_json::json;

/// The text of the first element opened by `start` in `page`, up to `end`.
fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let from = page.find(start).unwrap_or_else(|| panic!("no {start} in the page:\n{page}")) + start.len();
    let to = page[from..].find(end).map(|at| from + at).unwrap_or_else(|| panic!("no {end} after {start}"));
    &page[from..to]
}

fn get(client: &reqwest::blocking::Client, app: &TestApp, path: &str) -> String {
    let response = client.get(format!("{}{path}", app.base)).send().unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().unwrap()
}

#[test]
fn the_conversation_page_shows_a_message_came_by_email_with_the_full_original() {
    let imap = Dovecot::start();
    let app = piped(&imap);
    imap.append(
        "From: Ann Lee <ann@customer.test>\r\nTo: help@acme.test\r\nSubject: Broken <lid>\r\nMessage-ID: <o1@customer.test>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nThe lid is broken.\r\n\r\nOn Mon, Help wrote:\r\n> Anything else?\r\n",
    );
    sync(&app);
    let conversation = email_conversations(&app)[0];
    let client = signed_in_client(&app);

    let page = get(&client, &app, &format!("/admin/conversations/{conversation}"));

    let original = between(&page, "<details class=\"email-original\">", "</details>");
    assert_eq!(
        between(original, "<summary>", "</summary>"),
        "By email from Ann Lee &lt;ann@customer.test&gt;: the full original"
    );
    assert_eq!(between(original, "<p class=\"subject\">", "</p>"), "Subject: Broken &#60;lid&#62;");
    assert_eq!(
        between(original, "<pre>", "</pre>"),
        "The lid is broken.\n\nOn Mon, Help wrote:\n&#62; Anything else?",
        "the quoted history trimmed from the message is in the original"
    );
    assert_eq!(between(&page, "<div class=\"body\">", "</div>"), "The lid is broken.", "the message itself is trimmed");
}

#[test]
fn the_jobs_page_shows_the_last_sync_with_its_error_and_then_what_it_took() {
    let imap = Dovecot::start();
    let app = TestApp::spawn_quiet_at("2024-03-01 09:00:00");
    pipe(&app, imap.port, "not-the-password");
    assert_eq!(app.call("email-piping", json!({ "force": true }))["response"], "email-piping-login-refused");
    let client = signed_in_client(&app);

    let page = get(&client, &app, "/admin/jobs");

    let section =
        between(&page, "<section class=\"panel\" aria-labelledby=\"sync-title\" id=\"email-piping\">", "</section>");
    assert!(section.contains("<span class=\"tag outcome-error\">error</span>"), "{section}");
    let error = between(section, "<p class=\"error\" role=\"alert\">", "</p>");
    assert!(error.contains("refused the login of support"), "the admin reads why: {error}");

    pipe(&app, imap.port, PASSWORD);
    imap.append("From: bo@customer.test\r\nSubject: hi\r\nMessage-ID: <j1@customer.test>\r\n\r\nhello\r\n");
    app.advance(120);
    sync(&app);
    let page = get(&client, &app, "/admin/jobs");
    let section =
        between(&page, "<section class=\"panel\" aria-labelledby=\"sync-title\" id=\"email-piping\">", "</section>");
    assert!(section.contains("<span class=\"tag outcome-ok\">ok</span>"), "{section}");
    let report = between(section, "<p class=\"sync-report\">", "</p>");
    assert!(report.contains("messages: 1"), "{report}");
}

#[test]
fn test_connection_on_the_settings_page_answers_for_the_saved_mailbox() {
    let imap = Dovecot::start();
    let app = TestApp::spawn_quiet_at("2024-03-01 09:00:00");
    pipe(&app, imap.port, "not-the-password");
    let client = signed_in_client(&app);
    let token = csrf_of(&get(&client, &app, "/admin/settings"));
    let test = || {
        client
            .post(format!("{}/admin/settings/test-mailbox", app.base))
            .form(&[("csrf_token", token.as_str())])
            .send()
            .unwrap()
    };

    let refused = test();
    assert_eq!(refused.status(), 422);
    let page = refused.text().unwrap();
    let error = between(&page, "Test connection</button>\n  </form>\n  <p class=\"error\" role=\"alert\">", "</p>");
    assert!(error.contains("refused the login of support"), "{error}");

    pipe(&app, imap.port, PASSWORD);
    let answered = test();
    assert_eq!(answered.status(), 303);
    let location = answered.headers()["location"].to_str().unwrap().to_string();
    assert!(location.contains("done=mailbox-answered"), "{location}");
    let page = get(&client, &app, &location);
    assert_eq!(
        between(&page, "<p class=\"notice\" role=\"status\">", "</p>"),
        "The mailbox answered: the server, the login and the folder work."
    );
}
