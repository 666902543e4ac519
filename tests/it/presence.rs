use crate::support::{ids, TestApp};
use serde_json::json;

#[test]
fn a_user_is_online_within_the_window_and_offline_after_it() {
    let app = TestApp::spawn_at("2024-05-01 12:00:00");
    let ann = app.add_user("Ann", None, "user");
    let agent = app.add_user("Ada", None, "agent");
    app.advance(120);
    assert_eq!(app.ok("is-online", json!({ "user_id": ann })), false);
    assert_eq!(app.ok("agents-online", json!({})), false);
    let conversation = app.new_conversation(ann);
    app.send(ann, conversation, "hello");
    app.send(agent, conversation, "hi there");
    assert_eq!(app.ok("is-online", json!({ "user_id": ann })), true);
    assert_eq!(app.ok("agents-online", json!({})), true);
    assert_eq!(ids(&app.ok("get-online-users", json!({ "sorting": "last_activity" })), "id"), [agent, ann]);
    assert_eq!(ids(&app.ok("get-online-users", json!({ "agents": true })), "id"), [agent]);
    assert_eq!(ids(&app.ok("get-online-users", json!({ "exclude_id": [agent] })), "id"), [ann]);
    app.advance(61);
    assert_eq!(app.ok("is-online", json!({ "user_id": ann })), false);
    assert_eq!(app.ok("get-online-users", json!({})), json!([]));
    assert_eq!(app.ok("is-online", json!({ "user_id": 999 })), false);
    assert_eq!(app.call("get-online-users", json!({ "sorting": "token_lookup" }))["response"], "invalid-argument");
}

#[test]
fn current_url_is_set_then_read_back() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "user");
    assert_eq!(app.ok("current-url", json!({ "user_id": ann })), false);
    assert_eq!(app.ok("current-url", json!({ "user_id": ann, "url": "https://shop.example/cart" })), true);
    assert_eq!(app.ok("current-url", json!({ "user_id": ann })), "https://shop.example/cart");
    assert_eq!(
        app.call("current-url", json!({ "user_id": ann, "url": "javascript:alert(1)" }))["response"],
        "invalid-argument"
    );
    assert_eq!(app.fails("current-url", json!({ "user_id": 999, "url": "https://a.example" })), "user-not-found");
}

#[test]
fn typing_status_shows_and_expires_by_itself() {
    let app = TestApp::spawn_at("2024-05-01 12:00:00");
    let ann = app.add_user("Ann", None, "user");
    let agent = app.add_user("Ada", None, "agent");
    let conversation = app.new_conversation(ann);
    assert_eq!(app.ok("is-agent-typing", json!({ "conversation_id": conversation })), false);
    assert_eq!(app.ok("set-typing", json!({ "user_id": agent, "conversation_id": conversation })), true);
    assert_eq!(app.ok("set-typing", json!({ "user_id": ann, "conversation_id": conversation })), true);
    assert_eq!(app.ok("is-typing", json!({ "user_id": ann, "conversation_id": conversation })), true);
    assert_eq!(
        app.ok("is-agent-typing", json!({ "conversation_id": conversation })),
        json!({ "id": agent.to_string(), "first_name": "Ada", "last_name": "Test" })
    );
    app.advance(11);
    assert_eq!(app.ok("is-typing", json!({ "user_id": ann, "conversation_id": conversation })), false);
    assert_eq!(app.ok("is-agent-typing", json!({ "conversation_id": conversation })), false);
}

#[test]
fn typing_ends_when_cleared_or_when_the_message_is_sent() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "user");
    let conversation = app.new_conversation(ann);
    app.ok("set-typing", json!({ "user_id": ann, "conversation_id": conversation }));
    app.send(ann, conversation, "done typing");
    assert_eq!(app.ok("is-typing", json!({ "user_id": ann, "conversation_id": conversation })), false);
    app.ok("set-typing", json!({ "user_id": ann, "conversation_id": conversation }));
    app.ok("set-typing", json!({ "user_id": ann, "conversation_id": false }));
    assert_eq!(app.ok("is-typing", json!({ "user_id": ann, "conversation_id": conversation })), false);
    assert_eq!(app.fails("set-typing", json!({ "user_id": ann, "conversation_id": 999 })), "conversation-not-found");
    assert_eq!(app.fails("set-typing", json!({ "user_id": 999, "conversation_id": conversation })), "user-not-found");
}
