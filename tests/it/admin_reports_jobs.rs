//! Journeys through the reports, jobs and automations pages in a real headless
//! Chromium.

use crate::admin::{sign_in, signed_in_client};
use crate::admin_backoffice::{choose, csrf_of};
use crate::support::browser::Browser;
use crate::support::TestApp;
use serde_json::json;

const DAY: i64 = 86_400;

fn count(browser: &Browser, css: &str) -> i64 {
    browser.eval(&format!("return document.querySelectorAll({}).length;", json!(css))).as_i64().unwrap()
}

#[test]
fn the_reports_page_draws_a_point_per_day_a_bar_per_agent_figure_and_a_slice_per_label() {
    let app = TestApp::spawn_quiet_at("2024-01-01 10:00:00");
    let ann = app.add_user("Ann", None, "lead");
    let ada = app.ok("add-user", json!({ "first_name": "<b>Ada</b>", "user_type": "agent" })).as_i64().unwrap();
    let ben = app.add_user("Ben", None, "agent");
    for language in ["en", "en", "fr", "de"] {
        app.ok(
            "add-user",
            json!({ "first_name": "V", "user_type": "visitor", "extra": { "language": [language, "Language"] } }),
        );
    }
    for (day, conversations) in [3, 0, 1, 4, 2, 0, 5].into_iter().enumerate() {
        for _ in 0..conversations {
            let c = app.new_conversation(ann);
            app.send(ann, c, "Hello?");
            let agent = if day % 2 == 0 { ada } else { ben };
            app.send(agent, c, "Hi!");
            app.ok(
                "set-rating",
                json!({ "settings": { "conversation_id": c, "rating": if day == 3 { 0 } else { 1 } } }),
            );
        }
        app.advance(DAY);
    }
    let browser = Browser::start();
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.goto(&format!("{}/admin/reports", app.base));
    choose(&browser, "#report", "conversations");
    // Date fields show the browser's locale; set them as the date picker does.
    choose(&browser, "#start", "2024-01-01");
    choose(&browser, "#end", "2024-01-07");
    browser.submit(".report-form button[type=submit]");
    assert_eq!(browser.text("#report-title"), "Conversations count");
    assert_eq!(count(&browser, "svg.report-chart[data-chart=line] circle.point"), 7, "a point per day");
    assert_eq!(count(&browser, ".report-table tbody tr"), 7);
    assert_eq!(browser.text(".report-table tbody tr"), "07/01/2024 5", "newest day first");
    let tops =
        browser.eval("return [...document.querySelectorAll('circle.point')].map(p => Number(p.getAttribute('cy')));");
    let tops: Vec<f64> = tops.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert!(tops[6] < tops[3] && tops[3] < tops[0] && tops[0] < tops[4], "5 > 4 > 3 > 2 drawn higher: {tops:?}");
    assert_eq!(tops[1], tops[5], "both zero days sit on the axis");
    browser.screenshot("reports");

    let agents =
        |name: &str| format!("{}/admin/reports?name={name}&start=2024-01-01&end=2024-01-07&timezone=UTC", app.base);
    browser.goto(&agents("agents-conversations"));
    assert_eq!(count(&browser, "svg.report-chart[data-chart=bar] rect.bar"), 2, "one bar per agent");
    assert!(browser.text(".report-table").contains("<b>Ada</b>"), "names are text");
    assert_eq!(browser.eval("return document.querySelector('.report-table b') === null;"), json!(true));
    browser.goto(&agents("agents-ratings"));
    assert_eq!(count(&browser, "rect.bar"), 4, "positive and negative bars for each agent");
    browser.goto(&agents("languages"));
    assert_eq!(count(&browser, "svg.report-chart[data-chart=pie] .slice"), 3, "en, fr, de");
    browser.goto(&format!("{}/admin/reports?name=conversations&timezone=Mars/Olympus", app.base));
    assert!(browser.text(".error").contains("Time zone"), "a bad zone is explained");
}

#[test]
fn pressing_run_due_jobs_now_runs_them_and_the_page_lists_the_runs_and_the_outbox() {
    let app = TestApp::spawn_quiet_at("2024-01-01 09:00:00");
    app.ok("send-test-email", json!({ "to": "ops@example.com" }));
    let browser = Browser::start();
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.goto(&format!("{}/admin/jobs", app.base));
    assert!(browser.text("main").contains("No job has run yet."));
    assert_eq!(browser.text(".stat-pending .stat-count"), "1");
    browser.submit(".page-actions button[type=submit]");
    assert_eq!(browser.text(".notice"), "The due jobs ran.");
    assert!(browser.exists("tr[data-job=clean-data]"), "{}", browser.source());
    assert!(browser.text("tr[data-job=clean-data]").contains("ok"));
    browser.screenshot("jobs");
    let row = browser.text(".outbox-table tbody tr");
    assert!(row.contains("email") && row.contains("pending"), "no SMTP server yet, so it waits: {row}");
    let runs = app.ok("get-job-runs", json!({}));
    assert!(runs.as_array().unwrap().iter().any(|r| r["job"] == "clean-data"), "{runs}");
}

#[test]
fn an_automation_is_created_with_conditions_and_a_translation_checked_like_automations_save() {
    let app = TestApp::spawn();
    let browser = Browser::start();
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.goto(&format!("{}/admin/automations", app.base));
    browser.submit("#type-messages a.button");
    browser.fill("#name", "Welcome back");
    browser.fill("#message", "Hi {first_name}, need help?");
    browser.fill("#repeat", "7");
    choose(&browser, "#cond0-name", "user_type");
    choose(&browser, "#cond0-operator", "is-user");
    choose(&browser, "#cond1-name", "languages");
    browser.fill("#cond1-value", "english");
    browser.click("button[data-add-row=condition-rows]");
    choose(&browser, "#cond2-name", "visits");
    choose(&browser, "#cond2-operator", "is-more-than");
    browser.fill("#cond2-value", "2");
    browser.fill("#tr0-language", "fr");
    browser.fill("#tr0-message", "Bonjour {first_name} !");
    browser.screenshot("automation-editor");
    browser.submit(".actions button[type=submit]");
    let error = browser.text(".error");
    assert!(error.contains("languages") && error.contains("language codes"), "{error}");
    assert_eq!(app.ok("automations-get", json!({}))[0]["messages"], json!([]), "nothing saved");
    assert_eq!(browser.eval("return document.querySelector('#tr0-message').value;"), json!("Bonjour {first_name} !"));

    browser.fill("#cond1-value", "en, pt");
    browser.submit(".actions button[type=submit]");
    assert_eq!(browser.text(".notice"), "Created.");
    let saved = app.ok("automations-get", json!({}));
    let automation = &saved[0]["messages"][0];
    assert_eq!(automation["name"], "Welcome back");
    assert_eq!(
        automation["conditions"],
        json!([["user_type", "is-user"], ["languages", "en, pt"], ["visits", "is-more-than", "2"]])
    );
    assert_eq!(automation["repeat"], "7");
    assert_eq!(saved[1]["fr"]["messages"][0]["message"], "Bonjour {first_name} !");

    browser.click("input[name='cond0.remove']");
    browser.submit(".actions button[type=submit]");
    let saved = app.ok("automations-get", json!({}));
    assert_eq!(
        saved[0]["messages"][0]["conditions"],
        json!([["languages", "en, pt"], ["visits", "is-more-than", "2"]])
    );
    assert_eq!(saved[1]["fr"]["messages"][0]["message"], "Bonjour {first_name} !", "translations kept");

    let id = saved[0]["messages"][0]["id"].as_str().unwrap().to_string();
    browser.goto(&format!("{}/admin/automations/{id}/delete", app.base));
    assert!(browser.text("h1").contains("Welcome back"));
    browser.submit("button.danger");
    assert_eq!(browser.text(".notice"), "Deleted.");
    assert_eq!(
        app.ok("automations-get", json!({})),
        json!([{ "emails": [], "sms": [], "messages": [], "popups": [], "design": [] }, {}])
    );
}

#[test]
fn an_email_automation_needs_its_subject_and_other_automations_survive_an_edit() {
    let app = TestApp::spawn();
    app.ok(
        "automations-save",
        json!({ "automations": json!({ "popups": [{ "id": "pop1", "name": "Sale", "message": "10% off", "title": "Hey" }] }).to_string() }),
    );
    let client = signed_in_client(&app);
    let page = client.get(format!("{}/admin/automations/new?type=emails", app.base)).send().unwrap().text().unwrap();
    assert!(page.contains("id=\"field-subject\""), "emails have a subject field");
    let post = |path: &str, form: &[(&str, &str)]| {
        let mut form = form.to_vec();
        let token = csrf_of(&page);
        form.push(("csrf_token", &token));
        client.post(format!("{}{path}", app.base)).form(&form).send().unwrap()
    };
    let refused = post("/admin/automations/new?type=emails", &[("name", "Hi"), ("message", "Hello"), ("subject", " ")]);
    assert_eq!(refused.status(), 422);
    assert!(refused.text().unwrap().contains("subject: must not be empty"));
    let created =
        post("/admin/automations/new?type=emails", &[("name", "Hi"), ("message", "Hello"), ("subject", "Welcome")]);
    assert_eq!(created.status(), 303);
    let saved = app.ok("automations-get", json!({}));
    assert_eq!(saved[0]["emails"][0]["subject"], "Welcome");
    assert_eq!(saved[0]["popups"][0]["id"], "pop1", "the others stay");
    let edited = post(
        "/admin/automations/pop1",
        &[("name", "Sale!"), ("message", "20% off"), ("title", "Hey"), ("profile_image", "")],
    );
    assert_eq!(edited.status(), 303);
    let saved = app.ok("automations-get", json!({}));
    assert_eq!(saved[0]["popups"][0]["message"], "20% off");
    assert_eq!(saved[0]["emails"].as_array().unwrap().len(), 1);
    let list = client.get(format!("{}/admin/automations", app.base)).send().unwrap().text().unwrap();
    let section = |kind: &str| {
        let start = list.find(&format!("<section class=\"panel\" id=\"type-{kind}\"")).unwrap();
        list[start..].split("</section>").next().unwrap().to_string()
    };
    let rows = |kind: &str| -> Vec<String> {
        section(kind).split("<tr data-automation=\"").skip(1).map(|row| row.split('"').next().unwrap().into()).collect()
    };
    let welcome = saved[0]["emails"][0]["id"].as_str().unwrap().to_string();
    assert_eq!((rows("emails"), rows("popups")), (vec![welcome.clone()], vec!["pop1".to_string()]), "{list}");
    assert!(section("emails").contains(&format!("<a href=\"/admin/automations/{welcome}\">Hi</a>")), "{list}");
    assert!(section("popups").contains("<a href=\"/admin/automations/pop1\">Sale!</a>"), "{list}");
}
