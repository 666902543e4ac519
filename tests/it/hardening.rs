//! Anonymous traffic must never stall the server: floods of public requests run
//! while an admin script calls the API, and bad input never reaches SQLite.

use crate::support::TestApp;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A client with its own cookie jar, like one browser.
fn browser() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().cookie_store(true).timeout(Duration::from_secs(60)).build().unwrap()
}

/// A wrong-password sign-in at `/admin/login`, with the form's CSRF token; answers
/// the HTTP status.
fn wrong_sign_in(base: &str, email: &str) -> u16 {
    let client = browser();
    let page = client.get(format!("{base}/admin/login")).send().unwrap().text().unwrap();
    let token = page.split("name=\"csrf_token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let form = [("email", email), ("password", "not-the-password"), ("csrf_token", token.as_str())];
    client.post(format!("{base}/admin/login")).form(&form).send().unwrap().status().as_u16()
}

#[test]
fn floods_of_help_searches_and_wrong_sign_ins_never_stall_the_api_or_answer_a_server_error() {
    let app = TestApp::spawn();
    let articles: Vec<_> = (0..20)
        .map(|n| json!({ "id": "", "title": format!("Refund policy {n}"), "content": format!("<p>How refunds work, part {n}.</p>") }))
        .collect();
    app.ok("save-articles", json!({ "articles": articles }));
    let user = app.add_user("Flood", Some("flood@example.com"), "user");
    let conversation = app.new_conversation(user);

    let server_errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let searches_left = Arc::new(AtomicUsize::new(100));
    let mut flood = Vec::new();
    for n in 0..100 {
        let (base, errors, left) = (app.base.clone(), server_errors.clone(), searches_left.clone());
        flood.push(std::thread::spawn(move || {
            let status = browser().get(format!("{base}/help/search?q=refund+{n}")).send().unwrap().status();
            if status.is_server_error() {
                errors.lock().unwrap().push(format!("help search: {status}"));
            }
            left.fetch_sub(1, Ordering::SeqCst);
        }));
    }
    for n in 0..50 {
        let (base, errors) = (app.base.clone(), server_errors.clone());
        flood.push(std::thread::spawn(move || {
            // Staff accounts and unknown ones alike.
            let email = if n % 2 == 0 { "admin@example.com".to_string() } else { format!("nobody{n}@example.com") };
            let status = wrong_sign_in(&base, &email);
            if status >= 500 {
                errors.lock().unwrap().push(format!("sign-in: {status}"));
            }
        }));
    }

    // The admin script: it must be served promptly all along.
    let mut slowest = Duration::ZERO;
    let mut calls = 0;
    let started = Instant::now();
    while (searches_left.load(Ordering::SeqCst) > 0 || calls < 20) && started.elapsed() < Duration::from_secs(120) {
        let call = Instant::now();
        app.ok("get-users", json!({}));
        app.send(user, conversation, &format!("still here {calls}"));
        slowest = slowest.max(call.elapsed());
        calls += 1;
    }
    for thread in flood {
        thread.join().unwrap();
    }

    assert_eq!(*server_errors.lock().unwrap(), Vec::<String>::new(), "no request answers a server error");
    assert_eq!(searches_left.load(Ordering::SeqCst), 0, "every search was answered");
    assert!(slowest < Duration::from_secs(2), "an API call took {slowest:?} during the flood ({calls} calls)");
    let messages = app.ok("get-conversation", json!({ "conversation_id": conversation }))["messages"].clone();
    assert_eq!(messages.as_array().unwrap().len(), calls, "every message the script sent was stored");
}

/// `a[]=1&a[]=1…` up to `bytes`.
fn appended_pairs(bytes: usize) -> String {
    let mut body = String::with_capacity(bytes + 8);
    while body.len() + 6 <= bytes {
        body.push_str("a[]=1&");
    }
    body
}

#[test]
fn a_two_mebibyte_body_of_appended_pairs_is_answered_within_a_second_with_or_without_a_token() {
    let app = TestApp::spawn();
    let pairs = appended_pairs(2 * 1024 * 1024 - 200);
    for token in ["", app.token.as_str()] {
        let started = Instant::now();
        let answer = app.post_form(format!("token={token}&function=get-users&{pairs}"));
        let took = started.elapsed();
        assert!(took < Duration::from_secs(1), "took {took:?} (token {token:?})");
        assert_eq!(answer["response"], "request-too-large", "{answer}");
        assert_eq!(answer["message"], "The request has more than 20000 arguments.");
    }
    // Under the field limit, a wrong token is refused before the arguments are built.
    let pairs = appended_pairs(6 * 19_000);
    let started = Instant::now();
    let answer = app.post_form(format!("token={}&function=get-users&{pairs}", "0".repeat(40)));
    assert_eq!(answer["response"], "invalid-token", "{answer}");
    assert!(started.elapsed() < Duration::from_secs(1));
    let answer = app.post_form(format!("token={}&function=get-users&{pairs}", app.token));
    assert_eq!(answer["response"][0]["id"], app.admin_id.to_string(), "{answer}");
}

#[test]
fn a_long_list_of_appended_pairs_still_builds_in_order_under_the_field_limit() {
    let app = TestApp::spawn();
    let ids: Vec<i64> = (0..3).map(|n| app.add_user(&format!("P{n}"), None, "visitor")).collect();
    let mut body = format!("token={}&function=delete-users", app.token);
    for _ in 0..5000 {
        body.push_str(&format!("&user_ids[]={}", ids[0]));
    }
    body.push_str(&format!("&user_ids[]={}&user_ids[]={}", ids[1], ids[2]));
    assert_eq!(app.post_form(body)["response"], true);
    for id in ids {
        assert_eq!(app.ok("get-user", json!({ "user_id": id })), json!(false), "user {id} was deleted");
    }
}

#[test]
fn list_arguments_beyond_their_cap_are_invalid_arguments_not_database_errors() {
    let app = TestApp::spawn();
    let types = vec!["user"; 40_000].join(",");
    let answer = app.call("get-users", json!({ "user_types": types }));
    assert_eq!(answer["response"], "invalid-argument", "{answer}");
    assert!(answer["message"].as_str().unwrap().contains("more than 8 items"), "{answer}");
    let ids: Vec<String> = (1..=10_001).map(|n| n.to_string()).collect();
    let answer = app.call("delete-users", json!({ "user_ids": ids.join(",") }));
    assert_eq!(answer["response"], "invalid-argument", "{answer}");
    assert!(answer["message"].as_str().unwrap().contains("more than 10000 items"), "{answer}");
    let slugs: Vec<String> = (0..101).map(|n| format!("s{n}")).collect();
    let answer = app.call("get-users-with-details", json!({ "details": slugs }));
    assert_eq!(answer["response"], "invalid-argument", "{answer}");
}

#[test]
fn a_nul_byte_in_a_search_finds_by_the_words_around_it_everywhere() {
    let app = TestApp::spawn();
    let user = app.add_user("Nulla", Some("nulla@example.com"), "user");
    let conversation = app.new_conversation(user);
    app.send(user, conversation, "invoice overdue");
    app.ok(
        "save-articles",
        json!({ "articles": [{ "id": "", "title": "Invoices", "content": "<p>overdue invoices</p>" }] }),
    );

    let found = app.ok("search-users", json!({ "search": "nulla\0" }));
    assert_eq!(found[0]["first_name"], "Nulla", "{found}");
    let found = app.ok("search-conversations", json!({ "search": "invoice\0overdue" }));
    assert_eq!(found[0]["conversation_id"], conversation.to_string(), "{found}");
    let found = app.ok("search-articles", json!({ "search": "overdue\0" }));
    assert_eq!(found[0]["title"], "Invoices", "{found}");
    let page = browser().get(format!("{}/help/search?q=overdue%00invoices", app.base)).send().unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().unwrap().contains(">Invoices<"), "the help search finds the article");

    let admin = browser();
    let login = admin.get(format!("{}/admin/login", app.base)).send().unwrap().text().unwrap();
    let token = login.split("name=\"csrf_token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let form = [("email", "admin@example.com"), ("password", "admin-password"), ("csrf_token", token.as_str())];
    admin.post(format!("{}/admin/login", app.base)).form(&form).send().unwrap();
    let inbox = admin.get(format!("{}/admin?q=invoice%00overdue", app.base)).send().unwrap();
    assert_eq!(inbox.status(), 200);
    assert!(inbox.text().unwrap().contains("invoice overdue"), "the inbox search finds the conversation");
    let people = admin.get(format!("{}/admin/users?q=nulla%00", app.base)).send().unwrap();
    assert_eq!(people.status(), 200);
    assert!(people.text().unwrap().contains("nulla@example.com"), "the people search finds the user");
}

#[test]
fn a_sign_in_form_whose_next_holds_a_line_break_goes_to_the_admin_home() {
    let app = TestApp::spawn();
    let client = reqwest::blocking::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client.get(format!("{}/admin/login", app.base)).send().unwrap().text().unwrap();
    let token = page.split("name=\"csrf_token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let form = [
        ("email", "admin@example.com"),
        ("password", "admin-password"),
        ("csrf_token", token.as_str()),
        ("next", "/admin/users\r\nSet-Cookie: evil=1"),
    ];
    let signed_in = client.post(format!("{}/admin/login", app.base)).form(&form).send().unwrap();
    assert_eq!(signed_in.status(), 303);
    assert_eq!(signed_in.headers()["location"], "/admin");
    assert!(signed_in.headers().get_all("set-cookie").iter().all(|c| !c.to_str().unwrap().contains("evil")));
    let page = client.get(format!("{}/admin/login?next=%2Fadmin%0D%0Ax", app.base)).send().unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().unwrap().contains("name=\"next\" value=\"/admin\""));
}
