//! One fetched email, read with mail-parser (MIME, charsets, encoded words) into
//! what `ops::inbound_email` takes, with the checks that keep mail loops and
//! bounces out: a machine's mail is marked, never answered.

use super::content::{html_to_text, trim_reply};
use crate::domain::email_threading::message_id;
use crate::domain::Email;
use crate::ops::inbound_email::{Attachment, Inbound, Received, SetAside};
use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders, PartType};
use sha2::{Digest, Sha256};

/// An email as fetched, whole.
pub fn parse(raw: &[u8]) -> Received {
    let Some(message) = MessageParser::default().parse(raw) else {
        return Received::Unusable { message_id: hashed_id(raw), why: SetAside::Unreadable };
    };
    let id = message.message_id().and_then(message_id).unwrap_or_else(|| hashed_id(raw));
    let sender = message.from().and_then(|from| from.first());
    let Some(from) = sender.and_then(|addr| addr.address()).and_then(Email::parse) else {
        return Received::Unusable { message_id: id, why: SetAside::Unreadable };
    };
    let full = body(&message);
    Received::Email(Box::new(Inbound {
        message_id: id,
        from_name: sender.and_then(|addr| addr.name()).unwrap_or_default().trim().to_string(),
        automatic: machine_made(&message, from.as_str()),
        from,
        subject: message.subject().unwrap_or_default().trim().to_string(),
        in_reply_to: ids(message.in_reply_to()),
        references: ids(message.references()),
        recipients: recipients(&message),
        text: trim_reply(&full),
        original: full.trim_end().to_string(),
        attachments: message.attachments().map(attachment).collect(),
    }))
}

/// Only an email's headers (one too large to fetch whole): why it is set aside,
/// under its Message-ID.
pub fn too_large(header: &[u8]) -> Received {
    let id = MessageParser::default()
        .parse_headers(header)
        .and_then(|message| message.message_id().and_then(message_id))
        .unwrap_or_else(|| hashed_id(header));
    Received::Unusable { message_id: id, why: SetAside::TooLarge }
}

/// A stand-in Message-ID for an email without one: the same bytes always get the same.
fn hashed_id(raw: &[u8]) -> String {
    format!("{}@no-message-id.switchboard", hex::encode(&Sha256::digest(raw)[..16]))
}

fn ids(header: &HeaderValue) -> Vec<String> {
    let list: Vec<&str> = match header {
        HeaderValue::Text(text) => text.split_whitespace().collect(),
        HeaderValue::TextList(list) => list.iter().map(|id| id.as_ref()).collect(),
        _ => vec![],
    };
    list.into_iter().filter_map(message_id).take(100).collect()
}

fn recipients(message: &Message) -> Vec<String> {
    let mut found: Vec<String> = message
        .to()
        .into_iter()
        .chain(message.cc())
        .flat_map(|list| list.iter())
        .filter_map(|addr| addr.address().map(str::to_string))
        .collect();
    for header in ["Delivered-To", "X-Original-To", "Envelope-To"] {
        if let Some(raw) = message.header_raw(header) {
            found.push(raw.trim().trim_start_matches('<').trim_end_matches('>').to_string());
        }
    }
    found.truncate(100);
    found
}

/// The body as text: the first text/plain body, else the first HTML body made
/// text, else nothing.
fn body(message: &Message) -> String {
    if let Some(PartType::Text(text)) = message.text_body.first().and_then(|id| message.part(*id)).map(|p| &p.body) {
        return text.replace("\r\n", "\n");
    }
    message.body_html(0).map(|html| html_to_text(&html)).unwrap_or_default()
}

fn attachment(part: &mail_parser::MessagePart) -> Attachment {
    let content_type = part.content_type().map_or("application/octet-stream".to_string(), |ct| match ct.subtype() {
        Some(sub) => format!("{}/{sub}", ct.ctype()),
        None => ct.ctype().to_string(),
    });
    let name = part.attachment_name().unwrap_or("unnamed").chars().take(255).collect();
    let bytes = part.contents().to_vec();
    Attachment { name, size: bytes.len(), content_type, bytes, filed: None }
}

/// Why `message` is a machine's and must not be answered, if it is: RFC 3834's
/// `Auto-Submitted`, the `Precedence` and auto-reply headers mailers set, mailing
/// lists, and bounces (delivery reports, the mailer-daemon, an empty return path).
fn machine_made(message: &Message, from: &str) -> Option<SetAside> {
    let header = |name: &str| message.header_raw(name).map(|v| v.trim().to_ascii_lowercase());
    let local = from.split('@').next().unwrap_or_default().to_ascii_lowercase();
    let report = message.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart") && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
    });
    let empty_return_path =
        header("Return-Path").is_some_and(|path| path.trim_matches(|c| c == '<' || c == '>').is_empty());
    if report || empty_return_path || matches!(local.as_str(), "mailer-daemon" | "postmaster") {
        return Some(SetAside::Bounce);
    }
    let auto_submitted = header("Auto-Submitted").is_some_and(|value| !value.starts_with("no"));
    let precedence =
        header("Precedence").is_some_and(|value| matches!(value.as_str(), "bulk" | "auto_reply" | "junk" | "list"));
    let flagged = ["X-Autoreply", "X-Autorespond", "X-Auto-Response", "List-Id", "List-Unsubscribe"]
        .iter()
        .any(|name| message.header_raw(*name).is_some());
    (auto_submitted || precedence || flagged).then_some(SetAside::Automatic)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(raw: &[u8]) -> Inbound {
        match parse(raw) {
            Received::Email(email) => *email,
            Received::Unusable { why, .. } => panic!("unusable: {why:?}"),
        }
    }

    #[test]
    fn headers_are_decoded_and_threading_ids_lose_their_brackets() {
        let parsed = email(
            b"From: =?utf-8?q?Ann_L=C3=A9e?= <ann@example.com>\r\nTo: help+0123456789abcdef01234567@example.org\r\n\
             Subject: =?iso-8859-1?q?Caf=E9?=\r\nMessage-ID: <m1@example.com>\r\nIn-Reply-To: <sb-1@example.org>\r\n\
             References: <a@x> <sb-1@example.org>\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nD\xe9j\xe0 vu\r\n",
        );
        assert_eq!(parsed.from_name, "Ann Lée");
        assert_eq!(parsed.subject, "Café");
        assert_eq!(parsed.message_id, "m1@example.com");
        assert_eq!(parsed.in_reply_to, ["sb-1@example.org"]);
        assert_eq!(parsed.references, ["a@x", "sb-1@example.org"]);
        assert_eq!(parsed.recipients, ["help+0123456789abcdef01234567@example.org"]);
        assert!(parsed.automatic.is_none());
    }

    #[test]
    fn auto_replies_bulk_mail_and_bounces_are_marked() {
        let with = |header: &str| {
            email(format!("From: a@example.com\r\n{header}\r\nSubject: x\r\n\r\nhi\r\n").as_bytes()).automatic
        };
        assert_eq!(with("Auto-Submitted: auto-replied"), Some(SetAside::Automatic));
        assert_eq!(with("Auto-Submitted: no"), None);
        assert_eq!(with("Precedence: bulk"), Some(SetAside::Automatic));
        assert_eq!(with("Return-Path: <>"), Some(SetAside::Bounce));
        let daemon = email(b"From: MAILER-DAEMON@example.com\r\nSubject: Undelivered\r\n\r\nsorry\r\n");
        assert_eq!(daemon.automatic, Some(SetAside::Bounce));
    }

    #[test]
    fn an_email_without_a_sender_is_unusable_and_one_without_an_id_gets_a_stable_one() {
        assert!(matches!(parse(b"Subject: x\r\n\r\nhi"), Received::Unusable { why: SetAside::Unreadable, .. }));
        let raw = b"From: a@example.com\r\nSubject: x\r\n\r\nhi\r\n";
        assert_eq!(email(raw).message_id, hashed_id(raw));
    }
}
