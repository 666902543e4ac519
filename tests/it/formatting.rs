use crate::support::TestApp;
use serde_json::json;

#[test]
fn text_formatting_to_html_renders_markup_and_escapes_html() {
    let app = TestApp::spawn();
    let html = app.ok(
        "text-formatting-to-html",
        json!({ "message": "Lorem *sit amet*, _elit_, `sed` <img src=x onerror=alert(1)>" }),
    );
    assert_eq!(html, "Lorem <b>sit amet</b>, <i>elit</i>, <code>sed</code> &lt;img src=x onerror=alert(1)&gt;");
    let link = app.ok("text-formatting-to-html", json!({ "message": "docs: https://example.com/a" }));
    assert!(link.as_str().unwrap().contains("<a href=\"https://example.com/a\""), "{link}");
    assert_eq!(app.call("text-formatting-to-html", json!({}))["response"], "missing-argument");
}

#[test]
fn clear_text_formatting_removes_the_markers() {
    let app = TestApp::spawn();
    let plain = app.ok("clear-text-formatting", json!({ "message": "Lorem *sit amet*, _elit_, ~sed~ ```do```" }));
    assert_eq!(plain, "Lorem sit amet, elit, sed do");
}

#[test]
fn get_versions_names_the_running_version() {
    let app = TestApp::spawn();
    let versions = app.ok("get-versions", json!({}));
    assert_eq!(versions["sb"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn csv_users_exports_every_user_with_details_and_neutralised_formulas() {
    let app = TestApp::spawn();
    app.ok("add-user", json!({ "first_name": "=cmd|' /C calc'!A0", "email": "ann@example.com", "extra": { "phone": ["+44 20", "Phone"] } }));
    app.ok("get-bot-id", json!({}));
    let url = app.ok("csv-users", json!({}));
    let url = url.as_str().unwrap();
    assert!(url.ends_with("/users.csv"), "{url}");
    let body = app.client.get(url).send().unwrap().text().unwrap();
    let rows: Vec<csv::StringRecord> =
        csv::Reader::from_reader(body.as_bytes()).records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "the admin and Ann, not the bot: {body}");
    assert_eq!(&rows[1][1], "'=cmd|' /C calc'!A0");
    assert_eq!(&rows[1][3], "ann@example.com");
    assert_eq!(&rows[1][7], "Phone: +44 20", "only a cell's first character can start a formula");
}
