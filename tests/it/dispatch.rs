use crate::support::{envelope_of, php::urlencode, TestApp};
use serde_json::{json, Value};
use switchboard::clock::Clock;

#[test]
fn calls_without_a_token_answer_token_not_found() {
    let app = TestApp::spawn();
    let envelope = app.post_form("function=get-users".into());
    assert_eq!(
        envelope,
        json!({ "success": false, "status": "error", "response": "token-not-found", "message": envelope["message"] })
    );
    assert!(envelope["message"].as_str().unwrap().len() > 10);
}

#[test]
fn unknown_agent_and_visitor_tokens_answer_invalid_token() {
    let app = TestApp::spawn();
    let agent = app.add_user("Ada", Some("ada@example.com"), "agent");
    let visitor = app.add_user("Vic", None, "visitor");
    let wrong = "a".repeat(40);
    for token in [wrong.as_str(), &app.token_of(agent), &app.token_of(visitor), "short", "<script>"] {
        let envelope = app.call_as(token, "get-users", json!({}));
        assert_eq!(envelope["response"], "invalid-token", "{token}: {envelope}");
        assert_eq!(envelope["status"], "error");
    }
    assert_eq!(
        app.call_as(&app.token.to_uppercase(), "count-users", json!({}))["success"],
        true,
        "hex case does not matter"
    );
}

#[test]
fn a_rotated_token_stops_working() {
    let app = TestApp::spawn();
    let mut conn = switchboard::db::open(&app.dir.path().join("data/switchboard.db")).unwrap();
    let key = switchboard::crypto::SecretKey::load_or_create(&app.dir.path().join("data/secret.key")).unwrap();
    let new_token = switchboard::ops::users::token_for_email(&mut conn, &key, "admin@example.com", true).unwrap();
    assert_eq!(app.call_as(&app.token, "count-users", json!({}))["response"], "invalid-token");
    assert_eq!(app.call_as(&new_token, "count-users", json!({}))["success"], true);
}

#[test]
fn the_database_file_alone_does_not_reveal_any_token() {
    let app = TestApp::spawn();
    let visitor = app.add_user("Vic", None, "visitor");
    let visitor_token = app.token_of(visitor);
    let db = std::fs::read(app.dir.path().join("data/switchboard.db")).unwrap();
    let wal = std::fs::read(app.dir.path().join("data/switchboard.db-wal")).unwrap_or_default();
    for token in [&app.token, &visitor_token] {
        for file in [&db, &wal] {
            assert!(!file.windows(token.len()).any(|w| w == token.as_bytes()), "token stored in clear");
        }
    }
}

#[test]
fn missing_and_unknown_functions_are_named() {
    let app = TestApp::spawn();
    assert_eq!(app.post_form(format!("token={}", app.token))["response"], "missing-function-name");
    let envelope = app.call("get-everything", json!({}));
    assert_eq!(envelope["response"], "function-not-found");
    assert!(envelope["message"].as_str().unwrap().contains("get-everything"));
}

#[test]
fn missing_and_invalid_arguments_name_the_argument() {
    let app = TestApp::spawn();
    let missing = app.call("get-user", json!({}));
    assert_eq!(missing["response"], "missing-argument");
    assert!(missing["message"].as_str().unwrap().contains("user_id"));
    let invalid = app.call("get-user", json!({ "user_id": "12abc" }));
    assert_eq!(invalid["response"], "invalid-argument");
    assert!(invalid["message"].as_str().unwrap().contains("user_id"));
}

#[test]
fn json_multipart_and_bracket_bodies_reach_the_same_function() {
    let app = TestApp::spawn();
    let a = app.add_user("A", None, "visitor");
    let b = app.add_user("B", None, "visitor");
    let json_body = app
        .client
        .post(app.api_url())
        .json(&json!({ "token": app.token, "function": "get-users", "user_ids": [a, b] }))
        .send()
        .unwrap();
    assert_eq!(envelope_of(json_body)["response"].as_array().unwrap().len(), 2);
    let boundary = "XyZ123";
    let multipart = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"function\"\r\n\r\nget-users\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"user_ids[]\"\r\n\r\n{a}\r\n--{boundary}--\r\n",
        app.token
    );
    let response = app
        .client
        .post(app.api_url())
        .header("Content-Type", format!("multipart/form-data; boundary={boundary}"))
        .body(multipart)
        .send()
        .unwrap();
    assert_eq!(envelope_of(response)["response"].as_array().unwrap().len(), 1);
    for ids in [
        format!("user_ids%5B%5D={a}&user_ids%5B%5D={b}"),
        format!("user_ids={}", urlencode(&format!("[{a},{b}]"))),
        format!("user_ids%5B0%5D={a}&user_ids%5B1%5D={b}"),
    ] {
        let envelope = app.post_form(format!("token={}&function=get-users&{ids}", app.token));
        assert_eq!(envelope["response"].as_array().unwrap().len(), 2, "{ids}");
    }
    assert_eq!(
        app.post_form(format!("token={}&function=get-users&unknown_extra=1", app.token))["success"],
        true,
        "unknown arguments are ignored"
    );
}

#[test]
fn answers_are_text_plain_unless_json_is_asked_for_and_never_sniffed() {
    let app = TestApp::spawn();
    let body = format!("token={}&function=count-users", app.token);
    let plain = app
        .client
        .post(app.api_url())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.clone())
        .send()
        .unwrap();
    assert_eq!(plain.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(plain.headers()["x-content-type-options"], "nosniff");
    assert!(plain.text().unwrap().starts_with("{\"success\":true,\"response\":"), "the contract's key order");
    let json = app
        .client
        .post(app.api_url())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .body(body)
        .send()
        .unwrap();
    assert_eq!(json.headers()["content-type"], "application/json");
}

#[test]
fn oversized_and_malformed_bodies_get_envelopes_not_errors() {
    let app = TestApp::spawn();
    let huge = format!("token={}&function=add-user&first_name={}", app.token, "x".repeat(3 * 1024 * 1024));
    assert_eq!(app.post_form(huge)["response"], "request-too-large");
    let response =
        app.client.post(app.api_url()).header("Content-Type", "application/json").body("{\"token\": ").send().unwrap();
    assert_eq!(envelope_of(response)["response"], "malformed-body");
    let response =
        app.client.post(app.api_url()).header("Content-Type", "multipart/form-data").body("junk").send().unwrap();
    assert_eq!(envelope_of(response)["response"], "malformed-body");
    let response = app.client.get(app.api_url()).send().unwrap();
    assert_eq!(envelope_of(response)["response"], "method-not-allowed");
    let response = app.client.get(format!("{}/no/such/page", app.base)).send().unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.json::<Value>().unwrap()["response"], "not-found");
}

#[test]
fn a_base_path_moves_the_api_and_the_api_alias_works() {
    let app = TestApp::spawn_with(Clock::system(), |config| config.base_path = "/script".into());
    assert!(app.base.ends_with("/script"));
    assert_eq!(app.call("count-users", json!({}))["success"], true);
    let alias = app
        .client
        .post(format!("{}/api", app.base))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("token={}&function=count-users", app.token))
        .send()
        .unwrap();
    assert_eq!(envelope_of(alias)["success"], true);
    let root = app.base.trim_end_matches("/script").to_string();
    assert_eq!(app.client.post(format!("{root}/include/api.php")).body("x").send().unwrap().status(), 404);
}

/// A tiny deterministic generator, so a failure names a reproducible case.
struct Junk(u64);

impl Junk {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn value(&mut self) -> String {
        let variant = self.next() % 13;
        self.value_of(variant)
    }

    fn value_of(&mut self, variant: u64) -> String {
        match variant {
            0 => String::new(),
            1 => "-1".into(),
            2 => "99999999999999999999999".into(),
            3 => "[1,\"x\",{\"a\":null}]".into(),
            4 => "{\"settings\":{\"conversation_id\":\"1\",\"rating\":\"1\"}}".into(),
            5 => "\u{0}\u{1f}\"'<script>".into(),
            6 => "x".repeat((self.next() % 100_000) as usize),
            7 => "true".into(),
            8 => "NULL".into(),
            9 => "1".into(),
            10 => "2024-01-01".into(),
            11 => i64::MAX.to_string(),
            _ => "ḿüłtî 😀 \u{202e}".into(),
        }
    }
}

#[test]
fn junk_bodies_sent_to_every_function_get_well_formed_envelopes() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", Some("ann@example.com"), "lead");
    let c = app.new_conversation(ann);
    app.send(ann, c, "seed");
    let names = [
        "user_id",
        "conversation_id",
        "message_id",
        "user_ids",
        "conversation_ids",
        "message_ids",
        "agent_id",
        "status_code",
        "conversation_status_code",
        "search",
        "email",
        "password",
        "first_name",
        "sorting",
        "user_types",
        "extra",
        "settings_extra",
        "settings",
        "attachments",
        "payload",
        "datetime",
        "pagination",
        "department",
        "details",
        "type",
        "url",
        "message",
        "slug",
        "id",
        "agents",
        "routing",
    ];
    let assert_well_formed = |function: &str, case: &str, envelope: Value| {
        let code = envelope["response"].as_str().unwrap_or("");
        assert!(
            envelope["success"] == true || !code.is_empty(),
            "{function} {case}: an error without a code: {envelope}"
        );
        assert_ne!(code, "database-error", "{function} {case}");
        assert_ne!(code, "internal-error", "{function} {case}");
    };
    // Every edge value in every argument at once, for every function...
    let mut edges = Junk(0);
    for (function, _) in switchboard::api::FUNCTIONS {
        for variant in 0..13 {
            edges.0 = variant;
            let value = urlencode(&edges.value_of(variant));
            let args: String = names.iter().map(|name| format!("&{name}={value}")).collect();
            let envelope = app.post_form(format!("token={}&function={function}{args}", app.token));
            assert_well_formed(function, &format!("edge {variant}"), envelope);
        }
    }
    // ...then random mixtures.
    let mut junk = Junk(0x5eed);
    for (function, _) in switchboard::api::FUNCTIONS {
        for round in 0..6 {
            let mut body = format!("token={}&function={function}", app.token);
            for _ in 0..(junk.next() % 6 + 1) {
                let name = names[(junk.next() % names.len() as u64) as usize];
                let name = if junk.next() % 5 == 0 { format!("{name}[]") } else { name.to_string() };
                body.push_str(&format!("&{}={}", urlencode(&name), urlencode(&junk.value())));
            }
            assert_well_formed(function, &format!("round {round}"), app.post_form(body));
        }
    }
    let json_junk = app
        .client
        .post(app.api_url())
        .json(&json!({ "token": app.token, "function": "get-users", "user_ids": { "a": [[[]]] }, "sorting": 5 }))
        .send()
        .unwrap();
    assert!(envelope_of(json_junk)["response"].is_string());
}
