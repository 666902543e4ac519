//! Files in the chat widget: the visitor attaches by pasting and by the API, the
//! agents see them, an agent's image shows in the widget, and a visitor can attach
//! only their own uploads.

use crate::files::{png, uploaded};
use crate::support::browser::Browser;
use crate::support::TestApp;
use crate::widget::{in_widget, latest_conversation, open_chat, site, staffed_app_without_prechat, wait_in_widget};
use crate::widget_api::Visitor;
use base64::Engine;
use serde_json::json;

/// An expression building a File of `bytes` named `name` in the page.
fn file(name: &str, kind: &str, bytes: &[u8]) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    format!(
        "(() => {{ const raw = atob('{encoded}'); const b = new Uint8Array(raw.length);
           for (let i = 0; i < raw.length; i++) b[i] = raw.charCodeAt(i);
           return new File([b], '{name}', {{ type: '{kind}' }}); }})()"
    )
}

#[test]
fn a_visitor_sends_files_and_sees_the_agents_images() {
    let app = staffed_app_without_prechat();
    let page = site(&app, None, "");
    let browser = Browser::start();
    open_chat(&browser, &page.url("/"));

    // Pasted into the message box, as from the clipboard.
    in_widget(
        &browser,
        &format!(
            "const data = new DataTransfer(); data.items.add({});
             w.querySelector('.composer textarea').dispatchEvent(new ClipboardEvent('paste', {{ clipboardData: data, bubbles: true, cancelable: true }}));
             return true;",
            file("error.png", "image/png", &png(640, 480))
        ),
    );
    wait_in_widget(&browser, "w.querySelector('.log .msg.me .file img.thumb')", "the pasted image in the log", 10);
    let conversation = latest_conversation(&app);
    let got = app.ok("get-conversation", json!({ "conversation_id": conversation }));
    let attachments: serde_json::Value =
        serde_json::from_str(got["messages"][0]["attachments"].as_str().unwrap()).unwrap();
    assert_eq!(attachments[0][0], "error.png", "the agents get the visitor's file: {attachments}");
    let link = attachments[0][1].as_str().unwrap().to_string();
    assert_eq!(app.client.get(&link).send().unwrap().bytes().unwrap().to_vec(), png(640, 480));

    // The JavaScript API's sendFile, with a file that is not an image.
    let sent = browser.eval_async(&format!(
        "Switchboard.sendFile({}).then(m => arguments[0](m.attachments), e => arguments[0](e.code));",
        file("order.csv", "text/csv", b"order,total\n4411,19.90\n")
    ));
    assert_eq!(sent[0][0], "order.csv", "{sent}");
    wait_in_widget(
        &browser,
        "[...w.querySelectorAll('.log .msg.me .file')].some(a => a.textContent.includes('order.csv') && a.textContent.includes('B'))",
        "the file link with its size",
        10,
    );
    let refused = browser.eval_async(&format!(
        "Switchboard.sendFile({}).then(() => arguments[0]('sent'), e => arguments[0](e.code));",
        file("tool.png", "image/png", b"MZ\x00\x00\x00\x00\x00\x00")
    ));
    assert_eq!(refused, "file-type-not-allowed");

    let (name, link) = uploaded(&app, "map.png", png(800, 400));
    let attachments = json!([[name, link]]).to_string();
    app.ok(
        "send-message",
        json!({ "user_id": app.admin_id, "conversation_id": conversation, "message": "Here is the map", "attachments": attachments }),
    );
    wait_in_widget(
        &browser,
        "[...w.querySelectorAll('.log .msg.them .file img.thumb')].some(i => i.src.includes('/files/thumbnails/') && i.naturalWidth === 320)",
        "the agent's image as a thumbnail in the widget",
        10,
    );
    browser.screenshot("widget-files");
}

#[test]
fn a_visitor_attaches_only_their_own_uploads() {
    let app = TestApp::spawn();
    let ann = Visitor::start(&app);
    let bob = Visitor::start(&app);
    let form = reqwest::blocking::multipart::Form::new()
        .part("file", reqwest::blocking::multipart::Part::bytes(b"my receipt".to_vec()).file_name("receipt.txt"));
    let answer: serde_json::Value = app
        .client
        .post(format!("{}/widget/uploads", app.base))
        .header("Origin", crate::widget_api::ORIGIN)
        .header("X-Switchboard-Visitor", &ann.credential)
        .multipart(form)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(answer["success"], true, "{answer}");
    let pair = json!([answer["response"]["name"], answer["response"]["url"]]);
    let theirs = bob.post("/widget/messages", json!({ "message": "look", "attachments": [pair] }));
    assert_eq!(theirs["response"], "invalid-argument", "bob cannot send ann's file: {theirs}");
    let elsewhere = ann.post("/widget/messages", json!({ "attachments": [["x", "https://evil.example/x.exe"]] }));
    assert_eq!(elsewhere["response"], "invalid-argument", "nor a link of their choosing: {elsewhere}");
    let own = ann.post("/widget/messages", json!({ "attachments": [pair] }));
    assert_eq!(own["success"], true, "{own}");
    assert_eq!(own["response"]["message"]["files"][0]["name"], "receipt.txt");
    let bobs_view = bob.get("/widget/messages?after=0");
    assert_eq!(bobs_view["response"]["messages"], json!([]), "bob sees nothing of ann's conversation");
}
