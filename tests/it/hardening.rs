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
