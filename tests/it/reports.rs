use crate::support::TestApp;
use serde_json::{json, Value};

const DAY: i64 = 86_400;

/// The labels of a report's data, in the order the server sent them.
fn labels(report: &Value) -> Vec<String> {
    report["data"].as_object().unwrap_or_else(|| panic!("no data in {report}")).keys().cloned().collect()
}

fn rate(app: &TestApp, conversation_id: i64, rating: i64) {
    app.ok("set-rating", json!({ "settings": { "conversation_id": conversation_id, "rating": rating } }));
}

#[test]
fn conversations_counts_new_conversations_per_day_listing_days_without_any() {
    let app = TestApp::spawn_quiet_at("2024-01-01 10:00:00");
    let ann = app.add_user("Ann", None, "lead");
    app.new_conversation(ann);
    app.new_conversation(ann);
    app.advance(2 * DAY);
    app.new_conversation(ann);

    let report =
        app.ok("reports", json!({ "name": "conversations", "date_start": "01/01/2024", "date_end": "2024-01-03" }));

    assert_eq!(report["data"], json!({ "01/01/2024": [2], "02/01/2024": [0], "03/01/2024": [1] }));
    assert_eq!(labels(&report), ["01/01/2024", "02/01/2024", "03/01/2024"], "oldest day first");
    assert_eq!(report["title"], "Conversations count");
    assert_eq!(report["table"], json!(["Date", "Count"]));
    assert_eq!(report["table-inverse"], true);
    assert_eq!(report["label_type"], 1);
    assert_eq!(report["chart_type"], "line");
    assert!(report["description"].as_str().unwrap().len() > 10);
}

#[test]
fn reports_default_to_the_last_30_days_up_to_today_by_the_server_clock() {
    let app = TestApp::spawn_quiet_at("2024-03-01 12:00:00");
    let ann = app.add_user("Ann", None, "lead");
    app.new_conversation(ann);
    app.advance(30 * DAY);
    app.new_conversation(ann);

    let report = app.ok("reports", json!({ "name": "conversations", "date_start": false, "date_end": false }));

    let labels = labels(&report);
    assert_eq!(labels.len(), 30);
    assert_eq!((labels[0].as_str(), labels[29].as_str()), ("02/03/2024", "31/03/2024"));
    assert_eq!(report["data"]["31/03/2024"], json!([1]));
    let total: i64 = report["data"].as_object().unwrap().values().map(|v| v[0].as_i64().unwrap()).sum();
    assert_eq!(total, 1, "the conversation of 01/03 is 31 days old");
}

#[test]
fn missed_conversations_counts_user_messages_without_an_agent_reply() {
    let app = TestApp::spawn_quiet_at("2024-01-01 10:00:00");
    let ann = app.add_user("Ann", None, "lead");
    let ada = app.add_user("Ada", None, "agent");
    let bot = app.ok("get-bot-id", json!({})).as_i64().unwrap();
    let unanswered = app.new_conversation(ann);
    app.send(ann, unanswered, "Hello?");
    let bot_only = app.new_conversation(ann);
    app.send(ann, bot_only, "Hi");
    app.send(bot, bot_only, "A bot's answer is not an agent's");
    let answered = app.new_conversation(ann);
    app.send(ann, answered, "Help");
    app.send(ada, answered, "Sure");
    app.new_conversation(ann);
    let outbound = app.new_conversation(ann);
    app.send(ada, outbound, "A message from us, no answer yet");

    let report = app
        .ok("reports", json!({ "name": "missed-conversations", "date_start": "2024-01-01", "date_end": "2024-01-01" }));

    assert_eq!(report["data"], json!({ "01/01/2024": [2] }));
}

#[test]
fn agent_response_times_run_from_the_first_unanswered_user_message() {
    let app = TestApp::spawn_quiet_at("2024-01-01 10:00:00");
    let ann = app.add_user("Ann", None, "lead");
    let bob = app.add_user("Bob", None, "lead");
    let ada = app.add_user("Ada", None, "agent");
    let ben = app.add_user("Ben", None, "agent");
    let first = app.new_conversation(ann);
    app.send(ann, first, "Question one");
    app.advance(60);
    app.send(ada, first, "Answer one"); // 60 s
    app.advance(100);
    app.send(ann, first, "Question two");
    app.advance(120);
    app.send(ada, first, "Answer two"); // 120 s; the conversation lasted 280 s
    let second = app.new_conversation(bob);
    app.send(bob, second, "Hello?");
    app.advance(30);
    app.send(bob, second, "Anyone?");
    app.advance(270);
    app.send(ben, second, "Sorry for the wait"); // 300 s from the first unanswered message
    app.advance(10);
    app.send(ben, second, "Still there?"); // answers nothing; the conversation lasted 310 s
    let day_one = json!({ "date_start": "01/01/2024", "date_end": "01/01/2024" });
    let report = |name: &str, range: &Value| {
        let mut args = range.clone();
        args["name"] = json!(name);
        app.ok("reports", args)
    };

    let response = report("agents-response-time", &day_one);
    assert_eq!(response["data"], json!({ "Ada Test": [90], "Ben Test": [300] }));
    assert_eq!(response["table"], json!(["Agent name", "Average time"]));
    assert_eq!((response["label_type"].clone(), response["chart_type"].clone()), (json!(2), json!("bar")));
    assert_eq!(response["table-inverse"], false);
    assert_eq!(report("agents-conversations", &day_one)["data"], json!({ "Ada Test": [1], "Ben Test": [1] }));
    assert_eq!(report("agents-conversations-time", &day_one)["data"], json!({ "Ada Test": [280], "Ben Test": [310] }));
    assert_eq!(report("conversations-time", &day_one)["data"], json!({ "01/01/2024": [295] }));

    app.advance(DAY);
    app.send(ann, first, "Question three");
    app.advance(1000);
    app.send(ada, first, "Answer three");
    assert_eq!(report("agents-response-time", &day_one)["data"]["Ada Test"], json!([90]), "outside the range");
    let two_days = json!({ "date_start": "01/01/2024", "date_end": "02/01/2024" });
    assert_eq!(report("agents-response-time", &two_days)["data"]["Ada Test"], json!([393]), "(60 + 120 + 1000) / 3");
}

#[test]
fn agents_ratings_counts_positive_and_negative_ratings_per_agent() {
    let app = TestApp::spawn_quiet_at("2024-01-01 10:00:00");
    let ann = app.add_user("Ann", None, "lead");
    let ada = app.add_user("Ada", None, "agent");
    let ben = app.add_user("Ben", None, "agent");
    for rating in [1, 1] {
        let assigned = app.new_conversation_with(json!({ "user_id": ann, "agent_id": ada }));
        rate(&app, assigned, rating);
    }
    let shared = app.new_conversation(ann);
    app.send(ann, shared, "Hi");
    app.send(ada, shared, "Hello");
    app.send(ben, shared, "Let me take over");
    rate(&app, shared, 0);
    app.new_conversation_with(json!({ "user_id": ann, "agent_id": ben }));

    let report =
        app.ok("reports", json!({ "name": "agents-ratings", "date_start": "01/01/2024", "date_end": "01/01/2024" }));

    assert_eq!(report["data"], json!({ "Ada Test": [2, 1], "Ben Test": [0, 1] }));
    assert_eq!(report["table"], json!(["Agent name", "Positive", "Negative"]));
    assert_eq!(report["label_type"], 3);
    let next_day = json!({ "name": "agents-ratings", "date_start": "02/01/2024", "date_end": "02/01/2024" });
    assert_eq!(app.ok("reports", next_day)["data"], json!({}), "rated conversations started on 01/01");
}

#[test]
fn user_reports_count_new_users_of_each_type_per_day() {
    let app = TestApp::spawn_quiet_at("2024-01-01 10:00:00");
    app.add_user("Lea", None, "lead");
    app.add_user("Len", Some("len@example.com"), "lead");
    app.add_user("Uma", Some("uma@example.com"), "user");
    app.add_user("Vic", None, "visitor");
    app.advance(DAY);
    app.add_user("Val", None, "visitor");
    app.add_user("Ada", Some("ada@example.com"), "agent");
    let per_day = |name: &str| {
        app.ok("reports", json!({ "name": name, "date_start": "01/01/2024", "date_end": "02/01/2024" }))["data"].clone()
    };

    assert_eq!(per_day("leads"), json!({ "01/01/2024": [2], "02/01/2024": [0] }));
    assert_eq!(per_day("users"), json!({ "01/01/2024": [1], "02/01/2024": [0] }));
    assert_eq!(per_day("visitors"), json!({ "01/01/2024": [1], "02/01/2024": [1] }));
    assert_eq!(per_day("registrations"), json!({ "01/01/2024": [2], "02/01/2024": [0] }), "customers with an email");
}

#[test]
fn countries_and_languages_group_new_users_by_their_details() {
    let app = TestApp::spawn_quiet_at("2024-01-01 10:00:00");
    let add = |name: &str, user_type: &str, extra: Value| {
        app.ok("add-user", json!({ "first_name": name, "user_type": user_type, "extra": extra }));
    };
    add("Ann", "lead", json!({ "country": ["Italy", "Country"], "language": ["it", "Language"] }));
    add("Bob", "user", json!({ "country": ["Italy", "Country"], "browser_language": ["fr", "Browser language"] }));
    add(
        "Cy",
        "visitor",
        json!({ "country": ["France", "Country"], "language": ["en", "Language"], "browser_language": ["de", "Browser language"] }),
    );
    add("Ada", "agent", json!({ "country": ["Italy", "Country"], "language": ["it", "Language"] }));
    add("Dee", "lead", json!({ "os": ["Linux", "OS"] }));
    app.advance(2 * DAY);
    add("Eve", "lead", json!({ "country": ["Spain", "Country"] }));
    let range = |name: &str| json!({ "name": name, "date_start": "01/01/2024", "date_end": "02/01/2024" });

    let countries = app.ok("reports", range("countries"));

    assert_eq!(
        countries["data"],
        json!({ "Italy": [2], "France": [1] }),
        "agents and users outside the range left out"
    );
    assert_eq!(labels(&countries), ["Italy", "France"], "most frequent first");
    assert_eq!(countries["chart_type"], "pie");
    assert_eq!(countries["table"], json!(["Country", "Count"]));
    assert_eq!(app.ok("reports", range("languages"))["data"], json!({ "en": [1], "fr": [1], "it": [1] }));
    assert_eq!(app.ok("reports", range("os"))["data"], json!({ "Linux": [1] }));
    assert_eq!(app.ok("reports", range("browsers"))["data"], json!({}));
}

#[test]
fn reports_update_records_events_that_event_reports_count() {
    let app = TestApp::spawn_quiet_at("2024-01-01 10:00:00");
    let record = |args: Value| assert_eq!(app.ok("reports-update", args), json!(true));
    record(json!({ "name": "direct-emails", "value": 3, "external_id": 12, "extra": { "subject": "Hi" } }));
    record(json!({ "name": "direct-emails" }));
    record(json!({ "name": "articles-searches", "value": "refund" }));
    record(json!({ "name": "articles-searches", "value": "shipping" }));
    record(json!({ "name": "articles-views", "external_id": 7 }));
    record(json!({ "name": "articles-views-single", "external_id": 7 }));
    record(json!({ "name": "articles-views", "external_id": 9 }));
    app.advance(DAY);
    record(json!({ "name": "direct-emails", "value": false, "external_id": false, "extra": false }));
    record(json!({ "name": "articles-searches", "value": "refund" }));
    let report =
        |name: &str| app.ok("reports", json!({ "name": name, "date_start": "01/01/2024", "date_end": "02/01/2024" }));

    assert_eq!(report("direct-emails")["data"], json!({ "01/01/2024": [2], "02/01/2024": [1] }));
    assert_eq!(report("direct-sms")["data"], json!({ "01/01/2024": [0], "02/01/2024": [0] }));
    let searches = report("articles-searches");
    assert_eq!(searches["data"], json!({ "refund": [2], "shipping": [1] }));
    assert_eq!(labels(&searches), ["refund", "shipping"]);
    assert_eq!((searches["chart_type"].clone(), searches["table-inverse"].clone()), (json!("bar"), json!(false)));
    assert_eq!(report("articles-views-single")["data"], json!({ "7": [2], "9": [1] }));
    assert_eq!(report("articles-views")["data"], json!({ "01/01/2024": [2], "02/01/2024": [0] }));
}

#[test]
fn a_timezone_moves_events_across_the_day_boundary() {
    let app = TestApp::spawn_quiet_at("2024-01-10 23:30:00");
    let ann = app.add_user("Ann", None, "lead");
    app.new_conversation(ann);
    let in_zone = |timezone: &str| {
        let args = json!({ "name": "conversations", "date_start": "10/01/2024", "date_end": "11/01/2024", "timezone": timezone });
        app.ok("reports", args)["data"].clone()
    };

    assert_eq!(in_zone("false"), json!({ "10/01/2024": [1], "11/01/2024": [0] }), "UTC by default");
    assert_eq!(in_zone("Europe/Berlin"), json!({ "10/01/2024": [0], "11/01/2024": [1] }), "00:30 in Berlin");
    assert_eq!(in_zone("America/New_York"), json!({ "10/01/2024": [1], "11/01/2024": [0] }));
    let today_in_berlin = app.ok("reports", json!({ "name": "conversations", "timezone": "Europe/Berlin" }));
    assert_eq!(labels(&today_in_berlin).last().unwrap(), "11/01/2024", "the default range ends on the caller's today");
}

#[test]
fn reports_refuse_unknown_names_bad_dates_unknown_timezones_and_reversed_ranges() {
    let app = TestApp::spawn_quiet_at("2024-01-01 10:00:00");
    let refused = |function: &str, args: Value, argument: &str| {
        let envelope = app.call(function, args.clone());
        assert_eq!(envelope["response"], "invalid-argument", "{function} {args}: {envelope}");
        let message = envelope["message"].as_str().unwrap();
        assert!(message.contains(&format!("'{argument}'")), "{message} should name {argument}");
    };

    refused("reports", json!({ "name": "conversation" }), "name");
    refused("reports-update", json!({ "name": "page-views", "value": 1 }), "name");
    refused("reports", json!({ "name": "leads", "date_start": "30/02/2024" }), "date_start");
    refused("reports", json!({ "name": "leads", "date_end": "01-31-2024" }), "date_end");
    refused("reports", json!({ "name": "leads", "timezone": "Mars/Olympus_Mons" }), "timezone");
    refused("reports", json!({ "name": "leads", "date_start": "2024-01-05", "date_end": "2024-01-04" }), "date_start");
    refused("reports", json!({ "name": "leads", "date_start": "01/01/2000", "date_end": "01/01/2024" }), "date_end");
    assert_eq!(app.fails("reports", json!({})), "missing-argument");
    assert_eq!(app.fails("reports-update", json!({})), "missing-argument");
}
