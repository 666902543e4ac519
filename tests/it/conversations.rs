use crate::support::{ids, TestApp};
use serde_json::json;

#[test]
fn new_conversation_answers_the_conversation_with_its_details() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", Some("ann@example.com"), "lead");
    let response =
        app.ok("new-conversation", json!({ "user_id": ann, "title": "Order 42", "department": 3, "source": "em" }));
    assert_eq!(response["messages"], json!([]));
    let details = &response["details"];
    assert_eq!(details["user_id"], ann.to_string());
    assert_eq!(details["first_name"], "Ann");
    assert_eq!(details["user_type"], "lead");
    assert_eq!(details["title"], "Order 42");
    assert_eq!(details["conversation_status_code"], "0");
    assert_eq!(details["department"], "3");
    assert_eq!(details["source"], "em");
    assert!(details["id"].as_str().unwrap().parse::<i64>().is_ok());
    assert!(details["conversation_time"].as_str().unwrap().len() == 19);
}

#[test]
fn new_conversation_answers_user_not_found_invalid_status_code_and_agent_not_found() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "user");
    assert_eq!(app.fails("new-conversation", json!({ "user_id": 999 })), "user-not-found");
    assert_eq!(app.fails("new-conversation", json!({ "user_id": ann, "status_code": 9 })), "invalid-status-code");
    assert_eq!(app.fails("new-conversation", json!({ "user_id": ann, "agent_id": ann })), "agent-not-found");
    assert_eq!(app.call("new-conversation", json!({}))["response"], "missing-argument");
    assert_eq!(app.ok("count-conversations", json!({})), 0);
}

#[test]
fn get_conversation_answers_messages_and_details_or_the_empty_shape() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let agent = app.add_user("Ada", None, "agent");
    let conversation = app.new_conversation(ann);
    app.send(ann, conversation, "Hello!");
    app.send(agent, conversation, "How can I help?");
    let response = app.ok("get-conversation", json!({ "conversation_id": conversation }));
    let messages = response["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["message"], "Hello!");
    assert_eq!(messages[0]["user_type"], "lead");
    assert_eq!(messages[1]["first_name"], "Ada");
    assert_eq!(messages[1]["status_code"], "0");
    assert_eq!(messages[1]["conversation_id"], conversation.to_string());
    assert_eq!(response["details"]["conversation_status_code"], "1", "an agent's reply waits for the user");
    let empty = json!({ "messages": [], "details": "" });
    assert_eq!(app.ok("get-conversation", json!({ "conversation_id": 999 })), empty);
    assert_eq!(
        app.ok("get-conversation", json!({ "conversation_id": conversation, "user_id": agent })),
        empty,
        "another user's conversation"
    );
    assert_eq!(
        app.ok("get-conversation", json!({ "conversation_id": conversation, "user_id": ann }))["messages"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn get_conversations_shows_the_inbox_with_each_last_message_newest_first() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let bob = app.add_user("Bob", None, "lead");
    let agent = app.add_user("Ada", None, "agent");
    let c1 = app.new_conversation(ann);
    let c2 = app.new_conversation(bob);
    let archived = app.new_conversation(bob);
    let trashed = app.new_conversation(bob);
    app.send(ann, c1, "first from ann");
    app.send(bob, c2, "from bob");
    app.send(bob, archived, "old");
    app.send(bob, trashed, "spam");
    let last = app.send(agent, c1, "latest reply to ann");
    app.ok("update-conversation-status", json!({ "conversation_id": archived, "status_code": 3 }));
    app.ok("update-conversation-status", json!({ "conversation_id": trashed, "status_code": 4 }));
    let inbox = app.ok("get-conversations", json!({}));
    assert_eq!(ids(&inbox, "conversation_id"), [c1, c2], "archive and trash are not in the inbox");
    let row = &inbox[0];
    assert_eq!(row["id"], last.to_string());
    assert_eq!(row["message"], "latest reply to ann");
    assert_eq!(row["message_user_type"], "agent");
    assert_eq!(row["first_name"], "Ann", "the conversation's user");
    assert_eq!(row["user_type"], "lead");
    assert_eq!(row["conversation_status_code"], "1");
    assert_eq!(ids(&app.ok("get-conversations", json!({ "status_code": 3 })), "conversation_id"), [archived]);
    assert_eq!(ids(&app.ok("get-conversations", json!({ "status_code": "4" })), "conversation_id"), [trashed]);
    assert_eq!(app.fails("get-conversations", json!({ "status_code": 7 })), "invalid-status-code");
}

#[test]
fn get_conversations_filters_by_department_source_and_routing_and_pages_by_100() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let agent = app.add_user("Ada", None, "agent");
    let sales = app.new_conversation_with(json!({ "user_id": ann, "department": 7, "source": "wa" }));
    let mine = app.new_conversation_with(json!({ "user_id": ann, "agent_id": app.admin_id }));
    let theirs = app.new_conversation_with(json!({ "user_id": ann, "agent_id": agent }));
    for c in [sales, mine, theirs] {
        app.send(ann, c, "hi");
    }
    assert_eq!(ids(&app.ok("get-conversations", json!({ "department": 7 })), "conversation_id"), [sales]);
    assert_eq!(ids(&app.ok("get-conversations", json!({ "source": "wa" })), "conversation_id"), [sales]);
    assert_eq!(ids(&app.ok("get-conversations", json!({ "routing": true })), "conversation_id"), [mine]);
    assert_eq!(
        ids(&app.ok("get-conversations", json!({ "routing": true, "routing_unassigned": true })), "conversation_id"),
        [mine, sales]
    );
    for i in 0..105 {
        let c = app.new_conversation(ann);
        app.send(ann, c, &format!("bulk {i}"));
    }
    let page1 = app.ok("get-conversations", json!({ "pagination": 1 }));
    let page2 = app.ok("get-conversations", json!({ "pagination": 2 }));
    assert_eq!(page1.as_array().unwrap().len(), 100);
    assert_eq!(page2.as_array().unwrap().len(), 8);
    assert_eq!(page1[0]["message"], "bulk 104");
    assert_eq!(page2[7]["conversation_id"], sales.to_string());
}

#[test]
fn get_new_conversations_lists_conversations_with_newer_messages() {
    let app = TestApp::spawn_at("2024-06-01 08:00:00");
    let ann = app.add_user("Ann", None, "lead");
    let old = app.new_conversation(ann);
    let seen = app.send(ann, old, "old message");
    app.advance(3600);
    let fresh = app.new_conversation(ann);
    app.send(ann, fresh, "new message");
    assert_eq!(ids(&app.ok("get-new-conversations", json!({ "datetime": seen })), "conversation_id"), [fresh]);
    assert_eq!(
        ids(&app.ok("get-new-conversations", json!({ "datetime": "2024-06-01 08:30:00" })), "conversation_id"),
        [fresh]
    );
    assert_eq!(app.ok("get-new-conversations", json!({ "datetime": "2024-06-02" })), json!([]));
}

#[test]
fn user_conversation_lists_cover_one_user_or_one_agents_conversations() {
    let app = TestApp::spawn_at("2024-06-01 08:00:00");
    let ann = app.add_user("Ann", None, "lead");
    let bob = app.add_user("Bob", None, "lead");
    let agent = app.add_user("Ada", None, "agent");
    let a1 = app.new_conversation(ann);
    let a2 = app.new_conversation(ann);
    let b1 = app.new_conversation(bob);
    app.send(ann, a1, "one");
    app.send(bob, b1, "bob here");
    app.send(agent, b1, "agent answer");
    app.advance(60);
    app.send(ann, a2, "two");
    assert_eq!(ids(&app.ok("get-user-conversations", json!({ "user_id": ann })), "conversation_id"), [a2, a1]);
    assert_eq!(
        ids(&app.ok("get-user-conversations", json!({ "user_id": ann, "exclude_id": a2 })), "conversation_id"),
        [a1]
    );
    assert_eq!(
        ids(&app.ok("get-user-conversations", json!({ "user_id": agent, "agents": true })), "conversation_id"),
        [b1]
    );
    assert_eq!(app.ok("get-user-conversations", json!({ "user_id": 999 })), json!([]));
    assert_eq!(
        ids(
            &app.ok("get-new-user-conversations", json!({ "user_id": ann, "datetime": "2024-06-01 08:00:30" })),
            "conversation_id"
        ),
        [a2]
    );
}

#[test]
fn search_conversations_finds_by_message_attachment_name_and_user_email() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", Some("ann@fjordmail.example"), "lead");
    let bob = app.add_user("Bob", None, "lead");
    let by_text = app.new_conversation(bob);
    app.send(bob, by_text, "My crème brûlée arrived cold");
    let by_file = app.new_conversation(bob);
    app.ok("send-message", json!({ "user_id": bob, "conversation_id": by_file, "message": "see file", "attachments": [["invoice-7731.pdf", "https://files.example/i.pdf"]] }));
    let by_email = app.new_conversation(ann);
    app.send(ann, by_email, "hello");
    assert_eq!(ids(&app.ok("search-conversations", json!({ "search": "creme brulee" })), "conversation_id"), [by_text]);
    assert_eq!(ids(&app.ok("search-conversations", json!({ "search": "invoice-7731" })), "conversation_id"), [by_file]);
    assert_eq!(ids(&app.ok("search-conversations", json!({ "search": "fjordmail" })), "conversation_id"), [by_email]);
    assert_eq!(app.ok("search-conversations", json!({ "search": "nothing-like-this" })), json!([]));
    for hostile in ["\"", "crème\" OR \"hello", "NEAR(my arrived)", "*", "-cold", "message:cold", "{message}"] {
        let envelope = app.call("search-conversations", json!({ "search": hostile }));
        assert_eq!(envelope["success"], true, "{hostile}: {envelope}");
    }
    assert_eq!(
        app.ok("search-conversations", json!({ "search": "crème\" OR \"hello" })),
        json!([]),
        "OR inside quotes is text, not an operator"
    );
}

#[test]
fn search_conversations_lists_the_most_recent_relevant_message_first_a_page_at_a_time() {
    let app = TestApp::spawn();
    let bob = app.add_user("Bob", None, "lead");
    let early = app.new_conversation(bob);
    app.send(bob, early, "Where is my parcel?");
    let late = app.new_conversation(bob);
    app.send(bob, late, "The parcel is missing");
    // `early` now has the newest message, but `late` the newest one that matches.
    app.send(bob, early, "Any news?");
    let parcel = app.add_user("Parcelia", None, "lead");
    let by_name = app.new_conversation(parcel);
    app.send(parcel, by_name, "hello");
    let found = app.ok("search-conversations", json!({ "search": "parcel" }));
    assert_eq!(ids(&found, "conversation_id"), [by_name, late, early]);
    assert_eq!(found[2]["message"], "Any news?", "rows show the conversation's last message");

    let many: Vec<i64> = (0..103)
        .map(|_| {
            let id = app.new_conversation(bob);
            app.send(bob, id, "quokka sighting");
            id
        })
        .collect();
    let newest_first: Vec<i64> = many.iter().rev().copied().collect();
    let page1 = ids(&app.ok("search-conversations", json!({ "search": "quokka", "pagination": 1 })), "conversation_id");
    let page2 = ids(&app.ok("search-conversations", json!({ "search": "quokka", "pagination": 2 })), "conversation_id");
    assert_eq!(page1, newest_first[..100]);
    assert_eq!(page2, newest_first[100..]);
}

#[test]
fn search_user_conversations_searches_one_users_messages_and_titles() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let bob = app.add_user("Bob", None, "lead");
    let titled = app.new_conversation_with(json!({ "user_id": ann, "title": "Refund request" }));
    app.send(ann, titled, "hello");
    let texted = app.new_conversation(ann);
    app.send(ann, texted, "the refund never came");
    let other = app.new_conversation(bob);
    app.send(bob, other, "refund please");
    assert_eq!(
        ids(&app.ok("search-user-conversations", json!({ "id": ann, "search": "refund" })), "conversation_id"),
        [texted, titled]
    );
    assert_eq!(
        ids(&app.ok("search-user-conversations", json!({ "user_id": bob, "search": "refund" })), "conversation_id"),
        [other]
    );
    assert_eq!(app.call("search-user-conversations", json!({ "search": "refund" }))["response"], "missing-argument");
}

#[test]
fn conversation_status_department_and_agent_can_be_changed_and_errors_are_named() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let agent = app.add_user("Ada", None, "agent");
    let c = app.new_conversation(ann);
    assert_eq!(app.ok("update-conversation-status", json!({ "conversation_id": c, "status_code": 3 })), true);
    assert_eq!(app.ok("update-conversation-department", json!({ "conversation_id": c, "department": 5 })), true);
    assert_eq!(app.ok("update-conversation-agent", json!({ "conversation_id": c, "agent_id": agent })), true);
    let details = &app.ok("get-conversation", json!({ "conversation_id": c }))["details"];
    assert_eq!(
        (details["conversation_status_code"].as_str(), details["department"].as_str(), details["agent_id"].as_str()),
        (Some("3"), Some("5"), Some(agent.to_string().as_str()))
    );
    app.ok("update-conversation-department", json!({ "conversation_id": c, "department": false }));
    app.ok("update-conversation-agent", json!({ "conversation_id": c, "agent_id": false }));
    let details = &app.ok("get-conversation", json!({ "conversation_id": c }))["details"];
    assert_eq!((details["department"].clone(), details["agent_id"].clone()), (json!(null), json!(null)));
    assert_eq!(
        app.fails("update-conversation-status", json!({ "conversation_id": c, "status_code": 5 })),
        "invalid-status-code"
    );
    assert_eq!(
        app.fails("update-conversation-status", json!({ "conversation_id": c, "status_code": "live" })),
        "invalid-status-code"
    );
    assert_eq!(app.fails("update-conversation-status", json!({ "conversation_id": c })), "invalid-status-code");
    assert_eq!(
        app.fails("update-conversation-status", json!({ "conversation_id": 999, "status_code": 1 })),
        "conversation-not-found"
    );
    assert_eq!(
        app.fails("update-conversation-agent", json!({ "conversation_id": c, "agent_id": ann })),
        "agent-not-found"
    );
    assert_eq!(
        app.fails("update-conversation-department", json!({ "conversation_id": 999, "department": 1 })),
        "conversation-not-found"
    );
}

#[test]
fn ratings_are_set_in_either_settings_form_and_counted_per_agent() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let agent = app.add_user("Ada", None, "agent");
    let [c1, c2, c3] = [app.new_conversation(ann), app.new_conversation(ann), app.new_conversation(ann)];
    for c in [c1, c2, c3] {
        app.send(agent, c, "rate me");
    }
    let message = app.send(ann, c3, "thanks");
    assert_eq!(
        app.ok(
            "set-rating",
            json!({ "settings": format!("{{\"settings\":{{\"conversation_id\":\"{c1}\",\"rating\":\"1\"}}}}") })
        ),
        true
    );
    assert_eq!(app.ok("set-rating", json!({ "settings": { "conversation_id": c2, "rating": 1 } })), true);
    assert_eq!(app.ok("set-rating", json!({ "settings": { "conversation_id": c3, "rating": 0 }, "message_id": message, "message": "Rated: bad", "payload": "{\"rating\":0}" })), true);
    assert_eq!(app.ok("get-rating", json!({ "user_id": agent })), json!([2, 1]));
    let messages = app.ok("get-conversation", json!({ "conversation_id": c3 }))["messages"].clone();
    assert_eq!(messages[1]["message"], "Rated: bad");
    assert_eq!(messages[1]["payload"], "{\"rating\":0}");
    assert_eq!(
        app.call("set-rating", json!({ "settings": { "conversation_id": c1, "rating": 5 } }))["response"],
        "invalid-argument"
    );
    assert_eq!(
        app.fails("set-rating", json!({ "settings": { "conversation_id": 999, "rating": 1 } })),
        "conversation-not-found"
    );
    assert_eq!(app.ok("get-rating", json!({ "user_id": ann })), json!([0, 0]));
}

#[test]
fn count_conversations_and_check_conversations_assignment() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let agent = app.add_user("Ada", None, "agent");
    let a = app.new_conversation_with(json!({ "user_id": ann, "agent_id": agent, "department": 2 }));
    let b = app.new_conversation_with(json!({ "user_id": ann, "department": 2 }));
    let c = app.new_conversation_with(json!({ "user_id": ann, "status_code": 3 }));
    assert_eq!(app.ok("count-conversations", json!({})), 3);
    assert_eq!(app.ok("count-conversations", json!({ "status_code": 3 })), 1);
    assert_eq!(
        app.ok("check-conversations-assignment", json!({ "conversation_ids": [a, b, c], "agent_id": agent })),
        json!([a])
    );
    assert_eq!(
        app.ok(
            "check-conversations-assignment",
            json!({ "conversation_ids": format!("[{a},{b},{c}]"), "department_id": 2 })
        ),
        json!([a, b])
    );
    assert_eq!(
        app.ok(
            "check-conversations-assignment",
            json!({ "conversation_ids": [a, b], "agent_id": agent, "department_id": 2 })
        ),
        json!([a])
    );
}

#[test]
fn get_user_from_conversation_answers_the_user_or_the_last_agent() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", Some("ann@example.com"), "lead");
    let agent = app.add_user("Ada", Some("ada@example.com"), "agent");
    let c = app.new_conversation(ann);
    assert_eq!(app.ok("get-user-from-conversation", json!({ "conversation_id": c, "agent": true })), false);
    app.send(agent, c, "hello");
    assert_eq!(
        app.ok("get-user-from-conversation", json!({ "conversation_id": c })),
        json!({ "id": ann.to_string(), "email": "ann@example.com" })
    );
    assert_eq!(
        app.ok("get-user-from-conversation", json!({ "conversation_id": c, "agent": true })),
        json!({ "id": agent.to_string(), "email": "ada@example.com" })
    );
    assert_eq!(app.ok("get-user-from-conversation", json!({ "conversation_id": 999 })), false);
}

#[test]
fn set_rating_with_an_unknown_message_answers_message_not_found_and_records_no_rating() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let agent = app.add_user("Ada", None, "agent");
    let c = app.new_conversation(ann);
    app.send(agent, c, "rate me");
    let message = app.send(ann, c, "thanks");

    let code = app.fails(
        "set-rating",
        json!({ "settings": { "conversation_id": c, "rating": 1 }, "message_id": message + 100, "message": "Rated: good" }),
    );

    assert_eq!(code, "message-not-found");
    assert_eq!(app.ok("get-rating", json!({ "user_id": agent })), json!([0, 0]), "all or nothing: no rating either");
    let messages = app.ok("get-conversation", json!({ "conversation_id": c }))["messages"].clone();
    assert_eq!(messages[1]["message"], "thanks");
}
