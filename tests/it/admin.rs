//! Journeys through the admin area in a real headless Chromium.

use crate::support::browser::Browser;
use crate::support::TestApp;
use serde_json::json;

/// Signs in as the test app's admin.
pub fn sign_in(browser: &Browser, app: &TestApp, email: &str, password: &str) {
    browser.goto(&format!("{}/admin/login", app.base));
    browser.fill("#email", email);
    browser.fill("#password", password);
    browser.submit("form button[type=submit]");
}

#[test]
fn signing_in_opens_the_inbox_and_signing_out_ends_the_session() {
    let app = TestApp::spawn();
    let ann = app.add_user("Ann", Some("ann@example.com"), "lead");
    let c = app.new_conversation(ann);
    app.send(ann, c, "Where is my *parcel*?");
    let browser = Browser::start();
    browser.goto(&format!("{}/admin", app.base));
    assert!(browser.url().contains("/admin/login"), "sign-in comes first: {}", browser.url());
    sign_in(&browser, &app, "admin@example.com", "wrong-password");
    assert_eq!(browser.text(".error"), "Wrong email or password.");
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.wait_for_text(".inbox", "Where is my parcel?", 10);
    assert_eq!(browser.text(".inbox .name"), "Ann Test");
    browser.screenshot("signed-in");
    browser.submit(".signout button");
    assert!(browser.url().contains("/admin/login"), "{}", browser.url());
    browser.goto(&format!("{}/admin", app.base));
    assert!(browser.url().contains("/admin/login"), "the session ended: {}", browser.url());
}

#[test]
fn six_wrong_passwords_lock_the_login_even_for_the_right_password() {
    let app = TestApp::spawn_at("2024-01-01 09:00:00");
    let browser = Browser::start();
    for _ in 0..6 {
        sign_in(&browser, &app, "admin@example.com", "guess-guess");
        assert_eq!(browser.text(".error"), "Wrong email or password.");
    }
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    let message = browser.text(".error");
    assert!(message.contains("locked") && message.contains("15 minutes"), "{message}");
    app.advance(15 * 60);
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    assert!(
        browser.exists(".inbox") || browser.exists(".empty"),
        "signed in once the lock is over: {}",
        browser.source()
    );
}

#[test]
fn a_script_in_a_user_name_and_a_message_is_shown_as_text() {
    let app = TestApp::spawn();
    let evil = app
        .ok("add-user", json!({ "first_name": "<script>window.pwned=1</script>", "last_name": "X" }))
        .as_i64()
        .unwrap();
    let c = app.new_conversation(evil);
    app.send(evil, c, "<img src=x onerror=\"window.pwned=2\">hello");
    let browser = Browser::start();
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.wait_for_text(".inbox", "hello", 10);
    assert_eq!(browser.text(".inbox .name"), "<script>window.pwned=1</script> X");
    assert!(browser.text(".inbox .preview").contains("<img src=x"), "shown as text");
    assert_eq!(browser.eval("return window.pwned === undefined;"), json!(true), "nothing a user typed ran");
}

#[test]
fn agents_can_sign_in_and_visitors_cannot() {
    let app = TestApp::spawn();
    app.ok(
        "add-user",
        json!({ "first_name": "Ada", "email": "ada@example.com", "password": "agent-password", "user_type": "agent" }),
    );
    app.ok(
        "add-user",
        json!({ "first_name": "Uma", "email": "uma@example.com", "password": "user-password", "user_type": "user" }),
    );
    let browser = Browser::start();
    sign_in(&browser, &app, "uma@example.com", "user-password");
    assert_eq!(browser.text(".error"), "Wrong email or password.", "customers have no admin area");
    sign_in(&browser, &app, "ada@example.com", "agent-password");
    assert_eq!(browser.text(".signout .who"), "Ada");
}

/// A client that keeps cookies, signed in as the admin, for requests a page would make.
pub fn signed_in_client(app: &TestApp) -> reqwest::blocking::Client {
    let client = reqwest::blocking::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client.get(format!("{}/admin/login", app.base)).send().unwrap().text().unwrap();
    let token = page.split("name=\"csrf_token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let response = client
        .post(format!("{}/admin/login", app.base))
        .form(&[
            ("email", "admin@example.com"),
            ("password", "admin-password"),
            ("csrf_token", token.as_str()),
            ("next", ""),
        ])
        .send()
        .unwrap();
    assert_eq!(response.status(), 303, "signed in");
    client
}

#[test]
fn a_forged_form_post_without_the_csrf_token_is_refused() {
    let app = TestApp::spawn();
    let client = signed_in_client(&app);
    let forged = client.post(format!("{}/admin/logout", app.base)).form(&[("csrf_token", "forged")]).send().unwrap();
    assert_eq!(forged.status(), 403);
    assert!(forged.text().unwrap().contains("expired"));
    assert_eq!(client.get(format!("{}/admin", app.base)).send().unwrap().status(), 200, "still signed in");
    let login_without_cookie = reqwest::blocking::Client::new()
        .post(format!("{}/admin/login", app.base))
        .form(&[("email", "admin@example.com"), ("password", "admin-password"), ("csrf_token", "x")])
        .send()
        .unwrap();
    assert_eq!(login_without_cookie.status(), 403, "the sign-in form needs its token too");
}

#[test]
fn admin_pages_send_a_strict_content_security_policy() {
    let app = TestApp::spawn();
    let response = reqwest::blocking::get(format!("{}/admin/login", app.base)).unwrap();
    let policy = response.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"), "{policy}");
    assert_eq!(response.headers()["x-frame-options"], "DENY");
}
