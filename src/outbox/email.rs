//! Emails waiting in the outbox. Whatever sends an email (notifications,
//! send-email, automations) renders it first and queues an [`OutgoingEmail`] in its
//! own transaction; the outbox job hands each one to SMTP
//! ([`crate::jobs::mailer`]).

use serde::{Deserialize, Serialize};

pub const KIND: &str = "email";

/// A rendered email, as stored in the outbox.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OutgoingEmail {
    pub to: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    /// Built from escaped text only; never from unescaped user input.
    pub html: String,
    /// The user this email is for, when it is for one (email-sent webhook, reports).
    pub recipient_id: Option<i64>,
    /// Appended to the sender name (send-custom-email's `sender_suffix`).
    pub sender_suffix: String,
    /// Uploaded files attached to the email, read from disk when it is sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<EmailFile>,
}

/// An uploaded file to attach, by its key (see `db::blobs`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EmailFile {
    pub key: String,
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

/// Queues `email` in the caller's transaction; wake the outbox after commit.
pub fn queue(conn: &rusqlite::Connection, email: &OutgoingEmail, now: &str) -> rusqlite::Result<i64> {
    let payload = serde_json::to_value(email).expect("an email serialises");
    super::enqueue(conn, KIND, None, &payload, now)
}
