//! Journeys through the users pages in a real headless Chromium: creating,
//! finding, editing and deleting people; who may do what; API tokens.

use crate::admin::sign_in;
use crate::support::browser::Browser;
use crate::support::TestApp;
use serde_json::json;

/// The CSRF token of the first form in `page`.
pub fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf_token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
}

/// A client that keeps cookies and where its password sign-in as `email` led.
pub fn try_sign_in(app: &TestApp, email: &str, password: &str) -> (reqwest::blocking::Client, String) {
    let client = reqwest::blocking::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client.get(format!("{}/admin/login", app.base)).send().unwrap().text().unwrap();
    let form = [("email", email), ("password", password), ("csrf_token", &csrf_of(&page)), ("next", "")];
    let response = client.post(format!("{}/admin/login", app.base)).form(&form).send().unwrap();
    assert_eq!(response.status(), 303, "{email}'s password was taken");
    let location = response.headers()["location"].to_str().unwrap().to_string();
    (client, location)
}

/// A client that keeps cookies, signed in to the admin area as `email`.
pub fn client_signed_in_as(app: &TestApp, email: &str, password: &str) -> reqwest::blocking::Client {
    let (client, location) = try_sign_in(app, email, password);
    assert!(!location.contains("/admin/login"), "{email} signed in, not sent to {location}");
    client
}

fn add_agent(app: &TestApp, first_name: &str, email: &str, user_type: &str) -> i64 {
    let args =
        json!({ "first_name": first_name, "email": email, "password": "agent-password", "user_type": user_type });
    app.ok("add-user", args).as_i64().unwrap()
}

#[test]
fn an_admin_creates_a_user_with_the_form_and_finds_them_in_the_list_and_through_the_api() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", Some("ann@example.com"), "user");
    let c = app.new_conversation(ann);
    app.send(ann, c, "Hello from Ann");
    add_agent(&app, "Ada", "ada@example.com", "agent");
    let browser = Browser::start();
    sign_in(&browser, &app, "admin@example.com", "admin-password");

    browser.goto(&format!("{}/admin/users", app.base));
    browser.click("a[href$='/admin/users/new']");
    browser.wait_for_text("h1", "New user", 10);
    browser.fill("#first_name", "Grace");
    browser.fill("#last_name", "Hopper");
    browser.fill("#email", "not an email");
    browser.click("#user_type option[value=lead]");
    browser.submit(".people-form button[type=submit]");
    assert_eq!(browser.text("#email-error"), "Email: not an email address", "the API's rule, on the form");
    browser.fill("#email", "grace@example.com");
    browser.submit(".people-form button[type=submit]");

    assert_eq!(browser.text(".notice"), "The user was created.");
    assert_eq!(browser.text(".person-name"), "Grace Hopper");
    let id: i64 = browser.url().rsplit('/').next().unwrap().split('?').next().unwrap().parse().unwrap();
    let found = app.ok("get-user", json!({ "user_id": id }));
    assert_eq!((found["email"].as_str(), found["user_type"].as_str()), (Some("grace@example.com"), Some("lead")));
    let searched = app.ok("search-users", json!({ "search": "grace" }));
    assert_eq!(searched[0]["id"], json!(id.to_string()));

    browser.goto(&format!("{}/admin/users", app.base));
    for name in ["Grace Hopper", "Ann Test", "Ada"] {
        assert!(browser.text("table.people").contains(name), "{name} listed");
    }
    browser.screenshot("users");
    browser.fill("#q", "hopp");
    browser.submit(".people-search button");
    assert_eq!(browser.eval("return document.querySelectorAll('table.people tbody tr').length;"), json!(1));
    assert!(browser.text("table.people").contains("Grace Hopper"));
    browser.goto(&format!("{}/admin/users?type=team", app.base));
    let team = browser.text("table.people tbody");
    assert!(team.contains("Ada") && !team.contains("Grace") && !team.contains("Ann"), "{team}");

    browser.goto(&format!("{}/admin/users/{ann}", app.base));
    assert_eq!(browser.text(".person-email"), "ann@example.com");
    assert!(browser.text(".person-conversations").contains("Hello from Ann"));
    browser.screenshot("user");
    let link = browser.eval("return document.querySelector('.person-conversations a').getAttribute('href');");
    assert_eq!(link, json!(format!("/admin/conversations/{c}")));
}

#[test]
fn editing_a_user_saves_the_change_and_refuses_an_email_someone_else_has() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", Some("ann@example.com"), "visitor");
    app.add_user("Bob", Some("bob@example.com"), "user");
    let browser = Browser::start();
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.goto(&format!("{}/admin/users/{ann}", app.base));
    browser.click("a[href$='/edit']");
    browser.wait_for_text("h1", "Edit Ann Test", 10);
    assert_eq!(browser.eval("return document.querySelector('#user_type').value;"), json!("visitor"));
    browser.fill("#email", "BOB@example.com");
    browser.submit(".people-form button[type=submit]");
    assert_eq!(browser.text("#email-error"), "Email: someone else already has this email");
    browser.fill("#email", "ann.new@example.com");
    browser.fill("#last_name", "Lovelace");
    browser.click("#user_type option[value=user]");
    browser.submit(".people-form button[type=submit]");
    assert_eq!(browser.text(".notice"), "Your changes were saved.");
    let saved = app.ok("get-user", json!({ "user_id": ann }));
    assert_eq!(
        (saved["last_name"].as_str(), saved["email"].as_str(), saved["user_type"].as_str()),
        (Some("Lovelace"), Some("ann.new@example.com"), Some("user"))
    );
}

#[test]
fn an_agent_sees_no_tokens_and_cannot_create_or_change_an_admin_even_by_a_forged_post() {
    let app = TestApp::spawn();
    add_agent(&app, "Ada", "ada@example.com", "agent");
    let lead = app.add_user("Lee", Some("lee@example.com"), "lead");
    let browser = Browser::start();
    sign_in(&browser, &app, "ada@example.com", "agent-password");

    browser.goto(&format!("{}/admin/users/{lead}", app.base));
    assert_eq!(browser.text(".person-name"), "Lee Test");
    assert!(!browser.exists(".api-token"), "agents never see tokens");
    assert!(!browser.source().contains(&app.token_of(lead)));
    assert!(browser.exists("a[href$='/edit']"), "agents manage customers");
    browser.goto(&format!("{}/admin/users/{}", app.base, app.admin_id));
    assert!(!browser.exists(".api-token") && !browser.source().contains(&app.token));
    assert!(!browser.exists("a[href$='/edit']"), "but not admins");
    browser.goto(&format!("{}/admin/users/new", app.base));
    assert!(browser.exists("#user_type option[value=lead]"));
    assert!(!browser.exists("#user_type option[value=admin]") && !browser.exists("#user_type option[value=agent]"));

    let agent = client_signed_in_as(&app, "ada@example.com", "agent-password");
    let page = agent.get(format!("{}/admin/users/new", app.base)).send().unwrap().text().unwrap();
    let csrf = csrf_of(&page);
    let forged = [
        ("csrf_token", csrf.as_str()),
        ("first_name", "Eve"),
        ("email", "eve@example.com"),
        ("user_type", "admin"),
        ("password", "eve-password"),
    ];
    let response = agent.post(format!("{}/admin/users", app.base)).form(&forged).send().unwrap();
    assert_eq!(response.status(), 403, "the server refuses what the form never offered");
    assert_eq!(app.ok("count-users", json!({}))["admin"], "1");
    let promote =
        [("csrf_token", csrf.as_str()), ("first_name", "Lee"), ("email", "lee@example.com"), ("user_type", "admin")];
    let response = agent.post(format!("{}/admin/users/{lead}/edit", app.base)).form(&promote).send().unwrap();
    assert_eq!(response.status(), 403, "nor can an agent make a customer an admin");
    let edit_admin = [("csrf_token", csrf.as_str()), ("first_name", "Mallory"), ("user_type", "admin")];
    let response =
        agent.post(format!("{}/admin/users/{}/edit", app.base, app.admin_id)).form(&edit_admin).send().unwrap();
    assert_eq!(response.status(), 403);
    for action in ["delete", "token"] {
        let url = format!("{}/admin/users/{}/{action}", app.base, app.admin_id);
        assert_eq!(agent.get(&url).send().unwrap().status(), 403, "{action}");
        assert_eq!(agent.post(&url).form(&[("csrf_token", csrf.as_str())]).send().unwrap().status(), 403, "{action}");
    }
    let token_of_lead = format!("{}/admin/users/{lead}/token", app.base);
    assert_eq!(agent.post(&token_of_lead).form(&[("csrf_token", csrf.as_str())]).send().unwrap().status(), 403);
    assert_eq!(app.ok("get-user", json!({ "user_id": app.admin_id }))["first_name"], "Admin", "nothing changed");
    assert_eq!(app.ok("get-user", json!({ "user_id": lead }))["user_type"], "lead");

    let made = [("csrf_token", csrf.as_str()), ("first_name", "Vic"), ("user_type", "visitor")];
    let response = agent.post(format!("{}/admin/users", app.base)).form(&made).send().unwrap();
    assert_eq!(response.status(), 303, "agents do create customers");
    let location = response.headers()["location"].to_str().unwrap();
    let id: i64 = location.rsplit('/').next().unwrap().split('?').next().unwrap().parse().unwrap();
    let vic = app.ok("get-user", json!({ "user_id": id }));
    assert_eq!((vic["first_name"].as_str(), vic["user_type"].as_str()), (Some("Vic"), Some("visitor")), "{vic}");
}

#[test]
fn an_admin_rotates_a_token_after_confirming_and_the_old_one_stops_working() {
    let app = TestApp::spawn();
    let other = add_agent(&app, "Olga", "olga@example.com", "admin");
    let old = app.token_of(other);
    assert_eq!(app.call_as(&old, "count-users", json!({}))["success"], json!(true));
    let browser = Browser::start();
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.goto(&format!("{}/admin/users/{other}", app.base));
    browser.click("details.token summary");
    assert_eq!(browser.text(".api-token"), old, "admins see the token");

    browser.click("a[href$='/token']");
    browser.wait_for_text("h1", "Issue a new API token for Olga?", 10);
    assert_eq!(
        app.call_as(&old, "count-users", json!({}))["success"],
        json!(true),
        "nothing happens before confirming"
    );
    browser.submit(".confirm button[type=submit]");
    assert_eq!(browser.text(".notice"), "A new API token was issued. The old one no longer works.");
    browser.click("details.token summary");
    let new = browser.text(".api-token");
    assert_ne!(new, old);
    assert_eq!(app.call_as(&old, "count-users", json!({}))["response"], "invalid-token");
    assert_eq!(app.call_as(&new, "count-users", json!({}))["success"], json!(true));
}

#[test]
fn deleting_a_user_asks_first_then_removes_them_and_fires_user_deleted() {
    let app = TestApp::spawn_quiet_at("2024-06-01 10:00:00");
    crate::webhooks::configure(&app, "http://127.0.0.1:9/hook", "");
    let lee = app.add_user("Lee", Some("lee@example.com"), "lead");
    let browser = Browser::start();
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.goto(&format!("{}/admin/users/{lee}", app.base));
    browser.click("a[href$='/delete']");
    browser.wait_for_text("h1", "Delete Lee Test?", 10);
    browser.submit(".confirm a");
    assert_eq!(browser.text(".person-name"), "Lee Test", "cancelling keeps them");
    assert_ne!(app.ok("get-user", json!({ "user_id": lee })), json!(false));

    browser.click("a[href$='/delete']");
    browser.wait_for_text("h1", "Delete Lee Test?", 10);
    browser.submit(".confirm button[type=submit]");
    assert_eq!(browser.text(".notice"), "The user was deleted.");
    assert_eq!(app.ok("get-user", json!({ "user_id": lee })), json!(false));
    let events: Vec<String> = app
        .db()
        .prepare("SELECT json_extract(payload, '$.event') FROM outbox WHERE kind = 'webhook' ORDER BY id")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(events.last().map(String::as_str), Some("user-deleted"), "{events:?}");
    assert!(!browser.exists(&format!("tr[data-user='{lee}']")));
    browser.goto(&format!("{}/admin/users/{}", app.base, app.admin_id));
    assert!(!browser.exists("a[href$='/delete']"), "nobody is offered to delete themselves");
}

#[test]
fn a_script_in_a_name_is_shown_as_text_on_the_users_pages() {
    let app = TestApp::spawn();
    let evil = app
        .ok(
            "add-user",
            json!({ "first_name": "<script>window.pwned=1</script>", "last_name": "<b>X</b>",
                                "extra": { "note": ["<img src=x onerror=\"window.pwned=2\">", "Note"] } }),
        )
        .as_i64()
        .unwrap();
    let browser = Browser::start();
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.goto(&format!("{}/admin/users", app.base));
    assert_eq!(browser.text(&format!("tr[data-user='{evil}'] .name")), "<script>window.pwned=1</script> <b>X</b>");
    browser.goto(&format!("{}/admin/users/{evil}", app.base));
    assert_eq!(browser.text(".person-name"), "<script>window.pwned=1</script> <b>X</b>");
    assert!(browser.text(".facts").contains("<img src=x onerror="));
    browser.goto(&format!("{}/admin/users/{evil}/edit", app.base));
    assert_eq!(
        browser.eval("return document.querySelector('#first_name').value;"),
        json!("<script>window.pwned=1</script>")
    );
    assert_eq!(browser.eval("return window.pwned === undefined;"), json!(true), "nothing a user typed ran");
}

#[test]
fn the_users_list_pages_by_a_hundred_and_filters_by_type() {
    let app = TestApp::spawn();
    for i in 0..100 {
        app.add_user(&format!("Visitor{i:03}"), None, "visitor");
    }
    app.add_user("Lena", Some("lena@example.com"), "lead");
    let client = crate::admin::signed_in_client(&app);
    let page = |query: &str| client.get(format!("{}/admin/users?{query}", app.base)).send().unwrap().text().unwrap();
    let rows = |html: &str| html.matches("<tr data-user=").count();
    let first = page("type=customers");
    assert_eq!(rows(&first), 100);
    assert!(first.contains("Lena") && first.contains("rel=\"next\""), "newest first, with a next page");
    let second = page("type=customers&page=2");
    assert_eq!(rows(&second), 1);
    assert!(second.contains("Visitor000") && second.contains("rel=\"prev\"") && !second.contains("rel=\"next\""));
    let leads = page("type=lead");
    assert_eq!(rows(&leads), 1);
    assert!(leads.contains("Lena"));
    let nobody = page("q=%22%29%28*&type=");
    assert_eq!(rows(&nobody), 0, "search syntax in the box is just text");
    assert!(page("q=lena").contains("lena@example.com"));
}

#[test]
fn the_users_list_search_finds_part_of_a_detail_value() {
    let app = TestApp::spawn();
    app.ok(
        "add-user",
        json!({ "first_name": "Lena", "user_type": "lead", "extra": { "phone": ["+15551234567", "Phone"] } }),
    );
    app.add_user("Max", None, "lead");
    let client = crate::admin::signed_in_client(&app);

    let html = client.get(format!("{}/admin/users?q=5551234567", app.base)).send().unwrap().text().unwrap();

    assert_eq!(html.matches("<tr data-user=").count(), 1, "{html}");
    assert!(html.contains("Lena"));
}
