//! Email out: an agent's message in an email conversation is the email the
//! customer receives, with the headers that keep their mail client's thread
//! (`Message-ID`, `In-Reply-To`, `References`) and a reply-to address whose
//! token brings the answer back to the conversation. Composed before the write
//! that sends the message; [`record`] queues it in that write and remembers its
//! Message-ID, so the answer's `In-Reply-To` finds the conversation. The
//! message's files go as attachments (as in notifications), their links in the text.

use super::email_threads::{self, SOURCE};
use super::notifications::About;
use crate::db::conversations::ConversationRow;
use crate::db::email::{self, EmailRecord, Thread};
use crate::db::users::{self, UserRow};
use crate::domain::email_template::{self, Fill};
use crate::domain::email_threading::{reply_address, reply_subject};
use crate::domain::markup;
use crate::outbox::email::{OutgoingEmail, Threading};
use crate::state::AppState;
use rusqlite::Connection;

/// How many of a conversation's Message-IDs a reply's `References` lists.
const REFERENCES_MAX: i64 = 20;

/// A reply, composed: the email, and the thread to record if the conversation
/// has none yet (one opened by the API with source `em`).
pub struct Reply {
    email: OutgoingEmail,
    message_id: String,
    new_thread: Option<Thread>,
}

/// The email `sender`'s message becomes, when `conversation` is an email
/// conversation, the sender is staff and the customer has an address.
pub fn compose(
    conn: &Connection,
    state: &AppState,
    sender: &UserRow,
    conversation: &ConversationRow,
    about: &About,
) -> rusqlite::Result<Option<Reply>> {
    if conversation.source.as_deref() != Some(SOURCE) || !sender.user_type.is_agent() {
        return Ok(None);
    }
    let settings = state.settings(conn)?;
    let (thread, new_thread) = match email::thread(conn, conversation.id)? {
        Some(thread) => (thread, None),
        None => {
            let customer = users::find(conn, conversation.user_id)?;
            let Some(address) = customer.and_then(|c| c.email).filter(|e| !e.trim().is_empty()) else {
                return Ok(None);
            };
            let thread = Thread {
                conversation_id: conversation.id,
                token: email_threads::new_token(),
                subject: conversation.title.clone(),
                address,
            };
            (thread.clone(), Some(thread))
        }
    };
    let support = [&settings.email_piping.address, &settings.smtp.sender_address]
        .into_iter()
        .find(|a| !a.is_empty())
        .cloned()
        .unwrap_or_default();
    let domain = support.rsplit_once('@').map_or("switchboard.local", |(_, d)| d).to_string();
    let message_id = format!("sb-{}@{domain}", crate::crypto::random_hex(16));
    let earlier = email::thread_ids(conn, conversation.id, REFERENCES_MAX)?;
    let in_reply_to = earlier.iter().rev().find(|(_, ours)| !ours).or(earlier.last()).map(|(id, _)| id.clone());
    let threading = Threading {
        message_id: message_id.clone(),
        in_reply_to,
        references: earlier.into_iter().map(|(id, _)| id).collect(),
        reply_to: reply_address(&support, &thread.token),
    };
    let customer = users::find(conn, conversation.user_id)?;
    let to_name = customer.as_ref().map(super::notifications::full_name).unwrap_or_default();
    let (mut text, mut html) = (markup::to_plain(about.message), markup::to_html(about.message));
    let links: Vec<(String, String)> = serde_json::from_str(about.attachments).unwrap_or_default();
    if !links.is_empty() {
        let listed = email_template::render("{attachments}", &[("attachments", Fill::Links(links))]);
        text = format!("{}\n\n{}", text.trim_end(), listed.text);
        html = format!("{html}<p>{}</p>", listed.html);
    }
    let email = OutgoingEmail {
        to: thread.address.clone(),
        to_name,
        subject: reply_subject(&thread.subject, conversation.id),
        text,
        html: email_template::html_document(&html),
        recipient_id: Some(conversation.user_id),
        sender_suffix: String::new(),
        threading: Some(threading),
        files: super::notifications::email_files(conn, state, about.attachments)?,
    };
    Ok(Some(Reply { email, message_id, new_thread }))
}

/// Queues `reply` in the write that stores chat message `chat_message_id`, and
/// records its Message-ID (and the conversation's thread, if new).
pub fn record(
    tx: &Connection,
    reply: &Reply,
    conversation_id: i64,
    chat_message_id: i64,
    now: &str,
) -> rusqlite::Result<()> {
    if let Some(thread) = &reply.new_thread {
        email::add_thread(tx, thread)?;
    }
    crate::outbox::email::queue(tx, &reply.email, now)?;
    email::record(
        tx,
        &EmailRecord {
            message_id: &reply.message_id,
            outgoing: true,
            conversation_id: Some(conversation_id),
            chat_message_id: Some(chat_message_id),
            outcome: "sent",
            sender: "",
            now,
        },
    )
}
