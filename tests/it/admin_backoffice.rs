//! Journeys through the knowledge base and settings pages of the admin area, in a
//! real headless Chromium, and the checks that need no browser (roles, CSRF).

use crate::admin::{sign_in, signed_in_client};
use crate::support::browser::Browser;
use crate::support::TestApp;
use reqwest::blocking::Client;
use serde_json::{json, Value};

/// A cookie-keeping client signed in as `email`.
pub fn signed_in_as(app: &TestApp, email: &str, password: &str) -> Client {
    let client = Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = client.get(format!("{}/admin/login", app.base)).send().unwrap().text().unwrap();
    let response = client
        .post(format!("{}/admin/login", app.base))
        .form(&[("email", email), ("password", password), ("csrf_token", &csrf_of(&page)), ("next", "")])
        .send()
        .unwrap();
    assert_eq!(response.status(), 303, "{email} signed in");
    client
}

/// The CSRF token in a page's forms.
pub fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf_token\" value=\"").nth(1).expect("a form with a token").split('"').next().unwrap().into()
}

/// Sets a `<select>` (or any field) to `value` as a person choosing it would.
pub fn choose(browser: &Browser, css: &str, value: &str) {
    let script = format!(
        "const field = document.querySelector({}); field.value = {}; return field.value;",
        json!(css),
        json!(value)
    );
    assert_eq!(browser.eval(&script), json!(value), "{css} has an option {value}");
}

fn stored_setting(app: &TestApp, id: &str) -> Value {
    let text: String = app.db().query_row("SELECT value FROM settings WHERE id = ?1", [id], |row| row.get(0)).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn an_article_written_in_the_editor_is_sanitised_translated_and_public() {
    let app = TestApp::spawn();
    app.ok(
        "save-articles",
        json!({ "articles": json!([
            { "id": "R1", "title": "Returning an order", "content": "<p>Within 30 days.</p>" },
            { "id": "P1", "title": "Paying by card", "content": "<p>Visa and Mastercard.</p>" },
        ]).to_string() }),
    );
    let browser = Browser::start();
    sign_in(&browser, &app, "admin@example.com", "admin-password");

    browser.goto(&format!("{}/admin/articles/categories", app.base));
    browser.fill("#new-title", "Shipping & <Returns>");
    browser.fill("#new-description", "Parcels, tracking and refunds");
    browser.submit(".actions button[type=submit]");
    assert_eq!(browser.text(".notice"), "Saved.");
    assert!(browser.text("fieldset.row-card legend").contains("Shipping & <Returns>"), "shown as text");

    browser.goto(&format!("{}/admin/articles/new", app.base));
    browser.fill("#title", "Where is my parcel?");
    browser.fill("#content", "<p>Track it <script>window.pwned=1</script>now.</p><h2 onclick=\"x()\">Returns</h2>");
    browser.click("input[name=category]");
    browser.submit(".actions button[type=submit]");
    assert_eq!(browser.text(".notice"), "Created.");
    let content = browser.eval("return document.querySelector('#content').value;");
    let content = content.as_str().unwrap();
    assert!(!content.contains("<script") && !content.contains("onclick"), "sanitised on save: {content}");
    assert!(content.contains("<h2>Returns</h2>"), "{content}");
    assert_eq!(browser.text(".article-body p"), "Track it now.");
    browser.screenshot("article-editor");

    let public = browser.eval("return document.querySelector('.public-link').href;").as_str().unwrap().to_string();
    assert!(public.ends_with("/help/shipping-returns/where-is-my-parcel"), "{public}");
    let editor = browser.url();
    browser.goto(&public);
    assert_eq!(browser.text("h1"), "Where is my parcel?");
    assert_eq!(browser.eval("return window.pwned === undefined;"), json!(true));

    browser.goto(&editor);
    browser.fill("#add-lang", "es");
    browser.submit(".versions button[type=submit]");
    assert!(browser.text("h1").contains("New translation: es"), "{}", browser.text("h1"));
    browser.fill("#title", "¿Dónde está mi paquete?");
    browser.fill("#content", "<p>Síguelo ahora.</p>");
    browser.submit(".actions button[type=submit]");
    assert_eq!(browser.text(".notice"), "Saved.");
    assert!(browser.text(".versions").contains("es"));

    let spanish = app.ok("get-articles", json!({ "articles_language": "es", "full": true }));
    assert_eq!(spanish[2]["language"], "es", "{spanish}");
    assert_eq!(spanish[2]["title"], "¿Dónde está mi paquete?");
    assert_eq!(spanish[2]["content"], "<p>Síguelo ahora.</p>");
    let default = app.ok("get-articles", json!({ "full": true }));
    assert_eq!(default.as_array().unwrap().len(), 3, "the new article joined the two, with two versions");
    assert_eq!(default[2]["title"], "Where is my parcel?", "a new article goes last");
    assert!(!default[2]["content"].as_str().unwrap().contains("script"));

    browser.goto(&format!("{}/admin/articles", app.base));
    let row = browser.text("table.articles-table tbody tr:last-child");
    assert!(row.contains("Where is my parcel?") && row.contains("es") && row.contains("Shipping & <Returns>"), "{row}");
    browser.screenshot("articles");
}

#[test]
fn deleting_an_article_or_a_category_asks_first_and_keeps_the_rest() {
    let app = TestApp::spawn();
    app.ok(
        "save-articles-categories",
        json!({ "categories": [{ "id": "a", "title": "Alpha" }, { "id": "b", "title": "Beta" }] }),
    );
    app.ok(
        "save-articles",
        json!({
            "articles": json!([{ "id": "A1", "title": "One", "content": "1", "categories": ["a", "b"] }, { "id": "A2", "title": "Two", "content": "2" }]).to_string(),
            "translations": json!({ "fr": [{ "id": "A1", "title": "Un", "content": "1" }] }).to_string(),
        }),
    );
    let client = signed_in_client(&app);
    let get = |path: &str| client.get(format!("{}{path}", app.base)).send().unwrap();

    let confirm = get("/admin/articles/A1/delete?lang=fr");
    assert_eq!(confirm.status(), 200);
    let page = confirm.text().unwrap();
    assert!(page.contains("Delete the fr translation?"), "{page}");
    let token = csrf_of(&page);
    assert_eq!(app.ok("get-articles", json!({})).as_array().unwrap().len(), 2, "asking deletes nothing");
    let post = |path: &str, form: &[(&str, &str)]| {
        let mut form = form.to_vec();
        form.push(("csrf_token", &token));
        client.post(format!("{}{path}", app.base)).form(&form).send().unwrap()
    };
    let deleted = post("/admin/articles/A1/delete", &[("language", "fr")]);
    assert_eq!(deleted.status(), 303);
    assert_eq!(app.ok("get-articles", json!({ "articles_language": "fr" }))[0]["title"], "One", "back to the original");
    assert_eq!(post("/admin/articles/A2/delete", &[("language", "")]).status(), 303);
    let left = app.ok("get-articles", json!({}));
    assert_eq!(left.as_array().unwrap().len(), 1);
    assert_eq!(left[0]["id"], "A1");

    assert!(get("/admin/articles/categories/a/delete").text().unwrap().contains("Delete the category “Alpha”?"));
    let moved = post(
        "/admin/articles/categories",
        &[("c0.id", "a"), ("c0.title", "Alpha"), ("c1.id", "b"), ("c1.title", "Beta 2"), ("move", "up:b")],
    );
    assert_eq!(moved.status(), 303);
    let titles = |app: &TestApp| -> Vec<String> {
        let all = app.ok("get-articles-categories", json!({}));
        all.as_array().unwrap().iter().map(|c| c["title"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(titles(&app), ["Beta 2", "Alpha"], "renamed and moved up");
    assert_eq!(post("/admin/articles/categories/a/delete", &[]).status(), 303);
    assert_eq!(titles(&app), ["Beta 2"]);
    assert_eq!(
        app.ok("get-articles", json!({}))[0]["categories"],
        json!(["b"]),
        "the article keeps its other category"
    );
    let refused = post("/admin/articles/categories", &[("c0.id", "b"), ("c0.title", " ")]);
    assert_eq!(refused.status(), 422);
    assert!(refused.text().unwrap().contains("needs a title"));
}

#[test]
fn a_setting_changed_on_its_page_is_what_the_api_reads_and_bad_values_are_refused_beside_the_field() {
    let app = TestApp::spawn();
    let browser = Browser::start();
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.goto(&format!("{}/admin/settings", app.base));
    choose(&browser, "#s-transcript-type", "txt");
    browser.fill("#s-admin-title", "Acme <Support>");
    browser.submit("form[data-section=admin] .actions button");
    assert_eq!(browser.text(".notice"), "Saved.");
    assert_eq!(app.ok("get-setting", json!({ "setting": "transcript-type" })), "txt");
    assert_eq!(app.ok("get-setting", json!({ "setting": "admin-title" })), "Acme <Support>");
    assert_eq!(browser.eval("return document.querySelector('#s-admin-title').value;"), json!("Acme <Support>"));

    browser.fill("#s-color-1", "red; background: url(x)");
    browser.submit("form[data-section=design] .actions button");
    assert!(browser.text("#setting-color-1 .field-error").contains("expected a colour"), "{}", browser.source());
    assert!(browser.text("#section-design .error").contains("Nothing in this section changed"));
    assert_eq!(app.ok("get-setting", json!({ "setting": "color-1" })), "#028be5", "nothing saved");
    browser.fill("#s-color-1", "#123456");
    browser.fill("#s-header-title", "Hi there");
    browser.submit("form[data-section=design] .actions button");
    assert_eq!(app.ok("get-setting", json!({ "setting": "color-1" })), "#123456");
    assert_eq!(app.ok("get-setting", json!({ "setting": "header-title" })), "Hi there");

    browser.fill("#s-saved-replies-0-reply-name", "hello");
    browser.fill("#s-saved-replies-0-reply-text", "Hello! How can I help?");
    browser.click("button[data-add-row=rows-saved-replies]");
    browser.fill("#s-saved-replies-1-reply-name", "bye");
    browser.fill("#s-saved-replies-1-reply-text", "Have a nice day");
    browser.fill("#s-departments-0-department-id", "3");
    browser.fill("#s-departments-0-department-name", "Sales");
    browser.submit("form[data-section=miscellaneous] .actions button");
    let replies = json!([
        { "reply-name": "hello", "reply-text": "Hello! How can I help?" },
        { "reply-name": "bye", "reply-text": "Have a nice day" },
    ]);
    assert_eq!(app.ok("saved-replies", json!({})), replies, "two rows added at once");
    assert_eq!(app.ok("get-departments", json!({}))["3"]["name"], "Sales");
    browser.click("input[name='saved-replies.0.remove']");
    browser.submit("form[data-section=miscellaneous] .actions button");
    assert_eq!(app.ok("saved-replies", json!({})), json!([replies[1]]), "a row removed");
    assert_eq!(app.ok("get-departments", json!({}))["3"]["name"], "Sales", "the other rows stay");
    assert!(browser.url().ends_with("#section-miscellaneous"), "back at the section saved: {}", browser.url());
    assert_eq!(browser.text("#section-miscellaneous .notice"), "Saved.");
    browser.screenshot("settings-rows");
    browser.eval("window.scrollTo(0, 0); return true;");
    browser.screenshot("settings");
}

#[test]
fn a_password_setting_is_never_shown_kept_when_left_blank_and_removable() {
    let app = TestApp::spawn();
    app.ok("save-settings", json!({ "settings": { "smtp-password": "hunter2-secret", "smtp-host": "mail.test" } }));
    let browser = Browser::start();
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.goto(&format!("{}/admin/settings", app.base));
    assert!(!browser.source().contains("hunter2-secret"), "the secret never reaches the page");
    assert_eq!(browser.eval("return document.querySelector('#s-smtp-password').value;"), json!(""));
    assert!(browser.text("#setting-smtp-password").contains("A secret is saved"));

    browser.fill("#s-smtp-host", "smtp.example.com");
    browser.submit("form[data-section=notifications] .actions button");
    assert_eq!(browser.text(".notice"), "Saved.");
    assert_eq!(app.ok("get-setting", json!({ "setting": "smtp-host" })), "smtp.example.com");
    assert_eq!(stored_setting(&app, "smtp-password"), "hunter2-secret", "kept when left blank");

    browser.fill("#s-smtp-password", "new-secret");
    browser.submit("form[data-section=notifications] .actions button");
    assert_eq!(stored_setting(&app, "smtp-password"), "new-secret");
    browser.click("input[name='smtp-password.clear']");
    browser.submit("form[data-section=notifications] .actions button");
    assert_eq!(stored_setting(&app, "smtp-password"), "");
    assert!(!browser.text("#setting-smtp-password").contains("A secret is saved"));
}

/// The payload of every outbox item, oldest first.
fn queued_payloads(app: &TestApp) -> Vec<Value> {
    app.db()
        .prepare("SELECT payload FROM outbox ORDER BY id")
        .unwrap()
        .query_map([], |row| row.get::<_, String>(0))
        .unwrap()
        .map(|payload| serde_json::from_str(&payload.unwrap()).unwrap())
        .collect()
}

#[test]
fn the_test_email_and_test_webhook_buttons_queue_what_the_api_functions_queue() {
    let app = TestApp::spawn_quiet_at("2024-01-01 09:00:00");
    let client = signed_in_client(&app);
    let page = client.get(format!("{}/admin/settings", app.base)).send().unwrap().text().unwrap();
    let token = csrf_of(&page);
    let post = |path: &str, form: &[(&str, &str)]| {
        let mut form = form.to_vec();
        form.push(("csrf_token", &token));
        client.post(format!("{}{path}", app.base)).form(&form).send().unwrap()
    };
    let no_url = post("/admin/settings/test-webhook", &[]);
    assert_eq!(no_url.status(), 422);
    assert!(no_url.text().unwrap().contains("Save a webhook URL"));
    assert_eq!(post("/admin/settings/test-email", &[("to", "ops@example.com")]).status(), 303);
    app.ok("save-settings", json!({ "settings": { "webhooks": { "webhooks-url": "http://127.0.0.1:9/hook" } } }));
    assert_eq!(post("/admin/settings/test-webhook", &[]).status(), 303);
    let outbox = app.ok("get-outbox", json!({}));
    let kinds: Vec<&str> = outbox.as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["webhook", "email"], "newest first");
    let [from_page_email, from_page_webhook] = <[Value; 2]>::try_from(queued_payloads(&app)).unwrap();
    assert_eq!(from_page_email["to"], "ops@example.com", "{from_page_email}");
    assert_eq!(from_page_webhook["url"], "http://127.0.0.1:9/hook", "{from_page_webhook}");
    assert_eq!(from_page_webhook["event"], "test");
    app.ok("send-test-email", json!({ "to": "ops@example.com" }));
    app.ok("send-test-webhook", json!({}));
    let payloads = queued_payloads(&app);
    assert_eq!(payloads[2], from_page_email, "the page queues the email send-test-email queues");
    assert_eq!(payloads[3], from_page_webhook, "and the webhook send-test-webhook queues");
    let landed = client.get(format!("{}/admin/settings?done=test-email", app.base)).send().unwrap().text().unwrap();
    assert!(landed.contains("A test email is queued"));
}

#[test]
fn agents_are_refused_the_admin_only_pages_and_forged_settings_posts_are_refused() {
    let app = TestApp::spawn();
    app.ok(
        "add-user",
        json!({ "first_name": "Ada", "email": "ada@example.com", "password": "agent-password", "user_type": "agent" }),
    );
    let agent = signed_in_as(&app, "ada@example.com", "agent-password");
    for page in ["/admin/settings", "/admin/automations", "/admin/reports", "/admin/jobs"] {
        let response = agent.get(format!("{}{page}", app.base)).send().unwrap();
        assert_eq!(response.status(), 403, "{page}");
        assert!(response.text().unwrap().contains("Only admins"), "{page}");
    }
    let articles = agent.get(format!("{}/admin/articles", app.base)).send().unwrap();
    assert_eq!(articles.status(), 200, "agents work on the knowledge base");
    let token = csrf_of(&articles.text().unwrap());
    let as_agent = agent
        .post(format!("{}/admin/settings/admin", app.base))
        .form(&[("transcript-type", "txt"), ("admin-title", "Mine"), ("csrf_token", &token)])
        .send()
        .unwrap();
    assert_eq!(as_agent.status(), 403, "an agent's genuine form is refused too");

    let admin = signed_in_client(&app);
    for forged in [vec![("transcript-type", "txt"), ("csrf_token", "forged")], vec![("transcript-type", "txt")]] {
        let response = admin.post(format!("{}/admin/settings/admin", app.base)).form(&forged).send().unwrap();
        assert_eq!(response.status(), 403);
        assert!(response.text().unwrap().contains("expired"));
    }
    assert_eq!(app.ok("get-setting", json!({ "setting": "transcript-type" })), "csv", "nothing changed");
    let anonymous = Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = anonymous.get(format!("{}/admin/settings", app.base)).send().unwrap();
    assert_eq!(response.status(), 303, "sign-in first");
}
