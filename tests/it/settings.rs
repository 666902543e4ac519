use crate::support::TestApp;
use serde_json::{json, Value};

#[test]
fn get_settings_answers_every_setting_as_a_value_and_type_pair() {
    let app = TestApp::spawn();
    let all = app.ok("get-settings", json!({}));
    assert_eq!(all["rtl"], json!([false, "checkbox"]));
    assert_eq!(all["init-dashboard"], json!([true, "checkbox"]));
    assert_eq!(all["color-1"], json!(["#028be5", "color"]));
    assert_eq!(all["departments"], json!([[], "repeater"]));
    assert_eq!(app.ok("get-setting", json!({ "setting": "transcript-type" })), "csv");
    assert_eq!(app.call("get-setting", json!({ "setting": "no-such-setting" }))["response"], "invalid-argument");
}

#[test]
fn save_settings_validates_and_saves_what_it_is_given() {
    let app = TestApp::spawn();
    let saved = app.ok(
        "save-settings",
        json!({ "settings": "{\"rtl\":[true,\"checkbox\"],\"color-1\":\"#112233\",\"departments\":[[{\"department-id\":\"4\",\"department-name\":\"Sales\",\"department-color\":\"red\"}],\"repeater\"]}" }),
    );
    assert_eq!(saved, true);
    assert_eq!(app.ok("get-setting", json!({ "setting": "rtl" })), true);
    assert_eq!(app.ok("get-setting", json!({ "setting": "color-1" })), "#112233");
    assert_eq!(
        app.ok("get-setting", json!({ "setting": "chat-position" })),
        "right",
        "settings not sent keep their value"
    );
    app.ok("save-settings", json!({ "settings": { "chat-position": ["left", "select"], "saved-replies": [{ "reply-name": "hi", "reply-text": "Hello!" }] } }));
    assert_eq!(app.ok("get-setting", json!({ "setting": "chat-position" })), "left");
    assert_eq!(app.ok("saved-replies", json!({})), json!([{ "reply-name": "hi", "reply-text": "Hello!" }]));
    assert_eq!(app.ok("get-departments", json!({})), json!({ "4": { "name": "Sales", "color": "red", "image": "" } }));
}

#[test]
fn save_settings_refuses_unknown_ids_and_wrong_types_and_changes_nothing() {
    let app = TestApp::spawn();
    for bad in [
        json!({ "rtl": true, "no-such-setting": 1 }),
        json!({ "rtl": true, "color-1": "red; } body { display: none" }),
        json!({ "rtl": true, "transcript-type": "pdf" }),
        json!({ "rtl": true, "departments": [{ "department-name": "x", "department-image": "javascript:alert(1)" }] }),
        json!({ "rtl": "sometimes" }),
    ] {
        let envelope = app.call("save-settings", json!({ "settings": bad.to_string() }));
        assert_eq!(envelope["response"], "invalid-argument", "{bad}: {envelope}");
        assert!(envelope["message"].as_str().unwrap().contains("settings"));
    }
    assert_eq!(app.ok("get-setting", json!({ "setting": "rtl" })), false, "nothing was saved");
}

#[test]
fn save_settings_names_the_type_it_expects_when_a_value_carries_another_types_tag() {
    let app = TestApp::spawn();
    let message = |settings: Value| {
        let envelope = app.call("save-settings", json!({ "settings": settings.to_string() }));
        assert_eq!(envelope["response"], "invalid-argument", "{envelope}");
        envelope["message"].as_str().unwrap().to_string()
    };

    assert_eq!(
        message(json!({ "webhooks": [{ "webhooks-url": ["http://hooks.example/in", "text"] }, "multi-input"] })),
        "The argument 'settings' is invalid: webhooks: webhooks-url: \
         expected an http or https URL (a url setting), not text."
    );
    assert_eq!(
        message(json!({ "email-user-chat-url": ["https://example.com/chat", "textarea"] })),
        "The argument 'settings' is invalid: email-user-chat-url: \
         expected an http or https URL (a url setting), not textarea."
    );
    assert_eq!(
        message(json!({ "rtl": ["true", "text"] })),
        "The argument 'settings' is invalid: rtl: expected true or false (a checkbox setting), not text."
    );
    assert_eq!(
        message(json!({ "email-user-chat-url": { "url": "https://example.com" } })),
        "The argument 'settings' is invalid: email-user-chat-url: expected an http or https URL.",
        "a value of the wrong shape names what is expected too"
    );
    assert_eq!(app.ok("get-setting", json!({ "setting": "email-user-chat-url" })), "", "nothing was saved");
}

#[test]
fn external_settings_and_their_translations_are_stored() {
    let app = TestApp::spawn();
    app.ok(
        "save-settings",
        json!({
            "external_settings": { "emails": { "subject": "Hello" } },
            "external_settings_translations": "{\"es\":{\"emails\":{\"subject\":\"Hola\"}}}",
        }),
    );
    assert_eq!(app.ok("get-setting", json!({ "setting": "emails" })), json!({ "subject": "Hello" }));
    let exported = fetch_json(&app, &app.ok("export-settings", json!({})));
    assert_eq!(exported["external_settings"]["emails"], json!({ "subject": "Hello" }));
    assert_eq!(exported["external_settings_translations"], json!({ "es": { "emails": { "subject": "Hola" } } }));
    assert_eq!(
        app.call("save-settings", json!({ "external_settings": { "bad name!": 1 } }))["response"],
        "invalid-argument"
    );
}

#[test]
fn chat_css_uses_the_saved_colours_or_the_arguments_and_refuses_non_colours() {
    let app = TestApp::spawn();
    app.ok("save-settings", json!({ "settings": { "color-1": "#abcdef" } }));
    let css = app.ok("chat-css", json!({}));
    assert!(css.as_str().unwrap().contains("--sb-color-1: #abcdef;"), "{css}");
    let css = app.ok("chat-css", json!({ "color_1": "rgb(1, 2, 3)", "color_3": "#000" }));
    assert!(
        css.as_str().unwrap().contains("--sb-color-1: rgb(1, 2, 3);")
            && css.as_str().unwrap().contains("--sb-color-3: #000;")
    );
    assert_eq!(app.call("chat-css", json!({ "color_2": "red;}</style><script>" }))["response"], "invalid-argument");
}

#[test]
fn transcripts_default_to_the_type_in_settings() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", None, "lead");
    let c = app.new_conversation(ann);
    app.send(ann, c, "hello");
    app.ok("save-settings", json!({ "settings": { "transcript-type": "txt" } }));
    let url = app.ok("transcript", json!({ "conversation_id": c }));
    assert!(url.as_str().unwrap().ends_with(".txt"), "{url}");
}

fn fetch_json(app: &TestApp, url: &Value) -> Value {
    app.client.get(url.as_str().unwrap()).send().unwrap().json().unwrap()
}

#[test]
fn an_export_imports_back_by_its_link_or_as_a_file() {
    let app = TestApp::spawn();
    app.ok(
        "save-settings",
        json!({ "settings": { "admin-title": "Acme support" }, "external_settings": { "emails": "x" } }),
    );
    let url = app.ok("export-settings", json!({}));
    let document = fetch_json(&app, &url);
    assert_eq!(document["settings"]["admin-title"], "Acme support");
    assert!(document["signature"].as_str().unwrap().len() == 64);
    app.ok(
        "save-settings",
        json!({ "settings": { "admin-title": "Changed" }, "external_settings": { "emails": "y" } }),
    );
    assert_eq!(app.ok("import-settings", json!({ "file_url": url })), true);
    assert_eq!(app.ok("get-setting", json!({ "setting": "admin-title" })), "Acme support");
    assert_eq!(app.ok("get-setting", json!({ "setting": "emails" })), "x");
    app.ok("save-settings", json!({ "settings": { "admin-title": "Changed again" } }));
    assert_eq!(app.ok("import-settings", json!({ "file": document.to_string() })), true);
    assert_eq!(app.ok("get-setting", json!({ "setting": "admin-title" })), "Acme support");
}

#[test]
fn tampered_foreign_and_remote_settings_files_are_refused_with_nothing_changed() {
    let app = TestApp::spawn();
    let other = TestApp::spawn();
    app.ok("save-settings", json!({ "settings": { "admin-title": "Ours" } }));
    let mut tampered = fetch_json(&app, &app.ok("export-settings", json!({})));
    tampered["settings"]["admin-title"] = json!("Evil");
    let foreign = fetch_json(&other, &other.ok("export-settings", json!({})));
    let foreign_link = other.ok("export-settings", json!({}));
    for args in [
        json!({ "file": tampered.to_string() }),
        json!({ "file": foreign.to_string() }),
        json!({ "file": "{not json" }),
        json!({ "file_url": foreign_link }),
        json!({ "file_url": "http://169.254.169.254/latest/meta-data" }),
        json!({ "file_url": format!("{}/downloads/{}/settings.json", app.base, "0".repeat(48)) }),
    ] {
        let envelope = app.call("import-settings", args.clone());
        assert_eq!(envelope["response"], "invalid-argument", "{args}: {envelope}");
    }
    assert_eq!(app.ok("get-setting", json!({ "setting": "admin-title" })), "Ours");
}

#[test]
fn an_export_uploaded_as_a_multipart_file_is_imported() {
    let app = TestApp::spawn();
    app.ok("save-settings", json!({ "settings": { "admin-title": "Uploaded" } }));
    let document = fetch_json(&app, &app.ok("export-settings", json!({})));
    app.ok("save-settings", json!({ "settings": { "admin-title": "Before upload" } }));
    let boundary = "b0undary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n{}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"function\"\r\n\r\nimport-settings\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"settings.json\"\r\nContent-Type: application/json\r\n\r\n{document}\r\n\
         --{boundary}--\r\n",
        app.token
    );
    let response = app
        .client
        .post(app.api_url())
        .header("Content-Type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .unwrap();
    assert_eq!(crate::support::envelope_of(response)["response"], true);
    assert_eq!(app.ok("get-setting", json!({ "setting": "admin-title" })), "Uploaded");
}
