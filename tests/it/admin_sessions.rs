//! Admin-area sessions: how long they live, and what ends them; and sign-in
//! taking as long whether or not the email belongs to someone.

use crate::support::TestApp;
use serde_json::json;
use std::time::{Duration, Instant};

/// A client that keeps cookies and shows redirects instead of following them.
fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf_token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
}

/// Posts the sign-in form; answers the response.
fn sign_in(
    app: &TestApp,
    client: &reqwest::blocking::Client,
    email: &str,
    password: &str,
) -> reqwest::blocking::Response {
    let page = client.get(format!("{}/admin/login", app.base)).send().unwrap().text().unwrap();
    let token = csrf_of(&page);
    let form = [("email", email), ("password", password), ("csrf_token", token.as_str())];
    client.post(format!("{}/admin/login", app.base)).form(&form).send().unwrap()
}

/// Whether the client's session opens the admin home.
fn signed_in(app: &TestApp, client: &reqwest::blocking::Client) -> bool {
    let status = client.get(format!("{}/admin", app.base)).send().unwrap().status();
    assert!(status == 200 || status == 303, "the admin home answered {status}");
    status == 200
}

#[test]
fn a_wrong_password_takes_as_long_for_an_unknown_email_as_for_a_staff_one() {
    let app = TestApp::spawn();
    let time = |email: &str| {
        (0..3)
            .map(|_| {
                let started = Instant::now();
                let response = sign_in(&app, &client(), email, "wrong password");
                assert_eq!(response.status(), 200, "the form comes back with an error");
                started.elapsed()
            })
            .min()
            .unwrap()
    };
    let (known, unknown) = (time("admin@example.com"), time("nobody-at-all@example.com"));
    // argon2 dominates a sign-in; without the dummy hash an unknown email took a
    // twentieth of the time.
    assert!(unknown * 2 > known, "unknown email {unknown:?} against a staff email {known:?}");
}

#[test]
fn changing_a_password_through_the_api_signs_that_person_out_everywhere() {
    let app = TestApp::spawn();
    let browser = client();
    assert_eq!(sign_in(&app, &browser, "admin@example.com", "admin-password").status(), 303);
    assert!(signed_in(&app, &browser));

    app.ok("update-user", json!({ "user_id": app.admin_id, "first_name": "Renamed" }));
    assert!(signed_in(&app, &browser), "other changes keep the session");
    app.ok("update-user", json!({ "user_id": app.admin_id, "password": "a-new-password" }));
    assert!(!signed_in(&app, &browser), "a new password ends the session");
    assert_eq!(sign_in(&app, &client(), "admin@example.com", "a-new-password").status(), 303);
}

#[test]
fn sessions_end_after_the_idle_timeout_and_after_their_lifetime_and_the_profile_says_when() {
    let app = TestApp::spawn_at("2025-06-02 09:00:00");
    let idle = app.state.config.session_idle_seconds as i64;
    let lifetime = app.state.config.session_lifetime_seconds as i64;
    let browser = client();
    assert_eq!(sign_in(&app, &browser, "admin@example.com", "admin-password").status(), 303);

    let profile = browser.get(format!("{}/admin/profile", app.base)).send().unwrap().text().unwrap();
    assert!(profile.contains("<td><time>2025-06-02 09:00:00</time></td>\n        <td><time>2025-06-02 09:00:00</time></td>\n        <td><time>2025-06-02 17:00:00</time></td>"), "signed in, last active, ends after 8 idle hours: {profile}");

    // Used just before the idle timeout each time, the session lives on...
    let mut used = 0;
    while used + idle - 60 < lifetime - 60 {
        app.advance(idle - 60);
        used += idle - 60;
        assert!(signed_in(&app, &browser), "in use after {used} s");
    }
    // ...until its lifetime is over, however busy it is.
    app.advance(lifetime - used + 1);
    assert!(!signed_in(&app, &browser), "over its lifetime");

    let idler = client();
    assert_eq!(sign_in(&app, &idler, "admin@example.com", "admin-password").status(), 303);
    app.advance(idle - 30);
    assert!(signed_in(&app, &idler));
    app.advance(idle + 1);
    assert!(!signed_in(&app, &idler), "idle for longer than the timeout");
}

#[test]
fn a_flood_of_sign_ins_is_refused_quickly_rather_than_queued_without_bound() {
    let app = TestApp::spawn();
    // Distinct addresses are not possible on loopback; the account lock-out and
    // the password threads' queue bound the work. Every answer must be a page.
    let started = Instant::now();
    let threads: Vec<_> = (0..40)
        .map(|n| {
            let base = app.base.clone();
            std::thread::spawn(move || {
                let client = client();
                let page = client.get(format!("{base}/admin/login")).send().unwrap().text().unwrap();
                let token = csrf_of(&page);
                let email = format!("someone{n}@example.com");
                let form = [("email", email.as_str()), ("password", "x"), ("csrf_token", token.as_str())];
                client.post(format!("{base}/admin/login")).form(&form).send().unwrap().status().as_u16()
            })
        })
        .collect();
    let statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    assert!(statuses.iter().all(|s| *s == 200 || *s == 429), "{statuses:?}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// A wrong sign-in for `email` that says it comes from `forwarded_for`.
fn wrong_sign_in_from(app: &TestApp, email: &str, forwarded_for: &str) -> reqwest::blocking::Response {
    let client = client();
    let page = client.get(format!("{}/admin/login", app.base)).send().unwrap().text().unwrap();
    let token = csrf_of(&page);
    let form = [("email", email), ("password", "wrong"), ("csrf_token", token.as_str())];
    client
        .post(format!("{}/admin/login", app.base))
        .header("X-Forwarded-For", forwarded_for)
        .form(&form)
        .send()
        .unwrap()
}

fn sign_in_from(app: &TestApp, forwarded_for: &str) -> reqwest::blocking::Response {
    let client = client();
    let page = client.get(format!("{}/admin/login", app.base)).send().unwrap().text().unwrap();
    let token = csrf_of(&page);
    let form = [("email", "admin@example.com"), ("password", "admin-password"), ("csrf_token", token.as_str())];
    client
        .post(format!("{}/admin/login", app.base))
        .header("X-Forwarded-For", forwarded_for)
        .form(&form)
        .send()
        .unwrap()
}

/// Thirty wrong sign-ins from `forwarded_for`, each for a different unknown account.
fn thirty_failures_from(app: &TestApp, forwarded_for: &str) {
    for n in 0..30 {
        let response = wrong_sign_in_from(app, &format!("guess{n}@example.com"), forwarded_for);
        assert_eq!(response.status(), 200, "attempt {n}");
    }
}

#[test]
fn behind_a_trusted_proxy_the_lock_out_counts_each_client_address_apart() {
    let app = TestApp::spawn_with(switchboard::clock::Clock::system(), |config| {
        config.trusted_proxies = vec!["127.0.0.1".into()];
        config.sign_in_per_minute = 1000;
    });
    thirty_failures_from(&app, "203.0.113.1");
    let locked = wrong_sign_in_from(&app, "admin@example.com", "203.0.113.1").text().unwrap();
    assert!(locked.contains("Sign-in is locked"), "the guessing address is locked out");
    assert_eq!(sign_in_from(&app, "203.0.113.2").status(), 303, "someone else still signs in");
}

#[test]
fn without_trusted_proxies_a_forwarded_address_is_ignored() {
    let app = TestApp::spawn_with(switchboard::clock::Clock::system(), |config| config.sign_in_per_minute = 1000);
    thirty_failures_from(&app, "203.0.113.1");
    let refused = sign_in_from(&app, "203.0.113.2");
    assert_eq!(refused.status(), 200, "the header does not pick another address");
    assert!(refused.text().unwrap().contains("Sign-in is locked"));
}

#[test]
fn sign_in_posts_and_help_pages_beyond_their_rate_are_answered_429_per_address() {
    let app = TestApp::spawn_with(switchboard::clock::Clock::system(), |config| {
        config.trusted_proxies = vec!["127.0.0.1".into()];
        config.public_pages_per_minute = 6;
    });
    // The sign-in allowance is 20 a minute, ten at once.
    let statuses: Vec<u16> = (0..10)
        .map(|n| wrong_sign_in_from(&app, &format!("guess{n}@example.com"), "198.51.100.1").status().as_u16())
        .collect();
    assert_eq!(statuses, [200; 10]);
    let limited = wrong_sign_in_from(&app, "someone@example.com", "198.51.100.1");
    assert_eq!(limited.status(), 429);
    let wait: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=4).contains(&wait), "retry after {wait} s");
    assert_eq!(sign_in_from(&app, "198.51.100.2").status(), 303, "another address signs in");

    let help = |from: &str| {
        client().get(format!("{}/help", app.base)).header("X-Forwarded-For", from).send().unwrap().status().as_u16()
    };
    let statuses: Vec<u16> = (0..4).map(|_| help("198.51.100.3")).collect();
    assert_eq!(statuses, [200, 200, 200, 429], "three at once, then wait");
    assert_eq!(help("198.51.100.4"), 200);
    assert_eq!(app.ok("get-users", json!({}))[0]["id"], app.admin_id.to_string(), "the API is not limited by these");
}
