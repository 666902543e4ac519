use crate::support::{ids, TestApp};
use serde_json::json;

#[test]
fn send_message_answers_the_contract_shape_and_moves_the_status_by_sender() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let agent = app.add_user("Ada", None, "agent");
    let c = app.new_conversation(ann);
    let response = app.ok("send-message", json!({ "user_id": ann, "conversation_id": c, "message": "Hi" }));
    assert_eq!(response["status"], "success");
    assert!(response["message-id"].as_i64().unwrap() > 0);
    assert_eq!(response["queue"], false);
    assert_eq!(response["notifications"], json!([]));
    let status = |app: &TestApp| {
        app.ok("get-conversation", json!({ "conversation_id": c }))["details"]["conversation_status_code"].clone()
    };
    assert_eq!(status(&app), "2", "a user's message waits for an agent");
    app.send(agent, c, "Hello");
    assert_eq!(status(&app), "1", "an agent's reply waits for the user");
    app.ok(
        "send-message",
        json!({ "user_id": ann, "conversation_id": c, "message": "x", "conversation_status_code": "skip" }),
    );
    assert_eq!(status(&app), "1", "skip leaves the status alone");
    app.ok(
        "send-message",
        json!({ "user_id": agent, "conversation_id": c, "message": "bye", "conversation_status_code": 3 }),
    );
    assert_eq!(status(&app), "3");
}

#[test]
fn send_message_names_its_errors_and_stores_nothing_on_failure() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let c = app.new_conversation(ann);
    assert_eq!(
        app.fails(
            "send-message",
            json!({ "user_id": ann, "conversation_id": c, "message": "x", "conversation_status_code": 8 })
        ),
        "invalid-status-code"
    );
    assert_eq!(
        app.fails("send-message", json!({ "user_id": 999, "conversation_id": c, "message": "x" })),
        "user-not-found"
    );
    assert_eq!(
        app.fails("send-message", json!({ "user_id": ann, "conversation_id": 999, "message": "x" })),
        "conversation-not-found"
    );
    assert_eq!(
        app.call("send-message", json!({ "user_id": ann, "conversation_id": c }))["response"],
        "invalid-argument"
    );
    assert_eq!(app.call("send-message", json!({ "user_id": ann, "conversation_id": c, "message": "x", "attachments": [["a.png", "javascript:alert(1)"]] }))["response"], "invalid-argument");
    assert_eq!(
        app.call("send-message", json!({ "user_id": ann, "conversation_id": c, "message": "x", "payload": "{oops" }))
            ["response"],
        "invalid-argument"
    );
    assert_eq!(app.ok("get-conversation", json!({ "conversation_id": c }))["messages"], json!([]));
}

#[test]
fn attachments_and_payload_are_stored_as_json_text() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let c = app.new_conversation(ann);
    app.ok("send-message", json!({ "user_id": ann, "conversation_id": c, "message": "", "attachments": "[[\"a.png\",\"https://f.example/a.png\"]]", "payload": { "key": "value" } }));
    let message = &app.ok("get-conversation", json!({ "conversation_id": c }))["messages"][0];
    assert_eq!(message["attachments"], "[[\"a.png\",\"https://f.example/a.png\"]]");
    assert_eq!(message["payload"], "{\"key\":\"value\"}");
}

#[test]
fn get_new_messages_answers_messages_after_an_id_or_a_date() {
    let app = TestApp::spawn_at("2024-06-01 08:00:00");
    let ann = app.add_user("Ann", None, "lead");
    let c = app.new_conversation(ann);
    let first = app.send(ann, c, "one");
    app.advance(10);
    let second = app.send(ann, c, "two");
    assert_eq!(
        ids(&app.ok("get-new-messages", json!({ "conversation_id": c, "user_id": ann, "datetime": first })), "id"),
        [second]
    );
    assert_eq!(
        ids(&app.ok("get-new-messages", json!({ "conversation_id": c, "datetime": "2024-06-01 08:00:05" })), "id"),
        [second]
    );
    assert_eq!(app.ok("get-new-messages", json!({ "conversation_id": c, "datetime": second })), json!([]));
    assert_eq!(app.ok("get-new-messages", json!({ "conversation_id": 999, "datetime": 0 })), json!([]));
}

#[test]
fn update_and_delete_message_change_the_message_and_the_inbox_row() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let c = app.new_conversation(ann);
    let first = app.send(ann, c, "first");
    let second = app.send(ann, c, "second");
    assert_eq!(app.ok("update-message", json!({ "message_id": first, "message": "first, edited" })), true);
    assert_eq!(app.ok("get-conversation", json!({ "conversation_id": c }))["messages"][0]["message"], "first, edited");
    assert_eq!(app.ok("search-conversations", json!({ "search": "edited" }))[0]["conversation_id"], c.to_string());
    assert_eq!(app.ok("delete-message", json!({ "message_id": second })), true);
    assert_eq!(
        app.ok("get-conversations", json!({}))[0]["message"],
        "first, edited",
        "the inbox row falls back to the previous message"
    );
    assert_eq!(app.fails("delete-message", json!({ "message_id": second })), "message-not-found");
    assert_eq!(app.fails("update-message", json!({ "message_id": 999, "message": "x" })), "message-not-found");
}

#[test]
fn update_messages_status_marks_messages_read() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let c = app.new_conversation(ann);
    let a = app.send(ann, c, "a");
    let b = app.send(ann, c, "b");
    let untouched = app.send(ann, c, "c");
    assert_eq!(app.ok("update-messages-status", json!({ "message_ids": [a, b], "user_id": ann })), true);
    let messages = app.ok("get-conversation", json!({ "conversation_id": c }))["messages"].clone();
    let statuses: Vec<_> = messages
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["id"].as_str().unwrap().parse::<i64>().unwrap(), m["status_code"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(statuses, [(a, "2".to_string()), (b, "2".to_string()), (untouched, "0".to_string())]);
}

#[test]
fn get_agents_in_conversation_lists_agents_who_wrote_per_conversation() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let ada = app.add_user("Ada", None, "agent");
    let c1 = app.new_conversation(ann);
    let c2 = app.new_conversation(ann);
    app.send(ann, c1, "hi");
    app.send(ada, c1, "hello");
    app.send(app.admin_id, c1, "me too");
    let one = app.ok("get-agents-in-conversation", json!({ "conversation_id": c1 }));
    let agents = one[c1.to_string()].as_array().unwrap();
    assert_eq!(agents.iter().map(|a| a["id"].as_i64().unwrap()).collect::<Vec<_>>(), [ada, app.admin_id]);
    assert_eq!(agents[0]["conversation_id"], c1);
    assert_eq!(agents[0]["first_name"], "Ada");
    let both = app.ok("get-agents-in-conversation", json!({ "conversation_id": [c1, c2] }));
    assert_eq!(both[c2.to_string()], json!([]));
}

#[test]
fn transcript_links_serve_csv_with_formulas_neutralised_then_expire() {
    let app = TestApp::spawn_at("2024-06-01 08:00:00");
    let ann = app.ok("add-user", json!({ "first_name": "=HYPERLINK(\"x\")", "last_name": "" })).as_i64().unwrap();
    let c = app.new_conversation(ann);
    app.send(ann, c, "=1+1");
    app.send(ann, c, "hello, \"quoted\"\nnext line");
    let url = app.ok("transcript", json!({ "conversation_id": c, "type": "csv" }));
    let url = url.as_str().unwrap();
    assert!(url.ends_with(&format!("/conversation-{c}.csv")), "{url}");
    let response = app.client.get(url).send().unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let body = response.text().unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][1], "'=HYPERLINK(\"x\")");
    assert_eq!(&rows[0][3], "'=1+1");
    assert_eq!(&rows[1][3], "hello, \"quoted\"\nnext line");
    let guessed = url.replace(&url[url.len() - 30..url.len() - 20], "0000000000");
    assert_eq!(app.client.get(&guessed).send().unwrap().status(), 404);
    app.advance(3601);
    let expired = app.client.get(url).send().unwrap();
    assert_eq!(expired.status(), 404);
    assert_eq!(expired.json::<serde_json::Value>().unwrap()["response"], "not-found");
}

#[test]
fn transcript_as_text_lists_each_message_and_missing_conversations_answer_false() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let c = app.new_conversation(ann);
    app.send(ann, c, "my parcel is late");
    let url = app.ok("transcript", json!({ "conversation_id": c, "type": "txt" }));
    let text = app.client.get(url.as_str().unwrap()).send().unwrap().text().unwrap();
    assert!(text.contains("Ann Test (lead): my parcel is late"), "{text}");
    assert_eq!(app.ok("transcript", json!({ "conversation_id": 999 })), false);
    assert_eq!(app.call("transcript", json!({ "conversation_id": c, "type": "pdf" }))["response"], "invalid-argument");
}

#[test]
fn direct_message_opens_a_conversation_per_user_with_the_admins_message() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let bob = app.add_user("Bob", None, "lead");
    assert_eq!(
        app.ok(
            "direct-message",
            json!({ "user_ids": [ann, bob], "message": "We are closed on Monday", "subject": "Holiday" })
        ),
        true
    );
    for user in [ann, bob] {
        let rows = app.ok("get-user-conversations", json!({ "user_id": user }));
        assert_eq!(rows.as_array().unwrap().len(), 1);
        assert_eq!(rows[0]["message"], "We are closed on Monday");
        assert_eq!(rows[0]["user_id"], app.admin_id.to_string());
        assert_eq!(rows[0]["title"], "Holiday");
    }
    assert_eq!(app.fails("direct-message", json!({ "user_ids": [ann, 999], "message": "x" })), "user-not-found");
    assert_eq!(
        app.ok("get-user-conversations", json!({ "user_id": ann })).as_array().unwrap().len(),
        1,
        "nothing sent on failure"
    );
}

#[test]
fn update_message_refuses_bad_arguments_and_leaves_the_message_as_it_was() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let c = app.new_conversation(ann);
    let id = app.send(ann, c, "as sent");
    let long = "x".repeat(65_537);
    for (args, code, named) in [
        (json!({ "message": "no ID" }), "missing-argument", "message_id"),
        (json!({ "message_id": "abc", "message": "x" }), "invalid-argument", "message_id"),
        (json!({ "message_id": 0, "message": "x" }), "invalid-argument", "message_id"),
        (json!({ "message_id": id, "message": long }), "invalid-argument", "message"),
        (json!({ "message_id": id, "message": "x", "attachments": "not json" }), "invalid-argument", "attachments"),
        (json!({ "message_id": id, "message": "x", "attachments": [["no link"]] }), "invalid-argument", "attachments"),
        (
            json!({ "message_id": id, "message": "x", "attachments": [["a.pdf", "javascript:alert(1)"]] }),
            "invalid-argument",
            "attachments",
        ),
        (json!({ "message_id": id, "message": "x", "payload": "{broken" }), "invalid-argument", "payload"),
    ] {
        let envelope = app.call("update-message", args.clone());
        assert_eq!(envelope["response"], code, "{args}: {envelope}");
        assert!(envelope["message"].as_str().unwrap().contains(named), "{args}: {envelope}");
    }
    let message = &app.ok("get-conversation", json!({ "conversation_id": c }))["messages"][0];
    assert_eq!((message["message"].as_str(), message["attachments"].as_str()), (Some("as sent"), Some("")));
    assert_eq!(message["payload"], "");
}

#[test]
fn update_messages_status_refuses_bad_ids_and_marks_nothing() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let c = app.new_conversation(ann);
    let a = app.send(ann, c, "a");
    for (args, code) in [
        (json!({}), "missing-argument"),
        (json!({ "message_ids": "a,b" }), "invalid-argument"),
        (json!({ "message_ids": [a, -2] }), "invalid-argument"),
        (json!({ "message_ids": "[1.5]" }), "invalid-argument"),
    ] {
        let envelope = app.call("update-messages-status", args.clone());
        assert_eq!(envelope["response"], code, "{args}: {envelope}");
        assert!(envelope["message"].as_str().unwrap().contains("message_ids"), "{args}: {envelope}");
    }
    let messages = app.ok("get-conversation", json!({ "conversation_id": c }))["messages"].clone();
    assert_eq!(messages[0]["status_code"], "0", "not marked read");
}

#[test]
fn update_messages_status_marks_the_messages_that_exist_and_skips_unknown_ids() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let c = app.new_conversation(ann);
    let a = app.send(ann, c, "a");
    let b = app.send(ann, c, "b");

    assert_eq!(app.ok("update-messages-status", json!({ "message_ids": [a, b + 100] })), true);
    assert_eq!(app.ok("update-messages-status", json!({ "message_ids": [b + 200] })), true, "only unknown IDs");

    let messages = app.ok("get-conversation", json!({ "conversation_id": c }))["messages"].clone();
    let statuses: Vec<_> = messages.as_array().unwrap().iter().map(|m| m["status_code"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["2", "0"], "a is read, b untouched, and no message appeared");
}
