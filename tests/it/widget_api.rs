//! The visitor API the chat widget talks to, over HTTP as a browser on another
//! site would call it.

use crate::support::TestApp;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

/// A browser's view of the visitor API: its credential, once it has one.
pub struct Visitor<'a> {
    app: &'a TestApp,
    pub credential: String,
    pub id: i64,
    client: reqwest::blocking::Client,
}

pub const ORIGIN: &str = "http://shop.example";

impl<'a> Visitor<'a> {
    pub fn start(app: &'a TestApp) -> Self {
        let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
        let started = post(
            &client,
            app,
            "",
            "/widget/visitor",
            json!({ "page": { "url": "https://shop.example/pricing" }, "language": "fr-FR" }),
        );
        assert_eq!(started["success"], true, "{started}");
        let response = &started["response"];
        let id = response["visitor"]["id"].as_str().unwrap().parse().unwrap();
        Visitor { app, credential: response["credential"].as_str().unwrap().to_string(), id, client }
    }

    pub fn post(&self, path: &str, body: Value) -> Value {
        post(&self.client, self.app, &self.credential, path, body)
    }

    pub fn get(&self, path: &str) -> Value {
        let response = self
            .client
            .get(format!("{}{path}", self.app.base))
            .header("Origin", ORIGIN)
            .header("X-Switchboard-Visitor", &self.credential)
            .send()
            .unwrap();
        response.json().unwrap()
    }

    /// Sends `text`; answers the conversation ID.
    pub fn say(&self, text: &str) -> i64 {
        let sent = self.post("/widget/messages", json!({ "message": text }));
        assert_eq!(sent["success"], true, "{sent}");
        sent["response"]["conversation"]["id"].as_str().unwrap().parse().unwrap()
    }

    pub fn texts(&self) -> Vec<String> {
        let polled = self.get("/widget/messages?after=0");
        polled["response"]["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["message"].as_str().unwrap().to_string())
            .collect()
    }
}

fn post(client: &reqwest::blocking::Client, app: &TestApp, credential: &str, path: &str, body: Value) -> Value {
    let mut request = client.post(format!("{}{path}", app.base)).header("Origin", ORIGIN).json(&body);
    if !credential.is_empty() {
        request = request.header("X-Switchboard-Visitor", credential);
    }
    request.send().unwrap().json().unwrap()
}

#[test]
fn a_visitor_writes_the_agent_answers_and_the_visitor_reads_the_answer() {
    let app = TestApp::spawn();
    let visitor = Visitor::start(&app);
    let conversation = visitor.say("Hello, is the *pro* plan monthly?");

    let inbox = app.ok("get-conversations", json!({}));
    assert_eq!(inbox[0]["conversation_id"], conversation.to_string(), "the agents' inbox has it");
    assert_eq!(inbox[0]["message"], "Hello, is the *pro* plan monthly?");
    assert_eq!(inbox[0]["user_type"], "visitor");
    app.send(app.admin_id, conversation, "Yes, and <script>alert(1)</script> javascript:alert(1)");

    let status =
        || app.ok("get-conversation", json!({ "conversation_id": conversation }))["messages"][1]["status_code"].clone();
    let closed = visitor.get("/widget/messages?after=0");
    assert_eq!(closed["response"]["messages"].as_array().map(Vec::len), Some(2));
    assert_ne!(status(), "2", "a poll from a closed window marked the agent's message read");

    let polled = visitor.get("/widget/messages?after=0&read=1");
    let messages = polled["response"]["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["html"], "Hello, is the <b>pro</b> plan monthly?");
    assert_eq!(messages[1]["user_type"], "admin");
    let html = messages[1]["html"].as_str().unwrap();
    assert!(html.contains("&lt;script&gt;") && !html.contains("<script"), "{html}");
    assert!(!html.contains("href=\"javascript"), "{html}");
    assert_eq!(status(), "2", "the visitor's reading poll marks the agent's message read");
}

#[test]
fn a_credential_opens_only_its_own_conversations_and_never_the_api() {
    let app = TestApp::spawn();
    let (ann, bob) = (Visitor::start(&app), Visitor::start(&app));
    ann.say("Ann's secret order 4411");
    assert_eq!(bob.texts(), Vec::<String>::new(), "bob sees nothing of ann's");
    assert_eq!(ann.texts(), ["Ann's secret order 4411"]);
    let forged =
        post(&reqwest::blocking::Client::new(), &app, &"0".repeat(64), "/widget/messages", json!({ "message": "x" }));
    assert_eq!(forged["response"], "invalid-visitor");
    assert_eq!(app.call_as(&ann.credential, "get-conversations", json!({}))["response"], "invalid-token");
}

#[test]
fn an_email_someone_has_merges_only_with_the_sites_proof() {
    let app = TestApp::spawn();
    let customer = app.add_user("Carla", Some("carla@example.com"), "user");
    let old = app.new_conversation(customer);
    app.send(customer, old, "My earlier question");

    let stranger = Visitor::start(&app);
    let told = stranger.post("/widget/info", json!({ "name": "Carla Fake", "email": "carla@example.com" }));
    assert_eq!(told["response"]["user_type"], "lead", "{told}");
    assert_eq!(told["response"]["email"], Value::Null, "the address is not theirs");
    assert_eq!(told["response"]["details"]["unverified_email"], "carla@example.com");
    assert!(stranger.texts().is_empty(), "no proof: carla's history stays hidden");

    let hash = app.identity_hash("carla@example.com");
    let wrong =
        stranger.post("/widget/info", json!({ "email": "carla@example.com", "identity": { "hash": "0".repeat(64) } }));
    assert_ne!(wrong["response"]["id"], json!(customer.to_string()), "a wrong proof merges nothing: {wrong}");
    let real = Visitor::start(&app);
    let proven = real.post("/widget/info", json!({ "email": "carla@example.com", "identity": { "hash": hash } }));
    assert_eq!(proven["response"]["id"], customer.to_string(), "{proven}");
    assert_eq!(real.texts(), ["My earlier question"], "with proof the widget shows her history");
}

/// A visitor's open event stream, read line by line.
struct Stream(std::io::Lines<BufReader<reqwest::blocking::Response>>);

impl Stream {
    fn open(app: &TestApp, credential: &str, last_event: Option<&str>) -> Self {
        let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
        let url = format!("{}/widget/events?visitor={credential}&after=0", app.base);
        let mut request = client.get(&url).header("Origin", ORIGIN);
        if let Some(id) = last_event {
            request = request.header("Last-Event-ID", id);
        }
        let response = request.send().unwrap();
        assert_eq!(response.headers()["access-control-allow-origin"], ORIGIN);
        Stream(BufReader::new(response).lines())
    }

    /// The next `message` event: its ID and data.
    fn next_message(&mut self) -> (String, Value) {
        self.next("message")
    }

    /// The next event called `wanted`: the stream's last ID and the event's data.
    fn next(&mut self, wanted: &str) -> (String, Value) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let (mut id, mut event) = (String::new(), String::new());
        loop {
            assert!(Instant::now() < deadline, "no {wanted} event");
            let line = self.0.next().unwrap().unwrap();
            if let Some(rest) = line.strip_prefix("id: ") {
                id = rest.to_string();
            } else if let Some(rest) = line.strip_prefix("event: ") {
                event = rest.to_string();
            } else if let Some(rest) = line.strip_prefix("data: ") {
                if event == wanted {
                    return (id, serde_json::from_str(rest).unwrap());
                }
            }
        }
    }

    /// The next message's text, which must arrive well before the stream's
    /// periodic check would find it: it was pushed.
    fn pushed_text(&mut self) -> String {
        let waiting = Instant::now();
        let (_, message) = self.next_message();
        assert!(waiting.elapsed() < Duration::from_secs(2), "pushed, not found by the 15 s check");
        message["message"].as_str().unwrap().to_string()
    }
}

#[test]
fn the_event_stream_delivers_an_agents_reply_and_resumes_after_the_last_event() {
    let app = TestApp::spawn();
    let visitor = Visitor::start(&app);
    let conversation = visitor.say("Anyone there?");
    let mut stream = Stream::open(&app, &visitor.credential, None);
    let (first_id, first) = stream.next_message();
    assert_eq!(first["message"], "Anyone there?", "the stream catches up first");
    app.send(app.admin_id, conversation, "Hi! Yes.");
    let waiting = Instant::now();
    let (reply_id, reply) = stream.next_message();
    assert_eq!(reply["message"], "Hi! Yes.");
    assert!(waiting.elapsed() < Duration::from_secs(2), "pushed, not found by the 15 s check");
    assert!(reply_id.parse::<i64>().unwrap() > first_id.parse::<i64>().unwrap());

    app.send(app.admin_id, conversation, "Still there?");
    let mut resumed = Stream::open(&app, &visitor.credential, Some(&reply_id));
    let (_, next) = resumed.next_message();
    assert_eq!(next["message"], "Still there?", "a reconnect resumes after the last event, nothing twice");
}

#[test]
fn direct_messages_and_the_bots_automated_messages_are_pushed_to_the_visitor() {
    let app = TestApp::spawn();
    let visitor = Visitor::start(&app);
    let mut stream = Stream::open(&app, &visitor.credential, None);
    app.ok("direct-message", json!({ "user_ids": [visitor.id], "message": "Your order shipped" }));
    assert_eq!(stream.pushed_text(), "Your order shipped");

    let welcome = json!({ "messages": [{ "id": "hello", "name": "Hello", "message": "Welcome back!" }] });
    assert_eq!(app.ok("automations-save", json!({ "automations": welcome.to_string() })), true);
    app.ok("automations-run-all", json!({ "user_id": visitor.id }));
    assert_eq!(stream.pushed_text(), "Welcome back!");
}

#[test]
fn a_visitor_beyond_the_message_rate_is_told_to_wait() {
    let app = TestApp::spawn();
    let visitor = Visitor::start(&app);
    for n in 0..10 {
        assert_eq!(visitor.post("/widget/messages", json!({ "message": format!("m{n}") }))["success"], true);
    }
    let refused = visitor.post("/widget/messages", json!({ "message": "one too many" }));
    assert_eq!(refused["response"], "rate-limited", "{refused}");
    assert_eq!(visitor.texts().len(), 10, "nothing stored for the refused one");
}

#[test]
fn only_allowed_sites_may_use_the_visitor_api() {
    let app = TestApp::spawn();
    app.ok("save-settings", json!({ "settings": { "widget-allowed-origins": "https://www.example.com" } }));
    let client = reqwest::blocking::Client::new();
    let refused = client
        .post(format!("{}/widget/visitor", app.base))
        .header("Origin", "https://evil.example")
        .json(&json!({}))
        .send()
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(refused.json::<Value>().unwrap()["response"], "origin-not-allowed");
    let allowed = client
        .post(format!("{}/widget/visitor", app.base))
        .header("Origin", "https://www.example.com")
        .json(&json!({}))
        .send()
        .unwrap();
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://www.example.com");
    assert_eq!(allowed.json::<Value>().unwrap()["success"], true);
    let preflight = client
        .request(reqwest::Method::OPTIONS, format!("{}/widget/messages", app.base))
        .header("Origin", "https://www.example.com")
        .header("Access-Control-Request-Headers", "x-switchboard-visitor")
        .send()
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert!(preflight.headers()["access-control-allow-headers"].to_str().unwrap().contains("X-Switchboard-Visitor"));
}

#[test]
fn the_start_answers_the_look_the_texts_in_the_visitors_language_and_records_the_browser() {
    let app = TestApp::spawn();
    app.ok("save-settings", json!({ "settings": { "header-title": "Shop help", "widget-prechat-phone": "required" } }));
    let visitor = Visitor::start(&app);
    let started = visitor.post("/widget/visitor", json!({}));
    let response = &started["response"];
    assert_eq!(response["credential"], visitor.credential, "resumed, not a new visitor");
    assert_eq!(response["settings"]["title"], "Shop help");
    assert_eq!(response["settings"]["prechat"]["phone"], "required");
    assert_eq!(response["language"], "fr");
    assert_eq!(response["strings"]["Send"], "Envoyer");
    let details = &app.ok("get-user", json!({ "user_id": visitor.id, "extra": true }))["details"];
    let detail =
        |slug: &str| details.as_array().unwrap().iter().find(|d| d["slug"] == slug).map(|d| d["value"].clone());
    assert_eq!(detail("browser_language"), Some(json!("fr-fr")));
    assert_eq!(detail("current_url"), Some(json!("https://shop.example/pricing")));
    assert_eq!(detail("visits"), Some(json!("1")));
}

#[test]
fn widget_js_is_served_gzipped_to_browsers_that_accept_it_within_its_size_budget() {
    let app = TestApp::spawn();
    let client = reqwest::blocking::Client::new();
    let url = format!("{}/widget.js", app.base);
    let plain = client.get(&url).send().unwrap();
    assert_eq!(plain.headers().get("content-encoding"), None);
    let plain_tag = plain.headers()["etag"].clone();
    let plain = plain.bytes().unwrap();
    for accepted in ["gzip, deflate, br", "br;q=1.0, gzip;q=0.8", "*"] {
        let gzipped = client.get(&url).header("Accept-Encoding", accepted).send().unwrap();
        assert_eq!(gzipped.headers()["content-encoding"], "gzip", "Accept-Encoding: {accepted}");
        assert_eq!(gzipped.headers()["vary"], "Accept-Encoding");
        assert_ne!(gzipped.headers()["etag"], plain_tag, "each encoding has its own tag");
        let bytes = gzipped.bytes().unwrap();
        let mut unpacked = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut unpacked).unwrap();
        assert_eq!(unpacked, plain, "the gzipped script is the script");
        assert!(bytes.len() <= 30 * 1024, "widget.js is {} bytes gzipped, over the 30 KB budget", bytes.len());
    }
    let refused = client.get(&url).header("Accept-Encoding", "gzip;q=0, identity").send().unwrap();
    assert_eq!(refused.headers().get("content-encoding"), None, "q=0 refuses gzip");
}

#[test]
fn the_stream_says_when_the_staff_have_read_the_visitors_messages() {
    let app = TestApp::spawn();
    let visitor = Visitor::start(&app);
    let conversation = visitor.say("Is my order late?");
    let mut stream = Stream::open(&app, &visitor.credential, None);
    let (_, first) = stream.next_message();
    let waiting = Instant::now();
    app.ok("update-messages-status", json!({ "message_ids": [first["id"]] }));
    let (_, seen) = stream.next("seen");
    assert!(waiting.elapsed() < Duration::from_secs(2), "pushed, not found by the 15 s check");
    assert_eq!(seen, json!({ "conversation_id": conversation.to_string(), "message_id": first["id"] }));

    visitor.say("And my invoice?");
    let (_, second) = stream.next_message();
    app.send(app.admin_id, conversation, "Let me look.");
    let (_, reply) = stream.next_message();
    app.ok("update-messages-status", json!({ "message_ids": [second["id"], reply["id"]] }));
    assert_eq!(
        stream.next("seen").1["message_id"],
        second["id"],
        "each read is told, up to the visitor's own message (not the agent's reply read with it)"
    );
}
