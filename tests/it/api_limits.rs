//! The API's rate limits: per token, and failed authentication per address.

use crate::support::{php, TestApp};
use serde_json::{json, Value};

/// Calls `get-users` with `token` from a client bound to `local` (a loopback address).
fn call_from(app: &TestApp, local: &str, token: &str) -> (Value, Option<String>) {
    call_forwarded(app, local, None, token)
}

/// The same, saying the call was forwarded for `forwarded_for` (`X-Forwarded-For`).
fn call_forwarded(app: &TestApp, local: &str, forwarded_for: Option<&str>, token: &str) -> (Value, Option<String>) {
    let client =
        reqwest::blocking::Client::builder().local_address(local.parse::<std::net::IpAddr>().unwrap()).build().unwrap();
    let body = php::http_build_query(&json!({ "token": token, "function": "get-users" }));
    let mut request = client.post(app.api_url()).header("Content-Type", "application/x-www-form-urlencoded");
    if let Some(forwarded_for) = forwarded_for {
        request = request.header("X-Forwarded-For", forwarded_for);
    }
    let response = request.body(body).send().unwrap();
    assert_eq!(response.status(), 200, "API answers are HTTP 200");
    let retry = response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_string());
    (response.json().unwrap(), retry)
}

#[test]
fn a_wrong_token_flood_from_one_address_is_cut_off_while_another_address_still_works() {
    let app = TestApp::spawn_with(switchboard::clock::Clock::system(), |config| {
        config.api_failed_auth_per_minute = 5;
    });
    let wrong = "0123456789abcdef0123456789abcdef01234567";
    for n in 0..5 {
        let (answer, retry) = call_from(&app, "127.0.0.1", wrong);
        assert_eq!(answer["response"], json!("invalid-token"), "failure {n} is answered as such");
        assert_eq!(retry, None);
    }
    let (answer, retry) = call_from(&app, "127.0.0.1", wrong);
    assert_eq!(answer["status"], json!("error"));
    assert_eq!(answer["response"], json!("too-many-requests"), "{answer}");
    let seconds: u64 = retry.expect("a Retry-After header").parse().unwrap();
    assert!((55..=61).contains(&seconds), "{seconds}");
    let (answer, _) = call_from(&app, "127.0.0.1", &app.token);
    assert_eq!(answer["response"], json!("too-many-requests"), "whatever the token: {answer}");

    let (answer, _) = call_from(&app, "127.0.0.2", &app.token);
    assert_eq!(answer["success"], json!(true), "another address is unaffected: {answer}");
    let (answer, _) = call_from(&app, "127.0.0.2", wrong);
    assert_eq!(answer["response"], json!("invalid-token"));
}

#[test]
fn a_token_over_its_allowance_gets_too_many_requests_and_other_tokens_do_not() {
    let app = TestApp::spawn_with(switchboard::clock::Clock::system(), |config| {
        config.api_calls_per_minute_per_token = 5;
    });
    let other = app.add_user("Other", Some("other@example.com"), "admin");
    let other_token = app.token_of(other);
    // add-user and token_of spent two of the admin's five.
    for _ in 0..3 {
        app.ok("get-users", json!({}));
    }
    let (answer, retry) = call_from(&app, "127.0.0.1", &app.token);
    assert_eq!(answer["response"], json!("too-many-requests"), "{answer}");
    assert!(retry.is_some());
    let (answer, _) = call_from(&app, "127.0.0.1", &other_token);
    assert_eq!(answer["success"], json!(true), "{answer}");
}

#[test]
fn an_address_over_its_allowance_gets_too_many_requests_and_other_addresses_do_not() {
    let app = TestApp::spawn_with(switchboard::clock::Clock::system(), |config| {
        config.api_calls_per_minute_per_address = 3;
    });
    for n in 0..3 {
        let (answer, _) = call_from(&app, "127.0.0.2", &app.token);
        assert_eq!(answer["success"], json!(true), "call {n}: {answer}");
    }
    let (answer, retry) = call_from(&app, "127.0.0.2", &app.token);
    assert_eq!(answer["response"], json!("too-many-requests"), "{answer}");
    let seconds: u64 = retry.expect("a Retry-After header").parse().unwrap();
    // Three calls at once count a whole minute, then slide out one every 20 s.
    assert!((60..=81).contains(&seconds), "{seconds}");
    let (answer, _) = call_from(&app, "127.0.0.3", &app.token);
    assert_eq!(answer["success"], json!(true), "the same token from another address: {answer}");
}

#[test]
fn behind_a_trusted_proxy_the_forwarded_address_is_the_one_cut_off() {
    let app = TestApp::spawn_with(switchboard::clock::Clock::system(), |config| {
        config.api_failed_auth_per_minute = 3;
        config.trusted_proxies = vec!["127.0.0.1".into()];
    });
    let wrong = "0123456789abcdef0123456789abcdef01234567";
    let flood = Some("203.0.113.5");
    for _ in 0..3 {
        let (answer, _) = call_forwarded(&app, "127.0.0.1", flood, wrong);
        assert_eq!(answer["response"], json!("invalid-token"), "{answer}");
    }
    let (answer, retry) = call_forwarded(&app, "127.0.0.1", flood, wrong);
    assert_eq!(answer["response"], json!("too-many-requests"), "the fourth failure: {answer}");
    assert!(retry.is_some());
    let (answer, _) = call_forwarded(&app, "127.0.0.1", flood, &app.token);
    assert_eq!(answer["response"], json!("too-many-requests"), "whatever the token: {answer}");
    let (answer, _) = call_forwarded(&app, "127.0.0.1", Some("203.0.113.6"), &app.token);
    assert_eq!(answer["success"], json!(true), "another client behind the same proxy: {answer}");
    // Only a trusted proxy is believed: from elsewhere the header changes nothing.
    for _ in 0..4 {
        call_forwarded(&app, "127.0.0.2", Some("198.51.100.1"), wrong);
    }
    let (answer, _) = call_forwarded(&app, "127.0.0.2", Some("198.51.100.2"), &app.token);
    assert_eq!(answer["response"], json!("too-many-requests"), "counted as 127.0.0.2 itself: {answer}");
}
