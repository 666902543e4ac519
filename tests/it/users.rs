use crate::support::{ids, TestApp};
use serde_json::json;

#[test]
fn add_user_returns_a_numeric_id_and_get_user_shows_columns_as_strings() {
    let app = TestApp::spawn();
    let id = app.ok(
        "add-user",
        json!({ "first_name": "Ann", "last_name": "Lee", "email": "ann@example.com", "user_type": "lead" }),
    );
    let id = id.as_i64().expect("add-user answers a number");
    let user = app.ok("get-user", json!({ "user_id": id }));
    assert_eq!(user["id"], json!(id.to_string()));
    assert_eq!(user["first_name"], "Ann");
    assert_eq!(user["email"], "ann@example.com");
    assert_eq!(user["user_type"], "lead");
    assert_eq!(user["department"], json!(null));
    assert_eq!(user["password"], "", "password hashes never leave the server");
    assert_eq!(user["token"].as_str().unwrap().len(), 40);
    assert!(user["profile_image"].as_str().unwrap().starts_with("http://"));
    assert!(user.get("details").is_none(), "details only with extra=true");
}

#[test]
fn add_user_gives_anonymous_visitors_a_placeholder_name() {
    let app = TestApp::spawn();
    let id = app.ok("add-user", json!({})).as_i64().unwrap();
    let user = app.ok("get-user", json!({ "user_id": id }));
    assert_eq!(user["user_type"], "visitor");
    assert_eq!(user["first_name"], "User");
    assert!(user["last_name"].as_str().unwrap().starts_with('#'));
}

#[test]
fn add_user_answers_duplicate_email_for_an_existing_address_in_any_case() {
    let app = TestApp::spawn();
    app.add_user("Ann", Some("ann@example.com"), "user");
    assert_eq!(app.fails("add-user", json!({ "email": "ANN@example.com" })), "duplicate-email");
}

#[test]
fn add_user_answers_invalid_user_type() {
    let app = TestApp::spawn();
    assert_eq!(app.fails("add-user", json!({ "user_type": "superhero" })), "invalid-user-type");
    assert_eq!(app.fails("add-user", json!({ "user_type": "bot" })), "invalid-user-type");
}

#[test]
fn add_user_rejects_bad_arguments_with_the_argument_named() {
    let app = TestApp::spawn();
    for (args, name) in [
        (json!({ "email": "not-an-email" }), "email"),
        (json!({ "password": "short" }), "password"),
        (json!({ "profile_image": "javascript:alert(1)" }), "profile_image"),
        (json!({ "first_name": "x".repeat(300) }), "first_name"),
        (json!({ "settings_extra": "{not json" }), "settings_extra"),
        (json!({ "department": "sales" }), "department"),
    ] {
        let envelope = app.call("add-user", args.clone());
        assert_eq!(envelope["response"], "invalid-argument", "{args}: {envelope}");
        assert!(envelope["message"].as_str().unwrap().contains(name), "{envelope}");
    }
    assert_eq!(app.ok("count-users", json!({}))["all"], "1", "nothing was created");
}

#[test]
fn extra_details_are_stored_from_json_and_bracket_forms_and_read_back() {
    let app = TestApp::spawn();
    let id = app
        .ok("add-user", json!({ "email": "a@example.com", "settings_extra": "{\"phone\":[\"555\",\"Phone\"]}", "extra": { "city": ["Oslo", "City"] } }))
        .as_i64()
        .unwrap();
    let user = app.ok("get-user", json!({ "user_id": id, "extra": true }));
    assert_eq!(
        user["details"],
        json!([
            { "slug": "city", "name": "City", "value": "Oslo" },
            { "slug": "phone", "name": "Phone", "value": "555" },
        ])
    );
    assert_eq!(app.ok("get-user-extra", json!({ "user_id": id })).as_array().unwrap().len(), 2);
    assert_eq!(app.ok("get-user-extra", json!({ "user_id": id, "slug": "phone" })), "555");
    assert_eq!(app.ok("get-user-extra", json!({ "user_id": id, "slug": "fax", "default": "none" })), "none");
    assert_eq!(app.ok("get-user-extra", json!({ "user_id": id, "slug": "fax" })), false);
}

#[test]
fn reads_of_unknown_users_answer_the_documented_empty_values() {
    let app = TestApp::spawn();
    assert_eq!(app.ok("get-user", json!({ "user_id": 999 })), false);
    assert_eq!(app.ok("get-user-extra", json!({ "user_id": 999 })), json!([]));
    assert_eq!(app.ok("get-agent", json!({ "agent_id": 999 })), false);
    assert_eq!(app.ok("get-user-language", json!({ "user_id": 999 })), false);
}

#[test]
fn get_user_language_answers_the_code_or_false_for_english() {
    let app = TestApp::spawn();
    let es = app.ok("add-user", json!({ "extra": { "browser_language": ["es", "Language"] } })).as_i64().unwrap();
    let en = app.ok("add-user", json!({ "extra": { "language": ["en", "Language"] } })).as_i64().unwrap();
    assert_eq!(app.ok("get-user-language", json!({ "user_id": es })), "es");
    assert_eq!(app.ok("get-user-language", json!({ "user_id": en })), false);
}

#[test]
fn get_users_pages_by_100_and_continues_on_page_2() {
    let app = TestApp::spawn();
    for i in 0..120 {
        app.add_user(&format!("U{i:03}"), None, "visitor");
    }
    let page1 =
        app.ok("get-users", json!({ "pagination": 1, "sorting": ["first_name", "ASC"], "user_types": ["visitor"] }));
    let page2 =
        app.ok("get-users", json!({ "pagination": 2, "sorting": ["first_name", "ASC"], "user_types": ["visitor"] }));
    let default = app.ok("get-users", json!({ "sorting": ["first_name", "ASC"], "user_types": ["visitor"] }));
    assert_eq!(page1.as_array().unwrap().len(), 100);
    assert_eq!(page2.as_array().unwrap().len(), 20);
    assert_eq!(page1, default, "absent pagination is the first page");
    assert_eq!(page1[0]["first_name"], "U000");
    assert_eq!(page2[0]["first_name"], "U100");
}

#[test]
fn get_users_sorts_filters_and_searches() {
    let app = TestApp::spawn();
    let bob = app.add_user("Bob", Some("bob@example.com"), "lead");
    let cid = app.add_user("Cid", Some("cid@example.com"), "user");
    let agent = app.add_user("Ada", Some("ada@example.com"), "agent");
    let names = |rows: &serde_json::Value| {
        rows.as_array().unwrap().iter().map(|r| r["first_name"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    let asc = app.ok("get-users", json!({ "sorting": ["first_name", "ASC"] }));
    assert_eq!(names(&asc), ["Ada", "Admin", "Bob", "Cid"]);
    let desc = app.ok("get-users", json!({ "sorting": "[\"first_name\",\"DESC\"]" }));
    assert_eq!(names(&desc), ["Cid", "Bob", "Admin", "Ada"]);
    let types = app.ok("get-users", json!({ "user_types": "[\"lead\",\"user\"]", "sorting": ["first_name", "ASC"] }));
    assert_eq!(names(&types), ["Bob", "Cid"]);
    let by_ids = app.ok("get-users", json!({ "user_ids": [bob, agent], "sorting": ["first_name", "ASC"] }));
    assert_eq!(ids(&by_ids, "id"), [agent, bob]);
    let by_id = app.ok("get-users", json!({ "user_types": ["lead", "user", "agent"], "sorting": ["id", "DESC"] }));
    assert_eq!(ids(&by_id, "id"), [agent, cid, bob]);
    let found = app.ok("get-users", json!({ "search": "cid@exam" }));
    assert_eq!(ids(&found, "id"), [cid]);
    let with_extra = app.ok("get-users", json!({ "user_ids": [bob], "extra": true }));
    assert_eq!(with_extra[0]["details"], json!([]));
    assert_eq!(app.call("get-users", json!({ "sorting": ["password_hash", "ASC"] }))["response"], "invalid-argument");
    assert_eq!(app.call("get-users", json!({ "sorting": ["email", "SIDEWAYS"] }))["response"], "invalid-argument");
    assert_eq!(app.call("get-users", json!({ "user_types": ["wizard"] }))["response"], "invalid-argument");
}

#[test]
fn get_new_users_lists_users_after_an_id_or_a_date() {
    let app = TestApp::spawn_at("2024-03-01 10:00:00");
    let first = app.add_user("First", None, "visitor");
    app.advance(86_400);
    let second = app.add_user("Second", None, "visitor");
    assert_eq!(ids(&app.ok("get-new-users", json!({ "datetime": first })), "id"), [second]);
    assert_eq!(ids(&app.ok("get-new-users", json!({ "datetime": "2024-03-02" })), "id"), [second]);
    assert_eq!(
        ids(&app.ok("get-new-users", json!({ "datetime": "2024-03-01 09:00:00" })), "id"),
        [second, first, app.admin_id]
    );
    assert_eq!(app.call("get-new-users", json!({ "datetime": "soon" }))["response"], "invalid-argument");
    assert_eq!(app.call("get-new-users", json!({}))["response"], "missing-argument");
}

#[test]
fn get_users_with_details_groups_values_by_detail() {
    let app = TestApp::spawn();
    let ann = app
        .ok("add-user", json!({ "email": "ann@example.com", "extra": { "phone": ["111", "Phone"] } }))
        .as_i64()
        .unwrap();
    let bob = app.ok("add-user", json!({ "extra": { "phone": ["222", "Phone"] } })).as_i64().unwrap();
    let all = app.ok("get-users-with-details", json!({ "details": ["email", "phone"] }));
    assert_eq!(all["phone"], json!([{ "id": ann, "value": "111" }, { "id": bob, "value": "222" }]));
    assert!(all["email"].as_array().unwrap().contains(&json!({ "id": ann, "value": "ann@example.com" })));
    let only_bob = app.ok("get-users-with-details", json!({ "details": ["phone"], "user_ids": format!("{bob}") }));
    assert_eq!(only_bob["phone"], json!([{ "id": bob, "value": "222" }]));
    let agents = app.ok("get-users-with-details", json!({ "details": ["email"], "user_ids": "agents" }));
    assert_eq!(agents["email"], json!([{ "id": app.admin_id, "value": "admin@example.com" }]));
}

#[test]
fn get_agent_and_get_agents_ids_cover_agents_and_admins_only() {
    let app = TestApp::spawn();
    let agent = app.add_user("Ada", Some("ada@example.com"), "agent");
    let visitor = app.add_user("Vic", None, "visitor");
    let found = app.ok("get-agent", json!({ "agent_id": agent }));
    assert_eq!(found["first_name"], "Ada");
    assert_eq!(found["details"], json!([]));
    assert_eq!(app.ok("get-agent", json!({ "agent_id": visitor })), false);
    assert_eq!(app.ok("get-agents-ids", json!({})), json!([app.admin_id, agent]));
    assert_eq!(app.ok("get-agents-ids", json!({ "admins": false })), json!([agent]));
}

#[test]
fn search_users_finds_by_name_email_and_extra_details() {
    let app = TestApp::spawn();
    let ann = app.ok("add-user", json!({ "first_name": "Annika", "email": "annika@shop.example", "extra": { "company": ["Fjord Logistics", "Company"] } })).as_i64().unwrap();
    app.add_user("Bob", Some("bob@example.com"), "user");
    assert_eq!(ids(&app.ok("search-users", json!({ "search": "annik" })), "id"), [ann]);
    assert_eq!(ids(&app.ok("search-users", json!({ "search": "shop.example" })), "id"), [ann]);
    assert_eq!(ids(&app.ok("search-users", json!({ "search": "fjord" })), "id"), [ann]);
    assert_eq!(app.ok("search-users", json!({ "search": "nobody" })), json!([]));
    for hostile in ["\"", "*", "NEAR(a b)", "-bob", "bob OR", "email:bob", "(("] {
        let envelope = app.call("search-users", json!({ "search": hostile }));
        assert_eq!(envelope["success"], true, "{hostile}: {envelope}");
    }
    assert_eq!(app.ok("search-users", json!({ "search": "-bob" })).as_array().unwrap().len(), 1, "a dash is not NOT");
}

#[test]
fn search_users_finds_part_of_a_detail_value_such_as_a_phone_number_without_its_country_code() {
    let app = TestApp::spawn();
    let ann = app
        .ok(
            "add-user",
            json!({ "first_name": "Ann", "last_name": "Lee", "email": "ann@example.com",
                    "extra": { "phone": ["+15551234567", "Phone"], "company": ["Nordwind Café", "Company"] } }),
        )
        .as_i64()
        .unwrap();
    let bob = app
        .ok("add-user", json!({ "first_name": "Bob", "extra": { "phone": ["+445559876543", "Phone"] } }))
        .as_i64()
        .unwrap();
    let search = |text: &str| ids(&app.ok("search-users", json!({ "search": text })), "id");

    assert_eq!(search("5551234567"), [ann], "the digits without the country code");
    assert_eq!(search("1234"), [ann], "digits from the middle");
    assert_eq!(search("555"), [bob, ann], "in both numbers, newest first");
    assert_eq!(search("wind cafe"), [ann], "parts of words, accents folded, every word");
    assert_eq!(search("ann 1234567"), [ann], "a word of a name and part of a detail");
    assert_eq!(search("xample"), Vec::<i64>::new(), "names and emails match by words and prefixes only");
    assert_eq!(search("ann 9876"), Vec::<i64>::new(), "every word must match the same user");
    assert_eq!(search("Le"), [ann], "a word under three characters matches the start of a word");
    assert_eq!(search("ee"), Vec::<i64>::new(), "but not the inside of one");
    assert_eq!(ids(&app.ok("get-users", json!({ "search": "5551234567" })), "id"), [ann], "get-users searches alike");
    app.ok("update-user", json!({ "user_id": ann, "extra": { "phone": ["+15550000000", "Phone"] } }));
    app.ok("delete-user", json!({ "user_id": bob }));
    assert_eq!(search("555"), [ann], "a deleted user's details are gone from the index");
    assert_eq!(search("1234"), Vec::<i64>::new(), "a changed detail is found by its new value only");
}

#[test]
fn search_users_lists_the_newest_first_a_page_at_a_time() {
    let app = TestApp::spawn();
    let created: Vec<i64> =
        (0..105).map(|_| app.ok("add-user", json!({ "first_name": "Zed" })).as_i64().unwrap()).collect();
    app.add_user("Other", None, "user");
    let newest_first: Vec<i64> = created.iter().rev().copied().collect();
    let page1 = ids(&app.ok("search-users", json!({ "search": "zed", "pagination": 1 })), "id");
    let page2 = ids(&app.ok("search-users", json!({ "search": "zed", "pagination": 2 })), "id");
    assert_eq!(page1, newest_first[..100]);
    assert_eq!(page2, newest_first[100..]);
}

#[test]
fn update_user_changes_only_the_given_fields() {
    let app = TestApp::spawn();
    let id = app.add_user("Ann", Some("ann@example.com"), "user");
    assert_eq!(
        app.ok(
            "update-user",
            json!({ "user_id": id, "last_name": "Smith", "settings_extra": { "phone": ["9", "Phone"] } })
        ),
        true
    );
    let user = app.ok("get-user", json!({ "user_id": id, "extra": true }));
    assert_eq!((user["first_name"].as_str(), user["last_name"].as_str()), (Some("Ann"), Some("Smith")));
    assert_eq!(user["details"][0]["value"], "9");
    app.ok("update-user", json!({ "user_id": id, "email": "NULL" }));
    assert_eq!(app.ok("get-user", json!({ "user_id": id }))["email"], json!(null));
    app.ok("update-user", json!({ "user_id": id, "user_type": "agent", "department": 3 }));
    let user = app.ok("get-user", json!({ "user_id": id }));
    assert_eq!((user["user_type"].as_str(), user["department"].as_str()), (Some("agent"), Some("3")));
}

#[test]
fn update_user_answers_duplicate_email_invalid_user_type_and_user_not_found() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", Some("ann@example.com"), "user");
    app.add_user("Bob", Some("bob@example.com"), "user");
    assert_eq!(app.fails("update-user", json!({ "user_id": ann, "email": "bob@example.com" })), "duplicate-email");
    assert_eq!(
        app.ok("update-user", json!({ "user_id": ann, "email": "ann@example.com" })),
        true,
        "keeping one's own email"
    );
    assert_eq!(app.fails("update-user", json!({ "user_id": ann, "user_type": "god" })), "invalid-user-type");
    assert_eq!(app.fails("update-user", json!({ "user_id": 999, "first_name": "X" })), "user-not-found");
}

#[test]
fn delete_user_removes_their_conversations_and_messages() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", Some("ann@example.com"), "user");
    let conversation = app.new_conversation(ann);
    app.send(ann, conversation, "zebracrossing question");
    assert_eq!(app.ok("delete-user", json!({ "user_id": ann })), true);
    assert_eq!(app.ok("get-user", json!({ "user_id": ann })), false);
    assert_eq!(
        app.ok("get-conversation", json!({ "conversation_id": conversation })),
        json!({ "messages": [], "details": "" })
    );
    assert_eq!(app.ok("search-conversations", json!({ "search": "zebracrossing" })), json!([]));
    assert_eq!(app.ok("count-conversations", json!({})), 0);
    assert_eq!(app.fails("delete-user", json!({ "user_id": ann })), "user-not-found");
}

#[test]
fn delete_users_and_delete_leads_remove_exactly_those_users() {
    let app = TestApp::spawn();
    let a = app.add_user("A", None, "visitor");
    let b = app.add_user("B", None, "visitor");
    let keep = app.add_user("Keep", None, "user");
    let lead = app.add_user("Lead", None, "lead");
    let conversation = app.new_conversation(lead);
    app.send(lead, conversation, "hi");
    assert_eq!(app.ok("delete-users", json!({ "user_ids": [a, b] })), true);
    assert_eq!(app.ok("delete-leads", json!({})), true);
    let left = app.ok("get-users", json!({ "sorting": ["first_name", "ASC"] }));
    assert_eq!(ids(&left, "id"), [app.admin_id, keep]);
    assert_eq!(app.ok("count-conversations", json!({})), 0);
}

#[test]
fn count_users_counts_by_type_as_strings() {
    let app = TestApp::spawn();
    app.add_user("A", None, "lead");
    app.add_user("B", None, "lead");
    app.add_user("C", None, "visitor");
    let counts = app.ok("count-users", json!({}));
    assert_eq!(counts["all"], "4");
    assert_eq!(counts["lead"], "2");
    assert_eq!(counts["visitor"], "1");
    assert_eq!(counts["admin"], "1");
    assert_eq!(counts["user"], "0");
}

#[test]
fn update_user_to_lead_changes_the_type() {
    let app = TestApp::spawn();
    let id = app.add_user("V", None, "visitor");
    assert_eq!(app.ok("update-user-to-lead", json!({ "user_id": id })), true);
    assert_eq!(app.ok("get-user", json!({ "user_id": id }))["user_type"], "lead");
    assert_eq!(app.fails("update-user-to-lead", json!({ "user_id": 999 })), "user-not-found");
}

#[test]
fn get_bot_id_creates_the_bot_once() {
    let app = TestApp::spawn();
    let bot = app.ok("get-bot-id", json!({}));
    assert_eq!(app.ok("get-bot-id", json!({})), bot);
    let user = app.ok("get-user", json!({ "user_id": bot }));
    assert_eq!(user["user_type"], "bot");
}

#[test]
fn get_avatar_writes_an_initials_picture_and_serves_it() {
    let app = TestApp::spawn();
    let url = app.ok("get-avatar", json!({ "first_name": "ann", "last_name": "<b>" }));
    let url = url.as_str().unwrap();
    assert!(url.starts_with(&app.base) && url.ends_with(".svg"), "{url}");
    let response = app.client.get(url).send().unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    let svg = response.text().unwrap();
    assert!(svg.contains(">A&#60;</text>"), "initials escaped: {svg}");
    assert_eq!(
        app.ok("get-avatar", json!({ "first_name": "Ann", "last_name": "<x" })),
        url,
        "same initials, same file"
    );
    assert_eq!(app.call("get-avatar", json!({}))["response"], "invalid-argument");
}
