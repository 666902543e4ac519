//! Email in, against a real IMAP server (Dovecot) and a real SMTP server on
//! loopback: mail becomes conversations, agents' replies go out threaded, the
//! customer's answers come back into the same conversation, and machines' mail,
//! floods and failures are handled.

use crate::email::{drain, use_smtp};
use crate::support::imap::{Dovecot, PASSWORD, USER};
use crate::support::TestApp;
use serde_json::{json, Value};

const START: &str = "2024-03-01 09:00:00";

/// Points the app's email piping at `imap`, in the clear (a loopback server).
pub fn pipe(app: &TestApp, imap_port: u16, password: &str) {
    pipe_with(app, imap_port, password, "");
}

fn pipe_with(app: &TestApp, imap_port: u16, password: &str, done_folder: &str) {
    let piping = json!({
        "email-piping-done-folder": done_folder,
        "email-piping-active": true, "email-piping-host": "127.0.0.1", "email-piping-port": imap_port,
        "email-piping-tls": "none", "email-piping-user": USER, "email-piping-password": password,
        "email-piping-folder": "INBOX", "email-piping-address": "help@acme.test",
    });
    app.ok("save-settings", json!({ "settings": { "email-piping": piping } }));
}

/// A server piping `imap`, with no scheduler: syncs happen when a test asks.
pub fn piped(imap: &Dovecot) -> TestApp {
    let app = TestApp::spawn_quiet_at(START);
    pipe(&app, imap.port, PASSWORD);
    app
}

pub fn sync(app: &TestApp) {
    assert_eq!(app.ok("email-piping", json!({ "force": true })), json!(true));
}

/// The IDs of the email conversations, oldest first.
pub fn email_conversations(app: &TestApp) -> Vec<i64> {
    let db = app.db();
    let mut stmt = db.prepare("SELECT id FROM conversations WHERE source = 'em' ORDER BY id").unwrap();
    stmt.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect()
}

pub fn messages_of(app: &TestApp, conversation_id: i64) -> Vec<Value> {
    app.ok("get-conversation", json!({ "conversation_id": conversation_id }))["messages"].as_array().unwrap().clone()
}

fn mail(from: &str, id: &str, subject: &str, extra_headers: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: help@acme.test\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n{extra_headers}\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
}

#[test]
fn a_mail_appended_to_the_mailbox_becomes_an_email_conversation_of_a_new_lead() {
    let imap = Dovecot::start();
    let app = piped(&imap);
    imap.append(&mail(
        "Ann Lee <ann@customer.test>",
        "first@customer.test",
        "Printer on fire",
        "",
        "It smokes.\r\n\r\n-- \r\nAnn",
    ));

    sync(&app);

    let conversations = email_conversations(&app);
    assert_eq!(conversations.len(), 1, "one email conversation");
    let conversation = app.ok("get-conversation", json!({ "conversation_id": conversations[0] }));
    assert_eq!(conversation["details"]["title"], "Printer on fire");
    assert_eq!(conversation["details"]["source"], "em");
    assert_eq!(conversation["details"]["first_name"], "Ann");
    assert_eq!(conversation["details"]["last_name"], "Lee");
    assert_eq!(conversation["details"]["user_type"], "lead");
    assert_eq!(conversation["details"]["conversation_status_code"], "2", "waiting for an agent");
    let message = &conversation["messages"][0];
    assert_eq!(message["message"], "It smokes.", "the signature is trimmed");
    let payload: Value = serde_json::from_str(message["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["email"]["original"], "It smokes.\n\n-- \nAnn", "the whole original stays for agents");
    assert_eq!(payload["email"]["message_id"], "first@customer.test");
    let user = app.ok("get-user", json!({ "user_id": conversation["details"]["user_id"] }));
    assert_eq!(user["email"], "ann@customer.test");
    assert_eq!(imap.unseen_and_total("INBOX"), (0, 1), "stored mail is marked seen");

    sync(&app);
    assert_eq!(messages_of(&app, conversations[0]).len(), 1, "a second sync takes nothing twice");
}

#[test]
fn an_agent_reply_goes_out_threaded_and_the_customer_answer_joins_the_same_conversation() {
    let imap = Dovecot::start();
    let smtp = crate::support::smtp::SmtpServer::start();
    let app = piped(&imap);
    use_smtp(&app, smtp.port, "none");
    imap.append(&mail("ann@customer.test", "q1@customer.test", "Refund", "", "Where is my refund?"));
    sync(&app);
    let conversation = email_conversations(&app)[0];

    app.send(app.admin_id, conversation, "It left *today*.");
    drain(&app);

    let sent = smtp.wait_for(1);
    let reply = sent[0].parsed();
    assert_eq!(sent[0].to, ["ann@customer.test"]);
    assert_eq!(reply.subject(), Some(format!("Re: Refund [#{conversation}]").as_str()));
    assert_eq!(reply.in_reply_to().as_text(), Some("q1@customer.test"));
    assert_eq!(reply.references().as_text(), Some("q1@customer.test"));
    let reply_to = reply.reply_to().and_then(|r| r.first()).and_then(|a| a.address()).unwrap().to_string();
    assert!(reply_to.starts_with("help+") && reply_to.ends_with("@acme.test"), "{reply_to}");
    assert_eq!(sent[0].text().trim(), "It left today.", "the chat markup becomes plain text");
    let ours = sent[0].message_id();

    // The customer's client answers with In-Reply-To: our Message-ID.
    let answer = format!("In-Reply-To: <{ours}>\r\nReferences: <q1@customer.test> <{ours}>\r\n");
    imap.append(&mail(
        "ann@customer.test",
        "a1@customer.test",
        "Re: Refund",
        &answer,
        "Thanks!\r\n\r\nOn Fri, Help wrote:\r\n> It left today.",
    ));
    // Another client keeps only the reply-to address, with its token.
    let to_token = format!("From: ann@customer.test\r\nTo: {reply_to}\r\nSubject: one more\r\nMessage-ID: <a2@customer.test>\r\n\r\nAnd the invoice?\r\n");
    imap.append(&to_token);
    // The same subject alone threads nothing.
    imap.append(&mail("ann@customer.test", "n1@customer.test", "Re: Refund", "", "A new question."));
    sync(&app);

    let texts: Vec<Value> = messages_of(&app, conversation).iter().map(|m| m["message"].clone()).collect();
    assert_eq!(
        texts,
        [json!("Where is my refund?"), json!("It left *today*."), json!("Thanks!"), json!("And the invoice?")]
    );
    assert_eq!(email_conversations(&app).len(), 2, "the subject-only mail opened its own conversation");
}

#[test]
fn an_html_only_mail_arrives_as_text_without_its_script_or_tracking_pixel() {
    let imap = Dovecot::start();
    let app = piped(&imap);
    let html = "From: bob@customer.test\r\nSubject: Styled\r\nMessage-ID: <h1@customer.test>\r\n\
        Content-Type: text/html; charset=utf-8\r\n\r\n<html><head><script>alert('x')</script></head><body>\
        <p>Hello <b>team</b></p><img src=\"https://track.example/open.gif\" width=\"1\" height=\"1\">\
        <p>Order <a href=\"https://shop.example/o/7\">7</a></p></body></html>\r\n";
    imap.append(html);

    sync(&app);

    let message = messages_of(&app, email_conversations(&app)[0])[0]["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("Hello") && message.contains("team") && message.contains("https://shop.example/o/7"),
        "{message}"
    );
    for gone in ["<", "alert", "track.example", "open.gif"] {
        assert!(!message.contains(gone), "{gone} in {message}");
    }
}

#[test]
fn auto_replies_bounces_bulk_mail_and_our_own_mail_create_nothing_and_are_marked_seen() {
    let imap = Dovecot::start();
    let app = piped(&imap);
    imap.append(&mail(
        "ann@customer.test",
        "ooo@customer.test",
        "Out of office",
        "Auto-Submitted: auto-replied\r\n",
        "Away.",
    ));
    imap.append(&mail("news@shop.test", "bulk@shop.test", "Sale", "Precedence: bulk\r\n", "50% off"));
    imap.append(&mail("MAILER-DAEMON@mx.test", "dsn@mx.test", "Undelivered Mail", "", "It bounced."));
    imap.append(&mail("help@acme.test", "loop@acme.test", "Re: x", "", "Our own mail, come back."));

    let answered = app.ok("email-piping", json!({ "force": true, "report": true }));

    assert!(email_conversations(&app).is_empty(), "no conversation from a machine's mail");
    let users: i64 =
        app.db().query_row("SELECT count(*) FROM users WHERE user_type = 'lead'", [], |r| r.get(0)).unwrap();
    assert_eq!(users, 0, "no lead either");
    assert_eq!(imap.unseen_and_total("INBOX"), (0, 4), "set-aside mail is done with too");
    let report = &app.ok("get-job-runs", json!({}))[0]["report"];
    assert_eq!(report["set_aside"], 4, "{report}");
    assert_eq!((&answered["fetched"], &answered["set_aside"]), (&json!(4), &json!(4)), "report=true: {answered}");
    assert_eq!(&answered, report, "the answer is the run's report");
    let again = app.ok("email-piping", json!({ "report": true }));
    assert!(again["skipped"].is_string(), "within the minute and without force nothing runs: {again}");
}

#[test]
fn one_sender_turns_at_most_thirty_emails_an_hour_into_messages() {
    let imap = Dovecot::start();
    let app = piped(&imap);
    let flood: Vec<String> =
        (0..31).map(|i| mail("flood@customer.test", &format!("f{i}@customer.test"), "Again", "", "Hello?")).collect();
    imap.append_all(flood.iter().map(|m| m.as_bytes()));

    sync(&app);

    let total: i64 = app
        .db()
        .query_row(
            "SELECT count(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.source = 'em'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(total, 30);
    assert_eq!(app.ok("get-job-runs", json!({}))[0]["report"]["set_aside"], 1);
}

#[test]
fn taken_mail_moves_to_the_done_folder_when_one_is_set() {
    let imap = Dovecot::start();
    imap.create_folder("Done");
    let app = TestApp::spawn_quiet_at(START);
    pipe_with(&app, imap.port, PASSWORD, "Done");
    imap.append(&mail("ann@customer.test", "m1@customer.test", "Hi", "", "Hello"));

    sync(&app);

    assert_eq!(email_conversations(&app).len(), 1);
    assert_eq!(imap.unseen_and_total("INBOX").1, 0, "moved out of the inbox");
    assert_eq!(imap.unseen_and_total("Done"), (0, 1), "into Done, seen");
}

#[test]
fn a_wrong_password_and_an_unreachable_server_are_clear_errors_for_the_api_and_the_jobs_page() {
    let imap = Dovecot::start();
    let app = TestApp::spawn_quiet_at(START);
    pipe(&app, imap.port, "not-the-password");

    let refused = app.call("email-piping", json!({ "force": true }));

    assert_eq!(refused["response"], "email-piping-login-refused", "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("refused the login of support"), "{refused}");
    let run = &app.ok("get-job-runs", json!({}))[0];
    assert_eq!((run["job"].as_str(), run["outcome"].as_str()), (Some("email-piping"), Some("error")));
    assert_eq!(run["report"]["response"], "email-piping-login-refused", "the Jobs page shows the error: {run}");

    pipe(&app, crate::support::smtp::free_port(), PASSWORD);
    let unreachable = app.call("email-piping", json!({ "force": true }));
    assert_eq!(unreachable["response"], "email-piping-unreachable", "{unreachable}");
    assert!(
        unreachable["message"].as_str().unwrap().contains("cannot reach the IMAP server 127.0.0.1:"),
        "{unreachable}"
    );
    assert_eq!(app.ok("get-job-runs", json!({}))[0]["report"]["response"], "email-piping-unreachable");

    pipe(&app, imap.port, PASSWORD);
    assert_eq!(app.ok("test-email-piping", json!({})), json!({ "messages": 0 }), "the right settings connect");
}

#[test]
fn new_mail_arrives_within_seconds_through_imap_idle_without_a_poll() {
    let imap = Dovecot::start();
    let app = TestApp::spawn();
    // No poll in the test's lifetime: only IDLE can bring the mail.
    app.ok("save-settings", json!({ "settings": { "cron-email-piping": "0 0 0 1 1 *" } }));
    pipe(&app, imap.port, PASSWORD);
    let watcher = switchboard::mail::idle::start(app.state.clone());
    // Once one sync has run and the watcher idles, only IDLE can bring new mail.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while piping_runs(&app) < 1 || !watcher.idling() {
        assert!(std::time::Instant::now() < deadline, "the watcher never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let before = piping_runs(&app);

    imap.append(&mail("ann@customer.test", "idle@customer.test", "Quick", "", "Are you there?"));

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    // The run that took it is recorded once it ends, just after the mail is stored.
    while email_conversations(&app).is_empty() || piping_runs(&app) == before {
        assert!(std::time::Instant::now() < deadline, "the mail never arrived");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(piping_runs(&app), before + 1, "one more run, started by the server's word of new mail");
}

fn piping_runs(app: &TestApp) -> usize {
    let runs = app.ok("get-job-runs", json!({}));
    runs.as_array().unwrap().iter().filter(|run| run["job"] == "email-piping").count()
}

#[test]
fn a_subject_tag_joins_its_conversation_only_from_that_conversations_customer() {
    let imap = Dovecot::start();
    let app = piped(&imap);
    imap.append(&mail("ann@customer.test", "t1@customer.test", "Refund", "", "Where is it?"));
    sync(&app);
    let refund = email_conversations(&app)[0];

    let tag = format!("Another question [#{refund}]");
    imap.append(&mail("ann@customer.test", "t2@customer.test", &tag, "", "And the invoice?"));
    imap.append(&mail("bob@elsewhere.test", "t3@elsewhere.test", &tag, "", "Let me in."));
    sync(&app);

    let texts: Vec<Value> = messages_of(&app, refund).iter().map(|m| m["message"].clone()).collect();
    assert_eq!(texts, [json!("Where is it?"), json!("And the invoice?")], "Ann's tagged mail joined");
    let conversations = email_conversations(&app);
    assert_eq!(conversations.len(), 2, "Bob's tagged mail opened its own conversation");
    let bobs = app.ok("get-user-from-conversation", json!({ "conversation_id": conversations[1] }));
    assert_eq!(bobs["email"], "bob@elsewhere.test", "{bobs}");
}

#[test]
fn a_mail_over_ten_mib_is_set_aside_and_marked_while_the_next_one_is_taken() {
    let imap = Dovecot::start();
    let app = piped(&imap);
    let line = format!("{}\r\n", "x".repeat(78));
    let huge = line.repeat(11 * 1024 * 1024 / line.len() + 1);
    imap.append(&mail("ann@customer.test", "big@customer.test", "Scans", "", &huge));
    imap.append(&mail("carl@customer.test", "small@customer.test", "Hello", "", "A short one."));

    sync(&app);

    let conversations = email_conversations(&app);
    assert_eq!(conversations.len(), 1, "only the small mail became a conversation");
    assert_eq!(messages_of(&app, conversations[0])[0]["message"], "A short one.");
    assert_eq!(app.ok("get-job-runs", json!({}))[0]["report"]["set_aside"], 1);
    assert_eq!(imap.unseen_and_total("INBOX"), (0, 2), "the large mail is done with too");
}
