use crate::support::TestApp;
use serde_json::json;

#[test]
fn notes_are_added_listed_and_deleted_per_conversation() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let agent = app.add_user("Ada", None, "agent");
    let c = app.new_conversation(ann);
    let other = app.new_conversation(ann);
    let first = app.ok(
        "add-note",
        json!({ "conversation_id": c, "user_id": agent, "name": "Refund", "message": "<b>VIP</b> customer" }),
    );
    let first = first.as_i64().expect("the note ID is a number");
    let second = app.ok("add-note", json!({ "conversation_id": c, "message": "by the admin" })).as_i64().unwrap();
    let notes = app.ok("get-notes", json!({ "conversation_id": c }));
    assert_eq!(notes[0]["id"], first);
    assert_eq!(notes[0]["user_id"], agent.to_string());
    assert_eq!(notes[0]["name"], "Refund");
    assert_eq!(notes[0]["message"], "<b>VIP</b> customer", "stored as typed; pages escape it");
    assert_eq!(notes[1]["user_id"], app.admin_id.to_string());
    assert_eq!(app.ok("get-notes", json!({ "conversation_id": other })), json!([]));
    assert_eq!(app.fails("delete-note", json!({ "conversation_id": other, "note_id": first })), "note-not-found");
    assert_eq!(app.ok("delete-note", json!({ "conversation_id": c, "note_id": first })), true);
    assert_eq!(app.ok("get-notes", json!({ "conversation_id": c }))[0]["id"], second);
}

#[test]
fn notes_need_a_conversation_an_agent_and_text() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let c = app.new_conversation(ann);
    assert_eq!(app.fails("add-note", json!({ "conversation_id": 999, "message": "x" })), "conversation-not-found");
    assert_eq!(
        app.fails("add-note", json!({ "conversation_id": c, "user_id": ann, "message": "x" })),
        "agent-not-found"
    );
    assert_eq!(app.call("add-note", json!({ "conversation_id": c }))["response"], "missing-argument");
    assert_eq!(app.call("add-note", json!({ "conversation_id": c, "message": "  " }))["response"], "invalid-argument");
    app.ok("add-note", json!({ "conversation_id": c, "message": "kept until the conversation goes" }));
    app.ok("delete-user", json!({ "user_id": ann }));
    assert_eq!(app.ok("get-notes", json!({ "conversation_id": c })), json!([]));
}
