//! `TestApp`: the real server, started from the library on an ephemeral port over
//! a temporary data directory, with an admin and a client that posts PHP-encoded
//! forms.

pub mod browser;
pub mod host;
pub mod imap;
pub mod php;
pub mod receiver;
pub mod smtp;

use serde_json::{json, Map, Value};
use std::net::TcpListener;
use switchboard::clock::Clock;
use switchboard::domain::Email;
use switchboard::Config;

pub struct TestApp {
    /// `http://127.0.0.1:<port>` plus the base path.
    pub base: String,
    pub token: String,
    pub admin_id: i64,
    pub clock: Clock,
    pub client: reqwest::blocking::Client,
    pub dir: tempfile::TempDir,
    system: actix_web::rt::System,
    /// The server's own state, for tests that run jobs or read the store directly.
    pub state: switchboard::state::AppState,
    _scheduler: Option<switchboard::jobs::Scheduler>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.system.stop();
    }
}

impl TestApp {
    /// The widget's identity secret, as the admin area shows it to the site's owner.
    pub fn identity_secret(&self) -> String {
        let session = self.state.store.blocking_session();
        switchboard::ops::visitors::identity_secret(session.conn().unwrap(), &self.state).unwrap()
    }

    /// What the site's backend computes to prove a visitor's `email` (or user ID).
    pub fn identity_hash(&self, email: &str) -> String {
        switchboard::crypto::hmac_sha256_hex(self.identity_secret().as_bytes(), &[email.as_bytes()])
    }

    pub fn spawn() -> Self {
        Self::spawn_with(Clock::system(), |_| {})
    }

    /// A server whose clock stands at `at` ("YYYY-MM-DD HH:MM:SS") until moved.
    pub fn spawn_at(at: &str) -> Self {
        let at = chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M:%S").unwrap().and_utc();
        Self::spawn_with(Clock::fixed(at), |_| {})
    }

    /// A server at a fixed time with no scheduler thread: jobs run only when a test
    /// runs them, so nothing happens behind its back.
    pub fn spawn_quiet_at(at: &str) -> Self {
        let at = chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M:%S").unwrap().and_utc();
        Self::start(Clock::fixed(at), |_| {}, false)
    }

    pub fn spawn_with(clock: Clock, adjust: impl FnOnce(&mut Config)) -> Self {
        Self::start(clock, adjust, true)
    }

    fn start(clock: Clock, adjust: impl FnOnce(&mut Config), scheduler: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut config = Config {
            bind: format!("127.0.0.1:{port}"),
            data_dir: dir.path().join("data"),
            db_pool_size: 4,
            ..Config::default()
        };
        adjust(&mut config);
        let base = format!("http://127.0.0.1:{port}{}", config.base_path);
        let state = switchboard::server::prepare(config, clock.clone()).unwrap();
        let mut conn = switchboard::db::open(&state.config.database_path()).unwrap();
        let email = Email::parse("admin@example.com").unwrap();
        let (admin_id, token) = switchboard::ops::users::create_admin(
            &mut conn,
            &state.key,
            &clock.now_text(),
            email,
            "admin-password",
            &switchboard::domain::audit::Actor::system(),
        )
        .unwrap();
        let scheduler = scheduler.then(|| switchboard::jobs::start(state.clone()));
        let shared_state = state.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let system = actix_web::rt::System::new();
            tx.send(actix_web::rt::System::current()).unwrap();
            system.block_on(async move { switchboard::server::spawn(state, listener).unwrap().await }).unwrap();
        });
        let system = rx.recv().unwrap();
        let client = reqwest::blocking::Client::builder().timeout(std::time::Duration::from_secs(30)).build().unwrap();
        Self { base, token, admin_id, clock, client, dir, system, state: shared_state, _scheduler: scheduler }
    }

    pub fn api_url(&self) -> String {
        format!("{}/include/api.php", self.base)
    }

    /// Posts `body` as a form and returns the parsed envelope.
    pub fn post_form(&self, body: String) -> Value {
        let response = self
            .client
            .post(self.api_url())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .unwrap();
        envelope_of(response)
    }

    /// Calls `function` with the admin token and `args` (a JSON object whose arrays
    /// and objects are sent in PHP's bracket form), returning the whole envelope.
    pub fn call(&self, function: &str, args: Value) -> Value {
        self.call_as(&self.token, function, args)
    }

    pub fn call_as(&self, token: &str, function: &str, args: Value) -> Value {
        let mut map = Map::new();
        map.insert("token".into(), json!(token));
        map.insert("function".into(), json!(function));
        if let Value::Object(extra) = args {
            map.extend(extra);
        }
        self.post_form(php::http_build_query(&Value::Object(map)))
    }

    /// The `response` of a call that must succeed.
    pub fn ok(&self, function: &str, args: Value) -> Value {
        let envelope = self.call(function, args.clone());
        assert_eq!(envelope["success"], json!(true), "{function} {args} answered {envelope}");
        envelope["response"].clone()
    }

    /// The code of a call that must fail.
    pub fn fails(&self, function: &str, args: Value) -> String {
        let envelope = self.call(function, args.clone());
        assert_eq!(envelope["success"], json!(false), "{function} {args} should fail but answered {envelope}");
        envelope["response"].as_str().unwrap_or_else(|| panic!("no code in {envelope}")).to_string()
    }

    /// A new user of `user_type` with `email`; returns its ID.
    pub fn add_user(&self, first_name: &str, email: Option<&str>, user_type: &str) -> i64 {
        let mut args = json!({ "first_name": first_name, "last_name": "Test", "user_type": user_type });
        if let Some(email) = email {
            args["email"] = json!(email);
        }
        self.ok("add-user", args).as_i64().unwrap()
    }

    pub fn new_conversation(&self, user_id: i64) -> i64 {
        self.new_conversation_with(json!({ "user_id": user_id }))
    }

    /// A conversation made with `args`; returns its ID.
    pub fn new_conversation_with(&self, args: Value) -> i64 {
        let response = self.ok("new-conversation", args);
        response["details"]["id"].as_str().unwrap().parse().unwrap()
    }

    pub fn send(&self, user_id: i64, conversation_id: i64, message: &str) -> i64 {
        let response = self
            .ok("send-message", json!({ "user_id": user_id, "conversation_id": conversation_id, "message": message }));
        response["message-id"].as_i64().unwrap()
    }

    /// The API token of a user, as get-user shows it.
    pub fn token_of(&self, user_id: i64) -> String {
        self.ok("get-user", json!({ "user_id": user_id }))["token"].as_str().unwrap().to_string()
    }

    /// A connection to the server's database, with its pragmas.
    pub fn db(&self) -> rusqlite::Connection {
        switchboard::db::open(&self.state.config.database_path()).unwrap()
    }

    /// Waits (at most 20 s) until the scheduler has drained the outbox: no item is
    /// left pending, so whatever was queued has been delivered or has failed.
    pub fn wait_until_outbox_drained(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let pending = self.ok("get-outbox", json!({ "state": "pending" }));
            if pending == json!([]) {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "the outbox was never drained: {pending}");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    pub fn advance(&self, seconds: i64) {
        self.clock.advance(chrono::Duration::seconds(seconds));
    }
}

/// Every API answer must be HTTP 200 with a JSON envelope in the body.
pub fn envelope_of(response: reqwest::blocking::Response) -> Value {
    let status = response.status();
    let text = response.text().unwrap();
    assert_eq!(status, 200, "HTTP status for {text}");
    let value: Value = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    assert!(value["success"].is_boolean(), "no success flag in {value}");
    value
}

/// IDs of a list of rows whose `field` holds a numeric string.
pub fn ids(rows: &Value, field: &str) -> Vec<i64> {
    rows.as_array()
        .unwrap_or_else(|| panic!("not a list: {rows}"))
        .iter()
        .map(|row| row[field].as_str().unwrap().parse().unwrap())
        .collect()
}
