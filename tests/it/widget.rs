//! The chat widget (`widget.js`) in a real Chromium: on a customer's page served
//! from another origin, talking to the real server, with the agents' side in a
//! second browser signed in to the admin area. Embedding (hostile CSS, phones,
//! the JavaScript API, the install page) is in `widget_embedding.rs`.

use crate::admin::sign_in;
use crate::support::browser::Browser;
use crate::support::host::HostPage;
use crate::support::TestApp;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use switchboard::clock::Clock;

/// The element the widget draws itself in (its shadow root holds everything).
pub const HOST: &str = "#switchboard-widget";
const ENTER: &str = "\u{E007}";

/// A server whose admin counts as online for an hour: agents are online within
/// `online_window_seconds` of their last activity, and the admin was created at start.
pub fn staffed_app() -> TestApp {
    TestApp::spawn_with(Clock::system(), |config| config.online_window_seconds = 3600)
}

/// A server where the pre-chat form is off, so the visitor writes at once.
pub fn staffed_app_without_prechat() -> TestApp {
    let app = staffed_app();
    app.ok("save-settings", json!({ "settings": { "widget-prechat": "false" } }));
    app
}

/// A shop's page embedding the widget as the install page says, with `options`
/// in `SWITCHBOARD_CONFIG` (if any) and `head` added to its head.
pub fn site(app: &TestApp, options: Option<Value>, head: &str) -> HostPage {
    let config = options
        .map(|o| format!("<script>window.SWITCHBOARD_CONFIG = {};</script>", json!({ "options": o })))
        .unwrap_or_default();
    HostPage::serve(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>The Shop</title>{head}</head>\
         <body><h1>The Shop</h1><p>Blue and red bicycles.</p>{config}\
         <script src=\"{}/widget.js\" async></script></body></html>",
        app.base
    ))
}

/// Runs `body` with `w` bound to the widget's shadow root (`null` before it is drawn).
pub fn in_widget(browser: &Browser, body: &str) -> Value {
    browser.eval(&format!(
        "const host = document.querySelector('{HOST}'); const w = host ? host.shadowRoot : null; {body}"
    ))
}

/// Waits until `condition` (an expression over `w`, the shadow root) holds.
#[track_caller]
pub fn wait_in_widget(browser: &Browser, condition: &str, what: &str, seconds: u64) {
    browser.wait_until(
        &format!("const host = document.querySelector('{HOST}'); const w = host ? host.shadowRoot : null; return !!w && !!({condition});"),
        what,
        seconds,
    );
}

/// An expression: whether the element matching `css` in the widget is drawn.
pub fn shown(css: &str) -> String {
    format!("(() => {{ const e = w.querySelector({}); return !!e && e.getClientRects().length > 0; }})()", json!(css))
}

/// The texts of the messages in the widget's log, oldest first.
pub fn logged(browser: &Browser) -> Vec<String> {
    let found = in_widget(
        browser,
        "return w ? [...w.querySelectorAll('.log .msg:not(.pending) .bub')].map(b => b.textContent) : [];",
    );
    serde_json::from_value(found).unwrap()
}

/// Waits until the widget's log holds a message containing `text`.
#[track_caller]
pub fn wait_for_message(browser: &Browser, text: &str, seconds: u64) {
    let condition = format!(
        "[...w.querySelectorAll('.log .msg:not(.pending) .bub')].some(b => b.textContent.includes({}))",
        json!(text)
    );
    wait_in_widget(browser, &condition, &format!("the message '{text}' in the widget"), seconds);
}

/// Opens the page at `url` and the chat window, once the launcher shows.
pub fn open_chat(browser: &Browser, url: &str) {
    browser.goto(url);
    wait_in_widget(browser, &shown(".launcher"), "the launcher", 15);
    if in_widget(browser, &format!("return {};", shown(".window"))) != json!(true) {
        browser.click_in_shadow(HOST, ".launcher");
    }
    wait_in_widget(browser, &shown(".window"), "the chat window", 5);
}

/// Types `text` in the widget's message box and presses Enter.
pub fn say(browser: &Browser, text: &str) {
    wait_in_widget(browser, &shown(".composer textarea"), "the message box", 5);
    browser.type_in_shadow(HOST, ".composer textarea", &format!("{text}{ENTER}"));
    wait_for_message(browser, text, 10);
}

/// The conversation with the latest message, by the API.
pub fn latest_conversation(app: &TestApp) -> i64 {
    let inbox = app.ok("get-conversations", json!({}));
    inbox[0]["conversation_id"].as_str().unwrap().parse().unwrap()
}

/// The customer of the conversation with the latest message, as get-user answers.
fn latest_customer(app: &TestApp) -> Value {
    let conversation = latest_conversation(app);
    let user = app.ok("get-user-from-conversation", json!({ "conversation_id": conversation }));
    app.ok("get-user", json!({ "user_id": user["id"] }))
}

/// Marks the visitor's messages read as the agents' side would, and waits until the
/// widget shows "Seen": from then on it reads nothing again to learn of reads.
fn seen_by_the_agents(app: &TestApp, visitor: &Browser) {
    let mine = visitor.eval_async("Switchboard.getMessages().then(m => arguments[0](m.map(x => x.id)));");
    app.ok("update-messages-status", json!({ "message_ids": mine }));
    wait_in_widget(visitor, "w.querySelector('.log .me .state').textContent === 'Seen'", "Seen", 15);
}

#[test]
fn a_visitor_fills_the_pre_chat_form_writes_and_the_message_appears_live_in_the_admin_inbox() {
    let app = staffed_app();
    let site = site(&app, None, "");
    let agent = Browser::start();
    sign_in(&agent, &app, "admin@example.com", "admin-password");
    agent.eval("window.stillTheSamePage = true; return true;");

    let visitor = Browser::start();
    visitor.goto(&site.url("/bikes"));
    wait_in_widget(&visitor, &shown(".launcher"), "the launcher", 15);
    visitor.screenshot("widget-closed");
    visitor.click_in_shadow(HOST, ".launcher");
    wait_in_widget(&visitor, &shown("form.prechat"), "the pre-chat form", 5);
    assert!(visitor.text_in_shadow(HOST, "form.prechat").contains("Email *"), "the email is required by default");
    assert_eq!(in_widget(&visitor, &format!("return {};", shown(".composer"))), json!(false), "no message box yet");
    visitor.click_in_shadow(HOST, "form.prechat button[type=submit]");
    assert_eq!(visitor.text_in_shadow(HOST, "form.prechat .error"), "Please enter your email.");
    visitor.type_in_shadow(HOST, "form.prechat input[name=name]", "Vera Lind");
    visitor.type_in_shadow(HOST, "form.prechat input[name=email]", "vera@example.com");
    visitor.click_in_shadow(HOST, "form.prechat button[type=submit]");
    say(&visitor, "Do you ship to Norway?");

    agent.wait_for_text(".inbox li:first-child .preview", "Do you ship to Norway?", 10);
    assert_eq!(agent.text(".inbox li:first-child .name"), "Vera Lind");
    assert_eq!(agent.eval("return window.stillTheSamePage === true;"), json!(true), "live, without a reload");
    let lead = latest_customer(&app);
    assert_eq!((&lead["user_type"], &lead["email"]), (&json!("lead"), &json!("vera@example.com")), "{lead}");
}

#[test]
fn an_agents_reply_in_the_admin_area_reaches_the_widget_within_a_second() {
    let app = staffed_app_without_prechat();
    let site = site(&app, None, "");
    let visitor = Browser::start();
    open_chat(&visitor, &site.url("/"));
    say(&visitor, "Is the blue bicycle in stock?");
    let conversation = latest_conversation(&app);

    let agent = Browser::start();
    sign_in(&agent, &app, "admin@example.com", "admin-password");
    agent.goto(&format!("{}/admin/conversations/{conversation}", app.base));
    // Three replies, each timed: a poll every few seconds could make one in time by luck, not three.
    for (typed, shown_as) in [
        ("Yes, *two* left.", "Yes, two left."),
        ("Blue or navy?", "Blue or navy?"),
        ("Both ship today.", "Both ship today."),
    ] {
        agent.fill("#reply-message", typed);
        let clicked = Instant::now();
        agent.click("#send-reply");
        visitor.wait_until(
            &format!(
                "const w = document.querySelector('{HOST}').shadowRoot; \
                 return [...w.querySelectorAll('.log .them .bub')].some(b => b.textContent === {});",
                json!(shown_as)
            ),
            "the reply in the widget",
            10,
        );
        let took = clicked.elapsed();
        println!("the agent's reply reached the widget {} ms after the click", took.as_millis());
        assert!(took < Duration::from_secs(1), "pushed live: '{shown_as}' took {took:?}");
        agent.wait_for_text("#messages li:last-child", shown_as, 10);
    }
    assert_eq!(in_widget(&visitor, "return w.querySelector('.log .them .bub b').textContent;"), json!("two"));
    assert_eq!(visitor.text_in_shadow(HOST, ".log .them .who"), "Admin");
    assert!(in_widget(&visitor, "return w.querySelector('.log .them img.av').src;")
        .as_str()
        .unwrap()
        .ends_with("/static/img/user.svg"));
    // The agent had the conversation open, so the visitor's message was read there.
    wait_in_widget(
        &visitor,
        "w.querySelector('.log .me .state').textContent === 'Seen'",
        "Seen under the visitor's message",
        15,
    );
    visitor.screenshot("widget-open");
    // The README's picture is refreshed on request only, so test runs leave the tree clean.
    if std::env::var_os("TEST_UPDATE_DOCS").is_some() {
        let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs").join("widget.png");
        std::fs::copy(crate::support::browser::screenshot_dir().join("widget-open.png"), docs).unwrap();
    }
}

#[test]
fn typing_shows_on_both_sides() {
    let app = staffed_app_without_prechat();
    let site = site(&app, None, "");
    let visitor = Browser::start();
    open_chat(&visitor, &site.url("/"));
    say(&visitor, "Hello?");
    let conversation = latest_conversation(&app);
    let agent = Browser::start();
    sign_in(&agent, &app, "admin@example.com", "admin-password");
    agent.goto(&format!("{}/admin/conversations/{conversation}", app.base));
    assert_eq!(agent.eval("return document.getElementById('typing').hidden;"), json!(true));

    visitor.type_in_shadow(HOST, ".composer textarea", "I would like to ask");
    agent.wait_until(
        "return !document.getElementById('typing').hidden;",
        "the customer typing on the agent's page",
        10,
    );
    assert!(agent.text("#typing").contains("is typing"), "{}", agent.text("#typing"));
    // Read on the agent's page: once the widget shows it, nothing but the stream tells it more.
    wait_in_widget(&visitor, "w.querySelector('.log .me .state').textContent === 'Seen'", "Seen", 15);

    assert_eq!(in_widget(&visitor, &format!("return {};", shown(".typing"))), json!(false));
    let typed = Instant::now();
    agent.fill("#reply-message", "Sure, go ahead");
    wait_in_widget(&visitor, &shown(".typing"), "the agent typing in the widget", 10);
    assert!(typed.elapsed() < Duration::from_secs(2), "told live: {:?}", typed.elapsed());
    assert_eq!(visitor.text_in_shadow(HOST, ".typing"), "Admin is typing...");
    agent.click("#send-reply");
    wait_for_message(&visitor, "Sure, go ahead", 10);
    assert_eq!(
        in_widget(&visitor, &format!("return {};", shown(".typing"))),
        json!(false),
        "a message ends the typing line"
    );
}

#[test]
fn the_history_stays_across_reloads_and_pages_of_the_site() {
    let app = staffed_app_without_prechat();
    let site = site(&app, None, "");
    let visitor = Browser::start();
    open_chat(&visitor, &site.url("/"));
    say(&visitor, "First question");
    say(&visitor, "Second question");
    let conversation = latest_conversation(&app);
    app.send(app.admin_id, conversation, "One answer for both");
    wait_for_message(&visitor, "One answer for both", 10);
    assert_eq!(logged(&visitor), ["First question", "Second question", "One answer for both"], "each once");
    let who = visitor.eval_async("Switchboard.getVisitorInfo().then(v => arguments[0](v.id));");

    visitor.goto(&site.url("/"));
    wait_in_widget(&visitor, &shown(".window"), "the window, still open after the reload", 15);
    assert_eq!(logged(&visitor), ["First question", "Second question", "One answer for both"]);
    visitor.goto(&site.url("/checkout"));
    wait_for_message(&visitor, "One answer for both", 15);
    assert_eq!(logged(&visitor), ["First question", "Second question", "One answer for both"], "shown once each");
    assert_eq!(
        visitor.eval_async("Switchboard.getVisitorInfo().then(v => arguments[0](v.id));"),
        who,
        "the same visitor"
    );
    assert!(
        visitor
            .eval(&format!("return localStorage.getItem('switchboard:{}');", app.base.trim_end_matches('/')))
            .as_str()
            .unwrap()
            .contains("credential"),
        "the credential is kept under the server's origin"
    );
}

#[test]
fn a_second_browser_is_another_visitor_and_sees_nothing_of_the_first() {
    let app = staffed_app_without_prechat();
    let site = site(&app, None, "");
    let first = Browser::start();
    open_chat(&first, &site.url("/"));
    say(&first, "My order number is 4411");
    let second = Browser::start();
    open_chat(&second, &site.url("/"));
    wait_in_widget(&second, &shown(".welcome"), "the welcome message", 5);
    assert_eq!(logged(&second), Vec::<String>::new(), "nothing of the first visitor");
    say(&second, "Hi from the second");
    let ids = |b: &Browser| b.eval_async("Switchboard.getVisitorInfo().then(v => arguments[0](v.id));");
    assert_ne!(ids(&first), ids(&second));
    let conversation =
        app.ok("get-conversations", json!({}))[1]["conversation_id"].as_str().unwrap().parse::<i64>().unwrap();
    app.send(app.admin_id, conversation, "Answer to the first visitor");
    wait_for_message(&first, "Answer to the first visitor", 10);
    assert_eq!(logged(&second), ["Hi from the second"], "the first visitor's answer never reaches the second");
}

#[test]
fn an_email_in_set_visitor_info_opens_a_customers_history_only_with_the_sites_proof() {
    let app = staffed_app_without_prechat();
    let carla = app.add_user("Carla", Some("carla@example.com"), "user");
    let old = app.new_conversation(carla);
    app.send(carla, old, "My earlier question about invoices");
    let site = site(&app, None, "");
    let stranger = Browser::start();
    open_chat(&stranger, &site.url("/"));
    let told = stranger.eval_async(
        "Switchboard.setVisitorInfo({ name: 'Carla Fake', email: 'carla@example.com' }, (err, v) => arguments[0]([err && err.code, v]));",
    );
    assert_eq!(told[0], Value::Null, "{told}");
    assert_eq!(told[1]["email"], Value::Null, "the address is not proven theirs: {told}");
    let messages = stranger.eval_async("Switchboard.getMessages().then(arguments[0]);");
    assert_eq!(messages, json!([]), "no proof, no history");
    assert_eq!(logged(&stranger), Vec::<String>::new());

    let hash = app.identity_hash("carla@example.com");
    let real = Browser::start();
    open_chat(&real, &site.url("/"));
    let proven = real.eval_async(&format!(
        "Switchboard.setVisitorInfo({{ name: 'Carla Test', email: 'carla@example.com', identity_hash: '{hash}' }}).then(arguments[0]);"
    ));
    assert_eq!(proven["id"], carla.to_string(), "{proven}");
    wait_for_message(&real, "My earlier question about invoices", 10);
    say(&real, "Following up");
    let history = app.ok("get-conversation", json!({ "conversation_id": old }))["messages"].clone();
    assert_eq!(history.as_array().unwrap().len(), 2, "she went on in her own conversation: {history}");
    assert_eq!(logged(&stranger), Vec::<String>::new(), "the stranger still sees nothing");
}

#[test]
fn with_no_agent_online_the_visitor_leaves_a_message_in_the_offline_form() {
    // The clock stands still, then moves past the admin's last activity (its creation).
    let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string();
    let app = TestApp::spawn_at(&now);
    app.advance(3600);
    let site = site(&app, None, "");
    let visitor = Browser::start();
    open_chat(&visitor, &site.url("/"));
    wait_in_widget(&visitor, &shown("form.offline"), "the offline form", 5);
    assert_eq!(visitor.text_in_shadow(HOST, ".head .sub"), "We are away");
    assert_eq!(
        visitor.text_in_shadow(HOST, "form.offline .intro"),
        "Leave a message and we will get back to you by email."
    );
    assert_eq!(in_widget(&visitor, &format!("return {};", shown(".composer"))), json!(false));
    visitor.type_in_shadow(HOST, "form.offline input[name=name]", "Otto Berg");
    visitor.type_in_shadow(HOST, "form.offline textarea[name=message]", "Please call me back about the red bicycle.");
    visitor.click_in_shadow(HOST, "form.offline button[type=submit]");
    assert_eq!(visitor.text_in_shadow(HOST, "form.offline .error"), "Please enter your email.");
    visitor.type_in_shadow(HOST, "form.offline input[name=email]", "otto@example");
    visitor.click_in_shadow(HOST, "form.offline button[type=submit]");
    assert_eq!(visitor.text_in_shadow(HOST, "form.offline .error"), "Invalid email address.");
    visitor.type_in_shadow(HOST, "form.offline input[name=email]", ".com");
    visitor.click_in_shadow(HOST, "form.offline button[type=submit]");

    wait_for_message(&visitor, "Please call me back about the red bicycle.", 10);
    assert_eq!(visitor.text_in_shadow(HOST, ".waiting"), "We will reply as soon as possible.");
    assert_eq!(in_widget(&visitor, &format!("return {};", shown("form.offline"))), json!(false));
    let inbox = app.ok("get-conversations", json!({}));
    assert_eq!(inbox[0]["message"], "Please call me back about the red bicycle.");
    let lead = latest_customer(&app);
    assert_eq!(
        (&lead["first_name"], &lead["last_name"], &lead["email"]),
        (&json!("Otto"), &json!("Berg"), &json!("otto@example.com"))
    );
}

#[test]
fn after_the_agent_archives_the_conversation_the_visitor_rates_it() {
    let app = staffed_app_without_prechat();
    let site = site(&app, None, "");
    let visitor = Browser::start();
    open_chat(&visitor, &site.url("/"));
    visitor.eval("window.ratings = []; Switchboard.on('submitted:rating', r => window.ratings.push(r)); Switchboard.on('end:chat', () => window.ended = true); return true;");
    say(&visitor, "Thanks, that is all");
    let conversation = latest_conversation(&app);
    app.send(app.admin_id, conversation, "Glad to help!");
    wait_for_message(&visitor, "Glad to help!", 10);
    assert_eq!(in_widget(&visitor, &format!("return {};", shown(".rate"))), json!(false), "no rating while it is open");
    seen_by_the_agents(&app, &visitor);

    app.ok("update-conversation-status", json!({ "conversation_id": conversation, "status_code": 3 }));
    wait_in_widget(&visitor, &shown(".rate .good"), "the rating buttons", 10);
    assert_eq!(visitor.text_in_shadow(HOST, ".closed"), "This conversation has been closed.");
    assert_eq!(visitor.text_in_shadow(HOST, ".rate p"), "Rate your experience");
    assert_eq!(visitor.eval("return window.ended === true;"), json!(true), "end:chat fired");
    visitor.click_in_shadow(HOST, ".rate .good");
    wait_in_widget(&visitor, "w.querySelector('.rate').textContent === 'Thank you for your rating!'", "the thanks", 5);
    assert_eq!(visitor.eval("return window.ratings;"), json!([1]), "submitted:rating fired with the rating");
    let details = app.ok("get-conversation", json!({ "conversation_id": conversation }))["details"].clone();
    assert_eq!(details["rating"], "1", "{details}");

    visitor.goto(&site.url("/"));
    wait_for_message(&visitor, "Glad to help!", 15);
    assert_eq!(
        in_widget(&visitor, &format!("return {};", shown(".rate"))),
        json!(false),
        "rated once, not asked again"
    );
}

#[test]
fn a_reply_while_the_window_is_closed_shows_a_count_and_a_preview_and_opening_reads_it() {
    closed_window_journey("");
}

/// As above when the widget polls: a poll from a closed window must not read.
#[test]
fn a_polling_widget_with_its_window_closed_leaves_replies_unread() {
    closed_window_journey("<script>window.EventSource = undefined;</script>");
}

fn closed_window_journey(head: &str) {
    let app = staffed_app_without_prechat();
    let site = site(&app, None, head);
    let visitor = Browser::start();
    open_chat(&visitor, &site.url("/"));
    say(&visitor, "Hello there");
    seen_by_the_agents(&app, &visitor);
    visitor.click_in_shadow(HOST, ".head .close");
    wait_in_widget(&visitor, &format!("!{}", shown(".window")), "the window closing", 5);
    let conversation = latest_conversation(&app);
    app.send(app.admin_id, conversation, "We are here! How can we help?");

    wait_in_widget(&visitor, &shown(".launcher .count"), "the unread count", 10);
    assert_eq!(visitor.text_in_shadow(HOST, ".launcher .count"), "1");
    wait_in_widget(&visitor, &shown(".bubble"), "the preview", 5);
    assert_eq!(visitor.text_in_shadow(HOST, ".bubble strong"), "Admin");
    assert_eq!(visitor.text_in_shadow(HOST, ".bubble .bubble-message"), "We are here! How can we help?");
    let status =
        || app.ok("get-conversation", json!({ "conversation_id": conversation }))["messages"][1]["status_code"].clone();
    assert_eq!(status(), "0", "not read while the window is closed");

    visitor.click_in_shadow(HOST, ".bubble-open");
    wait_in_widget(&visitor, &shown(".window"), "the window", 5);
    assert_eq!(in_widget(&visitor, &format!("return {};", shown(".launcher .count"))), json!(false));
    let deadline = Instant::now() + Duration::from_secs(10);
    while status() != "2" {
        assert!(Instant::now() < deadline, "opening the window never marked the reply read");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn without_event_streams_the_widget_polls_for_replies() {
    let app = staffed_app_without_prechat();
    let site = site(&app, None, "<script>window.EventSource = undefined;</script>");
    let visitor = Browser::start();
    open_chat(&visitor, &site.url("/"));
    say(&visitor, "Is anyone there?");
    seen_by_the_agents(&app, &visitor);
    app.send(app.admin_id, latest_conversation(&app), "Yes, polling works too.");
    wait_for_message(&visitor, "Yes, polling works too.", 10);
    let requests = visitor.eval(
        "const names = performance.getEntriesByType('resource').map(e => e.name); \
         return [names.some(n => n.includes('/widget/events')), names.filter(n => n.includes('/widget/messages?after=')).length];",
    );
    assert_eq!(requests[0], false, "no event stream was opened");
    assert!(requests[1].as_u64().unwrap() >= 1, "{requests}");
    assert_eq!(logged(&visitor), ["Is anyone there?", "Yes, polling works too."], "each message once");
}

#[test]
fn the_visitor_emails_themselves_the_transcript() {
    let smtp = crate::support::smtp::SmtpServer::start();
    let app = staffed_app_without_prechat();
    crate::email::use_smtp(&app, smtp.port, "none");
    let site = site(&app, None, "");
    let visitor = Browser::start();
    open_chat(&visitor, &site.url("/"));
    assert_eq!(
        in_widget(&visitor, &format!("return {};", shown(".transcript-button"))),
        json!(false),
        "nothing to send yet"
    );
    say(&visitor, "Which size fits me?");
    app.send(app.admin_id, latest_conversation(&app), "Size M, most likely.");
    wait_for_message(&visitor, "Size M, most likely.", 10);
    visitor.click_in_shadow(HOST, ".transcript-button");
    wait_in_widget(&visitor, &shown("form.transcript input[name=email]"), "the transcript form", 5);
    visitor.type_in_shadow(HOST, "form.transcript input[name=email]", "tess@example.com");
    visitor.click_in_shadow(HOST, "form.transcript button[type=submit]");
    wait_in_widget(&visitor, "w.querySelector('.waiting').textContent === 'Sent'", "the transcript sent", 10);
    let received = smtp.wait_for(1);
    assert_eq!(received[0].to, ["tess@example.com"]);
    let text = received[0].text();
    assert!(text.contains("Which size fits me?") && text.contains("Size M, most likely."), "{text}");
}

#[test]
fn the_widget_speaks_the_language_the_site_asks_for() {
    let app = staffed_app_without_prechat();
    let site = site(&app, Some(json!({ "language": "fr" })), "");
    let visitor = Browser::start();
    visitor.goto(&site.url("/"));
    wait_in_widget(&visitor, &shown(".launcher"), "the launcher", 15);
    assert_eq!(
        in_widget(&visitor, "return w.querySelector('.launcher').getAttribute('aria-label');"),
        json!("Ouvrir le chat")
    );
    visitor.click_in_shadow(HOST, ".launcher");
    wait_in_widget(&visitor, &shown(".window"), "the window", 5);
    let texts = in_widget(
        &visitor,
        "return [w.querySelector('.composer textarea').placeholder, w.querySelector('.send').getAttribute('aria-label'), \
         w.querySelector('.welcome').textContent, w.querySelector('.head .sub').textContent];",
    );
    assert_eq!(
        texts,
        json!([
            "Écrivez un message...",
            "Envoyer",
            "Bonjour ! Comment pouvons-nous vous aider ?",
            "Notre équipe est en ligne"
        ])
    );
}

#[test]
fn a_visitor_the_server_forgot_starts_afresh_and_the_message_still_goes() {
    let app = staffed_app_without_prechat();
    let site = site(&app, None, "");
    let visitor = Browser::start();
    open_chat(&visitor, &site.url("/"));
    say(&visitor, "Before the clean-up");
    let credential = format!("return localStorage.getItem('switchboard:{}');", app.base);
    let old = visitor.eval(&credential);
    let id = visitor.eval_async("Switchboard.getVisitorInfo().then(v => arguments[0](v.id));");
    app.ok("delete-user", json!({ "user_id": id }));

    say(&visitor, "After the clean-up");
    assert_eq!(logged(&visitor), ["After the clean-up"], "a new visitor, with only its own message");
    assert_ne!(visitor.eval(&credential), old, "with a new credential");
    let inbox = app.ok("get-conversations", json!({}));
    assert_eq!(inbox.as_array().unwrap().len(), 1, "{inbox}");
    assert_eq!(inbox[0]["message"], "After the clean-up");
}

#[test]
fn seen_comes_over_the_stream_without_reading_the_messages_again() {
    let app = staffed_app_without_prechat();
    let site = site(&app, None, "");
    let visitor = Browser::start();
    open_chat(&visitor, &site.url("/"));
    say(&visitor, "Did you get my order?");
    let rereads = || {
        visitor.eval(
            "return performance.getEntriesByType('resource').filter(e => e.name.includes('/widget/messages?after=')).length;",
        )
    };
    let before = rereads();
    seen_by_the_agents(&app, &visitor);
    assert_eq!(rereads(), before, "the widget read its messages again to learn they were seen");
}
