//! Webhooks: what each event sends, signed, to a real HTTP receiver on loopback;
//! the settings that choose them. Delivery failures are in `webhook_delivery.rs`.

use crate::support::receiver::{Receiver, Request};
use crate::support::TestApp;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use switchboard::jobs::outbox::{drain_once, DrainReport};

pub const KEY: &str = "s3cret-shared-key";
const START: &str = "2024-01-01 00:00:00";
const START_UNIX: &str = "1704067200";

/// Saves the `webhooks` setting: active, to `url`, signed with [`KEY`].
pub fn configure(app: &TestApp, url: &str, allowed: &str) {
    let webhooks =
        json!({ "webhooks-active": true, "webhooks-url": url, "webhooks-key": KEY, "webhooks-allowed": allowed });
    app.ok("save-settings", json!({ "settings": { "webhooks": webhooks } }));
}

/// Delivers what is due, as the scheduler would.
pub fn drain(app: &TestApp) -> DrainReport {
    drain_once(&mut app.state.blocking_session(), &app.state).unwrap()
}

/// Whether `X-Switchboard-Signature` is the HMAC-SHA256, under `key`, of the
/// timestamp, a dot, the delivery ID, a dot and the body, computed here from scratch.
pub fn signature_verifies(request: &Request, key: &str) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    let timestamp = request.header("X-Switchboard-Timestamp");
    mac.update(format!("{timestamp}.{}.", request.header("X-Switchboard-Delivery")).as_bytes());
    mac.update(&request.body);
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    request.header("X-Switchboard-Signature") == expected
}

fn names(requests: &[Request]) -> Vec<String> {
    requests.iter().map(|r| r.json()["function"].as_str().unwrap().to_string()).collect()
}

fn the<'a>(requests: &'a [Request], name: &str) -> Vec<&'a Request> {
    requests.iter().filter(|r| r.json()["function"] == name).collect()
}

#[test]
fn every_local_event_sends_its_webhook_with_the_contracts_body_signed() {
    let app = TestApp::spawn_quiet_at(START);
    let receiver = Receiver::start();
    configure(&app, &receiver.url(), "");
    let password = "correct horse battery";
    let agent = app.ok(
        "add-user",
        json!({ "first_name": "Ada", "email": "ada@example.com", "user_type": "agent", "password": password }),
    );
    let agent = agent.as_i64().unwrap();
    let user = app.ok(
        "add-user",
        json!({ "first_name": "Uma", "last_name": "User", "email": "uma@example.com", "password": password,
                "extra": { "phone": ["+44 1", "Phone"] } }),
    );
    let user = user.as_i64().unwrap();
    let conversation = app.new_conversation(user);
    let hello = app.send(user, conversation, "Hello");
    app.send(agent, conversation, "Hi! How can I help?");
    app.ok("delete-message", json!({ "message_id": hello }));
    app.ok("update-conversation-status", json!({ "conversation_id": conversation, "status_code": 3 }));
    app.ok("update-conversation-status", json!({ "conversation_id": conversation, "status_code": 3 }));
    app.ok("login", json!({ "email": "uma@example.com", "password": password }));
    app.ok("login", json!({ "email": "ada@example.com", "password": password }));
    let visitor = app.add_user("Vic", None, "visitor");
    app.ok("update-user", json!({ "user_id": visitor, "email": "vic@example.com" }));
    app.ok("update-user", json!({ "user_id": visitor, "user_type": "user" }));
    app.ok("delete-user", json!({ "user_id": visitor }));
    assert!(receiver.requests().is_empty(), "nothing is sent inside an API call");

    let report = drain(&app);

    let got = receiver.requests();
    assert_eq!(report, DrainReport { delivered: got.len(), retrying: 0, failed: 0 });
    let mut sorted = names(&got);
    sorted.sort();
    let mut expected = vec![
        "registration",
        "new-conversation-created",
        "new-conversation-received",
        "message-sent",
        "new-messages-received",
        "conversation-status-updated",
        "message-sent",
        "conversation-status-updated",
        "message-deleted",
        "conversation-status-updated",
        "login",
        "login",
        "new-email-address",
        "registration",
        "user-deleted",
    ];
    expected.sort();
    assert_eq!(sorted, expected, "no more, no less: agents are no registration, an unchanged status is no update");
    for request in &got {
        let body = request.json();
        assert_eq!((request.method.as_str(), request.path.as_str()), ("POST", "/hook"));
        assert_eq!(request.header("Content-Type"), "application/json");
        assert_eq!(request.header("X-Switchboard-Event"), body["function"]);
        assert_eq!(request.header("X-Switchboard-Timestamp"), START_UNIX);
        assert_eq!(request.header("X-Switchboard-Delivery").len(), 32);
        assert!(signature_verifies(request, KEY), "signature of {body}");
        assert!(!signature_verifies(request, "another key"));
        let keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["function", "key", "sender-url", "data"]);
        assert_eq!(body["key"], KEY);
        assert_eq!(body["sender-url"], app.base);
        assert!(!String::from_utf8_lossy(&request.body).contains(password), "passwords never leave");
    }
    let (c, u, a, h) = (conversation.to_string(), user.to_string(), agent.to_string(), hello.to_string());
    let in_conversation: Vec<Value> = got
        .iter()
        .map(Request::json)
        .filter(|b| {
            [&b["data"]["conversation_id"], &b["data"]["details"]["id"], &b["data"][0]["details"]["conversation_id"]]
                .contains(&&json!(c))
                || b["data"] == h.as_str()
        })
        .collect();
    let order: Vec<&str> = in_conversation.iter().map(|b| b["function"].as_str().unwrap()).collect();
    assert_eq!(
        order,
        [
            "new-conversation-created",
            "new-conversation-received",
            "message-sent",
            "new-messages-received",
            "conversation-status-updated",
            "message-sent",
            "conversation-status-updated",
            "message-deleted",
            "conversation-status-updated",
        ],
        "a conversation's webhooks arrive in the order they happened"
    );
    assert_eq!(
        in_conversation[2]["data"],
        json!({ "user_id": u, "conversation_user_id": u, "conversation_id": c, "conversation_status": "2",
                "message_id": hello.to_string(), "message": "Hello", "attachments": "" })
    );
    assert_eq!(in_conversation[5]["data"]["user_id"], a);
    assert_eq!(in_conversation[5]["data"]["conversation_status"], "1");
    assert_eq!(the(&got, "conversation-status-updated").len(), 3);
    assert_eq!(in_conversation[4]["data"], json!({ "conversation_id": c, "status_code": "2" }));
    assert_eq!(in_conversation[8]["data"], json!({ "conversation_id": c, "status_code": "3" }));
    assert_eq!(in_conversation[7]["data"], json!(hello.to_string()));
    let received = &in_conversation[3]["data"][0]["details"];
    assert_eq!((received["id"].clone(), received["message"].clone()), (json!(hello.to_string()), json!("Hello")));
    assert_eq!(received["user_type"], "user");
    let created = &in_conversation[0]["data"]["details"];
    assert_eq!((created["id"].clone(), created["user_id"].clone()), (json!(c), json!(u)));

    let registrations = the(&got, "registration");
    let uma = registrations.iter().map(|r| r.json()).find(|b| b["data"]["user"]["id"][0] == u).unwrap();
    assert_eq!(uma["data"]["user"]["email"], json!(["uma@example.com", "Email"]));
    assert_eq!(uma["data"]["user"]["first_name"], json!(["Uma", "First name"]));
    assert_eq!(uma["data"]["extra"], json!({ "phone": ["+44 1", "Phone"] }));
    assert!(uma["data"]["user"].get("password").is_none());
    let logins: Vec<Value> = the(&got, "login").iter().map(|r| r.json()["data"]["details"].clone()).collect();
    let uma_login = logins.iter().find(|d| d["id"] == u).unwrap();
    assert_eq!(uma_login["email"], "uma@example.com");
    assert_eq!(uma_login["token"], app.token_of(user), "a customer's login carries their token, as the contract shows");
    let ada_login = logins.iter().find(|d| d["id"] == a).unwrap();
    assert!(ada_login.get("token").is_none(), "an agent's token opens the admin API and never leaves");
    assert_eq!(
        the(&got, "new-email-address")[0].json()["data"],
        json!({ "name": "Vic Test", "email": "vic@example.com", "user_id": visitor.to_string() })
    );
    assert_eq!(the(&got, "user-deleted")[0].json()["data"], json!(visitor.to_string()));
}

#[test]
fn only_allowed_webhooks_are_sent_and_inactive_webhooks_send_nothing() {
    let app = TestApp::spawn_quiet_at(START);
    let receiver = Receiver::start();
    configure(&app, &receiver.url(), " Message-Sent , user-deleted");
    let user = app.add_user("Uma", Some("uma@example.com"), "user");
    let conversation = app.new_conversation(user);
    app.send(user, conversation, "Hello");
    app.ok("delete-user", json!({ "user_id": user }));
    drain(&app);
    assert_eq!(names(&receiver.requests()), ["message-sent", "user-deleted"]);

    let off = json!({ "webhooks-active": false, "webhooks-url": receiver.url(), "webhooks-allowed": "" });
    app.ok("save-settings", json!({ "settings": { "webhooks": off } }));
    let queued_before = app.ok("get-outbox", json!({})).as_array().unwrap().len();
    let other = app.add_user("Otto", Some("otto@example.com"), "user");
    app.send(other, app.new_conversation(other), "Anyone?");
    app.ok("delete-user", json!({ "user_id": other }));
    assert_eq!(app.ok("get-outbox", json!({})).as_array().unwrap().len(), queued_before, "nothing is queued");
    drain(&app);
    assert_eq!(receiver.requests().len(), 2, "inactive webhooks send nothing");
}

#[test]
fn deleting_many_users_and_clean_data_fire_for_each_user_and_archived_conversation() {
    let app = TestApp::spawn_quiet_at(START);
    let receiver = Receiver::start();
    configure(&app, &receiver.url(), "user-deleted,conversation-status-updated");
    let agent = app.add_user("Ada", None, "agent");
    let leads = [app.add_user("L1", None, "lead"), app.add_user("L2", None, "lead")];
    let users = [app.add_user("U1", None, "user"), app.add_user("U2", None, "user")];
    let answered = app.new_conversation(users[0]);
    app.send(agent, answered, "Answer");
    let old_visitor = app.add_user("Old", None, "visitor");
    app.ok("delete-leads", json!({}));
    app.ok("delete-users", json!({ "user_ids": [users[1], 999_999] }));
    drain(&app);
    let before_cleanup = receiver.requests().len();
    app.advance(2 * 24 * 3600);
    assert_eq!(app.ok("clean-data", json!({})), true);
    drain(&app);

    let got: Vec<Value> = receiver.requests().iter().map(Request::json).collect();
    let mut deleted: Vec<i64> = got
        .iter()
        .filter(|b| b["function"] == "user-deleted")
        .map(|b| b["data"].as_str().unwrap().parse().unwrap())
        .collect();
    deleted.sort_unstable();
    assert_eq!(deleted, [leads[0], leads[1], users[1], old_visitor], "one each, only for users that existed");
    let archived: Vec<&Value> = got[before_cleanup..]
        .iter()
        .filter(|b| b["function"] == "conversation-status-updated")
        .map(|b| &b["data"])
        .collect();
    assert_eq!(archived, [&json!({ "conversation_id": answered.to_string(), "status_code": "3" })]);
}

#[test]
fn the_key_is_never_shown_and_survives_saves_exports_and_imports() {
    let app = TestApp::spawn_quiet_at(START);
    configure(&app, "https://hooks.example.com/in", "");
    let shown = app.ok("get-setting", json!({ "setting": "webhooks" }));
    assert_eq!(shown["webhooks-key"], "********");
    assert_eq!(shown["webhooks-url"], "https://hooks.example.com/in");
    let all = app.ok("get-settings", json!({}));
    assert_eq!(all["webhooks"][0]["webhooks-key"], json!(["********", "password"]));
    assert_eq!(all["webhooks"][1], "multi-input");
    let link = app.ok("export-settings", json!({}));
    let file = app.client.get(link.as_str().unwrap()).send().unwrap().text().unwrap();
    assert!(!file.contains(KEY) && !all.to_string().contains(KEY) && !shown.to_string().contains(KEY));

    let saved_key = || {
        let conn = app.db();
        let value: String =
            conn.query_row("SELECT value FROM settings WHERE id = 'webhooks'", [], |row| row.get(0)).unwrap();
        serde_json::from_str::<Value>(&value).unwrap()["webhooks-key"].clone()
    };
    app.ok("save-settings", json!({ "settings": { "webhooks": all["webhooks"].clone() } }));
    assert_eq!(saved_key(), KEY, "saving what get-settings showed keeps the key");
    app.ok("save-settings", json!({ "settings": { "webhooks": { "webhooks-active": false } } }));
    assert_eq!(saved_key(), KEY, "a key not sent is kept");
    app.ok("import-settings", json!({ "file": file }));
    assert_eq!(saved_key(), KEY, "importing an export keeps the key");
    app.ok("save-settings", json!({ "settings": { "webhooks": { "webhooks-key": "" } } }));
    assert_eq!(saved_key(), KEY, "an empty key field, as an untouched password input sends it, keeps the key");
    let cleared = app
        .client
        .post(app.api_url())
        .json(&json!({ "token": app.token, "function": "save-settings", "settings": { "webhooks": { "webhooks-key": null } } }))
        .send()
        .unwrap();
    assert_eq!(crate::support::envelope_of(cleared)["success"], true);
    assert_eq!(saved_key(), "", "null clears it");
    assert_eq!(app.ok("get-setting", json!({ "setting": "webhooks" }))["webhooks-key"], "");
}

#[test]
fn webhook_urls_other_than_http_and_https_are_refused_on_save() {
    let app = TestApp::spawn_quiet_at(START);
    configure(&app, "https://hooks.example.com/in", "");
    for url in
        ["ftp://example.com/hook", "file:///etc/passwd", "javascript:alert(1)", "gopher://x", "hooks.example.com"]
    {
        let webhooks = json!({ "webhooks-active": true, "webhooks-url": url });
        let envelope = app.call("save-settings", json!({ "settings": { "webhooks": webhooks } }));
        assert_eq!(envelope["response"], "invalid-argument", "{url}: {envelope}");
    }
    let shown = app.ok("get-setting", json!({ "setting": "webhooks" }));
    assert_eq!(shown["webhooks-url"], "https://hooks.example.com/in", "a refused save changes nothing");
}

#[test]
fn the_scheduler_delivers_a_webhook_on_its_own_as_soon_as_it_is_queued() {
    let app = TestApp::spawn();
    let receiver = Receiver::start();
    configure(&app, &receiver.url(), "message-sent");
    let user = app.add_user("Uma", None, "user");
    let message = app.send(user, app.new_conversation(user), "Hello");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while receiver.delivered().is_empty() {
        assert!(std::time::Instant::now() < deadline, "the webhook never arrived");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let got = receiver.delivered();
    assert_eq!(got[0].json()["data"]["message_id"], message.to_string());
    assert!(signature_verifies(&got[0], KEY));
}
