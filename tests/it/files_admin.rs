//! Attaching files in the admin reply box, in a real headless Chromium: by the
//! file button and by pasting an image, removing one before sending, a refused
//! file, and the sent message showing its image as a thumbnail.

use crate::admin::sign_in;
use crate::files::png;
use crate::support::browser::Browser;
use crate::support::TestApp;
use base64::Engine;
use serde_json::json;

/// Pastes a file of `bytes` named `name` into the reply box, as the clipboard would.
fn paste(browser: &Browser, name: &str, kind: &str, bytes: &[u8]) {
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    browser.eval(&format!(
        "var raw = atob('{encoded}'); var bytes = new Uint8Array(raw.length);
         for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
         var data = new DataTransfer();
         data.items.add(new File([bytes], '{name}', {{ type: '{kind}' }}));
         document.getElementById('reply-message').dispatchEvent(
           new ClipboardEvent('paste', {{ clipboardData: data, bubbles: true, cancelable: true }}));
         return true;"
    ));
}

#[test]
fn the_reply_box_takes_files_by_button_and_paste_and_the_message_shows_them() {
    let app = TestApp::spawn();
    let customer = app.add_user("Ann", None, "user");
    let conversation = app.new_conversation(customer);
    app.send(customer, conversation, "The app shows an error");
    let browser = Browser::start();
    sign_in(&browser, &app, "admin@example.com", "admin-password");
    browser.goto(&format!("{}/admin/conversations/{conversation}", app.base));

    let dir = tempfile::tempdir().unwrap();
    let invoice = dir.path().join("invoice.pdf");
    std::fs::write(&invoice, b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n").unwrap();
    // WebDriver types a path into a file input only when it is shown.
    browser.eval("document.getElementById('reply-files').hidden = false; return true;");
    browser.fill("#reply-files", invoice.to_str().unwrap());
    browser.wait_for_count("#pending-files li.uploaded", 1, 10);
    assert!(browser.text("#pending-files li.uploaded").contains("invoice.pdf ("), "name and size shown");

    paste(&browser, "screenshot.png", "image/png", &png(64, 48));
    browser.wait_for_count("#pending-files li.uploaded", 2, 10);
    assert_eq!(
        browser.eval("return document.querySelector('#pending-files li.uploaded:nth-child(2) img').src.indexOf('/files/thumbnails/') > 0;"),
        json!(true),
        "a pasted image shows its thumbnail"
    );
    paste(&browser, "notes.png", "image/png", b"<html><script>alert(1)</script>");
    browser.wait_for_count("#pending-files li.failed", 1, 10);
    assert!(browser.text("#pending-files li.failed").contains("may not be uploaded"), "the refusal is explained");

    browser.click("#pending-files li.uploaded:first-child button.remove");
    browser.wait_for_count("#pending-files li.uploaded", 1, 5);
    browser.fill("#reply-message", "Here is what I see");
    browser.submit("#send-reply");

    browser.wait_for_count("#messages li.message", 2, 10);
    let thumbnail = browser.eval(
        "var img = document.querySelector('#messages li.message:last-child .attachments img.thumbnail');
         return img ? [img.getAttribute('src'), img.closest('a').getAttribute('href'), img.naturalWidth] : null;",
    );
    assert!(thumbnail[0].as_str().unwrap().contains("/files/thumbnails/"), "{thumbnail}");
    assert!(thumbnail[1].as_str().unwrap().ends_with("/screenshot.png"), "the thumbnail opens the image: {thumbnail}");
    let size = browser.text("#messages li.message:last-child .attachments .size");
    assert!(size.ends_with(" B") || size.ends_with(" KB"), "with its size: {size}");
    let sent = app.ok("get-conversation", json!({ "conversation_id": conversation }));
    let attachments: serde_json::Value =
        serde_json::from_str(sent["messages"][1]["attachments"].as_str().unwrap()).unwrap();
    assert_eq!(attachments.as_array().unwrap().len(), 1, "the removed file was not sent: {attachments}");
    assert_eq!(attachments[0][0], "screenshot.png");
    browser.screenshot("admin-reply-attachments");
}
