use crate::support::TestApp;
use serde_json::{json, Value};

fn keys(strings: &Value) -> Vec<String> {
    strings.as_object().unwrap_or_else(|| panic!("not a map: {strings}")).keys().cloned().collect()
}

fn versions(app: &TestApp) -> Vec<Value> {
    app.ok("get-translation-versions", json!({})).as_array().unwrap().clone()
}

#[test]
fn get_translations_lists_every_shipped_language_with_englishs_strings() {
    let app = TestApp::spawn();
    let all = app.ok("get-translations", json!({}));
    let codes = keys(&all);
    for code in ["en", "es", "it", "fr", "de", "pt"] {
        assert!(codes.contains(&code.to_string()), "{code} missing from {codes:?}");
    }
    let english = &all["en"];
    assert_eq!(english["name"], "English");
    assert!(keys(&english["front"]).len() >= 80 && keys(&english["admin"]).len() >= 120);
    assert_eq!(english["front"]["Type a message..."], "Type a message...");
    for code in &codes {
        for section in ["front", "admin"] {
            assert_eq!(keys(&all[code][section]), keys(&english[section]), "{code} {section}");
        }
    }
    assert_eq!(all["es"]["front"]["Send"], "Enviar");
    assert_eq!(all["it"]["admin"]["Saved replies"], "Risposte salvate");
    assert_eq!(all["fr"]["front"]["Was this article helpful?"], "Cet article vous a-t-il été utile ?");
}

#[test]
fn get_translation_answers_one_language_in_any_case() {
    let app = TestApp::spawn();
    let spanish = app.ok("get-translation", json!({ "language_code": "es" }));
    assert_eq!(keys(&spanish), ["name", "front", "admin"]);
    assert_eq!(spanish["name"], "Spanish");
    assert_eq!(spanish["front"]["All fields are required."], "Todos los campos son obligatorios.");
    assert_eq!(spanish["admin"]["Inbox"], "Bandeja de entrada");
    assert_eq!(app.ok("get-translation", json!({ "language_code": " ES " })), spanish);
}

#[test]
fn get_translation_answers_language_not_found_for_an_unshipped_code() {
    let app = TestApp::spawn();
    for code in ["ar", "pt-br", "ZZ"] {
        let envelope = app.call("get-translation", json!({ "language_code": code }));
        assert_eq!(envelope, json!({ "success": false, "response": "language-not-found" }), "{code}");
    }
    for code in ["english", "e", "../es", "es_ES", "1e"] {
        assert_eq!(app.fails("get-translation", json!({ "language_code": code })), "invalid-argument", "{code}");
    }
    assert_eq!(app.fails("get-translation", json!({})), "missing-argument");
}

#[test]
fn a_saved_override_shows_in_both_reads_and_leaves_everything_else_shipped() {
    let app = TestApp::spawn();
    let before = app.ok("get-translations", json!({}));
    // The bracket form PHP's http_build_query writes…
    let saved = app.ok("save-translations", json!({ "translations": { "es": { "front": { "Send": "Mandar" } } } }));
    assert_eq!(saved, json!(true));
    // …and a JSON string in the field.
    let payload = json!({ "fr": { "admin": { "Inbox": "Courrier entrant" } } }).to_string();
    app.ok("save-translations", json!({ "translations": payload }));

    let spanish = app.ok("get-translation", json!({ "language_code": "es" }));
    assert_eq!(spanish["front"]["Send"], "Mandar");
    assert_eq!(spanish["front"]["Cancel"], "Cancelar");
    assert_eq!(app.ok("get-translation", json!({ "language_code": "fr" }))["admin"]["Inbox"], "Courrier entrant");
    let mut expected = before;
    expected["es"]["front"]["Send"] = json!("Mandar");
    expected["fr"]["admin"]["Inbox"] = json!("Courrier entrant");
    assert_eq!(app.ok("get-translations", json!({})), expected);
}

#[test]
fn saving_merges_and_the_shipped_text_removes_an_override() {
    let app = TestApp::spawn();
    app.ok("save-translations", json!({ "translations": { "es": { "front": { "Send": "Mandar" } } } }));
    app.ok("save-translations", json!({ "translations": { "es": { "admin": { "Inbox": "Entrada" } } } }));
    let spanish = app.ok("get-translation", json!({ "language_code": "es" }));
    assert_eq!((&spanish["front"]["Send"], &spanish["admin"]["Inbox"]), (&json!("Mandar"), &json!("Entrada")));

    // Posting back what get-translations answers, with one string set to its
    // shipped text, removes just that override.
    let mut all = app.ok("get-translations", json!({}));
    all["es"]["front"]["Send"] = json!("Enviar");
    app.ok("save-translations", json!({ "translations": all.to_string() }));
    let spanish = app.ok("get-translation", json!({ "language_code": "es" }));
    assert_eq!((&spanish["front"]["Send"], &spanish["admin"]["Inbox"]), (&json!("Enviar"), &json!("Entrada")));
    assert_eq!(versions(&app)[0]["languages"], json!(["es"]), "only Spanish changed");
}

#[test]
fn bad_payloads_are_refused_and_change_nothing() {
    let app = TestApp::spawn();
    app.ok("save-translations", json!({ "translations": { "es": { "front": { "Send": "Mandar" } } } }));
    let before = app.ok("get-translations", json!({}));
    let saves = versions(&app).len();
    for payload in [
        json!({ "es": { "front": { "Cancel": "Anular" } }, "xx": { "front": { "Send": "x" } } }),
        json!({ "es": { "front": { "Cancel": "Anular", "Send": 5 } } }),
        json!({ "es": { "front": { "Cancel": "Anular", "Send": ["a"] } } }),
        json!({ "es": { "front": { "Cancel": "Anular" }, "footer": { "Send": "x" } } }),
        json!({ "es": { "front": { ("x".repeat(1001)): "x" } } }),
        json!({ "es": { "front": { "Send": "x".repeat(10_001) } } }),
        json!({ "es": "Mandar" }),
        json!(["es"]),
    ] {
        let envelope = app.call("save-translations", json!({ "translations": payload.to_string() }));
        assert_eq!(envelope["response"], "invalid-argument", "{payload}: {envelope}");
        assert!(envelope["message"].as_str().unwrap().contains("translations"), "{envelope}");
    }
    let envelope = app.call("save-translations", json!({ "translations": "{not json" }));
    assert_eq!(envelope["response"], "invalid-argument");
    assert_eq!(app.fails("save-translations", json!({})), "missing-argument");
    assert_eq!(app.ok("get-translations", json!({})), before, "nothing changed");
    assert_eq!(versions(&app).len(), saves, "no version was recorded");
}

#[test]
fn the_saved_overrides_may_not_outgrow_the_body_limit() {
    let app = TestApp::spawn_with(switchboard::clock::Clock::system(), |config| config.max_body_bytes = 4096);
    let long = "a".repeat(1500);
    app.ok("save-translations", json!({ "translations": { "es": { "front": { "Send": long } } } }));
    let envelope = app
        .call("save-translations", json!({ "translations": { "es": { "front": { "Cancel": long, "Close": long } } } }));
    assert_eq!(envelope["response"], "invalid-argument", "{envelope}");
    let spanish = app.ok("get-translation", json!({ "language_code": "es" }));
    assert_eq!((&spanish["front"]["Send"], &spanish["front"]["Cancel"]), (&json!(long), &json!("Cancelar")));
}

#[test]
fn restore_translations_undoes_the_latest_save_and_can_redo_it() {
    let app = TestApp::spawn();
    let send = |app: &TestApp| app.ok("get-translation", json!({ "language_code": "es" }))["front"]["Send"].clone();
    app.ok("save-translations", json!({ "translations": { "es": { "front": { "Send": "Mandar" } } } }));
    app.ok("save-translations", json!({ "translations": { "es": { "front": { "Send": "Despachar" } } } }));
    let [bad, good] = [0, 1].map(|i| versions(&app)[i]["id"].as_str().unwrap().to_string());

    let undo = app.ok("restore-translations", json!({}));
    assert!(undo.is_number(), "answers the new version's ID: {undo}");
    assert_eq!(send(&app), "Mandar");
    let latest = &versions(&app)[0];
    assert_eq!((&latest["restored_from"], &latest["languages"]), (&json!(good), &json!(["es"])));

    app.ok("restore-translations", json!({ "version_id": bad }));
    assert_eq!(send(&app), "Despachar");
    assert_eq!(versions(&app).len(), 4, "every restore is a version too");
}

#[test]
fn undoing_the_first_save_brings_back_the_shipped_strings() {
    let app = TestApp::spawn();
    let envelope = app.call("restore-translations", json!({}));
    assert_eq!(envelope["response"], "invalid-argument", "nothing to undo yet: {envelope}");
    let shipped = app.ok("get-translations", json!({}));
    app.ok("save-translations", json!({ "translations": { "de": { "admin": { "Inbox": "Eingang" } } } }));
    app.ok("restore-translations", json!({}));
    assert_eq!(app.ok("get-translations", json!({})), shipped);
    assert_eq!(app.fails("restore-translations", json!({ "version_id": 999 })), "invalid-argument");
    assert_eq!(app.fails("restore-translations", json!({ "version_id": "x" })), "invalid-argument");
}

#[test]
fn get_translation_versions_lists_who_saved_which_languages_newest_first() {
    let app = TestApp::spawn_at("2024-05-01 10:00:00");
    assert_eq!(versions(&app), Vec::<Value>::new());
    app.ok("save-translations", json!({ "translations": { "it": { "front": { "Send": "Manda" } } } }));
    app.advance(60);
    app.ok(
        "save-translations",
        json!({ "translations": { "fr": { "front": { "Send": "Expédier" } }, "pt": { "admin": { "Inbox": "Entrada" } } } }),
    );
    let listed = versions(&app);
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["languages"], json!(["fr", "pt"]));
    assert_eq!(listed[0]["creation_time"], "2024-05-01 10:01:00");
    assert_eq!(listed[0]["saved_by"], json!(app.admin_id.to_string()));
    assert_eq!(listed[0]["restored_from"], json!(null));
    assert_eq!(listed[1]["languages"], json!(["it"]));
    assert!(
        listed[0]["id"].as_str().unwrap().parse::<i64>().unwrap() > listed[1]["id"].as_str().unwrap().parse().unwrap()
    );
}
