//! The audit log: every change a token or a person makes is recorded with who,
//! from where and what; admins read it through `get-audit-log`, `/admin/audit`
//! and its CSV; it is append-only, and its retention prunes it.

use crate::admin::signed_in_client;
use crate::admin_backoffice::csrf_of;
use crate::binary::switchboard;
use crate::support::TestApp;
use serde_json::{json, Value};
use switchboard::jobs;

/// The log's entries with `action`, newest first.
fn entries(app: &TestApp, action: &str) -> Vec<Value> {
    let all = app.ok("get-audit-log", json!({ "action": action }));
    all.as_array().unwrap().iter().filter(|e| e["action"] == action).cloned().collect()
}

/// The one entry with `action`, failing with the whole log when there is none.
fn entry(app: &TestApp, action: &str) -> Value {
    let found = entries(app, action);
    let log = app.ok("get-audit-log", json!({}));
    assert!(!found.is_empty(), "no {action} in {log:#}");
    found[0].clone()
}

#[test]
fn changes_through_an_api_token_are_recorded_with_the_token_holder_and_address() {
    let app = TestApp::spawn();
    let id = app.add_user("Vera", Some("vera@example.com"), "user");
    app.ok("update-user", json!({ "user_id": id, "first_name": "Vera", "last_name": "Lynn" }));
    app.ok("update-user", json!({ "user_id": id, "user_type": "agent" }));
    app.ok("save-settings", json!({ "settings": { "smtp-password": "hunter2-secret", "smtp-host": "mail.test" } }));
    let automations = app.ok("automations-get", json!({}));
    app.ok("automations-save", json!({ "automations": automations.to_string() }));
    app.ok("save-articles", json!({ "articles": "{\"articles\":[{\"id\":\"\",\"title\":\"Fresh\"}]}" }));
    app.ok("delete-user", json!({ "user_id": id }));

    for action in ["user.create", "user.update", "user.role", "settings.save", "automations.save"] {
        let found = entry(&app, action);
        assert_eq!(found["user_id"], "1", "{action} names the token's admin: {found}");
        assert_eq!(found["actor"], "admin@example.com");
        assert_eq!((found["via"].as_str(), found["address"].as_str()), (Some("api"), Some("127.0.0.1")), "{found}");
    }
    assert_eq!(entry(&app, "user.create")["target"], format!("user {id}"));
    assert_eq!(entry(&app, "user.update")["details"]["last_name"], json!(["Test", "Lynn"]));
    assert_eq!(entry(&app, "user.role")["details"]["user_type"], json!(["user", "agent"]));
    assert_eq!(entry(&app, "user.delete")["details"]["email"], "vera@example.com");
    assert_eq!(entry(&app, "article.replace-all")["user_id"], "1");
    let settings = entry(&app, "settings.save")["details"].clone();
    assert_eq!(settings["smtp-host"], json!({ "before": "", "after": "mail.test" }));
    assert_eq!(settings["smtp-password"]["after"], "********", "secrets are masked: {settings}");
    assert!(!app.ok("get-audit-log", json!({})).to_string().contains("hunter2"), "never the secret itself");
}

#[test]
fn sign_ins_failures_and_admin_page_actions_are_recorded_with_the_person_and_address() {
    let app = TestApp::spawn();
    // A wrong password from another address, typed as a spreadsheet formula.
    let elsewhere = reqwest::blocking::Client::builder()
        .cookie_store(true)
        .local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = elsewhere.get(format!("{}/admin/login", app.base)).send().unwrap().text().unwrap();
    let form = [("email", "=HYPERLINK(\"x\")"), ("password", "wrong"), ("csrf_token", &csrf_of(&page)), ("next", "")];
    assert_eq!(elsewhere.post(format!("{}/admin/login", app.base)).form(&form).send().unwrap().status(), 200);
    let form = [("email", "admin@example.com"), ("password", "wrong"), ("csrf_token", &csrf_of(&page)), ("next", "")];
    elsewhere.post(format!("{}/admin/login", app.base)).form(&form).send().unwrap();

    let failed = entries(&app, "sign-in.failed");
    assert_eq!(failed.len(), 2, "{failed:?}");
    assert_eq!(failed[0]["address"], "127.0.0.2", "{failed:?}");
    assert_eq!(failed[0]["user_id"], "1", "a failure for someone's email names them");
    assert_eq!(failed[1]["user_id"], Value::Null, "an unknown email names nobody");

    let admin = signed_in_client(&app);
    let signed_in = entry(&app, "sign-in");
    assert_eq!((signed_in["user_id"].as_str(), signed_in["via"].as_str()), (Some("1"), Some("admin")));
    assert_eq!(signed_in["address"], "127.0.0.1");
    let agent = app.add_user("Kim", Some("kim@example.com"), "agent");
    let confirm = admin.get(format!("{}/admin/users/{agent}/token", app.base)).send().unwrap().text().unwrap();
    let rotated = admin
        .post(format!("{}/admin/users/{agent}/token", app.base))
        .form(&[("csrf_token", csrf_of(&confirm))])
        .send()
        .unwrap();
    assert!(rotated.status().is_success() || rotated.status().is_redirection(), "{}", rotated.status());
    let token = entry(&app, "token.rotate");
    assert_eq!((token["user_id"].as_str(), token["via"].as_str()), (Some("1"), Some("admin")), "{token}");
    assert_eq!(token["target"], format!("user {agent}"));

    // The page shows it all, and filters by action.
    let page = admin.get(format!("{}/admin/audit", app.base)).send().unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().unwrap();
    for action in ["sign-in.failed", "sign-in", "token.rotate", "user.create"] {
        assert!(page.contains(&format!("data-action=\"{action}\"")), "{action} on the page");
    }
    let only = admin.get(format!("{}/admin/audit?action=token.rotate", app.base)).send().unwrap().text().unwrap();
    assert_eq!(only.matches("data-action=").count(), 1, "only the token's entry");

    // The CSV export, formulas neutralised by the csv export's rule.
    let csv = admin.get(format!("{}/admin/audit.csv?action=sign-in", app.base)).send().unwrap();
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = csv.text().unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3, "the sign-in family: two failures and a sign-in\n{csv}");
    // Sign-in compares emails in lower case, and records them so.
    let formula = rows.iter().find(|r| r[3].contains("hyperlink")).expect("the typed email");
    assert_eq!(&formula[3], "'=hyperlink(\"x\")", "{csv}");
    assert_eq!(&formula[5], "127.0.0.2");

    // Signing out is the last thing recorded.
    let home = admin.get(format!("{}/admin", app.base)).send().unwrap().text().unwrap();
    admin.post(format!("{}/admin/logout", app.base)).form(&[("csrf_token", csrf_of(&home))]).send().unwrap();
    assert_eq!(app.ok("get-audit-log", json!({}))[0]["action"], "sign-out");
}

#[test]
fn get_audit_log_filters_by_person_action_and_dates_and_pages() {
    let app = TestApp::spawn_quiet_at("2024-03-01 09:00:00");
    let other = app.add_user("Other", Some("other@example.com"), "admin");
    let other_token = app.token_of(other);
    app.advance(86_400);
    for n in 0..105 {
        app.call_as(&other_token, "add-user", json!({ "first_name": format!("P{n}") }));
    }
    let by_other = app.ok("get-audit-log", json!({ "user_id": other }));
    assert_eq!(by_other.as_array().unwrap().len(), 100, "a page of 100");
    let other_id = other.to_string();
    assert!(by_other.as_array().unwrap().iter().all(|e| e["user_id"] == other_id.as_str()), "{by_other}");
    let second = app.ok("get-audit-log", json!({ "user_id": other, "pagination": 2 }));
    assert_eq!(second.as_array().unwrap().len(), 5);
    let first_day = app.ok("get-audit-log", json!({ "date_start": "2024-03-01", "date_end": "2024-03-01" }));
    let actions: Vec<&str> = first_day.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["user.create", "user.create"], "only the first day's (Other, the first admin): {first_day}");
    assert_eq!(
        app.ok("get-audit-log", json!({ "action": "user.create", "date_start": "2024-03-02" }))
            .as_array()
            .unwrap()
            .len(),
        100
    );
    assert_eq!(app.fails("get-audit-log", json!({ "date_start": "last week" })), "invalid-argument");
}

#[test]
fn the_log_refuses_changes_and_only_the_retention_prunes_it() {
    let app = TestApp::spawn_quiet_at("2024-03-01 09:00:00");
    app.add_user("Early", None, "user");
    let conn = app.db();
    assert!(conn.execute("UPDATE audit_log SET actor = 'someone else'", []).is_err(), "no edits");
    assert!(conn.execute("DELETE FROM audit_log", []).is_err(), "no deletes");
    app.ok("save-settings", json!({ "settings": { "audit-retention-days": 30 } }));
    app.advance(31 * 86_400);
    app.add_user("Late", None, "user");
    let mut db = app.state.blocking_session();
    let report = jobs::run(&mut db, &app.state, jobs::find("maintenance").unwrap()).unwrap();
    drop(db);
    assert_eq!(report["audit_entries_pruned"], 3, "the first admin, the first user and the settings: {report}");
    let left = app.ok("get-audit-log", json!({}));
    assert_eq!(left.as_array().unwrap().len(), 1, "{left}");
    assert_eq!(left[0]["action"], "user.create");
}

#[test]
fn backups_are_recorded_with_who_took_them() {
    let app = TestApp::spawn();
    let admin = signed_in_client(&app);
    let url = format!("{}/admin/backup", app.base);
    let page = admin.get(&url).send().unwrap().text().unwrap();
    let download = admin.post(&url).form(&[("csrf_token", csrf_of(&page))]).send().unwrap();
    assert_eq!(download.status(), 200);
    download.bytes().unwrap();
    let downloaded = entry(&app, "backup.download");
    assert_eq!((downloaded["user_id"].as_str(), downloaded["via"].as_str()), (Some("1"), Some("admin")));

    app.ok("save-settings", json!({ "settings": { "backup-folder": "backups" } }));
    let mut db = app.state.blocking_session();
    jobs::run(&mut db, &app.state, jobs::find("backup").unwrap()).unwrap();
    drop(db);
    let scheduled = entry(&app, "backup.create");
    assert_eq!((scheduled["actor"].as_str(), scheduled["via"].as_str()), (Some("system"), Some("system")));

    let data_dir = app.state.config.data_dir.clone();
    let archive = app.dir.path().join("by-hand.tar.gz");
    let run = |args: &[&str]| {
        let output = switchboard(app.dir.path()).arg("--data-dir").arg(&data_dir).args(args).output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    };
    run(&["backup", "--with-uploads", "--output", archive.to_str().unwrap()]);
    let by_hand = entry(&app, "backup.create");
    assert_eq!((by_hand["actor"].as_str(), by_hand["via"].as_str()), (Some("command line"), Some("cli")));
    assert_eq!(by_hand["user_id"], Value::Null);
    assert!(by_hand["details"]["file"].as_str().unwrap().ends_with("by-hand.tar.gz"), "{by_hand}");
}
