//! Arbitrary bytes at every argument of the dispatch endpoint and at the public
//! pages' query strings: never a 5xx, never `database-error` or `internal-error`,
//! and the server still answers afterwards.

use crate::support::TestApp;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::collections::BTreeSet;

/// Every argument name the API reads, found in the handlers' source
/// (`args.<accessor>("name"`), so a new argument is fuzzed without a list to keep.
fn argument_names() -> Vec<String> {
    let mut names = BTreeSet::new();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/api");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            continue;
        }
        let source = std::fs::read_to_string(path).unwrap();
        for piece in source.split("args.").skip(1) {
            let Some((accessor, rest)) = piece.split_once("(\"") else { continue };
            if !accessor.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                continue;
            }
            if let Some((name, _)) = rest.split_once('"') {
                names.insert(name.to_string());
            }
        }
    }
    assert!(names.len() > 50, "the argument names were found: {names:?}");
    names.into_iter().collect()
}

/// The argument names each function's handler file reads (plus the shared user
/// arguments), from the dispatch table's source: `("name", Kind(module::handler))`.
fn arguments_by_function() -> Vec<(String, Vec<String>)> {
    let api = concat!(env!("CARGO_MANIFEST_DIR"), "/src/api");
    let names_in = |file: &str| -> Vec<String> {
        let source = std::fs::read_to_string(format!("{api}/{file}.rs")).unwrap_or_default();
        let mut names = BTreeSet::new();
        for piece in source.split("args.").skip(1) {
            let Some((accessor, rest)) = piece.split_once("(\"") else { continue };
            if accessor.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                if let Some((name, _)) = rest.split_once('"') {
                    names.insert(name.to_string());
                }
            }
        }
        names.into_iter().collect()
    };
    let shared = names_in("user_args");
    let table = std::fs::read_to_string(format!("{api}/mod.rs")).unwrap();
    let mut functions = Vec::new();
    for line in table.lines().map(str::trim).filter(|l| l.starts_with("(\"")) {
        let Some((name, rest)) = line[2..].split_once('"') else { continue };
        let Some(module) = rest.split('(').nth(1).and_then(|r| r.split("::").next()) else { continue };
        let mut names = names_in(module);
        names.extend(shared.iter().cloned());
        functions.push((name.to_string(), names));
    }
    assert_eq!(functions.len(), switchboard::api::FUNCTIONS.len(), "every function of the table was read");
    functions
}

/// The values most likely to reach SQLite or a parser unchecked.
const DANGEROUS: [&[u8]; 9] = [
    b"\0",
    b"a\0b",
    &[0xff, 0xfe, 0x80],
    b"99999999999999999999999999",
    b"-1",
    b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1",
    b"0001-01-01 00:00:00",
    b"31/12/9999",
    b"\"NEAR(a b) OR *:",
];

/// An app whose API limits are out of the way: these tests send thousands of calls
/// a minute from one address with one token (and many without one), to check
/// answers, not the limits (`api_limits.rs` checks those).
fn unlimited_api() -> TestApp {
    TestApp::spawn_with(switchboard::clock::Clock::system(), |config| {
        config.api_calls_per_minute_per_token = 100_000_000;
        config.api_calls_per_minute_per_address = 100_000_000;
        config.api_failed_auth_per_minute = 100_000_000;
    })
}

#[test]
fn every_argument_of_every_function_takes_dangerous_values_without_failing_the_server() {
    let app = unlimited_api();
    let user = app.add_user("Fuzz", Some("fuzz@example.com"), "user");
    let conversation = app.new_conversation(user);
    let message = app.send(user, conversation, "a message to find");
    // Valid IDs for the other arguments, so each hostile value gets past them.
    let context =
        format!("user_id={user}&conversation_id={conversation}&message_id={message}&agent_id={}", app.admin_id);
    let destructive =
        ["delete-user", "delete-users", "delete-leads", "clean-data", "delete-message", "update-user-to-lead"];
    let mut sent = 0;
    for (function, names) in arguments_by_function() {
        for name in &names {
            for value in DANGEROUS {
                let base = if destructive.contains(&function.as_str()) { String::new() } else { format!("&{context}") };
                let body = format!("token={}&function={function}{base}&{name}={}", app.token, percent(value));
                let response = app
                    .client
                    .post(app.api_url())
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .unwrap();
                assert_eq!(response.status(), 200, "{function} {name}={value:?}");
                let envelope: serde_json::Value = serde_json::from_str(&response.text().unwrap()).unwrap();
                let code = envelope["response"].as_str().unwrap_or_default();
                assert!(
                    envelope["success"] == true || !["database-error", "internal-error"].contains(&code),
                    "{function} {name}={value:?} answered {envelope}"
                );
                sent += 1;
            }
        }
    }
    assert!(sent > 5_000, "{sent} calls");
    assert_eq!(app.ok("get-user", serde_json::json!({ "user_id": user }))["id"], user.to_string(), "still answering");
}

/// Values meant to break parsers and queries, and plain random bytes.
fn hostile_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"\0".to_vec()),
        Just(b"a\0b".to_vec()),
        Just(vec![0xff, 0xfe, 0x80]),
        Just(b"99999999999999999999999999".to_vec()),
        Just(b"-9223372036854775808".to_vec()),
        Just(b"9223372036854775807".to_vec()),
        Just(b"1e308".to_vec()),
        Just(b"NaN".to_vec()),
        Just(b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]".to_vec()),
        Just(br#"{"a":{"b":{"c":[1,2,{"d":null}]}}"#.to_vec()),
        Just(b"[\"user\",\"DESC\",\"x\"]".to_vec()),
        Just(b"0001-01-01 00:00:00".to_vec()),
        Just(b"9999-12-31".to_vec()),
        Just(b"01/01/0001".to_vec()),
        Just(b"31/12/9999".to_vec()),
        Just(b"\"NEAR(a b) OR *".to_vec()),
        Just(b"<script>alert(1)</script>".to_vec()),
        Just(b"javascript:alert(1)".to_vec()),
        Just(b"-1".to_vec()),
        Just(b"0".to_vec()),
        Just(b"true".to_vec()),
        Just(b"false".to_vec()),
        Just(b"".to_vec()),
        Just("x".repeat(70_000).into_bytes()),
        prop::collection::vec(any::<u8>(), 0..64),
    ]
}

/// A key in PHP's bracket spelling, sometimes nested or malformed.
fn key_for(name: String) -> impl Strategy<Value = String> {
    prop_oneof![
        Just(name.clone()),
        Just(format!("{name}[]")),
        Just(format!("{name}[0]")),
        Just(format!("{name}[x][]")),
        Just(format!("{name}{}", "[a]".repeat(20))),
        Just(format!("{name}[")),
    ]
}

fn percent(bytes: &[u8]) -> String {
    url::form_urlencoded::byte_serialize(bytes).collect()
}

/// A form body for one function with a few hostile arguments.
fn api_body(functions: Vec<&'static str>, names: Vec<String>) -> impl Strategy<Value = (String, String)> {
    let argument = prop::sample::select(names).prop_flat_map(key_for);
    (prop::sample::select(functions), prop::collection::vec((argument, hostile_bytes()), 1..6)).prop_map(
        |(function, arguments)| {
            let body = arguments.iter().map(|(key, value)| format!("{}={}", percent(key.as_bytes()), percent(value)));
            (function.to_string(), body.collect::<Vec<_>>().join("&"))
        },
    )
}

#[test]
fn arbitrary_arguments_to_every_function_never_fail_the_server() {
    let app = unlimited_api();
    let user = app.add_user("Fuzz", Some("fuzz@example.com"), "user");
    let conversation = app.new_conversation(user);
    app.send(user, conversation, "a message to find");
    // Functions that reach other services or wait on purpose are left out only
    // when they would slow every case down, never because they fail.
    let functions: Vec<&'static str> = switchboard::api::FUNCTIONS.iter().map(|(name, _)| *name).collect();
    let mut runner = TestRunner::new(Config { cases: 400, failure_persistence: None, ..Config::default() });
    runner
        .run(&api_body(functions, argument_names()), |(function, arguments)| {
            let body = format!("token={}&function={function}&{arguments}", app.token);
            let response = app
                .client
                .post(app.api_url())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .unwrap();
            prop_assert_eq!(response.status().as_u16(), 200);
            let text = response.text().unwrap();
            let envelope: serde_json::Value =
                serde_json::from_str(&text).map_err(|_| TestCaseError::fail(format!("not JSON: {text}")))?;
            let code = envelope["response"].as_str().unwrap_or_default();
            prop_assert!(
                envelope["success"] == true || !["database-error", "internal-error"].contains(&code),
                "{} {} answered {}",
                function,
                arguments.chars().take(300).collect::<String>(),
                text
            );
            Ok(())
        })
        .unwrap();
    assert_eq!(app.ok("get-user", serde_json::json!({ "user_id": user }))["first_name"], "Fuzz", "still answering");
}

#[test]
fn arbitrary_bodies_of_every_kind_are_answered_with_an_envelope() {
    let app = unlimited_api();
    let content_types = prop::sample::select(vec![
        "application/x-www-form-urlencoded",
        "application/json",
        "multipart/form-data; boundary=XyZ",
        "multipart/form-data",
        "text/plain",
        "",
    ]);
    let bodies = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        hostile_bytes(),
        Just(
            format!(
                "{{\"token\":\"{}\",\"function\":\"get-users\",\"user_types\":{}}}",
                "0".repeat(40),
                "[".repeat(200)
            )
            .into_bytes()
        ),
        Just(b"--XyZ\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nabc\r\n--XyZ--\r\n".to_vec()),
        Just(b"--XyZ\r\nContent-Disposition: form-data; name=\"function\"\r\n\r\n\xff\xfe\r\n--XyZ".to_vec()),
    ];
    let mut runner = TestRunner::new(Config { cases: 200, failure_persistence: None, ..Config::default() });
    runner
        .run(&(content_types, bodies), |(content_type, body)| {
            let mut request = app.client.post(app.api_url()).body(body.clone());
            if !content_type.is_empty() {
                request = request.header("Content-Type", content_type);
            }
            let response = request.send().unwrap();
            prop_assert_eq!(response.status().as_u16(), 200);
            let envelope: serde_json::Value = serde_json::from_str(&response.text().unwrap()).unwrap();
            prop_assert_eq!(&envelope["success"], false);
            let code = envelope["response"].as_str().unwrap_or_default();
            prop_assert!(
                !["database-error", "internal-error"].contains(&code),
                "{} {:?}: {}",
                content_type,
                body,
                envelope
            );
            Ok(())
        })
        .unwrap();
    assert_eq!(app.ok("get-users", serde_json::json!({}))[0]["id"], app.admin_id.to_string());
}

/// Every public page with every query argument it could read set to each
/// dangerous value (and a line break, for the addresses pages redirect to).
#[test]
fn every_public_page_takes_dangerous_query_values_without_a_server_error() {
    let app =
        TestApp::spawn_with(switchboard::clock::Clock::system(), |config| config.public_pages_per_minute = 100_000);
    app.ok(
        "save-articles",
        serde_json::json!({ "articles": [{ "id": "A1", "title": "Refunds", "content": "<p>How</p>" }] }),
    );
    let article = app.ok("get-articles", serde_json::json!({}))[0]["url"].as_str().unwrap().to_string();
    let article = article.trim_start_matches(&app.base).split('?').next().unwrap().to_string();
    let client = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let pages = [
        "/help",
        "/help/search",
        "/help/sitemap.xml",
        "/help/articles",
        &article,
        "/admin/login",
        "/admin/password-reset",
        "/",
    ];
    let line_break: &[u8] = b"/admin\r\nSet-Cookie: x=1";
    for page in pages {
        for name in ["q", "lang", "next", "done", "rated", "sent"] {
            for value in DANGEROUS.iter().copied().chain([line_break]) {
                let url = format!("{}{page}?{name}={}", app.base, percent(value));
                let status = client.get(&url).send().unwrap().status();
                assert!(status.as_u16() < 500, "{page}?{name}={value:?} answered {status}");
            }
        }
    }
}

#[test]
fn arbitrary_query_strings_on_every_public_page_never_answer_a_server_error() {
    let app =
        TestApp::spawn_with(switchboard::clock::Clock::system(), |config| config.public_pages_per_minute = 100_000);
    app.ok("save-articles-categories", serde_json::json!({ "categories": [{ "id": "c1", "title": "Billing" }] }));
    app.ok(
        "save-articles",
        serde_json::json!({ "articles": [{ "id": "A1", "title": "Refunds", "content": "<p>How</p>", "categories": ["c1"] }] }),
    );
    let article = app.ok("get-articles", serde_json::json!({}))[0]["url"].as_str().unwrap().to_string();
    let article_path = article.trim_start_matches(&app.base).split('?').next().unwrap().to_string();
    let paths = prop::sample::select(vec![
        "/help".to_string(),
        "/help/search".to_string(),
        "/help/sitemap.xml".to_string(),
        "/help/billing".to_string(),
        article_path,
        "/admin/login".to_string(),
        "/admin/password-reset".to_string(),
        "/".to_string(),
    ]);
    let names = prop::sample::select(vec!["q", "lang", "next", "done", "rated", "sent", "x"]);
    let query = prop::collection::vec((names, hostile_bytes()), 0..4);
    let client = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut runner = TestRunner::new(Config { cases: 300, failure_persistence: None, ..Config::default() });
    runner
        .run(&(paths, query), |(path, query)| {
            // Addresses stay under the HTTP client's own length limit.
            let query: Vec<String> = query
                .iter()
                .map(|(name, value)| format!("{name}={}", percent(&value[..value.len().min(2000)])))
                .collect();
            let url = format!("{}{path}?{}", app.base, query.join("&"));
            let status = client.get(&url).send().unwrap().status().as_u16();
            prop_assert!(status < 500, "{} answered {}", url.chars().take(300).collect::<String>(), status);
            Ok(())
        })
        .unwrap();
    assert_eq!(client.get(format!("{}/help", app.base)).send().unwrap().status(), 200);
}
