//! Attachments through the API: `upload`, the file's link, limits, hostile files,
//! and files going with the messages and users that carried them.

use crate::support::{envelope_of, TestApp};
use serde_json::{json, Value};
use std::io::Cursor;
use std::time::{Duration, Instant};

pub fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(width, height, image::Rgb([10, 120, 200]));
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A 1 × 1 PNG whose header claims `width` × `height` pixels (with a valid
/// checksum, so decoders believe it): a decompression bomb's opening.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = png(1, 1);
    bytes[16..20].copy_from_slice(&width.to_be_bytes());
    bytes[20..24].copy_from_slice(&height.to_be_bytes());
    // The IHDR chunk's CRC-32 (ISO-HDLC), over its type and data.
    let mut crc = !0u32;
    for &byte in &bytes[12..29] {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    bytes[29..33].copy_from_slice(&(!crc).to_be_bytes());
    bytes
}

/// Uploads `bytes` named `name` through the API; answers the whole envelope.
pub fn upload(app: &TestApp, name: &str, bytes: Vec<u8>) -> Value {
    let form = reqwest::blocking::multipart::Form::new()
        .text("token", app.token.clone())
        .text("function", "upload")
        .part("file", reqwest::blocking::multipart::Part::bytes(bytes).file_name(name.to_string()));
    envelope_of(app.client.post(app.api_url()).multipart(form).send().unwrap())
}

/// Uploads that must succeed: answers `[name, link]`.
pub fn uploaded(app: &TestApp, name: &str, bytes: Vec<u8>) -> (String, String) {
    let answer = upload(app, name, bytes);
    assert_eq!(answer["success"], true, "{answer}");
    let pair = answer["response"].as_array().unwrap();
    (pair[0].as_str().unwrap().to_string(), pair[1].as_str().unwrap().to_string())
}

/// The files (bytes and thumbnails) under the data directory's uploads.
fn files_on_disk(app: &TestApp) -> Vec<std::path::PathBuf> {
    let root = app.state.config.uploads_dir().join("files");
    let Ok(folders) = std::fs::read_dir(root) else { return Vec::new() };
    folders.flatten().flat_map(|f| std::fs::read_dir(f.path()).unwrap().flatten().map(|e| e.path())).collect()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_uploaded_image_is_served_inline_with_a_thumbnail_and_goes_out_in_a_message() {
    let app = TestApp::spawn();
    let picture = png(1200, 600);
    let (name, link) = uploaded(&app, "screenshot.png", picture.clone());
    assert_eq!(name, "screenshot.png");
    assert!(link.starts_with(&format!("{}/files/", app.base)), "{link}");
    let key = link.split('/').nth_back(1).unwrap().to_string();
    assert_eq!(key.len(), 32, "128 random bits in the link");

    let served = app.client.get(&link).send().unwrap();
    assert_eq!(served.status(), 200);
    let headers = served.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-security-policy"].to_str().unwrap().starts_with("sandbox"));
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("inline"));
    assert_eq!(served.bytes().unwrap().to_vec(), picture);

    let thumbnail = app.client.get(format!("{}/files/thumbnails/{key}", app.base)).send().unwrap();
    assert_eq!(thumbnail.status(), 200);
    let small = image::load_from_memory(&thumbnail.bytes().unwrap()).unwrap();
    assert_eq!((small.width(), small.height()), (320, 160));

    let stored = files_on_disk(&app);
    assert_eq!(stored.len(), 2, "the image and its thumbnail: {stored:?}");
    for path in stored {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600, "{path:?}");
        assert!(path.file_name().unwrap().to_str().unwrap().starts_with(&key), "named by key: {path:?}");
    }

    let customer = app.add_user("Ann", Some("ann@example.com"), "user");
    let conversation = app.new_conversation(customer);
    let attachments = json!([[name, link]]).to_string();
    let sent = app.ok(
        "send-message",
        json!({ "user_id": app.admin_id, "conversation_id": conversation, "message": "Here it is", "attachments": attachments }),
    );
    let got = app.ok("get-conversation", json!({ "conversation_id": conversation }));
    assert_eq!(got["messages"][0]["attachments"], attachments, "{sent}");
}

#[test]
fn files_over_the_limits_or_of_refused_types_are_refused_and_nothing_is_kept() {
    let app = TestApp::spawn();
    app.ok("save-settings", json!({ "settings": { "upload-max-size": 1 } }));
    let big = upload(&app, "big.txt", vec![b'a'; (1 << 20) + 1]);
    assert_eq!(big["response"], "file-too-large", "{big}");
    let program = upload(&app, "setup.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec());
    assert_eq!(program["response"], "file-type-not-allowed", "{program}");
    let disguised = upload(&app, "cat.png", b"<html><script>alert(document.cookie)</script></html>".to_vec());
    assert_eq!(disguised["response"], "file-type-not-allowed", "a .png that is HTML: {disguised}");
    let svg = upload(&app, "logo.png", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>".to_vec());
    assert_eq!(svg["response"], "file-type-not-allowed", "{svg}");
    let empty = upload(&app, "empty.txt", Vec::new());
    assert_eq!(empty["response"], "invalid-argument", "{empty}");
    let missing = app.call("upload", json!({}));
    assert_eq!(missing["response"], "missing-argument");
    assert!(files_on_disk(&app).is_empty(), "nothing stored: {:?}", files_on_disk(&app));
    let rows: i64 = app.db().query_row("SELECT COUNT(*) FROM files", [], |row| row.get(0)).unwrap();
    assert_eq!(rows, 0);

    let customer = app.add_user("Ann", None, "user");
    let conversation = app.new_conversation(customer);
    app.ok("save-settings", json!({ "settings": { "upload-max-files": 2 } }));
    let three = json!([["a", "https://x.test/a"], ["b", "https://x.test/b"], ["c", "https://x.test/c"]]).to_string();
    let code = app.fails(
        "send-message",
        json!({ "user_id": app.admin_id, "conversation_id": conversation, "message": "x", "attachments": three }),
    );
    assert_eq!(code, "too-many-files");
}

#[test]
fn markup_allowed_by_the_settings_still_only_downloads_and_names_stay_names() {
    let app = TestApp::spawn();
    app.ok("save-settings", json!({ "settings": { "upload-allowed-types": "png, html, txt" } }));
    let (name, link) = uploaded(&app, "../../<img src=x onerror=alert(1)>.html", b"<html><script>x</script>".to_vec());
    assert_eq!(name, "<img src=x onerror=alert(1)>.html", "folders dropped; shown escaped wherever it appears");
    let served = app.client.get(&link).send().unwrap();
    let disposition = served.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.starts_with("attachment"), "HTML downloads: {disposition}");
    assert!(served.headers()["content-security-policy"].to_str().unwrap().contains("sandbox"));
    assert_eq!(files_on_disk(&app).len(), 1);
    assert!(!app.state.config.data_dir.join("<img src=x onerror=alert(1)>.html").exists());

    // A PNG whose header claims 100,000 × 100,000 pixels: kept, never decoded.
    let bomb = png_claiming(100_000, 100_000);
    assert_eq!(
        image::ImageReader::new(Cursor::new(&bomb)).with_guessed_format().unwrap().into_dimensions().unwrap(),
        (100_000, 100_000)
    );
    let (_, link) = uploaded(&app, "bomb.png", bomb);
    let key = link.split('/').nth_back(1).unwrap();
    let thumbnail = app.client.get(format!("{}/files/thumbnails/{key}", app.base)).send().unwrap();
    assert_eq!(thumbnail.status(), 404, "no thumbnail for an image too large to decode");
    let guessed = app.client.get(format!("{}/files/{}/x.png", app.base, "0".repeat(32))).send().unwrap();
    assert_eq!(guessed.status(), 404);
}

#[test]
fn deleting_a_message_or_its_user_takes_the_files_only_it_carried() {
    let app = TestApp::spawn();
    let customer = app.add_user("Ann", None, "user");
    let conversation = app.new_conversation(customer);
    let send = |name: &str, link: &str| {
        let attachments = json!([[name, link]]).to_string();
        app.ok(
            "send-message",
            json!({ "user_id": customer, "conversation_id": conversation, "message": "file", "attachments": attachments }),
        )["message-id"]
            .as_i64()
            .unwrap()
    };
    let (first_name, first) = uploaded(&app, "one.txt", b"first".to_vec());
    let (second_name, second) = uploaded(&app, "two.txt", b"second".to_vec());
    let message = send(&first_name, &first);
    let kept = send(&second_name, &second);
    let status = |link: &str| app.client.get(link).send().unwrap().status().as_u16();
    assert_eq!((status(&first), status(&second)), (200, 200));
    let links: i64 = app.db().query_row("SELECT COUNT(*) FROM message_files", [], |row| row.get(0)).unwrap();
    assert_eq!(links, 2, "each message carries its file");

    app.ok("delete-message", json!({ "message_id": message }));
    wait_until("the first file is gone", || status(&first) == 404 && files_on_disk(&app).len() == 1);
    assert_eq!(status(&second), 200, "the other message's file stays");
    let _ = kept;

    app.ok("delete-user", json!({ "user_id": customer }));
    wait_until("the user's files are gone", || status(&second) == 404 && files_on_disk(&app).is_empty());
}

#[test]
fn an_agents_reply_with_a_file_reaches_the_customers_email_with_the_file_attached() {
    let smtp = crate::support::smtp::SmtpServer::start();
    let app = TestApp::spawn_quiet_at("2024-03-01 09:00:00");
    crate::email::use_smtp(&app, smtp.port, "none");
    let ann = app.add_user("Ann", Some("ann@example.com"), "user");
    let conversation = app.new_conversation(ann);
    app.advance(120);
    let invoice = b"%PDF-1.4\n% the invoice\n%%EOF\n".to_vec();
    let (name, link) = uploaded(&app, "invoice-4411.pdf", invoice.clone());
    let attachments = json!([[name, link]]).to_string();
    let answer = app.ok(
        "send-message",
        json!({ "user_id": app.admin_id, "conversation_id": conversation, "message": "Your invoice", "attachments": attachments }),
    );
    assert_eq!(answer["notifications"], json!(["email"]));
    assert_eq!(crate::email::drain(&app).delivered, 1);
    let received = smtp.received();
    let email = received[0].parsed();
    let attached: Vec<_> = email.attachments().collect();
    assert_eq!(attached.len(), 1, "the file goes out with the email");
    assert_eq!(mail_parser::MimeHeaders::attachment_name(attached[0]), Some("invoice-4411.pdf"));
    assert_eq!(attached[0].contents(), invoice.as_slice());
    assert!(received[0].text().contains(&link), "and its link is in the text");
}

#[test]
fn files_have_a_rate_limit_per_address_of_their_own() {
    let app = TestApp::spawn_with(switchboard::clock::Clock::system(), |config| {
        config.trusted_proxies = vec!["127.0.0.1".into()];
        config.public_pages_per_minute = 2;
        config.files_per_minute = 6;
    });
    let (_, url) = uploaded(&app, "shot.png", png(4, 4));
    let client = reqwest::blocking::Client::new();
    let get =
        |path: &str, from: &str| client.get(path).header("X-Forwarded-For", from).send().unwrap().status().as_u16();
    let statuses: Vec<u16> = (0..4).map(|_| get(&url, "198.51.100.7")).collect();
    assert_eq!(statuses, [200, 200, 200, 429], "three at once (files_per_minute 6), then wait");
    assert_eq!(get(&url, "198.51.100.8"), 200, "another address is not limited");
    let help = format!("{}/help", app.base);
    assert_eq!(get(&help, "198.51.100.7"), 200, "files do not use up the help center's allowance");
}
