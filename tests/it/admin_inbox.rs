//! The inbox and the conversation page: journeys in a real headless Chromium. The
//! requests behind them (forged posts, the event stream, downloads, the pages
//! without JavaScript) are in `admin_inbox_requests.rs`.

use crate::admin::{sign_in, signed_in_client};
use crate::support::browser::Browser;
use crate::support::receiver::Receiver;
use crate::support::TestApp;
use serde_json::{json, Value};
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

pub fn csrf_of(html: &str) -> String {
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
    assert_eq!(listed(&browser.source()), vec![anns, bobs, dees], "the trashed conversation left the inbox");
    press(&browser, "j");
    assert_eq!(focused_conversation(&browser), json!(anns), "j starts again from the first row left");
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
