use crate::support::TestApp;
use serde_json::json;

#[test]
fn login_with_email_and_password_answers_the_user_and_a_signed_cookie_value() {
    let app = TestApp::spawn();
    let id = app
        .ok("add-user", json!({ "first_name": "Ann", "email": "ann@example.com", "password": "s3cret-pass" }))
        .as_i64()
        .unwrap();
    let response = app.ok("login", json!({ "email": "ann@example.com", "password": "s3cret-pass" }));
    assert_eq!(response[0]["id"], id.to_string());
    assert_eq!(response[0]["first_name"], "Ann");
    assert_eq!(response[0]["token"], app.token_of(id));
    let cookie = response[1].as_str().unwrap();
    assert!(!cookie.contains("ann@example.com") && !cookie.contains('{'), "not readable data: {cookie}");
    assert_eq!(app.ok("login", json!({ "email": "ann@example.com", "password": "wrong-pass" })), false);
    assert_eq!(app.ok("login", json!({ "email": "nobody@example.com", "password": "s3cret-pass" })), false);
    assert_eq!(app.call("login", json!({ "email": "ann@example.com" }))["response"], "missing-argument");
}

#[test]
fn login_with_user_id_and_user_token_works_and_a_wrong_token_does_not() {
    let app = TestApp::spawn();
    let visitor = app.add_user("Vic", None, "visitor");
    let token = app.token_of(visitor);
    let response = app.ok("login", json!({ "user_id": visitor, "user_token": token }));
    assert_eq!(response[0]["id"], visitor.to_string());
    assert_eq!(app.ok("login", json!({ "user_id": visitor, "user_token": "0".repeat(40) })), false);
}

#[test]
fn logout_revokes_the_session_and_forged_cookies_are_refused() {
    let app = TestApp::spawn();
    app.ok("add-user", json!({ "email": "ann@example.com", "password": "s3cret-pass" }));
    let cookie = app.ok("login", json!({ "email": "ann@example.com", "password": "s3cret-pass" }))[1]
        .as_str()
        .unwrap()
        .to_string();
    let (payload, tag) = cookie.split_once('.').unwrap();
    let forged = format!("{}.{tag}", payload.chars().rev().collect::<String>());
    assert_eq!(app.call("logout", json!({ "login_cookie": forged }))["response"], "invalid-argument");
    let fresh =
        app.ok("update-login", json!({ "login_cookie": cookie, "first_name": "Annie", "email": "ann@example.com" }));
    assert_eq!(
        app.call("logout", json!({ "login_cookie": cookie }))["response"],
        "invalid-argument",
        "replaced sessions end"
    );
    assert_eq!(app.ok("logout", json!({ "login_cookie": fresh })), true);
    assert_eq!(
        app.call("update-login", json!({ "login_cookie": fresh, "first_name": "X" }))["response"],
        "invalid-argument"
    );
    assert_eq!(app.ok("logout", json!({})), true, "with no session named there is nothing to end");
}

#[test]
fn update_login_rewrites_the_logged_in_users_profile_and_clears_what_is_not_sent() {
    let app = TestApp::spawn();
    let id = app.ok("add-user", json!({ "first_name": "Ann", "last_name": "Lee", "email": "ann@example.com", "password": "s3cret-pass", "department": 2 })).as_i64().unwrap();
    app.add_user("Bob", Some("bob@example.com"), "user");
    let cookie = app.ok("login", json!({ "email": "ann@example.com", "password": "s3cret-pass" }))[1].clone();
    let fresh =
        app.ok("update-login", json!({ "login_cookie": cookie, "first_name": "Annie", "email": "annie@example.com" }));
    assert!(fresh.as_str().is_some_and(|c| !c.is_empty()));
    let user = app.ok("get-user", json!({ "user_id": id }));
    assert_eq!(user["first_name"], "Annie");
    assert_eq!(user["last_name"], "", "fields not sent are cleared, as the contract says");
    assert_eq!(user["email"], "annie@example.com");
    assert_eq!(user["department"], json!(null));
    assert_eq!(
        app.fails("update-login", json!({ "login_cookie": fresh, "email": "bob@example.com" })),
        "duplicate-email"
    );
}

#[test]
fn update_login_with_the_cookie_of_a_deleted_user_changes_no_one() {
    let app = TestApp::spawn();
    let id = app
        .ok("add-user", json!({ "first_name": "Ann", "email": "ann@example.com", "password": "s3cret-pass" }))
        .as_i64()
        .unwrap();
    let cookie = app.ok("login", json!({ "email": "ann@example.com", "password": "s3cret-pass" }))[1].clone();
    app.ok("delete-user", json!({ "user_id": id }));
    let users_before = app.ok("count-users", json!({}));

    let envelope = app.call("update-login", json!({ "login_cookie": cookie, "first_name": "Ghost" }));

    // Not `user-not-found`, which the README's table lists for writes to a missing
    // user: the session ends with its user (ON DELETE CASCADE), so the cookie is
    // refused before any user is looked up.
    assert_eq!(envelope["response"], "invalid-argument", "{envelope}");
    assert_eq!(envelope["message"], "The argument 'login_cookie' is invalid: the session has ended.");
    assert_eq!(app.ok("count-users", json!({})), users_before, "no one was created");
    assert_eq!(app.ok("get-user", json!({ "user_id": app.admin_id }))["first_name"], "Admin", "nor the admin changed");
}
