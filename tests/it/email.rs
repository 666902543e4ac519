//! Email against a real SMTP server on loopback: what arrives for send-email,
//! send-custom-email, direct-message and send-test-email, the notifications of
//! send-message, and secrets in the SMTP settings.

use crate::support::smtp::SmtpServer;
use crate::support::TestApp;
use serde_json::{json, Value};
use switchboard::jobs::outbox::{drain_once, DrainReport};

const START: &str = "2024-03-01 09:00:00";

/// Points the app at `port`, plain SMTP, as "Acme Support <support@acme.test>".
pub fn use_smtp(app: &TestApp, port: u16, security: &str) {
    app.ok(
        "save-settings",
        json!({ "settings": {
            "smtp-host": "127.0.0.1", "smtp-port": port, "smtp-security": security,
            "smtp-sender-name": "Acme Support", "smtp-sender-address": "support@acme.test",
        } }),
    );
}

/// Delivers what is due now, as the scheduler would.
pub fn drain(app: &TestApp) -> DrainReport {
    drain_once(&mut app.state.blocking_session(), &app.state).unwrap()
}

pub fn outbox(app: &TestApp) -> Vec<Value> {
    app.ok("get-outbox", json!({})).as_array().unwrap().clone()
}

#[test]
fn send_custom_email_arrives_with_recipient_subject_sender_suffix_and_escaped_html() {
    let smtp = SmtpServer::start();
    let app = TestApp::spawn_quiet_at(START);
    use_smtp(&app, smtp.port, "none");

    let answer = app.ok(
        "send-custom-email",
        json!({ "to": "ann@example.com", "subject": "Your order", "sender_suffix": " (Billing)",
                "message": "Hi <script>alert(1)</script> & bye\nsecond line" }),
    );

    assert_eq!(answer, true);
    assert_eq!(drain(&app), DrainReport { delivered: 1, retrying: 0, failed: 0 });
    let received = smtp.received();
    assert_eq!(received.len(), 1);
    let email = &received[0];
    assert_eq!(email.to, ["ann@example.com"]);
    assert_eq!(email.from, "support@acme.test");
    assert_eq!(email.subject(), "Your order");
    assert_eq!(email.sender_name(), "Acme Support (Billing)");
    assert!(email.text().contains("Hi <script>alert(1)</script> & bye\nsecond line"), "{}", email.text());
    let html = email.html();
    assert!(html.contains("Hi &lt;script&gt;alert(1)&lt;/script&gt; &amp; bye<br>"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    let delivery_id = outbox(&app)[0]["delivery_id"].as_str().unwrap().to_string();
    assert_eq!(email.message_id(), format!("{delivery_id}@acme.test"), "the Message-ID comes from the delivery ID");
}

#[test]
fn send_email_fills_the_user_template_and_links_the_attachments() {
    let smtp = SmtpServer::start();
    let app = TestApp::spawn_quiet_at(START);
    use_smtp(&app, smtp.port, "none");
    app.ok(
        "save-settings",
        json!({ "settings": {
            "email-user-subject": "Hi {recipient_name}, from {site_title}",
            "email-user-body": "<p>{sender_name} says:</p>\n{message}\n{attachments}\n#{conversation_id} {conversation_url}",
            "email-user-chat-url": "https://acme.test/chat",
            "email-agent-subject": "Agent note for {recipient_name}",
            "admin-title": "Acme",
        } }),
    );
    let ann = app.add_user("Ann", Some("ann@example.com"), "user");
    let conversation = app.new_conversation(ann);
    let ada = app.add_user("Ada", Some("ada@acme.test"), "agent");

    app.ok(
        "send-email",
        json!({ "recipient_id": ann, "sender_id": ada, "message": "<b>Done</b>",
                "attachments": [["in<voice>.pdf", "https://files.acme.test/i.pdf?a=1&b=2"]] }),
    );
    app.ok("send-email", json!({ "recipient_id": ada, "message": "Look at this" }));

    assert_eq!(drain(&app).delivered, 2);
    let received = smtp.received();
    let to_ann = &received[0];
    assert_eq!(to_ann.to, ["ann@example.com"]);
    assert_eq!(to_ann.subject(), "Hi Ann Test, from Acme");
    let text = to_ann.text();
    assert!(
        text.starts_with("<p>Ada Test says:</p>\n<b>Done</b>\nin<voice>.pdf: https://files.acme.test/i.pdf?a=1&b=2")
    );
    assert!(text.contains(&format!("#{conversation} https://acme.test/chat?conversation={conversation}")), "{text}");
    let html = to_ann.html();
    assert!(html.contains("&lt;p&gt;Ada Test says:&lt;/p&gt;<br>\n&lt;b&gt;Done&lt;/b&gt;"), "{html}");
    assert!(html.contains("<a href=\"https://files.acme.test/i.pdf?a=1&amp;b=2\">in&lt;voice&gt;.pdf</a>"), "{html}");
    let to_ada = &received[1];
    assert_eq!(to_ada.to, ["ada@acme.test"]);
    assert_eq!(to_ada.subject(), "Agent note for Ada Test", "an agent gets the agent template");
    let text = to_ada.text();
    assert_eq!(
        text.split(" wrote in conversation").next(),
        Some("Admin"),
        "the sender defaults to the calling admin: {text}"
    );
    assert!(text.contains("\n\nLook at this\n"), "{text}");
}

#[test]
fn send_email_answers_the_contract_outcomes_and_queues_nothing_then() {
    let app = TestApp::spawn_quiet_at(START);
    let ann = app.add_user("Ann", Some("ann@example.com"), "user");
    let no_email = app.add_user("Nemo", None, "lead");

    assert_eq!(app.fails("send-email", json!({ "message": "hi" })), "missing-user-id-or-message");
    assert_eq!(app.fails("send-email", json!({ "recipient_id": ann })), "missing-user-id-or-message");
    assert_eq!(app.fails("send-email", json!({ "recipient_id": ann, "message": " " })), "missing-user-id-or-message");
    assert_eq!(app.fails("send-email", json!({ "recipient_id": 9999, "message": "hi" })), "user-or-sender-not-found");
    assert_eq!(
        app.fails("send-email", json!({ "recipient_id": ann, "sender_id": 9999, "message": "hi" })),
        "user-or-sender-not-found"
    );
    assert_eq!(app.fails("send-email", json!({ "recipient_id": no_email, "message": "hi" })), "user-email-not-found");
    assert_eq!(
        app.call("send-custom-email", json!({ "to": "not-an-address", "subject": "s", "message": "m" }))["response"],
        "invalid-argument"
    );
    assert_eq!(
        app.call("send-custom-email", json!({ "subject": "s", "message": "m" }))["response"],
        "missing-argument"
    );
    assert_eq!(
        app.call("send-custom-email", json!({ "to": "a@b.co", "message": "m" }))["response"],
        "missing-argument"
    );
    assert!(outbox(&app).is_empty(), "a refused call queues nothing");
}

#[test]
fn send_message_emails_an_offline_user_and_not_an_online_one() {
    let smtp = SmtpServer::start();
    let app = TestApp::spawn_quiet_at(START);
    use_smtp(&app, smtp.port, "none");
    let ann = app.add_user("Ann", Some("ann@example.com"), "user");
    let ada = app.add_user("Ada", Some("ada@acme.test"), "agent");
    let conversation = app.new_conversation(ann);
    app.advance(120);

    let reply = json!({ "user_id": ada, "conversation_id": conversation, "message": "We shipped <it>" });
    let answer = app.ok("send-message", reply.clone());

    assert_eq!(answer["notifications"], json!(["email"]));
    assert_eq!(drain(&app).delivered, 1);
    let email = &smtp.received()[0];
    assert_eq!(email.to, ["ann@example.com"]);
    assert_eq!(email.subject(), "Switchboard: new reply from Ada Test");
    assert!(email.text().contains("Hello Ann Test,") && email.text().contains("We shipped <it>"), "{}", email.text());
    assert!(email.html().contains("We shipped &lt;it&gt;"));

    app.send(ann, conversation, "Thanks!");
    let answer = app.ok("send-message", reply);
    assert_eq!(answer["notifications"], json!([]), "Ann is online: she just wrote");
    assert_eq!(drain(&app).delivered, 0);
    assert_eq!(smtp.received().len(), 1);

    app.ok("save-settings", json!({ "settings": { "notify-user-email": false } }));
    app.advance(120);
    let answer = app.ok("send-message", json!({ "user_id": ada, "conversation_id": conversation, "message": "x" }));
    assert_eq!(answer["notifications"], json!([]), "the setting turns user emails off");
}

#[test]
fn a_user_message_with_no_agent_online_emails_the_assigned_agent_else_the_department_else_all() {
    let app = TestApp::spawn_quiet_at(START);
    use_smtp(&app, crate::support::smtp::free_port(), "none");
    let ann = app.add_user("Ann", Some("ann@example.com"), "user");
    let ada = app.add_user("Ada", Some("ada@acme.test"), "agent");
    let bob = app.add_user("Bob", Some("bob@acme.test"), "agent");
    app.ok("update-user", json!({ "user_id": bob, "department": 2 }));
    app.add_user("Quiet", None, "agent");
    let assigned = app.new_conversation_with(json!({ "user_id": ann, "agent_id": ada, "department": 2 }));
    let in_department = app.new_conversation_with(json!({ "user_id": ann, "department": 2 }));
    let unrouted = app.new_conversation(ann);
    app.advance(120);
    let recipients = |conversation: i64| -> Vec<String> {
        let before = outbox(&app).len();
        let answer =
            app.ok("send-message", json!({ "user_id": ann, "conversation_id": conversation, "message": "help" }));
        let queued = outbox(&app).len() - before;
        assert_eq!(answer["notifications"], if queued > 0 { json!(["email"]) } else { json!([]) });
        let mut to: Vec<String> = queued_emails(&app).into_iter().take(queued).collect();
        to.sort();
        to
    };

    assert_eq!(recipients(assigned), ["ada@acme.test"]);
    assert_eq!(recipients(in_department), ["bob@acme.test"]);
    assert_eq!(recipients(unrouted), ["ada@acme.test", "admin@example.com", "bob@acme.test"]);
    app.ok("save-settings", json!({ "settings": { "notify-agents": "department" } }));
    assert_eq!(recipients(assigned), ["bob@acme.test"]);
    app.ok("save-settings", json!({ "settings": { "notify-agents": "all" } }));
    assert_eq!(recipients(in_department), ["ada@acme.test", "admin@example.com", "bob@acme.test"]);
    app.send(bob, in_department, "I am here");
    assert!(recipients(unrouted).is_empty(), "an agent is online");
}

#[test]
fn a_routing_message_is_emailed_to_the_agents_now_in_charge() {
    let app = TestApp::spawn_quiet_at(START);
    let ann = app.add_user("Ann", Some("ann@example.com"), "user");
    let ada = app.add_user("Ada", Some("ada@acme.test"), "agent");
    let bob = app.add_user("Bob", Some("bob@acme.test"), "agent");
    app.ok("update-user", json!({ "user_id": bob, "department": 3 }));
    let conversation = app.new_conversation(ann);

    app.ok("update-conversation-agent", json!({ "conversation_id": conversation, "agent_id": ada }));
    assert!(queued_emails(&app).is_empty(), "no message, no email");
    app.ok(
        "update-conversation-agent",
        json!({ "conversation_id": conversation, "agent_id": ada, "message": "Yours" }),
    );
    app.ok(
        "update-conversation-department",
        json!({ "conversation_id": conversation, "department": 3, "message": "Sales" }),
    );

    assert_eq!(queued_emails(&app), ["bob@acme.test", "ada@acme.test"]);
    assert_eq!(
        app.fails("update-conversation-agent", json!({ "conversation_id": 999, "agent_id": ada, "message": "x" })),
        "conversation-not-found"
    );
    assert_eq!(queued_emails(&app).len(), 2);
}

/// The `to` of each queued email, newest first, read from the store.
fn queued_emails(app: &TestApp) -> Vec<String> {
    let conn = app.db();
    let mut stmt = conn.prepare("SELECT payload FROM outbox WHERE kind = 'email' ORDER BY id DESC").unwrap();
    let payloads: Vec<String> = stmt.query_map([], |row| row.get(0)).unwrap().map(Result::unwrap).collect();
    payloads.iter().map(|p| serde_json::from_str::<Value>(p).unwrap()["to"].as_str().unwrap().to_string()).collect()
}

#[test]
fn direct_message_with_a_subject_also_emails_each_user_that_has_an_email() {
    let smtp = SmtpServer::start();
    let app = TestApp::spawn_quiet_at(START);
    use_smtp(&app, smtp.port, "none");
    let ann = app.add_user("Ann", Some("ann@example.com"), "user");
    let nemo = app.add_user("Nemo", None, "lead");

    app.ok(
        "direct-message",
        json!({ "user_ids": [ann, nemo], "subject": "News for {recipient_name}", "message": "Hello {recipient_name} <3 (#{conversation_id})" }),
    );
    app.ok("direct-message", json!({ "user_ids": [ann], "message": "chat only" }));

    for user in [ann, nemo] {
        let conversations = app.ok("get-user-conversations", json!({ "user_id": user }));
        assert_eq!(conversations.as_array().unwrap().len(), if user == ann { 2 } else { 1 }, "chat messages stay");
    }
    assert_eq!(drain(&app).delivered, 1, "one email: Nemo has no address and the second message no subject");
    let email = &smtp.received()[0];
    assert_eq!(email.to, ["ann@example.com"]);
    assert_eq!(email.subject(), "News for Ann Test");
    let conversation = app.ok("get-user-conversations", json!({ "user_id": ann })).as_array().unwrap().last().unwrap()
        ["conversation_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(email.text().contains(&format!("Hello Ann Test <3 (#{conversation})")), "{}", email.text());
    assert!(email.html().contains(&format!("Hello Ann Test &lt;3 (#{conversation})")), "{}", email.html());
}

#[test]
fn send_test_email_reaches_the_calling_admin_by_default_and_answers_its_outbox_id() {
    let smtp = SmtpServer::start();
    let app = TestApp::spawn_quiet_at(START);
    use_smtp(&app, smtp.port, "none");

    let id = app.ok("send-test-email", json!({}));
    app.ok("send-test-email", json!({ "to": "ops@acme.test" }));

    assert_eq!(outbox(&app).last().unwrap()["id"], id);
    assert_eq!(drain(&app).delivered, 2);
    let to: Vec<Vec<String>> = smtp.received().iter().map(|r| r.to.clone()).collect();
    assert_eq!(to, [vec!["admin@example.com".to_string()], vec!["ops@acme.test".to_string()]]);
    assert_eq!(smtp.received()[0].subject(), "Switchboard: test email");
    assert_eq!(app.call("send-test-email", json!({ "to": "nope" }))["response"], "invalid-argument");
}

#[test]
fn the_scheduler_delivers_a_queued_email_without_being_asked() {
    let smtp = SmtpServer::start();
    let app = TestApp::spawn();
    use_smtp(&app, smtp.port, "none");

    app.ok("send-custom-email", json!({ "to": "ann@example.com", "subject": "Now", "message": "m" }));

    assert_eq!(smtp.wait_for(1)[0].subject(), "Now");
}

#[test]
fn smtp_passwords_are_never_shown_and_survive_saves_of_the_mask() {
    let app = TestApp::spawn_quiet_at(START);
    let stored = || -> Value {
        let text: String =
            app.db().query_row("SELECT value FROM settings WHERE id = 'smtp-password'", [], |row| row.get(0)).unwrap();
        serde_json::from_str(&text).unwrap()
    };
    assert_eq!(app.ok("get-settings", json!({}))["smtp-password"], json!(["", "password"]));

    app.ok("save-settings", json!({ "settings": { "smtp-username": "mailer", "smtp-password": "hunter2-secret" } }));

    let all = app.ok("get-settings", json!({}));
    assert_eq!(all["smtp-password"], json!(["********", "password"]));
    assert!(!all.to_string().contains("hunter2"));
    assert_eq!(app.ok("get-setting", json!({ "setting": "smtp-password" })), "********");
    let export_url = app.ok("export-settings", json!({}));
    let export = app.client.get(export_url.as_str().unwrap()).send().unwrap().text().unwrap();
    assert!(export.contains("\"smtp-username\": \"mailer\"") && !export.contains("hunter2"), "{export}");
    app.ok("save-settings", json!({ "settings": { "smtp-password": ["********", "password"] } }));
    app.ok("save-settings", json!({ "settings": { "smtp-password": "" } }));
    app.ok("import-settings", json!({ "file_url": export_url }));
    assert_eq!(stored(), "hunter2-secret", "the mask, an empty value and an import keep the password");
    app.ok("save-settings", json!({ "settings": { "smtp-password": "n3w" } }));
    assert_eq!(stored(), "n3w");
    app.ok("save-settings", json!({ "settings": "{\"smtp-password\": null}" }));
    assert_eq!(stored(), "", "null clears it");
    assert_eq!(
        app.call("save-settings", json!({ "settings": { "smtp-sender-address": "nope" } }))["response"],
        "invalid-argument"
    );
}

#[test]
fn without_an_smtp_server_no_notification_is_queued() {
    let app = TestApp::spawn_quiet_at(START);
    let ann = app.add_user("Ann", Some("ann@example.com"), "user");
    let ada = app.add_user("Ada", Some("ada@acme.test"), "agent");
    let conversation = app.new_conversation(ann);
    app.advance(120);
    let answer = app.ok("send-message", json!({ "user_id": ada, "conversation_id": conversation, "message": "hi" }));
    assert_eq!(answer["notifications"], json!([]));
    assert!(outbox(&app).is_empty(), "nothing waits for a mail server that was never set up");
    use_smtp(&app, crate::support::smtp::free_port(), "none");
    let answer = app.ok("send-message", json!({ "user_id": ada, "conversation_id": conversation, "message": "hi" }));
    assert_eq!(answer["notifications"], json!(["email"]));
}
