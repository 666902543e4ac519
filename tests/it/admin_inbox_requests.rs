//! The requests behind the inbox and the conversation page, from a signed-in
//! client: forged posts, the event stream and its polling fallback, unread counts,
//! the transcript download, and the forms without JavaScript.

use crate::admin::signed_in_client;
use crate::admin_inbox::csrf_of;
use crate::support::TestApp;
use serde_json::{json, Value};
use std::io::Read;
use std::time::{Duration, Instant};

#[test]
fn a_forged_conversation_post_without_the_csrf_token_is_refused() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let c = app.new_conversation(ann);
    app.send(ann, c, "Hello");
    let client = signed_in_client(&app);
    let forged = |path: &str, fields: &[(&str, &str)]| {
        let mut form = vec![("csrf_token", "forged")];
        form.extend_from_slice(fields);
        client.post(format!("{}/admin/conversations/{c}/{path}", app.base)).form(&form).send().unwrap()
    };
    let reply = forged("reply", &[("message", "Click this link"), ("action", "send")]);
    assert_eq!(reply.status(), 403);
    assert!(reply.text().unwrap().contains("expired"));
    assert_eq!(forged("notes", &[("message", "forged note")]).status(), 403);
    assert_eq!(forged("status", &[("status", "archive")]).status(), 403);
    assert_eq!(forged("assign", &[("agent", &app.admin_id.to_string())]).status(), 403);
    let conversation = app.ok("get-conversation", json!({ "conversation_id": c }));
    assert_eq!(conversation["messages"].as_array().unwrap().len(), 1, "no reply was sent");
    assert_eq!(conversation["details"]["conversation_status_code"], "2");
    assert_eq!(conversation["details"]["agent_id"], Value::Null);
    assert_eq!(app.ok("get-notes", json!({ "conversation_id": c })), json!([]));
    let signed_out = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for path in ["", "/messages", "/transcript.csv"] {
        let response = signed_out.get(format!("{}/admin/conversations/{c}{path}", app.base)).send().unwrap();
        assert_eq!(response.status(), 303, "{path} needs a session");
    }
    let events = signed_out.get(format!("{}/admin/events", app.base)).send().unwrap();
    assert_eq!(events.status(), 303, "so does the event stream");
}

#[test]
fn the_event_stream_and_its_polling_fallback_name_the_conversation_and_message() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let c = app.new_conversation(ann);
    let first = app.send(ann, c, "one");
    let client = signed_in_client(&app);
    let poll = |query: &str| -> Value {
        client.get(format!("{}/admin/events/poll?{query}", app.base)).send().unwrap().json().unwrap()
    };
    assert_eq!(poll("")["last_message_id"], json!(first), "a first poll says where to start");
    let second = app.send(ann, c, "two");
    let answer = poll(&format!("after={first}&conversation={c}"));
    assert_eq!(answer["messages"], json!([{ "conversation_id": c, "message_id": second }]));
    assert_eq!(answer["last_message_id"], json!(second));
    assert_eq!(answer["typing"], json!(false));

    let mut stream = client.get(format!("{}/admin/events?after={second}&conversation={c}", app.base)).send().unwrap();
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let third = app.send(ann, c, "three");
    app.ok("set-typing", json!({ "user_id": ann, "conversation_id": c }));
    let mut seen = String::new();
    let mut buffer = [0u8; 1024];
    let deadline = Instant::now() + Duration::from_secs(10);
    while !(seen.contains("event: message") && seen.contains("event: typing")) {
        assert!(Instant::now() < deadline, "the stream said only: {seen}");
        let read = stream.read(&mut buffer).unwrap();
        assert!(read > 0, "the stream ended early: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buffer[..read]));
    }
    assert!(seen.starts_with(&format!("retry: 2000\nevent: ready\nid: {second}\n")), "{seen}");
    assert!(
        seen.contains(&format!(
            "event: message\nid: {third}\ndata: {{\"conversation_id\":{c},\"message_id\":{third}}}"
        )),
        "{seen}"
    );
    assert!(seen.contains(&format!("event: typing\ndata: {{\"conversation_id\":{c},\"typing\":true}}")), "{seen}");
}

#[test]
fn unread_counts_clear_when_the_conversation_is_opened_and_the_transcript_downloads() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let c = app.new_conversation(ann);
    app.send(ann, c, "=HYPERLINK(\"http://evil\")");
    app.send(ann, c, "second");
    app.send(app.admin_id, c, "a reply is never unread");
    app.send(ann, c, "third");
    let client = signed_in_client(&app);
    let inbox = client.get(format!("{}/admin", app.base)).send().unwrap().text().unwrap();
    assert!(inbox.contains("<span class=\"badge\">3<span class=\"sr\"> unread</span>"), "{inbox}");
    let page = client.get(format!("{}/admin/conversations/{c}", app.base)).send().unwrap().text().unwrap();
    assert!(page.contains("a reply is never unread"));
    let inbox = client.get(format!("{}/admin", app.base)).send().unwrap().text().unwrap();
    assert!(!inbox.contains("<span class=\"badge\">"), "read once opened");
    let ann_id = ann.to_string();
    let statuses: Vec<Value> = app.ok("get-conversation", json!({ "conversation_id": c }))["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["user_id"] == ann_id.as_str())
        .map(|m| m["status_code"].clone())
        .collect();
    assert_eq!(statuses, vec![json!("2"); 3], "the customer's messages are marked read");

    let csv = client.get(format!("{}/admin/conversations/{c}/transcript.csv", app.base)).send().unwrap();
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(csv.headers()["content-disposition"].to_str().unwrap().contains(&format!("conversation-{c}.csv")));
    let body = csv.text().unwrap();
    assert!(body.starts_with("Date,Name,User type,Message,Attachments"), "{body}");
    assert!(body.contains("'=HYPERLINK"), "formulas are neutralised as the API's transcript does: {body}");
    assert!(body.contains("a reply is never unread"));
    assert_eq!(
        client.get(format!("{}/admin/conversations/999/transcript.csv", app.base)).send().unwrap().status(),
        404
    );
}

#[test]
fn without_javascript_preview_and_saved_replies_show_the_page_again_and_send_nothing() {
    let app = TestApp::spawn();
    app.ok(
        "save-settings",
        json!({ "settings": { "saved-replies": [{ "reply-name": "Hi", "reply-text": "Hello <friend>!" }] } }),
    );
    let ann = app.add_user("Ann", None, "lead");
    let c = app.new_conversation(ann);
    app.send(ann, c, "Hi");
    let client = signed_in_client(&app);
    let page = client.get(format!("{}/admin/conversations/{c}", app.base)).send().unwrap().text().unwrap();
    let token = csrf_of(&page);
    let post = |fields: &[(&str, &str)]| {
        let mut form = vec![("csrf_token", token.as_str())];
        form.extend_from_slice(fields);
        client.post(format!("{}/admin/conversations/{c}/reply", app.base)).form(&form).send().unwrap()
    };
    let preview = post(&[("message", "*Bold* <i>raw</i>"), ("action", "preview")]);
    assert_eq!(preview.status(), 200);
    let html = preview.text().unwrap();
    assert!(html.contains("<b>Bold</b> &lt;i&gt;raw&lt;/i&gt;"), "{html}");
    assert!(html.contains(">*Bold* &#60;i&#62;raw&#60;/i&#62;</textarea>"), "the draft stays: {html}");
    let inserted = post(&[("message", "Dear Ann,"), ("action", "insert"), ("saved_reply", "0")]).text().unwrap();
    assert!(inserted.contains(">Dear Ann,\nHello &#60;friend&#62;!</textarea>"), "{inserted}");
    let empty = post(&[("message", "   "), ("action", "send")]);
    assert_eq!(empty.status(), 422);
    assert!(empty.text().unwrap().contains("Write a reply before sending."));
    assert_eq!(app.ok("get-conversation", json!({ "conversation_id": c }))["messages"].as_array().unwrap().len(), 1);
    let sent = post(&[("message", "Done"), ("action", "send")]);
    assert_eq!(sent.status(), 303, "post/redirect/get");
    assert_eq!(sent.headers()["location"], format!("/admin/conversations/{c}?done=sent#reply"));
    let messages = app.ok("get-conversation", json!({ "conversation_id": c }))["messages"].clone();
    assert_eq!(messages.as_array().unwrap().len(), 2, "the reply was sent, once: {messages}");
    assert_eq!(
        (messages[1]["message"].as_str(), messages[1]["user_id"].as_str()),
        (Some("Done"), Some(app.admin_id.to_string().as_str()))
    );
    let live = client
        .post(format!("{}/admin/conversations/preview", app.base))
        .form(&[("csrf_token", token.as_str()), ("message", "_x_ <script>")])
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(live, "<i>x</i> &lt;script&gt;");
}
