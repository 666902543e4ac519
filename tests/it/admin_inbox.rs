//! The inbox and the conversation page: journeys in a real headless Chromium, and
//! the requests behind them (forged posts, the event stream, downloads) from a
//! signed-in client.

use crate::admin::{sign_in, signed_in_client};
use crate::support::browser::Browser;
use crate::support::receiver::Receiver;
use crate::support::TestApp;
use serde_json::{json, Value};
use std::io::Read;
use std::time::{Duration, Instant};

fn press(browser: &Browser, key: &str) {
    let script = format!(
        "(document.activeElement || document.body).dispatchEvent(new KeyboardEvent('keydown', {{ key: '{key}', bubbles: true }})); return true;"
    );
    browser.eval(&script);
}

fn focused_conversation(browser: &Browser) -> Value {
    browser.eval("var li = document.activeElement.closest('li'); return li ? Number(li.dataset.conversation) : null;")
}

/// Waits until `check` holds, for up to `seconds`.
fn eventually(seconds: u64, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while !check() {
        assert!(Instant::now() < deadline, "{what} never happened");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The conversation IDs an inbox page lists, in order.
fn listed(html: &str) -> Vec<i64> {
    html.split("<li data-conversation=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().parse().unwrap())
        .collect()
}

fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf_token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
}

fn details(app: &TestApp, conversation: i64) -> Value {
    app.ok("get-conversation", json!({ "conversation_id": conversation }))["details"].clone()
}

#[test]
fn a_message_sent_through_the_api_appears_in_the_open_inbox_without_a_reload() {
    let app = TestApp::spawn();
    app.ok(
        "save-settings",
        json!({ "settings": { "departments": [{ "department-id": 2, "department-name": "Shipping" }] } }),
    );
    let person = |first: &str, last: &str, user_type: &str| {
        let args = json!({ "first_name": first, "last_name": last, "user_type": user_type });
        app.ok("add-user", args).as_i64().unwrap()
    };
    let (ann, bob, dee) = (person("Ann", "Lee", "lead"), person("Bob", "Stone", "user"), person("Dee", "Moss", "user"));
    let anns =
        app.new_conversation_with(json!({ "user_id": ann, "title": "Parcel lost", "department": 2, "source": "em" }));
    app.send(ann, anns, "Where is my parcel?");
    let dees = app.new_conversation_with(json!({ "user_id": dee, "agent_id": app.admin_id, "source": "wa" }));
    app.send(dee, dees, "Do you ship to Norway?");
    app.send(app.admin_id, dees, "We do: *3–5 days* by courier.");
    let bobs = app.new_conversation(bob);
    app.send(bob, bobs, "Can I change my delivery address?");
    let browser = Browser::start();
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.wait_for_text(".inbox li:first-child .preview", "Can I change my delivery address?", 10);
    browser.eval("window.stillTheSamePage = true; return true;");

    app.send(ann, anns, "Any news about my *parcel*?");
    browser.wait_for_text(".inbox li:first-child .preview", "Any news about my parcel?", 10);
    assert_eq!(browser.eval("return document.querySelectorAll('.inbox li').length;"), json!(3), "moved, not added");
    assert!(browser.text(".inbox li:first-child .badge").starts_with('2'), "two unread from Ann");
    let cy = person("<script>window.pwned=1</script>", "", "visitor");
    let cys =
        app.new_conversation_with(json!({ "user_id": cy, "title": "Billing <img src=x onerror=window.pwned=2>" }));
    app.send(cy, cys, "Hello <b>there</b>");
    browser.wait_for_text(".inbox li:first-child .preview", "Hello <b>there</b>", 10);
    assert_eq!(browser.text(".inbox li:first-child .name"), "<script>window.pwned=1</script>");
    assert_eq!(browser.text(".inbox li:first-child .title"), "Billing <img src=x onerror=window.pwned=2>");
    assert_eq!(browser.text("#unread-conversations .count"), "4", "was 3 when the page was drawn");
    assert_eq!(browser.eval("return window.stillTheSamePage === true;"), json!(true), "no reload happened");
    assert_eq!(browser.eval("return window.pwned === undefined;"), json!(true), "what users typed is text");

    press(&browser, "j");
    assert_eq!(focused_conversation(&browser), json!(cys));
    for _ in 0..4 {
        press(&browser, "j");
    }
    assert_eq!(focused_conversation(&browser), json!(dees), "stops at the last row");
    press(&browser, "k");
    assert_eq!(focused_conversation(&browser), json!(bobs));

    app.ok("update-conversation-status", json!({ "conversation_id": cys, "status_code": 4 }));
    browser.goto(&format!("{}/admin", app.base));
    press(&browser, "j");
    browser.screenshot("inbox");
}

#[test]
fn an_agent_replies_adds_a_note_assigns_archives_and_restores_on_the_conversation_page() {
    let app = TestApp::spawn();
    let receiver = Receiver::start();
    crate::webhooks::configure(&app, &receiver.url(), "");
    app.ok(
        "save-settings",
        json!({ "settings": {
            "saved-replies": [{ "reply-name": "Patience", "reply-text": "Thanks for your patience!" }],
            "departments": [{ "department-id": 2, "department-name": "Shipping" }],
        } }),
    );
    let ann = app
        .ok(
            "add-user",
            json!({ "first_name": "Ann", "last_name": "Lee", "email": "ann@example.com",
                    "extra": { "phone": ["+44 1632 960000", "Phone"] } }),
        )
        .as_i64()
        .unwrap();
    let c = app.new_conversation_with(json!({ "user_id": ann, "title": "Parcel lost", "source": "em" }));
    app.send(ann, c, "It never arrived <script>window.pwned=1</script>. Tracking: `AB-123`");
    app.ok("set-rating", json!({ "settings": { "conversation_id": c, "rating": 1 } }));
    let browser = Browser::start();
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.submit(&format!(".inbox li[data-conversation='{c}'] a"));
    assert!(browser.url().ends_with(&format!("/admin/conversations/{c}")), "{}", browser.url());
    assert_eq!(browser.text(".message .body code"), "AB-123", "formatting is rendered");
    assert!(browser.text(".message .body").contains("<script>window.pwned=1</script>"), "and markup is text");
    let profile = browser.text(".user-card");
    assert!(profile.contains("+44 1632 960000"), "extra details beside the thread: {profile}");
    assert_eq!(browser.text(".rating"), "Positive");

    app.ok("set-typing", json!({ "user_id": ann, "conversation_id": c }));
    browser.wait_for_text("#typing", "Ann Lee is typing", 10);
    app.send(ann, c, "Are you there?");
    browser.wait_for_text("#messages", "Are you there?", 10);
    eventually(10, "the typing line hid", || {
        browser.eval("return document.getElementById('typing').hidden;") == json!(true)
    });

    press(&browser, "r");
    assert_eq!(browser.eval("return document.activeElement.id;"), json!("reply-message"));
    browser.click("#saved-reply option[value='0']");
    assert_eq!(
        browser.eval("return document.getElementById('reply-message').value;"),
        json!("Thanks for your patience!")
    );
    browser.fill("#reply-message", "We are *on it*. <script>window.pwned=2</script>");
    browser.wait_for_text("#reply-preview-body b", "on it", 10);
    assert!(browser.text("#reply-preview-body").contains("<script>window.pwned=2</script>"));
    browser.submit("#send-reply");
    assert_eq!(browser.text(".notice"), "Reply sent.");
    browser.wait_for_text("#messages li:last-child", "We are on it.", 5);
    let conversation = app.ok("get-conversation", json!({ "conversation_id": c }));
    let last = conversation["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["message"], "We are *on it*. <script>window.pwned=2</script>");
    assert_eq!(last["user_id"], app.admin_id.to_string());
    assert_eq!(conversation["details"]["conversation_status_code"], "1", "waiting for the user, as send-message does");
    eventually(15, "the message-sent webhook", || {
        receiver
            .requests()
            .iter()
            .any(|r| r.json()["function"] == "message-sent" && r.json()["data"]["message"] == last["message"])
    });

    browser.fill("#note-message", "VIP customer <b>handle with care</b>");
    browser.submit("#add-note");
    assert_eq!(browser.text(".notice"), "Note added.");
    assert_eq!(browser.text(".note-text"), "VIP customer <b>handle with care</b>");
    assert_eq!(
        app.ok("get-notes", json!({ "conversation_id": c }))[0]["message"],
        "VIP customer <b>handle with care</b>"
    );

    browser.click(&format!("#assign-agent option[value='{}']", app.admin_id));
    browser.click("#assign-department option[value='2']");
    browser.submit(".assign button[type=submit]");
    assert_eq!(browser.text(".notice"), "Assignment saved.");
    assert_eq!(details(&app, c)["agent_id"], app.admin_id.to_string());
    assert_eq!(details(&app, c)["department"], "2");
    browser.screenshot("conversation");

    browser.submit("#archive");
    assert_eq!(browser.text(".notice span"), "Conversation archived.");
    assert!(!browser.exists(&format!(".inbox li[data-conversation='{c}']")), "gone from the inbox");
    assert_eq!(details(&app, c)["conversation_status_code"], "3");
    browser.goto(&format!("{}/admin?status=archive", app.base));
    browser.submit(&format!(".inbox li[data-conversation='{c}'] a"));
    browser.submit("#restore");
    assert_eq!(browser.text(".notice"), "Conversation restored to the inbox.");
    assert_eq!(details(&app, c)["conversation_status_code"], "0");
    browser.goto(&format!("{}/admin", app.base));
    assert!(browser.exists(&format!(".inbox li[data-conversation='{c}']")), "back in the inbox");
    assert_eq!(browser.eval("return window.pwned === undefined;"), json!(true), "nothing typed ran");
}

#[test]
fn trash_and_deleting_a_note_ask_for_confirmation_and_the_trash_can_be_undone() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let c = app.new_conversation(ann);
    app.send(ann, c, "Please delete my data");
    app.ok("add-note", json!({ "conversation_id": c, "message": "Checked with legal" }));
    let browser = Browser::start();
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.goto(&format!("{}/admin/conversations/{c}", app.base));

    browser.submit(".delete-note");
    assert!(browser.text(".confirm h1").contains("Checked with legal"));
    assert_eq!(app.ok("get-notes", json!({ "conversation_id": c })).as_array().unwrap().len(), 1, "not yet");
    browser.submit(".confirm button[type=submit]");
    assert_eq!(browser.text(".notice"), "Note deleted.");
    assert_eq!(app.ok("get-notes", json!({ "conversation_id": c })), json!([]));

    browser.submit("#trash");
    assert!(browser.text(".confirm h1").contains("trash"), "asks first");
    assert_eq!(details(&app, c)["conversation_status_code"], "2", "nothing changed yet");
    browser.submit(".confirm a.secondary");
    assert!(browser.url().ends_with(&format!("/admin/conversations/{c}")), "cancel goes back");
    browser.submit("#trash");
    browser.submit(".confirm button[type=submit]");
    assert_eq!(browser.text(".notice span"), "Conversation moved to the trash.");
    assert_eq!(details(&app, c)["conversation_status_code"], "4");
    assert!(!browser.exists(&format!(".inbox li[data-conversation='{c}']")));
    browser.submit(".notice button");
    assert_eq!(browser.text(".notice span"), "Conversation restored to the inbox.");
    assert_eq!(details(&app, c)["conversation_status_code"], "0");
    assert!(browser.exists(&format!(".inbox li[data-conversation='{c}']")), "undone");

    let client = signed_in_client(&app);
    let page = client.get(format!("{}/admin/conversations/{c}", app.base)).send().unwrap().text().unwrap();
    let unconfirmed = client
        .post(format!("{}/admin/conversations/{c}/status", app.base))
        .form(&[("csrf_token", csrf_of(&page).as_str()), ("status", "trash")])
        .send()
        .unwrap();
    assert_eq!(unconfirmed.status(), 200);
    assert!(unconfirmed.text().unwrap().contains("Move to the trash"), "a post without confirming asks too");
    assert_eq!(details(&app, c)["conversation_status_code"], "0");
}

#[test]
fn search_finds_conversations_by_message_text_and_filters_narrow_the_list() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let zed = app.add_user("Zebulon", None, "user");
    let refund = app.new_conversation_with(json!({ "user_id": ann, "department": 2, "source": "wa" }));
    app.send(ann, refund, "I would like a refund for order 1234");
    let order = app.new_conversation_with(json!({ "user_id": ann, "agent_id": app.admin_id }));
    app.send(ann, order, "Where is my order?");
    let hello = app.new_conversation(zed);
    app.send(zed, hello, "hello there");
    let archived = app.new_conversation(zed);
    app.send(zed, archived, "thanks, all sorted");
    app.ok("update-conversation-status", json!({ "conversation_id": archived, "status_code": 3 }));

    let browser = Browser::start();
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.fill("#q", "refund");
    browser.submit(".filters button[type=submit]");
    assert!(browser.url().contains("q=refund"), "bookmarkable: {}", browser.url());
    assert_eq!(listed(&browser.source()), vec![refund]);
    browser.fill("#q", "zebul");
    browser.submit(".filters button[type=submit]");
    assert_eq!(listed(&browser.source()), vec![hello], "the user's name matches too; archived stays out");

    let client = signed_in_client(&app);
    let list = |query: &str| listed(&client.get(format!("{}/admin?{query}", app.base)).send().unwrap().text().unwrap());
    assert_eq!(list(""), vec![hello, order, refund]);
    assert_eq!(list("department=2"), vec![refund]);
    assert_eq!(list("source=wa"), vec![refund]);
    assert_eq!(list("agent=me"), vec![order]);
    assert_eq!(list(&format!("agent={}", app.admin_id)), vec![order]);
    assert_eq!(list("status=archive"), vec![archived]);
    assert_eq!(list("status=trash"), Vec::<i64>::new());
    assert_eq!(list("status=all&q=thanks"), vec![archived]);
    assert_eq!(list("status=nonsense&department=x&source=%3Cb%3E"), vec![hello, order, refund], "unreadable means any");
}

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
    let live = client
        .post(format!("{}/admin/conversations/preview", app.base))
        .form(&[("csrf_token", token.as_str()), ("message", "_x_ <script>")])
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(live, "<i>x</i> &lt;script&gt;");
}
