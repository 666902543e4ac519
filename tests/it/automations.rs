use crate::support::TestApp;
use serde_json::{json, Value};

const DAY: i64 = 86_400;

/// The contract's automations-get example, trimmed to one automation per type.
fn contract_automations() -> Value {
    json!({
        "emails": [{
            "id": "0BOaG",
            "conditions": [["datetime", "is-between", "10/04/2021 - 13/04/2021"], ["include_urls", "contains", "https://example.com"]],
            "name": "Excepteur sint",
            "message": "Excepteur sint occaecat cupidatat non proident.",
            "subject": "Cupidatat non proident"
        }],
        "sms": [
            { "id": "vo2sY", "conditions": [["datetime", "is-exactly", "13/04/2021"]], "name": "Excepteur sint", "message": "Excepteur sint occaecat" },
            { "id": "hwkmQ", "name": "Excepteur sint occaecat cupidatat non proident", "message": "Excepteur sint occaecat" }
        ],
        "messages": [],
        "popups": [{
            "id": "ckN24",
            "conditions": [["user_type", "is-user"], ["languages", "en"]],
            "name": "s",
            "message": "Excepteur sint occaecat cupidatat non prcaecat cupidatat non proident",
            "title": "Excepteur sint occaecat",
            "profile_image": "https://example.com/image.jpg"
        }],
        "design": [{
            "id": "bX1qA",
            "conditions": [["user_type", "is-user"]],
            "name": "Excepteur sint",
            "message": "Excepteur sint occaecat cupidatat caecat cupidatat non proident",
            "title": "",
            "color_1": "rgb(0, 235, 26)",
            "color_2": "rgb(255, 0, 0)",
            "color_3": "rgb(255, 0, 0)",
            "background": "https://example.com/image.jpg",
            "brand": "https://example.com/image.jpg",
            "icon": "https://example.com/image.jpg"
        }]
    })
}

fn save(app: &TestApp, automations: Value) {
    assert_eq!(app.ok("automations-save", json!({ "automations": automations.to_string() })), true);
}

/// The outbox items' payloads, oldest first.
fn outbox_payloads(app: &TestApp) -> Vec<Value> {
    let conn = app.db();
    let mut stmt = conn.prepare("SELECT payload FROM outbox ORDER BY id").unwrap();
    let rows = stmt.query_map([], |row| row.get::<_, String>(0)).unwrap();
    rows.map(|text| serde_json::from_str(&text.unwrap()).unwrap()).collect()
}

/// The messages of the user's conversations, newest conversation first.
fn messages_of(app: &TestApp, user_id: i64) -> Vec<(i64, Value)> {
    let conversations = app.ok("get-user-conversations", json!({ "user_id": user_id }));
    let mut all = Vec::new();
    for row in conversations.as_array().unwrap() {
        let id: i64 = row["conversation_id"].as_str().unwrap().parse().unwrap();
        for message in app.ok("get-conversation", json!({ "conversation_id": id }))["messages"].as_array().unwrap() {
            all.push((id, message.clone()));
        }
    }
    all
}

fn report_total(app: &TestApp, name: &str, day: &str) -> i64 {
    let report = app.ok("reports", json!({ "name": name, "date_start": day, "date_end": day }));
    report["data"].as_object().unwrap().values().map(|v| v[0].as_i64().unwrap()).sum()
}

fn user_with(app: &TestApp, user_type: &str, email: Option<&str>, extra: Value) -> i64 {
    let mut args = json!({ "first_name": "Ann", "last_name": "Lee", "user_type": user_type, "extra": extra });
    if let Some(email) = email {
        args["email"] = json!(email);
    }
    app.ok("add-user", args).as_i64().unwrap()
}

#[test]
fn saved_automations_and_translations_read_back_in_the_contract_shape() {
    let app = TestApp::spawn();
    let translations = json!({
        "fr": { "popups": [{ "id": "ckN24", "name": "s", "message": "Bonjour" }] },
        "it": { "emails": [{ "id": "0BOaG", "name": "Ciao", "message": "Ciao", "subject": "Oggetto" }] }
    });
    assert_eq!(
        app.ok("automations-get", json!({})),
        json!([{ "emails": [], "sms": [], "messages": [], "popups": [], "design": [] }, {}])
    );

    // PHP's bracket form, as http_build_query sends it (the empty list is dropped).
    let answer =
        app.ok("automations-save", json!({ "automations": contract_automations(), "translations": translations }));

    assert_eq!(answer, true);
    let got = app.ok("automations-get", json!({}));
    assert_eq!(
        got.to_string(),
        json!([contract_automations(), translations]).to_string(),
        "the contract's shape and key order"
    );
    // automations-get's whole answer saves back as it is.
    assert_eq!(app.ok("automations-save", json!({ "automations": got.to_string() })), true);
    assert_eq!(app.ok("automations-get", json!({})), got);
    // The same, sent as JSON strings, replaces everything.
    let only_one = json!({ "messages": [{ "id": "", "name": "Hi", "message": "Hello" }] });
    assert_eq!(app.ok("automations-save", json!({ "automations": only_one.to_string(), "translations": "{}" })), true);
    let got = app.ok("automations-get", json!({}));
    assert_eq!(got[0]["emails"], json!([]));
    assert_eq!(got[1], json!({}), "translations are replaced too");
    let id = got[0]["messages"][0]["id"].as_str().unwrap();
    assert_eq!(id.len(), 5, "an empty id gets a short random one");
    assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
}

#[test]
fn invalid_automations_are_refused_with_nothing_changed() {
    let app = TestApp::spawn();
    save(&app, contract_automations());
    let before = app.ok("automations-get", json!({}));
    let mut bad_colour = contract_automations();
    bad_colour["design"][0]["color_1"] = json!("red; background: url(x)");
    let mut bad_condition = contract_automations();
    bad_condition["sms"][1]["conditions"] = json!([["weather", "is-sunny"]]);
    let mut bad_date = contract_automations();
    bad_date["emails"][0]["conditions"][0] = json!(["datetime", "is-between", "2021-04-10"]);
    let mut no_subject = contract_automations();
    no_subject["emails"][0]["subject"] = json!("");
    let mut javascript_image = contract_automations();
    javascript_image["popups"][0]["profile_image"] = json!("javascript:alert(1)");
    let mut duplicate_id = contract_automations();
    duplicate_id["sms"][1]["id"] = json!("vo2sY");
    let mut bad_repeat = contract_automations();
    bad_repeat["sms"][1]["repeat"] = json!("weekly");

    for automations in [
        json!({ "banners": [] }),
        bad_colour,
        bad_condition,
        bad_date,
        no_subject,
        javascript_image,
        duplicate_id,
        bad_repeat,
    ] {
        let envelope = app.call("automations-save", json!({ "automations": automations.to_string() }));
        assert_eq!(envelope["response"], "invalid-argument", "{automations} answered {envelope}");
    }
    let envelope = app.call(
        "automations-save",
        json!({ "automations": contract_automations().to_string(), "translations": { "fr": { "messages": [{ "id": "ckN24", "message": "x" }] } } }),
    );
    assert_eq!(envelope["response"], "invalid-argument", "a translation must name an automation of its type");
    assert!(envelope["message"].as_str().unwrap().contains("translations"));
    assert_eq!(app.call("automations-save", json!({}))["response"], "missing-argument");
    assert_eq!(app.ok("automations-get", json!({})), before);
}

#[test]
fn validate_answers_the_conditions_left_for_the_client_or_false() {
    let app = TestApp::spawn_quiet_at("2021-04-11 10:00:00");
    let user =
        user_with(&app, "user", None, json!({ "language": ["fr", "Language"], "country": ["Italy", "Country"] }));
    let lead = user_with(&app, "lead", None, json!({}));
    let validate = |conditions: Value, user_id: Option<i64>| {
        let automation = json!({ "id": "x1", "name": "n", "message": "m", "type": "popups", "conditions": conditions });
        let mut args = json!({ "automation": automation.to_string() });
        if let Some(id) = user_id {
            args["user_id"] = json!(id);
        }
        app.ok("automations-validate", args)
    };
    let url = json!(["include_urls", "contains", "https://example.com"]);

    let in_range = validate(json!([["datetime", "is-between", "10/04/2021 - 13/04/2021"], url]), Some(user));
    let past = validate(json!([["datetime", "is-between", "01/04/2021 - 10/04/2021"], url]), Some(user));
    let future = validate(json!([["datetime", "is-exactly", "12/04/2021"]]), Some(user));

    assert_eq!(in_range, json!({ "conditions": [url], "repeat_id": "" }), "the date passes; the URL is the client's");
    assert_eq!(past, false, "a range that is over can never pass");
    assert_eq!(future, json!({ "conditions": [["datetime", "is-exactly", "12/04/2021"]], "repeat_id": "" }));
    assert_eq!(validate(json!([["user_type", "is-user"]]), Some(user)), json!({ "conditions": [], "repeat_id": "" }));
    assert_eq!(validate(json!([["user_type", "is-user"]]), Some(lead)), false);
    assert_eq!(
        validate(json!([["user_type", "is-user"]]), None),
        json!({ "conditions": [["user_type", "is-user"]], "repeat_id": "" }),
        "without a user, the user's conditions stay open"
    );
    assert_eq!(validate(json!([["languages", "en"]]), Some(user)), false);
    assert_eq!(validate(json!([["languages", "en, fr"], ["countries", "italy"]]), Some(user))["conditions"], json!([]));
    assert_eq!(validate(json!([["countries", "Spain"]]), Some(user)), false);
    assert_eq!(
        validate(json!([["languages", "en"]]), Some(lead))["conditions"],
        json!([["languages", "en"]]),
        "a user without a language leaves it to the client"
    );
    let envelope = app.call("automations-validate", json!({ "automation": { "id": "x", "message": "m" } }));
    assert_eq!(envelope["response"], "invalid-argument", "an unsaved automation needs its type");
    assert_eq!(
        app.fails(
            "automations-validate",
            json!({ "automation": { "id": "x", "type": "sms", "message": "m" }, "user_id": 999 })
        ),
        "user-not-found"
    );
}

#[test]
fn run_all_queues_emails_and_posts_bot_messages_once_and_answers_the_rest() {
    let app = TestApp::spawn_quiet_at("2024-05-01 09:00:00");
    save(
        &app,
        json!({
            "emails": [
                { "id": "welcome", "name": "Welcome", "message": "Hi {first_name}, <b>Tom</b> & Jerry\nsay hello", "subject": "Welcome {user_name}" },
                { "id": "pricing", "name": "Pricing", "message": "About prices", "subject": "Prices", "conditions": [["user_type", "is-user"], ["include_urls", "contains", "/pricing"]] },
                { "id": "leads", "name": "Leads only", "message": "x", "subject": "x", "conditions": [["user_type", "is-lead"]] }
            ],
            "sms": [{ "id": "text", "name": "Text", "message": "No provider" }],
            "messages": [{ "id": "hello", "name": "Hello", "message": "Hello {first_name}, how can we help?" }],
            "popups": [{ "id": "promo", "name": "Promo", "message": "50% off", "title": "Sale", "profile_image": "" }],
            "design": [{ "id": "look", "name": "Look", "message": "", "color_1": "#123456" }]
        }),
    );
    let ann = user_with(&app, "user", Some("ann@example.com"), json!({}));
    let older = app.new_conversation(ann);
    let latest = app.new_conversation(ann);
    let bot = app.ok("get-bot-id", json!({})).as_i64().unwrap();

    let answer = app.ok("automations-run-all", json!({ "user_id": ann }));

    assert_eq!(
        answer,
        json!([
            { "id": "pricing", "conditions": [["include_urls", "contains", "/pricing"]], "name": "Pricing", "message": "About prices", "subject": "Prices", "type": "emails" },
            { "id": "promo", "name": "Promo", "message": "50% off", "title": "Sale", "profile_image": "", "type": "popups" },
            { "id": "look", "name": "Look", "message": "", "title": "", "color_1": "#123456", "color_2": "", "color_3": "", "background": "", "brand": "", "icon": "", "type": "design" }
        ]),
        "client-side conditions, popups and design come back; what ran, failed or is an SMS does not"
    );
    let outbox = outbox_payloads(&app);
    assert_eq!(outbox.len(), 1, "one email queued: {outbox:?}");
    assert_eq!(outbox[0]["to"], "ann@example.com");
    assert_eq!(outbox[0]["to_name"], "Ann Lee");
    assert_eq!(outbox[0]["subject"], "Welcome Ann Lee");
    assert_eq!(outbox[0]["text"], "Hi Ann, <b>Tom</b> & Jerry\nsay hello");
    assert_eq!(outbox[0]["html"], "Hi Ann, &lt;b&gt;Tom&lt;/b&gt; &amp; Jerry<br>\nsay hello");
    assert_eq!(outbox[0]["recipient_id"], ann);
    let messages = messages_of(&app, ann);
    assert_eq!(messages.len(), 1);
    let (conversation, message) = &messages[0];
    assert_eq!(*conversation, latest, "posted into the latest conversation, not {older}");
    assert_eq!(message["user_id"], bot.to_string());
    assert_eq!(message["user_type"], "bot");
    assert_eq!(message["message"], "Hello Ann, how can we help?");

    let again = app.ok("automations-run-all", json!({ "user_id": ann }));

    assert_eq!(again, answer, "what ran is not answered again either way");
    assert_eq!(outbox_payloads(&app).len(), 1, "the email is not queued twice");
    assert_eq!(messages_of(&app, ann).len(), 1, "the message is not posted twice");
    assert_eq!(report_total(&app, "email-automations", "2024-05-01"), 1);
    assert_eq!(report_total(&app, "message-automations", "2024-05-01"), 1);
    assert_eq!(report_total(&app, "sms-automations", "2024-05-01"), 0);
}

#[test]
fn a_message_automation_starts_a_conversation_for_a_user_without_one_and_skips_emails_without_an_address() {
    let app = TestApp::spawn_quiet_at("2024-05-01 09:00:00");
    save(
        &app,
        json!({
            "emails": [{ "id": "mail", "name": "Mail", "message": "m", "subject": "s" }],
            "messages": [{ "id": "hello", "name": "Hello", "message": "Welcome!" }]
        }),
    );
    let visitor = user_with(&app, "visitor", None, json!({}));

    assert_eq!(app.ok("automations-run-all", json!({ "user_id": visitor })), json!([]));

    let messages = messages_of(&app, visitor);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].1["message"], "Welcome!");
    assert!(outbox_payloads(&app).is_empty(), "no address, no email");
    assert_eq!(app.fails("automations-run-all", json!({ "user_id": 999 })), "user-not-found");
}

#[test]
fn without_a_user_id_run_all_runs_nothing_and_answers_what_may_still_run_and_run_answers_false() {
    let app = TestApp::spawn_quiet_at("2024-05-01 09:00:00");
    save(
        &app,
        json!({
            "emails": [
                { "id": "welcome", "name": "Welcome", "message": "Hi {first_name}", "subject": "Welcome" },
                { "id": "over", "name": "Over", "message": "m", "subject": "s", "conditions": [["datetime", "is-before", "01/01/2024"]] }
            ],
            "sms": [{ "id": "text", "name": "Text", "message": "No provider" }],
            "messages": [{ "id": "hello", "name": "Hello", "message": "Hello", "conditions": [["user_type", "is-user"]] }],
            "popups": [{ "id": "promo", "name": "Promo", "message": "50% off", "title": "Sale", "profile_image": "" }],
            "design": [{ "id": "look", "name": "Look", "message": "", "color_1": "#123456" }]
        }),
    );
    let stored = |table: &str| -> i64 {
        app.db().query_row(&format!("SELECT count(*) FROM {table}"), [], |row| row.get(0)).unwrap()
    };

    let answer = app.ok("automations-run-all", json!({}));

    assert_eq!(
        answer,
        json!([
            { "id": "welcome", "name": "Welcome", "message": "Hi {first_name}", "subject": "Welcome", "type": "emails" },
            { "id": "hello", "conditions": [["user_type", "is-user"]], "name": "Hello", "message": "Hello", "type": "messages" },
            { "id": "promo", "name": "Promo", "message": "50% off", "title": "Sale", "profile_image": "", "type": "popups" },
            { "id": "look", "name": "Look", "message": "", "title": "", "color_1": "#123456", "color_2": "", "color_3": "", "background": "", "brand": "", "icon": "", "type": "design" }
        ]),
        "what may still run, user conditions open and placeholders unfilled; not what is over, nor SMS"
    );
    assert!(outbox_payloads(&app).is_empty(), "no user, no email");
    assert_eq!(stored("messages"), 0, "no user, no bot message");
    assert_eq!(stored("automation_runs"), 0, "no user, no run to record");

    let welcome =
        json!({ "id": "welcome", "type": "emails", "name": "Welcome", "message": "Hi", "subject": "Welcome" });
    let popup = json!({ "id": "promo", "type": "popups", "message": "50% off" });
    for (automation, validate) in [(&welcome, false), (&welcome, true), (&popup, false)] {
        let args = json!({ "automation": automation.to_string(), "validate": validate });
        assert_eq!(app.ok("automations-run", args), false, "{automation} validate={validate}: nothing ran");
    }
    assert!(outbox_payloads(&app).is_empty());
    assert_eq!(stored("automation_runs"), 0);
    assert_eq!(app.call("automations-run", json!({ "automation": "[]" }))["response"], "invalid-argument");
}

#[test]
fn a_repeating_automation_runs_again_once_its_period_has_passed() {
    let app = TestApp::spawn_quiet_at("2024-05-01 09:00:00");
    let weekly =
        json!({ "messages": [{ "id": "weekly", "name": "Weekly", "message": "Still there?", "repeat": "7" }] });
    let translations = json!({ "it": { "messages": [{ "id": "weekly", "message": "Ci sei ancora?" }] } });
    app.ok("automations-save", json!({ "automations": weekly, "translations": translations }));
    let ann = user_with(&app, "lead", None, json!({}));
    let italian = user_with(&app, "lead", None, json!({ "language": ["it", "Language"] }));

    app.ok("automations-run-all", json!({ "user_id": ann }));
    app.ok("automations-run-all", json!({ "user_id": italian }));
    app.advance(6 * DAY + 23 * 3600);
    app.ok("automations-run-all", json!({ "user_id": ann }));
    let before_period = messages_of(&app, ann).len();
    app.advance(3600);
    app.ok("automations-run-all", json!({ "user_id": ann }));

    assert_eq!(before_period, 1, "not again within 7 days");
    let texts: Vec<Value> = messages_of(&app, ann).iter().map(|(_, m)| m["message"].clone()).collect();
    assert_eq!(texts, [json!("Still there?"), json!("Still there?")], "again after 7 days");
    assert_eq!(messages_of(&app, italian)[0].1["message"], "Ci sei ancora?", "in the user's language");
    assert_eq!(report_total(&app, "message-automations", "2024-05-01"), 2);
    assert_eq!(report_total(&app, "message-automations", "2024-05-08"), 1);
    let validated = app.ok(
        "automations-validate",
        json!({ "automation": { "id": "weekly", "message": "Still there?", "repeat": "7" }, "user_id": ann }),
    );
    assert_eq!(validated, false, "just ran: not again for 7 days");
    app.advance(7 * DAY);
    let validated = app.ok(
        "automations-validate",
        json!({ "automation": { "id": "weekly", "message": "Still there?", "repeat": "7" }, "user_id": ann }),
    );
    assert_eq!(validated, json!({ "conditions": [], "repeat_id": "2024-05-08 09:00:00" }), "the saved type is used");
}

#[test]
fn run_executes_one_automation_once_per_user_and_validates_when_asked() {
    let app = TestApp::spawn_quiet_at("2024-05-01 09:00:00");
    let lead = user_with(&app, "lead", Some("lead@example.com"), json!({}));
    let email = json!({
        "id": "vip", "type": "emails", "name": "VIP", "message": "For users", "subject": "VIP",
        "conditions": [["user_type", "is-user"], ["include_urls", "contains", "/vip"]]
    });
    let run = |automation: &Value, validate: bool| {
        app.ok(
            "automations-run",
            json!({ "automation": automation.to_string(), "validate": validate, "user_id": lead }),
        )
    };

    assert_eq!(run(&email, true), false, "a failing server-side condition stops it");
    assert!(outbox_payloads(&app).is_empty());
    assert_eq!(run(&email, false), true, "without validate it runs as asked");
    assert_eq!(outbox_payloads(&app)[0]["to"], "lead@example.com");
    assert_eq!(run(&email, false), false, "once per user");
    assert_eq!(outbox_payloads(&app).len(), 1);

    let popup = json!({ "id": "promo", "type": "popups", "message": "Sale", "conditions": [["include_urls", "contains", "/shop"]] });
    save(
        &app,
        json!({ "popups": [{ "id": "promo", "message": "Sale", "conditions": [["include_urls", "contains", "/shop"]] }] }),
    );
    assert_eq!(app.ok("automations-run-all", json!({ "user_id": lead })).as_array().unwrap().len(), 1);
    assert_eq!(run(&popup, true), true, "client-side conditions are the caller's to check: the widget showed it");
    assert_eq!(app.ok("automations-run-all", json!({ "user_id": lead })), json!([]), "a popup is shown once");

    let sms = json!({ "id": "text", "type": "sms", "message": "Hi" });
    assert_eq!(run(&sms, false), false, "no SMS provider: nothing runs");
    assert_eq!(report_total(&app, "email-automations", "2024-05-01"), 1);
    assert_eq!(report_total(&app, "sms-automations", "2024-05-01"), 0);
}

#[test]
fn run_for_a_user_that_does_not_exist_answers_user_not_found_and_sends_nothing() {
    let app = TestApp::spawn_quiet_at("2024-05-01 09:00:00");
    let lead = user_with(&app, "lead", Some("lead@example.com"), json!({}));
    let email = json!({ "id": "hello", "type": "emails", "name": "Hello", "message": "Hi", "subject": "Hello" });
    let args = |user_id: i64| json!({ "automation": email.to_string(), "validate": false, "user_id": user_id });

    assert_eq!(app.fails("automations-run", args(lead + 100)), "user-not-found");
    assert!(outbox_payloads(&app).is_empty(), "no email was queued");
    assert_eq!(report_total(&app, "email-automations", "2024-05-01"), 0, "no run was counted");

    assert_eq!(app.ok("automations-run", args(lead)), true, "the same automation runs for a user that exists");
    assert_eq!(outbox_payloads(&app)[0]["to"], "lead@example.com");
}
