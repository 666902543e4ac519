//! Journeys through a person's own account in a real headless Chromium: the
//! profile (name, email, password, sessions), two-factor sign-in with codes
//! computed here with totp-rs, and password reset through a real SMTP server.

use crate::admin::sign_in;
use crate::admin_people::{client_signed_in_as, csrf_of, try_sign_in};
use crate::support::browser::Browser;
use crate::support::smtp::SmtpServer;
use crate::support::TestApp;
use serde_json::json;
use totp_rs::{Algorithm, Secret, TOTP};

fn signed_out(client: &reqwest::blocking::Client, app: &TestApp) -> bool {
    let response = client.get(format!("{}/admin", app.base)).send().unwrap();
    response.status() == 303 && response.headers()["location"].to_str().unwrap().contains("/admin/login")
}

#[test]
fn changing_your_password_needs_the_current_one_and_signs_out_your_other_sessions() {
    let app = TestApp::spawn();
    let laptop = client_signed_in_as(&app, "admin@example.com", "admin-password");
    let phone = client_signed_in_as(&app, "admin@example.com", "admin-password");
    let browser = Browser::start();
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.goto(&format!("{}/admin/profile", app.base));
    browser.wait_for_count("table.sessions tbody tr", 3, 10);
    assert_eq!(browser.text("table.sessions tr.current td:last-child"), "This browser");
    browser.screenshot("profile");

    browser.submit("table.sessions tbody tr:not(.current) button");
    assert_eq!(browser.text(".notice"), "The session was signed out.");
    browser.wait_for_count("table.sessions tbody tr", 2, 10);
    assert!(signed_out(&laptop, &app) != signed_out(&phone, &app), "exactly one of the two ended");

    browser.fill("#current_password", "not-my-password");
    browser.fill("#new_password", "a-new-password");
    browser.fill("#confirm_password", "a-new-password");
    browser.submit("form[action$='/profile/password'] button");
    assert_eq!(browser.text("#current_password-error"), "Current password: that is not your current password");
    browser.fill("#current_password", "admin-password");
    browser.fill("#new_password", "a-new-password");
    browser.fill("#confirm_password", "a-new-password");
    browser.submit("form[action$='/profile/password'] button");
    assert_eq!(browser.text(".notice"), "Your password was changed. Your other sessions were signed out.");
    browser.wait_for_count("table.sessions tbody tr", 1, 10);
    assert!(browser.exists("table.sessions tbody tr.current"), "only this browser is left");
    assert!(signed_out(&laptop, &app) && signed_out(&phone, &app));

    browser.submit(".signout button");
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    assert_eq!(browser.text(".error"), "Wrong email or password.");
    sign_in(&browser, &app, "admin@example.com", "a-new-password");
    assert_eq!(browser.text(".signout .who"), "Admin");
}

#[test]
fn the_profile_changes_your_name_and_your_email_only_with_your_password() {
    let app = TestApp::spawn();
    let browser = Browser::start();
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.goto(&format!("{}/admin/profile", app.base));
    browser.fill("#first_name", "Margaret");
    browser.fill("#last_name", "Hamilton");
    browser.fill("#email", "margaret@example.com");
    browser.submit("form[action$='/admin/profile'] button");
    assert!(browser.text("#details_password-error").contains("needed to change your email"));
    browser.fill("#details_password", "admin-password");
    browser.submit("form[action$='/admin/profile'] button");
    assert_eq!(browser.text(".notice"), "Your profile was saved.");
    assert_eq!(browser.text(".signout .who"), "Margaret Hamilton");
    let me = app.ok("get-user", json!({ "user_id": app.admin_id }));
    assert_eq!(me["email"], "margaret@example.com");
    browser.submit(".signout button");
    sign_in(&browser, &app, "margaret@example.com", "admin-password");
    assert_eq!(browser.text(".signout .who"), "Margaret Hamilton");
}

/// The codes of the steps around `at`, so a test can pick one that is surely wrong.
fn code_at(totp: &TOTP, at: i64) -> String {
    totp.generate(at as u64)
}

fn wrong_code(totp: &TOTP, at: i64) -> String {
    let near: Vec<String> = [-30, 0, 30].iter().map(|d| code_at(totp, at + d)).collect();
    ["000000", "111111", "222222"].into_iter().find(|c| !near.iter().any(|n| n == c)).unwrap().to_string()
}

#[test]
fn two_factor_turns_on_with_a_right_code_and_then_sign_in_asks_for_a_fresh_one() {
    let app = TestApp::spawn_at("2024-05-01 09:00:00");
    let now = || app.clock.now().timestamp();
    let browser = Browser::start();
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.goto(&format!("{}/admin/profile", app.base));
    assert!(browser.text(".two-factor-state").starts_with("Off."));
    browser.submit("form[action$='/two-factor/start'] button");

    let secret = browser.text(".totp-secret").replace(' ', "");
    let bytes = Secret::Encoded(secret.clone()).to_bytes().unwrap();
    let totp =
        TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes, Some("Switchboard".into()), "admin@example.com".into()).unwrap();
    browser.click("details summary");
    let uri = browser.text(".totp-uri");
    assert!(uri.starts_with("otpauth://totp/Switchboard:admin%40example.com?") && uri.contains(&secret), "{uri}");
    let qr_loaded = "const img = document.querySelector('.qr img'); return img.complete && img.naturalWidth > 0;";
    assert_eq!(browser.eval(qr_loaded), json!(true), "the QR code is a served SVG");
    browser.screenshot("two-factor");

    browser.fill("#code", &wrong_code(&totp, now()));
    browser.submit(".two-factor-setup button[type=submit]");
    assert!(browser.text(".error").contains("That code is not right"));
    browser.fill("#code", &code_at(&totp, now()));
    browser.submit(".two-factor-setup button[type=submit]");
    assert!(browser.text(".notice").starts_with("Two-factor sign-in is on."));
    assert!(browser.text(".two-factor-state").starts_with("On."));
    let on = app.ok("get-audit-log", json!({ "action": "two-factor.enable" }));
    assert_eq!((on[0]["user_id"].as_str(), on[0]["via"].as_str()), (Some("1"), Some("admin")), "audited: {on}");

    browser.submit(".signout button");
    app.advance(30);
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    assert!(browser.url().contains("/admin/login/code"), "{}", browser.url());
    browser.goto(&format!("{}/admin", app.base));
    assert!(browser.url().contains("/admin/login?"), "the password alone opens nothing: {}", browser.url());
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.fill("#code", &wrong_code(&totp, now()));
    browser.submit("form button[type=submit]");
    assert!(browser.text(".error").contains("That code is not right"));
    let code = code_at(&totp, now());
    browser.fill("#code", &code);
    browser.submit("form button[type=submit]");
    assert!(browser.exists(".signout"), "signed in with the code: {}", browser.url());
    let failed = app.ok("get-audit-log", json!({ "action": "sign-in.failed" }));
    assert_eq!((failed[0]["details"]["step"].as_str(), failed[0]["user_id"].as_str()), (Some("code"), Some("1")));

    browser.submit(".signout button");
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.fill("#code", &code);
    browser.submit("form button[type=submit]");
    assert!(browser.text(".error").contains("That code is not right"), "a used code does not work again");
    app.advance(30);
    browser.fill("#code", &code_at(&totp, now()));
    browser.submit("form button[type=submit]");
    assert!(browser.exists(".signout"));

    browser.goto(&format!("{}/admin/profile", app.base));
    browser.click("a[href$='/two-factor/off']");
    browser.wait_for_text("h1", "Turn off two-factor sign-in?", 10);
    browser.fill("#password", "wrong-password");
    browser.submit(".confirm button[type=submit]");
    assert!(browser.text(".error").contains("not your current password"));
    browser.fill("#password", "admin-password");
    browser.submit(".confirm button[type=submit]");
    assert_eq!(browser.text(".notice"), "Two-factor sign-in is off.");
    browser.submit(".signout button");
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    assert!(browser.exists(".signout"), "no code asked any more");
}

fn reset_link(text: &str) -> String {
    text.split_whitespace().find(|w| w.contains("/admin/password-reset/")).unwrap().to_string()
}

#[test]
fn a_password_reset_link_arrives_by_email_works_once_and_signs_out_every_session() {
    let smtp = SmtpServer::start();
    let app = TestApp::spawn();
    crate::email::use_smtp(&app, smtp.port, "none");
    app.ok("add-user", json!({ "first_name": "Uma", "email": "uma@example.com", "password": "user-password" }));
    let before = client_signed_in_as(&app, "admin@example.com", "admin-password");
    let browser = Browser::start();
    browser.goto(&format!("{}/admin/login", app.base));
    browser.submit(".login-help a");
    browser.fill("#email", "uma@example.com");
    browser.submit("form button[type=submit]");
    let answer = browser.text(".notice");
    assert!(answer.starts_with("If an agent or admin account uses that address"), "{answer}");
    browser.goto(&format!("{}/admin/password-reset", app.base));
    browser.fill("#email", "Admin@Example.com");
    browser.submit("form button[type=submit]");
    assert_eq!(browser.text(".notice"), answer, "the same answer whether or not the account can reset");

    app.wait_until_outbox_drained();
    let received = smtp.received();
    assert_eq!(received.len(), 1, "customers get no reset email");
    assert_eq!(received[0].to, vec!["admin@example.com".to_string()]);
    assert_eq!(received[0].subject(), "Reset your Switchboard password");
    let link = reset_link(&received[0].text());
    assert!(received[0].html().contains(&format!("href=\"{link}\"")));
    let token = link.rsplit('/').next().unwrap().to_string();
    let stored: Vec<String> = app
        .db()
        .prepare("SELECT token_hash FROM password_resets")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0], token, "only a hash of the token is kept");

    browser.goto(&link);
    browser.fill("#new_password", "fresh-password");
    browser.fill("#confirm_password", "fresh-password");
    browser.submit("form button[type=submit]");
    assert_eq!(browser.text(".notice"), "Your password was changed. Sign in with your new password.");
    assert!(signed_out(&before, &app), "a reset signs out every session");
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    assert_eq!(browser.text(".error"), "Wrong email or password.");
    sign_in(&browser, &app, "admin@example.com", "fresh-password");
    assert!(browser.exists(".signout"));

    browser.goto(&link);
    assert_eq!(browser.text(".error"), "This link has expired or was already used.");
}

#[test]
fn reset_requests_are_rate_limited_and_links_expire_after_an_hour() {
    let app = TestApp::spawn_quiet_at("2024-05-01 09:00:00");
    let client = reqwest::blocking::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = format!("{}/admin/password-reset", app.base);
    let csrf = csrf_of(&client.get(&url).send().unwrap().text().unwrap());
    let ask =
        || client.post(&url).form(&[("csrf_token", csrf.as_str()), ("email", "admin@example.com")]).send().unwrap();
    for _ in 0..3 {
        assert_eq!(ask().status(), 303);
    }
    let limited = ask();
    assert_eq!(limited.status(), 429);
    assert!(limited.text().unwrap().contains("Too many reset requests"));

    let links: Vec<String> = app
        .db()
        .prepare("SELECT json_extract(payload, '$.text') FROM outbox WHERE kind = 'email' ORDER BY id")
        .unwrap()
        .query_map([], |row| row.get::<_, String>(0))
        .unwrap()
        .map(|text| reset_link(&text.unwrap()))
        .collect();
    assert_eq!(links.len(), 3, "a fourth request sends nothing");
    let status = |link: &str| client.get(link).send().unwrap().status();
    assert_eq!(status(&links[0]), 410, "a newer link replaces an older one");
    assert_eq!(status(&links[2]), 200);
    app.advance(3600);
    assert_eq!(status(&links[2]), 410, "an hour later the link has expired");
    app.advance(1);
    assert_eq!(ask().status(), 303, "and the hour of the rate limit is over");
}

#[test]
fn an_admin_turns_off_the_two_factor_sign_in_of_someone_who_lost_their_phone_and_an_agent_cannot() {
    let app = TestApp::spawn();
    let args = |name: &str, email: &str, kind: &str| json!({ "first_name": name, "email": email, "password": "agent-password", "user_type": kind });
    let ada = app.ok("add-user", args("Ada", "ada@example.com", "agent")).as_i64().unwrap();
    app.ok("add-user", args("Bo", "bo@example.com", "agent"));
    let sealed = switchboard::domain::two_factor::seal(&app.state.key, &switchboard::domain::two_factor::new_secret());
    let conn = app.db();
    switchboard::db::two_factor::start(&conn, ada, &sealed, "2024-01-01 00:00:00").unwrap();
    switchboard::db::two_factor::enable(&conn, ada, 1).unwrap();
    assert!(try_sign_in(&app, "ada@example.com", "agent-password").1.contains("/admin/login/code"));

    let bo = client_signed_in_as(&app, "bo@example.com", "agent-password");
    let url = format!("{}/admin/users/{ada}/two-factor", app.base);
    let bo_csrf = csrf_of(&bo.get(format!("{}/admin/profile", app.base)).send().unwrap().text().unwrap());
    assert_eq!(bo.get(&url).send().unwrap().status(), 403);
    assert_eq!(bo.post(&url).form(&[("csrf_token", bo_csrf.as_str())]).send().unwrap().status(), 403);
    assert!(switchboard::db::two_factor::is_enabled(&conn, ada).unwrap(), "an agent changed nothing");

    let admin = crate::admin::signed_in_client(&app);
    let profile = admin.get(format!("{}/admin/users/{ada}", app.base)).send().unwrap().text().unwrap();
    assert!(profile.contains("/two-factor\">Turn off…</a>"), "admins are offered the way out");
    let confirm = admin.get(&url).send().unwrap().text().unwrap();
    assert!(confirm.contains("Turn off two-factor sign-in for Ada?"));
    let response = admin.post(&url).form(&[("csrf_token", csrf_of(&confirm).as_str())]).send().unwrap();
    assert_eq!(response.status(), 303);
    assert!(!switchboard::db::two_factor::is_enabled(&conn, ada).unwrap());
    client_signed_in_as(&app, "ada@example.com", "agent-password"); // no code asked any more
}
