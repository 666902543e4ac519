//! Email conversations: which conversation an email belongs to, opening one for
//! a new email, and what the message of an email holds. The rules are in
//! [`crate::ops::inbound_email`]'s documentation and the README.

use super::inbound_email::{Attachment, Filed, Inbound};
use super::messages::MESSAGE_MAX;
use super::OpsResult;
use crate::db::conversations::{self, NewConversation};
use crate::db::email::{self, Thread};
use crate::db::users;
use crate::domain::email_threading::{self, TOKEN_LEN};
use crate::domain::ConversationStatus;
use crate::outbox::events;
use crate::state::AppState;
use rusqlite::Connection;
use serde_json::json;

/// The source code of email conversations.
pub const SOURCE: &str = "em";

/// The most of an email's full text kept for agents.
const ORIGINAL_MAX: usize = 262_144;

/// The conversation `email` replies to, if any (see the module documentation).
pub fn conversation_for(tx: &Connection, email: &Inbound, sender: &str) -> rusqlite::Result<Option<i64>> {
    // The newest reference is the likeliest to be ours, so In-Reply-To first, then
    // References from the last.
    let ids: Vec<String> = email.in_reply_to.iter().chain(email.references.iter().rev()).cloned().collect();
    if let Some(id) = email::conversation_of_any(tx, &ids)? {
        return Ok(Some(id));
    }
    for recipient in &email.recipients {
        if let Some(token) = email_threading::token_in(recipient) {
            if let Some(id) = email::conversation_of_token(tx, &token)? {
                return Ok(Some(id));
            }
        }
    }
    if let Some(id) = email_threading::subject_tag(&email.subject) {
        if let Some(conversation) = conversations::find(tx, id)? {
            let owner = users::find(tx, conversation.user_id)?.and_then(|user| user.email);
            if owner.is_some_and(|owner| owner.eq_ignore_ascii_case(sender)) {
                return Ok(Some(id));
            }
        }
    }
    Ok(None)
}

/// Opens an email conversation for `user_id` with its reply token.
pub fn open(
    tx: &Connection,
    state: &AppState,
    user_id: i64,
    department: Option<i64>,
    email: &Inbound,
    sender: &str,
    now: &str,
) -> OpsResult<i64> {
    let title: String = email.subject.chars().take(255).collect();
    let known = department.is_some_and(|d| state.settings(tx).is_ok_and(|s| s.departments.iter().any(|x| x.id == d)));
    let id = conversations::insert(
        tx,
        &NewConversation {
            user_id,
            title: title.clone(),
            status: ConversationStatus::WaitingForAgent,
            department: department.filter(|_| known),
            agent_id: None,
            source: Some(SOURCE.to_string()),
            extra: None,
            now: now.to_string(),
        },
    )?;
    email::add_thread(tx, &Thread { conversation_id: id, token: new_token(), subject: title, address: sender.into() })?;
    events::conversation_created(tx, state, id)?;
    Ok(id)
}

pub fn new_token() -> String {
    crate::crypto::random_hex(TOKEN_LEN / 2)
}

/// The message an email becomes: its new text, then a line per attachment that
/// was not stored (stored ones are the message's files), cut to the message limit.
pub fn message_text(email: &Inbound) -> String {
    let mut text = email.text.trim().to_string();
    if text.is_empty() && email.attachments.is_empty() {
        text = "(an empty email)".into();
    }
    for attachment in email.attachments.iter().filter(|a| !matches!(a.filed, Some(Filed::Stored { .. }))) {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&attachment_line(attachment));
    }
    if text.chars().count() > MESSAGE_MAX {
        let cut = "\n… (cut here: the whole email is in its original)";
        text = text.chars().take(MESSAGE_MAX - cut.chars().count()).collect::<String>() + cut;
    }
    text
}

fn attachment_line(attachment: &Attachment) -> String {
    let why = match &attachment.filed {
        Some(Filed::Refused(why)) => format!(": {why}"),
        _ => String::new(),
    };
    format!(
        "(attachment: {}, {}, {} — not stored{why})",
        attachment.name,
        size(attachment.size),
        attachment.content_type
    )
}

/// A size as people read it: 512 B, 12 KB, 3.4 MB.
fn size(bytes: usize) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{} KB", b.div_ceil(1024)),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// The message's payload: that it came by email, and the whole original for agents.
pub fn payload(email: &Inbound) -> String {
    let original: String = email.original.chars().take(ORIGINAL_MAX).collect();
    json!({
        "email": {
            "message_id": email.message_id,
            "from": email.from.as_str(),
            "from_name": email.from_name,
            "subject": email.subject,
            "original": original,
        }
    })
    .to_string()
}

/// What agents see of the email a message came from.
pub struct Original {
    pub from: String,
    pub from_name: String,
    pub subject: String,
    /// The whole body as text, quoted history and signature included.
    pub text: String,
}

/// The email a message came from, read from its `payload` (see [`payload`]).
pub fn original_of(payload: &str) -> Option<Original> {
    if !payload.contains("\"email\"") {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(payload).ok()?;
    let email = value.get("email")?;
    let field = |name: &str| email.get(name).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    Some(Original {
        from: field("from"),
        from_name: field("from_name"),
        subject: field("subject"),
        text: field("original"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_not_stored_show_their_name_size_type_and_why() {
        let line = attachment_line(&Attachment {
            name: "invoice.exe".into(),
            size: 12_000,
            content_type: "application/octet-stream".into(),
            bytes: Vec::new(),
            filed: Some(Filed::Refused("type exe not allowed (upload-allowed-types)".into())),
        });
        assert_eq!(
            line,
            "(attachment: invoice.exe, 12 KB, application/octet-stream — not stored: type exe not allowed \
             (upload-allowed-types))"
        );
        assert_eq!(size(3 * 1024 * 1024 + 400_000), "3.4 MB");
    }
}
