//! Files in the email channel, against a real Dovecot and a real SMTP server on
//! loopback: a customer's attachments become the message's files (served at their
//! links with the same bytes), one the upload settings refuse is named in the
//! message instead, and an agent's files go out attached to the threaded reply.

use crate::email::{drain, use_smtp};
use crate::email_piping::{email_conversations, messages_of, piped, sync};
use crate::files::{png, uploaded};
use crate::support::imap::Dovecot;
use lettre::message::{header::ContentType, Attachment, MultiPart, SinglePart};
use serde_json::json;

/// A PDF starts, as real ones do, with a binary comment (so mail clients send it base64).
const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n% the invoice\n%%EOF\n";
/// A Windows executable's first bytes: `exe`, which upload-allowed-types does not name.
const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00";

/// A customer's email with `files` attached (name, content type, bytes), as a mail client writes it.
fn mail_with(files: &[(&str, &str, &[u8])]) -> Vec<u8> {
    let text =
        SinglePart::builder().header(ContentType::TEXT_PLAIN).body("The screenshot and the invoice.".to_string());
    let body = files.iter().fold(MultiPart::mixed().singlepart(text), |body, (name, kind, bytes)| {
        body.singlepart(Attachment::new((*name).to_string()).body(bytes.to_vec(), ContentType::parse(kind).unwrap()))
    });
    lettre::Message::builder()
        .from("Ann Lee <ann@customer.test>".parse().unwrap())
        .to("help@acme.test".parse().unwrap())
        .subject("Wrong invoice")
        .message_id(Some("<files-1@customer.test>".into()))
        .multipart(body)
        .unwrap()
        .formatted()
}

#[test]
fn a_customers_attachments_become_the_messages_files_and_a_refused_type_is_named_instead() {
    let imap = Dovecot::start();
    let app = piped(&imap);
    let screenshot = png(64, 48);
    let raw = mail_with(&[
        ("screen.png", "image/png", &screenshot),
        ("invoice.pdf", "application/pdf", PDF),
        ("setup.exe", "application/octet-stream", EXE),
    ]);
    imap.append_all([raw.as_slice()]);

    sync(&app);

    let conversation = email_conversations(&app)[0];
    let message = &messages_of(&app, conversation)[0];
    let attachments: Vec<(String, String)> = serde_json::from_str(message["attachments"].as_str().unwrap()).unwrap();
    let names: Vec<&str> = attachments.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["screen.png", "invoice.pdf"], "the allowed files are the message's");
    for ((_, link), bytes) in attachments.iter().zip([screenshot.as_slice(), PDF]) {
        assert!(link.starts_with(&format!("{}/files/", app.base)), "{link}");
        let served = app.client.get(link).send().unwrap();
        assert_eq!(served.status(), 200, "{link}");
        assert_eq!(served.bytes().unwrap().as_ref(), bytes, "{link} serves the attached bytes");
    }
    assert_eq!(
        message["message"],
        "The screenshot and the invoice.\n(attachment: setup.exe, 16 B, application/octet-stream — not stored: \
         type exe not allowed (upload-allowed-types))"
    );
    let id = message["id"].as_str().unwrap().parse::<i64>().unwrap();
    let carried: i64 =
        app.db().query_row("SELECT count(*) FROM message_files WHERE message_id = ?1", [id], |row| row.get(0)).unwrap();
    assert_eq!(carried, 2, "the files are recorded as the message's, so clean-data keeps them");
}

#[test]
fn an_agents_reply_in_an_email_conversation_carries_its_files_as_attachments() {
    let imap = Dovecot::start();
    let smtp = crate::support::smtp::SmtpServer::start();
    let app = piped(&imap);
    use_smtp(&app, smtp.port, "none");
    imap.append_all([mail_with(&[]).as_slice()]);
    sync(&app);
    let conversation = email_conversations(&app)[0];
    let (name, link) = uploaded(&app, "credit-note.pdf", PDF.to_vec());

    app.ok(
        "send-message",
        json!({ "user_id": app.admin_id, "conversation_id": conversation, "message": "Here it is.",
                "attachments": json!([[name, link]]).to_string() }),
    );
    drain(&app);

    let sent = smtp.wait_for(1);
    let reply = sent[0].parsed();
    assert_eq!(reply.in_reply_to().as_text(), Some("files-1@customer.test"), "the threaded reply");
    let attached: Vec<_> = reply.attachments().collect();
    assert_eq!(attached.len(), 1, "the file goes out with the reply");
    assert_eq!(mail_parser::MimeHeaders::attachment_name(attached[0]), Some("credit-note.pdf"));
    assert_eq!(attached[0].contents(), PDF);
    assert!(sent[0].text().contains(&link), "and its link is in the text");
}
